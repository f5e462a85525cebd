//! A stand-in for WhatsApp's send API: a tiny HTTP/1.1 server on a free local
//! port that records every request and answers like the Cloud API
//! (`{"messages":[{"id":"wamid.<n>"}]}`).

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct Sent {
    pub path: String,
    pub body: Value,
}

#[derive(Clone)]
pub struct StandIn {
    port: u16,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl StandIn {
    pub async fn start() -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
        let port = listener.local_addr().unwrap().port();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let recorded = sent.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, recorded.clone()));
            }
        });
        StandIn { port, sent }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }
}

/// Answers every request on one connection (keep-alive) until it closes.
async fn serve(mut stream: TcpStream, sent: Arc<Mutex<Vec<Sent>>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(head_end) = find(&buffer, b"\r\n\r\n") else {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let total = head_end + 4 + length;
        while buffer.len() < total {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let path = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let body = serde_json::from_slice(&buffer[head_end + 4..total]).unwrap_or(Value::Null);
        let id = {
            let mut sent = sent.lock().unwrap();
            sent.push(Sent { path, body });
            sent.len()
        };
        buffer.drain(..total);
        let answer =
            format!(r#"{{"messaging_product":"whatsapp","messages":[{{"id":"wamid.standin{id}"}}]}}"#);
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
