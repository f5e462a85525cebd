//! Telling the citizen: every WhatsApp message to a reporter goes through
//! here, is recorded on the case timeline with its delivery status, and, when
//! it cannot go out, waits in the outbox for the sweep. Inside WhatsApp's
//! 24-hour window a free-form message is sent; outside it, the notice's
//! pre-approved template.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::retry::RetryPolicy;
use super::templates::{note_param, Param};
pub use super::templates::{TemplateKind, Templates};
use crate::conversation::{replies, Awaiting, OpenCase, Reporter};
use crate::domain::case::{Case, CaseId, Channel, Provider};
use crate::domain::identity::Sender;
use crate::domain::jurisdiction::Jurisdictions;
use crate::domain::ladder::Level;
use crate::domain::reporter::{ReporterError, ReporterId, ReporterKeys};
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{Actor, DeliveryStatus, EventBody, TimelineEvent};
use crate::store::{PendingOutbound, SavedReply, Store, StoreError};
use crate::texts::{render, Texts};
use crate::whatsapp::client::{SendError, WhatsAppApi};
use crate::whatsapp::outbound::Outbound;

/// WhatsApp allows free-form messages this long after the citizen's last message.
pub const WINDOW: Duration = Duration::hours(24);
/// Attempts before a message is given up and flagged failed on its case.
pub const MAX_ATTEMPTS: u32 = 5;
/// A send in progress is not retried by a sweep before this.
const LEASE: Duration = Duration::minutes(2);
/// Retries after 1, 2, 4, 8… minutes, at most an hour.
const RETRY: RetryPolicy = RetryPolicy {
    first_delay: Duration::minutes(1),
    max_delay: Duration::hours(1),
    max_attempts: MAX_ATTEMPTS,
    lease: LEASE,
};

/// Why a message to a citizen could not be prepared or recorded.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A configuration fault: the key the contact was sealed under is
    /// missing from the deployment's keys.
    #[error("the reporter's contact cannot be opened: {0}")]
    Contact(ReporterError),
}

/// What we tell a citizen about their case, beyond replies to their messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Verified,
    Rejected {
        reason: String,
    },
    InProgress,
    /// Asks whether it is really solved (yes/no buttons), with the
    /// official's photo of the work when there is one WhatsApp can send
    /// (the media id of our upload).
    Resolved {
        note: String,
        photo: Option<String>,
    },
    Escalated {
        level: Level,
    },
    /// Handed to another office (down, up, sideways): the office that has it now.
    Forwarded {
        level: Level,
    },
    /// Closed as not the city's to handle: the reason, and who to turn to.
    OutsideAuthority {
        reason: String,
        to: String,
    },
    /// Closed with nothing more to be done, and why.
    NoFurtherAction {
        reason: String,
    },
    OfficialMessage {
        text: String,
    },
    /// A question answered, and closed with it.
    Answered {
        answer: String,
    },
    AutoClosed,
    /// Closed as the same report as `into`, whose news they get from now on.
    Merged {
        into: Ticket,
    },
    /// A merge into `into` undone: the case is handled on its own again.
    Unmerged {
        into: Ticket,
    },
}

impl Notice {
    /// Whether the reporters of the cases merged into a case hear it too:
    /// its progress, not what is said to its own reporter alone.
    pub fn reaches_merged(&self) -> bool {
        !matches!(
            self,
            Notice::OfficialMessage { .. } | Notice::Merged { .. } | Notice::Unmerged { .. }
        )
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        message_id: String,
        via_template: bool,
    },
    /// It did not go out; the sweep will retry it.
    Pending,
    /// Not sent, and never will be: the citizen sent `BERHENTI`, erased
    /// their data, or their contact's retention ran out. Recorded on the
    /// case as withheld, so officials see it.
    Withheld,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RetrySummary {
    pub sent: u32,
    pub rescheduled: u32,
    pub failed: u32,
    pub skipped: u32,
    pub withheld: u32,
}

/// A message to a citizen, composed and ready: saved as pending (with the
/// change it announces, in one write), then sent at once. Until it is sent
/// the sweep sees it only after [`LEASE`], so the two do not race.
#[derive(Debug, Clone)]
pub struct Staged {
    pub pending: PendingOutbound,
    channel: Channel,
    /// None: not sent, recorded as withheld (the citizen asked for no
    /// messages but replies, erased their data, or their contact's
    /// retention ran out).
    to: Option<Sender>,
    via_template: bool,
    /// The reporter's record as read for the contact: a change that closes
    /// or reopens the case writes it with the change, without reading it
    /// again ([`Store::save_case_audited`]).
    reporter: Option<Reporter>,
}

impl Staged {
    /// A reply to a message the citizen just sent (always inside the
    /// window), ready to be saved with that message and then sent.
    pub fn reply(
        case_id: &CaseId,
        channel: &Channel,
        to: &Sender,
        message: Outbound,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            pending: PendingOutbound {
                case_id: case_id.clone(),
                event: outbound_event(now, &message, false, DeliveryStatus::Pending),
                payload: message,
                attempts: 0,
            },
            channel: channel.clone(),
            to: Some(to.clone()),
            via_template: false,
            reporter: None,
        }
    }

    /// When the sweep may take it, if it is still pending then.
    pub fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + LEASE
    }

    /// The reporter's record as read to stage it, if there is one.
    pub fn reporter(&self) -> Option<&Reporter> {
        self.reporter.as_ref()
    }

    /// The case's own reporter's record, as read for the notices of a
    /// change ([`CitizenMessenger::stage_notice_all`] puts theirs first).
    pub fn own_reporter(staged: &[Staged]) -> Option<&Reporter> {
        staged.first().and_then(Staged::reporter)
    }
}

/// Composes messages to citizens, sends them, and records them on their
/// cases through the store each call is given.
#[derive(Clone)]
pub struct CitizenMessenger {
    pub api: WhatsAppApi,
    pub keys: Arc<ReporterKeys>,
    pub texts: Arc<Texts>,
    pub tree: Arc<Jurisdictions>,
    pub templates: Templates,
}

impl CitizenMessenger {
    /// Records a reply the provider sends for us (Twilio's inline TwiML).
    pub async fn record_inline(
        &self,
        store: &Store,
        case_id: &CaseId,
        message: &Outbound,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let event = outbound_event(now, message, false, DeliveryStatus::Sent);
        store.record_final(case_id, &event).await
    }

    /// Best effort, for answers that belong to no case (help, `STATUS`):
    /// the citizen can simply ask again.
    pub async fn reply_unrecorded(
        &self,
        channel: &Channel,
        to: &Sender,
        message: &Outbound,
    ) -> Result<String, SendError> {
        self.api.send(channel, to, message).await
    }

    /// Tells the reporter of `case` about it, recorded on the timeline as
    /// sent by `actor` (an official writing to the citizen, or the system).
    /// The message is recorded as pending first, so that it is sent even if
    /// this process stops before it is. An error means nothing was saved
    /// (the caller retries); once the pending message is saved the answer is
    /// `Ok`, `Pending` if this attempt's outcome could not be recorded.
    pub async fn tell_as(
        &self,
        store: &Store,
        case: &Case,
        notice: Notice,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Delivery, NotifyError> {
        let staged = self.stage_notice(store, case, notice, actor, now).await?;
        store
            .record_pending(&staged.pending, staged.lease_until(now))
            .await?;
        let case_id = staged.pending.case_id.clone();
        Ok(self
            .send_staged(store, staged, now)
            .await
            .unwrap_or_else(|error| {
                // Saved as pending: the sweep sends it, or records what was sent.
                tracing::error!(case = %case_id, %error, "message outcome not recorded");
                Delivery::Pending
            }))
    }

    /// The message telling the reporter of `case` about `notice`, ready to be
    /// saved in the same write as the change it announces (so that the
    /// change is never saved without it) and then sent with
    /// [`CitizenMessenger::send_staged`]. Reads the reporter's record for
    /// the contact and the window; `Resolved` also makes their next answer
    /// the reply to "is it solved?".
    pub async fn stage_notice(
        &self,
        store: &Store,
        case: &Case,
        notice: Notice,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Staged, NotifyError> {
        self.stage_notice_to(store, case, case, notice, actor, now).await
    }

    /// [`CitizenMessenger::stage_notice`], and when the notice is news of
    /// the case's progress, one to the reporter of each case merged into it
    /// (each merged case read for its reporter as they are now: none once
    /// they erased their data). The case's own reporter's comes first; a
    /// reporter of several of these cases (who reported it twice) is told
    /// once.
    pub async fn stage_notice_all(
        &self,
        store: &Store,
        case: &Case,
        notice: Notice,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Staged>, NotifyError> {
        let mut staged = vec![
            self.stage_notice(store, case, notice.clone(), actor.clone(), now)
                .await?,
        ];
        if !notice.reaches_merged() {
            return Ok(staged);
        }
        let mut told: Vec<ReporterId> = case.reporter.id().into_iter().cloned().collect();
        for merged in &case.merged {
            let Some(follower) = store.case(&merged.case).await? else {
                continue;
            };
            if let Some(reporter) = follower.reporter.id() {
                if told.contains(reporter) {
                    continue;
                }
                told.push(reporter.clone());
            }
            if follower.merged_into.as_ref().is_some_and(|m| m.case == case.id) {
                let to = self
                    .stage_notice_to(store, case, &follower, notice.clone(), actor.clone(), now)
                    .await?;
                staged.push(to);
            }
        }
        Ok(staged)
    }

    /// [`CitizenMessenger::stage_notice`] about `case`, to the reporter of
    /// `to` and recorded on its timeline: `to` is `case` itself or a case
    /// merged into it, whose reporter follows it (their "is it solved?"
    /// answer is about `case`).
    pub async fn stage_notice_to(
        &self,
        store: &Store,
        case: &Case,
        to: &Case,
        notice: Notice,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Staged, NotifyError> {
        // The reporter erased their data, or their contact's retention ran
        // out (the record deleted, or past its time and not yet): the case
        // can no longer reach them. Recorded as withheld, so officials see
        // it was not sent.
        let withheld = |reporter: Option<Reporter>| {
            let message = self.compose(case, &notice);
            let mut event = outbound_event(now, &message, false, DeliveryStatus::Pending);
            event.actor = actor.clone();
            Staged {
                pending: PendingOutbound {
                    case_id: to.id.clone(),
                    event,
                    payload: message,
                    attempts: 0,
                },
                channel: to.channel.clone(),
                to: None,
                via_template: false,
                reporter,
            }
        };
        let Some(reporter_id) = to.reporter.id() else {
            return Ok(withheld(None));
        };
        let Some(mut reporter) = store.reporter(reporter_id).await? else {
            return Ok(withheld(None));
        };
        let Some(sealed) = reporter.contact_at(now) else {
            return Ok(withheld(Some(reporter)));
        };
        // A record merged into another is kept as a copy of it: the contact
        // is sealed for the record's own id.
        let contact = self
            .keys
            .contacts
            .open(&reporter.id, sealed)
            .map_err(NotifyError::Contact)?;
        if let Notice::Resolved { .. } = notice {
            let asked = Awaiting::Confirmation {
                case: OpenCase {
                    id: case.id.clone(),
                    ticket: case.ticket.clone(),
                },
            };
            // The reporter may be writing at this moment: re-read on conflict.
            loop {
                reporter.awaiting = Some(Awaiting::asked(reporter.awaiting.take(), asked.clone()));
                match store.save_reporter(&mut reporter).await {
                    Err(e) if e.is_conflict() => {
                        reporter = store.reporter(reporter_id).await?.ok_or(e)?;
                    }
                    other => break other?,
                }
            }
        }
        let inside_window = now - reporter.last_inbound_at < WINDOW;
        let message = match self.with_photo(case, to, &notice) {
            Some(message) => message,
            None if inside_window => self.compose(case, &notice),
            None => self.template(case, &notice),
        };
        let via_template = matches!(message, Outbound::Template { .. });
        let mut event = outbound_event(now, &message, via_template, DeliveryStatus::Pending);
        event.actor = actor;
        Ok(Staged {
            pending: PendingOutbound {
                case_id: to.id.clone(),
                event,
                payload: message,
                attempts: 0,
            },
            channel: to.channel.clone(),
            to: Some(contact).filter(|_| reporter.stopped_at.is_none()),
            via_template,
            reporter: Some(reporter),
        })
    }

    /// Sends a message saved as pending, and records the outcome.
    pub async fn send_staged(
        &self,
        store: &Store,
        staged: Staged,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let Some(to) = &staged.to else {
            return withhold(store, staged.pending).await;
        };
        self.deliver(
            store,
            &staged.channel,
            to,
            staged.pending,
            staged.via_template,
            now,
        )
        .await
    }

    /// Sends the reply saved with a redelivered message, if it is still
    /// pending and due (its first attempt's lease over): claimed first, so
    /// a sweep never sends it too. `None` when it went out already, or is
    /// someone else's to send.
    pub async fn send_saved_reply(
        &self,
        store: &Store,
        reply: &SavedReply,
        channel: &Channel,
        to: &Sender,
        now: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        let Some(pending) = store.claim_due_outbound(reply, now, now + LEASE).await? else {
            return Ok(None);
        };
        let via_template = matches!(pending.payload, Outbound::Template { .. });
        self.deliver(store, channel, to, pending, via_template, now)
            .await
            .map(Some)
    }

    /// The notice inside the window, from the texts file.
    fn compose(&self, case: &Case, notice: &Notice) -> Outbound {
        let texts = &self.texts;
        let ticket = case.ticket.as_str();
        let simple = |template: &str| Outbound::text(render(template, &[("ticket", ticket)]));
        match notice {
            Notice::Verified => simple(&texts.verified),
            Notice::InProgress => simple(&texts.in_progress),
            Notice::AutoClosed => simple(&texts.auto_closed),
            Notice::Rejected { reason } => {
                Outbound::text(render(&texts.rejected, &[("ticket", ticket), ("reason", reason)]))
            }
            Notice::Resolved { note, .. } => replies::confirm_question(texts, &case.ticket, note),
            Notice::Escalated { level } => {
                let office = replies::office_name(texts, &self.tree, case, level);
                Outbound::text(render(
                    &texts.escalated,
                    &[("ticket", ticket), ("office", &office)],
                ))
            }
            Notice::Forwarded { level } => {
                let office = replies::office_name(texts, &self.tree, case, level);
                Outbound::text(render(
                    &texts.forwarded,
                    &[("ticket", ticket), ("office", &office)],
                ))
            }
            Notice::OutsideAuthority { reason, to } => Outbound::text(render(
                &texts.closed_outside_authority,
                &[("ticket", ticket), ("reason", reason), ("office", to)],
            )),
            Notice::NoFurtherAction { reason } => Outbound::text(render(
                &texts.closed_no_further_action,
                &[("ticket", ticket), ("reason", reason)],
            )),
            Notice::OfficialMessage { text } => Outbound::text(render(
                &texts.official_message,
                &[("ticket", ticket), ("text", text)],
            )),
            Notice::Answered { answer } => {
                Outbound::text(render(&texts.answered, &[("ticket", ticket), ("answer", answer)]))
            }
            Notice::Merged { into } => Outbound::text(render(
                &texts.merged,
                &[("ticket", ticket), ("into", into.as_str())],
            )),
            Notice::Unmerged { into } => Outbound::text(render(
                &texts.unmerged,
                &[
                    ("ticket", ticket),
                    ("into", into.as_str()),
                    ("status", texts.status_name(case.status)),
                ],
            )),
        }
    }

    /// A resolution with the official's photo, to a reporter on Meta's
    /// numbers (whose media the upload is): always its template, inside the
    /// window or not, as a free-form message with buttons cannot carry an
    /// uploaded image. `None` for every other notice.
    fn with_photo(&self, case: &Case, to: &Case, notice: &Notice) -> Option<Outbound> {
        let Notice::Resolved {
            note,
            photo: Some(photo),
        } = notice
        else {
            return None;
        };
        if to.channel.provider != Provider::Meta {
            return None;
        }
        Some(self.fill(
            TemplateKind::ConfirmSolvedPhoto,
            case,
            Some(note),
            None,
            Some(photo.clone()),
        ))
    }

    /// The notice outside the window: its own approved template, with the
    /// ticket, the office or the note as its parameters.
    fn template(&self, case: &Case, notice: &Notice) -> Outbound {
        // The closures go as the rejection's template ("cannot be processed
        // here: <why>"), their reason and where to turn in its note.
        let outside;
        let merge_text;
        let (kind, note, level) = match notice {
            // No template of their own: the official message's, with what
            // the window's text says as its note.
            Notice::Merged { .. } | Notice::Unmerged { .. } => {
                merge_text = self.compose(case, notice).as_plain_text();
                (TemplateKind::OfficialMessage, Some(&merge_text), None)
            }
            Notice::Forwarded { level } => (TemplateKind::Escalated, None, Some(level)),
            Notice::OutsideAuthority { reason, to } => {
                outside = format!("{reason} Silakan sampaikan kepada {to}.");
                (TemplateKind::Rejected, Some(&outside), None)
            }
            Notice::NoFurtherAction { reason } => (TemplateKind::Rejected, Some(reason), None),
            Notice::Verified => (TemplateKind::Verified, None, None),
            Notice::InProgress => (TemplateKind::InProgress, None, None),
            Notice::AutoClosed => (TemplateKind::AutoClosed, None, None),
            Notice::Rejected { reason } => (TemplateKind::Rejected, Some(reason), None),
            Notice::Resolved { note, .. } => (TemplateKind::ConfirmSolved, Some(note), None),
            Notice::Escalated { level } => (TemplateKind::Escalated, None, Some(level)),
            Notice::OfficialMessage { text } => (TemplateKind::OfficialMessage, Some(text), None),
            Notice::Answered { answer } => (TemplateKind::Answered, Some(answer), None),
        };
        self.fill(kind, case, note, level, None)
    }

    /// `kind`'s template, its parameters filled from the case, the note and
    /// the office at `level` (the case's own by default).
    fn fill(
        &self,
        kind: TemplateKind,
        case: &Case,
        note: Option<&String>,
        level: Option<&Level>,
        header_image: Option<String>,
    ) -> Outbound {
        let params = kind
            .params()
            .iter()
            .map(|param| match param {
                Param::Ticket => case.ticket.to_string(),
                Param::Note => note_param(note.map_or("", String::as_str)),
                Param::Office => {
                    let level = level.unwrap_or(&case.level);
                    replies::office_name(&self.texts, &self.tree, case, level)
                }
            })
            .collect();
        Outbound::Template {
            name: self.templates.name(kind).to_owned(),
            language: self.templates.language.clone(),
            params,
            // A tap on a citizen's template button sends its label, which
            // the conversation reads as typed.
            buttons: Vec::new(),
            header_image,
        }
    }

    /// Sends, then records the outcome on the case in one write: sent with
    /// the provider's id, or pending with a backoff (failed after the last
    /// attempt, or at once when retrying cannot help).
    async fn deliver(
        &self,
        store: &Store,
        channel: &Channel,
        to: &Sender,
        mut pending: PendingOutbound,
        via_template: bool,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        pending.attempts += 1;
        match self.api.send(channel, to, &pending.payload).await {
            Ok(message_id) => {
                if let EventBody::Outbound {
                    status,
                    provider_message_id,
                    error,
                    ..
                } = &mut pending.event.body
                {
                    *status = DeliveryStatus::Sent;
                    *provider_message_id = Some(message_id.clone());
                    *error = None;
                }
                store
                    .record_sent(channel.provider, &pending.case_id, &pending.event)
                    .await?;
                Ok(Delivery::Sent {
                    message_id,
                    via_template,
                })
            }
            Err(send_error) => {
                tracing::warn!(case = %pending.case_id, error = %send_error, attempt = pending.attempts, "message not sent");
                let give_up = !send_error.is_retryable() || pending.attempts >= MAX_ATTEMPTS;
                if let EventBody::Outbound { status, error, .. } = &mut pending.event.body {
                    *error = Some(send_error.to_string());
                    if give_up {
                        *status = DeliveryStatus::Failed;
                    }
                }
                if give_up {
                    store.record_final(&pending.case_id, &pending.event).await?;
                } else {
                    store
                        .record_pending(&pending, RETRY.next_attempt(pending.attempts, now))
                        .await?;
                }
                Ok(Delivery::Pending)
            }
        }
    }

    /// The sweep's part: sends what is pending and due, each message claimed
    /// first so two overlapping sweeps never send it twice.
    pub async fn retry_pending(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        limit: i32,
    ) -> Result<RetrySummary, StoreError> {
        let mut summary = RetrySummary::default();
        for pending in store.pending_outbound(now, limit).await? {
            if !store.claim_outbound(&pending, now + LEASE).await? {
                summary.skipped += 1;
                continue;
            }
            let Some(case) = store.case(&pending.case_id).await? else {
                summary.skipped += 1;
                continue;
            };
            let Some(reporter_id) = case.reporter.id() else {
                // The reporter erased their data since: it drops out.
                withhold(store, pending).await?;
                summary.withheld += 1;
                continue;
            };
            let reporter = store.reporter(reporter_id).await?;
            let Some((reporter, sealed)) = reporter.as_ref().and_then(|r| Some((r, r.contact_at(now)?)))
            else {
                // Their contact's retention ran out since (the record
                // deleted by TTL, or past its time and not yet): it drops
                // out, as after an erasure.
                withhold(store, pending).await?;
                summary.withheld += 1;
                continue;
            };
            let to = match self.keys.contacts.open(&reporter.id, sealed) {
                Ok(to) => to,
                Err(error) => {
                    // A configuration fault, not this message's: it stays
                    // pending (claimed, so retried after the lease) and goes
                    // out once the key is configured again; the others go on.
                    tracing::error!(case = %case.id, %error, "configuration: a pending message's contact cannot be opened");
                    summary.skipped += 1;
                    continue;
                }
            };
            if reporter.stopped_at.is_some() {
                // They sent BERHENTI after this was saved.
                withhold(store, pending).await?;
                summary.withheld += 1;
                continue;
            }
            let claimed = PendingOutbound {
                attempts: pending.attempts,
                ..pending
            };
            let via_template = matches!(claimed.payload, Outbound::Template { .. });
            match self
                .deliver(store, &case.channel, &to, claimed.clone(), via_template, now)
                .await?
            {
                Delivery::Sent { .. } => summary.sent += 1,
                Delivery::Pending if claimed.attempts + 1 >= MAX_ATTEMPTS => summary.failed += 1,
                Delivery::Pending => summary.rescheduled += 1,
                Delivery::Withheld => summary.withheld += 1,
            }
        }
        Ok(summary)
    }
}

/// Records a message as withheld instead of sending it (out of the outbox).
async fn withhold(store: &Store, mut pending: PendingOutbound) -> Result<Delivery, StoreError> {
    if let EventBody::Outbound { status, .. } = &mut pending.event.body {
        *status = DeliveryStatus::Withheld;
    }
    store.record_final(&pending.case_id, &pending.event).await?;
    Ok(Delivery::Withheld)
}

fn outbound_event(
    now: DateTime<Utc>,
    message: &Outbound,
    via_template: bool,
    status: DeliveryStatus,
) -> TimelineEvent {
    TimelineEvent::new(
        now,
        Actor::System,
        EventBody::Outbound {
            text: message.as_plain_text(),
            via_template,
            status,
            provider_message_id: None,
            error: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let now = DateTime::UNIX_EPOCH;
        let minutes: Vec<i64> = (1..=8)
            .map(|a| (RETRY.next_attempt(a, now) - now).num_minutes())
            .collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
