//! A stand-in for WhatsApp's send API (the one service tests cannot reach):
//! a small HTTP/1.1 server on loopback that records every request and
//! answers like the Cloud API, or fails on demand. It also serves citizens'
//! files as the providers do: Meta's two steps (`GET /v23.0/{media-id}` for
//! a URL, then `GET` that URL, both with the bearer token) and Twilio's
//! `MediaUrl` (`GET /2010-04-01/Accounts/{sid}/Messages/{sid}/Media/{id}`,
//! basic auth), and deletes them as Twilio does (`DELETE` of that path with
//! `.json`). Requests for files, deletions included, are recorded apart from
//! sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A file uploaded as Meta's "Upload media" takes it
/// (`POST /v23.0/{phone-number-id}/media`, multipart): answered with the id
/// `upload-<n>`.
#[derive(Debug, Clone)]
pub struct Upload {
    pub id: String,
    pub path: String,
    pub authorization: Option<String>,
    /// The form's fields but the file, by name.
    pub fields: HashMap<String, String>,
    pub file: Vec<u8>,
    /// The file part's own Content-Type.
    pub file_type: Option<String>,
}

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// Answer every send and deletion with this HTTP status (a send with a
    /// Graph API error).
    Fail(u16),
    /// Refuse sends addressed by BSUID (`recipient`, no `to`) as Meta does a
    /// message BSUIDs cannot receive (400, code 131062); accept the others.
    RefuseBsuid,
}

#[derive(Clone)]
pub struct WhatsAppStandin {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

struct State {
    /// `http://127.0.0.1:<port>`: the stand-in's Twilio API base too.
    root: String,
    received: Vec<Received>,
    mode: Mode,
    /// Files by media id: bytes and content type.
    media: HashMap<String, (Vec<u8>, String)>,
    media_requests: Vec<Received>,
    /// Files uploaded to Meta's media endpoint, in order.
    uploads: Vec<Upload>,
    /// Waits this long before sending a file's bytes (a slow download).
    media_delay: Duration,
}

impl WhatsAppStandin {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base_url = format!("http://{}/v23.0", listener.local_addr().expect("bound"));
        let root = format!("http://{}", listener.local_addr().expect("bound"));
        let state = Arc::new(Mutex::new(State {
            root,
            received: Vec::new(),
            mode: Mode::Accept,
            media: HashMap::new(),
            media_requests: Vec::new(),
            uploads: Vec::new(),
            media_delay: Duration::ZERO,
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, shared.clone()));
            }
        });
        Self { base_url, state }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().expect("not poisoned").mode = mode;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("not poisoned").received.clone()
    }

    /// The base of the stand-in's Twilio API (`TWILIO_API_BASE`).
    pub fn root_url(&self) -> String {
        self.state.lock().expect("not poisoned").root.clone()
    }

    /// Serves `bytes` as the file `media_id` (Meta's media id, or the last
    /// segment of a Twilio media URL).
    pub fn add_media(&self, media_id: &str, bytes: Vec<u8>, mime_type: &str) {
        let mut state = self.state.lock().expect("not poisoned");
        state
            .media
            .insert(media_id.to_owned(), (bytes, mime_type.to_owned()));
    }

    /// Twilio's `MediaUrl` of a file served with [`Self::add_media`].
    pub fn twilio_media_url(&self, account_sid: &str, message_sid: &str, media_id: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}/Media/{media_id}",
            self.root_url()
        )
    }

    pub fn set_media_delay(&self, delay: Duration) {
        self.state.lock().expect("not poisoned").media_delay = delay;
    }

    /// The files uploaded to the media endpoint, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.state.lock().expect("not poisoned").uploads.clone()
    }

    /// The requests for files (GETs and DELETEs), in order.
    pub fn media_requests(&self) -> Vec<Received> {
        self.state.lock().expect("not poisoned").media_requests.clone()
    }

    /// The texts of the messages sent (text bodies, interactive bodies,
    /// template parameters).
    pub fn texts(&self) -> Vec<String> {
        self.received().iter().map(|r| message_text(&r.body)).collect()
    }
}

pub fn message_text(body: &Value) -> String {
    match body["type"].as_str() {
        Some("text") => body["text"]["body"].as_str().unwrap_or_default().to_owned(),
        Some("interactive") => body["interactive"]["body"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        Some("template") => body["template"]["components"][0]["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .unwrap_or_default(),
        _ => body.to_string(),
    }
}

async fn serve(socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let (mut length, mut authorization, mut content_type) = (0usize, None, None);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "authorization" => authorization = Some(value.trim().to_owned()),
                    "content-type" => content_type = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        if method == "DELETE" {
            let status = delete_media(&state, &path, authorization);
            let head = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
            if write.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        if method == "GET" {
            let (status, content_type, bytes, delay) = serve_media(&state, &path, authorization);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
                bytes.len()
            );
            if write.write_all(head.as_bytes()).await.is_err() || write.write_all(&bytes).await.is_err() {
                return;
            }
            continue;
        }
        if method == "POST" && path.ends_with("/media") {
            let (status, answer) = upload(&state, &path, authorization, content_type.as_deref(), &body);
            if !write_json(&mut write, status, &answer).await {
                return;
            }
            continue;
        }
        if method == "POST" && path.ends_with("/Messages.json") {
            let (status, answer) = twilio_send(&state, path, authorization, &body);
            if !write_json(&mut write, status, &answer).await {
                return;
            }
            continue;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let (status, answer) = {
            let mut state = state.lock().expect("not poisoned");
            state.received.push(Received {
                method,
                path,
                authorization,
                body: body.clone(),
            });
            let by_bsuid = body.get("to").is_none() && body.get("recipient").is_some();
            match state.mode {
                Mode::RefuseBsuid if by_bsuid => (
                    400,
                    json!({"error": {"message": "Business-scoped User ID recipients are not supported for this message.", "type": "OAuthException", "code": 131062}}),
                ),
                Mode::Accept | Mode::RefuseBsuid => {
                    let id = format!("wamid.OUT{}", state.received.len());
                    (
                        200,
                        json!({"messaging_product": "whatsapp", "messages": [{"id": id}]}),
                    )
                }
                Mode::Fail(status) => (
                    status,
                    json!({"error": {"message": "stand-in failure", "type": "OAuthException", "code": 131000}}),
                ),
            }
        };
        if !write_json(&mut write, status, &answer).await {
            return;
        }
    }
}

/// Takes a send through Twilio's Messages resource
/// (`POST /2010-04-01/Accounts/{sid}/Messages.json`, a form, basic auth):
/// recorded with the form's fields as the body (`From`, `To`, `Body`, or
/// `ContentSid` and `ContentVariables`), answered 201 with the message's
/// `sid` as Twilio's API does; in [`Mode::Fail`] with Twilio's error shape.
fn twilio_send(
    state: &Mutex<State>,
    path: String,
    authorization: Option<String>,
    body: &[u8],
) -> (u16, Value) {
    let mut state = state.lock().expect("not poisoned");
    let fields: serde_json::Map<String, Value> = form_urlencoded::parse(body)
        .map(|(name, value)| (name.into_owned(), Value::from(value.into_owned())))
        .collect();
    let basic = authorization.as_deref().and_then(|a| a.split_whitespace().next()) == Some("Basic");
    state.received.push(Received {
        method: "POST".to_owned(),
        path,
        authorization,
        body: Value::Object(fields),
    });
    let error = |status: u16, code: u32, message: &str| {
        (
            status,
            json!({"code": code, "message": message, "status": status}),
        )
    };
    match state.mode {
        _ if !basic => error(401, 20003, "Authenticate"),
        Mode::Fail(status) => error(status, 20500, "stand-in failure"),
        Mode::Accept | Mode::RefuseBsuid => {
            let sid = format!("SM{:032x}", state.received.len());
            (201, json!({"sid": sid, "status": "queued"}))
        }
    }
}

/// Answers with `body` as JSON; false once the connection is gone.
async fn write_json(write: &mut tokio::net::tcp::OwnedWriteHalf, status: u16, body: &Value) -> bool {
    let text = body.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
        text.len()
    );
    write.write_all(response.as_bytes()).await.is_ok()
}

/// Takes an upload: a bearer token and a multipart form with
/// `messaging_product=whatsapp`, `type` and `file`, else 400 as Meta's
/// parameter errors; 401 without a token. In [`Mode::Fail`] it fails as
/// sends do.
fn upload(
    state: &Mutex<State>,
    path: &str,
    authorization: Option<String>,
    content_type: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let mut state = state.lock().expect("not poisoned");
    if let Mode::Fail(status) = state.mode {
        return (
            status,
            json!({"error": {"message": "stand-in failure", "code": 131000}}),
        );
    }
    if authorization.as_deref().and_then(|a| a.split_whitespace().next()) != Some("Bearer") {
        return (401, json!({"error": {"message": "no token", "code": 190}}));
    }
    let invalid = (
        400,
        json!({"error": {"message": "(#100) Invalid parameter", "code": 100}}),
    );
    let Some(boundary) = content_type
        .filter(|t| t.starts_with("multipart/form-data"))
        .and_then(|t| t.split("boundary=").nth(1))
    else {
        return invalid;
    };
    let (mut fields, mut file, mut file_type) = (HashMap::new(), None, None);
    let delimiter = format!("--{boundary}");
    let mut parts = split_bytes(body, delimiter.as_bytes());
    parts.retain(|p| !p.is_empty() && *p != b"--\r\n" && *p != b"--");
    for part in parts {
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n") else {
            return invalid;
        };
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let value = &part[split + 4..];
        let value = value.strip_suffix(b"\r\n").unwrap_or(value);
        let Some(name) = head.split("name=\"").nth(1).and_then(|r| r.split('"').next()) else {
            return invalid;
        };
        if name == "file" {
            file = Some(value.to_vec());
            file_type = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Type:"))
                .map(|t| t.trim().to_owned());
        } else {
            fields.insert(name.to_owned(), String::from_utf8_lossy(value).to_string());
        }
    }
    let (Some(file), Some("whatsapp"), Some(_)) = (
        file,
        fields.get("messaging_product").map(String::as_str),
        fields.get("type"),
    ) else {
        return invalid;
    };
    let id = format!("upload-{}", state.uploads.len() + 1);
    state.uploads.push(Upload {
        id: id.clone(),
        path: path.to_owned(),
        authorization,
        fields,
        file,
        file_type,
    });
    (200, json!({"id": id}))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut rest: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = find(rest, delimiter) {
        parts.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    parts.push(rest);
    parts
}

/// Answers a GET for a file: status, content type, body, and how long to
/// wait before sending it. Without credentials of the provider's kind: 401.
fn serve_media(
    state: &Mutex<State>,
    path: &str,
    authorization: Option<String>,
) -> (u16, String, Vec<u8>, Duration) {
    let mut state = state.lock().expect("not poisoned");
    state.media_requests.push(Received {
        method: "GET".into(),
        path: path.to_owned(),
        authorization: authorization.clone(),
        body: Value::Null,
    });
    let json_of = |value: Value| {
        (
            200,
            "application/json".to_owned(),
            value.to_string().into_bytes(),
            Duration::ZERO,
        )
    };
    let not_found = (404, "application/json".to_owned(), b"{}".to_vec(), Duration::ZERO);
    let unauthorized = (401, "application/json".to_owned(), b"{}".to_vec(), Duration::ZERO);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let scheme = authorization.as_deref().and_then(|a| a.split_whitespace().next());
    match segments.as_slice() {
        // Meta, step one: where the file is, and its size.
        ["v23.0", id] => {
            let Some((bytes, mime)) = state.media.get(*id) else {
                return not_found;
            };
            if scheme != Some("Bearer") {
                return unauthorized;
            }
            json_of(json!({
                "messaging_product": "whatsapp",
                "url": format!("{}/media-bytes/{id}", state.root),
                "mime_type": mime,
                "sha256": "stand-in",
                "file_size": bytes.len(),
                "id": id,
            }))
        }
        // Meta, step two (bearer), or Twilio's media URL (basic auth).
        ["media-bytes", id] | ["2010-04-01", "Accounts", _, "Messages", _, "Media", id] => {
            let wanted = if segments[0] == "media-bytes" {
                "Bearer"
            } else {
                "Basic"
            };
            let Some((bytes, mime)) = state.media.get(*id) else {
                return not_found;
            };
            if scheme != Some(wanted) {
                return unauthorized;
            }
            (200, mime.clone(), bytes.clone(), state.media_delay)
        }
        _ => not_found,
    }
}

/// Answers Twilio's deletion of a file
/// (`DELETE /2010-04-01/Accounts/{sid}/Messages/{sid}/Media/{id}.json`,
/// basic auth): 204 and the file is gone; 404 for a file it does not serve.
fn delete_media(state: &Mutex<State>, path: &str, authorization: Option<String>) -> u16 {
    let mut state = state.lock().expect("not poisoned");
    state.media_requests.push(Received {
        method: "DELETE".into(),
        path: path.to_owned(),
        authorization: authorization.clone(),
        body: Value::Null,
    });
    if let Mode::Fail(status) = state.mode {
        return status;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let ["2010-04-01", "Accounts", _, "Messages", _, "Media", resource] = segments.as_slice() else {
        return 404;
    };
    let Some(id) = resource.strip_suffix(".json") else {
        return 404;
    };
    if authorization.as_deref().and_then(|a| a.split_whitespace().next()) != Some("Basic") {
        return 401;
    }
    if state.media.remove(id).is_some() {
        204
    } else {
        404
    }
}
