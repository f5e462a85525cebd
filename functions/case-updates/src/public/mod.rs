//! The public record, without sign-in: the month's counts and resolved
//! cases (`/public/...`) and Open311 GeoReport v2 reads (`/open311/v2/...`).
//! Everything here starts from [`PublicCase`], so no other field of a case
//! can reach these answers; their own API Gateway throttling keeps a flood
//! of them from the officials' routes (docs/public-record.md).

mod cases;
pub mod open311;
mod photo;
mod publication;
pub mod record;
mod xml;

use aduan_shared::domain::public_record::PublicCase;
use lambda_http::http::{HeaderValue, Method};
use lambda_http::{Body, Request, Response};

pub use publication::{Publication, MAX_PUBLIC_SUMMARY_CHARS};

use crate::state::AppState;

/// Every public route: `openapi.yaml` and `template.yaml` declare exactly
/// these, open and with their own throttling (a test checks).
pub const PUBLIC_ROUTES: [(&str, &str); 10] = [
    ("GET", "/public/stats"),
    ("GET", "/public/cases"),
    ("GET", "/public/cases/{ticket}/photo"),
    ("GET", "/open311/v2/discovery.json"),
    ("GET", "/open311/v2/discovery.xml"),
    ("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services.xml"),
    ("GET", "/open311/v2/requests.json"),
    ("GET", "/open311/v2/requests.xml"),
    ("GET", "/open311/v2/requests/{service_request_id}"),
];

/// How long a browser or CDN may keep a public answer: the record changes
/// as officials work, a few minutes late is fine.
pub const MAX_AGE_SECONDS: u32 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicRoute {
    Stats,
    Cases,
    /// The photo of the case with this ticket, as given.
    Photo(String),
    Open311(open311::Call, open311::Format),
}

/// Which public route a path is, if it is one (GET only: nothing public
/// writes). A path under `/open311/` that names nothing is still Open311's,
/// so its 404 comes in the spec's form.
pub fn route(method: &Method, path: &str) -> Option<PublicRoute> {
    if method != Method::GET {
        return None;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["public", "stats"] => Some(PublicRoute::Stats),
        ["public", "cases"] => Some(PublicRoute::Cases),
        ["public", "cases", ticket, "photo"] => Some(PublicRoute::Photo((*ticket).to_owned())),
        ["open311", rest @ ..] => {
            let (call, format) = open311::route(rest);
            Some(PublicRoute::Open311(call, format))
        }
        _ => None,
    }
}

pub async fn serve(state: &AppState, route: PublicRoute, req: &Request) -> Response<Body> {
    let mut response = match route {
        PublicRoute::Stats => record::stats(state, req).await,
        PublicRoute::Cases => record::cases(state, req).await,
        PublicRoute::Photo(ticket) => photo::serve(state, &ticket).await,
        PublicRoute::Open311(call, format) => open311::serve(state, call, format, req).await,
    };
    // The photo's redirect too: its URL outlives the cache (photo::URL_LIFETIME).
    if response.status().is_success() || response.status().is_redirection() {
        let cache = format!("public, max-age={MAX_AGE_SECONDS}");
        response
            .headers_mut()
            .insert("cache-control", HeaderValue::from_str(&cache).expect("ASCII"));
    } else {
        response
            .headers_mut()
            .insert("cache-control", HeaderValue::from_static("no-store"));
    }
    response
}

/// Where the public answers' links start: the API's own address (or the
/// custom domain in front of it), as the request reached it.
fn base_url(req: &Request) -> String {
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    format!("https://{host}")
}

/// The public URL of a case's photo, if an official made one public.
fn photo_url(req: &Request, case: &PublicCase) -> Option<String> {
    case.has_photo
        .then(|| format!("{}{}", base_url(req), photo::path(&case.ticket)))
}

/// The case a ticket names, as the public sees it.
async fn public_case(state: &AppState, raw: &str) -> Result<Option<PublicCase>, crate::error::ApiError> {
    let Ok(ticket) = aduan_shared::domain::ticket::Ticket::parse(raw) else {
        return Ok(None);
    };
    Ok(state
        .store
        .case_by_ticket(&ticket)
        .await?
        .as_ref()
        .map(PublicCase::of))
}
