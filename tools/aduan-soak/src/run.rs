//! One soak run: a fresh table and topics, the webhook and the officials'
//! API as real function processes polling a local Lambda Runtime API, the
//! scenario's deliveries wave by wave, officials acting meanwhile, the
//! digest and SLA sweeps in between; then everything read back for the
//! checks.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aduan_shared::config::Env;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::sla::WorkingCalendar;
use aduan_shared::store::{schema, QueueQuery, QueueScope, Store};
use aduan_testkit::base_env;
use aduan_testkit::events::http_event;
use aduan_testkit::runtime_api::{Function, FunctionProcess, Outcome, Output, RuntimeApi};
use aduan_testkit::standin::WhatsAppStandin;
use chrono::{Days, Utc};
use digest_fn::{App as DigestApp, Budget};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::check::{CaseRecord, Observed};
use crate::officials::{officials, Desk, Work};
use crate::scenario::{Delivery, Scenario};

/// The Meta app secret the deliveries are signed with.
pub const APP_SECRET: &str = "soak-app-secret";
/// Meta delivers again after a non-200 answer: at most this often here.
const MAX_ATTEMPTS: usize = 10;
/// Each sweep runs this many days after the previous one, so every open
/// case is overdue again and climbs one tier.
const SWEEP_STRIDE_DAYS: u64 = 10;

#[derive(Debug, Clone)]
pub struct Setup {
    /// Where the function binaries (`aduan-webhook`, `aduan-case-updates`) are.
    pub bin_dir: PathBuf,
    /// Webhook processes polling the runtime API at once.
    pub sandboxes: usize,
    /// Officials acting during the run, and the case-updates processes serving them.
    pub officials: usize,
    pub api_sandboxes: usize,
    /// SLA sweeps during the run (each `SWEEP_STRIDE_DAYS` later than the last).
    pub sweeps: usize,
}

/// The directory of the running executable (for a test, the profile
/// directory above `deps/`): where cargo put the function binaries too.
pub fn default_bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the running executable");
    let dir = exe.parent().expect("a directory").to_path_buf();
    match dir.file_name() {
        Some(name) if name == "deps" => dir.parent().expect("the profile directory").to_path_buf(),
        _ => dir,
    }
}

/// How one delivery went, until a 200.
#[derive(Debug, Clone)]
pub struct Sent {
    pub delivery: Delivery,
    /// Submitted until answered, queueing for a free sandbox included.
    pub latency: Duration,
    /// In the sandbox: what Lambda would bill.
    pub duration: Duration,
    /// Attempts it took (Meta delivers again after a non-200).
    pub attempts: usize,
    pub delivered: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SweepRun {
    pub escalated: u64,
    pub conflicts: u64,
    pub errors: u64,
}

/// What the run did and saw, for the checks and the report.
pub struct Run {
    pub scenario: Scenario,
    pub table: String,
    pub sent: Vec<Sent>,
    pub elapsed: Duration,
    pub cold_starts: Vec<Duration>,
    pub work: Vec<Work>,
    pub sweeps: Vec<SweepRun>,
    /// Digests published by the first run of the day, and by the re-run.
    pub digests: (u64, u64),
    pub observed: Observed,
}

#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

fn fail(what: &str) -> impl Fn(String) -> RunError + '_ {
    move |e| RunError(format!("{what}: {e}"))
}

struct Resources {
    table: String,
    escalations: Topic,
    digests: Topic,
}

/// A fresh topic and the SQS queue subscribed to all it publishes.
struct Topic {
    arn: String,
    queue_url: String,
}

async fn topic(sdk: &aws_config::SdkConfig, name: &str) -> Result<Topic, RunError> {
    let arn = aduan_testkit::sns::fresh_topic(sdk, name)
        .await
        .map_err(|e| fail("create topic")(e.to_string()))?;
    let queue_url = aduan_testkit::sns::subscribed_queue(sdk, &arn, name, None)
        .await
        .map_err(|e| fail("subscribe a queue")(e.to_string()))?;
    Ok(Topic { arn, queue_url })
}

/// Everything in the queue: the SNS notifications' JSON.
async fn drain(sdk: &aws_config::SdkConfig, url: &str) -> Result<Vec<Value>, RunError> {
    aduan_testkit::sns::drain(sdk, url)
        .await
        .map_err(|e| fail("drain")(e.to_string()))
}

/// The variables every function process gets: the test keys, the fresh
/// table and topics, the WhatsApp stand-in, and the SDK's endpoint.
fn function_env(resources: &Resources, whatsapp: &str) -> Vec<(String, String)> {
    let mut env = base_env(&resources.table);
    for (name, value) in &mut env {
        match name.as_str() {
            "ESCALATION_TOPIC_ARN" => value.clone_from(&resources.escalations.arn),
            "DIGEST_TOPIC_ARN" => value.clone_from(&resources.digests.arn),
            _ => {}
        }
    }
    env.extend(
        [
            ("WHATSAPP_APP_SECRET", APP_SECRET),
            ("WHATSAPP_ACCESS_TOKEN", "soak-token"),
            ("WHATSAPP_API_BASE", whatsapp),
            // Warnings too, so the log scan sees more than errors.
            ("RUST_LOG", "warn"),
            // The soak's busiest citizens send dozens of messages in its few
            // minutes, and its invariants expect every one on a case; the
            // limits per reporter have their own tests.
            ("LIMIT_OPEN_CASES", "0"),
            ("LIMIT_NEW_CASES_PER_DAY", "0"),
            ("LIMIT_MESSAGES_PER_MINUTE", "0"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    for name in [
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_EC2_METADATA_DISABLED",
    ] {
        if let Ok(value) = std::env::var(name) {
            env.push((name.to_owned(), value));
        }
    }
    env
}

async fn start(
    api: &RuntimeApi,
    program: &Path,
    name: &str,
    env: &[(String, String)],
    count: usize,
) -> Result<(Vec<FunctionProcess>, Vec<Duration>), RunError> {
    if !program.exists() {
        return Err(RunError(format!(
            "{} not found: build the functions first (cargo build --bins)",
            program.display()
        )));
    }
    let function = Function::new(program, name)
        .env(env.iter().cloned())
        .output(Output::Capture);
    let mut processes = Vec::with_capacity(count);
    let mut cold = Vec::with_capacity(count);
    for _ in 0..count {
        let process = api
            .start(&function)
            .await
            .map_err(|e| fail(name)(e.to_string()))?;
        cold.push(process.cold_start().await.map_err(fail(name))?);
        processes.push(process);
    }
    Ok((processes, cold))
}

/// Delivers once, and again after anything but a 200, as Meta does.
async fn deliver(api: Arc<RuntimeApi>, scenario: Arc<Scenario>, delivery: Delivery) -> Sent {
    let message = &scenario.messages[delivery.message];
    let event = http_event(
        "POST",
        "/webhook",
        "",
        &[
            ("content-type", "application/json"),
            ("x-hub-signature-256", &message.signature),
            ("user-agent", "facebookexternalua"),
        ],
        Some(&message.body),
        false,
    );
    let started = Instant::now();
    let mut duration = Duration::ZERO;
    for attempt in 1..=MAX_ATTEMPTS {
        let invocation = api.invoke(&event).await;
        duration += invocation.duration;
        if let Outcome::Response(response) = &invocation.outcome {
            if response["statusCode"] == 200 {
                return Sent {
                    delivery,
                    latency: started.elapsed(),
                    duration,
                    attempts: attempt,
                    delivered: true,
                };
            }
        }
    }
    Sent {
        delivery,
        latency: started.elapsed(),
        duration,
        attempts: MAX_ATTEMPTS,
        delivered: false,
    }
}

pub async fn run(scenario: Scenario, setup: &Setup) -> Result<Run, RunError> {
    let sdk = aduan_testkit::sdk_config().await;
    // One fresh table per run: the emulator's cost grows with the table.
    let id = ulid::Ulid::new().to_string().to_lowercase();
    let table = format!("soak-{}-{id}", scenario.shape.seed);
    schema::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
        .await
        .map_err(|e| fail("create table")(e.to_string()))?;
    let resources = Resources {
        table: table.clone(),
        escalations: topic(&sdk, &format!("soak-escalations-{id}")).await?,
        digests: topic(&sdk, &format!("soak-digests-{id}")).await?,
    };
    let whatsapp = WhatsAppStandin::start().await;
    let env = function_env(&resources, &whatsapp.base_url);

    let webhook_api = Arc::new(RuntimeApi::new());
    let officials_api = Arc::new(RuntimeApi::new());
    let (webhooks, mut cold_starts) = start(
        &webhook_api,
        &setup.bin_dir.join("aduan-webhook"),
        "aduan-webhook",
        &env,
        setup.sandboxes,
    )
    .await?;
    let (api_processes, cold) = start(
        &officials_api,
        &setup.bin_dir.join("aduan-case-updates"),
        "aduan-case-updates",
        &env,
        setup.api_sandboxes,
    )
    .await?;
    cold_starts.extend(cold);
    let digest = Arc::new(
        DigestApp::from_config(&Env::from_pairs(env.clone()), &sdk)
            .await
            .map_err(|e| fail("digest configuration")(e.to_string()))?,
    );

    let tree = Jurisdictions::bukittinggi();
    let kecamatan: Vec<String> = tree.kecamatan().map(|k| k.path.to_string()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let mut desks = JoinSet::new();
    for (i, official) in officials(setup.officials, &kecamatan).into_iter().enumerate() {
        let desk = Desk {
            api: officials_api.clone(),
            stop: stop.clone(),
        };
        let seed = scenario.shape.seed ^ ((i as u64 + 1) << 32);
        desks.spawn(async move { desk.work(official, seed).await });
    }

    let scenario = Arc::new(scenario);
    let started = Instant::now();
    let waves = scenario.waves.len();
    let sweep_at: Vec<usize> = (1..=setup.sweeps)
        .map(|i| i * waves / (setup.sweeps + 1))
        .collect();
    let mut jobs = JoinSet::new();
    let mut digests = (0, 0);
    let mut sent = Vec::with_capacity(scenario.shape.deliveries);
    for (w, wave) in scenario.waves.iter().enumerate() {
        for (n, _) in sweep_at.iter().enumerate().filter(|(_, at)| **at == w) {
            // Concurrent with the traffic, as the hourly schedule would be.
            let (digest, days) = (digest.clone(), SWEEP_STRIDE_DAYS * (n as u64 + 1));
            jobs.spawn(async move { sweep(&digest, days).await });
        }
        if w == waves / 2 {
            digests.0 = daily_digest(&digest).await?;
            digests.1 = daily_digest(&digest).await?;
        }
        let mut deliveries = JoinSet::new();
        for delivery in wave {
            deliveries.spawn(deliver(webhook_api.clone(), scenario.clone(), *delivery));
        }
        while let Some(done) = deliveries.join_next().await {
            sent.push(done.map_err(|e| fail("delivery task")(e.to_string()))?);
        }
        if (w + 1) % 25 == 0 {
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "wave {}/{waves}: {} deliveries in {secs:.0} s ({:.1}/s)",
                w + 1,
                sent.len(),
                sent.len() as f64 / secs
            );
        }
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut work = Vec::new();
    while let Some(done) = desks.join_next().await {
        work.push(done.map_err(|e| fail("official task")(e.to_string()))?);
    }
    let mut sweeps = Vec::new();
    while let Some(done) = jobs.join_next().await {
        sweeps.push(done.map_err(|e| fail("sweep task")(e.to_string()))??);
    }

    let logs: Vec<String> = webhooks
        .iter()
        .chain(&api_processes)
        .map(FunctionProcess::output)
        .collect();
    for process in webhooks.into_iter().chain(api_processes) {
        process.stop().await;
    }
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table.clone(),
        WorkingCalendar::default(),
    );
    let observed = Observed {
        cases: read_cases(&store).await?,
        whatsapp: whatsapp.received(),
        escalations: drain(&sdk, &resources.escalations.queue_url).await?,
        digests: drain(&sdk, &resources.digests.queue_url).await?,
        logs,
    };
    remove(&sdk, &resources).await;
    Ok(Run {
        scenario: Arc::try_unwrap(scenario).unwrap_or_else(|s| (*s).clone()),
        table,
        sent,
        elapsed,
        cold_starts,
        work,
        sweeps,
        digests,
        observed,
    })
}

/// Deletes the run's table, topics and queues: the emulator slows with
/// every table it holds. Best effort: what is read is already read.
async fn remove(sdk: &aws_config::SdkConfig, resources: &Resources) {
    let (sns, sqs) = (aws_sdk_sns::Client::new(sdk), aws_sdk_sqs::Client::new(sdk));
    let _ = aws_sdk_dynamodb::Client::new(sdk)
        .delete_table()
        .table_name(&resources.table)
        .send()
        .await;
    for topic in [&resources.escalations, &resources.digests] {
        let _ = sns.delete_topic().topic_arn(&topic.arn).send().await;
        let _ = sqs.delete_queue().queue_url(&topic.queue_url).send().await;
    }
}

/// The SLA sweep, with open cases judged `days` ahead of now so that they
/// are overdue within the run; its outbox still runs on the real clock, as
/// the webhook's leases do.
async fn sweep(digest: &DigestApp, days: u64) -> Result<SweepRun, RunError> {
    let now = Utc::now();
    let summary = digest
        .sla_sweep_overdue_as_of(now + Days::new(days), now, Budget::unlimited())
        .await
        .map_err(|e| fail("sla sweep")(e.to_string()))?;
    Ok(SweepRun {
        escalated: summary.escalated as u64,
        conflicts: summary.conflicts as u64,
        errors: summary.errors as u64,
    })
}

/// Today's digest; returns how many were published.
async fn daily_digest(digest: &DigestApp) -> Result<u64, RunError> {
    let today = digest.policy.sla.calendar.local_date(Utc::now());
    let event = scheduled_event(json!({"job": "daily-digest", "date": today.to_string()}));
    let summary = digest
        .handle(&event, Utc::now(), Budget::unlimited())
        .await
        .map_err(|e| fail("daily digest")(e.to_string()))?;
    Ok(summary["published"].as_u64().unwrap_or(0))
}

fn scheduled_event(detail: Value) -> Value {
    json!({
        "version": "0",
        "id": ulid::Ulid::new().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "123456789012",
        "time": Utc::now().to_rfc3339(),
        "region": "ap-southeast-3",
        "resources": ["arn:aws:scheduler:ap-southeast-3:123456789012:schedule/default/aduan-soak"],
        "detail": detail
    })
}

/// Every case of the kota with its timeline.
async fn read_cases(store: &Store) -> Result<Vec<CaseRecord>, RunError> {
    let scope = QueueScope::Area(JurisdictionPath::parse("bukittinggi").expect("a valid path"));
    let mut query = QueueQuery::new(scope);
    query.limit = 100;
    let mut out = Vec::new();
    loop {
        let page = store
            .queue(&query)
            .await
            .map_err(|e| fail("queue")(e.to_string()))?;
        for case in page.items {
            let (case, timeline) = store
                .case_with_timeline(&case.id)
                .await
                .map_err(|e| fail("timeline")(e.to_string()))?
                .ok_or_else(|| RunError(format!("case {} vanished", case.ticket)))?;
            out.push(CaseRecord { case, timeline });
        }
        match page.next {
            Some(cursor) => query.cursor = Some(cursor),
            None => return Ok(out),
        }
    }
}
