//! What an official makes public about a case: a summary of what was done
//! (with `resolve`, or later with `publish`), whether the place the citizen
//! shared may be shown, and one stored photo. Nothing else of a case ever is.

use aduan_shared::domain::case::{Case, PublicLocation};
use aduan_shared::domain::public_photo::{PhotoRefusal, PublicPhoto};
use aduan_shared::domain::timeline::{EventBody, MessageContent, TimelineEvent};
use chrono::{DateTime, Utc};

use crate::auth::Official;
use crate::error::ApiError;
use crate::routes::text_field;
use crate::state::AppState;

pub const MAX_PUBLIC_SUMMARY_CHARS: usize = 1000;

/// A media id is the provider's: WhatsApp's are digits, Twilio's `ME…`.
const MAX_MEDIA_ID_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    summary: Option<String>,
    location_public: Option<bool>,
    /// `Some(None)` takes the public photo down.
    photo: Option<Option<String>>,
}

impl Publication {
    /// `None` when the request sets none of them. `photo` is the request's
    /// `public_photo`: absent, `null` (none), or a media id.
    pub fn parse(
        summary: Option<String>,
        location_public: Option<bool>,
        photo: Option<Option<String>>,
    ) -> Result<Option<Self>, ApiError> {
        let summary = text_field("public_summary", summary, MAX_PUBLIC_SUMMARY_CHARS)?;
        let photo = match photo {
            None => None,
            Some(None) => Some(None),
            Some(id) => match text_field("public_photo", id, MAX_MEDIA_ID_CHARS)? {
                Some(id) => Some(Some(id)),
                None => return Err(ApiError::invalid("public_photo", "a media id, or null for none")),
            },
        };
        let any = summary.is_some() || location_public.is_some() || photo.is_some();
        Ok(any.then_some(Self {
            summary,
            location_public,
            photo,
        }))
    }

    /// Changes the case, and the note that records it on the timeline
    /// (officials only see the timeline).
    pub async fn apply(
        self,
        state: &AppState,
        case: &mut Case,
        official: &Official,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, ApiError> {
        let needs_timeline = self.location_public == Some(true) || matches!(self.photo, Some(Some(_)));
        let timeline = match needs_timeline {
            true => timeline(state, case).await?,
            false => Vec::new(),
        };
        let mut said = Vec::new();
        if let Some(public) = self.location_public {
            case.public_location = if public {
                said.push("lokasi ditampilkan".to_owned());
                Some(shared_location(&timeline)?)
            } else {
                said.push("lokasi tidak ditampilkan".to_owned());
                None
            };
        }
        match self.photo {
            None => {}
            Some(None) => {
                said.push("foto tidak ditampilkan".to_owned());
                case.public_photo = None;
            }
            Some(Some(media_id)) => {
                let photo = public_photo(state, case, &timeline, &media_id).await?;
                said.push(format!("foto {media_id} ditampilkan"));
                case.public_photo = Some(photo);
            }
        }
        if let Some(summary) = self.summary {
            said.push(format!("ringkasan: {summary}"));
            case.public_summary = Some(summary);
        }
        case.updated_at = now;
        let text = format!("Catatan publik diperbarui: {}", said.join("; "));
        Ok(TimelineEvent::new(
            now,
            official.actor(),
            EventBody::Note { text },
        ))
    }
}

async fn timeline(state: &AppState, case: &Case) -> Result<Vec<TimelineEvent>, ApiError> {
    let (_, events) = state
        .store
        .case_with_timeline(&case.id)
        .await?
        .ok_or(ApiError::CaseNotFound)?;
    Ok(events)
}

/// The last place the citizen shared, to about 10 m: enough to find a
/// street lamp, not a door.
fn shared_location(timeline: &[TimelineEvent]) -> Result<PublicLocation, ApiError> {
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    timeline
        .iter()
        .rev()
        .find_map(|event| match &event.body {
            EventBody::Message {
                content:
                    MessageContent::Location {
                        latitude, longitude, ..
                    },
                ..
            } => Some(PublicLocation {
                lat: round(*latitude),
                long: round(*longitude),
            }),
            _ => None,
        })
        .ok_or_else(|| {
            ApiError::invalid(
                "location_public",
                "the citizen has shared no location on this case",
            )
        })
}

/// The photo under `media_id`, if it may be public and its file is still in
/// the bucket (a reopened case's earlier files may be gone).
async fn public_photo(
    state: &AppState,
    case: &Case,
    timeline: &[TimelineEvent],
    media_id: &str,
) -> Result<PublicPhoto, ApiError> {
    let Some(bucket) = &state.media else {
        return Err(ApiError::invalid(
            "public_photo",
            "this deployment keeps no files (no media bucket)",
        ));
    };
    let refused = |refusal: PhotoRefusal| ApiError::invalid("public_photo", refusal.to_string());
    let photo = PublicPhoto::choose(timeline, media_id, case.files_deleted_at.is_some()).map_err(refused)?;
    match bucket.has(&photo.key).await {
        Ok(true) => Ok(photo),
        Ok(false) => Err(refused(PhotoRefusal::Deleted)),
        Err(reason) => {
            tracing::error!(%reason, "checking the photo's file failed");
            Err(ApiError::Internal)
        }
    }
}
