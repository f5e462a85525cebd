//! Telling the citizen: one call per action, after the case is saved,
//! through the shared [`CitizenMessenger`] (free-form inside WhatsApp's
//! 24-hour window, the notice's template outside it; recorded on the
//! timeline). A failed send never fails the request: the message waits for
//! the sweep and the response says so.

use aduan_shared::domain::case::Case;
use aduan_shared::domain::timeline::Actor;
pub use aduan_shared::notify::citizen::Notice;
use aduan_shared::notify::citizen::{CitizenMessenger, Delivery};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// What became of the notification, as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "delivery", rename_all = "snake_case")]
pub enum Notification {
    /// Accepted by WhatsApp; `via_template` when the 24-hour window had
    /// closed and the approved template went instead.
    Sent { message_id: String, via_template: bool },
    /// Not sent yet: recorded, the sweep retries it.
    Pending,
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

    /// Tells the citizen about what happened at `event_at`; `actor` is who
    /// the timeline says sent it. The message is recorded at least a
    /// millisecond later, so it sorts after the event it announces (event
    /// ids order by millisecond, and randomly within one).
    pub async fn tell(
        &self,
        case: &Case,
        notice: Notice,
        actor: Actor,
        event_at: DateTime<Utc>,
    ) -> Notification {
        let Some(messenger) = &self.0 else {
            return Notification::Disabled;
        };
        let now = Utc::now().max(event_at + Duration::milliseconds(1));
        match messenger.tell_as(case, notice, actor, now).await {
            Ok(Delivery::Sent {
                message_id,
                via_template,
            }) => Notification::Sent {
                message_id,
                via_template,
            },
            Ok(Delivery::Pending) => Notification::Pending,
            Err(err) => {
                // The case is saved; only the notification is missing.
                tracing::error!(ticket = %case.ticket, error = %err, "citizen notification not recorded");
                Notification::Pending
            }
        }
    }
}
