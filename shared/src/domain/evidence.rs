//! A photo (or a video or document) an official sends from WhatsApp about a
//! case: kept on the case's timeline as evidence of the work; a photo is
//! also shown to the citizen with the resolution. WhatsApp sends a photo on
//! only from media uploaded by the business (a received media id cannot be
//! sent), and keeps an upload for 30 days: the case keeps the id of its
//! latest upload, sent while it lasts.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::timeline::{Actor, EventBody, MediaStorage, MediaType, MessageContent, TimelineEvent};

/// How long an uploaded photo is sent on: a day short of WhatsApp's 30, so
/// a notice retried late does not name a deleted file.
pub const SENDABLE_FOR: Duration = Duration::days(29);

/// The latest evidence photo as WhatsApp can send it to the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidencePhoto {
    /// The media id of our upload (not the official's received one).
    pub media_id: String,
    pub uploaded_at: DateTime<Utc>,
}

impl EvidencePhoto {
    /// The media id, while WhatsApp still keeps the upload.
    pub fn sendable_at(&self, now: DateTime<Utc>) -> Option<&str> {
        (now - self.uploaded_at < SENDABLE_FOR).then_some(self.media_id.as_str())
    }
}

/// The file as the official sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialFile {
    /// The provider's message id.
    pub message_id: String,
    /// A photo, a video or a document.
    pub media_type: MediaType,
    /// The provider's media id of the file received.
    pub media_id: String,
    pub mime_type: Option<String>,
    pub caption: Option<String>,
    /// Where to fetch it, for a provider that gives a URL (Twilio's
    /// `MediaUrl`); Meta's is found by its id.
    pub url: Option<String>,
}

impl OfficialFile {
    /// The timeline event: a message on the case by `actor` (the official),
    /// its file fetched into the media bucket like a citizen's when
    /// `keeps_files`.
    pub fn event(&self, actor: Actor, keeps_files: bool, now: DateTime<Utc>) -> TimelineEvent {
        TimelineEvent::new(
            now,
            actor,
            EventBody::Message {
                provider_message_id: self.message_id.clone(),
                content: MessageContent::Media {
                    media_type: self.media_type,
                    media_id: self.media_id.clone(),
                    mime_type: self.mime_type.clone(),
                    caption: self.caption.clone(),
                    url: self.url.clone(),
                },
                stored: keeps_files.then_some(MediaStorage::Pending),
                file: None,
                store_error: None,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_sent_on_for_29_days_only() {
        let uploaded_at = DateTime::UNIX_EPOCH;
        let photo = EvidencePhoto {
            media_id: "up-1".into(),
            uploaded_at,
        };
        assert_eq!(photo.sendable_at(uploaded_at + Duration::days(28)), Some("up-1"));
        assert_eq!(photo.sendable_at(uploaded_at + Duration::days(29)), None);
    }

    #[test]
    fn the_photo_is_a_message_of_the_official_kept_like_a_citizens_file() {
        let photo = OfficialFile {
            message_id: "wamid.P".into(),
            media_type: MediaType::Image,
            media_id: "m1".into(),
            mime_type: Some("image/jpeg".into()),
            caption: Some("sdh diganti".into()),
            url: None,
        };
        let actor = Actor::Official {
            sub: "whatsapp:wa-1".into(),
            name: "Pak RT".into(),
        };
        let event = photo.event(actor.clone(), true, DateTime::UNIX_EPOCH);
        assert_eq!(event.actor, actor);
        assert!(matches!(
            event.body,
            EventBody::Message {
                stored: Some(MediaStorage::Pending),
                content: MessageContent::Media {
                    media_type: MediaType::Image,
                    ..
                },
                ..
            }
        ));
        let unkept = photo.event(Actor::System, false, DateTime::UNIX_EPOCH);
        assert!(matches!(unkept.body, EventBody::Message { stored: None, .. }));
    }
}
