//! A recording proxy in front of the emulator and the WhatsApp stand-in: it
//! forwards each request and records how long its upstream took, so a
//! handler's own time is its invocation time minus the time it spent
//! waiting on them, and what it sent and got back, for the capacity the
//! same requests would consume on DynamoDB.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request that went through a proxy.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub service: Service,
    /// DynamoDB's `X-Amz-Target` operation, SNS's `Action`, or the path.
    pub operation: String,
    pub start: Instant,
    pub end: Instant,
    pub request: Bytes,
    pub response: Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    DynamoDb,
    Sns,
    Other,
    WhatsApp,
}

/// What the proxies recorded, shared by both.
#[derive(Clone, Default)]
pub struct Recorder {
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl Recorder {
    /// Everything recorded since the last call.
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().expect("not poisoned"))
    }
}

/// The time covered by the exchanges' intervals (concurrent requests
/// counted once).
pub fn busy(exchanges: &[Exchange]) -> Duration {
    let mut spans: Vec<(Instant, Instant)> = exchanges.iter().map(|e| (e.start, e.end)).collect();
    spans.sort();
    let mut total = Duration::ZERO;
    let mut current: Option<(Instant, Instant)> = None;
    for (start, end) in spans {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    total + current.map_or(Duration::ZERO, |(s, e)| e - s)
}

/// Starts a proxy to `upstream` (`http://host:port`); its base URL.
pub async fn start(upstream: String, whatsapp: bool, recorder: Recorder) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let upstream = Arc::new(upstream);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (client, upstream, recorder) = (client.clone(), upstream.clone(), recorder.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    forward(
                        client.clone(),
                        upstream.clone(),
                        recorder.clone(),
                        whatsapp,
                        request,
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    base
}

async fn forward(
    client: reqwest::Client,
    upstream: Arc<String>,
    recorder: Recorder,
    whatsapp: bool,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let (service, operation) = classify(whatsapp, &parts.headers, &body, parts.uri.path());
    let start = Instant::now();
    let mut outgoing = client.request(parts.method.clone(), format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        if name != hyper::header::HOST && name != hyper::header::CONTENT_LENGTH {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.body(body.clone()).send().await;
    let (status, headers, response) = match answer {
        Ok(answer) => {
            let status = answer.status();
            let headers = answer.headers().clone();
            (status, headers, answer.bytes().await.unwrap_or_default())
        }
        Err(error) => (
            hyper::StatusCode::BAD_GATEWAY,
            Default::default(),
            Bytes::from(error.to_string()),
        ),
    };
    let end = Instant::now();
    recorder.exchanges.lock().expect("not poisoned").push(Exchange {
        service,
        operation,
        start,
        end,
        request: body,
        response: response.clone(),
    });
    let mut reply = hyper::Response::builder().status(status);
    for (name, value) in &headers {
        if name != hyper::header::CONTENT_LENGTH && name != hyper::header::TRANSFER_ENCODING {
            reply = reply.header(name, value);
        }
    }
    Ok(reply.body(Full::new(response)).expect("a valid response"))
}

fn classify(whatsapp: bool, headers: &hyper::HeaderMap, body: &[u8], path: &str) -> (Service, String) {
    if whatsapp {
        return (Service::WhatsApp, "send".to_owned());
    }
    if let Some(target) = headers.get("x-amz-target").and_then(|t| t.to_str().ok()) {
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        return if target.starts_with("DynamoDB") {
            (Service::DynamoDb, operation)
        } else {
            (Service::Other, operation)
        };
    }
    // SNS speaks the query protocol: `Action=Publish&...`.
    let action = form_urlencoded::parse(body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned());
    match action {
        Some(action) => (Service::Sns, action),
        None => (Service::Other, path.to_owned()),
    }
}
