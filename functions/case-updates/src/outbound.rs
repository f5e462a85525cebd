//! Telling the citizen: one call per action, after the case is saved,
//! through the shared [`CitizenMessenger`] (free-form inside WhatsApp's
//! 24-hour window, the notice's template outside it; recorded on the
//! timeline). A failed send never fails the request: the message waits for
//! the sweep and the response says so.

use aduan_shared::domain::audit::AuditEntry;
use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::domain::timeline::Actor;
pub use aduan_shared::notify::citizen::Notice;
use aduan_shared::notify::citizen::{CitizenMessenger, Delivery, NotifyError, Staged};
use aduan_shared::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// What became of the notification, as the API reports it: not the
/// provider's message id (a Meta `wamid` is base64 that carries the
/// recipient's number; the timeline keeps it for delivery statuses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "delivery", rename_all = "snake_case")]
pub enum Notification {
    /// Accepted by WhatsApp; `via_template` when the 24-hour window had
    /// closed and the approved template went instead.
    Sent { via_template: bool },
    /// Not sent yet: recorded, the sweep retries it.
    Pending,
    /// Not sent: the citizen sent `BERHENTI` (no messages but replies to
    /// what they send), erased their data, or their contact's retention
    /// ran out; recorded on the case as withheld.
    Withheld,
    /// This deployment sends no WhatsApp messages (no sender configured).
    Disabled,
}

/// The citizen messenger, or none (a deployment without WhatsApp credentials).
#[derive(Clone)]
pub struct Citizens(Option<CitizenMessenger>);

impl Citizens {
    pub fn new(messenger: CitizenMessenger) -> Self {
        Self(Some(messenger))
    }

    pub fn disabled() -> Self {
        Self(None)
    }

    /// The messages telling the citizens about what happened at
    /// `event_at`, to be saved with it ([`crate::routes::save`]) and then
    /// sent with [`Citizens::send`]: the case's reporter's first, then the
    /// merged cases' reporters' ([`CitizenMessenger::stage_notice_all`]).
    /// None when this deployment sends no messages.
    pub async fn stage(
        &self,
        store: &Store,
        case: &Case,
        notice: Notice,
        actor: Actor,
        event_at: DateTime<Utc>,
    ) -> Result<Vec<Staged>, NotifyError> {
        let Some(messenger) = &self.0 else {
            return Ok(Vec::new());
        };
        let at = after(event_at);
        messenger.stage_notice_all(store, case, notice, actor, at).await
    }

    /// Sends messages saved as pending, each one that does not go out now
    /// the sweep's: what became of the first (the case's own reporter's).
    pub async fn send(&self, store: &Store, staged: Vec<Staged>) -> Notification {
        let Some(messenger) = &self.0 else {
            return Notification::Disabled;
        };
        let mut first = None;
        for staged in staged {
            let case_id = staged.pending.case_id.clone();
            let sent = notification(&case_id, messenger.send_staged(store, staged, Utc::now()).await);
            first.get_or_insert(sent);
        }
        first.unwrap_or(Notification::Disabled)
    }

    /// Tells the citizen about what happened at `event_at` (a message that
    /// announces no saved change); `actor` is who the timeline says sent it.
    /// The message is saved pending with the official's `audit` entry, in
    /// one write, before it is sent. An error means nothing was saved, so
    /// the official must be told to try again; once saved, one that does not
    /// go out now is the sweep's. A deployment that sends no messages saves
    /// nothing, so there is nothing to audit either.
    pub async fn tell(
        &self,
        store: &Store,
        case: &Case,
        notice: Notice,
        actor: Actor,
        event_at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Notification, NotifyError> {
        let Some(messenger) = &self.0 else {
            return Ok(Notification::Disabled);
        };
        let at = after(event_at);
        let staged = messenger.stage_notice(store, case, notice, actor, at).await?;
        store
            .record_pending_audited(&staged.pending, staged.lease_until(at), audit)
            .await?;
        Ok(self.send(store, vec![staged]).await)
    }
}

/// The message is recorded at least a millisecond after the event it
/// announces, so it sorts after it (event ids order by millisecond, and
/// randomly within one).
fn after(event_at: DateTime<Utc>) -> DateTime<Utc> {
    Utc::now().max(event_at + Duration::milliseconds(1))
}

fn notification(case: &CaseId, delivery: Result<Delivery, StoreError>) -> Notification {
    match delivery {
        Ok(Delivery::Sent { via_template, .. }) => Notification::Sent { via_template },
        Ok(Delivery::Pending) => Notification::Pending,
        Ok(Delivery::Withheld) => Notification::Withheld,
        Err(err) => {
            // Saved as pending before the attempt: the sweep sends it.
            tracing::error!(%case, error = %err, "citizen notification outcome not recorded");
            Notification::Pending
        }
    }
}
