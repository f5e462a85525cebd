//! The citizen's records held in memory, with the conditions the DynamoDB
//! write checks (a message recorded once, the reporter's and the case's
//! versions, a ticket taken once, an appended-to case still open), so the
//! use case's orchestration is tested without the emulator. The emulator
//! tests (`tests/webhook.rs`) check the real store keeps the same rules.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use aduan_shared::conversation::plan::{AbsorbedRecord, CaseWrite, CitizenWrite};
use aduan_shared::conversation::Reporter;
use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::domain::reporter::ReporterId;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::TimelineEvent;
use aduan_shared::store::{FirstRead, Handled, InboundKey, PendingOutbound, SavedReply, StoreError};

use super::records::{CitizenRecords, PendingReply};

/// What the table would hold.
#[derive(Debug, Default, Clone)]
pub struct Tables {
    pub cases: HashMap<CaseId, Case>,
    pub tickets: HashMap<Ticket, CaseId>,
    pub events: HashMap<CaseId, Vec<TimelineEvent>>,
    /// Reporters' records by the key they are kept under: their id, or one
    /// of the keys they are copied under.
    pub reporters: HashMap<ReporterId, Reporter>,
    /// Handled message ids, with the case each went to and the reply
    /// saved with it.
    pub inbound: HashMap<String, (Option<CaseId>, Option<SavedReply>)>,
    pub pending: Vec<PendingOutbound>,
    /// The last ticket number taken.
    pub ticket_counter: u64,
    /// Transactions committed.
    pub writes: usize,
    /// Reads of one case, by id or by ticket.
    pub case_reads: usize,
}

type Interference = Box<dyn FnOnce(&mut Tables) + Send>;

#[derive(Default)]
pub struct MemoryRecords {
    tables: Mutex<Tables>,
    /// Run, one per write, just before a write's conditions are checked:
    /// another writer that got there first.
    interference: Mutex<Vec<Interference>>,
}

fn inbound_id(key: &InboundKey) -> String {
    format!("{}#{}", key.provider.as_str(), key.message_id)
}

impl MemoryRecords {
    pub fn tables(&self) -> Tables {
        self.tables.lock().unwrap().clone()
    }

    /// Changes the records now.
    pub fn change(&self, change: impl FnOnce(&mut Tables)) {
        change(&mut self.tables.lock().unwrap());
    }

    /// Changes the records, as another writer would, just before the next
    /// write not yet interfered with.
    pub fn interfere(&self, change: impl FnOnce(&mut Tables) + Send + 'static) {
        self.interference.lock().unwrap().push(Box::new(change));
    }

    fn write(
        &self,
        inbound: &InboundKey,
        write: &mut CitizenWrite,
        reply: PendingReply<'_>,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables.lock().unwrap();
        let interference = {
            let mut queued = self.interference.lock().unwrap();
            (!queued.is_empty()).then(|| queued.remove(0))
        };
        if let Some(change) = interference {
            change(&mut tables);
        }
        // The conditions, in the order the transaction puts its items.
        let erased = write.erasure.as_ref().map_or(&[][..], |e| &e.cases[..]);
        for case in erased {
            if tables.cases.get(&case.id).map(|c| c.version) != Some(case.version) {
                return Err(StoreError::VersionConflict {
                    expected: case.version,
                });
            }
        }
        match &write.case {
            CaseWrite::None => {}
            CaseWrite::Open { case, .. } => {
                if tables.cases.contains_key(&case.id) {
                    return Err(StoreError::CaseExists);
                }
                if tables.tickets.contains_key(&case.ticket) {
                    return Err(StoreError::TicketTaken);
                }
            }
            CaseWrite::Append { case_id, .. } => {
                // As DynamoDB's condition on a missing item: it passes.
                if tables.cases.get(case_id).is_some_and(|c| !c.status.is_open()) {
                    return Err(StoreError::CaseClosed);
                }
            }
            CaseWrite::Change { case, .. } => {
                if tables.cases.get(&case.id).map(|c| c.version) != Some(case.version) {
                    return Err(StoreError::VersionConflict {
                        expected: case.version,
                    });
                }
            }
        }
        if tables.inbound.contains_key(&inbound_id(inbound)) {
            return Err(StoreError::DuplicateMessage);
        }
        match (&write.erasure, write.reporter_is_new) {
            (None, is_new) => check_reporter(
                &tables,
                &write.reporter,
                is_new,
                &write.copies_read,
                write.absorbed.as_ref(),
            )?,
            (Some(_), false) => {
                let at = |key: &ReporterId| tables.reporters.get(key).map(|r| r.version);
                let keys = std::iter::once(&write.reporter.id).chain(&write.copies_read);
                let merged = write
                    .absorbed
                    .iter()
                    .flat_map(|a| a.keys.iter().map(move |k| (k, a.version)));
                if !keys.into_iter().all(|k| at(k) == Some(write.reporter.version))
                    || !merged.into_iter().all(|(k, version)| at(k) == Some(version))
                {
                    return Err(StoreError::ReporterConflict);
                }
            }
            (Some(_), true) => {}
        }
        // Committed: all of it.
        write.reporter.version += 1;
        if let CaseWrite::Change { case, .. } = &mut write.case {
            case.version += 1;
        }
        let case_id = write.case.case_id().cloned();
        match &write.case {
            CaseWrite::None => {}
            CaseWrite::Open { case, .. } => {
                tables.ticket_counter = case.ticket.number();
                tables.tickets.insert(case.ticket.clone(), case.id.clone());
                tables.cases.insert(case.id.clone(), case.clone());
            }
            CaseWrite::Append { .. } => {}
            CaseWrite::Change { case, .. } => {
                tables.cases.insert(case.id.clone(), case.clone());
            }
        }
        if let Some(id) = &case_id {
            let events = write.case.events().to_vec();
            tables.events.entry(id.clone()).or_default().extend(events);
        }
        let saved = reply.map(|(pending, lease_until)| SavedReply {
            case_id: pending.case_id.clone(),
            event_id: pending.event.id.clone(),
            lease_until,
        });
        tables.inbound.insert(inbound_id(inbound), (case_id, saved));
        for case in erased {
            let mut next = case.clone();
            next.version += 1;
            tables.cases.insert(next.id.clone(), next);
        }
        match &write.erasure {
            None => put_reporter(
                &mut tables,
                &write.reporter,
                &write.copies_read,
                write.absorbed.as_ref(),
            ),
            Some(_) => {
                let merged = write.absorbed.iter().flat_map(|a| a.keys.iter());
                for key in std::iter::once(&write.reporter.id)
                    .chain(&write.copies_read)
                    .chain(merged)
                {
                    tables.reporters.remove(key);
                }
            }
        }
        if let Some((pending, _)) = reply {
            tables.pending.push(pending.clone());
        }
        tables.writes += 1;
        Ok(())
    }
}

/// The conditions of the store's `put_reporter`: the record and its
/// copies at the version read, new copies where nothing is kept yet, and a
/// merged record's keys at its version.
fn check_reporter(
    tables: &Tables,
    reporter: &Reporter,
    is_new: bool,
    copies_read: &[ReporterId],
    absorbed: Option<&AbsorbedRecord>,
) -> Result<(), StoreError> {
    let at = |key: &ReporterId| tables.reporters.get(key).map(|r| r.version);
    let copies = reporter.copies();
    let kept = std::iter::once(&reporter.id).chain(&copies).all(|key| {
        if let Some(a) = absorbed.filter(|a| a.keys.contains(key)) {
            return at(key) == Some(a.version);
        }
        let new = is_new || (*key != reporter.id && !copies_read.contains(key));
        if new {
            at(key).is_none()
        } else {
            at(key) == Some(reporter.version)
        }
    });
    let gone = copies_read
        .iter()
        .filter(|k| !copies.contains(k))
        .all(|key| at(key) == Some(reporter.version));
    let absorbed_gone = absorbed.is_none_or(|a| a.keys.iter().all(|key| at(key) == Some(a.version)));
    if kept && gone && absorbed_gone {
        Ok(())
    } else {
        Err(StoreError::ReporterConflict)
    }
}

/// Puts the record under its id and its copies; drops the copies read (and
/// a merged record's keys) that are no longer its own.
fn put_reporter(
    tables: &mut Tables,
    reporter: &Reporter,
    copies_read: &[ReporterId],
    absorbed: Option<&AbsorbedRecord>,
) {
    let copies = reporter.copies();
    let merged = absorbed.map(|a| a.keys.as_slice()).unwrap_or_default();
    for gone in copies_read.iter().chain(merged).filter(|k| !copies.contains(k)) {
        tables.reporters.remove(gone);
    }
    for key in std::iter::once(&reporter.id).chain(&copies) {
        tables.reporters.insert(key.clone(), reporter.clone());
    }
}

impl CitizenRecords for MemoryRecords {
    fn inbound_and_reporters(
        &self,
        key: &InboundKey,
        keys: &[ReporterId],
    ) -> impl Future<Output = Result<FirstRead, StoreError>> + Send {
        let tables = self.tables.lock().unwrap();
        let handled = tables
            .inbound
            .get(&inbound_id(key))
            .map(|(case_id, reply)| Handled {
                case_id: case_id.clone(),
                reply: reply.clone(),
            });
        let reporters = keys
            .iter()
            .filter_map(|k| tables.reporters.get(k))
            .cloned()
            .collect();
        std::future::ready(Ok(FirstRead {
            handled,
            reporters,
            last_ticket: tables.ticket_counter,
            // Officials act through case-updates' store: the emulator tests'.
            official: None,
        }))
    }

    fn case(&self, id: &CaseId) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        let mut tables = self.tables.lock().unwrap();
        tables.case_reads += 1;
        std::future::ready(Ok(tables.cases.get(id).cloned()))
    }

    fn case_by_ticket(
        &self,
        ticket: &Ticket,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        let mut tables = self.tables.lock().unwrap();
        tables.case_reads += 1;
        let case = tables
            .tickets
            .get(ticket)
            .and_then(|id| tables.cases.get(id))
            .cloned();
        std::future::ready(Ok(case))
    }

    fn reporter_cases(
        &self,
        reporter: &ReporterId,
        limit: i32,
    ) -> impl Future<Output = Result<Vec<Case>, StoreError>> + Send {
        let tables = self.tables.lock().unwrap();
        let mut cases: Vec<Case> = tables
            .cases
            .values()
            .filter(|c| c.reporter.is(reporter))
            .cloned()
            .collect();
        cases.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.ticket.cmp(&a.ticket)));
        cases.truncate(usize::try_from(limit).unwrap_or(0));
        std::future::ready(Ok(cases))
    }

    fn all_reporter_cases(
        &self,
        reporter: &ReporterId,
    ) -> impl Future<Output = Result<Vec<Case>, StoreError>> + Send {
        self.reporter_cases(reporter, i32::MAX)
    }

    fn record_citizen_message(
        &self,
        inbound: &InboundKey,
        write: &mut CitizenWrite,
        reply: PendingReply<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        std::future::ready(self.write(inbound, write, reply))
    }

    fn record_identity_change(
        &self,
        inbound: &InboundKey,
        reporter: &mut Reporter,
        copies_read: &[ReporterId],
        absorbed: Option<&AbsorbedRecord>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let mut tables = self.tables.lock().unwrap();
        let result = if tables.inbound.contains_key(&inbound_id(inbound)) {
            Err(StoreError::DuplicateMessage)
        } else {
            check_reporter(&tables, reporter, false, copies_read, absorbed).map(|()| {
                reporter.version += 1;
                put_reporter(&mut tables, reporter, copies_read, absorbed);
                tables.inbound.insert(inbound_id(inbound), (None, None));
                tables.writes += 1;
            })
        };
        std::future::ready(result)
    }
}
