//! DynamoDB storage: one table, the key layout in `keys`, item shapes in
//! `items`, one method per access pattern here and in `queue`.

mod digests;
pub mod items;
pub mod keys;
pub mod media;
mod outbound;
mod outbox;
mod queue;
pub mod schema;
mod tx;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnValue};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::case::{Case, CaseId, Provider};
use crate::domain::reporter::ReporterId;
use crate::domain::sla::WorkingCalendar;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::TimelineEvent;
pub use items::Reporter;
use items::{from_item, CaseItem, EventItem, InboundItem, Item, ReporterItem, TicketItem};
pub use outbound::PendingOutbound;
pub use outbox::{AttemptEnd, OutboxEntry};
pub use queue::{Cursor, Page, QueueQuery, QueueScope};
use tx::{Conflict, Tx};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the case changed since it was read (expected version {expected})")]
    VersionConflict { expected: u64 },
    #[error("the reporter's record changed since it was read")]
    ReporterConflict,
    #[error("this provider message was already recorded")]
    DuplicateMessage,
    #[error("another write to the same items was in progress")]
    Contended,
    #[error("the case is closed, rejected or withdrawn")]
    CaseClosed,
    #[error("the ticket is already taken")]
    TicketTaken,
    #[error("the case already exists")]
    CaseExists,
    #[error("the pagination cursor is not valid for this query")]
    BadCursor,
    #[error("a stored item could not be read: {0}")]
    Corrupt(String),
    #[error("the table could not be reached: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::Unavailable(DisplayErrorContext(err).to_string())
    }

    /// Conflicts mean "somebody else wrote first": re-read and decide again.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            StoreError::VersionConflict { .. } | StoreError::ReporterConflict | StoreError::Contended
        )
    }
}

/// Adds a message to the citizen, pending, to a transaction.
fn stage_message(tx: &mut Tx, message: Option<(&PendingOutbound, DateTime<Utc>)>) {
    if let Some((pending, next_attempt)) = message {
        tx.put(outbound::pending_item(pending, next_attempt));
    }
}

/// A provider's id for an inbound message: the de-duplication key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundKey {
    pub provider: Provider,
    pub message_id: String,
}

/// A provider message already handled: the same message delivered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    pub case_id: Option<CaseId>,
}

/// How long a handled message id is remembered. Meta retries undelivered
/// webhooks for up to 7 days; twice that leaves a margin.
pub const INBOUND_RETENTION_DAYS: i64 = 14;

/// A citizen's message added to the desk's records (see
/// [`Store::record_citizen_message`]).
pub struct CitizenWrite<'a> {
    /// The case the events belong to, when it is not changed itself.
    pub case_id: Option<&'a CaseId>,
    /// A changed case, saved conditional on the version it was read at.
    pub case: Option<&'a mut Case>,
    pub events: &'a [TimelineEvent],
    pub inbound: &'a InboundKey,
    /// The reporter's record, at the version it was read at.
    pub reporter: &'a mut Reporter,
    pub reporter_is_new: bool,
}

/// A new case and everything written with it, atomically.
pub struct NewCaseWrite<'a> {
    pub case: &'a Case,
    pub events: &'a [TimelineEvent],
    pub inbound: Option<&'a InboundKey>,
    /// The reporter's record, now pointing at the new case, at the version
    /// it was read; its version is bumped when the write succeeds.
    pub reporter: &'a mut Reporter,
    /// No record existed: the write requires that none exists still.
    pub reporter_is_new: bool,
}

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    calendar: WorkingCalendar,
}

impl Store {
    /// `calendar` places lifecycle events on their local day for digests.
    pub fn new(client: Client, table: impl Into<String>, calendar: WorkingCalendar) -> Self {
        Self {
            client,
            table: table.into(),
            calendar,
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The next ticket number of the deployment: one atomic counter.
    pub async fn next_ticket_number(&self) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::TICKET_SEQUENCE_PK))
            .key(keys::SK, s(keys::SEQUENCE_SK))
            .update_expression("ADD #value :one")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        out.attributes()
            .and_then(|a| a.get("value"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| StoreError::Corrupt("ticket sequence".into()))
    }

    /// Writes a new case with its first events, its ticket, the reporter's
    /// pointer to it and the inbound message's de-duplication record in one
    /// transaction: all of it or nothing.
    pub async fn create_case(&self, write: NewCaseWrite<'_>) -> Result<(), StoreError> {
        self.create_case_with(write, None).await
    }

    /// As [`Store::create_case`], with a message to the citizen saved as
    /// pending in the same transaction, due for the sweep at the time given.
    pub async fn create_case_with(
        &self,
        write: NewCaseWrite<'_>,
        message: Option<(&PendingOutbound, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        let case = write.case;
        let mut tx = Tx::new(&self.table);
        tx.put_new(items::to_item(&CaseItem::from_case(case)), Conflict::CaseExists);
        tx.put_new(
            items::to_item(&TicketItem::new(&case.ticket, &case.id)),
            Conflict::TicketTaken,
        );
        for event in write.events {
            tx.put_new(
                items::to_item(&EventItem::new(&case.id, event, &self.calendar)),
                Conflict::CaseExists,
            );
        }
        if let Some(inbound) = write.inbound {
            let expires = case.created_at + Duration::days(INBOUND_RETENTION_DAYS);
            tx.put_new(
                items::to_item(&InboundItem::new(inbound, Some(&case.id), expires)),
                Conflict::DuplicateMessage,
            );
        }
        self.stage_reporter(&mut tx, write.reporter, write.reporter_is_new);
        stage_message(&mut tx, message);
        tx.commit(&self.client).await?;
        write.reporter.version += 1;
        Ok(())
    }

    /// Records a citizen's message that opens no case, in one transaction:
    /// its de-duplication record, the reporter's updated record, and, where
    /// it belongs to a case, its events and any change to the case
    /// (conditional on the version read; `case.version` is bumped on success).
    pub async fn record_citizen_message(&self, write: CitizenWrite<'_>) -> Result<(), StoreError> {
        self.record_citizen_message_with(write, None).await
    }

    /// As [`Store::record_citizen_message`], with the reply saved as pending
    /// in the same transaction, due for the sweep at the time given.
    pub async fn record_citizen_message_with(
        &self,
        write: CitizenWrite<'_>,
        message: Option<(&PendingOutbound, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        let case_id = write
            .case
            .as_deref()
            .map(|c| c.id.clone())
            .or_else(|| write.case_id.cloned());
        if let Some(case) = write.case.as_deref() {
            let mut next = case.clone();
            next.version = case.version + 1;
            let item = items::to_item(&CaseItem::from_case(&next));
            tx.put_if_version(item, case.version, Conflict::Version(case.version));
        }
        if let Some(case_id) = &case_id {
            if write.case.is_none() && !write.events.is_empty() {
                // The reporter's pointer may be stale: an official or the
                // sweep may have closed the case since.
                tx.require_open_case(keys::case_pk(case_id), keys::CASE_SK);
            }
            for event in write.events {
                tx.put_new(
                    items::to_item(&EventItem::new(case_id, event, &self.calendar)),
                    Conflict::CaseExists,
                );
            }
        }
        let expires = write.reporter.last_inbound_at + Duration::days(INBOUND_RETENTION_DAYS);
        let inbound = InboundItem::new(write.inbound, case_id.as_ref(), expires);
        tx.put_new(items::to_item(&inbound), Conflict::DuplicateMessage);
        self.stage_reporter(&mut tx, write.reporter, write.reporter_is_new);
        stage_message(&mut tx, message);
        tx.commit(&self.client).await?;
        write.reporter.version += 1;
        if let Some(case) = write.case {
            case.version += 1;
        }
        Ok(())
    }

    /// Saves a changed case, conditional on the version it was read at, with
    /// the events that record the change. On success `case.version` is the
    /// new version; on `VersionConflict` nothing was written.
    pub async fn save_case(&self, case: &mut Case, events: &[TimelineEvent]) -> Result<(), StoreError> {
        self.save_case_with(case, events, None).await
    }

    /// As [`Store::save_case`], with the message telling the citizen saved
    /// as pending in the same transaction, due for the sweep at the time
    /// given: the change is never saved without it.
    pub async fn save_case_with(
        &self,
        case: &mut Case,
        events: &[TimelineEvent],
        message: Option<(&PendingOutbound, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        let expected = case.version;
        let mut next = case.clone();
        next.version = expected + 1;
        let mut tx = Tx::new(&self.table);
        tx.put_if_version(
            items::to_item(&CaseItem::from_case(&next)),
            expected,
            Conflict::Version(expected),
        );
        for event in events {
            tx.put_new(
                items::to_item(&EventItem::new(&case.id, event, &self.calendar)),
                Conflict::CaseExists,
            );
        }
        stage_message(&mut tx, message);
        tx.commit(&self.client).await?;
        case.version = next.version;
        Ok(())
    }

    /// Saves the reporter's record alone (e.g. the question we now wait
    /// for), conditional on the version read.
    pub async fn save_reporter(&self, reporter: &mut Reporter) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        self.stage_reporter(&mut tx, reporter, false);
        tx.commit(&self.client).await?;
        reporter.version += 1;
        Ok(())
    }

    fn stage_reporter(&self, tx: &mut Tx, reporter: &Reporter, is_new: bool) {
        let mut next = reporter.clone();
        next.version = reporter.version + 1;
        let item = items::to_item(&ReporterItem::new(&next));
        if is_new {
            tx.put_new(item, Conflict::Reporter);
        } else {
            tx.put_if_version(item, reporter.version, Conflict::Reporter);
        }
    }

    pub async fn case(&self, id: &CaseId) -> Result<Option<Case>, StoreError> {
        let item = self.get(keys::case_pk(id), keys::CASE_SK).await?;
        item.map(from_item::<Case>).transpose()
    }

    /// Ticket → case id → case: two consistent reads.
    pub async fn case_by_ticket(&self, ticket: &Ticket) -> Result<Option<Case>, StoreError> {
        match self.case_id_by_ticket(ticket).await? {
            Some(id) => self.case(&id).await,
            None => Ok(None),
        }
    }

    /// The id of the case a ticket names: one read of the ticket's pointer.
    pub async fn case_id_by_ticket(&self, ticket: &Ticket) -> Result<Option<CaseId>, StoreError> {
        let Some(item) = self.get(keys::ticket_pk(ticket), keys::TICKET_SK).await? else {
            return Ok(None);
        };
        let pointer: TicketItem = from_item(item)?;
        Ok(Some(pointer.case_id))
    }

    /// The case and its whole timeline, oldest first, from one partition.
    pub async fn case_with_timeline(
        &self,
        id: &CaseId,
    ) -> Result<Option<(Case, Vec<TimelineEvent>)>, StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", s(&keys::case_pk(id)))
            .consistent_read(true);
        let mut case = None;
        let mut events = Vec::new();
        for item in self.query_all(request).await? {
            match item.get(keys::SK).and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(keys::CASE_SK) => case = Some(from_item::<Case>(item)?),
                Some(sk) if sk.starts_with(keys::EVENT_SK_PREFIX) => {
                    events.push(from_item::<EventItem>(item)?.event)
                }
                _ => {}
            }
        }
        Ok(case.map(|c| (c, events)))
    }

    pub async fn reporter(&self, id: &ReporterId) -> Result<Option<Reporter>, StoreError> {
        let item = self.get(keys::reporter_pk(id), keys::REPORTER_SK).await?;
        item.map(|i| from_item::<ReporterItem>(i).map(|r| r.reporter))
            .transpose()
    }

    /// Whether a provider message was already handled, and the case it went to.
    pub async fn handled_inbound(&self, key: &InboundKey) -> Result<Option<Handled>, StoreError> {
        let item = self
            .get(keys::inbound_pk(key.provider, &key.message_id), keys::INBOUND_SK)
            .await?;
        item.map(|i| from_item::<InboundItem>(i).map(|r| Handled { case_id: r.case_id }))
            .transpose()
    }

    /// Both things an inbound message needs first, in one request: whether it
    /// was already handled, and the reporter's record.
    pub async fn inbound_and_reporter(
        &self,
        key: &InboundKey,
        reporter: &ReporterId,
    ) -> Result<(Option<Handled>, Option<Reporter>), StoreError> {
        let inbound_pk = keys::inbound_pk(key.provider, &key.message_id);
        let reporter_pk = keys::reporter_pk(reporter);
        let request = KeysAndAttributes::builder()
            .keys(key_of(&inbound_pk, keys::INBOUND_SK))
            .keys(key_of(&reporter_pk, keys::REPORTER_SK))
            .consistent_read(true)
            .build()
            .expect("keys are set");
        let mut pending = Some(std::collections::HashMap::from([(self.table.clone(), request)]));
        let (mut handled, mut found) = (None, None);
        // BatchGetItem may return some keys as unprocessed under load: ask again.
        while let Some(request_items) = pending.take().filter(|r| !r.is_empty()) {
            let out = self
                .client
                .batch_get_item()
                .set_request_items(Some(request_items))
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            let items = out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default();
            for item in items.into_iter().filter(|i| !is_expired(i, Utc::now())) {
                match item.get(keys::PK).and_then(|v| v.as_s().ok()) {
                    Some(pk) if *pk == inbound_pk => {
                        handled = Some(Handled {
                            case_id: from_item::<InboundItem>(item)?.case_id,
                        })
                    }
                    Some(pk) if *pk == reporter_pk => found = Some(from_item::<ReporterItem>(item)?.reporter),
                    _ => {}
                }
            }
            pending = out.unprocessed_keys;
        }
        Ok((handled, found))
    }

    /// A reporter's cases, newest first (for `STATUS`).
    pub async fn reporter_cases(&self, id: &ReporterId, limit: i32) -> Result<Vec<Case>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::BY_REPORTER.name)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::BY_REPORTER.pk)
            .expression_attribute_values(":pk", s(id.as_str()))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(from_item::<Case>)
            .collect()
    }

    /// The lifecycle events (opened, status changes, escalations) of one local
    /// day, in time order, with their case ids: what a digest reports.
    pub async fn day_events(&self, day: NaiveDate) -> Result<Vec<(CaseId, TimelineEvent)>, StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::BY_TIME.name)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::BY_TIME.pk)
            .expression_attribute_values(":pk", s(&keys::day_pk(day)));
        let mut out_events = Vec::new();
        for item in self.query_all(request).await? {
            let event: EventItem = from_item(item)?;
            out_events.push((event.case_id, event.event));
        }
        Ok(out_events)
    }

    /// Open cases, most overdue first; with `due_by`, only those due by then.
    pub async fn open_cases(
        &self,
        due_by: Option<DateTime<Utc>>,
        limit: usize,
        cursor: Option<&Cursor>,
    ) -> Result<Page<Case>, StoreError> {
        queue::open_cases(self, due_by, limit, cursor).await
    }

    pub async fn queue(&self, query: &QueueQuery) -> Result<Page<Case>, StoreError> {
        queue::queue(self, query).await
    }

    /// Every item a query returns, page after page.
    async fn query_all(
        &self,
        request: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = request
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(&pk))
            .key(keys::SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.filter(|item| !is_expired(item, Utc::now())))
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn key_of(pk: &str, sk: &str) -> Item {
    Item::from([(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))])
}

/// DynamoDB deletes expired items lazily (and the emulator never): an item
/// past its `expires_at` is treated as gone.
fn is_expired(item: &Item, now: DateTime<Utc>) -> bool {
    item.get(keys::EXPIRES_AT)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse::<i64>().ok())
        .is_some_and(|at| at <= now.timestamp())
}
