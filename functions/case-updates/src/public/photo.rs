//! `GET /public/cases/{ticket}/photo`: the photo an official made public,
//! as a redirect to a short-lived presigned URL of its file (the bucket
//! stays closed to everyone else, and a Lambda answer could not carry a
//! 5 MB photo anyway).

use std::time::Duration;

use aduan_shared::archive::Serving;
use aduan_shared::domain::ticket::Ticket;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Response};

use super::MAX_AGE_SECONDS;
use crate::error::ApiError;
use crate::state::AppState;

/// Twice what a CDN or browser may keep the redirect: a cached redirect
/// always has at least five minutes of its URL left.
pub const URL_LIFETIME: Duration = Duration::from_secs(2 * MAX_AGE_SECONDS as u64);

/// The route's path, for the public answers that link the photo.
pub fn path(ticket: &Ticket) -> String {
    format!("/public/cases/{ticket}/photo")
}

pub async fn serve(state: &AppState, raw_ticket: &str) -> Response<Body> {
    redirect(state, raw_ticket).await.unwrap_or_else(|err| {
        if err.status().is_server_error() {
            tracing::error!(code = err.code(), "public photo failed");
        }
        err.into_response()
    })
}

async fn redirect(state: &AppState, raw_ticket: &str) -> Result<Response<Body>, ApiError> {
    let ticket = Ticket::parse(raw_ticket).map_err(|_| ApiError::NoPublicPhoto)?;
    let case = state.store.case_by_ticket(&ticket).await?;
    let (Some(photo), Some(bucket)) = (case.and_then(|c| c.public_photo), &state.media) else {
        return Err(ApiError::NoPublicPhoto);
    };
    // Never logged: the URL names the file's key.
    let url = bucket
        .presigned_get(&photo.key, &Serving::Inline, URL_LIFETIME)
        .await
        .map_err(|reason| {
            tracing::error!(%reason, "presigning the public photo failed");
            ApiError::Internal
        })?;
    Ok(Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, url)
        .body(Body::Empty)
        .expect("a valid response"))
}
