//! `make dev`: the whole system on one machine. The three functions'
//! libraries, called exactly as Lambda calls them (API Gateway HTTP API
//! payload 2.0 event JSON, parsed by `lambda_http::request::from_str`),
//! behind a local stand-in for API Gateway: the routes and the JWT
//! authorizer of template.yaml, a development issuer for officials' tokens,
//! and a stand-in for WhatsApp's send API that records what it receives.

pub mod console;
pub mod gateway;
pub mod issuer;
pub mod template;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aduan_shared::config::Env;
use aduan_testkit::faults::FaultProxy;
use aduan_testkit::standin::{message_text, WhatsAppStandin};
use base64::Engine;
use case_updates::state::AppState;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::issuer::{Issuer, OFFICIALS};
use crate::template::{Routes, Template};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
type Response = hyper::Response<Full<Bytes>>;

/// The binaries (template.yaml's `BuildProperties.Binary`) served here.
pub const WEBHOOK: &str = "aduan-webhook";
pub const CASE_UPDATES: &str = "aduan-case-updates";
pub const DIGEST: &str = "aduan-digest";

/// The dev WhatsApp number (`phone_number_id`); it serves one kecamatan.
pub const DEV_NUMBER: &str = "1000000001";
pub const DEV_NUMBER_KECAMATAN: &str = "bukittinggi/mandiangin-koto-selayan";
pub const DEV_APP_SECRET: &str = "dev-app-secret";
pub const DEV_VERIFY_TOKEN: &str = "dev-verify-token";

/// API Gateway's payload limit.
const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// template.yaml of this workspace.
pub fn default_template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")
}

/// The officials' console of this workspace.
pub fn default_console() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../console")
}

/// `base` (the process environment, or a test's) with the dev defaults for
/// what it does not set; messages always go to the stand-in.
pub fn dev_env(base: Vec<(String, String)>, standin_url: &str) -> Vec<(String, String)> {
    let defaults = [
        ("REPORTER_HMAC_KEY", aduan_testkit::TEST_HMAC_KEY.to_owned()),
        (
            "CONTACT_ENCRYPTION_KEY",
            aduan_testkit::TEST_CONTACT_KEY.to_owned(),
        ),
        ("WHATSAPP_APP_SECRET", DEV_APP_SECRET.to_owned()),
        ("WHATSAPP_VERIFY_TOKEN", DEV_VERIFY_TOKEN.to_owned()),
        ("WHATSAPP_ACCESS_TOKEN", "dev-token".to_owned()),
        ("NUMBER_KECAMATAN", format!("{DEV_NUMBER}={DEV_NUMBER_KECAMATAN}")),
    ];
    let mut env: Vec<(String, String)> = base
        .into_iter()
        .filter(|(k, _)| k != "WHATSAPP_API_BASE")
        .collect();
    for (key, value) in defaults {
        if !env.iter().any(|(k, _)| k == key) {
            env.push((key.to_owned(), value));
        }
    }
    env.push(("WHATSAPP_API_BASE".to_owned(), standin_url.to_owned()));
    env
}

pub struct Options {
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    pub template: PathBuf,
    /// The console's files, served under `/console/`.
    pub console: PathBuf,
    /// The functions' environment before the dev defaults ([`dev_env`]).
    pub env: Vec<(String, String)>,
    pub sdk: aws_config::SdkConfig,
}

/// A running dev server. Dropping it stops serving.
pub struct DevServer {
    pub addr: SocketAddr,
    pub routes: Routes,
    pub issuer: Issuer,
    pub standin: WhatsAppStandin,
    /// The functions' environment.
    pub env: Vec<(String, String)>,
    task: tokio::task::JoinHandle<()>,
}

impl DevServer {
    /// `http://127.0.0.1:<port>`, the API's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn var(&self, key: &str) -> Option<&str> {
        self.env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Everything a request may need.
struct Dev {
    routes: Routes,
    issuer: Issuer,
    standin: WhatsAppStandin,
    webhook: webhook::App,
    cases: AppState,
    digest: digest::App,
    digest_timeout: Duration,
    console: PathBuf,
    requests: AtomicU64,
    /// The functions' way to the emulator; what they published, for `/dev/sns`.
    aws: FaultProxy,
    /// The stack's topics: (`escalations`/`digests`/..., ARN).
    topics: Vec<(String, String)>,
}

/// Builds the three functions as their cold starts do and starts serving.
pub async fn start(options: Options) -> Result<DevServer, Error> {
    let template = Template::load(&options.template)?;
    let routes = template.routes()?;
    if let Some(route) = routes
        .0
        .iter()
        .find(|r| r.binary != WEBHOOK && r.binary != CASE_UPDATES)
    {
        return Err(format!(
            "template.yaml routes {} to {}, which aduan-dev does not serve",
            route.key(),
            route.binary
        )
        .into());
    }
    let listener = TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    let issuer = Issuer::new(format!("http://{addr}/dev"));
    let standin = WhatsAppStandin::start().await;
    let env_pairs = dev_env(options.env, &standin.base_url);
    let env = Env::from_pairs(env_pairs.clone());
    // The functions reach the emulator through a recording proxy, so that
    // /dev/sns can show exactly what was published.
    let emulator = options.sdk.endpoint_url().unwrap_or_default().to_owned();
    let aws = FaultProxy::start(&emulator).await;
    let mut sdk = options.sdk.to_builder();
    sdk.set_service_config(Some(NoServiceConfig));
    let sdk = &sdk.endpoint_url(&aws.url).build();
    let dev = Arc::new(Dev {
        webhook: webhook::App::from_config(&env, sdk).await?,
        cases: AppState::from_config(&env, sdk).await?,
        digest: digest::App::from_config(&env, sdk).await?,
        digest_timeout: Duration::from_secs(template.timeout_secs(DIGEST)),
        routes: routes.clone(),
        issuer: issuer.clone(),
        standin: standin.clone(),
        console: options.console,
        requests: AtomicU64::new(0),
        aws,
        topics: env_pairs
            .iter()
            .filter_map(|(key, arn)| {
                let name = key.strip_suffix("_TOPIC_ARN")?.to_lowercase();
                Some((name, arn.clone()))
            })
            .collect(),
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let dev = dev.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| serve(dev.clone(), req));
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                if let Err(error) = connection.await {
                    tracing::debug!(%error, "connection ended");
                }
            });
        }
    });
    Ok(DevServer {
        addr,
        routes,
        issuer,
        standin,
        env: env_pairs,
        task,
    })
}

/// The clients would read `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`)
/// from the environment before the endpoint given to them, and so go
/// around the recording proxy: give them no such settings.
#[derive(Debug)]
struct NoServiceConfig;

impl aws_types::service_config::LoadServiceConfig for NoServiceConfig {
    fn load_config(&self, _key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        None
    }
}

async fn serve(dev: Arc<Dev>, request: hyper::Request<Incoming>) -> Result<Response, Infallible> {
    let (parts, body) = request.into_parts();
    let response = match Limited::new(body, MAX_PAYLOAD).collect().await {
        Ok(body) => respond(&dev, &parts, &body.to_bytes()).await,
        Err(_) => message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
    };
    tracing::info!(
        method = %parts.method,
        path = parts.uri.path(),
        status = response.status().as_u16(),
        "request"
    );
    Ok(response)
}

async fn respond(dev: &Dev, parts: &Parts, body: &[u8]) -> Response {
    let path = parts.uri.path();
    if let Some(response) = console::serve(&dev.console, &dev.issuer, &dev.aws.url, parts, body) {
        return response;
    }
    if let Some(response) = dev_endpoint(dev, &parts.method, &parts.uri, body).await {
        return response;
    }
    let Some((route, path_parameters)) = dev.routes.find(parts.method.as_str(), path) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let verified = match &route.authorizer {
        None => None,
        Some(_) => {
            let header = parts.headers.get(hyper::header::AUTHORIZATION);
            match header
                .and_then(|h| h.to_str().ok())
                .and_then(|h| dev.issuer.verify(h))
            {
                Some(verified) => Some(verified),
                None => return message(StatusCode::UNAUTHORIZED, "Unauthorized"),
            }
        }
    };
    let id = format!("dev-{}", dev.requests.fetch_add(1, Ordering::Relaxed) + 1);
    let event = gateway::event(parts, body, route, &path_parameters, verified.as_ref(), &id);
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, "lambda_http rejected the event");
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    };
    let response = match route.binary.as_str() {
        WEBHOOK => webhook::handle(&dev.webhook, request).await,
        _ => match case_updates::handler(&dev.cases, request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
    };
    response.map(|body| Full::new(Bytes::copy_from_slice(body.as_ref())))
}

/// The development endpoints under `/dev/`.
async fn dev_endpoint(dev: &Dev, method: &Method, uri: &hyper::Uri, body: &[u8]) -> Option<Response> {
    let response = match (method, uri.path()) {
        (&Method::GET, "/dev/officials") => {
            let officials: Vec<Value> = OFFICIALS
                .iter()
                .map(|o| json!({"official": o.id, "name": o.name, "role": o.role, "scope": o.scope}))
                .collect();
            json_response(StatusCode::OK, &json!(officials))
        }
        (&Method::POST, "/dev/token") => {
            let wanted: Value = serde_json::from_slice(body).unwrap_or_default();
            match wanted["official"].as_str().and_then(issuer::official) {
                Some(official) => json_response(
                    StatusCode::OK,
                    &json!({"id_token": dev.issuer.token(official), "expires_in": issuer::TOKEN_LIFETIME_SECS}),
                ),
                None => message(
                    StatusCode::BAD_REQUEST,
                    "send {\"official\": \"<id>\"}, one of GET /dev/officials",
                ),
            }
        }
        (&Method::GET, "/dev/whatsapp") => {
            let received: Vec<Value> = dev
                .standin
                .received()
                .iter()
                .map(|r| json!({"method": r.method, "path": r.path, "text": message_text(&r.body), "body": r.body}))
                .collect();
            json_response(StatusCode::OK, &json!(received))
        }
        (&Method::POST, "/dev/media") => {
            // A file the WhatsApp stand-in then serves, as Meta would, for a
            // simulated photo's media id.
            let wanted: Value = serde_json::from_slice(body).unwrap_or_default();
            let data = wanted["data_base64"]
                .as_str()
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
            match (wanted["media_id"].as_str(), wanted["mime_type"].as_str(), data) {
                (Some(id), Some(mime), Some(bytes)) if !id.is_empty() => {
                    dev.standin.add_media(id, bytes, mime);
                    json_response(StatusCode::OK, &json!({"media_id": id}))
                }
                _ => message(
                    StatusCode::BAD_REQUEST,
                    "send {\"media_id\": \"...\", \"mime_type\": \"image/jpeg\", \"data_base64\": \"...\"}",
                ),
            }
        }
        (&Method::POST, "/dev/jobs") => {
            let Ok(input) = serde_json::from_slice::<Value>(body) else {
                return Some(message(
                    StatusCode::BAD_REQUEST,
                    "send the schedule's Input, e.g. {\"job\":\"daily-digest\"}",
                ));
            };
            // `?at=<RFC 3339>` runs the job as if the schedule fired then
            // (e.g. tomorrow's 07:00 digest); default: now.
            let at = match query_param(uri, "at") {
                None => chrono::Utc::now(),
                Some(at) => match chrono::DateTime::parse_from_rfc3339(&at) {
                    Ok(at) => at.with_timezone(&chrono::Utc),
                    Err(_) => {
                        return Some(message(
                            StatusCode::BAD_REQUEST,
                            "at must be an RFC 3339 time, e.g. 2026-12-01T07:00:00+07:00",
                        ))
                    }
                },
            };
            let budget = digest::Budget::from_remaining(dev.digest_timeout);
            match dev.digest.handle(&input, at, budget).await {
                Ok(summary) => json_response(StatusCode::OK, &summary),
                Err(error @ digest::HandlerError::Job(_)) => {
                    message(StatusCode::BAD_REQUEST, &error.to_string())
                }
                Err(error) => message(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
            }
        }
        (&Method::GET, "/dev/sns") => json_response(StatusCode::OK, &json!(published(dev))),
        _ => return None,
    };
    Some(response)
}

fn query_param(uri: &hyper::Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// What the stack's topics were sent, oldest first, as the functions
/// published it: the SMS and email texts officials get, the email subject
/// and the attributes subscriptions filter on.
fn published(dev: &Dev) -> Vec<Value> {
    let mut published = Vec::new();
    for seen in dev.aws.seen().iter().filter(|s| s.operation == "Publish") {
        let form: Vec<(String, String)> = form_urlencoded::parse(&seen.body).into_owned().collect();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let Some((topic, _)) =
            field("TopicArn").and_then(|arn| dev.topics.iter().find(|(_, a)| *a == arn).cloned())
        else {
            continue;
        };
        let message = field("Message").unwrap_or_default();
        let bodies: Value = serde_json::from_str(&message).unwrap_or_else(|_| json!({ "default": message }));
        // MessageAttributes.entry.N.Name / .Value.StringValue
        let mut attributes = serde_json::Map::new();
        for (key, name) in form.iter().filter(|(k, _)| k.ends_with(".Name")) {
            let prefix = key.trim_end_matches(".Name");
            if let Some(value) = field(&format!("{prefix}.Value.StringValue")) {
                attributes.insert(name.clone(), json!(value));
            }
        }
        published.push(json!({
            "topic": topic,
            "subject": field("Subject"),
            "sms": bodies["sms"],
            "email": bodies["email"],
            "default": bodies["default"],
            "attributes": attributes,
        }));
    }
    published
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    hyper::Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

/// API Gateway's own answers: `{"message": "..."}`.
fn message(status: StatusCode, text: &str) -> Response {
    json_response(status, &json!({ "message": text }))
}
