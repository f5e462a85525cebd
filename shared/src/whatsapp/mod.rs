//! WhatsApp providers: parse and verify what they deliver, and build what we
//! send within WhatsApp's limits. Provider details stop here; the rest of the
//! code sees `Inbound` and `StatusUpdate`.

#[cfg(feature = "adapters")]
pub mod client;
#[cfg(feature = "adapters")]
mod credentials;
#[cfg(feature = "adapters")]
mod http;
#[cfg(feature = "adapters")]
pub mod media;
pub mod meta;
pub mod outbound;
pub mod signature;
pub mod twilio;

use chrono::{DateTime, Duration, Utc};

use crate::domain::case::Provider;
use crate::domain::identity::Sender;
pub use crate::domain::timeline::DeliveryStatus;
use crate::domain::timeline::MessageContent;

/// One message from a citizen, validated field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub provider: Provider,
    /// The provider's message id: the de-duplication key.
    pub message_id: String,
    pub from: Sender,
    /// Which of the city's numbers received it (Meta `phone_number_id`).
    pub number_id: String,
    pub sent_at: DateTime<Utc>,
    pub body: InboundBody,
    /// The id of the business's message this one replies to (Meta's
    /// `context.id`): an official's reply to a case's notice.
    pub replied_to: Option<String>,
}

/// How long a handled message's id is remembered from its arrival (the
/// store's de-duplication record), to recognise the same message delivered
/// again. Meta retries undelivered webhooks for up to 7 days; twice that
/// leaves a margin.
pub const INBOUND_RETENTION_DAYS: i64 = 14;

/// The oldest message handled: a day inside the retention, so that whatever
/// the difference between the provider's clock and ours, a message whose id
/// may be forgotten already is refused as too old.
const MAX_AGE: Duration = Duration::days(INBOUND_RETENTION_DAYS - 1);

impl Inbound {
    /// The provider and the city's number it came through: where an
    /// answer goes out from.
    pub fn channel(&self) -> crate::domain::case::Channel {
        crate::domain::case::Channel {
            provider: self.provider,
            number_id: self.number_id.clone(),
        }
    }

    /// The same message, saying only `text` (an official's `LAPOR`, without
    /// the command's word).
    pub fn with_text(&self, text: String) -> Self {
        Self {
            body: InboundBody::Content(crate::domain::timeline::MessageContent::Text { body: text }),
            ..self.clone()
        }
    }

    /// Sent so long ago that its id may no longer be remembered: a copy of
    /// it now is a replay that de-duplication cannot recognise. Twilio
    /// sends no time of sending (`sent_at` is the arrival), so its messages
    /// are never too old.
    pub fn is_too_old(&self, now: DateTime<Utc>) -> bool {
        now - self.sent_at > MAX_AGE
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum InboundBody {
    /// Something to keep on the case: text, media, a location, or a type we
    /// do not handle.
    Content(MessageContent),
    /// A tap on one of our list rows or buttons: our own id and its title.
    Choice { id: String, title: String },
}

impl InboundBody {
    /// What the sender wrote: a text, or a file's caption; none for a tap.
    pub fn words(&self) -> Option<&str> {
        match self {
            InboundBody::Content(content) => content.words(),
            InboundBody::Choice { .. } => None,
        }
    }
}

/// Meta's system message that a user's ids changed: the phone number (and
/// with it the BSUID), or the BSUID alone when the new number is not shared.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityChange {
    /// The system message's id: de-duplicated like any message.
    pub message_id: String,
    pub number_id: String,
    pub at: DateTime<Utc>,
    pub kind: ChangeKind,
    /// The ids the user had, as the message's sender fields give them.
    pub old: Sender,
    /// The ids the user has now; a number that was not shared is none.
    pub new: Sender,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// `user_changed_number`: the new number comes with it.
    Number,
    /// `user_changed_user_id`: only the new BSUID.
    UserId,
}

/// What happened to a message we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    pub provider: Provider,
    /// Our outbound message's id (Meta `wamid`).
    pub message_id: String,
    pub status: DeliveryStatus,
    pub at: DateTime<Utc>,
    /// The provider's error code and title for a failed message.
    pub error: Option<(i64, String)>,
}

/// Why one item of a delivery was skipped. Carries no field values: those
/// may be personal data, and this ends up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("skipped a {item}: field `{field}` {problem}")]
pub struct Skipped {
    pub item: &'static str,
    pub field: &'static str,
    pub problem: &'static str,
}

/// Limits on what we accept per field, well above what WhatsApp sends.
pub(crate) mod limits {
    pub const ID: usize = 256;
    pub const TEXT: usize = 65_536;
    pub const SHORT: usize = 1_024;
}

pub(crate) fn bounded(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reporter::SenderId;

    fn sent(ago: Duration, now: DateTime<Utc>) -> Inbound {
        Inbound {
            provider: Provider::Meta,
            message_id: "wamid.1".into(),
            from: Sender::phone_number(SenderId::parse("6281234567890").unwrap()),
            number_id: "111".into(),
            sent_at: now - ago,
            body: InboundBody::Content(MessageContent::Text { body: "x".into() }),
            replied_to: None,
        }
    }

    #[test]
    fn a_message_older_than_its_id_is_remembered_is_too_old() {
        let now = Utc::now();
        let second = Duration::seconds(1);
        for fresh in [Duration::zero(), Duration::days(7), MAX_AGE - second, MAX_AGE] {
            assert!(!sent(fresh, now).is_too_old(now), "{fresh}");
        }
        for stale in [
            MAX_AGE + second,
            Duration::days(INBOUND_RETENTION_DAYS),
            Duration::days(15),
        ] {
            assert!(sent(stale, now).is_too_old(now), "{stale}");
        }
    }
}
