//! The outbox: work that failed to go out (or has not yet), waiting in the
//! `by_time` partition `OUTBOX` sorted by next attempt, for the sweep.
//!
//! Escalation publishes are items of their own, `PK = CASE#<id>`,
//! `SK = PUBLISH#<event id>`, beside the immutable `Escalated` event. The
//! sweep claims an entry by moving its `TimeSK` (its next attempt) to a lease
//! time, conditional on the `TimeSK` it read: of two sweeps reading the same
//! entry exactly one wins the claim, and only the owner of the claim (whose
//! `TimeSK` is still the one it wrote) may delete or reschedule it.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_item, s, to_item, Item};
use super::items::{EventItem, PendingOutbound};
use super::tx::{Conflict, Tx};
use super::{keys, Store, StoreError};
use crate::domain::audit::AuditEntry;
use crate::domain::case::{Case, CaseId};
use crate::domain::timeline::{Actor, EventBody, EventId, TimelineEvent};

/// An outbox item as the sweep sees it: what is due, of which kind, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// `escalation` ([`keys::OUTBOX_ESCALATION`]) or `whatsapp`
    /// ([`keys::OUTBOX_WHATSAPP`]); other kinds are left alone.
    pub kind: String,
    pub case_id: CaseId,
    pub event_id: EventId,
    pub next_attempt: DateTime<Utc>,
    /// Attempts made so far (claims count as attempts).
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The item's key, as read: claims are conditional on `time_sk`.
    pub pk: String,
    pub sk: String,
    pub time_sk: String,
}

/// A pending escalation publish.
#[derive(Serialize, Deserialize)]
struct PublishItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "TimePK", default, skip_serializing_if = "Option::is_none")]
    time_pk: Option<String>,
    #[serde(rename = "TimeSK", default, skip_serializing_if = "Option::is_none")]
    time_sk: Option<String>,
    kind: String,
    case_id: CaseId,
    event_id: EventId,
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failed_at: Option<DateTime<Utc>>,
}

impl PublishItem {
    fn pending(
        case_id: &CaseId,
        event_id: &EventId,
        next_attempt: DateTime<Utc>,
        attempts: u32,
        error: Option<&str>,
    ) -> Self {
        Self {
            pk: keys::case_pk(case_id),
            sk: keys::publish_sk(event_id),
            time_pk: Some(keys::outbox_pk(keys::OUTBOX_ESCALATION)),
            time_sk: Some(keys::outbox_sk(
                next_attempt,
                keys::OUTBOX_ESCALATION,
                case_id,
                event_id,
            )),
            kind: keys::OUTBOX_ESCALATION.to_owned(),
            case_id: case_id.clone(),
            event_id: event_id.clone(),
            attempts,
            last_error: error.map(str::to_owned),
            failed_at: None,
        }
    }
}

/// How an attempt on a claimed entry ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptEnd {
    /// Went out: the entry is deleted.
    Done,
    /// Failed: try again at this time.
    RetryAt(DateTime<Utc>, String),
    /// Failed for the last time: the entry leaves the outbox, is marked
    /// failed, and a note on the case's timeline says so.
    GiveUp {
        error: String,
        note: String,
        at: DateTime<Utc>,
    },
}

impl Store {
    /// Saves an escalated case (conditional on its version, as
    /// [`Store::save_case`]) together with a pending publish for
    /// `escalation`, due at `publish_by`, in one transaction: if the publish
    /// that follows never happens (a crash), the sweep sends it after
    /// `publish_by`; with the message telling the citizen, pending, and the
    /// official's audit entry when an official escalated. Returns the outbox entry, for
    /// [`Store::finish_attempt`] once published.
    pub async fn save_case_with_pending_publish<'m>(
        &self,
        case: &mut Case,
        events: &[TimelineEvent],
        escalation: &EventId,
        publish_by: DateTime<Utc>,
        messages: impl IntoIterator<Item = (&'m PendingOutbound, DateTime<Utc>)>,
        audit: Option<&AuditEntry>,
    ) -> Result<OutboxEntry, StoreError> {
        let mut tx = Tx::new(&self.table);
        tx.put_case_change(case, events, &self.calendar);
        let item = PublishItem::pending(&case.id, escalation, publish_by, 0, None);
        let entry = entry_of(&item, publish_by);
        tx.put_new(to_item(&item), Conflict::CaseExists);
        tx.put_pending_message(messages);
        tx.put_audit(audit);
        tx.commit(&self.client).await?;
        case.version += 1;
        Ok(entry)
    }

    /// Records an escalation publish that failed (`attempts` made so far),
    /// to be retried at `next_attempt`.
    pub async fn record_pending_publish(
        &self,
        case_id: &CaseId,
        escalation: &EventId,
        next_attempt: DateTime<Utc>,
        attempts: u32,
        error: &str,
    ) -> Result<OutboxEntry, StoreError> {
        let item = PublishItem::pending(case_id, escalation, next_attempt, attempts, Some(error));
        let entry = entry_of(&item, next_attempt);
        self.put(to_item(&item)).await?;
        Ok(entry)
    }

    /// Pending escalation publishes due by `now`, earliest first, at most `limit`.
    pub async fn outbox_due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_due_of(keys::OUTBOX_ESCALATION, now, limit).await
    }

    /// Outbox entries of one `kind` due by `now`, earliest first, at most `limit`.
    pub async fn outbox_due_of(
        &self,
        kind: &str,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut entries = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .due_query(kind, now)
                .limit(limit.clamp(1, 100) as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            for item in out.items.unwrap_or_default() {
                if let Some(entry) = parse_entry(&item) {
                    entries.push(entry);
                    if entries.len() >= limit {
                        return Ok(entries);
                    }
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(entries);
            }
        }
    }

    /// The Query of one kind's outbox entries due by `now`, earliest first.
    pub(super) fn due_query(&self, kind: &str, now: DateTime<Utc>) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .index_name(keys::BY_TIME.name)
            .key_condition_expression("#pk = :pk AND #sk <= :due")
            .expression_attribute_names("#pk", keys::BY_TIME.pk)
            .expression_attribute_names("#sk", keys::BY_TIME.sk)
            .expression_attribute_values(":pk", s(&keys::outbox_pk(kind)))
            .expression_attribute_values(":due", s(&keys::upper_bound(now)))
    }

    /// Claims an outbox entry (an escalation publish, a media download) for
    /// one attempt: counts the attempt and moves its next attempt to
    /// `lease_until`, so a crashed attempt is retried then. `None` when
    /// another sweep claimed or finished it first.
    pub async fn claim_entry(
        &self,
        entry: &OutboxEntry,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let lease_sk = keys::outbox_sk(lease_until, &entry.kind, &entry.case_id, &entry.event_id);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&entry.pk))
            .key(keys::SK, s(&entry.sk))
            .update_expression("SET #tsk = :lease, attempts = attempts + :one")
            .condition_expression("#tsk = :seen")
            .expression_attribute_names("#tsk", keys::BY_TIME.sk)
            .expression_attribute_values(":lease", s(&lease_sk))
            .expression_attribute_values(":seen", s(&entry.time_sk))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Some(OutboxEntry {
                attempts: entry.attempts + 1,
                next_attempt: lease_until,
                time_sk: lease_sk,
                ..entry.clone()
            })),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => Ok(None),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Ends an attempt on an entry this caller owns (its `time_sk` is the one
    /// the caller wrote). `Ok(false)` if it no longer owned it (its lease ran
    /// out and another sweep took it over): nothing was changed.
    pub async fn finish_attempt(&self, owned: &OutboxEntry, end: AttemptEnd) -> Result<bool, StoreError> {
        let key = [
            (keys::PK.to_owned(), s(&owned.pk)),
            (keys::SK.to_owned(), s(&owned.sk)),
        ];
        match end {
            AttemptEnd::Done => {
                let result = self
                    .client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key.into_iter().collect()))
                    .condition_expression("#tsk = :mine")
                    .expression_attribute_names("#tsk", keys::BY_TIME.sk)
                    .expression_attribute_values(":mine", s(&owned.time_sk))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(true),
                    Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                        Ok(false)
                    }
                    Err(e) => Err(StoreError::from_sdk(e)),
                }
            }
            AttemptEnd::RetryAt(at, error) => {
                let next_sk = keys::outbox_sk(at, &owned.kind, &owned.case_id, &owned.event_id);
                let result = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key.into_iter().collect()))
                    .update_expression("SET #tsk = :next, last_error = :error")
                    .condition_expression("#tsk = :mine")
                    .expression_attribute_names("#tsk", keys::BY_TIME.sk)
                    .expression_attribute_values(":next", s(&next_sk))
                    .expression_attribute_values(":error", s(&error))
                    .expression_attribute_values(":mine", s(&owned.time_sk))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(true),
                    Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                        Ok(false)
                    }
                    Err(e) => Err(StoreError::from_sdk(e)),
                }
            }
            AttemptEnd::GiveUp { error, note, at } => {
                self.give_up(owned, key.into_iter().collect(), &error, &note, at)
                    .await
            }
        }
    }

    /// Takes the entry out of the outbox (it stays, marked failed, in the
    /// case's partition) and adds a note to the case's timeline, atomically.
    async fn give_up(
        &self,
        owned: &OutboxEntry,
        key: Item,
        error: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression("REMOVE #tpk, #tsk SET last_error = :error, failed_at = :at")
            .condition_expression("#tsk = :mine")
            .expression_attribute_names("#tpk", keys::BY_TIME.pk)
            .expression_attribute_names("#tsk", keys::BY_TIME.sk)
            .expression_attribute_values(":error", s(error))
            .expression_attribute_values(":at", s(&at.to_rfc3339()))
            .expression_attribute_values(":mine", s(&owned.time_sk))
            .build()
            .expect("table, key and expression are set");
        let event = TimelineEvent::new(
            at,
            Actor::System,
            EventBody::Note {
                text: note.to_owned(),
            },
        );
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&EventItem::new(
                &owned.case_id,
                &event,
                &self.calendar,
            ))))
            .build()
            .expect("table and item are set");
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_transaction_canceled_exception() => Ok(false),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// One timeline event of a case.
    pub async fn timeline_event(
        &self,
        case_id: &CaseId,
        event_id: &EventId,
    ) -> Result<Option<TimelineEvent>, StoreError> {
        let item = self
            .get(keys::case_pk(case_id), &keys::event_sk(event_id))
            .await?;
        item.map(|i| from_item::<EventItem>(i).map(|e| e.event))
            .transpose()
    }
}

fn entry_of(item: &PublishItem, next_attempt: DateTime<Utc>) -> OutboxEntry {
    OutboxEntry {
        kind: item.kind.clone(),
        case_id: item.case_id.clone(),
        event_id: item.event_id.clone(),
        next_attempt,
        attempts: item.attempts,
        last_error: item.last_error.clone(),
        pk: item.pk.clone(),
        sk: item.sk.clone(),
        time_sk: item.time_sk.clone().unwrap_or_default(),
    }
}

/// Reads any kind's outbox item from its keys and `TimeSK`, so items of
/// other shapes (the webhook's pending WhatsApp messages) are seen too.
pub(super) fn parse_entry(item: &Item) -> Option<OutboxEntry> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    let time_sk = text(keys::BY_TIME.sk)?;
    let (at, kind, case, event) = keys::parse_outbox_sk(&time_sk)?;
    let next_attempt = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    Some(OutboxEntry {
        kind: kind.to_owned(),
        case_id: CaseId::parse(case).ok()?,
        event_id: EventId::parse(event)?,
        next_attempt,
        attempts: item
            .get("attempts")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        last_error: text("last_error"),
        pk: text(keys::PK)?,
        sk: text(keys::SK)?,
        time_sk,
    })
}
