//! One inbound message, as a straight line: load state (one read) → decide
//! (pure) → write once → hand back the reply to send. A conflict (another
//! message of the same citizen written first) re-reads and decides again.

use chrono::{DateTime, Duration, Utc};

use aduan_shared::archive::MediaJob;
use aduan_shared::conversation::{
    self, replies, Awaiting, Command, Decision, Effect, OpenCase, State, TicketArg,
};
use aduan_shared::domain::case::{Case, CaseId, Channel, NewCase, Provider};
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::reporter::ReporterId;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{Actor, EventBody, MediaStorage, MessageContent, TimelineEvent};
use aduan_shared::notify::citizen::Staged;
use aduan_shared::store::{CitizenWrite, InboundKey, NewCaseWrite, PendingOutbound, Reporter, StoreError};
use aduan_shared::texts::render;
use aduan_shared::whatsapp::outbound::Outbound;
use aduan_shared::whatsapp::{Inbound, InboundBody};

use crate::App;

/// What to send back, and the case to record it on (none for answers that
/// belong to no case, such as `STATUS`).
#[derive(Debug, Clone)]
pub struct Reply {
    pub case_id: Option<CaseId>,
    pub message: Outbound,
    /// The reply to a case, saved as pending with the message it answers:
    /// sent now, or by the sweep. None for answers that belong to no case
    /// and for Twilio's, which go back inline.
    pub staged: Option<Staged>,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// The same message, delivered again: nothing written, nothing sent.
    Duplicate,
    Handled {
        reply: Option<Box<Reply>>,
        /// A file recorded as pending, to fetch before answering.
        media: Option<Box<MediaJob>>,
    },
}

/// Conflicts are other messages of the same citizen landing at the same
/// moment; a few rounds settle any burst WhatsApp delivers.
const MAX_ROUNDS: usize = 8;

pub async fn process(app: &App, inbound: &Inbound, now: DateTime<Utc>) -> Result<Outcome, StoreError> {
    let reporter_id = app.keys.hasher.reporter_id(&inbound.from);
    let key = InboundKey {
        provider: inbound.provider,
        message_id: inbound.message_id.clone(),
    };
    let mut ticket = None;
    let mut open_case_closed = false;
    let mut last_conflict = StoreError::Contended;
    for _ in 0..MAX_ROUNDS {
        let (handled, mut reporter) = app.store.inbound_and_reporter(&key, &reporter_id).await?;
        if handled.is_some() {
            return Ok(Outcome::Duplicate);
        }
        if open_case_closed {
            // Officials closed the case the reporter's record points at:
            // this message starts a new one.
            if let Some(r) = reporter.as_mut() {
                r.open_case = None;
                r.awaiting = None;
            }
        }
        let state = State {
            open_case: reporter.as_ref().and_then(|r| r.open_case.as_ref()),
            awaiting: reporter.as_ref().and_then(|r| r.awaiting.as_ref()),
        };
        let ctx = conversation::Context {
            tree: &app.tree,
            texts: &app.texts,
            receiving_kecamatan: app.number_kecamatan.get(&inbound.number_id),
        };
        let decision = conversation::decide(&inbound.body, state, ctx);
        let mut message = Message {
            app,
            inbound,
            key: &key,
            reporter_id: &reporter_id,
            reporter,
            now,
            media: None,
        };
        match message.carry_out(decision, &mut ticket).await {
            Err(StoreError::CaseClosed) => open_case_closed = true,
            Err(e) if e.is_conflict() => last_conflict = e,
            Err(StoreError::DuplicateMessage) => return Ok(Outcome::Duplicate),
            Err(e) => return Err(e),
            Ok(reply) => {
                return Ok(Outcome::Handled {
                    reply: reply.map(Box::new),
                    media: message.media.map(Box::new),
                })
            }
        }
    }
    Err(last_conflict)
}

struct Message<'a> {
    app: &'a App,
    inbound: &'a Inbound,
    key: &'a InboundKey,
    reporter_id: &'a ReporterId,
    reporter: Option<Reporter>,
    now: DateTime<Utc>,
    /// Set once the message event with a pending file is written.
    media: Option<MediaJob>,
}

impl Message<'_> {
    /// The reporter's record as it will be after this message, and whether
    /// it is new. The contact is re-sealed when it was sealed under an older
    /// key, so a key rotation completes as citizens write in.
    fn next_reporter(&self) -> (Reporter, bool) {
        let contacts = &self.app.keys.contacts;
        match &self.reporter {
            Some(existing) => {
                let mut next = existing.clone();
                next.last_inbound_at = self.now.max(existing.last_inbound_at);
                if existing.contact.key_id != contacts.current_key_id() {
                    next.contact = contacts.seal(&self.inbound.from);
                }
                (next, false)
            }
            None => (
                Reporter {
                    id: self.reporter_id.clone(),
                    open_case: None,
                    awaiting: None,
                    contact: contacts.seal(&self.inbound.from),
                    last_inbound_at: self.now,
                    version: 0,
                },
                true,
            ),
        }
    }

    fn message_event(&self) -> TimelineEvent {
        let content = match &self.inbound.body {
            InboundBody::Content(content) => content.clone(),
            InboundBody::Choice { title, .. } => MessageContent::Text { body: title.clone() },
        };
        // With a bucket, a file is pending from the start: the write that
        // records the message also puts it in the media outbox.
        let stored = (self.app.media.is_some() && matches!(content, MessageContent::Media { .. }))
            .then_some(MediaStorage::Pending);
        TimelineEvent::new(
            self.now,
            Actor::Citizen,
            EventBody::Message {
                provider_message_id: self.inbound.message_id.clone(),
                content,
                stored,
                file: None,
                store_error: None,
            },
        )
    }

    /// The reply to this message on `case_id`, to be saved with it; Twilio's
    /// replies go back inline in the webhook's answer instead.
    fn stage(&self, case_id: &CaseId, message: &Outbound) -> Option<Staged> {
        (self.inbound.provider == Provider::Meta).then(|| {
            // A millisecond after the message it answers, so it sorts after it.
            let at = self.now + Duration::milliseconds(1);
            self.app
                .messenger
                .stage_reply(case_id, &self.channel(), &self.inbound.from, message.clone(), at)
        })
    }

    fn pending<'s>(&self, staged: &'s Option<Staged>) -> Option<(&'s PendingOutbound, DateTime<Utc>)> {
        staged.as_ref().map(|m| (&m.pending, m.lease_until(self.now)))
    }

    /// Remembers the file of a message event just written, to fetch it.
    fn written(&mut self, case_id: &CaseId, ticket: &Ticket, event: &TimelineEvent) {
        self.media = MediaJob::of(case_id, ticket, self.inbound.provider, event);
    }

    fn channel(&self) -> Channel {
        Channel {
            provider: self.inbound.provider,
            number_id: self.inbound.number_id.clone(),
        }
    }

    async fn carry_out(
        &mut self,
        decision: Decision,
        ticket: &mut Option<Ticket>,
    ) -> Result<Option<Reply>, StoreError> {
        match decision {
            Decision::Open {
                kind,
                description,
                jurisdiction,
                home,
                question,
            } => {
                let ticket = match ticket {
                    Some(t) => t.clone(),
                    None => {
                        let number = self.app.store.next_ticket_number().await?;
                        let t = Ticket::new(&self.app.policy.ticket_prefix, number)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        *ticket = Some(t.clone());
                        t
                    }
                };
                let new = NewCase {
                    ticket,
                    kind,
                    description,
                    jurisdiction,
                    home,
                    reporter: self.reporter_id.clone(),
                    channel: self.channel(),
                };
                self.open(new, question).await
            }
            Decision::Append {
                effect,
                reply,
                awaiting,
            } => self.append(effect, reply, awaiting).await,
            Decision::Command(command) => self.command(command, ticket).await,
            Decision::Reply(message) => {
                self.record_without_case(None).await?;
                Ok(Some(Reply {
                    case_id: None,
                    message,
                    staged: None,
                }))
            }
        }
    }

    async fn open(
        &mut self,
        new: NewCase,
        question: Option<(Outbound, Awaiting)>,
    ) -> Result<Option<Reply>, StoreError> {
        let (case, opened) = Case::open(new, &self.app.policy.ladder, &self.app.policy.sla, self.now);
        let (mut reporter, is_new) = self.next_reporter();
        reporter.open_case = Some(OpenCase {
            id: case.id.clone(),
            ticket: case.ticket.clone(),
        });
        reporter.awaiting = question.as_ref().map(|(_, awaiting)| awaiting.clone());
        let events = [opened, self.message_event()];
        let ack = replies::acknowledge(
            &self.app.texts,
            &self.app.tree,
            &case.ticket,
            case.kind,
            case.jurisdiction.as_ref(),
            question.as_ref().map(|(q, _)| q),
        );
        let staged = self.stage(&case.id, &ack);
        self.app
            .store
            .create_case_with(
                NewCaseWrite {
                    case: &case,
                    events: &events,
                    inbound: Some(self.key),
                    reporter: &mut reporter,
                    reporter_is_new: is_new,
                },
                self.pending(&staged),
            )
            .await?;
        self.written(&case.id, &case.ticket, &events[1]);
        Ok(Some(Reply {
            case_id: Some(case.id),
            message: ack,
            staged,
        }))
    }

    async fn append(
        &mut self,
        effect: Effect,
        reply: Option<Outbound>,
        awaiting: Option<Awaiting>,
    ) -> Result<Option<Reply>, StoreError> {
        let (mut reporter, is_new) = self.next_reporter();
        reporter.awaiting = awaiting;
        let mut events = vec![self.message_event()];
        let sla = &self.app.policy.sla;
        let (case_id, mut changed) = match effect {
            Effect::Nothing => (reporter.open_case.as_ref().map(|c| c.id.clone()), None),
            Effect::SetArea(path) => {
                let Some(open) = reporter.open_case.clone() else {
                    return Ok(None);
                };
                let mut case = self.read_case(&open.id).await?;
                case.jurisdiction = Some(path.clone());
                case.updated_at = self.now;
                events.push(TimelineEvent::new(
                    self.now,
                    Actor::Citizen,
                    EventBody::Reclassified {
                        kind: None,
                        category: None,
                        jurisdiction: Some(path),
                    },
                ));
                (Some(open.id), Some(case))
            }
            Effect::Confirm { case: asked, solved } => {
                let mut case = self.read_case(&asked.id).await?;
                if case.status == Status::Resolved {
                    let transition = if solved {
                        Transition::Close
                    } else {
                        Transition::Reopen
                    };
                    let event = case
                        .transition(transition, Actor::Citizen, None, sla, self.now)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    events.push(event);
                    if solved && reporter.open_case.as_ref().is_some_and(|c| c.id == case.id) {
                        reporter.open_case = None;
                    }
                }
                (Some(asked.id), Some(case))
            }
            Effect::Rate { case: rated, rating } => {
                let mut case = self.read_case(&rated.id).await?;
                case.rating = Some(rating);
                case.updated_at = self.now;
                events.push(TimelineEvent::new(
                    self.now,
                    Actor::Citizen,
                    EventBody::Rated { rating },
                ));
                (Some(rated.id), Some(case))
            }
        };
        let staged = match (&case_id, &reply) {
            (Some(id), Some(message)) => self.stage(id, message),
            _ => None,
        };
        // The ticket of the case the message goes on, for its file's key.
        let ticket = changed
            .as_ref()
            .map(|c| c.ticket.clone())
            .or_else(|| reporter.open_case.as_ref().map(|c| c.ticket.clone()));
        self.app
            .store
            .record_citizen_message_with(
                CitizenWrite {
                    case_id: case_id.as_ref(),
                    case: changed.as_mut(),
                    events: if case_id.is_some() { &events } else { &[] },
                    inbound: self.key,
                    reporter: &mut reporter,
                    reporter_is_new: is_new,
                },
                self.pending(&staged),
            )
            .await?;
        if let (Some(id), Some(ticket)) = (&case_id, &ticket) {
            self.written(id, ticket, &events[0]);
        }
        Ok(reply.map(|message| Reply {
            case_id,
            message,
            staged,
        }))
    }

    async fn read_case(&self, id: &CaseId) -> Result<Case, StoreError> {
        self.app
            .store
            .case(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the reporter's case is missing".into()))
    }

    /// Records a message that goes on no case: its de-duplication record and
    /// the reporter's window. `open_case` replaces the reporter's open case
    /// when given (`BARU`).
    async fn record_without_case(&mut self, open_case: Option<Option<OpenCase>>) -> Result<(), StoreError> {
        let (mut reporter, is_new) = self.next_reporter();
        if let Some(open_case) = open_case {
            reporter.open_case = open_case;
            reporter.awaiting = None;
        }
        self.app
            .store
            .record_citizen_message(CitizenWrite {
                case_id: None,
                case: None,
                events: &[],
                inbound: self.key,
                reporter: &mut reporter,
                reporter_is_new: is_new,
            })
            .await
    }

    async fn command(
        &mut self,
        command: Command,
        ticket: &mut Option<Ticket>,
    ) -> Result<Option<Reply>, StoreError> {
        let texts = &self.app.texts;
        let calendar = &self.app.policy.sla.calendar;
        let unrecorded = |message| {
            Ok(Some(Reply {
                case_id: None,
                message,
                staged: None,
            }))
        };
        match command {
            Command::Help => {
                self.record_without_case(None).await?;
                unrecorded(Outbound::text(&texts.help))
            }
            Command::New(None) => {
                self.record_without_case(Some(None)).await?;
                unrecorded(Outbound::text(&texts.new_prompt))
            }
            Command::New(Some(text)) => {
                // A new report right away, whatever case is open.
                if let Some(r) = self.reporter.as_mut() {
                    r.open_case = None;
                    r.awaiting = None;
                }
                let ctx = conversation::Context {
                    tree: &self.app.tree,
                    texts,
                    receiving_kecamatan: self.app.number_kecamatan.get(&self.inbound.number_id),
                };
                let decision = conversation::decide(
                    &InboundBody::Content(MessageContent::Text { body: text }),
                    State::default(),
                    ctx,
                );
                Box::pin(self.carry_out(decision, ticket)).await
            }
            Command::StatusAll => {
                let cases = self.app.store.reporter_cases(self.reporter_id, 10).await?;
                self.record_without_case(None).await?;
                unrecorded(replies::status_list(texts, calendar, &cases))
            }
            Command::Status(TicketArg::Valid(ticket)) => {
                let case = self.own_case(&ticket).await?;
                self.record_without_case(None).await?;
                match case {
                    Some(case) => unrecorded(replies::status_one(texts, &self.app.tree, calendar, &case)),
                    None => unrecorded(Outbound::text(render(
                        &texts.not_found,
                        &[("ticket", ticket.as_str())],
                    ))),
                }
            }
            Command::Status(TicketArg::Invalid) | Command::Withdraw(TicketArg::Invalid) => {
                self.record_without_case(None).await?;
                unrecorded(Outbound::text(&texts.bad_ticket))
            }
            Command::Withdraw(TicketArg::Valid(ticket)) => self.withdraw(&ticket).await,
        }
    }

    /// The citizen's own case with that ticket; someone else's is "not
    /// found", exactly like one that does not exist.
    async fn own_case(&self, ticket: &Ticket) -> Result<Option<Case>, StoreError> {
        let case = self.app.store.case_by_ticket(ticket).await?;
        Ok(case.filter(|c| &c.reporter == self.reporter_id))
    }

    async fn withdraw(&mut self, ticket: &Ticket) -> Result<Option<Reply>, StoreError> {
        let texts = &self.app.texts;
        let Some(mut case) = self.own_case(ticket).await? else {
            self.record_without_case(None).await?;
            let message = Outbound::text(render(&texts.not_found, &[("ticket", ticket.as_str())]));
            return Ok(Some(Reply {
                case_id: None,
                message,
                staged: None,
            }));
        };
        let (mut reporter, is_new) = self.next_reporter();
        let mut events = vec![self.message_event()];
        let message = match case.transition(
            Transition::Withdraw,
            Actor::Citizen,
            None,
            &self.app.policy.sla,
            self.now,
        ) {
            Ok(event) => {
                events.push(event);
                if reporter.open_case.as_ref().is_some_and(|c| c.id == case.id) {
                    reporter.open_case = None;
                    reporter.awaiting = None;
                }
                render(&texts.withdrawn, &[("ticket", ticket.as_str())])
            }
            Err(_) => render(
                &texts.cannot_withdraw,
                &[
                    ("ticket", ticket.as_str()),
                    ("status", texts.status_name(case.status)),
                ],
            ),
        };
        let case_id = case.id.clone();
        let changed = events.len() > 1;
        let message = Outbound::text(message);
        let staged = self.stage(&case_id, &message);
        self.app
            .store
            .record_citizen_message_with(
                CitizenWrite {
                    case_id: Some(&case_id),
                    case: changed.then_some(&mut case),
                    events: &events,
                    inbound: self.key,
                    reporter: &mut reporter,
                    reporter_is_new: is_new,
                },
                self.pending(&staged),
            )
            .await?;
        self.written(&case_id, &case.ticket, &events[0]);
        Ok(Some(Reply {
            case_id: Some(case_id),
            message,
            staged,
        }))
    }
}
