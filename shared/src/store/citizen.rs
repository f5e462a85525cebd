//! A citizen's side of the table: their record, whether a message of theirs
//! was already handled, and the one transaction that records a message.

use aws_sdk_dynamodb::types::KeysAndAttributes;
use chrono::{DateTime, Duration, Utc};

use super::codec::{from_item, is_expired, key_of, s, to_item};
use super::items::{
    CaseItem, InboundItem, InboundKey, PendingOutbound, ReporterItem, SavedReply, SequenceItem, TicketItem,
};
use super::tx::{Conflict, Tx};
use super::{keys, officials, Store, StoreError};
use crate::conversation::plan::{AbsorbedRecord, CaseWrite, CitizenWrite, Erasure};
use crate::conversation::Reporter;
use crate::domain::case::{Case, CaseId};
use crate::domain::official::Registration;
use crate::domain::reporter::ReporterId;
use crate::whatsapp::INBOUND_RETENTION_DAYS;

/// Unlinked cases per transaction of an erasure, each with its pending file
/// deletion: with the reporter's record, its copies (3 at most) and the
/// message's record, within DynamoDB's 100 items.
const ERASED_CASES_PER_TX: usize = 45;

/// A provider message already handled: the same message delivered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    pub case_id: Option<CaseId>,
    pub reply: Option<SavedReply>,
}

/// What a citizen's message reads first, in one request.
#[derive(Debug, Clone, Default)]
pub struct FirstRead {
    /// Whether the message was handled already.
    pub handled: Option<Handled>,
    /// The records kept under the sender's keys.
    pub reporters: Vec<Reporter>,
    /// The last ticket number taken (0 before the first): a new case takes
    /// the next, in its own transaction.
    pub last_ticket: u64,
    /// The official registered under one of the sender's keys, if any: an
    /// official's message costs the citizens' path no request.
    pub official: Option<Registration>,
}

impl Handled {
    /// The reply saved with the message whose first attempt's lease has
    /// ended by `now`: that attempt is over (the lease outlasts the
    /// webhook's timeout), so the reply may be sent now if still pending.
    pub fn reply_due(&self, now: DateTime<Utc>) -> Option<&SavedReply> {
        self.reply.as_ref().filter(|r| r.lease_until <= now)
    }
}

impl Store {
    /// Records a citizen's message in one transaction, all of it or nothing:
    /// its de-duplication record (a message recorded already fails with
    /// `DuplicateMessage`), the reporter's record at the version read, what
    /// it writes on a case (a new case with its ticket, recorded as the last
    /// number taken: `TicketTaken` if another case took it first, and
    /// nothing is written; events on a case
    /// that must still be open, or a changed case at the version read), and
    /// the reply, pending, due for the sweep at the time given. On success
    /// the reporter's version, and a changed case's, are the new ones.
    pub async fn record_citizen_message(
        &self,
        inbound: &InboundKey,
        write: &mut CitizenWrite,
        reply: Option<(&PendingOutbound, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        if let Some(erasure) = &write.erasure {
            self.unlink_erased(&mut tx, erasure).await?;
        }
        match &write.case {
            CaseWrite::None => {}
            CaseWrite::Open { case, events } => {
                tx.put_new(to_item(&CaseItem::from_case(case)), Conflict::CaseExists);
                tx.put_new(
                    to_item(&TicketItem::new(&case.ticket, &case.id)),
                    Conflict::TicketTaken,
                );
                tx.advance_ticket_sequence(case.ticket.number());
                tx.put_events(&case.id, events, &self.calendar);
            }
            CaseWrite::Append { case_id, events, .. } => {
                // The reporter's pointer may be stale: an official or the
                // sweep may have closed the case since.
                tx.require_open_case(keys::case_pk(case_id), keys::CASE_SK);
                tx.put_events(case_id, events, &self.calendar);
            }
            CaseWrite::Change { case, events } => tx.put_case_change(case, events, &self.calendar),
        }
        // The retention from this arrival at least (`last_inbound_at` is now
        // or later): every message young enough to be handled
        // (`Inbound::is_too_old`) is recognised when it comes again.
        let expires = write.reporter.last_inbound_at + Duration::days(INBOUND_RETENTION_DAYS);
        tx.put_new(
            to_item(&InboundItem::new(
                inbound,
                write.case.case_id(),
                reply.map(|(pending, lease_until)| SavedReply {
                    case_id: pending.case_id.clone(),
                    event_id: pending.event.id.clone(),
                    lease_until,
                }),
                expires,
            )),
            Conflict::DuplicateMessage,
        );
        match (&write.erasure, write.reporter_is_new) {
            (None, is_new) => tx.put_reporter(
                &write.reporter,
                is_new,
                &write.copies_read,
                write.absorbed.as_ref(),
            ),
            (Some(_), false) => {
                tx.delete_reporter(&write.reporter, &write.copies_read, write.absorbed.as_ref())
            }
            // Nothing was kept about them: nothing to delete.
            (Some(_), true) => {}
        }
        tx.put_pending_message(reply);
        tx.commit(&self.client).await?;
        write.reporter.version += 1;
        if let CaseWrite::Change { case, .. } = &mut write.case {
            case.version += 1;
        }
        Ok(())
    }

    /// Erases a reporter's data without a message of theirs (a request made
    /// by other means, carried out by an administrator): exactly what their
    /// confirmed `HAPUS DATA` writes, less the message's own record. Their
    /// record and its copies are deleted at the version read (with the same
    /// person's other record, `absorbed`, merged into it), and the cases of
    /// `erasure` unlinked, each with its pending file deletion. A message
    /// of theirs written meanwhile is a conflict: read again.
    pub async fn erase_reporter(
        &self,
        reporter: &Reporter,
        absorbed: Option<&AbsorbedRecord>,
        erasure: &Erasure,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        self.unlink_erased(&mut tx, erasure).await?;
        tx.delete_reporter(reporter, &reporter.copies(), absorbed);
        tx.commit(&self.client).await
    }

    /// Puts the unlinked cases of an erasure in `tx`, each with the record
    /// that its files are to be deleted ([`super::erased_files`]). Cases
    /// beyond what one transaction holds are unlinked first: a retry after
    /// a failure finds only those still linked.
    async fn unlink_erased(&self, tx: &mut Tx<'_>, erasure: &Erasure) -> Result<(), StoreError> {
        let now = Utc::now();
        let unlink = |tx: &mut Tx<'_>, case: &Case| {
            tx.put_case_change(case, &[], &self.calendar);
            if !case.keep_files {
                tx.put_files_to_delete(&case.ticket, now);
            }
        };
        let mut chunks: Vec<&[Case]> = erasure.cases.chunks(ERASED_CASES_PER_TX).collect();
        let last = chunks.pop().unwrap_or_default();
        for chunk in chunks {
            let mut early = Tx::new(&self.table);
            for case in chunk {
                unlink(&mut early, case);
            }
            early.commit(&self.client).await?;
        }
        for case in last {
            unlink(tx, case);
        }
        Ok(())
    }

    /// Records that a reporter's ids changed (Meta's system message): the
    /// record with its new ids and contact, its copies moved to the new
    /// keys (replacing the record the new ids had started, if any, merged
    /// into it), and the message's de-duplication record, in one
    /// transaction conditional on the versions read.
    pub async fn record_identity_change(
        &self,
        inbound: &InboundKey,
        reporter: &mut Reporter,
        copies_read: &[ReporterId],
        absorbed: Option<&AbsorbedRecord>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        let expires = Utc::now() + Duration::days(INBOUND_RETENTION_DAYS);
        tx.put_new(
            to_item(&InboundItem::new(inbound, None, None, expires)),
            Conflict::DuplicateMessage,
        );
        tx.put_reporter(reporter, false, copies_read, absorbed);
        tx.commit(&self.client).await?;
        reporter.version += 1;
        Ok(())
    }

    /// Saves the reporter's record alone (e.g. the question we now wait
    /// for), with its copies, conditional on the version read.
    pub async fn save_reporter(&self, reporter: &mut Reporter) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        tx.put_reporter(reporter, false, &reporter.copies(), None);
        tx.commit(&self.client).await?;
        reporter.version += 1;
        Ok(())
    }

    pub async fn reporter(&self, id: &ReporterId) -> Result<Option<Reporter>, StoreError> {
        let item = self.get(keys::reporter_pk(id), keys::REPORTER_SK).await?;
        item.map(|i| from_item::<ReporterItem>(i).map(|r| r.reporter))
            .transpose()
    }

    /// Everything an inbound message needs first, in one request: whether it
    /// was already handled, the records kept under the sender's keys (their
    /// record, or copies of it, or others' for [`resolve`] to tell), and the
    /// ticket sequence, so that a new case costs no request of its own for
    /// its number.
    ///
    /// [`resolve`]: crate::conversation::resolve
    pub async fn inbound_and_reporters(
        &self,
        key: &InboundKey,
        reporter_keys: &[ReporterId],
    ) -> Result<FirstRead, StoreError> {
        let inbound_pk = keys::inbound_pk(key.provider, &key.message_id);
        let mut request = KeysAndAttributes::builder()
            .keys(key_of(&inbound_pk, keys::INBOUND_SK))
            .keys(key_of(keys::TICKET_SEQUENCE_PK, keys::SEQUENCE_SK))
            .consistent_read(true);
        let mut reporter_pks: Vec<String> = Vec::new();
        let mut official_pks: Vec<String> = Vec::new();
        for key in reporter_keys {
            let pk = keys::reporter_pk(key);
            if !reporter_pks.contains(&pk) {
                request = request.keys(key_of(&pk, keys::REPORTER_SK));
                reporter_pks.push(pk);
                let pk = officials::lookup_pk(key);
                request = request.keys(key_of(&pk, keys::OFFICIAL_SK));
                official_pks.push(pk);
            }
        }
        let request = request.build().expect("keys are set");
        let mut pending = Some(std::collections::HashMap::from([(self.table.clone(), request)]));
        let mut first = FirstRead::default();
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
            for item in items {
                match item.get(keys::PK).and_then(|v| v.as_s().ok()) {
                    // An inbound record past its time counts as gone. A
                    // reporter's record past its time is read all the same:
                    // the plan never opens its contact (`Reporter::contact_at`)
                    // and writes over it at the version read.
                    Some(pk) if *pk == inbound_pk && is_expired(&item, Utc::now()) => {}
                    Some(pk) if *pk == inbound_pk => {
                        let record = from_item::<InboundItem>(item)?;
                        first.handled = Some(Handled {
                            case_id: record.case_id,
                            reply: record.reply,
                        })
                    }
                    Some(pk) if pk == keys::TICKET_SEQUENCE_PK => {
                        first.last_ticket = from_item::<SequenceItem>(item)?.value
                    }
                    Some(pk) if reporter_pks.contains(pk) => {
                        first.reporters.push(from_item::<ReporterItem>(item)?.reporter)
                    }
                    // Copies of one registration: the same record, read once.
                    Some(pk) if official_pks.contains(pk) && first.official.is_none() => {
                        first.official = Some(officials::registration(item)?)
                    }
                    _ => {}
                }
            }
            pending = out.unprocessed_keys;
        }
        Ok(first)
    }

    /// Every case still linked to a reporter, newest first, all pages.
    pub async fn all_reporter_cases(&self, id: &ReporterId) -> Result<Vec<Case>, StoreError> {
        let mut cases = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(keys::BY_REPORTER.name)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", keys::BY_REPORTER.pk)
                .expression_attribute_values(":pk", s(id.as_str()))
                .scan_index_forward(false)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            for item in out.items.unwrap_or_default() {
                cases.push(from_item::<Case>(item)?);
            }
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(cases),
            }
        }
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
}
