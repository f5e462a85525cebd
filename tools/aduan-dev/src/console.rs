//! What `make dev` serves besides the API: the officials' console (the
//! files of `console/`, with a `config.js` pointing at this server and the
//! page's Content-Security-Policy naming this server's origins) and the
//! development issuer's sign-in pages, which stand in for Cognito's hosted
//! UI (`/oauth2/authorize`, `/oauth2/token`, `/logout`) under `/dev`.

use std::collections::HashMap;
use std::path::Path;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::http::request::Parts;
use hyper::{header, Method, StatusCode};
use serde_json::json;

use crate::issuer::{self, AuthorizeRequest, Issuer, OAuthError, OFFICIALS};
use crate::json_response;

type Response = hyper::Response<Full<Bytes>>;

/// Where the console is served.
pub const PREFIX: &str = "/console/";

/// `/`, `/console/...` and the sign-in endpoints; `None` for anything else.
/// `media` is the origin of the presigned URLs of citizens' files.
pub fn serve(dir: &Path, issuer: &Issuer, media: &str, parts: &Parts, body: &[u8]) -> Option<Response> {
    let path = parts.uri.path();
    let query = || params(parts.uri.query().unwrap_or_default().as_bytes());
    let response = match (&parts.method, path) {
        (&Method::GET, "/") | (&Method::GET, "/console") => redirect(PREFIX),
        (&Method::GET, "/console/config.js") => config(parts),
        (&Method::GET, "/console/" | "/console/index.html") => index(dir, parts, media),
        (&Method::GET, _) if path.starts_with(PREFIX) => file(dir, &path[PREFIX.len()..]),
        (&Method::GET, "/dev/oauth2/authorize") => match AuthorizeRequest::parse(&query()) {
            Ok(request) => html(StatusCode::OK, &login_page(&request)),
            Err(error) => html(StatusCode::BAD_REQUEST, &error_page(&error)),
        },
        (&Method::POST, "/dev/oauth2/authorize") => {
            let form = params(body);
            let chosen = form.get("official").and_then(|id| issuer::official(id));
            match (AuthorizeRequest::parse(&form), chosen) {
                (Ok(request), Some(official)) => redirect(&issuer.grant(official, request)),
                (Err(error), _) => html(StatusCode::BAD_REQUEST, &error_page(&error)),
                (Ok(_), None) => html(
                    StatusCode::BAD_REQUEST,
                    &error_page(&OAuthError::InvalidRequest("choose an official")),
                ),
            }
        }
        (&Method::POST, "/dev/oauth2/token") => match issuer.exchange(&params(body)) {
            Ok(id_token) => json_response(
                StatusCode::OK,
                &json!({
                    "id_token": id_token,
                    "access_token": id_token,
                    "token_type": "Bearer",
                    "expires_in": issuer::TOKEN_LIFETIME_SECS,
                }),
            ),
            Err(error) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"error": error.code(), "error_description": error.to_string()}),
            ),
        },
        (&Method::GET, "/dev/logout") => {
            let query = query();
            match query.get("logout_uri") {
                Some(uri) if uri.starts_with("http://127.0.0.1") || uri.starts_with("http://localhost") => {
                    redirect(uri)
                }
                _ => html(
                    StatusCode::BAD_REQUEST,
                    &error_page(&OAuthError::InvalidRequest("logout_uri must be on this machine")),
                ),
            }
        }
        _ => return None,
    };
    Some(response)
}

fn params(raw: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// This server's origin as the browser addressed it.
fn origin(parts: &Parts) -> String {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// The console's settings for this server: the API and the issuer are here.
fn config(parts: &Parts) -> Response {
    let origin = origin(parts);
    let settings = json!({
        "apiUrl": origin,
        "authUrl": format!("{origin}/dev"),
        "clientId": issuer::AUDIENCE,
    });
    respond(
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        format!("window.ADUAN_CONFIG = {settings};\n").into_bytes(),
    )
}

/// The console's page, its Content-Security-Policy naming this server as
/// the API and the sign-in pages, and `media` for citizens' files.
fn index(dir: &Path, parts: &Parts, media: &str) -> Response {
    let origin = origin(parts);
    let page = std::fs::read_to_string(dir.join("index.html"))
        .map_err(|e| format!("console/index.html: {e}"))
        .and_then(|page| with_origins(&page, &origin, &origin, media));
    match page {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            error.into_bytes(),
        ),
    }
}

/// `page` with the origins of its Content-Security-Policy filled in, as
/// infra/deploy-console.sh fills them for a stack (and CloudFormation
/// the same policy's in template.yaml). A page without the policy, or
/// with a variable left, is an error: it would not be the deployed one.
fn with_origins(page: &str, api: &str, login: &str, media: &str) -> Result<String, String> {
    if !page.contains(r#"<meta http-equiv="Content-Security-Policy""#) {
        return Err("console/index.html has no Content-Security-Policy".to_owned());
    }
    let filled = page
        .replace("${Api}", api)
        .replace("${Login}", login)
        .replace("${Media}", media);
    match filled.find("${") {
        Some(at) => {
            let rest = &filled[at..];
            let name = rest.find('}').map_or(rest, |end| &rest[..=end]);
            Err(format!("console/index.html: unknown variable {name}"))
        }
        None => Ok(filled),
    }
}

/// A file of the console; names are plain segments, never `..`.
fn file(dir: &Path, relative: &str) -> Response {
    let relative = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    };
    let safe = relative.split('/').all(|segment| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    });
    // Only what the console is made of: not its tests or node_modules.
    let served = safe && !relative.starts_with("node_modules/") && !relative.starts_with("tests/");
    let content_type = match relative.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    match std::fs::read(dir.join(&relative)) {
        Ok(bytes) if served => respond(StatusCode::OK, content_type, bytes),
        _ => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            b"Not Found".to_vec(),
        ),
    }
}

/// The hosted UI's stand-in: choose one of the seeded officials.
fn login_page(request: &AuthorizeRequest) -> String {
    let mut hidden = String::new();
    for (name, value) in [
        ("response_type", Some("code")),
        ("client_id", Some(request.client_id.as_str())),
        ("redirect_uri", Some(request.redirect_uri.as_str())),
        ("code_challenge_method", Some("S256")),
        ("code_challenge", Some(request.code_challenge.as_str())),
        ("state", request.state.as_deref()),
    ] {
        if let Some(value) = value {
            hidden.push_str(&format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                escape(value)
            ));
        }
    }
    let mut buttons = String::new();
    for official in OFFICIALS {
        buttons.push_str(&format!(
            r#"<li><button type="submit" name="official" value="{id}"><strong>{name}</strong><span>{role} · {scope}</span></button></li>"#,
            id = escape(official.id),
            name = escape(official.name),
            role = escape(official.role),
            scope = escape(official.scope),
        ));
    }
    page(
        "Masuk (pengembangan)",
        &format!(
            r#"<h1>Masuk ke Konsol Aduan</h1>
<p>Penerbit token pengembangan: pilih petugas contoh. Di server sungguhan halaman ini adalah halaman masuk Cognito.</p>
<form method="post" action="/dev/oauth2/authorize">{hidden}<ul>{buttons}</ul></form>"#
        ),
    )
}

fn error_page(error: &OAuthError) -> String {
    page(
        "Gagal masuk",
        &format!("<h1>Gagal masuk</h1><p>{}</p>", escape(&error.to_string())),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}ul{{list-style:none;padding:0}}li{{margin:.5rem 0}}
button{{width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #0b5394;border-radius:.4rem;background:#fff;font:inherit;cursor:pointer}}
button:hover,button:focus{{background:#e8f0fa;outline:3px solid #0b5394}}button span{{display:block;color:#444;font-size:.9rem}}</style></head>
<body><main>{body}</main></body></html>"#
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn redirect(location: &str) -> Response {
    hyper::Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, location)
        .body(Full::new(Bytes::new()))
        .expect("a valid response")
}

fn html(status: StatusCode, text: &str) -> Response {
    respond(status, "text/html; charset=utf-8", text.as_bytes().to_vec())
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    hyper::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_policy_names_the_origins_it_is_served_with() {
        let page = std::fs::read_to_string(crate::default_console().join("index.html")).unwrap();
        let filled = with_origins(&page, "http://api:1", "http://login:2", "http://media:3").unwrap();
        let policy = filled
            .split(r#"<meta http-equiv="Content-Security-Policy" content=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the policy");
        assert!(
            policy.contains("connect-src http://api:1 http://login:2;"),
            "{policy}"
        );
        assert!(
            policy.contains("img-src http://media:3 http://api:1;"),
            "{policy}"
        );
        assert!(!filled.contains("${"), "{filled}");

        assert!(with_origins("<html></html>", "a", "b", "c").is_err());
        let unknown = page.replace("${Media};", "${Elsewhere};");
        assert_eq!(
            with_origins(&unknown, "a", "b", "c").unwrap_err(),
            "console/index.html: unknown variable ${Elsewhere}"
        );
    }

    #[test]
    fn escapes_what_it_puts_into_the_page() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
