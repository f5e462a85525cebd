//! A local Lambda Runtime API: function binaries run as real processes, poll
//! it exactly as they poll Lambda's (`AWS_LAMBDA_RUNTIME_API`), and get the
//! events submitted with [`RuntimeApi::invoke`]; each response goes back to
//! whoever submitted the event, with timings.
//!
//! Each process gets a listener of its own, so its first poll (the end of its
//! cold start) and every invocation it serves are attributed to it. Events
//! wait in one queue that all processes of the API take from, as Lambda
//! hands events to whichever environment is free.
//!
//! Endpoints (API version 2018-06-01): `GET runtime/invocation/next`,
//! `POST runtime/invocation/{id}/response`, `POST runtime/invocation/{id}/error`,
//! `POST runtime/init/error`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Notify};

const PREFIX: &str = "/2018-06-01/runtime/";
const ACCOUNT: &str = "123456789012";
const REGION: &str = "ap-southeast-3";

/// How a function answered one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The body the function posted to `.../response` (JSON, or a string
    /// when it is not JSON).
    Response(Value),
    /// The function reported an error (`.../error`): the
    /// `Lambda-Runtime-Function-Error-Type` header and the body.
    Error { error_type: Option<String>, body: Value },
    /// The process serving the event exited, or reported an init error,
    /// before answering.
    Lost,
}

/// One answered event, with its timings.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub outcome: Outcome,
    /// The process (in start order, from 0) that served it.
    pub process: usize,
    /// From submission until a process polled it.
    pub queued: Duration,
    /// From handing the event out until the answer arrived: what Lambda
    /// bills as the invocation's duration.
    pub duration: Duration,
}

impl Invocation {
    /// The response body, or a panic naming what came back instead.
    pub fn response(&self) -> &Value {
        match &self.outcome {
            Outcome::Response(body) => body,
            other => panic!("invocation {} did not succeed: {other:?}", self.request_id),
        }
    }

    /// The body of a `lambda_http` function's response, if it answered.
    pub fn response_body(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Response(response) => response["body"].as_str().map(str::to_owned),
            _ => None,
        }
    }
}

/// Where a function process's stdout and stderr go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Kept in memory, readable with [`FunctionProcess::output`].
    Capture,
    Discard,
    Inherit,
}

/// A function binary and the environment to start it with. The
/// `AWS_LAMBDA_*` variables Lambda sets are added; `env` may override them.
#[derive(Debug, Clone)]
pub struct Function {
    pub program: std::path::PathBuf,
    pub name: String,
    pub env: Vec<(String, String)>,
    pub memory_mb: u32,
    pub output: Output,
}

impl Function {
    pub fn new(program: impl AsRef<Path>, name: &str) -> Self {
        Self {
            program: program.as_ref().to_owned(),
            name: name.to_owned(),
            env: Vec::new(),
            memory_mb: 128,
            output: Output::Capture,
        }
    }

    pub fn env(mut self, env: impl IntoIterator<Item = (String, String)>) -> Self {
        self.env.extend(env);
        self
    }

    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }
}

struct Pending {
    reply: oneshot::Sender<Invocation>,
    handed: Instant,
    queued: Duration,
    process: usize,
}

struct Queued {
    request_id: String,
    event: Bytes,
    submitted: Instant,
    reply: oneshot::Sender<Invocation>,
}

struct Shared {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    pending: Mutex<HashMap<String, Pending>>,
    timeout: Duration,
}

/// The local Runtime API: one event queue, any number of function processes.
/// Clones share the queue, so tasks can submit events concurrently.
#[derive(Clone)]
pub struct RuntimeApi {
    sender: mpsc::UnboundedSender<Queued>,
    shared: Arc<Shared>,
    next_id: Arc<AtomicU64>,
    processes: Arc<Mutex<usize>>,
}

impl Default for RuntimeApi {
    fn default() -> Self {
        Self::new()
    }
}

impl RuntimeApi {
    /// An API whose events carry a 30-second deadline.
    pub fn new() -> Self {
        Self::with_timeout(Duration::from_secs(30))
    }

    /// `timeout` sets each event's `Lambda-Runtime-Deadline-Ms`.
    pub fn with_timeout(timeout: Duration) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            sender,
            shared: Arc::new(Shared {
                queue: tokio::sync::Mutex::new(receiver),
                pending: Mutex::new(HashMap::new()),
                timeout,
            }),
            next_id: Arc::new(AtomicU64::new(0)),
            processes: Arc::new(Mutex::new(0)),
        }
    }

    /// Starts `function` as a process polling a listener of its own. The
    /// clock of its cold start starts just before the process is spawned.
    pub async fn start(&self, function: &Function) -> std::io::Result<FunctionProcess> {
        let index = {
            let mut count = self.processes.lock().expect("not poisoned");
            *count += 1;
            *count - 1
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let process = Arc::new(ProcessState {
            index,
            function_name: function.name.clone(),
            first_poll: OnceLock::new(),
            polled: Notify::new(),
            init_error: Mutex::new(None),
            current: Mutex::new(None),
            exited: tokio::sync::watch::channel(None).0,
        });
        let mut command = tokio::process::Command::new(&function.program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(lambda_env(function, addr))
            .envs(function.env.iter().cloned())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        let stdio = || match function.output {
            Output::Capture => Stdio::piped(),
            Output::Discard => Stdio::null(),
            Output::Inherit => Stdio::inherit(),
        };
        command.stdout(stdio()).stderr(stdio());
        tokio::spawn(serve(listener, self.shared.clone(), process.clone()));
        let started = Instant::now();
        let mut child = command.spawn()?;
        let output = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn Reader>),
            child.stderr.take().map(|s| Box::new(s) as Box<dyn Reader>),
        ]
        .into_iter()
        .flatten()
        {
            tokio::spawn(collect(stream, output.clone()));
        }
        let pid = child.id();
        let (kill, killed) = oneshot::channel::<()>();
        let (state, shared) = (process.clone(), self.shared.clone());
        tokio::spawn(async move {
            let status = tokio::select! {
                status = child.wait() => status,
                _ = killed => child.kill().await.and_then(|()| Ok(child.try_wait()?.unwrap_or_default())),
            };
            let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
            state.exited.send_replace(Some(status));
            state.lose_current(&shared);
        });
        Ok(FunctionProcess {
            pid,
            started,
            state: process,
            output,
            kill: Some(kill),
        })
    }

    /// Queues `event` for the next free process and waits for its answer.
    pub async fn invoke(&self, event: &Value) -> Invocation {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request_id = format!("00000000-0000-4000-8000-{id:012x}");
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Queued {
                request_id: request_id.clone(),
                event: Bytes::from(event.to_string()),
                submitted: Instant::now(),
                reply,
            })
            .expect("the queue lives as long as the API");
        answer.await.unwrap_or(Invocation {
            request_id,
            outcome: Outcome::Lost,
            process: usize::MAX,
            queued: Duration::ZERO,
            duration: Duration::ZERO,
        })
    }
}

trait Reader: tokio::io::AsyncRead + Unpin + Send {}
impl<T: tokio::io::AsyncRead + Unpin + Send> Reader for T {}

async fn collect(mut stream: Box<dyn Reader>, into: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = [0u8; 8192];
    while let Ok(n @ 1..) = stream.read(&mut buffer).await {
        into.lock().expect("not poisoned").extend_from_slice(&buffer[..n]);
    }
}

fn lambda_env(function: &Function, addr: SocketAddr) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", addr.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", function.memory_mb.to_string()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", function.name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "local/[$LATEST]0".to_owned()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_DEFAULT_REGION", REGION.to_owned()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

struct ProcessState {
    index: usize,
    function_name: String,
    first_poll: OnceLock<Instant>,
    polled: Notify,
    init_error: Mutex<Option<Value>>,
    /// The event it is serving, to answer `Lost` if it dies with it.
    current: Mutex<Option<String>>,
    /// Set when the process has exited: its pending poll stops waiting.
    exited: tokio::sync::watch::Sender<Option<String>>,
}

impl ProcessState {
    fn lose_current(&self, shared: &Shared) {
        let Some(id) = self.current.lock().expect("not poisoned").take() else {
            return;
        };
        if let Some(pending) = shared.pending.lock().expect("not poisoned").remove(&id) {
            let _ = pending.reply.send(Invocation {
                request_id: id,
                outcome: Outcome::Lost,
                process: pending.process,
                queued: pending.queued,
                duration: pending.handed.elapsed(),
            });
        }
    }
}

/// A running function process. Dropping it kills the process.
pub struct FunctionProcess {
    pid: Option<u32>,
    started: Instant,
    state: Arc<ProcessState>,
    output: Arc<Mutex<Vec<u8>>>,
    /// Dropping it (or sending) kills the process.
    kill: Option<oneshot::Sender<()>>,
}

impl FunctionProcess {
    pub fn index(&self) -> usize {
        self.state.index
    }

    /// Waits for the first poll: the time from spawn to it is the cold start
    /// (init). An error if the process exits, or reports an init error,
    /// before polling.
    pub async fn cold_start(&self) -> Result<Duration, String> {
        let mut exited = self.state.exited.subscribe();
        loop {
            let polled = self.state.polled.notified();
            if let Some(first) = self.state.first_poll.get() {
                return Ok(*first - self.started);
            }
            if let Some(error) = self.state.init_error.lock().expect("not poisoned").clone() {
                return Err(format!("init error: {error}"));
            }
            if let Some(status) = exited.borrow_and_update().clone() {
                return Err(format!("exited ({status}) before polling: {}", self.output()));
            }
            tokio::select! {
                () = polled => {}
                _ = exited.changed() => {}
            }
        }
    }

    /// Waits until the process has exited; its exit status.
    pub async fn exited(&self) -> String {
        let mut exited = self.state.exited.subscribe();
        let status = exited
            .wait_for(Option::is_some)
            .await
            .expect("the state outlives the watcher");
        status.clone().unwrap_or_default()
    }

    /// What it wrote to stdout and stderr so far ([`Output::Capture`]).
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("not poisoned")).into_owned()
    }

    /// Its init error report, if it posted one.
    pub fn init_error(&self) -> Option<Value> {
        self.state.init_error.lock().expect("not poisoned").clone()
    }

    /// Peak resident memory so far (Linux `VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// CPU time the process's live threads have used so far, to the
    /// nanosecond (`/proc/<pid>/task/*/schedstat`; `/proc/<pid>/stat` counts
    /// in 10 ms ticks, too coarse for one invocation). A thread that exits
    /// takes its time with it, so a difference across such an exit is low.
    pub fn cpu_time(&self) -> Option<Duration> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid?)).ok()?;
        let mut nanos: u64 = 0;
        for task in tasks.flatten() {
            let schedstat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            nanos += schedstat
                .split_whitespace()
                .next()
                .and_then(|on_cpu| on_cpu.parse::<u64>().ok())
                .unwrap_or(0);
        }
        Some(Duration::from_nanos(nanos))
    }

    /// Kills the process and waits for it to exit; an event it was serving
    /// is answered `Lost`.
    pub async fn stop(mut self) -> String {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        self.exited().await
    }
}

type Response = hyper::Response<Full<Bytes>>;

async fn serve(listener: TcpListener, shared: Arc<Shared>, process: Arc<ProcessState>) {
    while let Ok((stream, _)) = listener.accept().await {
        let (shared, process) = (shared.clone(), process.clone());
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request| route(shared.clone(), process.clone(), request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn route(
    shared: Arc<Shared>,
    process: Arc<ProcessState>,
    request: hyper::Request<Incoming>,
) -> Result<Response, Infallible> {
    let (parts, body) = request.into_parts();
    let Some(path) = parts.uri.path().strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, r#"{"errorMessage":"unknown path"}"#));
    };
    let segments: Vec<&str> = path.split('/').collect();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    Ok(match (&parts.method, segments.as_slice()) {
        (&Method::GET, ["invocation", "next"]) => next(&shared, &process).await,
        (&Method::POST, ["invocation", id, kind @ ("response" | "error")]) => {
            let outcome = if *kind == "response" {
                Outcome::Response(json_or_string(&body))
            } else {
                Outcome::Error {
                    error_type: parts
                        .headers
                        .get("lambda-runtime-function-error-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: json_or_string(&body),
                }
            };
            answer(&shared, &process, id, outcome)
        }
        (&Method::POST, ["init", "error"]) => {
            *process.init_error.lock().expect("not poisoned") = Some(json_or_string(&body));
            process.polled.notify_waiters();
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        _ => reply(StatusCode::NOT_FOUND, r#"{"errorMessage":"unknown path"}"#),
    })
}

async fn next(shared: &Shared, process: &ProcessState) -> Response {
    if process.first_poll.set(Instant::now()).is_ok() {
        process.polled.notify_waiters();
    }
    // A process that exits while polling must not take an event with it.
    let mut exited = process.exited.subscribe();
    let queued = tokio::select! {
        queued = async { shared.queue.lock().await.recv().await } => queued,
        _ = exited.wait_for(Option::is_some) => None,
    };
    let Some(queued) = queued else {
        return reply(StatusCode::GONE, "{}");
    };
    let handed = Instant::now();
    let deadline = SystemTime::now() + shared.timeout;
    let deadline_ms = deadline
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    shared.pending.lock().expect("not poisoned").insert(
        queued.request_id.clone(),
        Pending {
            reply: queued.reply,
            handed,
            queued: handed - queued.submitted,
            process: process.index,
        },
    );
    *process.current.lock().expect("not poisoned") = Some(queued.request_id.clone());
    if process.exited.borrow().is_some() {
        // It exited between taking the event and now: answer `Lost`.
        process.lose_current(shared);
    }
    hyper::Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("lambda-runtime-aws-request-id", &queued.request_id)
        .header("lambda-runtime-deadline-ms", deadline_ms.to_string())
        .header(
            "lambda-runtime-invoked-function-arn",
            format!(
                "arn:aws:lambda:{REGION}:{ACCOUNT}:function:{}",
                process.function_name
            ),
        )
        .header(
            "lambda-runtime-trace-id",
            format!(
                "Root=1-00000000-{};Sampled=0",
                &queued.request_id.replace('-', "")[8..]
            ),
        )
        .body(Full::new(queued.event))
        .expect("valid response")
}

fn answer(shared: &Shared, process: &ProcessState, id: &str, outcome: Outcome) -> Response {
    let arrived = Instant::now();
    let Some(pending) = shared.pending.lock().expect("not poisoned").remove(id) else {
        return reply(
            StatusCode::BAD_REQUEST,
            r#"{"errorMessage":"unknown or already answered request id","errorType":"InvalidRequestID"}"#,
        );
    };
    process.current.lock().expect("not poisoned").take();
    let _ = pending.reply.send(Invocation {
        request_id: id.to_owned(),
        outcome,
        process: pending.process,
        queued: pending.queued,
        duration: arrived - pending.handed,
    });
    reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

fn json_or_string(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn reply(status: StatusCode, body: &'static str) -> Response {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("valid response")
}
