//! What happened to a case, in order: the citizen's messages, officials'
//! actions and notes, escalations. Each entry is immutable once written.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

use ulid::{Generator, Ulid};

use super::disposition::{Closure, Direction, Office};
use super::jurisdiction::JurisdictionPath;
use super::kind::CaseKind;
use super::ladder::Level;
use super::lifecycle::Status;
use super::limits::Limit;
use super::ticket::Ticket;

/// Orders events within a case: a ULID, so its text sorts by time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(String);

impl EventId {
    /// Ids made in one process are strictly increasing within a millisecond,
    /// so events created together (a case's "opened" and its first message)
    /// keep their order.
    pub fn new(at: DateTime<Utc>) -> Self {
        static GENERATOR: Mutex<Option<Generator>> = Mutex::new(None);
        let mut generator = GENERATOR.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let id = generator
            .get_or_insert_with(Generator::new)
            .generate_from_datetime(at.into())
            .unwrap_or_else(|_| Ulid::from_datetime(at.into()));
        Self(id.to_string())
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Ulid::from_string(raw).ok().map(|u| Self(u.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who did it. Officials are named by their identity provider's `sub` and name;
/// the citizen only ever as "the reporter", never by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Citizen,
    Official { sub: String, name: String },
    System,
}

/// What a citizen sent: text, media by reference, a location, or something
/// the system does not handle (kept, never dropped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageContent {
    Text {
        body: String,
    },
    Media {
        media_type: MediaType,
        /// The provider's id: Meta's media id, or the last segment of
        /// Twilio's media URL.
        media_id: String,
        mime_type: Option<String>,
        caption: Option<String>,
        /// Where the provider serves the file (Twilio's `MediaUrl{N}`);
        /// Meta's media are looked up by id instead.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    Unsupported {
        message_type: String,
    },
}

impl MessageContent {
    /// What it says in words: a text's body, or a file's caption.
    pub fn words(&self) -> Option<&str> {
        match self {
            MessageContent::Text { body } => Some(body),
            MessageContent::Media { caption, .. } => caption.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// What became of a citizen's file, with a media bucket configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaStorage {
    /// In the bucket: `file` says where.
    Stored,
    /// Not fetched yet: the sweep retries it.
    Pending,
    /// Given up after the sweep's retries (`store_error` says why).
    Failed,
    /// Over `MEDIA_MAX_BYTES`: never fetched.
    TooLarge,
}

impl MediaStorage {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaStorage::Stored => "stored",
            MediaStorage::Pending => "pending",
            MediaStorage::Failed => "failed",
            MediaStorage::TooLarge => "too_large",
        }
    }
}

/// A citizen's file in the media bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// The object key in the bucket (`cases/<ticket>/<event id>-<media id>`).
    pub key: String,
    pub bytes: u64,
    pub mime_type: Option<String>,
}

/// What happened to a message we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not accepted by the provider yet: the sweep retries it.
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
    /// Not sent: the citizen asked for no more messages (`BERHENTI`).
    Withheld,
}

impl DeliveryStatus {
    /// Statuses arrive out of order ("delivered" before "sent"): a status
    /// only replaces one of lower rank. A failure is final.
    pub fn rank(self) -> u8 {
        match self {
            DeliveryStatus::Pending => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Delivered => 2,
            DeliveryStatus::Read => 3,
            DeliveryStatus::Failed | DeliveryStatus::Withheld => 4,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Withheld => "withheld",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Sent,
            Self::Delivered,
            Self::Read,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// The case was created from the citizen's first message.
    Opened {
        kind: CaseKind,
        level: Level,
    },
    /// A message from the citizen, with the provider's message id.
    Message {
        provider_message_id: String,
        content: MessageContent,
        /// Media only, with a media bucket configured: what became of the file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stored: Option<MediaStorage>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<StoredFile>,
        /// Why the file is not stored (too large, or the last failure).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_error: Option<String>,
    },
    StatusChanged {
        from: Status,
        to: Status,
        note: Option<String>,
    },
    Note {
        text: String,
    },
    Escalated {
        from: Level,
        to: Level,
        reason: Option<String>,
        /// The RW or RT that held the case (handed down) until then: its
        /// subscribers hear that the case left them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_unit: Option<JurisdictionPath>,
    },
    /// Handed to another office (`Case::forward`): who is the actor.
    Forwarded {
        from: Office,
        to: Office,
        direction: Direction,
        reason: String,
    },
    /// Closed without being resolved (`Case::close_as`).
    Closed {
        from: Status,
        closure: Closure,
        note: Option<String>,
    },
    /// Another case was merged into this one as its duplicate
    /// (`Case::merge_into`; the merged case records its `Closed`).
    MergedIn {
        from: Ticket,
    },
    /// A merge undone: `from` is on its own again, at `status`. On both
    /// cases' timelines.
    Unmerged {
        from: Ticket,
        into: Ticket,
        status: Status,
    },
    Reclassified {
        kind: Option<CaseKind>,
        category: Option<String>,
        jurisdiction: Option<JurisdictionPath>,
    },
    /// The citizen's 1–5 rating of how the case was handled.
    Rated {
        rating: u8,
    },
    /// The reporter ran into one of their limits: a message or a new report
    /// was refused (and they were told). Noted at most once an hour.
    Limited {
        limit: Limit,
        allowed: u32,
    },
    /// A message we sent the citizen, and what became of it.
    Outbound {
        /// What the citizen reads, as plain text.
        text: String,
        /// Sent as a pre-approved template (outside the 24-hour window).
        via_template: bool,
        status: DeliveryStatus,
        provider_message_id: Option<String>,
        /// Why it failed, or why the last attempt did not go out.
        error: Option<String>,
    },
}

impl EventBody {
    /// Whether the event closes an open case or opens a closed one again:
    /// what the reporter's contact retention is counted from.
    pub fn changes_openness(&self) -> bool {
        match self {
            EventBody::StatusChanged { from, to, .. } => from.is_open() != to.is_open(),
            EventBody::Closed { from, .. } => from.is_open(),
            _ => false,
        }
    }

    /// A citizen's message, with nothing fetched (yet).
    pub fn message(provider_message_id: impl Into<String>, content: MessageContent) -> Self {
        EventBody::Message {
            provider_message_id: provider_message_id.into(),
            content,
            stored: None,
            file: None,
            store_error: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: EventId,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub body: EventBody,
}

impl TimelineEvent {
    pub fn new(at: DateTime<Utc>, actor: Actor, body: EventBody) -> Self {
        Self {
            id: EventId::new(at),
            at,
            actor,
            body,
        }
    }
}

/// The file a case's timeline holds under `media_id`: its message event.
pub fn find_media<'a>(timeline: &'a [TimelineEvent], media_id: &str) -> Option<&'a EventBody> {
    timeline.iter().map(|e| &e.body).find(|body| {
        matches!(body, EventBody::Message { content: MessageContent::Media { media_id: id, .. }, .. } if id == media_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_sort_by_time_and_are_distinct() {
        let t0 = Utc::now();
        let t1 = t0 + chrono::Duration::milliseconds(1);
        let (a, b, c) = (EventId::new(t0), EventId::new(t0), EventId::new(t1));
        assert!(a < b, "created together, kept in order");
        assert!(b < c);
        assert_eq!(EventId::parse(a.as_str()), Some(a));
        assert_eq!(EventId::parse("not-an-id"), None);
    }

    #[test]
    fn events_serialise_with_a_type_tag() {
        let event = TimelineEvent::new(
            Utc::now(),
            Actor::Official {
                sub: "u-1".into(),
                name: "Rina".into(),
            },
            EventBody::StatusChanged {
                from: Status::Received,
                to: Status::Verified,
                note: None,
            },
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["body"]["type"], "status_changed");
        assert_eq!(json["actor"]["type"], "official");
        let back: TimelineEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
