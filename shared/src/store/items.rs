//! Item shapes: the domain values plus the key attributes that place them in
//! the table and its indexes. Conversions only; no requests here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys;
use crate::conversation::Reporter;
use crate::domain::audit::AuditEntry;
use crate::domain::case::{Case, CaseId};
use crate::domain::duplicates::Coordinates;
use crate::domain::reporter::ReporterId;
use crate::domain::sla::WorkingCalendar;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{
    DeliveryStatus, EventBody, EventId, MediaStorage, MessageContent, TimelineEvent,
};
use crate::whatsapp::outbound::Outbound;

/// Written, never read back: a case item is read straight into [`Case`],
/// which ignores the key attributes. Deserialising through `flatten` would
/// buffer every attribute first, the larger part of decoding a queue page.
#[derive(Serialize)]
pub struct CaseItem<'a> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "KotaPK")]
    kota_pk: String,
    #[serde(rename = "KecPK", default, skip_serializing_if = "Option::is_none")]
    kec_pk: Option<String>,
    #[serde(rename = "KelPK", default, skip_serializing_if = "Option::is_none")]
    kel_pk: Option<String>,
    #[serde(rename = "AgencyPK", default, skip_serializing_if = "Option::is_none")]
    agency_pk: Option<String>,
    /// Absent once the reporter erased their data: the case leaves their index.
    #[serde(rename = "ReporterPK", default, skip_serializing_if = "Option::is_none")]
    reporter_pk: Option<String>,
    #[serde(rename = "QueueSK")]
    queue_sk: String,
    #[serde(rename = "TimePK", default, skip_serializing_if = "Option::is_none")]
    time_pk: Option<String>,
    #[serde(rename = "TimeSK", default, skip_serializing_if = "Option::is_none")]
    time_sk: Option<String>,
    #[serde(flatten)]
    case: &'a Case,
}

impl<'a> CaseItem<'a> {
    /// Places the case in the queue indexes of its area (kota, kecamatan,
    /// kelurahan by path depth), its agency's, its reporter's, and, while it
    /// is open, the open-cases-by-due-time partition; once closed, while its
    /// files are kept and may go, the closed-cases-by-close-time one.
    pub fn from_case(case: &'a Case) -> Self {
        let area = case.area();
        let open_due = case.due_at.filter(|_| case.status.is_open());
        let (time_pk, time_sk) = match (open_due, case.files_kept_since()) {
            (Some(due), _) => (
                Some(keys::OPEN_CASES.to_owned()),
                Some(keys::open_case_sk(due, &case.id)),
            ),
            (None, Some(closed)) => (
                Some(keys::CLOSED_WITH_FILES.to_owned()),
                Some(keys::closed_case_sk(closed, &case.id)),
            ),
            (None, None) => (None, None),
        };
        Self {
            pk: keys::case_pk(&case.id),
            sk: keys::CASE_SK.to_owned(),
            kota_pk: area.ancestor_at(1).expect("a path has a root").to_string(),
            kec_pk: area.ancestor_at(2).map(|p| p.to_string()),
            kel_pk: area.ancestor_at(3).map(|p| p.to_string()),
            agency_pk: case.agency.as_ref().map(|p| p.to_string()),
            reporter_pk: case.reporter.id().map(|id| id.as_str().to_owned()),
            queue_sk: keys::queue_sk(case.created_at, &case.ticket),
            time_pk,
            time_sk,
            case,
        }
    }
}

/// A timeline event, stored in its case's partition. Lifecycle events also
/// go into their local day's partition of `by_time`, for digests.
#[derive(Serialize, Deserialize)]
pub struct EventItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "TimePK", default, skip_serializing_if = "Option::is_none")]
    time_pk: Option<String>,
    #[serde(rename = "TimeSK", default, skip_serializing_if = "Option::is_none")]
    time_sk: Option<String>,
    pub case_id: CaseId,
    #[serde(flatten)]
    pub event: TimelineEvent,
    /// Fetch attempts of a pending file (claims count, as in the outbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
}

impl EventItem {
    /// A message whose file is still to be fetched waits in the media outbox,
    /// first attempt (the webhook's own) leased until
    /// [`keys::MEDIA_FIRST_ATTEMPT_LEASE`] after it arrived.
    pub fn new(case_id: &CaseId, event: &TimelineEvent, calendar: &WorkingCalendar) -> Self {
        let on_day_index = matches!(
            event.body,
            EventBody::Opened { .. }
                | EventBody::StatusChanged { .. }
                | EventBody::Escalated { .. }
                | EventBody::Forwarded { .. }
                | EventBody::Closed { .. }
        );
        let media_pending = matches!(
            event.body,
            EventBody::Message {
                stored: Some(MediaStorage::Pending),
                ..
            }
        );
        let (time_pk, time_sk) = if on_day_index {
            (
                Some(keys::day_pk(calendar.local_date(event.at))),
                Some(keys::day_sk(event.at, &event.id)),
            )
        } else if media_pending {
            (
                Some(keys::outbox_pk(keys::OUTBOX_MEDIA)),
                Some(keys::media_first_lease_sk(case_id, event)),
            )
        } else {
            (None, None)
        };
        Self {
            pk: keys::case_pk(case_id),
            sk: keys::event_sk(&event.id),
            time_pk,
            time_sk,
            case_id: case_id.clone(),
            event: event.clone(),
            attempts: media_pending.then_some(0),
        }
    }
}

/// The last place a case's citizen shared, beside its events (which keep
/// every place): suggested duplicates read it for many cases in one
/// BatchGetItem, where finding it among each case's events would be a
/// Query per case.
#[derive(Serialize, Deserialize)]
pub struct LocationItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    pub case_id: CaseId,
    pub lat: f64,
    pub long: f64,
    /// When the citizen shared it.
    pub at: DateTime<Utc>,
}

impl LocationItem {
    /// The item for `event` when it is a citizen's shared location.
    pub fn of(case_id: &CaseId, event: &TimelineEvent) -> Option<Self> {
        let EventBody::Message {
            content: MessageContent::Location {
                latitude, longitude, ..
            },
            ..
        } = &event.body
        else {
            return None;
        };
        Some(Self {
            pk: keys::case_pk(case_id),
            sk: keys::LOCATION_SK.to_owned(),
            case_id: case_id.clone(),
            lat: *latitude,
            long: *longitude,
            at: event.at,
        })
    }

    pub fn coordinates(&self) -> Coordinates {
        Coordinates {
            lat: self.lat,
            long: self.long,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct TicketItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    pub case_id: CaseId,
}

impl TicketItem {
    pub fn new(ticket: &Ticket, case_id: &CaseId) -> Self {
        Self {
            pk: keys::ticket_pk(ticket),
            sk: keys::TICKET_SK.to_owned(),
            case_id: case_id.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct ReporterItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    pub reporter: Reporter,
}

impl ReporterItem {
    pub fn new(reporter: &Reporter) -> Self {
        Self::under(&reporter.id, reporter)
    }

    /// The record kept under `key`: its id, or one of the keys it is also
    /// known by ([`Reporter::copies`]).
    pub fn under(key: &ReporterId, reporter: &Reporter) -> Self {
        Self {
            pk: keys::reporter_pk(key),
            sk: keys::REPORTER_SK.to_owned(),
            reporter: reporter.clone(),
        }
    }
}

/// Marks a provider message id as handled, with the case it went to (none
/// for commands such as `STATUS`).
#[derive(Serialize, Deserialize)]
pub struct InboundItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<SavedReply>,
    expires_at: i64,
}

/// The reply saved as pending with a message, and when its first attempt's
/// lease ends: a redelivery of the message after that sends it, if it is
/// still pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReply {
    pub case_id: CaseId,
    pub event_id: EventId,
    pub lease_until: DateTime<Utc>,
}

impl InboundItem {
    pub fn new(
        key: &InboundKey,
        case_id: Option<&CaseId>,
        reply: Option<SavedReply>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            pk: keys::inbound_pk(key.provider, &key.message_id),
            sk: keys::INBOUND_SK.to_owned(),
            case_id: case_id.cloned(),
            reply,
            expires_at: expires_at.timestamp(),
        }
    }
}

/// The deployment's ticket sequence: the last number taken.
#[derive(Debug, Clone, Deserialize)]
pub struct SequenceItem {
    pub value: u64,
}

/// A provider's id for an inbound message: the de-duplication key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundKey {
    pub provider: crate::domain::case::Provider,
    pub message_id: String,
}

/// A timeline event of kind `Outbound`, with what the outbox needs while it
/// is pending.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "TimePK", default, skip_serializing_if = "Option::is_none")]
    time_pk: Option<String>,
    #[serde(rename = "TimeSK", default, skip_serializing_if = "Option::is_none")]
    time_sk: Option<String>,
    pub case_id: CaseId,
    #[serde(flatten)]
    pub event: TimelineEvent,
    /// The status's rank, so an out-of-order callback never downgrades it.
    pub delivery_rank: u8,
    /// The message itself, kept only while it still has to go out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Outbound>,
    #[serde(default)]
    pub attempts: u32,
}

/// A message still to send: where it is recorded and what it is.
#[derive(Debug, Clone)]
pub struct PendingOutbound {
    pub case_id: CaseId,
    pub event: TimelineEvent,
    pub payload: Outbound,
    pub attempts: u32,
}

impl OutboundItem {
    /// A message recorded with its status, out of the outbox.
    pub fn new(case_id: &CaseId, event: &TimelineEvent) -> Self {
        let rank = match &event.body {
            EventBody::Outbound { status, .. } => *status,
            _ => DeliveryStatus::Pending,
        }
        .rank();
        Self {
            pk: keys::case_pk(case_id),
            sk: keys::event_sk(&event.id),
            time_pk: None,
            time_sk: None,
            case_id: case_id.clone(),
            event: event.clone(),
            delivery_rank: rank,
            payload: None,
            attempts: 0,
        }
    }

    /// A message waiting in the outbox, due at `next_attempt`.
    pub fn pending(pending: &PendingOutbound, next_attempt: DateTime<Utc>) -> Self {
        let mut item = Self::new(&pending.case_id, &pending.event);
        item.time_pk = Some(keys::outbox_pk(keys::OUTBOX_WHATSAPP));
        item.time_sk = Some(keys::outbox_sk(
            next_attempt,
            keys::OUTBOX_WHATSAPP,
            &pending.case_id,
            &pending.event.id,
        ));
        item.payload = Some(pending.payload.clone());
        item.attempts = pending.attempts;
        item
    }
}

/// An audit entry: under its case's audit partition, or, for a queue page,
/// under the official's; expires by TTL.
#[derive(Serialize, Deserialize)]
pub struct AuditItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
    expires_at: i64,
}

impl AuditItem {
    pub fn new(entry: &AuditEntry) -> Self {
        let pk = match &entry.case {
            Some(case) => keys::audit_case_pk(&case.id),
            None => keys::audit_official_pk(&entry.actor.sub),
        };
        Self {
            pk,
            sk: keys::audit_sk(entry.at, &entry.id),
            entry: entry.clone(),
            expires_at: entry.keep_until.timestamp(),
        }
    }
}
