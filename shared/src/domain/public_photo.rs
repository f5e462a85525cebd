//! A photo an official makes public with the case's public record: one of
//! the case's stored photos (the citizen's or an official's evidence),
//! served to anyone through a short-lived link. Only photos WhatsApp
//! carries as images open in place; nothing else of a case's files is ever
//! public.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::timeline::{find_media, EventBody, MediaStorage, MediaType, MessageContent, TimelineEvent};

/// The image types a public photo may have: what WhatsApp sends as photos,
/// each opened in place by every browser (never SVG, which can hold script).
pub const PUBLIC_PHOTO_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// The photo the public record shows, as the case keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPhoto {
    /// The provider's media id, as the timeline names the message.
    pub media_id: String,
    /// Its object in the media bucket.
    pub key: String,
    pub mime_type: String,
}

/// Why a media id cannot be made public.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhotoRefusal {
    #[error("no file on this case has this media id")]
    NotFound,
    #[error("only a photo (JPEG, PNG or WebP) may be public")]
    NotAPhoto,
    #[error("the file is not in the media bucket ({})", .0.as_str())]
    NotStored(MediaStorage),
    #[error("the case's files were deleted")]
    Deleted,
}

impl PublicPhoto {
    /// The photo of `timeline` under `media_id`, if it may be public: an
    /// image of an allowed type, stored in the bucket. `files_deleted` says
    /// the retention sweep or an erasure removed the case's files.
    pub fn choose(
        timeline: &[TimelineEvent],
        media_id: &str,
        files_deleted: bool,
    ) -> Result<Self, PhotoRefusal> {
        let Some(EventBody::Message {
            content:
                MessageContent::Media {
                    media_type,
                    mime_type,
                    ..
                },
            stored,
            file,
            ..
        }) = find_media(timeline, media_id)
        else {
            return Err(PhotoRefusal::NotFound);
        };
        let file = match (stored, file) {
            (_, Some(file)) if !files_deleted => file,
            (_, Some(_)) => return Err(PhotoRefusal::Deleted),
            (Some(status), None) => return Err(PhotoRefusal::NotStored(*status)),
            // A deployment without a bucket keeps media by reference only.
            (None, None) => return Err(PhotoRefusal::NotStored(MediaStorage::Failed)),
        };
        let mime = file.mime_type.as_deref().or(mime_type.as_deref()).map(|m| {
            m.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        match (media_type, mime) {
            (MediaType::Image, Some(mime)) if PUBLIC_PHOTO_TYPES.contains(&mime.as_str()) => Ok(Self {
                media_id: media_id.to_owned(),
                key: file.key.clone(),
                mime_type: mime,
            }),
            _ => Err(PhotoRefusal::NotAPhoto),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timeline::{Actor, StoredFile};
    use chrono::Utc;

    fn message(
        media_type: MediaType,
        media_id: &str,
        mime: &str,
        stored: Option<MediaStorage>,
    ) -> TimelineEvent {
        let file = (stored == Some(MediaStorage::Stored)).then(|| StoredFile {
            key: format!("cases/ADU-0001/01JD-{media_id}"),
            bytes: 10,
            mime_type: Some(mime.to_owned()),
        });
        TimelineEvent::new(
            Utc::now(),
            Actor::Citizen,
            EventBody::Message {
                provider_message_id: format!("wamid.{media_id}"),
                content: MessageContent::Media {
                    media_type,
                    media_id: media_id.into(),
                    mime_type: Some(mime.to_owned()),
                    caption: None,
                    url: None,
                },
                stored,
                file,
                store_error: None,
            },
        )
    }

    #[test]
    fn only_a_stored_photo_of_an_allowed_type_may_be_public() {
        let stored = Some(MediaStorage::Stored);
        let timeline = [
            message(MediaType::Image, "ME1", "image/jpeg", stored),
            message(MediaType::Image, "ME2", "image/svg+xml", stored),
            message(MediaType::Video, "ME3", "video/mp4", stored),
            message(MediaType::Image, "ME4", "image/png", Some(MediaStorage::Pending)),
            message(MediaType::Document, "ME5", "image/jpeg", stored),
            message(MediaType::Image, "ME6", "IMAGE/WEBP; q=1", stored),
        ];
        let photo = PublicPhoto::choose(&timeline, "ME1", false).unwrap();
        assert_eq!(photo.key, "cases/ADU-0001/01JD-ME1");
        assert_eq!(photo.mime_type, "image/jpeg");
        assert_eq!(
            PublicPhoto::choose(&timeline, "ME6", false).unwrap().mime_type,
            "image/webp"
        );
        for not_a_photo in ["ME2", "ME3", "ME5"] {
            assert_eq!(
                PublicPhoto::choose(&timeline, not_a_photo, false),
                Err(PhotoRefusal::NotAPhoto),
                "{not_a_photo}"
            );
        }
        assert_eq!(
            PublicPhoto::choose(&timeline, "ME4", false),
            Err(PhotoRefusal::NotStored(MediaStorage::Pending))
        );
        assert_eq!(
            PublicPhoto::choose(&timeline, "ME9", false),
            Err(PhotoRefusal::NotFound)
        );
        assert_eq!(
            PublicPhoto::choose(&timeline, "ME1", true),
            Err(PhotoRefusal::Deleted)
        );
    }
}
