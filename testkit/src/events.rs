//! API Gateway HTTP API (payload 2.0) events, as API Gateway sends them,
//! turned into `lambda_http::Request`s by lambda_http itself.

use aduan_shared::whatsapp::signature::sign_meta;
use lambda_http::Request;
use serde_json::{json, Value};

/// Builds the event JSON. `base64` encodes the body as API Gateway does for
/// non-text content types (e.g. Twilio's form posts).
pub fn http_event(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    base64: bool,
) -> Value {
    let mut header_map = serde_json::Map::new();
    for (k, v) in headers {
        header_map.insert(k.to_ascii_lowercase(), json!(v));
    }
    let body_value = body.map(|b| {
        if base64 {
            json!(base64_encode(b))
        } else {
            json!(String::from_utf8_lossy(b))
        }
    });
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "headers": header_map,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api-id.execute-api.ap-southeast-3.amazonaws.com",
            "domainPrefix": "api-id",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10", "userAgent": "facebookexternalua"},
            "requestId": "req-1",
            "routeKey": format!("{method} {path}"),
            "stage": "$default",
            "time": "29/Nov/2026:03:00:00 +0000",
            "timeEpoch": 1_795_921_200_000u64
        },
        "body": body_value,
        "isBase64Encoded": base64 && body.is_some()
    })
}

/// The request lambda_http hands the handler for this event.
pub fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An official as API Gateway's JWT authorizer passes them on: the claims
/// of their verified ID token.
#[derive(Debug, Clone)]
pub struct Official {
    pub sub: String,
    pub name: String,
    pub scope: String,
    pub role: String,
}

/// An officials' API event (payload 2.0, `$default` stage) with `who`'s
/// claims, its route key and path parameters as API Gateway fills them.
pub fn jwt_event(who: &Official, method: &str, path_and_query: &str, body: Option<&str>) -> Value {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (route_key, ticket) = match segments.as_slice() {
        ["cases", ticket, rest @ ..] => (
            format!(
                "{method} /cases/{{ticket}}{}",
                rest.iter().map(|r| format!("/{r}")).collect::<String>()
            ),
            Some(*ticket),
        ),
        _ => (format!("{method} {path}"), None),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "content-type": "application/json",
            "authorization": "Bearer eyJraWQiOi.test.token"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api-id.execute-api.ap-southeast-3.amazonaws.com",
            "domainPrefix": "api-id",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"},
            "requestId": "req-1",
            "routeKey": route_key,
            "stage": "$default",
            "time": "29/Nov/2026:03:00:00 +0000",
            "timeEpoch": 1_795_921_200_000u64,
            "authorizer": {"jwt": {"claims": {
                "sub": who.sub,
                "name": who.name,
                "custom:scope": who.scope,
                "custom:role": who.role,
                "token_use": "id"
            }, "scopes": null}}
        },
        "isBase64Encoded": false
    });
    if let Some(ticket) = ticket {
        event["pathParameters"] = json!({ "ticket": ticket });
    }
    if let Some(body) = body {
        event["body"] = json!(body);
    }
    event
}

/// A Meta delivery to `POST /webhook` (`body` is the webhook's JSON),
/// signed with the app secret as Meta signs it.
pub fn signed_meta_event(app_secret: &str, body: &Value) -> Value {
    let bytes = serde_json::to_vec(body).expect("JSON");
    let signature = sign_meta(app_secret.as_bytes(), &bytes);
    http_event(
        "POST",
        "/webhook",
        "",
        &[
            ("content-type", "application/json"),
            ("x-hub-signature-256", &signature),
        ],
        Some(&bytes),
        false,
    )
}
