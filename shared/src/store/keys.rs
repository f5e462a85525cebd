//! The table's key layout, in one place: nothing else formats `PK`/`SK` values
//! or names an index. `docs/data-model.md` explains each access pattern.

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};

use crate::domain::case::{CaseId, Provider};
use crate::domain::official::OfficialId;
use crate::domain::reporter::ReporterId;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{EventId, TimelineEvent};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
/// Items with this attribute (epoch seconds) expire; readers skip expired
/// items themselves, since DynamoDB deletes them lazily.
pub const EXPIRES_AT: &str = "expires_at";

/// A global secondary index: its name and its key attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// Every case of the kota, newest first.
pub const BY_KOTA: Index = Index {
    name: "by_kota",
    pk: "KotaPK",
    sk: "QueueSK",
};
/// Every case of one kecamatan, newest first.
pub const BY_KECAMATAN: Index = Index {
    name: "by_kecamatan",
    pk: "KecPK",
    sk: "QueueSK",
};
/// Every case of one kelurahan (and its RW/RT), newest first.
pub const BY_KELURAHAN: Index = Index {
    name: "by_kelurahan",
    pk: "KelPK",
    sk: "QueueSK",
};
/// Every case escalated to one agency, newest first.
pub const BY_AGENCY: Index = Index {
    name: "by_agency",
    pk: "AgencyPK",
    sk: "QueueSK",
};
/// A reporter's cases, newest first.
pub const BY_REPORTER: Index = Index {
    name: "by_reporter",
    pk: "ReporterPK",
    sk: "QueueSK",
};
/// Time-driven work: open cases by due time, closed cases by close time
/// (their files' retention), pending deliveries by next attempt, and each
/// day's lifecycle events. A sparse index: items leave it when the
/// attribute is removed (a case closes, a delivery succeeds).
pub const BY_TIME: Index = Index {
    name: "by_time",
    pk: "TimePK",
    sk: "TimeSK",
};

pub const INDEXES: [Index; 6] = [
    BY_KOTA,
    BY_KECAMATAN,
    BY_KELURAHAN,
    BY_AGENCY,
    BY_REPORTER,
    BY_TIME,
];

/// `TimePK` of open cases (sort key: due time).
pub const OPEN_CASES: &str = "OPEN";

/// `TimePK` of closed cases whose files are still kept (sort key: when
/// they closed): the sweep deletes their files once the retention after
/// the close has passed. A case leaves it when it reopens, when an official
/// marks its files as needed, or once its files are deleted.
pub const CLOSED_WITH_FILES: &str = "FILES";

/// `TimeSK` of a closed case whose files are kept.
pub fn closed_case_sk(closed_at: DateTime<Utc>, id: &CaseId) -> String {
    format!("{}#{id}", timestamp(closed_at))
}

/// `TimePK` of work of one kind (`whatsapp`, `escalation`) that failed to go
/// out and waits for the sweep to retry it. One partition per kind, so a
/// backlog of one kind never hides the other from the sweep.
pub fn outbox_pk(kind: &str) -> String {
    format!("OUTBOX#{kind}")
}

/// `TimeSK` of an outbox entry: when to try next, then what and where.
pub fn outbox_sk(next_attempt: DateTime<Utc>, kind: &str, case: &CaseId, event: &EventId) -> String {
    format!("{}#{kind}#{case}#{}", timestamp(next_attempt), event.as_str())
}

/// A citizen's file is written into the media outbox already leased to the
/// webhook's own first attempt for this long after the message arrived:
/// longer than the webhook's Lambda timeout (15 s), so the sweep never takes
/// a file the webhook may still be fetching.
pub const MEDIA_FIRST_ATTEMPT_LEASE: Duration = Duration::minutes(2);

/// `TimeSK` of a pending file's message event, as first written.
pub fn media_first_lease_sk(case: &CaseId, event: &TimelineEvent) -> String {
    outbox_sk(
        event.at + MEDIA_FIRST_ATTEMPT_LEASE,
        OUTBOX_MEDIA,
        case,
        &event.id,
    )
}

/// Timestamps as sortable text: UTC, fixed width, millisecond precision.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn case_pk(id: &CaseId) -> String {
    format!("CASE#{id}")
}
pub const CASE_SK: &str = "CASE";

pub fn event_sk(id: &EventId) -> String {
    format!("EVENT#{}", id.as_str())
}
pub const EVENT_SK_PREFIX: &str = "EVENT#";
/// The `SK` range of a case's events from `from` (inclusive; from the first
/// without), for `BETWEEN`: `$` sorts right after `#`, so every event and
/// nothing else in the partition (`PUBLISH#…`) falls inside.
pub fn event_sk_range(from: Option<&EventId>) -> (String, String) {
    let low = from.map_or_else(|| EVENT_SK_PREFIX.to_owned(), event_sk);
    (low, "EVENT$".to_owned())
}

/// `SK` of the last place a case's citizen shared (`LOCATION` sorts after
/// every `EVENT#`, outside the timeline's range).
pub const LOCATION_SK: &str = "LOCATION";

pub fn ticket_pk(ticket: &Ticket) -> String {
    format!("TICKET#{ticket}")
}
pub const TICKET_SK: &str = "TICKET";

pub fn reporter_pk(id: &ReporterId) -> String {
    format!("REPORTER#{}", id.as_str())
}
pub const REPORTER_SK: &str = "REPORTER";

/// De-duplication record of an inbound provider message.
pub fn inbound_pk(provider: Provider, message_id: &str) -> String {
    format!("INBOUND#{}#{message_id}", provider.as_str())
}
pub const INBOUND_SK: &str = "INBOUND";

pub const TICKET_SEQUENCE_PK: &str = "SEQUENCE#ticket";
pub const SEQUENCE_SK: &str = "SEQUENCE";

/// Queue order within a partition: creation time, then ticket for ties.
pub fn queue_sk(created_at: DateTime<Utc>, ticket: &Ticket) -> String {
    format!("{}#{ticket}", timestamp(created_at))
}

pub fn open_case_sk(due_at: DateTime<Utc>, id: &CaseId) -> String {
    format!("{}#{id}", timestamp(due_at))
}

/// `TimePK` of the lifecycle events of one local day, for digests.
pub fn day_pk(day: NaiveDate) -> String {
    format!("DAY#{day}")
}

pub fn day_sk(at: DateTime<Utc>, event: &EventId) -> String {
    format!("{}#{}", timestamp(at), event.as_str())
}

/// The upper bound for "sort key at or before `at`" in a `TimeSK`/`QueueSK`
/// range: every key starting with a timestamp ≤ `at` sorts before it.
pub fn upper_bound(at: DateTime<Utc>) -> String {
    format!("{}~", timestamp(at))
}

/// Points from a provider's outbound message id to the timeline event that
/// records it, for delivery status callbacks.
pub fn provider_message_pk(provider: Provider, message_id: &str) -> String {
    format!("SENT#{}#{message_id}", provider.as_str())
}
pub const PROVIDER_MESSAGE_SK: &str = "SENT";

/// Outbox kind of a WhatsApp message that has not gone out yet.
pub const OUTBOX_WHATSAPP: &str = "whatsapp";

/// Outbox kind of a citizen's file not yet fetched into the media bucket:
/// the message event itself waits in the outbox.
pub const OUTBOX_MEDIA: &str = "media";

/// Outbox kind of an escalation whose SNS publish has not gone out yet.
pub const OUTBOX_ESCALATION: &str = "escalation";

/// Outbox kind of an erased case's files still to be deleted from the
/// media bucket ([`erased_files_pk`]).
pub const OUTBOX_ERASED_FILES: &str = "erased-files";

/// Outbox kind of a registered official's WhatsApp notice that failed to
/// go out: retried by the sweep.
pub const OUTBOX_NOTICE: &str = "notice";

/// `SK` of a notice still to send, in its case's partition: the official
/// and an id of its own.
pub fn pending_notice_sk(official: &OfficialId, id: &EventId) -> String {
    format!("NOTIFY#{}#{}", official.as_str(), id.as_str())
}

/// `SK` of a new case's announcement to every official told of it, in its
/// case's partition.
pub fn announcement_sk(id: &EventId) -> String {
    format!("ANNOUNCE#{}", id.as_str())
}

/// `PK` of an erased case's pending file deletion: a partition of its own,
/// holding the ticket and nothing of the citizen.
pub fn erased_files_pk(ticket: &Ticket) -> String {
    format!("ERASEDFILES#{ticket}")
}
pub const ERASED_FILES_SK: &str = "ERASEDFILES";

/// `TimeSK` of a pending file deletion: when to try next, then the ticket.
pub fn erased_files_time_sk(next_attempt: DateTime<Utc>, ticket: &Ticket) -> String {
    format!("{}#{ticket}", timestamp(next_attempt))
}

/// `SK` of a pending escalation publish, in its case's partition (the
/// `Escalated` event item itself stays immutable).
pub fn publish_sk(event: &EventId) -> String {
    format!("PUBLISH#{}", event.as_str())
}
pub const PUBLISH_SK_PREFIX: &str = "PUBLISH#";

/// Splits an outbox `TimeSK` (see [`outbox_sk`]) into its next attempt,
/// kind, case id and event id (all as text).
pub fn parse_outbox_sk(sk: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = sk.splitn(4, '#');
    Some((parts.next()?, parts.next()?, parts.next()?, parts.next()?))
}

/// `PK` of the record of what a day's digest run sent.
pub fn digest_pk(day: NaiveDate) -> String {
    format!("DIGEST#{day}")
}

/// `SK` of one node's digest of a day, published to the digest topic.
pub fn digest_sk(node: &crate::domain::jurisdiction::JurisdictionPath) -> String {
    format!("NODE#{node}")
}

/// `SK` of the digest of a day one official received on WhatsApp.
pub fn digest_official_sk(id: &crate::domain::official::OfficialId) -> String {
    format!("OFFICIAL#{id}")
}

/// A registered official's own item.
pub fn official_pk(id: &crate::domain::official::OfficialId) -> String {
    format!("OFFICIAL#{id}")
}
pub const OFFICIAL_SK: &str = "OFFICIAL";

/// A registered official's copy under a key their messages carry (the
/// hashed number or BSUID, as a reporter's record is kept).
pub fn official_by_pk(key: &ReporterId) -> String {
    format!("OFFICIALBY#{}", key.as_str())
}

/// Every registered official, sorted by scope: `<scope>#<id>`.
pub const OFFICIALS_PK: &str = "OFFICIALS";

pub fn officials_sk(
    scope: &crate::domain::jurisdiction::JurisdictionPath,
    id: &crate::domain::official::OfficialId,
) -> String {
    format!("{}{id}", officials_sk_prefix(scope))
}

/// The sort keys of the officials registered exactly at `scope`.
pub fn officials_sk_prefix(scope: &crate::domain::jurisdiction::JurisdictionPath) -> String {
    format!("{scope}#")
}

pub fn units_pk(kelurahan: &crate::domain::jurisdiction::JurisdictionPath) -> String {
    format!("UNITS#{kelurahan}")
}

/// `SK` of one RW or RT: `UNIT#rw-03`, `UNIT#rw-03/rt-01` (an RW sorts
/// right before its RTs).
pub fn unit_sk(unit: &crate::domain::jurisdiction::UnitPath) -> String {
    format!("{UNIT_SK_PREFIX}{}", unit.slug())
}
pub const UNIT_SK_PREFIX: &str = "UNIT#";

/// `PK` of a case's audit trail: a partition of its own beside the case's,
/// so the reads that take a case's whole partition (a file's event for the
/// media route) never read its audit, which grows with every read.
pub fn audit_case_pk(id: &CaseId) -> String {
    format!("AUDIT#CASE#{id}")
}

/// `PK` of an official's queue pages (entries about no one case), by the
/// identity provider's subject id.
pub fn audit_official_pk(sub: &str) -> String {
    format!("AUDIT#OFFICIAL#{sub}")
}

/// `SK` of an audit entry: its time, then its id (a ULID) for ties.
pub fn audit_sk(at: DateTime<Utc>, id: &EventId) -> String {
    format!("{}#{}", timestamp(at), id.as_str())
}

/// A notice sent to an official, by the provider's message id (Meta's
/// `wamid`): a reply to the notice carries that id in its context, and the
/// webhook finds the notice's case from it.
pub fn notice_pk(message_id: &str) -> String {
    format!("NOTICE#{message_id}")
}
pub const NOTICE_SK: &str = "NOTICE";

/// How long a notice's record is kept: a reply to a month-old notice acts
/// on nothing (the official types the ticket instead).
pub const NOTICE_RETENTION_DAYS: i64 = 30;

/// The new-case notices' cursor: the `QueueSK` of the last case of the
/// `by_kota` index whose officials were told.
pub const NEW_CASES_CURSOR_PK: &str = "CURSOR#new-cases";
pub const CURSOR_SK: &str = "CURSOR";
