//! Open311 GeoReport v2, read only: discovery, services (the tree's
//! categories) and service requests (the public subset of cases), in XML
//! and JSON, with the specification's element names and error form. Every
//! document is built once as a [`Doc`] and written in either format.

use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::ladder::{Level, Tier};
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::public_record::PublicCase;
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{Map, Value};

use super::cases::received_between;
use super::xml::Xml;
use super::{base_url, photo_url, public_case};
use crate::error::ApiError;
use crate::names::{agency_label, level_label, own_label, place_label};
use crate::routes::parse_time;
use crate::state::AppState;

pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this endpoint last changed what it serves (discovery's `changeset`).
const CHANGESET: &str = "2026-12-03T00:00:00+07:00";
/// The specification's defaults: the last 90 days, at most 90 days.
const DEFAULT_DAYS: i64 = 90;
/// Requests in one answer, newest first (the specification's 1,000).
pub const MAX_REQUESTS: usize = 1000;
/// Ids in one `service_request_id` list.
const MAX_IDS: usize = 20;
/// The service of a case without a category.
pub const OTHER_SERVICE: &str = "lainnya";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Discovery,
    Services,
    Requests,
    Request(String),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// The call and format a path below `/open311/` names: `v2/requests.xml`,
/// `v2/requests/ADU-0042.json`. An unknown extension is an unknown call,
/// answered in JSON.
pub fn route(rest: &[&str]) -> (Call, Format) {
    let split = |file: &str| -> Option<(String, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        let format = match ext {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        Some((name.to_owned(), format))
    };
    match rest {
        ["v2", file] => match split(file) {
            Some((name, format)) => {
                let call = match name.as_str() {
                    "discovery" => Call::Discovery,
                    "services" => Call::Services,
                    "requests" => Call::Requests,
                    _ => Call::Unknown,
                };
                (call, format)
            }
            None => (Call::Unknown, Format::Json),
        },
        ["v2", "requests", file] => match split(file) {
            Some((id, format)) => (Call::Request(id), format),
            None => (Call::Unknown, Format::Json),
        },
        _ => (Call::Unknown, Format::Json),
    }
}

/// A document in either format: an element's text (empty or JSON null for
/// none), an object of named fields, or a list of items named for XML.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    Text(Option<String>),
    Number(f64),
    Int(u16),
    Bool(bool),
    Object(Vec<(&'static str, Doc)>),
    List(&'static str, Vec<Doc>),
}

impl Doc {
    fn text(s: impl Into<String>) -> Doc {
        Doc::Text(Some(s.into()))
    }

    fn json(&self) -> Value {
        match self {
            Doc::Text(t) => t.clone().map_or(Value::Null, Value::String),
            Doc::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Doc::Int(n) => Value::from(*n),
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.json()))
                    .collect::<Map<_, _>>(),
            ),
            Doc::List(_, items) => Value::Array(items.iter().map(Doc::json).collect()),
        }
    }

    fn xml(&self, name: &str, out: &mut Xml) {
        match self {
            Doc::Text(t) => out.element(name, t.as_deref()),
            Doc::Number(n) => out.element(name, Some(&n.to_string())),
            Doc::Int(n) => out.element(name, Some(&n.to_string())),
            Doc::Bool(b) => out.element(name, Some(if *b { "true" } else { "false" })),
            Doc::Object(fields) => {
                out.open(name);
                for (k, v) in fields {
                    v.xml(k, out);
                }
                out.close(name);
            }
            Doc::List(item, items) => {
                out.open(name);
                for v in items {
                    v.xml(item, out);
                }
                out.close(name);
            }
        }
    }
}

/// The answer: `root` names the XML document element.
fn respond(status: StatusCode, format: Format, root: &str, doc: &Doc) -> Response<Body> {
    let (content_type, text) = match format {
        Format::Json => ("application/json", doc.json().to_string()),
        Format::Xml => {
            let mut out = Xml::new();
            doc.xml(root, &mut out);
            ("text/xml; charset=utf-8", out.finish())
        }
    };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::Text(text))
        .expect("status and header are valid")
}

/// The specification's error form: `<errors><error><code>…`.
fn error(format: Format, status: StatusCode, description: &str) -> Response<Body> {
    let doc = Doc::List(
        "error",
        vec![Doc::Object(vec![
            ("code", Doc::Int(status.as_u16())),
            ("description", Doc::text(description)),
        ])],
    );
    respond(status, format, "errors", &doc)
}

pub async fn serve(state: &AppState, call: Call, format: Format, req: &Request) -> Response<Body> {
    let result = match call {
        Call::Discovery => Ok(("discovery", discovery(req))),
        Call::Services => Ok(("services", services(&state.tree))),
        Call::Requests => requests(state, req).await.map(|doc| ("service_requests", doc)),
        Call::Request(id) => match public_case(state, &id).await {
            Ok(Some(case)) => Ok((
                "service_requests",
                Doc::List("request", vec![request(state, req, &case)]),
            )),
            Ok(None) => Err(ApiError::CaseNotFound),
            Err(err) => Err(err),
        },
        Call::Unknown => Err(ApiError::NoRoute),
    };
    match result {
        Ok((root, doc)) => respond(StatusCode::OK, format, root, &doc),
        Err(err) => {
            if err.status().is_server_error() {
                tracing::error!(code = err.code(), "open311 request failed");
            }
            let status = err.status();
            let description = match err {
                ApiError::CaseNotFound => "no service request with that service_request_id".to_owned(),
                ApiError::NoRoute => {
                    "no such Open311 call: discovery, services, requests or requests/{id}, as .json or .xml"
                        .to_owned()
                }
                other if status.is_client_error() => other.to_string(),
                _ => "the service is unavailable, try again".to_owned(),
            };
            error(format, status, &description)
        }
    }
}

fn discovery(req: &Request) -> Doc {
    Doc::Object(vec![
        ("changeset", Doc::text(CHANGESET)),
        (
            "contact",
            Doc::text("Laporkan lewat WhatsApp ke nomor pengaduan kota"),
        ),
        (
            "key_service",
            Doc::text("Read only: no API key; reports are made on WhatsApp"),
        ),
        (
            "endpoints",
            Doc::List(
                "endpoint",
                vec![Doc::Object(vec![
                    ("specification", Doc::text(SPECIFICATION)),
                    ("url", Doc::text(format!("{}/open311/v2", base_url(req)))),
                    ("changeset", Doc::text(CHANGESET)),
                    ("type", Doc::text("production")),
                    (
                        "formats",
                        Doc::List(
                            "format",
                            vec![Doc::text("text/xml"), Doc::text("application/json")],
                        ),
                    ),
                ])],
            ),
        ),
    ])
}

/// A category's service code: its words joined by `-`.
pub fn service_code(category: Option<&str>) -> String {
    match category {
        Some(c) => c.split_whitespace().collect::<Vec<_>>().join("-"),
        None => OTHER_SERVICE.to_owned(),
    }
}

fn service_name(category: Option<&str>) -> String {
    let name = category.unwrap_or(OTHER_SERVICE);
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn services(tree: &Jurisdictions) -> Doc {
    let service = |category: Option<&str>| {
        let group = category
            .and_then(|c| tree.agency_for_category(c))
            .map(agency_label);
        Doc::Object(vec![
            ("service_code", Doc::text(service_code(category))),
            ("service_name", Doc::text(service_name(category))),
            ("description", Doc::text(service_name(category))),
            ("metadata", Doc::Bool(false)),
            ("type", Doc::text("realtime")),
            ("keywords", Doc::Text(category.map(str::to_owned))),
            ("group", Doc::Text(group)),
        ])
    };
    let items = tree.categories().map(Some).chain([None]).map(service).collect();
    Doc::List("service", items)
}

/// Who has the case: "Kelurahan Garegeh", "Kecamatan Guguk Panjang", the
/// kota, or "Dinas PUPR".
fn agency_responsible(tree: &Jurisdictions, case: &PublicCase) -> String {
    let depth = match &case.level {
        Level::Agency(_) => return level_label(tree, &case.level),
        Level::Tier(Tier::Kota) => 1,
        Level::Tier(Tier::Kecamatan) => 2,
        Level::Tier(_) => 3,
    };
    let office = case.area.ancestor_at(depth).unwrap_or_else(|| case.area.clone());
    match tree.node(&office) {
        Some(node) if depth > 1 => own_label(node),
        _ => tree.kota().name.clone(),
    }
}

/// Open311's two statuses: a resolved case is closed for the public, even
/// while it waits for the citizen's confirmation.
fn is_open(status: Status) -> bool {
    matches!(status, Status::Received | Status::Verified | Status::InProgress)
}

fn w3c(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// One service request: the specification's fields, in its order; `lat`
/// and `long` only when an official made the location public.
fn request(state: &AppState, req: &Request, case: &PublicCase) -> Doc {
    let tree = &state.tree;
    let offset = state.sla.calendar.offset();
    let category = case.category.as_deref();
    let mut fields = vec![
        ("service_request_id", Doc::text(case.ticket.to_string())),
        (
            "status",
            Doc::text(if is_open(case.status) { "open" } else { "closed" }),
        ),
        ("status_notes", Doc::text(case.status.as_str())),
        ("service_name", Doc::text(service_name(category))),
        ("service_code", Doc::text(service_code(category))),
        ("description", Doc::Text(case.summary.clone())),
        ("agency_responsible", Doc::text(agency_responsible(tree, case))),
        ("service_notice", Doc::Text(None)),
        ("requested_datetime", Doc::text(w3c(case.created_at, offset))),
        ("updated_datetime", Doc::text(w3c(case.updated_at, offset))),
        (
            "expected_datetime",
            Doc::Text(case.expected_at.map(|at| w3c(at, offset))),
        ),
        ("address", Doc::text(place_label(tree, &case.area))),
        ("address_id", Doc::Text(None)),
        ("zipcode", Doc::Text(None)),
    ];
    if let Some(location) = case.location {
        fields.push(("lat", Doc::Number(location.lat)));
        fields.push(("long", Doc::Number(location.long)));
    }
    fields.push(("media_url", Doc::Text(photo_url(req, case))));
    Doc::Object(fields)
}

/// `GET requests`: by `service_request_id` (a comma-separated list; the
/// other filters are then ignored, as the specification says), else the
/// cases received between `start_date` and `end_date` (by default the last
/// 90 days, at most 90 days), of `service_code` and `status` (each a
/// comma-separated list), newest first, at most [`MAX_REQUESTS`].
async fn requests(state: &AppState, req: &Request) -> Result<Doc, ApiError> {
    let params = req.query_string_parameters();
    let get = |name: &str| params.first(name).map(str::trim).filter(|v| !v.is_empty());
    let list = |raw: &str| -> Vec<String> {
        raw.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if let Some(ids) = get("service_request_id") {
        let ids = list(ids);
        if ids.len() > MAX_IDS {
            return Err(ApiError::invalid(
                "service_request_id",
                format!("at most {MAX_IDS} ids"),
            ));
        }
        let mut items = Vec::new();
        for id in ids {
            if let Some(case) = public_case(state, &id).await? {
                items.push(request(state, req, &case));
            }
        }
        return Ok(Doc::List("request", items));
    }
    let offset = state.sla.calendar.offset();
    let now = Utc::now();
    let end = get("end_date")
        .map(|raw| parse_time(offset, "end_date", raw, true))
        .transpose()?;
    let start = get("start_date")
        .map(|raw| parse_time(offset, "start_date", raw, false))
        .transpose()?;
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + Duration::days(DEFAULT_DAYS)).min(now.max(s))),
        (None, Some(e)) => (e - Duration::days(DEFAULT_DAYS), e),
        (None, None) => (now - Duration::days(DEFAULT_DAYS), now),
    };
    if start > end {
        return Err(ApiError::invalid("start_date", "after end_date"));
    }
    if end - start > Duration::days(DEFAULT_DAYS) {
        return Err(ApiError::invalid(
            "start_date",
            format!("at most {DEFAULT_DAYS} days before end_date"),
        ));
    }
    let statuses = match get("status") {
        None => Vec::new(),
        Some(raw) => {
            let mut statuses = Vec::new();
            for status in list(raw) {
                let open = match status.as_str() {
                    "open" => true,
                    "closed" => false,
                    _ => return Err(ApiError::invalid("status", "open or closed")),
                };
                statuses.extend(Status::ALL.into_iter().filter(|s| is_open(*s) == open));
            }
            statuses
        }
    };
    let codes = get("service_code").map(list);
    let (cases, _) = received_between(state, start, end, statuses, usize::MAX).await?;
    let items = cases
        .iter()
        .map(PublicCase::of)
        .filter(|c| {
            codes
                .as_ref()
                .is_none_or(|codes| codes.contains(&service_code(c.category.as_deref())))
        })
        .take(MAX_REQUESTS)
        .map(|c| request(state, req, &c))
        .collect();
    Ok(Doc::List("request", items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_call_and_a_format() {
        assert_eq!(route(&["v2", "requests.xml"]), (Call::Requests, Format::Xml));
        assert_eq!(route(&["v2", "discovery.json"]), (Call::Discovery, Format::Json));
        assert_eq!(route(&["v2", "services.xml"]), (Call::Services, Format::Xml));
        assert_eq!(
            route(&["v2", "requests", "ADU-0042.json"]),
            (Call::Request("ADU-0042".into()), Format::Json)
        );
        assert_eq!(route(&["v2", "requests.html"]), (Call::Unknown, Format::Json));
        assert_eq!(route(&["v2", "tokens.xml"]), (Call::Unknown, Format::Xml));
        assert_eq!(route(&["v3", "requests.json"]), (Call::Unknown, Format::Json));
    }

    #[test]
    fn codes_are_the_categories_words_joined() {
        assert_eq!(service_code(Some("lalu lintas")), "lalu-lintas");
        assert_eq!(service_code(None), OTHER_SERVICE);
        assert_eq!(service_name(Some("jalan")), "Jalan");
    }
}
