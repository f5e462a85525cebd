//! Notices to officials on WhatsApp: what each sent notice was about
//! (`NOTICE#<wamid>`, kept [`keys::NOTICE_RETENTION_DAYS`] by the table's
//! TTL), so that a reply quoting it acts on its case; and the new cases not
//! yet announced, read from the `by_kota` index after a cursor that each
//! run claims before it sends (`CURSOR#new-cases`), keeping with the claim
//! an announcement of each open case that the sweep makes should the run
//! stop before it does; and the notices that failed to go out. Both wait in
//! the outbox (kind `notice`) for the sweep.

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::codec::{from_item, s, to_item};
use super::outbox::{parse_entry, OutboxEntry};
use super::tx::{Conflict, Tx};
use super::{keys, Store, StoreError};
use crate::domain::case::{Case, CaseId};
use crate::domain::jurisdiction::JurisdictionPath;
use crate::domain::official::OfficialId;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::EventId;

/// What a notice was about: its case and the official it went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRef {
    pub ticket: Ticket,
    pub case_id: CaseId,
    pub official_id: OfficialId,
}

#[derive(Serialize, Deserialize)]
struct NoticeItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    notice: NoticeRef,
    expires_at: i64,
}

/// Where the new-case notices stand: after this `QueueSK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCasesCursor(String);

impl NewCasesCursor {
    /// The position after `case`.
    pub fn after(case: &Case) -> Self {
        Self(keys::queue_sk(case.created_at, &case.ticket))
    }

    /// The position before every case created from `at` on (a cursor's
    /// start when there is none yet).
    pub fn from_time(at: DateTime<Utc>) -> Self {
        Self(keys::timestamp(at))
    }
}

#[derive(Serialize, Deserialize)]
struct CursorItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    queue_sk: String,
    /// Which run moved it, so that a run whose write's answer was lost
    /// recognises the move as its own.
    claim_id: String,
}

/// A notice to send again: its outbox entry, to whom (none: every
/// official told of the case, a new case's announcement), and why the case
/// reached them (the caller's type; the message is built afresh from the
/// case as it is then, so no copy of the citizen's words waits here).
#[derive(Debug, Clone)]
pub struct PendingNotice<R> {
    pub entry: OutboxEntry,
    pub official_id: Option<OfficialId>,
    pub reason: R,
}

#[derive(Serialize, Deserialize)]
struct PendingNoticeItem<R> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "TimePK")]
    time_pk: String,
    #[serde(rename = "TimeSK")]
    time_sk: String,
    kind: String,
    case_id: CaseId,
    event_id: EventId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    official_id: Option<OfficialId>,
    reason: R,
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

impl<R> PendingNoticeItem<R> {
    fn new(
        case_id: &CaseId,
        official: Option<&OfficialId>,
        reason: R,
        next_attempt: DateTime<Utc>,
        attempts: u32,
        error: Option<&str>,
    ) -> Self {
        let id = EventId::new(next_attempt);
        let sk = match official {
            Some(official) => keys::pending_notice_sk(official, &id),
            None => keys::announcement_sk(&id),
        };
        Self {
            pk: keys::case_pk(case_id),
            sk,
            time_pk: keys::outbox_pk(keys::OUTBOX_NOTICE),
            time_sk: keys::outbox_sk(next_attempt, keys::OUTBOX_NOTICE, case_id, &id),
            kind: keys::OUTBOX_NOTICE.to_owned(),
            case_id: case_id.clone(),
            event_id: id,
            official_id: official.cloned(),
            reason,
            attempts,
            last_error: error.map(str::to_owned),
        }
    }

    fn entry(&self, next_attempt: DateTime<Utc>) -> OutboxEntry {
        OutboxEntry {
            kind: self.kind.clone(),
            case_id: self.case_id.clone(),
            event_id: self.event_id.clone(),
            next_attempt,
            attempts: self.attempts,
            last_error: self.last_error.clone(),
            pk: self.pk.clone(),
            sk: self.sk.clone(),
            time_sk: self.time_sk.clone(),
        }
    }
}

impl Store {
    /// Records a notice to `official` about `case_id` whose first attempt
    /// failed with `error`, for the sweep to send at `next_attempt`: a
    /// PutItem.
    pub async fn record_pending_notice<R: Serialize>(
        &self,
        case_id: &CaseId,
        official: &OfficialId,
        reason: &R,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let item = PendingNoticeItem::new(case_id, Some(official), reason, next_attempt, 1, Some(error));
        self.put(to_item(&item)).await
    }

    /// Notices due by `now`, earliest first, at most `limit`: one Query.
    pub async fn pending_notices_due<R: DeserializeOwned>(
        &self,
        now: DateTime<Utc>,
        limit: i32,
    ) -> Result<Vec<PendingNotice<R>>, StoreError> {
        let out = self
            .due_query(keys::OUTBOX_NOTICE, now)
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let mut due = Vec::new();
        for item in out.items.unwrap_or_default() {
            let entry =
                parse_entry(&item).ok_or_else(|| StoreError::Corrupt("a pending notice's keys".into()))?;
            let record: PendingNoticeItem<R> = from_item(item)?;
            due.push(PendingNotice {
                entry,
                official_id: record.official_id,
                reason: record.reason,
            });
        }
        Ok(due)
    }

    /// Records a notice sent as `message_id`: a PutItem.
    pub async fn record_notice(
        &self,
        message_id: &str,
        notice: &NoticeRef,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let item = NoticeItem {
            pk: keys::notice_pk(message_id),
            sk: keys::NOTICE_SK.to_owned(),
            notice: notice.clone(),
            expires_at: (now + Duration::days(keys::NOTICE_RETENTION_DAYS)).timestamp(),
        };
        self.put(to_item(&item)).await
    }

    /// The notice sent as `message_id`, unless unknown or past its time.
    pub async fn notice(&self, message_id: &str) -> Result<Option<NoticeRef>, StoreError> {
        self.get(keys::notice_pk(message_id), keys::NOTICE_SK)
            .await?
            .map(|item| from_item::<NoticeItem>(item).map(|n| n.notice))
            .transpose()
    }

    /// Where the new-case notices stand; none before the first run.
    pub async fn new_cases_cursor(&self) -> Result<Option<NewCasesCursor>, StoreError> {
        self.get(keys::NEW_CASES_CURSOR_PK.to_owned(), keys::CURSOR_SK)
            .await?
            .map(|item| from_item::<CursorItem>(item).map(|c| NewCasesCursor(c.queue_sk)))
            .transpose()
    }

    /// Up to `limit` cases of `kota` created after `after` and at or
    /// before `until`, oldest first: one Query on `by_kota`.
    pub async fn new_cases(
        &self,
        kota: &JurisdictionPath,
        after: &NewCasesCursor,
        until: DateTime<Utc>,
        limit: i32,
    ) -> Result<Vec<Case>, StoreError> {
        let until = keys::upper_bound(until);
        // DynamoDB refuses a range whose ends are out of order.
        if after.0 > until {
            return Ok(Vec::new());
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::BY_KOTA.name)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :after AND :until")
            .expression_attribute_names("#pk", keys::BY_KOTA.pk)
            .expression_attribute_names("#sk", keys::BY_KOTA.sk)
            .expression_attribute_values(":pk", s(kota.as_str()))
            .expression_attribute_values(":after", s(&after.0))
            .expression_attribute_values(":until", s(&until))
            // One more: the cursor's own case is in the range.
            .limit(limit.saturating_add(1))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let mut cases = Vec::new();
        for item in out.items.unwrap_or_default() {
            let case = from_item::<Case>(item)?;
            if NewCasesCursor::after(&case) != *after {
                cases.push(case);
            }
        }
        cases.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(cases)
    }

    /// Moves the cursor from `read` (none: there was none) to after the
    /// last of `cases`, and keeps an announcement (`reason`) of each open one
    /// among them, leased to this run until `lease_until`, in one
    /// transaction: whoever moves the cursor tells the officials of the
    /// cases in between, so two runs never both do; and should this run stop
    /// before it has, the sweep does after the lease. The announcements'
    /// entries, in the order of the open cases, for the run to finish once
    /// it has told them; `None` when another run moved the cursor first.
    pub async fn claim_new_cases<R: Serialize>(
        &self,
        read: Option<&NewCasesCursor>,
        cases: &[Case],
        reason: &R,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Vec<OutboxEntry>>, StoreError> {
        let Some(last) = cases.last() else {
            return Ok(Some(Vec::new()));
        };
        let cursor = to_item(&CursorItem {
            pk: keys::NEW_CASES_CURSOR_PK.to_owned(),
            sk: keys::CURSOR_SK.to_owned(),
            queue_sk: NewCasesCursor::after(last).0,
            claim_id: ulid::Ulid::new().to_string(),
        });
        let mut tx = Tx::new(&self.table);
        match read {
            None => tx.put_new(cursor, Conflict::CursorMoved),
            Some(read) => tx.put_if_equal(cursor, "queue_sk", s(&read.0), Conflict::CursorMoved),
        }
        let mut entries = Vec::new();
        for case in cases.iter().filter(|c| c.status.is_open()) {
            let item = PendingNoticeItem::new(&case.id, None, reason, lease_until, 0, None);
            entries.push(item.entry(lease_until));
            tx.put(to_item(&item));
        }
        match tx.commit(&self.client).await {
            Ok(()) => Ok(Some(entries)),
            Err(StoreError::Claimed | StoreError::Contended) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
