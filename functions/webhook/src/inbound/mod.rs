//! One citizen's message, as a straight line: load (one read) → decide
//! (pure) → look up what the decision needs (at most one read) → plan
//! (pure) → write once → hand back the reply to send. A conflict (another
//! message of the same citizen written first) reads and decides again.

mod identity;
mod records;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use aduan_shared::archive::MediaJob;
use aduan_shared::config::policy::Policy;
use aduan_shared::conversation::limits::{Limit, Opening, Refusal, ReporterLimits};
use aduan_shared::conversation::official::OfficialCommand;
use aduan_shared::conversation::plan::{self, CaseWrite, Found, Incoming, Lookup, Plan, PlanError, Rules};
use aduan_shared::conversation::{self, resolve, Awaiting, Context, Decision, Reporter, Resolved, State};
use aduan_shared::domain::case::{Case, CaseId, Channel, Provider};
use aduan_shared::domain::identity::{IdKeys, Sender};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::language::Vocabulary;
use aduan_shared::domain::official::Registration;
use aduan_shared::domain::reporter::{ReporterId, ReporterKeys};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::notify::citizen::Staged;
use aduan_shared::store::{FirstRead, Handled, InboundKey, SavedReply, StoreError};
use aduan_shared::texts::Texts;
use aduan_shared::whatsapp::outbound::Outbound;
use aduan_shared::whatsapp::Inbound;

pub use identity::change_identity;
pub use records::CitizenRecords;

/// What the use case needs besides its records: the rules, texts and keys,
/// fixed at cold start.
pub struct Desk {
    pub keys: Arc<ReporterKeys>,
    pub tree: Arc<Jurisdictions>,
    pub texts: Arc<Texts>,
    pub vocabulary: Arc<Vocabulary>,
    pub policy: Policy,
    /// Which kecamatan each of the city's numbers serves, if only one.
    pub number_kecamatan: HashMap<String, JurisdictionPath>,
    /// The number kept for registered officials, if any: elsewhere they
    /// write as citizens.
    pub officials_number: Option<String>,
    /// A media bucket is configured: citizens' files are kept.
    pub keeps_files: bool,
}

impl Desk {
    fn context(&self, inbound: &Inbound) -> Context<'_> {
        Context {
            tree: &self.tree,
            texts: &self.texts,
            vocabulary: &self.vocabulary,
            receiving_kecamatan: self.number_kecamatan.get(&inbound.number_id),
        }
    }

    /// Officials act through any of the city's numbers, or only through
    /// the officials' own when the deployment keeps one.
    fn takes_officials_on(&self, inbound: &Inbound) -> bool {
        self.officials_number
            .as_ref()
            .is_none_or(|number| *number == inbound.number_id)
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            ladder: &self.policy.ladder,
            sla: &self.policy.sla,
            ticket_prefix: &self.policy.ticket_prefix,
            contacts: &self.keys.contacts,
            hasher: &self.keys.hasher,
            keeps_files: self.keeps_files,
            reopen_window: self.policy.reopen_window,
            followup_ack_every: self.policy.followup_ack_every,
            ask_new_after: self.policy.ask_new_after,
            privacy: &self.policy.privacy,
        }
    }
}

/// What to send back, and the case to record it on (none for answers that
/// belong to no case, such as `STATUS`).
#[derive(Debug, Clone)]
pub struct Reply {
    pub case_id: Option<CaseId>,
    pub message: Outbound,
    /// The contact as this message sealed it: a number the message withheld
    /// but the desk knows is kept.
    pub to: Sender,
    /// The reply to a case, saved as pending with the message it answers:
    /// sent now, or by the sweep. None for answers that belong to no case
    /// and for Twilio's, which go back inline.
    pub staged: Option<Staged>,
}

/// A redelivered message's saved reply, and where it goes.
#[derive(Debug, Clone)]
pub struct DueReply {
    pub reply: SavedReply,
    pub to: Sender,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// The same message, delivered again: nothing written, nothing sent.
    Duplicate,
    /// The same message, delivered again after its first attempt's lease
    /// ended: nothing written; its reply, if still pending, is for the
    /// caller to send now rather than wait for the sweep.
    ReplyDue(Box<DueReply>),
    /// Sent before the de-duplication window ([`Inbound::is_too_old`]): a
    /// replay, not a redelivery. Nothing read, written or sent.
    TooOld,
    /// From a registered official's number (not `LAPOR`, which is a
    /// citizen's report): theirs to answer, nothing written yet.
    FromOfficial(Box<Registration>),
    Handled {
        reply: Option<Box<Reply>>,
        /// A file recorded as pending, to fetch before answering.
        media: Option<Box<MediaJob>>,
        /// The citizen erased their data: the files of these cases go too.
        erased_files: Vec<Ticket>,
    },
}

/// Why a message was not handled.
#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A new sender known only by ids another reporter's record is kept
    /// under: a number that changed hands, arriving without a BSUID.
    #[error("the sender's ids are another reporter's")]
    IdsTaken,
}

impl InboundError {
    /// Whether the provider's redelivery may succeed where this attempt
    /// failed: the table was unreachable, or busy past every retry. Records
    /// that cannot be read, or a case that is not there, stay as they are
    /// however often the message comes again.
    pub fn redelivery_may_help(&self) -> bool {
        match self {
            InboundError::Store(StoreError::Corrupt(_) | StoreError::BadCursor) => false,
            InboundError::Store(_) => true,
            InboundError::Plan(_) | InboundError::IdsTaken => false,
        }
    }
}

/// Conflicts are other messages of the same citizen landing at the same
/// moment; a few rounds settle any burst WhatsApp delivers.
pub(crate) const MAX_ROUNDS: usize = 8;

pub async fn process(
    records: &impl CitizenRecords,
    desk: &Desk,
    inbound: &Inbound,
    now: DateTime<Utc>,
) -> Result<Outcome, InboundError> {
    as_sent(records, desk, inbound, now, TakenAs::Anyone).await
}

/// Who a message is taken from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TakenAs {
    /// An official's number is theirs to answer.
    Anyone,
    /// An official's `LAPOR`: their report, as any citizen's.
    Citizen,
}

async fn as_sent(
    records: &impl CitizenRecords,
    desk: &Desk,
    inbound: &Inbound,
    now: DateTime<Utc>,
    taken_as: TakenAs,
) -> Result<Outcome, InboundError> {
    if inbound.is_too_old(now) {
        return Ok(Outcome::TooOld);
    }
    let sender = IdKeys::of(&inbound.from, &desk.keys.hasher);
    let lookups: Vec<ReporterId> = sender.all().cloned().collect();
    let key = InboundKey {
        provider: inbound.provider,
        message_id: inbound.message_id.clone(),
    };
    // A number another case took first: the next round takes one past it,
    // even from a sequence that lags behind the tickets.
    let mut ticket_taken = 0;
    let mut open_case_closed = false;
    let mut last_conflict = StoreError::Contended;
    for _ in 0..MAX_ROUNDS {
        let FirstRead {
            handled,
            reporters: found,
            last_ticket,
            official,
        } = records.inbound_and_reporters(&key, &lookups).await?;
        if let Some(handled) = handled {
            return Ok(redelivered(&handled, &sender, &found, desk, inbound, now));
        }
        if let Some(official) = official.filter(|o| {
            taken_as == TakenAs::Anyone
                && desk.takes_officials_on(inbound)
                && o.answers_for(inbound.body.words().unwrap_or_default(), now)
        }) {
            return match conversation::official::parse(&inbound.body, None) {
                OfficialCommand::Report(text) => {
                    let report = inbound.with_text(text);
                    Box::pin(as_sent(records, desk, &report, now, TakenAs::Citizen)).await
                }
                _ => Ok(Outcome::FromOfficial(Box::new(official))),
            };
        }
        let Resolved {
            mut reporter,
            id: reporter_id,
            taken,
            absorbed,
        } = resolve(&sender, &found).ok_or(InboundError::IdsTaken)?;
        // The same person's record from before they were known by a BSUID:
        // decided on as one record, replaced by this message's write.
        if let (Some(r), Some(other)) = (reporter.as_mut(), absorbed.as_ref()) {
            r.absorb(other);
        }
        if open_case_closed {
            // Officials closed the case the reporter's record points at:
            // this message starts a new one.
            if let Some(r) = reporter.as_mut() {
                r.open_case = None;
                // A message held for "new or addition?" is kept: it goes on
                // a new case now.
                r.awaiting = r
                    .awaiting
                    .take()
                    .filter(|a| matches!(a, Awaiting::NewOrAddition { .. }));
            }
        }
        let decision =
            conversation::decide(&inbound.body, State::of(reporter.as_ref()), desk.context(inbound));
        let refusal = match reporter.as_mut() {
            Some(r) => refusal(records, r, &decision, &desk.policy.limits, now).await?,
            // A first message is within every limit.
            None => None,
        };
        let incoming = Incoming {
            inbound,
            reporter_id: &reporter_id,
            reporter: reporter.as_ref(),
            taken: &taken,
            absorbed: absorbed.as_ref(),
            now,
        };
        let mut plan = match refusal {
            Some(refusal) => plan::refuse(refusal, &incoming, desk.context(inbound), desk.rules()),
            None => {
                let owners = reporter
                    .as_ref()
                    .map_or_else(|| vec![reporter_id.clone()], Reporter::case_owners);
                let found = look_up(
                    records,
                    plan::lookup(&decision, State::of(reporter.as_ref())),
                    &owners,
                    last_ticket.max(ticket_taken),
                )
                .await?;
                plan::plan(decision, found, &incoming, desk.context(inbound), desk.rules())?
            }
        };
        let staged = stage(&plan, inbound, now);
        let pending = staged.as_ref().map(|s| (&s.pending, s.lease_until(now)));
        match records
            .record_citizen_message(&key, &mut plan.write, pending)
            .await
        {
            Err(StoreError::CaseClosed) => open_case_closed = true,
            Err(StoreError::TicketTaken) => {
                if let CaseWrite::Open { case, .. } = &plan.write.case {
                    ticket_taken = case.ticket.number();
                }
                last_conflict = StoreError::TicketTaken;
            }
            Err(e) if e.is_conflict() => last_conflict = e,
            Err(StoreError::DuplicateMessage) => return Ok(Outcome::Duplicate),
            Err(e) => return Err(e.into()),
            Ok(()) => return Ok(handled_outcome(plan, staged, inbound.provider)),
        }
    }
    Err(last_conflict.into())
}

/// A message handled already: its reply to send, if its first attempt's
/// lease is over, to the contact the reporter's record keeps (as the first
/// attempt would have), else nothing.
fn redelivered(
    handled: &Handled,
    sender: &IdKeys,
    found: &[Reporter],
    desk: &Desk,
    inbound: &Inbound,
    now: DateTime<Utc>,
) -> Outcome {
    let Some(reply) = handled.reply_due(now) else {
        return Outcome::Duplicate;
    };
    // A contact past its retention is never used: the reply goes to the
    // sender as this delivery names them.
    let known = resolve(sender, found).and_then(|r| {
        let record = r.reporter?;
        desk.keys.contacts.open(&r.id, record.contact_at(now)?).ok()
    });
    Outcome::ReplyDue(Box::new(DueReply {
        reply: reply.clone(),
        to: known.map_or(inbound.from.clone(), |k| k.updated_by(&inbound.from)),
    }))
}

/// The limit this message runs into, if any: the minute's count for any
/// message, and for one that opens a case the day's count and the open
/// cases, read only when the record's count says there may be too many.
async fn refusal(
    records: &impl CitizenRecords,
    reporter: &mut Reporter,
    decision: &Decision,
    limits: &ReporterLimits,
    now: DateTime<Utc>,
) -> Result<Option<Refusal>, StoreError> {
    reporter.activity = std::mem::take(&mut reporter.activity).at(now);
    let owners = reporter.case_owners();
    let activity = &mut reporter.activity;
    let limit = if activity.over_rate(limits).is_some() {
        Some(Limit::MessagesPerMinute)
    } else if decision.opens_case() {
        let opening = match activity.opening(limits) {
            Opening::Recount => {
                let latest = cases_of(records, &owners, limits.cases_to_read()).await?;
                activity.recount(&latest, limits)
            }
            opening => opening,
        };
        match opening {
            Opening::Refused(limit) => Some(limit),
            Opening::Allowed | Opening::Recount => None,
        }
    } else {
        None
    };
    Ok(limit.map(|limit| {
        reporter
            .activity
            .refusal(limit, limits, reporter.open_case.as_ref(), now)
    }))
}

/// The latest cases of a reporter, newest first: one query, and one more
/// for each record of theirs merged into it.
async fn cases_of(
    records: &impl CitizenRecords,
    owners: &[ReporterId],
    limit: i32,
) -> Result<Vec<Case>, StoreError> {
    let mut cases = Vec::new();
    for owner in owners {
        cases.extend(records.reporter_cases(owner, limit).await?);
    }
    if owners.len() > 1 {
        cases.sort_by_key(|c| std::cmp::Reverse(c.created_at));
        cases.truncate(usize::try_from(limit).unwrap_or(0));
    }
    Ok(cases)
}

/// The cases that those merged among `cases` follow: one read each, at
/// most one per case listed.
async fn merge_targets(records: &impl CitizenRecords, cases: &[Case]) -> Result<Vec<Case>, StoreError> {
    let mut ids: Vec<&CaseId> = cases
        .iter()
        .filter_map(|c| c.merged_into.as_ref())
        .map(|m| &m.case)
        .collect();
    ids.sort();
    ids.dedup();
    let mut targets = Vec::with_capacity(ids.len());
    for id in ids {
        targets.extend(records.case(id).await?);
    }
    Ok(targets)
}

/// What the decision needs beyond the first read: at most one read more. A
/// new case's number is the one after the last the first read saw; the
/// write takes it only if no other case did meanwhile (else a conflict: this
/// round reads again), so no number is lost.
async fn look_up(
    records: &impl CitizenRecords,
    lookup: Lookup,
    owners: &[ReporterId],
    last_ticket: u64,
) -> Result<Found, StoreError> {
    Ok(match lookup {
        Lookup::Nothing => Found::Nothing,
        Lookup::TicketNumber => Found::TicketNumber(last_ticket + 1),
        Lookup::Case(id) => Found::Case(records.case(&id).await?.map(Box::new)),
        Lookup::Ticket(ticket) => Found::Case(records.case_by_ticket(&ticket).await?.map(Box::new)),
        Lookup::ReporterCases => {
            let cases = cases_of(records, owners, plan::STATUS_LIST_LIMIT).await?;
            let targets = merge_targets(records, &cases).await?;
            Found::Status { cases, targets }
        }
        Lookup::AllReporterCases => {
            let mut cases = Vec::new();
            for owner in owners {
                cases.extend(records.all_reporter_cases(owner).await?);
            }
            Found::Cases(cases)
        }
    })
}

/// The reply to a case, saved as pending with the message it answers;
/// Twilio's replies go back inline in the webhook's answer instead.
fn stage(plan: &Plan, inbound: &Inbound, now: DateTime<Utc>) -> Option<Staged> {
    let reply = plan.reply.as_ref()?;
    let case_id = reply.case_id.as_ref()?;
    (inbound.provider == Provider::Meta).then(|| {
        let channel = Channel {
            provider: inbound.provider,
            number_id: inbound.number_id.clone(),
        };
        // A millisecond after the message it answers, so it sorts after it.
        let at = now + Duration::milliseconds(1);
        Staged::reply(case_id, &channel, &plan.to, reply.message.clone(), at)
    })
}

fn handled_outcome(plan: Plan, staged: Option<Staged>, provider: Provider) -> Outcome {
    let erased_files = plan
        .write
        .erasure
        .as_ref()
        .map(|e| e.files_to_delete())
        .unwrap_or_default();
    let media = plan
        .message_event()
        .and_then(|(case_id, ticket, event)| MediaJob::of(case_id, ticket, provider, event));
    Outcome::Handled {
        reply: plan.reply.map(|reply| {
            Box::new(Reply {
                case_id: reply.case_id,
                message: reply.message,
                to: plan.to,
                staged,
            })
        }),
        media: media.map(Box::new),
        erased_files,
    }
}

#[cfg(test)]
mod memory;
#[cfg(test)]
mod tests;
