//! What one citizen's message writes and answers, planned without I/O. The
//! decision ([`super::decide`]) names the one read it needs ([`lookup`]);
//! with what that read found, [`plan`] returns everything the message
//! writes (one transaction) and the reply to send once it is written.

use chrono::{DateTime, Duration, Utc};

use super::limits::{Limit, Refusal};
use super::{replies, Awaiting, Command, Context, Decision, Effect, OpenCase, Reporter, State, TicketArg};
use crate::domain::case::{Case, CaseError, CaseId, CaseReporter, Channel, NewCase};
use crate::domain::identity::{IdKeys, Sender};
use crate::domain::ladder::Ladder;
use crate::domain::lifecycle::{Status, Transition};
use crate::domain::privacy::Privacy;
use crate::domain::reporter::{ContactCipher, ReporterHasher, ReporterId};
use crate::domain::sla::SlaPolicy;
use crate::domain::ticket::{Ticket, TicketError, TicketPrefix};
use crate::domain::timeline::{Actor, EventBody, MediaStorage, MessageContent, TimelineEvent};
use crate::texts::render;
use crate::whatsapp::outbound::Outbound;
use crate::whatsapp::{Inbound, InboundBody};

/// How many of the reporter's latest cases `STATUS` lists.
pub const STATUS_LIST_LIMIT: i32 = 10;

/// The one read a decision needs beyond the reporter's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Nothing,
    /// A ticket number for the case the message opens.
    TicketNumber,
    /// The case the message changes.
    Case(CaseId),
    /// The case a command names by its ticket.
    Ticket(Ticket),
    /// The reporter's latest cases, newest first ([`STATUS_LIST_LIMIT`]),
    /// and the case each merged one follows: at most as many reads again.
    ReporterCases,
    /// Every case still linked to the reporter (`DATA SAYA`, an erasure).
    AllReporterCases,
}

/// What the store answered to a [`Lookup`].
#[derive(Debug, Clone)]
pub enum Found {
    Nothing,
    TicketNumber(u64),
    Case(Option<Box<Case>>),
    Cases(Vec<Case>),
    /// The reporter's latest cases, and the cases any of them is merged into.
    Status {
        cases: Vec<Case>,
        targets: Vec<Case>,
    },
}

/// Faults of the records or the rules, found while planning. None of them
/// is the citizen's doing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("the reporter's record names case {0}, which is not in the table")]
    MissingCase(CaseId),
    #[error("the ticket counter gave {number}, which makes no ticket: {source}")]
    TicketNumber { number: u64, source: TicketError },
    #[error("the citizen's answer cannot move the case: {0}")]
    Transition(#[from] CaseError),
    #[error("planning asked for one read and was given another")]
    WrongLookup,
    #[error("a held message was to go on a case, and the plan writes none")]
    HeldWithoutCase,
}

/// The rules a plan follows: what does not change between messages.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub ladder: &'a Ladder,
    pub sla: &'a SlaPolicy,
    pub ticket_prefix: &'a TicketPrefix,
    pub contacts: &'a ContactCipher,
    pub hasher: &'a ReporterHasher,
    /// A bucket keeps citizens' files: a file is pending from the message's
    /// own write, so the sweep fetches it if the webhook cannot.
    pub keeps_files: bool,
    /// How long after closing a case the citizen's "not solved" reopens it.
    pub reopen_window: Duration,
    /// Follow-ups are thanked at most this often (zero: never).
    pub followup_ack_every: Duration,
    /// A follow-up to a case open this long asks whether it is a new
    /// report (zero: never for its age; a resolved case always asks).
    pub ask_new_after: Duration,
    pub privacy: &'a Privacy,
}

/// The message being planned, with what the desk knows of its sender.
#[derive(Debug, Clone)]
pub struct Incoming<'a> {
    pub inbound: &'a Inbound,
    pub reporter_id: &'a ReporterId,
    /// Their record as read, if they wrote before.
    pub reporter: Option<&'a Reporter>,
    /// Keys of the sender's ids that are another reporter's ([`Resolved::taken`]).
    ///
    /// [`Resolved::taken`]: super::Resolved::taken
    pub taken: &'a [ReporterId],
    /// Another record of the same person, merged into `reporter` already
    /// ([`Resolved::absorbed`]): the write replaces it.
    ///
    /// [`Resolved::absorbed`]: super::Resolved::absorbed
    pub absorbed: Option<&'a Reporter>,
    pub now: DateTime<Utc>,
}

/// Everything one message writes, in one transaction: all of it or nothing.
#[derive(Debug, Clone)]
pub struct CitizenWrite {
    /// The reporter's record after the message, at the version it was read
    /// at (the store bumps it when the write succeeds).
    pub reporter: Reporter,
    /// No record existed: the write requires that none exists still.
    pub reporter_is_new: bool,
    /// The keys the record was copied under as read ([`Reporter::copies`]):
    /// kept at the version read, or removed if no longer among its ids.
    pub copies_read: Vec<ReporterId>,
    /// Another record of the same person merged into this one: replaced
    /// under its keys at the version read.
    pub absorbed: Option<AbsorbedRecord>,
    pub case: CaseWrite,
    /// The reporter erases their data: the record and its copies are
    /// deleted instead of written, and these cases unlinked from them.
    pub erasure: Option<Erasure>,
}

/// The cases an erasure unlinks: every case still linked to the reporter,
/// as read, each saved pointing at no one ([`CaseReporter::Erased`]) at the
/// version read.
#[derive(Debug, Clone)]
pub struct Erasure {
    pub cases: Vec<Case>,
}

impl Erasure {
    /// The erasure of a reporter's data: of `cases`, those `owns` says are
    /// theirs, each unlinked. The citizen's confirmed `HAPUS DATA` and an
    /// administrator carrying out a request made by other means both erase
    /// through this. The public photo goes too, even an official's or one
    /// whose files are kept: it may show the reporter's home.
    pub fn unlinking(cases: Vec<Case>, owns: impl Fn(&Case) -> bool) -> Self {
        let unlink = |mut case: Case| {
            case.reporter = CaseReporter::Erased;
            case.public_photo = None;
            case
        };
        Self {
            cases: cases.into_iter().filter(|c| owns(c)).map(unlink).collect(),
        }
    }

    /// The tickets whose files go with the erasure: all but those an
    /// official marked as needed.
    pub fn files_to_delete(&self) -> Vec<Ticket> {
        let deleted = self.cases.iter().filter(|c| !c.keep_files);
        deleted.map(|c| c.ticket.clone()).collect()
    }

    /// The tickets whose files stay: an official marked them as needed.
    pub fn files_kept(&self) -> Vec<&Ticket> {
        let kept = self.cases.iter().filter(|c| c.keep_files);
        kept.map(|c| &c.ticket).collect()
    }
}

/// A record merged into the reporter's, as read: the keys it is kept under
/// (its id and copies) and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsorbedRecord {
    pub keys: Vec<ReporterId>,
    pub version: u64,
}

impl AbsorbedRecord {
    pub fn of(record: &Reporter) -> Self {
        Self {
            keys: std::iter::once(record.id.clone())
                .chain(record.copies())
                .collect(),
            version: record.version,
        }
    }
}

/// What a message writes on a case.
#[derive(Debug, Clone)]
pub enum CaseWrite {
    /// It goes on no case (a command, a question answered outright).
    None,
    /// A new case with its first events, its ticket taken with it.
    Open { case: Case, events: Vec<TimelineEvent> },
    /// Events on a case that is not itself changed; the case must still be
    /// open (the reporter's pointer may be stale: an official or the sweep
    /// may have closed it since).
    Append {
        case_id: CaseId,
        ticket: Ticket,
        events: Vec<TimelineEvent>,
    },
    /// A changed case, saved at the version it was read at, with its events.
    Change { case: Case, events: Vec<TimelineEvent> },
}

impl CaseWrite {
    pub fn case_id(&self) -> Option<&CaseId> {
        match self {
            CaseWrite::None => None,
            CaseWrite::Open { case, .. } | CaseWrite::Change { case, .. } => Some(&case.id),
            CaseWrite::Append { case_id, .. } => Some(case_id),
        }
    }

    pub fn ticket(&self) -> Option<&Ticket> {
        match self {
            CaseWrite::None => None,
            CaseWrite::Open { case, .. } | CaseWrite::Change { case, .. } => Some(&case.ticket),
            CaseWrite::Append { ticket, .. } => Some(ticket),
        }
    }

    pub fn events(&self) -> &[TimelineEvent] {
        match self {
            CaseWrite::None => &[],
            CaseWrite::Open { events, .. }
            | CaseWrite::Append { events, .. }
            | CaseWrite::Change { events, .. } => events,
        }
    }
}

/// The answer to the citizen, sent once the write has succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The case it is recorded on; none for answers that belong to no case
    /// (`STATUS`, help), which are sent without a record.
    pub case_id: Option<CaseId>,
    pub message: Outbound,
}

/// What one message writes and answers.
#[derive(Debug, Clone)]
pub struct Plan {
    pub write: CitizenWrite,
    pub reply: Option<Reply>,
    /// Where replies go: the contact as this message seals it (what it says
    /// of the sender merged with what the desk knew).
    pub to: Sender,
}

impl Plan {
    /// The event recording the citizen's message, with the case and ticket
    /// it went on: its file, if any, is fetched once the write succeeds.
    pub fn message_event(&self) -> Option<(&CaseId, &Ticket, &TimelineEvent)> {
        let case = &self.write.case;
        let event = case
            .events()
            .iter()
            .find(|e| matches!(e.body, EventBody::Message { .. }))?;
        Some((case.case_id()?, case.ticket()?, event))
    }
}

/// The one read `decision` needs, given the sender's state.
pub fn lookup(decision: &Decision, state: State<'_>) -> Lookup {
    match decision {
        Decision::Open { .. } => Lookup::TicketNumber,
        Decision::Append { effect, .. } => match effect {
            Effect::Nothing => Lookup::Nothing,
            Effect::SetArea(_) => state
                .open_case
                .map_or(Lookup::Nothing, |open| Lookup::Case(open.id.clone())),
            Effect::Confirm { case, .. } | Effect::Rate { case, .. } | Effect::AskedAgain { case } => {
                Lookup::Case(case.id.clone())
            }
        },
        Decision::Command(Command::StatusAll) => Lookup::ReporterCases,
        Decision::Command(Command::MyData | Command::EraseConfirmed) => Lookup::AllReporterCases,
        Decision::Command(
            Command::Status(TicketArg::Valid(ticket)) | Command::Withdraw(TicketArg::Valid(ticket)),
        ) => Lookup::Ticket(ticket.clone()),
        Decision::Command(_) | Decision::Reply(_) => Lookup::Nothing,
        Decision::Held { then, .. } => lookup(then, state),
    }
}

/// Turns the decision, and what its [`lookup`] found, into what to write
/// and what to answer.
pub fn plan(
    decision: Decision,
    found: Found,
    incoming: &Incoming<'_>,
    ctx: Context<'_>,
    rules: Rules<'_>,
) -> Result<Plan, PlanError> {
    let planner = Planner { incoming, ctx, rules };
    match decision {
        Decision::Open {
            kind,
            description,
            jurisdiction,
            home,
            question,
        } => {
            let Found::TicketNumber(number) = found else {
                return Err(PlanError::WrongLookup);
            };
            let ticket = Ticket::new(rules.ticket_prefix, number)
                .map_err(|source| PlanError::TicketNumber { number, source })?;
            let new = NewCase {
                ticket,
                kind,
                description,
                jurisdiction,
                home,
                reporter: incoming.reporter_id.clone(),
                channel: planner.channel(),
            };
            Ok(planner.open(new, question))
        }
        Decision::Append {
            effect,
            reply,
            awaiting,
        } => planner.append(effect, reply, awaiting, found),
        Decision::Command(command) => planner.command(command, found),
        Decision::Reply(message) => Ok(planner.answer_without_case(message)),
        Decision::Held { held, then } => {
            let mut plan = plan(*then, found, incoming, ctx, rules)?;
            put_held(&mut plan.write, *held)?;
            if plan.reply.is_some() {
                // A reply now answers what they send right after it too.
                plan.write.reporter.followup_acked_at = Some(incoming.now);
            }
            Ok(plan)
        }
    }
}

/// Puts a held message first among the citizen's messages on the case the
/// write opens or adds to; a case it was added to is not asked about again.
fn put_held(write: &mut CitizenWrite, held: TimelineEvent) -> Result<(), PlanError> {
    match &mut write.case {
        CaseWrite::None => return Err(PlanError::HeldWithoutCase),
        // After the event that opens it.
        CaseWrite::Open { events, .. } => events.insert(1, held),
        CaseWrite::Append { case_id, events, .. } => {
            write.reporter.additions_to = Some(case_id.clone());
            events.insert(0, held);
        }
        CaseWrite::Change { case, events } => {
            write.reporter.additions_to = Some(case.id.clone());
            events.insert(0, held);
        }
    }
    Ok(())
}

/// A message refused by one of the reporter's limits: it is counted, not
/// recorded on a case; the citizen is told (see [`Refusal::tell`]), and the
/// refusal is put on their case for officials when [`Refusal::note_on`]
/// names one.
pub fn refuse(refusal: Refusal, incoming: &Incoming<'_>, ctx: Context<'_>, rules: Rules<'_>) -> Plan {
    let planner = Planner { incoming, ctx, rules };
    let now = incoming.now;
    let Next {
        mut reporter,
        is_new,
        to,
    } = planner.next_reporter();
    let case = match refusal.note_on {
        Some(open) => {
            reporter.activity.noted(now);
            CaseWrite::Append {
                case_id: open.id,
                ticket: open.ticket,
                events: vec![TimelineEvent::new(
                    now,
                    Actor::System,
                    EventBody::Limited {
                        limit: refusal.limit,
                        allowed: refusal.allowed,
                    },
                )],
            }
        }
        None => CaseWrite::None,
    };
    let texts = ctx.texts;
    let text = match refusal.limit {
        Limit::MessagesPerMinute => &texts.limit_messages,
        Limit::NewCasesPerDay => &texts.limit_new_cases,
        Limit::OpenCases => &texts.limit_open_cases,
    };
    let allowed = refusal.allowed.to_string();
    let reply = refusal.tell.then(|| Reply {
        case_id: None,
        message: Outbound::text(render(text, &[("limit", allowed.as_str())])),
    });
    planner.finish(Next { reporter, is_new, to }, case, reply)
}

/// The reporter's record after the message, whether it is their first,
/// and where replies go.
struct Next {
    reporter: Reporter,
    is_new: bool,
    to: Sender,
}

struct Planner<'p> {
    incoming: &'p Incoming<'p>,
    ctx: Context<'p>,
    rules: Rules<'p>,
}

impl Planner<'_> {
    /// The reporter's record as it will be after this message, and whether
    /// it is new. What the message tells of the sender's ids is merged with
    /// what was known (a withheld number is kept, a new BSUID replaces the
    /// old ids), and the contact sealed again when that changes, or when it
    /// was sealed under an older key or before seals were bound to their
    /// reporter, so a key rotation (and the binding) completes as citizens
    /// write in.
    fn next_reporter(&self) -> Next {
        let Rules { contacts, hasher, .. } = self.rules;
        let Incoming {
            inbound,
            reporter_id,
            reporter,
            taken,
            now,
            ..
        } = self.incoming;
        match reporter {
            Some(existing) => {
                let mut next = (*existing).clone();
                next.last_inbound_at = (*now).max(existing.last_inbound_at);
                // A contact that no longer opens, or whose retention ran
                // out (never opened then), is replaced by what this message
                // says; the new one's time is set afresh.
                let known = existing
                    .contact_at(*now)
                    .and_then(|sealed| contacts.open(reporter_id, sealed).ok());
                if existing.contact_at(*now).is_none() {
                    next.contact_expires_at = None;
                }
                let sender = known
                    .as_ref()
                    .map_or(inbound.from.clone(), |k| k.updated_by(&inbound.from));
                if known.as_ref() != Some(&sender) || !contacts.is_current(&existing.contact) {
                    next.contact = contacts.seal(reporter_id, &sender);
                }
                next.known_as = IdKeys::of(&sender, hasher).without(taken);
                next.activity = next.activity.at(*now);
                next.activity.count_message(*now);
                Next {
                    reporter: next,
                    is_new: false,
                    to: sender,
                }
            }
            None => {
                let mut next = Reporter::new(
                    (*reporter_id).clone(),
                    contacts.seal(reporter_id, &inbound.from),
                    *now,
                );
                next.known_as = IdKeys::of(&inbound.from, hasher).without(taken);
                next.activity.count_message(*now);
                Next {
                    reporter: next,
                    is_new: true,
                    to: inbound.from.clone(),
                }
            }
        }
    }

    /// The plan of a message: the reporter's next record and `case` in one
    /// write, and the reply.
    fn finish(&self, mut next: Next, case: CaseWrite, reply: Option<Reply>) -> Plan {
        next.reporter
            .settle_retention(self.rules.privacy.contact_retention, self.now());
        // The first reply to a new citizen says what is kept and why.
        let reply = reply.map(|reply| match next.is_new {
            true => Reply {
                message: reply.message.with_footer(&self.ctx.texts.privacy_line),
                ..reply
            },
            false => reply,
        });
        Plan {
            write: CitizenWrite {
                reporter: next.reporter,
                reporter_is_new: next.is_new,
                copies_read: self.copies_read(),
                absorbed: self.incoming.absorbed.map(AbsorbedRecord::of),
                case,
                erasure: None,
            },
            reply,
            to: next.to,
        }
    }

    fn copies_read(&self) -> Vec<ReporterId> {
        self.incoming.reporter.map(Reporter::copies).unwrap_or_default()
    }

    fn message_event(&self) -> TimelineEvent {
        let inbound = self.incoming.inbound;
        let content = match &inbound.body {
            InboundBody::Content(content) => content.clone(),
            InboundBody::Choice { title, .. } => MessageContent::Text { body: title.clone() },
        };
        let stored = (self.rules.keeps_files && matches!(content, MessageContent::Media { .. }))
            .then_some(MediaStorage::Pending);
        TimelineEvent::new(
            self.incoming.now,
            Actor::Citizen,
            EventBody::Message {
                provider_message_id: inbound.message_id.clone(),
                content,
                stored,
                file: None,
                store_error: None,
            },
        )
    }

    fn channel(&self) -> Channel {
        self.incoming.inbound.channel()
    }

    fn now(&self) -> DateTime<Utc> {
        self.incoming.now
    }

    fn open(&self, new: NewCase, question: Option<(Outbound, Awaiting)>) -> Plan {
        let (case, opened) = Case::open(new, self.rules.ladder, self.rules.sla, self.now());
        let Next {
            mut reporter,
            is_new,
            to,
        } = self.next_reporter();
        let open = OpenCase {
            id: case.id.clone(),
            ticket: case.ticket.clone(),
        };
        reporter.activity.opened(open.clone(), self.now());
        reporter.open_case = Some(open);
        // The acknowledgement answers what they send right after it too.
        reporter.followup_acked_at = Some(self.now());
        reporter.awaiting = question.as_ref().map(|(_, awaiting)| awaiting.clone());
        let ack = replies::acknowledge(
            self.ctx,
            &case.ticket,
            case.kind,
            case.jurisdiction.as_ref(),
            question.as_ref().map(|(q, _)| q),
        );
        let case_id = case.id.clone();
        let events = vec![opened, self.message_event()];
        let reply = Reply {
            case_id: Some(case_id),
            message: ack,
        };
        self.finish(
            Next { reporter, is_new, to },
            CaseWrite::Open { case, events },
            Some(reply),
        )
    }

    /// The case a decision's lookup was for; its absence means the
    /// reporter's record points at nothing.
    fn found_case(found: Found, id: &CaseId) -> Result<Case, PlanError> {
        match found {
            Found::Case(Some(case)) if &case.id == id => Ok(*case),
            Found::Case(_) => Err(PlanError::MissingCase(id.clone())),
            _ => Err(PlanError::WrongLookup),
        }
    }

    fn append(
        &self,
        effect: Effect,
        mut reply: Option<Outbound>,
        awaiting: Option<Awaiting>,
        found: Found,
    ) -> Result<Plan, PlanError> {
        let Next {
            mut reporter,
            is_new,
            to,
        } = self.next_reporter();
        reporter.awaiting = awaiting;
        let now = self.now();
        let mut events = vec![self.message_event()];
        if let (Effect::Nothing, None) = (&effect, &reply) {
            if let Some(open) = self.asks_new_or_addition(&reporter) {
                return Ok(self.hold(Next { reporter, is_new, to }, open));
            }
        }
        let case = match effect {
            Effect::Nothing => match &reporter.open_case {
                Some(open) => CaseWrite::Append {
                    case_id: open.id.clone(),
                    ticket: open.ticket.clone(),
                    events,
                },
                None => CaseWrite::None,
            },
            Effect::SetArea(path) => match reporter.open_case.clone() {
                Some(open) => {
                    let mut case = Self::found_case(found, &open.id)?;
                    case.jurisdiction = Some(path.clone());
                    case.updated_at = now;
                    events.push(TimelineEvent::new(
                        now,
                        Actor::Citizen,
                        EventBody::Reclassified {
                            kind: None,
                            category: None,
                            jurisdiction: Some(path),
                        },
                    ));
                    CaseWrite::Change { case, events }
                }
                None => CaseWrite::None,
            },
            Effect::Confirm { case: asked, solved } => {
                let mut case = Self::found_case(found, &asked.id)?;
                let closed_lately =
                    case.status == Status::Closed && now - case.updated_at <= self.rules.reopen_window;
                if case.status == Status::Resolved || (!solved && closed_lately) {
                    let transition = if solved {
                        Transition::Close
                    } else {
                        Transition::Reopen
                    };
                    events.push(case.transition(transition, Actor::Citizen, None, self.rules.sla, now)?);
                    let this_case = OpenCase {
                        id: case.id.clone(),
                        ticket: case.ticket.clone(),
                    };
                    if solved {
                        reporter.case_closed(&case.id);
                        if reporter.open_case.as_ref() == Some(&this_case) {
                            reporter.open_case = None;
                        }
                    } else {
                        reporter.activity.reopened(this_case.clone());
                        if reporter.open_case.is_none() {
                            // Closed by the sweep or an official: open again, so
                            // what they send next joins it.
                            reporter.open_case = Some(this_case);
                        }
                    }
                } else if !solved {
                    // Never "reopened" while it stays as it is: still being
                    // handled, or finished too long ago for this answer.
                    let texts = self.ctx.texts;
                    let text = if case.status.is_open() {
                        &texts.confirm_no_open
                    } else {
                        &texts.confirm_no_closed
                    };
                    reply = Some(Outbound::text(render(text, &[("ticket", case.ticket.as_str())])));
                }
                CaseWrite::Change { case, events }
            }
            Effect::AskedAgain { case: asked } => {
                let mut case = Self::found_case(found, &asked.id)?;
                case.answered_unclearly(self.rules.sla, now);
                CaseWrite::Change { case, events }
            }
            Effect::Rate { case: rated, rating } => {
                let mut case = Self::found_case(found, &rated.id)?;
                case.rating = Some(rating);
                case.updated_at = now;
                events.push(TimelineEvent::new(
                    now,
                    Actor::Citizen,
                    EventBody::Rated { rating },
                ));
                CaseWrite::Change { case, events }
            }
        };
        let case_id = case.case_id().cloned();
        let reply = match (reply, &case) {
            // A follow-up nobody answered is thanked, once in a while: five
            // photos in a row get one reply, sent without a record (no
            // request is added to the follow-up's two).
            (None, CaseWrite::Append { ticket, .. }) if self.followup_ack_due(&reporter) => {
                reporter.followup_acked_at = Some(now);
                let text = render(&self.ctx.texts.followup_received, &[("ticket", ticket.as_str())]);
                Some(Reply {
                    case_id: None,
                    message: Outbound::text(text),
                })
            }
            (reply, _) => reply.map(|message| Reply { case_id, message }),
        };
        Ok(self.finish(Next { reporter, is_new, to }, case, reply))
    }

    /// The open case a follow-up may not be meant for: resolved (the
    /// citizen is asked whether it is solved), or open longer than
    /// [`Rules::ask_new_after`]. Not for a tap, nor once they said their
    /// messages add to it, nor while answering that question.
    fn asks_new_or_addition(&self, reporter: &Reporter) -> Option<OpenCase> {
        let open = reporter.open_case.as_ref()?;
        let answering = self
            .incoming
            .reporter
            .is_some_and(|r| matches!(r.awaiting, Some(Awaiting::NewOrAddition { .. })));
        let typed_or_sent = matches!(self.incoming.inbound.body, InboundBody::Content(_));
        if answering || !typed_or_sent || reporter.additions_to.as_ref() == Some(&open.id) {
            return None;
        }
        let resolved =
            matches!(&reporter.awaiting, Some(Awaiting::Confirmation { case }) if case.id == open.id);
        let ask_after = self.rules.ask_new_after;
        let old = ask_after > Duration::zero() && self.now() - open.id.opened_at() >= ask_after;
        (resolved || old).then(|| open.clone())
    }

    /// Holds the message and asks whether it adds to `open` or is a new
    /// report: nothing goes on a case until the answer.
    fn hold(&self, mut next: Next, open: OpenCase) -> Plan {
        let reporter = &mut next.reporter;
        let resolved =
            matches!(&reporter.awaiting, Some(Awaiting::Confirmation { case }) if case.id == open.id);
        let days = (self.now() - open.id.opened_at()).num_days().to_string();
        let question = replies::new_or_addition(self.ctx.texts, &open.ticket, resolved, &days);
        reporter.awaiting = Some(Awaiting::NewOrAddition {
            case: open,
            held: Box::new(self.message_event()),
            before: reporter.awaiting.take().map(Box::new),
        });
        let reply = Reply {
            case_id: None,
            message: question,
        };
        self.finish(next, CaseWrite::None, Some(reply))
    }

    fn followup_ack_due(&self, reporter: &Reporter) -> bool {
        let every = self.rules.followup_ack_every;
        every > Duration::zero()
            && reporter
                .followup_acked_at
                .is_none_or(|at| at > self.now() || self.now() - at >= every)
    }

    /// An answer that goes on no case: the message's de-duplication record
    /// and the reporter's window are written, and the answer is sent
    /// without a record (the citizen can simply ask again).
    fn answer_without_case(&self, message: Outbound) -> Plan {
        self.without_case(|_| {}, message)
    }

    /// As [`Planner::answer_without_case`], with `change` made to the
    /// reporter's record (`BARU`, `BERHENTI`, `MULAI`).
    fn without_case(&self, change: impl FnOnce(&mut Reporter), message: Outbound) -> Plan {
        let mut next = self.next_reporter();
        change(&mut next.reporter);
        let reply = Reply {
            case_id: None,
            message,
        };
        self.finish(next, CaseWrite::None, Some(reply))
    }

    fn command(&self, command: Command, found: Found) -> Result<Plan, PlanError> {
        let texts = self.ctx.texts;
        let calendar = &self.rules.sla.calendar;
        let not_found =
            |ticket: &Ticket| Outbound::text(render(&texts.not_found, &[("ticket", ticket.as_str())]));
        Ok(match command {
            Command::Help => self.answer_without_case(Outbound::text(&texts.help)),
            Command::Stop => {
                let now = self.now();
                self.without_case(|r| r.stop(now), Outbound::text(&texts.stopped))
            }
            Command::Resume => self.without_case(Reporter::resume, Outbound::text(&texts.resumed)),
            Command::Privacy => self.answer_without_case(replies::privacy_notice(texts, self.rules.privacy)),
            Command::MyData => {
                let Found::Cases(cases) = found else {
                    return Err(PlanError::WrongLookup);
                };
                let reply = replies::my_data(texts, calendar, self.rules.privacy, &cases);
                self.answer_without_case(reply)
            }
            Command::Erase => self.answer_without_case(replies::erase_question(texts)),
            Command::EraseConfirmed => {
                let Found::Cases(cases) = found else {
                    return Err(PlanError::WrongLookup);
                };
                self.erase(cases)
            }
            Command::New(None) => {
                let start_afresh = |r: &mut Reporter| {
                    r.open_case = None;
                    r.awaiting = None;
                };
                self.without_case(start_afresh, Outbound::text(&texts.new_prompt))
            }
            // `decide` opens the case of `BARU <text>` itself.
            Command::New(Some(_)) => return Err(PlanError::WrongLookup),
            Command::StatusAll => {
                let Found::Status { cases, targets } = found else {
                    return Err(PlanError::WrongLookup);
                };
                self.answer_without_case(replies::status_list(texts, calendar, &cases, &targets))
            }
            Command::Status(TicketArg::Valid(ticket)) => match self.own_case(found)? {
                Some(case) => {
                    self.answer_without_case(replies::status_one(texts, self.ctx.tree, calendar, &case))
                }
                None => self.answer_without_case(not_found(&ticket)),
            },
            Command::Status(TicketArg::Invalid) | Command::Withdraw(TicketArg::Invalid) => {
                self.answer_without_case(Outbound::text(&texts.bad_ticket))
            }
            Command::Withdraw(TicketArg::Valid(ticket)) => match self.own_case(found)? {
                Some(case) => self.withdraw(case),
                None => self.answer_without_case(not_found(&ticket)),
            },
        })
    }

    /// The citizen's own case of those found; someone else's is "not
    /// found", exactly like one that does not exist.
    fn own_case(&self, found: Found) -> Result<Option<Case>, PlanError> {
        let Found::Case(case) = found else {
            return Err(PlanError::WrongLookup);
        };
        Ok(case.filter(|c| self.owns(c)).map(|c| *c))
    }

    /// Whether the sender reported `case`: under their id, or under one of
    /// a record of theirs merged into it.
    fn owns(&self, case: &Case) -> bool {
        let incoming = self.incoming;
        case.reporter.is(incoming.reporter_id)
            || case
                .reporter
                .id()
                .is_some_and(|id| incoming.reporter.is_some_and(|r| r.owns(id)))
    }

    /// The citizen's data erased: their record and its copies deleted,
    /// every case of theirs unlinked (it stays, pointing at no one), the
    /// answer sent to the contact this message gives and never recorded.
    /// The inbound record is still written: a redelivery stays a duplicate.
    fn erase(&self, cases: Vec<Case>) -> Plan {
        let next = self.next_reporter();
        let erasure = Erasure::unlinking(cases, |c| self.owns(c));
        let texts = self.ctx.texts;
        let mut text = texts.erased.clone();
        let kept: Vec<&str> = erasure.files_kept().into_iter().map(Ticket::as_str).collect();
        if !kept.is_empty() {
            text.push('\n');
            text.push_str(&render(
                &texts.erased_files_kept,
                &[("tickets", &kept.join(", "))],
            ));
        }
        Plan {
            write: CitizenWrite {
                reporter: next.reporter,
                reporter_is_new: next.is_new,
                copies_read: self.copies_read(),
                absorbed: self.incoming.absorbed.map(AbsorbedRecord::of),
                case: CaseWrite::None,
                erasure: Some(erasure),
            },
            reply: Some(Reply {
                case_id: None,
                message: Outbound::text(text),
            }),
            to: next.to,
        }
    }

    fn withdraw(&self, mut case: Case) -> Plan {
        let texts = self.ctx.texts;
        let ticket = case.ticket.clone();
        let withdrawn = case.transition(
            Transition::Withdraw,
            Actor::Citizen,
            None,
            self.rules.sla,
            self.now(),
        );
        let Ok(event) = withdrawn else {
            // Only a closed, rejected or withdrawn case cannot be withdrawn:
            // the answer says so, and the finished case is left as it is.
            let message = render(
                &texts.cannot_withdraw,
                &[
                    ("ticket", ticket.as_str()),
                    ("status", texts.status_name(case.status)),
                ],
            );
            return self.answer_without_case(Outbound::text(message));
        };
        let Next {
            mut reporter,
            is_new,
            to,
        } = self.next_reporter();
        reporter.case_closed(&case.id);
        if reporter.open_case.as_ref().is_some_and(|c| c.id == case.id) {
            reporter.open_case = None;
            reporter.awaiting = None;
        }
        let case_id = case.id.clone();
        let events = vec![self.message_event(), event];
        let reply = Reply {
            case_id: Some(case_id),
            message: Outbound::text(render(&texts.withdrawn, &[("ticket", ticket.as_str())])),
        };
        self.finish(
            Next { reporter, is_new, to },
            CaseWrite::Change { case, events },
            Some(reply),
        )
    }
}

#[cfg(test)]
mod erasure_tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::ladder::Ladder;
    use crate::domain::public_photo::PublicPhoto;
    use crate::domain::sla::SlaPolicy;

    #[test]
    fn an_erasure_unlinks_the_reporters_cases_and_takes_their_public_photo_down() {
        let open = |n| {
            let now = chrono::DateTime::UNIX_EPOCH;
            let (mut case, _) =
                Case::open(sample_new_case(n), &Ladder::default(), &SlaPolicy::default(), now);
            case.public_photo = Some(PublicPhoto {
                media_id: "ME1".into(),
                key: format!("cases/{}/01JD-ME1", case.ticket),
                mime_type: "image/jpeg".into(),
            });
            case
        };
        let (mine, kept, theirs) = (open(1), open(2), open(3));
        let mut kept = kept;
        kept.keep_files = true;
        let someone_elses = theirs.ticket.clone();
        let erasure = Erasure::unlinking(vec![mine, kept, theirs], |c| c.ticket != someone_elses);
        assert_eq!(erasure.cases.len(), 2);
        for case in &erasure.cases {
            assert_eq!(case.reporter, CaseReporter::Erased);
            assert_eq!(case.public_photo, None, "even with its files kept");
        }
    }
}
