//! A stand-in for WhatsApp's send API (the one service tests cannot reach):
//! a small HTTP/1.1 server on loopback that records every request and
//! answers like the Cloud API, or fails on demand.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

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
    /// Answer every request with this HTTP status and a Graph API error.
    Fail(u16),
}

#[derive(Clone)]
pub struct WhatsAppStandin {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

struct State {
    received: Vec<Received>,
    mode: Mode,
}

impl WhatsAppStandin {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base_url = format!("http://{}/v23.0", listener.local_addr().expect("bound"));
        let state = Arc::new(Mutex::new(State {
            received: Vec::new(),
            mode: Mode::Accept,
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
        let (mut length, mut authorization) = (0usize, None);
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
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let (status, answer) = {
            let mut state = state.lock().expect("not poisoned");
            state.received.push(Received {
                method,
                path,
                authorization,
                body,
            });
            match state.mode {
                Mode::Accept => {
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
        let text = answer.to_string();
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if write.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}
