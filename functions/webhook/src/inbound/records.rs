//! The use case's one port to storage: the reads and the one write a
//! citizen's message needs, named for what they are to it. The DynamoDB
//! store implements it in production; the unit tests hold the records in
//! memory (`memory.rs`).

use std::future::Future;

use aduan_shared::conversation::plan::{AbsorbedRecord, CitizenWrite};
use aduan_shared::conversation::Reporter;
use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::domain::reporter::ReporterId;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::store::{FirstRead, InboundKey, PendingOutbound, Store, StoreError};
use chrono::{DateTime, Utc};

/// A reply saved as pending in the same write as the message, with the time
/// the sweep may take it.
pub type PendingReply<'a> = Option<(&'a PendingOutbound, DateTime<Utc>)>;

pub trait CitizenRecords {
    /// Whether the message was handled already, the records kept under the
    /// sender's keys, and the last ticket number taken.
    fn inbound_and_reporters(
        &self,
        key: &InboundKey,
        keys: &[ReporterId],
    ) -> impl Future<Output = Result<FirstRead, StoreError>> + Send;

    fn case(&self, id: &CaseId) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send;

    fn case_by_ticket(
        &self,
        ticket: &Ticket,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send;

    /// The reporter's latest cases, newest first.
    fn reporter_cases(
        &self,
        reporter: &ReporterId,
        limit: i32,
    ) -> impl Future<Output = Result<Vec<Case>, StoreError>> + Send;

    /// Every case still linked to the reporter, newest first.
    fn all_reporter_cases(
        &self,
        reporter: &ReporterId,
    ) -> impl Future<Output = Result<Vec<Case>, StoreError>> + Send;

    /// Everything the message writes, in one transaction, conditional on
    /// what was read (see [`Store::record_citizen_message`]).
    fn record_citizen_message(
        &self,
        inbound: &InboundKey,
        write: &mut CitizenWrite,
        reply: PendingReply<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A reporter's new ids, with the change's de-duplication record (see
    /// [`Store::record_identity_change`]).
    fn record_identity_change(
        &self,
        inbound: &InboundKey,
        reporter: &mut Reporter,
        copies_read: &[ReporterId],
        absorbed: Option<&AbsorbedRecord>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl CitizenRecords for Store {
    fn inbound_and_reporters(
        &self,
        key: &InboundKey,
        keys: &[ReporterId],
    ) -> impl Future<Output = Result<FirstRead, StoreError>> + Send {
        Store::inbound_and_reporters(self, key, keys)
    }

    fn case(&self, id: &CaseId) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        Store::case(self, id)
    }

    fn case_by_ticket(
        &self,
        ticket: &Ticket,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        Store::case_by_ticket(self, ticket)
    }

    fn reporter_cases(
        &self,
        reporter: &ReporterId,
        limit: i32,
    ) -> impl Future<Output = Result<Vec<Case>, StoreError>> + Send {
        Store::reporter_cases(self, reporter, limit)
    }

    fn all_reporter_cases(
        &self,
        reporter: &ReporterId,
    ) -> impl Future<Output = Result<Vec<Case>, StoreError>> + Send {
        Store::all_reporter_cases(self, reporter)
    }

    fn record_citizen_message(
        &self,
        inbound: &InboundKey,
        write: &mut CitizenWrite,
        reply: PendingReply<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        Store::record_citizen_message(self, inbound, write, reply)
    }

    fn record_identity_change(
        &self,
        inbound: &InboundKey,
        reporter: &mut Reporter,
        copies_read: &[ReporterId],
        absorbed: Option<&AbsorbedRecord>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        Store::record_identity_change(self, inbound, reporter, copies_read, absorbed)
    }
}
