//! A case's files: `GET /cases/{ticket}/media/{media_id}` hands out a
//! short-lived presigned URL of the file in the media bucket, for a case the
//! caller may see; the bucket itself is readable by nothing else. Only
//! images, video and audio open in place; anything else downloads
//! ([`Serving`]).

use std::time::Duration;

use aduan_shared::archive::{find_media, Serving};
use aduan_shared::domain::audit::Access;
use aduan_shared::domain::timeline::{EventBody, MediaStorage};
use chrono::Utc;
use lambda_http::{Body, Response};
use serde::Serialize;

use super::{ok, visible_case};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::state::AppState;

/// Long enough to load a photo on a slow connection, short enough that a
/// forwarded link soon stops working.
pub const URL_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Serialize)]
struct MediaUrl {
    url: String,
    expires_in: u64,
    mime_type: Option<String>,
    bytes: u64,
    /// Opens in place with its own type; otherwise the URL downloads it as
    /// `application/octet-stream`.
    inline: bool,
}

pub async fn get(
    state: &AppState,
    official: &Official,
    ticket: &str,
    media_id: &str,
) -> Result<Response<Body>, ApiError> {
    let case = visible_case(state, official, ticket).await?;
    let (_, timeline) = state
        .store
        .case_with_timeline(&case.id)
        .await?
        .ok_or(ApiError::CaseNotFound)?;
    let Some(EventBody::Message { stored, file, .. }) = find_media(&timeline, media_id) else {
        return Err(ApiError::MediaNotFound);
    };
    let (Some(bucket), Some(file)) = (&state.media, file) else {
        // No bucket: the deployment keeps media by reference only.
        return Err(match stored {
            Some(status) if *status != MediaStorage::Stored => ApiError::MediaNotStored(*status),
            _ => ApiError::MediaNotFound,
        });
    };
    let read = Access::ReadMedia {
        media_id: media_id.to_owned(),
    };
    audit::read_case(state, official, &case, read, Utc::now()).await?;
    let serving = Serving::of(file.mime_type.as_deref(), &format!("{}-{media_id}", case.ticket));
    let url = bucket
        .presigned_get(&file.key, &serving, URL_LIFETIME)
        .await
        .map_err(|reason| {
            tracing::error!(%reason, "presigning failed");
            ApiError::Internal
        })?;
    ok(&MediaUrl {
        url,
        expires_in: URL_LIFETIME.as_secs(),
        mime_type: file.mime_type.clone(),
        bytes: file.bytes,
        inline: serving == Serving::Inline,
    })
}
