//! DynamoDB storage, in layers: the key layout (`keys`: nothing else formats
//! `PK`/`SK` values), the attribute encoding (`codec`), the item shapes
//! (`items`), transactions with typed conflicts (`tx`), and the operations,
//! one method per access pattern: here (cases), `citizen` (a citizen's
//! message), `outbound`, `outbox`, `media`, `queue`, `digests`, `erased_files`, `units` (a kelurahan's RWs and RTs), `officials`,
//! `notices` (officials' WhatsApp notices, the new cases' cursor), `locations` (the places citizens shared), `audit`
//! and `retention` (the reporter's record with a case's close or reopening).

mod audit;
mod citizen;
pub mod codec;
mod digests;
pub mod erased_files;
mod error;
pub mod items;
pub mod keys;
mod locations;
pub mod media;
mod notices;
mod officials;
mod outbound;
mod outbox;
mod queue;
mod retention;
pub mod schema;
mod suggestions;
mod tx;
mod units;

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, NaiveDate, Utc};

pub use crate::conversation::plan::{CaseWrite, CitizenWrite};
pub use crate::conversation::Reporter;
use crate::domain::audit::AuditEntry;
use crate::domain::case::{Case, CaseId};
use crate::domain::privacy::Retention;
use crate::domain::sla::WorkingCalendar;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{EventId, TimelineEvent};
pub use audit::{AuditCursor, AuditPage};
pub use citizen::{FirstRead, Handled};
use codec::{from_item, is_expired, s, Item};
pub use digests::{DigestRecipient, SentDigests};
pub use error::StoreError;
use items::{EventItem, TicketItem};
pub use items::{InboundKey, PendingOutbound, SavedReply};
pub use notices::{NewCasesCursor, NoticeRef, PendingNotice};
pub use outbox::{AttemptEnd, OutboxEntry};
pub use queue::{Cursor, Page, QueueQuery, QueueScope};
pub use suggestions::SuggestedDuplicate;
use tx::Tx;
pub use units::{HeadContact, ImportSummary, StoredUnit, UnitHead};

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    calendar: WorkingCalendar,
    contact_retention: Retention,
}

impl Store {
    /// `calendar` places lifecycle events on their local day for digests.
    pub fn new(client: Client, table: impl Into<String>, calendar: WorkingCalendar) -> Self {
        Self {
            client,
            table: table.into(),
            calendar,
            contact_retention: Retention::default(),
        }
    }

    /// How long a reporter's contact is kept after their last case closed,
    /// for the closes and reopenings this store saves (default a year).
    pub fn with_contact_retention(mut self, retention: Retention) -> Self {
        self.contact_retention = retention;
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Saves a changed case, conditional on the version it was read at, with
    /// the events that record the change and, when given, the message
    /// telling the citizen, pending in the same transaction and due for the
    /// sweep at the time given: the change is never saved without it. A
    /// change that closes the case or opens it again writes the reporter's
    /// record too ([`Store::save_case_audited`]). On success `case.version`
    /// is the new version; on `VersionConflict` nothing was written.
    pub async fn save_case(
        &self,
        case: &mut Case,
        events: &[TimelineEvent],
        message: Option<(&PendingOutbound, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        self.save_case_audited(case, events, message, None, None).await
    }

    /// [`Store::save_case`], with the audit entry of the official who made
    /// the change in the same transaction (no extra request), and any
    /// number of messages (the reporters of the cases merged into it are
    /// told too). When the change closes the case or opens it again, the
    /// reporter's record goes in the same transaction, at the version read,
    /// with its contact's retention recomputed: `reporter` is the record as
    /// the caller read it to tell the citizen, else it is read here (one
    /// GetItem). A message of theirs written meanwhile makes it read the
    /// record again and retry (a few times, then `ReporterConflict`).
    pub async fn save_case_audited<'m>(
        &self,
        case: &mut Case,
        events: &[TimelineEvent],
        messages: impl IntoIterator<Item = (&'m PendingOutbound, DateTime<Utc>)>,
        audit: Option<&AuditEntry>,
        reporter: Option<&Reporter>,
    ) -> Result<(), StoreError> {
        let messages: Vec<_> = messages.into_iter().collect();
        let changed_at = retention::openness_changed_at(events);
        let mut read = reporter.cloned();
        let mut attempt = 1;
        loop {
            let mut tx = Tx::new(&self.table);
            tx.put_case_change(case, events, &self.calendar);
            tx.put_pending_message(messages.iter().copied());
            tx.put_audit(audit);
            let record = match changed_at {
                Some(at) => self.reporter_after_change(case, at, read.take()).await?,
                None => None,
            };
            if let Some(record) = &record {
                tx.put_reporter(record, false, &record.copies(), None);
            }
            match tx.commit(&self.client).await {
                Err(StoreError::ReporterConflict) if attempt < retention::REPORTER_ATTEMPTS => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
                Ok(()) => {
                    case.version += 1;
                    return Ok(());
                }
            }
        }
    }

    /// A merge or its undo: both cases, each conditional on the version it
    /// was read at, with their events, the official's audit entry on each,
    /// and the messages telling the reporter, in one transaction. On
    /// success both versions are the new ones; on `VersionConflict` nothing
    /// was written.
    pub async fn save_merge<'m>(
        &self,
        cases: [(&mut Case, &[TimelineEvent], &AuditEntry); 2],
        messages: impl IntoIterator<Item = (&'m PendingOutbound, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        for (case, events, audit) in &cases {
            tx.put_case_change(case, events, &self.calendar);
            tx.put_audit(Some(*audit));
        }
        tx.put_pending_message(messages);
        tx.commit(&self.client).await?;
        for (case, _, _) in cases {
            case.version += 1;
        }
        Ok(())
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

    /// Up to `limit` events of a case, oldest first, after the event `after`
    /// (from the first without): a page of its timeline. Reads past
    /// DynamoDB's 1 MB pages until the page is full.
    pub async fn timeline_page(
        &self,
        id: &CaseId,
        after: Option<&EventId>,
        limit: usize,
    ) -> Result<Vec<TimelineEvent>, StoreError> {
        let (low, high) = keys::event_sk_range(after);
        let (_, events) = self.case_partition_page(id, &low, &high, after, limit).await?;
        Ok(events)
    }

    /// A case and the first `limit` events of its timeline, in one query:
    /// the case's item sorts just before its events (`CASE` < `EVENT#`).
    pub async fn case_with_first_page(
        &self,
        id: &CaseId,
        limit: usize,
    ) -> Result<Option<(Case, Vec<TimelineEvent>)>, StoreError> {
        let (_, high) = keys::event_sk_range(None);
        let (case, events) = self
            .case_partition_page(id, keys::CASE_SK, &high, None, limit)
            .await?;
        Ok(case.map(|case| (case, events)))
    }

    /// The case item and up to `limit` events in the `SK` range `low..=high`
    /// of a case's partition, leaving out the event `after` (the range's
    /// first item on later pages).
    async fn case_partition_page(
        &self,
        id: &CaseId,
        low: &str,
        high: &str,
        after: Option<&EventId>,
        limit: usize,
    ) -> Result<(Option<Case>, Vec<TimelineEvent>), StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(&keys::case_pk(id)))
            .expression_attribute_values(":low", s(low))
            .expression_attribute_values(":high", s(high))
            .consistent_read(true);
        let mut case = None;
        let mut events = Vec::new();
        let mut start = None;
        loop {
            // One more than wanted for the item that is not an event (`after`
            // itself, or the case).
            let want = (limit - events.len() + 1).max(1);
            let out = request
                .clone()
                .limit(i32::try_from(want).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            for item in out.items.unwrap_or_default() {
                if item.get(keys::SK).and_then(|v| v.as_s().ok()).map(String::as_str) == Some(keys::CASE_SK) {
                    case = Some(from_item::<Case>(item)?);
                    continue;
                }
                let event = from_item::<EventItem>(item)?.event;
                if Some(&event.id) != after {
                    events.push(event);
                }
            }
            start = out.last_evaluated_key;
            if events.len() >= limit || start.is_none() {
                events.truncate(limit);
                return Ok((case, events));
            }
        }
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

    /// Writes `item` whatever was there: one PutItem, no condition.
    async fn put(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
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
