//! A fault-injecting HTTP/1.1 proxy on loopback, put between a client (the
//! AWS SDK, the WhatsApp client) and what it talks to (the emulator, the
//! WhatsApp stand-in). Requests pass through untouched unless the fault plan
//! names them: the N-th request, or the N-th request of one operation
//! (`X-Amz-Target` for DynamoDB, `Action` for SNS, the last path segment
//! otherwise), then gets added latency, a connection reset, an error
//! response in the service's own shape, or is forwarded and its response
//! lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What happens to a request the plan names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forwarded after this delay.
    Latency(Duration),
    /// The connection is reset before anything is forwarded.
    Reset,
    /// Answered with this status and a generic body; not forwarded.
    Status(u16),
    /// DynamoDB's `ProvisionedThroughputExceededException` (JSON 1.0, 400).
    DynamoThroughput,
    /// DynamoDB's `ThrottlingException` (JSON 1.0, 400).
    DynamoThrottling,
    /// SNS's `Throttling` error (query protocol XML, 400).
    SnsThrottling,
    /// Forwarded, so it takes effect, then the connection is reset before
    /// the response reaches the client.
    CommitLoseResponse,
    /// Held this long without an answer, then the connection is closed (a
    /// client timeout shorter than this sees a timeout).
    Hang(Duration),
}

impl Fault {
    /// A short stable name, for tables of results.
    pub fn name(&self) -> String {
        match self {
            Fault::Latency(d) => format!("latency {}ms", d.as_millis()),
            Fault::Reset => "reset".into(),
            Fault::Status(code) => format!("http {code}"),
            Fault::DynamoThroughput => "ProvisionedThroughputExceeded".into(),
            Fault::DynamoThrottling => "ThrottlingException".into(),
            Fault::SnsThrottling => "SNS Throttling".into(),
            Fault::CommitLoseResponse => "commit, response lost".into(),
            Fault::Hang(d) => format!("hang {}s", d.as_secs()),
        }
    }
}

/// One entry of the plan: from the `nth` (1-based, counted from when the
/// rule was armed) request matching `operation` (any when `None`), `times`
/// consecutive matching requests get `fault`. `times` above the SDK's
/// attempts makes a fault that outlasts its retries.
#[derive(Debug, Clone)]
pub struct Rule {
    pub operation: Option<String>,
    pub nth: usize,
    pub times: usize,
    pub fault: Fault,
}

impl Rule {
    /// The `nth` request of any operation, once.
    pub fn nth(nth: usize, fault: Fault) -> Self {
        Self {
            operation: None,
            nth,
            times: 1,
            fault,
        }
    }

    /// The `nth` request of `operation`, once.
    pub fn op(operation: &str, nth: usize, fault: Fault) -> Self {
        Self {
            operation: Some(operation.to_owned()),
            nth,
            times: 1,
            fault,
        }
    }

    /// The same, for `times` consecutive matching requests.
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }
}

/// A request the proxy saw, and the fault it got, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub operation: String,
    pub fault: Option<Fault>,
    /// The request's body as sent (e.g. an SNS `Publish`'s form).
    pub body: Vec<u8>,
}

struct Armed {
    rule: Rule,
    /// Matching requests counted since the rule was armed.
    matched: usize,
}

#[derive(Default)]
struct State {
    plan: Vec<Armed>,
    seen: Vec<Seen>,
    /// Requests of each operation being served now, and the most at once.
    in_flight: HashMap<String, usize>,
    peak_in_flight: HashMap<String, usize>,
}

#[derive(Clone)]
pub struct FaultProxy {
    /// `http://127.0.0.1:<port>`: what clients point at instead of `upstream`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// A proxy in front of `upstream` (`http://host:port`, any path ignored).
    pub async fn start(upstream: &str) -> Self {
        let authority = upstream
            .trim_start_matches("http://")
            .split('/')
            .next()
            .expect("an http:// URL")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, authority.clone(), shared.clone()));
            }
        });
        Self { url, state }
    }

    /// A proxy in front of the local AWS emulator (`AWS_ENDPOINT_URL`).
    pub async fn in_front_of_the_emulator() -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("the emulator's endpoint");
        Self::start(&endpoint).await
    }

    /// The SDK's configuration from the environment, as a function builds
    /// it, with every client going through this proxy.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aduan_shared::config::aws_sdk_loader()
            .endpoint_url(&self.url)
            .load()
            .await
    }

    /// Adds a rule; its count starts now.
    pub fn arm(&self, rule: Rule) {
        self.lock().plan.push(Armed { rule, matched: 0 });
    }

    /// Removes every rule and forgets what was seen.
    pub fn reset(&self) {
        let mut state = self.lock();
        state.plan.clear();
        state.seen.clear();
        state.peak_in_flight.clear();
    }

    /// Every request seen since the last reset, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The operations seen since the last reset, in order.
    pub fn operations(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.operation).collect()
    }

    /// The most requests of `operation` the proxy served at once since the
    /// last reset: 1 when a client makes them one after another.
    pub fn peak_in_flight(&self, operation: &str) -> usize {
        self.lock().peak_in_flight.get(operation).copied().unwrap_or(0)
    }

    /// How many faults were injected since the last reset.
    pub fn injected(&self) -> usize {
        self.lock().seen.iter().filter(|s| s.fault.is_some()).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("not poisoned")
    }
}

/// Decides the fault for one request and records it.
fn decide(state: &Mutex<State>, operation: &str, body: &[u8]) -> Option<Fault> {
    let mut state = state.lock().expect("not poisoned");
    let mut fault = None;
    for armed in &mut state.plan {
        if armed.rule.operation.as_deref().is_some_and(|op| op != operation) {
            continue;
        }
        armed.matched += 1;
        let first = armed.rule.nth;
        if fault.is_none() && armed.matched >= first && armed.matched < first + armed.rule.times {
            fault = Some(armed.rule.fault);
        }
    }
    state.seen.push(Seen {
        operation: operation.to_owned(),
        fault,
        body: body.to_vec(),
    });
    let now = {
        let count = state.in_flight.entry(operation.to_owned()).or_default();
        *count += 1;
        *count
    };
    let peak = state.peak_in_flight.entry(operation.to_owned()).or_default();
    *peak = (*peak).max(now);
    fault
}

/// Counts a request out of flight when it is answered or dropped.
struct InFlight {
    state: Arc<Mutex<State>>,
    operation: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut state) = self.state.lock() {
            if let Some(count) = state.in_flight.get_mut(&self.operation) {
                *count = count.saturating_sub(1);
            }
        }
    }
}

struct Request {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// DynamoDB's target, SNS's action, else the last path segment.
    fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        if let Some(action) = form_urlencoded::parse(&self.body).find(|(k, _)| k == "Action") {
            return action.1.into_owned();
        }
        let path = self.head[0].split_whitespace().nth(1).unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default();
        path.rsplit('/').next().unwrap_or_default().to_owned()
    }

    /// The request as sent upstream, on a connection of its own.
    fn bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        for (i, line) in self.head.iter().enumerate() {
            if i > 0 && line.to_ascii_lowercase().starts_with("connection:") {
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

async fn read_request(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Request> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let mut request = Request {
        head,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    request.body = vec![0; length];
    reader.read_exact(&mut request.body).await.ok()?;
    Some(request)
}

async fn serve(socket: TcpStream, upstream: String, state: Arc<Mutex<State>>) {
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    while let Some(request) = read_request(&mut reader).await {
        let operation = request.operation();
        let fault = decide(&state, &operation, &request.body);
        let _in_flight = InFlight {
            state: state.clone(),
            operation,
        };
        let response = match fault {
            None => forward(&upstream, &request).await,
            Some(Fault::Latency(delay)) => {
                tokio::time::sleep(delay).await;
                forward(&upstream, &request).await
            }
            Some(Fault::Reset) => return reset(reader, write),
            Some(Fault::CommitLoseResponse) => {
                let _ = forward(&upstream, &request).await;
                return reset(reader, write);
            }
            Some(Fault::Hang(duration)) => {
                tokio::time::sleep(duration).await;
                return;
            }
            Some(Fault::Status(code)) => Some(respond(
                code,
                "application/json",
                r#"{"message":"injected failure"}"#,
            )),
            Some(Fault::DynamoThroughput) => Some(respond(
                400,
                "application/x-amz-json-1.0",
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#,
            )),
            Some(Fault::DynamoThrottling) => Some(respond(
                400,
                "application/x-amz-json-1.0",
                r#"{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#,
            )),
            Some(Fault::SnsThrottling) => Some(respond(
                400,
                "text/xml",
                r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"#,
            )),
        };
        let Some(response) = response else {
            return reset(reader, write);
        };
        if write.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// Closes with a TCP reset (linger 0), as a dropped connection looks.
fn reset(reader: BufReader<tokio::net::tcp::OwnedReadHalf>, write: tokio::net::tcp::OwnedWriteHalf) {
    if let Ok(socket) = reader.into_inner().reunite(write) {
        // A zero linger resets at once; it never blocks on drop.
        #[allow(deprecated)]
        let _ = socket.set_linger(Some(Duration::ZERO));
    }
}

fn respond(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} Injected\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends the request upstream, on a connection of its own, and reads one
/// response: by its length, else to the end of the connection.
async fn forward(upstream: &str, request: &Request) -> Option<Vec<u8>> {
    let conn = TcpStream::connect(upstream).await.ok()?;
    let mut conn = BufReader::new(conn);
    conn.get_mut().write_all(&request.bytes()).await.ok()?;
    let mut response = Vec::new();
    let mut length = None;
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        response.extend_from_slice(line.as_bytes());
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    match length {
        Some(length) => {
            let mut body = vec![0; length];
            conn.read_exact(&mut body).await.ok()?;
            response.extend_from_slice(&body);
            Some(response)
        }
        None => {
            conn.read_to_end(&mut response).await.ok()?;
            Some(keep_alive(response))
        }
    }
}

/// A response that ended with its connection: given a length, so the
/// client's connection can stay open.
fn keep_alive(response: Vec<u8>) -> Vec<u8> {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return response;
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let lines: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    let mut out = lines.join("\r\n").into_bytes();
    let has_length = lines.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-length:") || l.starts_with("transfer-encoding:")
    });
    if !has_length {
        out.extend_from_slice(format!("\r\ncontent-length: {}", response.len() - end - 4).as_bytes());
    }
    out.extend_from_slice(&response[end..]);
    out
}
