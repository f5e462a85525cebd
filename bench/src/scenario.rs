//! The events the bench sends: signed WhatsApp deliveries as API Gateway
//! passes them to the webhook, officials' requests with the claims of API
//! Gateway's JWT authorizer, and the digest's scheduled inputs.

use aduan_shared::whatsapp::meta::fixtures;
use aduan_testkit::events::{http_event, signed_meta_event};
use serde_json::{json, Value};

pub const APP_SECRET: &str = "bench-app-secret";
/// The city's number that serves Mandiangin Koto Selayan.
pub const NUMBER: &str = "111000111";
pub const NUMBER_KECAMATAN: &str = "111000111=bukittinggi/mandiangin-koto-selayan";

/// Citizen `i`'s WhatsApp number.
pub fn citizen(i: usize) -> String {
    format!("62813{:08}", 10_000_000 + i)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A Meta delivery (`body` is the webhook's JSON), signed with the app secret.
pub fn signed(body: &Value) -> Value {
    signed_meta_event(APP_SECRET, body)
}

pub fn message(i: usize, id: &str, text: &str) -> Value {
    signed(&fixtures::text(NUMBER, &citizen(i), id, now(), text))
}

pub fn new_complaint(i: usize, round: &str) -> Value {
    message(
        i,
        &format!("wamid.{round}-new-{i}"),
        "Jalan di depan pasar berlubang besar, sudah dua minggu belum diperbaiki",
    )
}

pub fn follow_up(i: usize) -> Value {
    message(
        i,
        &format!("wamid.follow-{i}"),
        "Tambahan: lubangnya makin besar setelah hujan semalam",
    )
}

pub fn status_callback(i: usize, wamid: &str) -> Value {
    signed(&fixtures::status(NUMBER, wamid, "delivered", now(), &citizen(i)))
}

/// An officials' API request as API Gateway passes it on after its JWT
/// authorizer: the token's claims in `requestContext.authorizer.jwt`.
pub fn official(method: &str, path_and_query: &str, body: Option<&Value>) -> Value {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let text = body.map(Value::to_string);
    let mut event = http_event(
        method,
        path,
        query,
        &[("content-type", "application/json")],
        text.as_deref().map(str::as_bytes),
        false,
    );
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ["cases", ticket, rest @ ..] = segments.as_slice() {
        let route = format!(
            "{method} /cases/{{ticket}}{}",
            rest.iter().map(|r| format!("/{r}")).collect::<String>()
        );
        event["routeKey"] = json!(route);
        event["requestContext"]["routeKey"] = json!(route);
        event["pathParameters"] = json!({"ticket": ticket});
    }
    if !query.is_empty() {
        event["queryStringParameters"] = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), json!(v)))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    event["requestContext"]["authorizer"] = json!({
        "jwt": {
            "claims": {
                "sub": "bench-walikota",
                "name": "Wali Kota",
                "custom:scope": "bukittinggi",
                "custom:role": "admin",
                "iss": "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_bench",
                "aud": "bench",
                "token_use": "id",
                "exp": "4102444800"
            },
            "scopes": null
        }
    });
    event
}

pub fn ticket(i: usize) -> String {
    format!("ADU-{i:04}")
}

/// The city's date now, on the functions' default clock (WIB): the day the
/// bench's cases open on, so its digest has their events to report (the UTC
/// date differs from 17:00 UTC on).
pub fn city_today() -> chrono::NaiveDate {
    let wib =
        chrono::FixedOffset::east_opt(aduan_shared::domain::sla::WIB_OFFSET_SECONDS).expect("WIB is valid");
    chrono::Utc::now().with_timezone(&wib).date_naive()
}

pub fn daily_digest(day: chrono::NaiveDate) -> Value {
    json!({"job": "daily-digest", "date": day.to_string()})
}

pub fn sla_sweep() -> Value {
    json!({"job": "sla-sweep"})
}

/// A plain GET for the baselines.
pub fn hello() -> Value {
    http_event("GET", "/", "", &[], None, false)
}
