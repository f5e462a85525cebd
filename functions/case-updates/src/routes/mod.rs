//! The routes, and the one function API Gateway calls: authenticate, route,
//! answer; every error becomes the one JSON error shape here.

pub mod actions;
pub mod audit;
pub mod cases;
pub mod escalations;
pub mod evidence;
pub mod jurisdictions;
pub mod media;
mod merge;
pub mod messages;
pub mod officials;
pub mod stats;
pub mod units;

use std::convert::Infallible;

use aduan_shared::domain::audit::AuditEntry;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::TimelineEvent;
use aduan_shared::notify::citizen::Staged;
use aduan_shared::store::{PendingOutbound, StoreError};
use chrono::{DateTime, FixedOffset, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::auth::Official;
use crate::error::{json_text_response, ApiError, MAX_BODY_BYTES};
use crate::state::AppState;

/// Every route this function serves: `openapi.yaml` and `template.yaml`
/// declare exactly these (a test checks).
pub const ROUTES: [(&str, &str); 18] = [
    ("GET", "/cases"),
    ("GET", "/cases/{ticket}"),
    ("GET", "/cases/{ticket}/media/{media_id}"),
    ("GET", "/cases/{ticket}/audit"),
    ("POST", "/cases/{ticket}/actions"),
    ("POST", "/cases/{ticket}/messages"),
    ("POST", "/cases/{ticket}/escalations"),
    ("GET", "/stats"),
    ("GET", "/jurisdictions"),
    ("GET", "/units/{path+}"),
    ("PUT", "/units/{path+}"),
    ("DELETE", "/units/{path+}"),
    ("POST", "/units/{path+}"),
    ("POST", "/officials"),
    ("GET", "/officials"),
    ("GET", "/officials/{id}"),
    ("PATCH", "/officials/{id}"),
    ("DELETE", "/officials/{id}"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    ListCases,
    GetCase(String),
    /// A case's file: ticket, media id.
    Media(String, String),
    /// Who read a case or acted on it (admins).
    Audit(String),
    Act(String),
    Message(String),
    Escalate(String),
    Stats,
    Jurisdictions,
    /// A kelurahan's units (the path below `/units/`).
    ListUnits(String),
    PutUnit(String),
    DeleteUnit(String),
    /// A CSV file of units for a kelurahan.
    ImportUnits(String),
    /// Officials registered to act from WhatsApp (admins).
    RegisterOfficial,
    ListOfficials,
    GetOfficial(String),
    ChangeOfficial(String),
    RemoveOfficial(String),
}

/// Which route a method and path are, from the raw path (the `$default`
/// stage: no stage prefix).
pub fn route(method: &Method, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (get, post) = (method == Method::GET, method == Method::POST);
    let route = match segments.as_slice() {
        ["cases"] if get => Route::ListCases,
        ["cases", ticket] if get => Route::GetCase((*ticket).to_owned()),
        ["cases", ticket, "media", media_id] if get => Route::Media((*ticket).to_owned(), decode(media_id)),
        ["cases", ticket, "audit"] if get => Route::Audit((*ticket).to_owned()),
        ["cases", ticket, "actions"] if post => Route::Act((*ticket).to_owned()),
        ["cases", ticket, "messages"] if post => Route::Message((*ticket).to_owned()),
        ["cases", ticket, "escalations"] if post => Route::Escalate((*ticket).to_owned()),
        ["stats"] if get => Route::Stats,
        ["jurisdictions"] if get => Route::Jurisdictions,
        ["officials"] if post => Route::RegisterOfficial,
        ["officials"] if get => Route::ListOfficials,
        ["officials", id] if get => Route::GetOfficial(decode(id)),
        ["officials", id] if method == Method::PATCH => Route::ChangeOfficial(decode(id)),
        ["officials", id] if method == Method::DELETE => Route::RemoveOfficial(decode(id)),
        ["units", rest @ ..] if !rest.is_empty() => {
            let path = rest.join("/");
            match *method {
                Method::GET => Route::ListUnits(path),
                Method::PUT => Route::PutUnit(path),
                Method::DELETE => Route::DeleteUnit(path),
                Method::POST => Route::ImportUnits(path),
                _ => return Err(ApiError::MethodNotAllowed),
            }
        }
        ["cases"]
        | ["cases", _]
        | ["cases", _, "actions" | "messages" | "escalations" | "audit"]
        | ["cases", _, "media", _]
        | ["stats"]
        | ["jurisdictions"]
        | ["officials"]
        | ["officials", _] => return Err(ApiError::MethodNotAllowed),
        _ => return Err(ApiError::NoRoute),
    };
    Ok(route)
}

/// A path segment, percent-decoded (an id with unusual characters arrives
/// encoded); one that does not decode to UTF-8 matches nothing.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The Lambda handler: never fails, every problem is an HTTP answer.
pub async fn handler(state: &AppState, req: Request) -> Result<Response<Body>, Infallible> {
    handler_at(state, req, Utc::now()).await
}

/// [`handler`] with the clock given: what tests of the units' cache move.
pub async fn handler_at(
    state: &AppState,
    req: Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, Infallible> {
    // The public record needs no official: it is served before sign-in is checked.
    if let Some(public) = crate::public::route(req.method(), req.raw_http_path()) {
        return Ok(crate::public::serve(state, public, &req).await);
    }
    let method = req.method().clone();
    let path = req.raw_http_path().to_owned();
    let response = match serve(state, req, now).await {
        Ok(response) => response,
        Err(err) => {
            if err.status().is_server_error() {
                tracing::error!(%method, %path, code = err.code(), "request failed");
            } else {
                tracing::info!(%method, %path, code = err.code(), "request refused");
            }
            err.into_response()
        }
    };
    Ok(response)
}

async fn serve(state: &AppState, req: Request, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let official = Official::from_request(&req)?;
    let route = route(req.method(), req.raw_http_path())?;
    match route {
        Route::ListCases => cases::list(state, &official, &req, now).await,
        Route::GetCase(ticket) => cases::get(state, &official, &ticket, &req, now).await,
        Route::Media(ticket, media_id) => media::get(state, &official, &ticket, &media_id).await,
        Route::Audit(ticket) => audit::trail(state, &official, &ticket, &req).await,
        Route::Act(ticket) => actions::act(state, &official, &ticket, &req, now).await,
        Route::Message(ticket) => messages::send(state, &official, &ticket, &req, now).await,
        Route::Escalate(ticket) => escalations::escalate(state, &official, &ticket, &req, now).await,
        Route::Stats => stats::stats(state, &official, &req, now).await,
        Route::Jurisdictions => jurisdictions::list(state, &official, now).await,
        Route::ListUnits(path) => units::list(state, &official, &path, now).await,
        Route::PutUnit(path) => units::put(state, &official, &path, req.body().as_ref(), now).await,
        Route::DeleteUnit(path) => units::delete(state, &official, &path).await,
        Route::ImportUnits(path) => units::import(state, &official, &path, req.body().as_ref(), now).await,
        Route::RegisterOfficial => officials::register(state, &official, req.body().as_ref(), now).await,
        Route::ListOfficials => officials::list(state, &official, now).await,
        Route::GetOfficial(id) => officials::get(state, &official, &id, now).await,
        Route::ChangeOfficial(id) => officials::change(state, &official, &id, req.body().as_ref(), now).await,
        Route::RemoveOfficial(id) => officials::remove(state, &official, &id, now).await,
    }
}

pub(crate) fn ok<T: Serialize>(body: &T) -> Result<Response<Body>, ApiError> {
    // Straight to text: through a `Value` first was a tenth of a queue
    // page's CPU.
    let text = serde_json::to_string(body).map_err(|_| ApiError::Internal)?;
    Ok(json_text_response(StatusCode::OK, text))
}

/// The request's JSON body: 413 over 256 KB, 400 if it is not JSON or a
/// field has the wrong type. Unknown fields are ignored; missing or
/// unacceptable values are the route's to refuse (422).
pub(crate) fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge);
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))
}

/// The case a ticket names, if the official may see it. A malformed ticket,
/// an unknown one and one outside the scope are the same 404.
pub async fn visible_case(state: &AppState, official: &Official, ticket: &str) -> Result<Case, ApiError> {
    let ticket = Ticket::parse(ticket).map_err(|_| ApiError::CaseNotFound)?;
    match state.store.case_by_ticket(&ticket).await? {
        Some(case) if case.is_within(&official.scope) => Ok(case),
        _ => Err(ApiError::CaseNotFound),
    }
}

/// Refuses an action on a version other than the one stored.
pub(crate) fn check_version(case: &Case, version: u64) -> Result<(), ApiError> {
    if case.version == version {
        Ok(())
    } else {
        Err(ApiError::VersionConflict {
            expected: version,
            current: case.version,
            status: case.status,
        })
    }
}

/// Saves the changed case with its events, conditional on the version it was
/// read at: of two officials acting at once exactly one wins, the other gets
/// 409 with the case's version now. In the same write: the official's audit
/// entry and the messages telling the citizens (pending).
pub(crate) async fn save(
    state: &AppState,
    case: &mut Case,
    events: &[TimelineEvent],
    messages: &[Staged],
    audit: &AuditEntry,
) -> Result<(), ApiError> {
    let reporter = Staged::own_reporter(messages);
    match state
        .store
        .save_case_audited(case, events, pending(messages), Some(audit), reporter)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::VersionConflict { expected }) => Err(conflict(state, case, expected).await),
        Err(other) => Err(other.into()),
    }
}

/// Staged messages as the store saves them, each due for the sweep once its
/// first attempt's lease is over.
pub(crate) fn pending(messages: &[Staged]) -> impl Iterator<Item = (&PendingOutbound, DateTime<Utc>)> {
    let now = Utc::now();
    messages.iter().map(move |m| (&m.pending, m.lease_until(now)))
}

/// The 409 for a write that lost the race, with the winner's version.
pub(crate) async fn conflict(state: &AppState, case: &Case, expected: u64) -> ApiError {
    match state.store.case(&case.id).await {
        Ok(Some(now)) => ApiError::VersionConflict {
            expected,
            current: now.version,
            status: now.status,
        },
        Ok(None) => ApiError::CaseNotFound,
        Err(err) => err.into(),
    }
}

/// An optional text field: trimmed, empty counts as absent, at most `max` characters.
pub(crate) fn text_field(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(ApiError::invalid(field, format!("at most {max} characters")));
    }
    Ok(Some(value))
}

/// `limit`: `default` when absent, else a whole number from 1 to `max`.
pub(crate) fn page_limit(raw: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", format!("a whole number from 1 to {max}"))),
    }
}

pub(crate) fn required<T>(field: &'static str, value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::invalid(field, "is required"))
}

/// RFC 3339 (`2026-11-23T10:00:00+07:00`) or a date (`2026-11-23`, the
/// start of that day in the city's time zone; for `until`, its end).
pub(crate) fn parse_time(
    offset: FixedOffset,
    field: &'static str,
    raw: &str,
    end_of_day: bool,
) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, "not a date (2026-11-23) or time (RFC 3339)"))?;
    let day = if end_of_day {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    // At the ends of chrono's calendar a local midnight has no UTC instant.
    let out_of_range = || ApiError::invalid(field, "a date outside the calendar");
    let start = day
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(offset)
        .single()
        .ok_or_else(out_of_range)?
        .with_timezone(&Utc);
    if end_of_day {
        start
            .checked_sub_signed(chrono::Duration::milliseconds(1))
            .ok_or_else(out_of_range)
    } else {
        Ok(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use aduan_shared::domain::jurisdiction::Jurisdictions;
    use serde_json::json;
    use std::collections::HashMap;

    fn field_of(result: Result<impl std::fmt::Debug, ApiError>) -> &'static str {
        match result {
            Err(ApiError::Invalid { field, .. }) => field,
            other => panic!("not a 422: {other:?}"),
        }
    }

    fn bytes(v: serde_json::Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    /// Each size limit of docs/security.md on the officials' input: the
    /// largest accepted value passes, one more is refused naming the field.
    #[test]
    fn every_request_field_has_a_limit() {
        let tree = Jurisdictions::bukittinggi();
        let act = |v| actions::action_request(tree, &bytes(v));
        let at = |n| "x".repeat(n);
        assert!(act(json!({"action": "note", "note": at(2000), "version": 1})).is_ok());
        assert_eq!(
            field_of(act(json!({"action": "note", "note": at(2001), "version": 1}))),
            "note"
        );
        assert_eq!(
            field_of(act(json!({"action": "reject", "reason": at(2001), "version": 1}))),
            "reason"
        );
        assert_eq!(
            field_of(act(json!({"action": "reclassify", "kind": at(33), "version": 1}))),
            "kind"
        );
        assert_eq!(
            field_of(act(
                json!({"action": "reclassify", "category": at(65), "version": 1})
            )),
            "category"
        );
        assert_eq!(
            field_of(act(
                json!({"action": "reclassify", "kelurahan": at(201), "version": 1})
            )),
            "kelurahan"
        );
        assert!(messages::message_request(&bytes(json!({"text": at(1000)}))).is_ok());
        assert_eq!(
            field_of(messages::message_request(&bytes(json!({"text": at(1001)})))),
            "text"
        );
        let esc = |v| escalations::escalation_request(tree, &bytes(v));
        assert_eq!(field_of(esc(json!({"to": at(81)}))), "to");
        assert_eq!(field_of(esc(json!({"reason": at(2001)}))), "reason");
        let official = |name: String| {
            officials::register_request(
                tree,
                &bytes(
                    json!({"name": name, "whatsapp": "0812 3456 7890", "scope": "bukittinggi", "role": "viewer"}),
                ),
            )
        };
        assert!(official(at(80)).is_ok());
        assert_eq!(field_of(official(at(81))), "name");
        let big = format!("{{\"text\": \"{}\"}}", at(MAX_BODY_BYTES));
        assert!(matches!(
            messages::message_request(big.as_bytes()),
            Err(ApiError::TooLarge)
        ));
    }

    #[test]
    fn query_limits_and_extreme_dates_are_refused_not_panics() {
        let official = Official::from_claims(
            &[
                ("sub", "u"),
                ("custom:scope", "bukittinggi"),
                ("custom:role", "viewer"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        )
        .unwrap();
        let offset = FixedOffset::east_opt(7 * 3600).unwrap();
        let query = |pairs: &[(&str, &str)]| {
            let map: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            lambda_http::aws_lambda_events::query_map::QueryMap::from(map)
        };
        let now = Utc::now();
        assert!(cases::queue_query(offset, &official, &query(&[("limit", "100")])).is_ok());
        assert_eq!(
            field_of(cases::queue_query(offset, &official, &query(&[("limit", "101")]))),
            "limit"
        );
        assert_eq!(
            field_of(stats::period(
                offset,
                &query(&[("since", "2025-01-01"), ("until", "2026-01-03")]),
                now
            )),
            "since"
        );
        // The ends of chrono's calendar: refused, not a panic (found by review
        // while writing the fuzz target; the fuzzer's corpus keeps it).
        for extreme in ["-262143-01-01", "+262143-12-31", "-262144-01-01"] {
            for field in ["since", "until"] {
                let r = cases::queue_query(offset, &official, &query(&[(field, extreme)]));
                assert!(r.is_ok() || field_of(r) == field, "{field}={extreme}");
                let r = stats::period(offset, &query(&[(field, extreme)]), now);
                assert!(r.is_ok() || field_of(r) == field, "{field}={extreme}");
            }
        }
    }

    #[test]
    fn routes_by_method_and_path() {
        assert_eq!(route(&Method::GET, "/cases").unwrap(), Route::ListCases);
        assert_eq!(
            route(&Method::DELETE, "/officials/wa-01").unwrap(),
            Route::RemoveOfficial("wa-01".into())
        );
        assert_eq!(
            route(&Method::PATCH, "/officials/wa-01").unwrap(),
            Route::ChangeOfficial("wa-01".into())
        );
        assert!(matches!(
            route(&Method::PUT, "/officials/wa-01"),
            Err(ApiError::MethodNotAllowed)
        ));
        assert_eq!(route(&Method::GET, "/cases/").unwrap(), Route::ListCases);
        assert_eq!(
            route(&Method::POST, "/cases/ADU-0042/actions").unwrap(),
            Route::Act("ADU-0042".into())
        );
        assert!(matches!(
            route(&Method::DELETE, "/cases/ADU-1"),
            Err(ApiError::MethodNotAllowed)
        ));
        assert!(matches!(route(&Method::GET, "/webhook"), Err(ApiError::NoRoute)));
        assert!(matches!(
            route(&Method::GET, "/cases/a/b/c"),
            Err(ApiError::NoRoute)
        ));
        assert_eq!(
            route(&Method::GET, "/cases/ADU-1/media/ME%2D1").unwrap(),
            Route::Media("ADU-1".into(), "ME-1".into())
        );
        assert!(matches!(
            route(&Method::POST, "/cases/ADU-1/media/1"),
            Err(ApiError::MethodNotAllowed)
        ));
    }
}
