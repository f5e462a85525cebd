//! TransactWriteItems with typed conflicts: each conditional item names the
//! error its failed condition means, so a cancellation maps to one cause.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

use chrono::{DateTime, Utc};

use super::codec::{to_item, Item};
use super::error::StoreError;
use super::items::{
    AuditItem, CaseItem, EventItem, LocationItem, OutboundItem, PendingOutbound, ReporterItem,
};
use super::keys;
use crate::conversation::plan::AbsorbedRecord;
use crate::conversation::Reporter;
use crate::domain::audit::AuditEntry;
use crate::domain::case::{Case, CaseId};
use crate::domain::lifecycle::Status;
use crate::domain::reporter::ReporterId;
use crate::domain::sla::WorkingCalendar;
use crate::domain::timeline::TimelineEvent;

#[derive(Debug, Clone, Copy)]
pub(super) enum Conflict {
    CaseExists,
    TicketTaken,
    DuplicateMessage,
    Reporter,
    Version(u64),
    CaseClosed,
    UnitExists,
    UnitMissing,
    RwMissing,
    NumberRegistered,
    CursorMoved,
}

impl Conflict {
    fn error(self) -> StoreError {
        match self {
            Conflict::CaseExists => StoreError::CaseExists,
            Conflict::TicketTaken => StoreError::TicketTaken,
            Conflict::DuplicateMessage => StoreError::DuplicateMessage,
            Conflict::Reporter => StoreError::ReporterConflict,
            Conflict::Version(expected) => StoreError::VersionConflict { expected },
            Conflict::CaseClosed => StoreError::CaseClosed,
            Conflict::UnitExists => StoreError::UnitExists,
            Conflict::UnitMissing => StoreError::UnitMissing,
            Conflict::RwMissing => StoreError::RwMissing,
            Conflict::NumberRegistered => StoreError::NumberRegistered,
            Conflict::CursorMoved => StoreError::Claimed,
        }
    }
}

pub(super) struct Tx<'a> {
    table: &'a str,
    items: Vec<TransactWriteItem>,
    conflicts: Vec<Conflict>,
}

impl<'a> Tx<'a> {
    pub fn new(table: &'a str) -> Self {
        Self {
            table,
            items: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    /// Puts an item whatever is there.
    pub fn put(&mut self, item: Item) {
        let put = self.put_builder(item).build().expect("table and item are set");
        self.items.push(TransactWriteItem::builder().put(put).build());
        self.conflicts.push(Conflict::CaseExists);
    }

    /// Puts an item that must not exist yet.
    pub fn put_new(&mut self, item: Item, conflict: Conflict) {
        let put = self
            .put_builder(item)
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK);
        self.push(put, conflict);
    }

    /// Puts a case's new events; `calendar` places lifecycle events on their
    /// local day for digests. A place the citizen shared among them also
    /// becomes the case's last shared location (the last, as one
    /// transaction writes an item once).
    pub fn put_events(&mut self, case_id: &CaseId, events: &[TimelineEvent], calendar: &WorkingCalendar) {
        for event in events {
            self.put_new(
                to_item(&EventItem::new(case_id, event, calendar)),
                Conflict::CaseExists,
            );
        }
        if let Some(location) = events.iter().rev().find_map(|e| LocationItem::of(case_id, e)) {
            self.put(to_item(&location));
        }
    }

    /// Puts a changed case at its next version, conditional on the version
    /// it was read at, with the events that record the change.
    pub fn put_case_change(&mut self, case: &Case, events: &[TimelineEvent], calendar: &WorkingCalendar) {
        let expected = case.version;
        let mut next = case.clone();
        next.version = expected + 1;
        self.put_if_version(
            to_item(&CaseItem::from_case(&next)),
            expected,
            Conflict::Version(expected),
        );
        self.put_events(&case.id, events, calendar);
    }

    /// Puts the reporter's record at its next version: new (none may exist
    /// yet) or conditional on the version it was read at.
    /// Its copies go with it: one under each key it is known by (new ones
    /// where nothing is yet), and those read under keys no longer its own
    /// are deleted, all at the same version.
    pub fn put_reporter(
        &mut self,
        reporter: &Reporter,
        is_new: bool,
        copies_read: &[ReporterId],
        absorbed: Option<&AbsorbedRecord>,
    ) {
        let mut next = reporter.clone();
        next.version = reporter.version + 1;
        let copies = next.copies();
        let kept: Vec<&ReporterId> = std::iter::once(&next.id).chain(&copies).collect();
        for key in kept.iter().copied() {
            let item = to_item(&ReporterItem::under(key, &next));
            match absorbed.filter(|a| a.keys.contains(key)) {
                // The merged record's place, taken as it was read.
                Some(a) => self.put_if_version(item, a.version, Conflict::Reporter),
                None if is_new || (*key != next.id && !copies_read.contains(key)) => {
                    self.put_new(item, Conflict::Reporter)
                }
                None => self.put_if_version(item, reporter.version, Conflict::Reporter),
            }
        }
        let gone_copies = copies_read
            .iter()
            .filter(|k| !copies.contains(k))
            .map(|k| (k, reporter.version));
        let gone_absorbed = absorbed.into_iter().flat_map(|a| {
            a.keys
                .iter()
                .filter(|k| !kept.contains(k))
                .map(|k| (k, a.version))
        });
        for (gone, version) in gone_copies.chain(gone_absorbed) {
            self.delete_if_version(keys::reporter_pk(gone), keys::REPORTER_SK, version);
        }
    }

    /// Deletes the reporter's record and the copies read, all at the
    /// version read: a message of theirs written meanwhile is a conflict.
    pub fn delete_reporter(
        &mut self,
        reporter: &Reporter,
        copies_read: &[ReporterId],
        absorbed: Option<&AbsorbedRecord>,
    ) {
        // The merged record's keys are among the copies of the record that
        // absorbed it, but hold the merged record: deleted once, below.
        let merged = |key: &&ReporterId| absorbed.is_some_and(|a| a.keys.contains(key));
        for key in std::iter::once(&reporter.id)
            .chain(copies_read)
            .filter(|k| !merged(k))
        {
            self.delete_if_version(keys::reporter_pk(key), keys::REPORTER_SK, reporter.version);
        }
        // The same person's other record, merged by this very message.
        if let Some(a) = absorbed {
            for key in &a.keys {
                self.delete_if_version(keys::reporter_pk(key), keys::REPORTER_SK, a.version);
            }
        }
    }

    fn delete_if_version(&mut self, pk: String, sk: &str, version: u64) {
        let delete = Delete::builder()
            .table_name(self.table)
            .key(keys::PK, AttributeValue::S(pk))
            .key(keys::SK, AttributeValue::S(sk.to_owned()))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", AttributeValue::N(version.to_string()))
            .build()
            .expect("table, key and condition are set");
        self.items
            .push(TransactWriteItem::builder().delete(delete).build());
        self.conflicts.push(Conflict::Reporter);
    }

    /// Puts messages to citizens (none, one, or one to each reporter
    /// following a case), each pending in the outbox until its
    /// `next_attempt`.
    pub fn put_pending_message<'m>(
        &mut self,
        messages: impl IntoIterator<Item = (&'m PendingOutbound, DateTime<Utc>)>,
    ) {
        for (pending, next_attempt) in messages {
            self.put(to_item(&OutboundItem::pending(pending, next_attempt)));
        }
    }

    /// Records `number` as the last ticket number taken, in the transaction
    /// that puts its ticket pointer: the pointer's condition is what makes a
    /// number taken once (of two cases that read the same last number, one
    /// commits and the other fails with `TicketTaken` and reads again), so a
    /// number is taken only by the case that commits with it.
    pub fn advance_ticket_sequence(&mut self, number: u64) {
        let update = Update::builder()
            .table_name(self.table)
            .key(keys::PK, AttributeValue::S(keys::TICKET_SEQUENCE_PK.to_owned()))
            .key(keys::SK, AttributeValue::S(keys::SEQUENCE_SK.to_owned()))
            .update_expression("SET #value = :number")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":number", AttributeValue::N(number.to_string()))
            .build()
            .expect("table, key and expression are set");
        self.items
            .push(TransactWriteItem::builder().update(update).build());
        self.conflicts.push(Conflict::CaseExists);
    }

    /// Puts an official's audit entry, so an act is recorded in the same
    /// write as the act itself.
    pub fn put_audit(&mut self, entry: Option<&AuditEntry>) {
        if let Some(entry) = entry {
            self.put(to_item(&AuditItem::new(entry)));
        }
    }

    /// Requires that the case item is still open (not closed, rejected or
    /// withdrawn), without writing it.
    pub fn require_open_case(&mut self, pk: String, sk: &str) {
        let check = ConditionCheck::builder()
            .table_name(self.table)
            .key(keys::PK, AttributeValue::S(pk))
            .key(keys::SK, AttributeValue::S(sk.to_owned()))
            .condition_expression("NOT (#status IN (:closed, :rejected, :withdrawn))")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":closed", AttributeValue::S(Status::Closed.as_str().into()))
            .expression_attribute_values(":rejected", AttributeValue::S(Status::Rejected.as_str().into()))
            .expression_attribute_values(":withdrawn", AttributeValue::S(Status::Withdrawn.as_str().into()))
            .build()
            .expect("table, key and condition are set");
        self.items
            .push(TransactWriteItem::builder().condition_check(check).build());
        self.conflicts.push(Conflict::CaseClosed);
    }

    /// Replaces an item whose `attribute` still holds `value`.
    pub fn put_if_equal(&mut self, item: Item, attribute: &str, value: AttributeValue, conflict: Conflict) {
        let put = self
            .put_builder(item)
            .condition_expression("#attr = :seen")
            .expression_attribute_names("#attr", attribute)
            .expression_attribute_values(":seen", value);
        self.push(put, conflict);
    }

    /// Replaces an item that must still be at `version`.
    pub fn put_if_version(&mut self, item: Item, version: u64, conflict: Conflict) {
        let put = self
            .put_builder(item)
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", AttributeValue::N(version.to_string()));
        self.push(put, conflict);
    }

    /// An update or a delete built by the caller, and what its failed
    /// condition means.
    pub fn update(&mut self, update: Update, conflict: Conflict) {
        self.items
            .push(TransactWriteItem::builder().update(update).build());
        self.conflicts.push(conflict);
    }

    pub fn delete(&mut self, delete: Delete, conflict: Conflict) {
        self.items
            .push(TransactWriteItem::builder().delete(delete).build());
        self.conflicts.push(conflict);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    fn put_builder(&self, item: Item) -> aws_sdk_dynamodb::types::builders::PutBuilder {
        Put::builder().table_name(self.table).set_item(Some(item))
    }

    fn push(&mut self, put: aws_sdk_dynamodb::types::builders::PutBuilder, conflict: Conflict) {
        let put = put.build().expect("table, item and condition are set");
        self.items.push(TransactWriteItem::builder().put(put).build());
        self.conflicts.push(conflict);
    }

    async fn committed_earlier(&self, client: &Client) -> Result<bool, StoreError> {
        // A plain Vec: an iterator adapter held across the awaits makes the
        // future not `Send`.
        let mut puts: Vec<&Item> = Vec::new();
        for item in &self.items {
            if let Some(put) = item.put() {
                puts.push(put.item());
            }
        }
        if puts.is_empty() {
            return Ok(false);
        }
        for item in puts {
            if !holds_exactly(client, self.table, item).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub async fn commit(self, client: &Client) -> Result<(), StoreError> {
        let result = client
            .transact_write_items()
            .set_transact_items(Some(self.items.clone()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(ctx)) => match ctx.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                    let reasons = cancelled.cancellation_reasons();
                    let failed = reasons
                        .iter()
                        .position(|r| r.code() == Some("ConditionalCheckFailed"));
                    if let Some(conflict) = failed.and_then(|i| self.conflicts.get(i)) {
                        // The SDK retries a transaction whose answer was lost;
                        // if the first attempt committed, the retry fails its
                        // own conditions. The write is ours if every item it
                        // put is there exactly as this transaction wrote it
                        // (its events' ids are its own: another writer's
                        // identical case item does not pass).
                        if self.committed_earlier(client).await? {
                            Ok(())
                        } else {
                            Err(conflict.error())
                        }
                    } else if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                        // Another transaction held one of the items: nothing was
                        // written, and trying again is expected to succeed.
                        Err(StoreError::Contended)
                    } else {
                        Err(StoreError::from_sdk(SdkError::ServiceError(ctx)))
                    }
                }
                _ => Err(StoreError::from_sdk(SdkError::ServiceError(ctx))),
            },
            Err(other) => Err(StoreError::from_sdk(other)),
        }
    }
}

/// Whether the table holds exactly `item` (read consistently): after a
/// conditional write failed, it tells a write of ours whose answer was lost
/// (and which the SDK then retried) from someone else's.
pub(super) async fn holds_exactly(client: &Client, table: &str, item: &Item) -> Result<bool, StoreError> {
    let (Some(pk), Some(sk)) = (item.get(keys::PK), item.get(keys::SK)) else {
        return Ok(false);
    };
    let out = client
        .get_item()
        .table_name(table)
        .key(keys::PK, pk.clone())
        .key(keys::SK, sk.clone())
        .consistent_read(true)
        .send()
        .await
        .map_err(StoreError::from_sdk)?;
    Ok(out.item() == Some(item))
}
