//! What API Gateway (HTTP API, payload format 2.0) hands a Lambda function
//! for one HTTP request: the event JSON, built from the request as received.

use std::collections::BTreeMap;
use std::collections::HashMap;

use base64::Engine;
use hyper::http::request::Parts;
use serde_json::{json, Map, Value};

use crate::issuer::Verified;
use crate::template::Route;

/// The content types API Gateway passes as text; every other body arrives
/// base64-encoded (`isBase64Encoded`), e.g. Twilio's form posts.
pub fn is_text(content_type: Option<&str>) -> bool {
    let Some(mime) = content_type.and_then(|c| c.split(';').next()) else {
        return false;
    };
    let mime = mime.trim().to_ascii_lowercase();
    mime.starts_with("text/")
        || matches!(
            mime.as_str(),
            "application/json" | "application/xml" | "application/javascript"
        )
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
}

/// The payload 2.0 event for `parts` + `body`, routed to `route`.
pub fn event(
    parts: &Parts,
    body: &[u8],
    route: &Route,
    path_parameters: &HashMap<String, String>,
    authorizer: Option<&Verified>,
    request_id: &str,
) -> Value {
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    // Payload 2.0 moves cookies out of the headers.
    let cookies: Option<Vec<String>> = headers.remove("cookie").map(|c| {
        c.split(';')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let path = parts.uri.path();
    let raw_query = parts.uri.query().unwrap_or_default();
    let mut query = Map::new();
    for (k, v) in form_urlencoded::parse(raw_query.as_bytes()) {
        match query.get_mut(k.as_ref()) {
            Some(Value::String(joined)) => {
                joined.push(',');
                joined.push_str(&v);
            }
            _ => {
                query.insert(k.into_owned(), json!(v));
            }
        }
    }
    let (body, base64) = if body.is_empty() {
        (Value::Null, false)
    } else if is_text(headers.get("content-type").map(String::as_str)) {
        (json!(String::from_utf8_lossy(body)), false)
    } else {
        (
            json!(base64::engine::general_purpose::STANDARD.encode(body)),
            true,
        )
    };
    let now = chrono::Utc::now();
    // lambda_http builds the request's URI from it: never empty.
    let host = headers
        .get("host")
        .cloned()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let mut context = json!({
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": host,
        "domainPrefix": host.split('.').next().unwrap_or_default(),
        "http": {
            "method": parts.method.as_str(),
            "path": path,
            "protocol": format!("{:?}", parts.version),
            "sourceIp": "127.0.0.1",
            "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
        },
        "requestId": request_id,
        "routeKey": route.key(),
        "stage": "$default",
        "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": now.timestamp_millis(),
    });
    if let Some(verified) = authorizer {
        context["authorizer"] = json!({
            "jwt": {"claims": verified.claims, "scopes": verified.scopes}
        });
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.key(),
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": base64,
    });
    if let Some(cookies) = cookies {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !path_parameters.is_empty() {
        event["pathParameters"] = json!(path_parameters);
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_or_base64_by_content_type() {
        assert!(is_text(Some("application/json; charset=utf-8")));
        assert!(is_text(Some("text/plain")));
        assert!(is_text(Some("application/problem+json")));
        assert!(!is_text(Some("application/x-www-form-urlencoded")));
        assert!(!is_text(None));
    }

    #[test]
    fn builds_an_event_lambda_http_accepts() {
        let (parts, ()) = hyper::Request::post("/cases/ADU-0001/actions?x=1&x=2&y=a%20b")
            .header("Content-Type", "application/json")
            .header("Cookie", "a=1; b=2")
            .body(())
            .unwrap()
            .into_parts();
        let route = Route {
            method: "POST".into(),
            path: "/cases/{ticket}/actions".into(),
            binary: "aduan-case-updates".into(),
            authorizer: None,
        };
        let params = HashMap::from([("ticket".to_owned(), "ADU-0001".to_owned())]);
        let event = event(&parts, br#"{"a":1}"#, &route, &params, None, "r1");
        assert_eq!(event["body"], r#"{"a":1}"#);
        assert_eq!(event["isBase64Encoded"], false);
        assert_eq!(event["queryStringParameters"]["x"], "1,2");
        assert_eq!(event["queryStringParameters"]["y"], "a b");
        assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
        assert_eq!(event["headers"]["content-type"], "application/json");
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(request.uri().path(), "/cases/ADU-0001/actions");
    }
}
