//! `make bench`: the functions' cold start, memory, warm latency, AWS
//! requests, DynamoDB capacity, cost and size, side by side with two
//! baselines built with the same profile, in one run. `--smoke` runs a few
//! iterations of everything (part of `make test`, so the bench cannot rot).
//!
//!   aduan-bench --bin-dir target/release [--out docs/performance.md]
//!   aduan-bench --smoke --bin-dir target/debug
//!   (--iterations N: invocations per operation, also the digest runs on the
//!    growth section's open cases; --digest-runs N: digest runs on the N
//!    open cases the webhook rows leave; --cold-starts N; --growth 1000,10000;
//!    --python PATH: a venv's interpreter with boto3 and awslambdaric, which
//!    adds the Python peer to the cold starts and the warm rows)

mod capacity;
mod growth;
mod measure;
mod proxy;
mod report;
mod scenario;

use std::path::{Path, PathBuf};
use std::time::Duration;

use aduan_testkit::runtime_api::{Function, Output, RuntimeApi};
use aduan_testkit::standin::WhatsAppStandin;
use serde_json::Value;

use measure::{Bench, OpStats};
use proxy::{Recorder, Service};

#[derive(Debug, Clone)]
pub struct Settings {
    pub smoke: bool,
    pub bin_dir: PathBuf,
    pub out: Option<PathBuf>,
    pub iterations: usize,
    pub digest_runs: usize,
    pub cold_starts: usize,
    pub open_cases: usize,
    pub growth: Vec<usize>,
    /// The interpreter the Python peer runs on (a venv with boto3 and
    /// awslambdaric); without it the peer is left out.
    pub python: Option<PathBuf>,
}

impl Settings {
    fn from_args() -> Result<Self, String> {
        let mut args = std::env::args().skip(1);
        let mut settings = Settings {
            smoke: false,
            bin_dir: PathBuf::from("target/release"),
            out: None,
            iterations: 1000,
            digest_runs: 20,
            cold_starts: 20,
            open_cases: 50,
            growth: vec![1_000, 10_000, 100_000],
            python: None,
        };
        let number = |v: Option<String>| v.and_then(|v| v.parse().ok()).ok_or("expected a number");
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--smoke" => {
                    settings = Settings {
                        smoke: true,
                        iterations: 3,
                        digest_runs: 2,
                        cold_starts: 1,
                        open_cases: 3,
                        growth: vec![10, 20],
                        ..settings
                    }
                }
                "--bin-dir" => settings.bin_dir = args.next().ok_or("--bin-dir needs a path")?.into(),
                "--out" => settings.out = Some(args.next().ok_or("--out needs a path")?.into()),
                "--python" => settings.python = Some(args.next().ok_or("--python needs a path")?.into()),
                "--iterations" => settings.iterations = number(args.next())?,
                "--digest-runs" => settings.digest_runs = number(args.next())?,
                "--cold-starts" => settings.cold_starts = number(args.next())?,
                "--growth" => {
                    settings.growth = args
                        .next()
                        .ok_or("--growth needs sizes, e.g. 1000,10000")?
                        .split(',')
                        .map(|n| n.trim().parse().map_err(|_| format!("not a size: {n}")))
                        .collect::<Result<_, _>>()?
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(settings)
    }
}

/// The binaries measured: the three functions and the two baselines.
pub const FUNCTIONS: [(&str, &str); 3] = [
    ("webhook", "aduan-webhook"),
    ("case-updates", "aduan-case-updates"),
    ("digest", "aduan-digest"),
];
pub const BASELINES: [(&str, &str); 2] = [
    ("baseline: lambda_http hello world", "baseline-hello"),
    ("baseline: aws-config + one PutItem", "baseline-putitem"),
];

/// A typical Python Lambda doing less than a new complaint (verify, one
/// transaction, one send), on boto3 and the official runtime interface
/// client: `bench/python/`.
pub const PYTHON_PEER: (&str, &str) = (
    "peer: Python (boto3, awslambdaric): verify, one transaction, one send",
    "python-peer",
);

/// The local stack as the functions see it: everything through the proxies.
pub struct Stack {
    pub sdk: aws_config::SdkConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub recorder: Recorder,
    pub aws_proxy: String,
    pub whatsapp_base: String,
    /// Kept alive for the run.
    _standin: WhatsAppStandin,
}

impl Stack {
    async fn start() -> Stack {
        let sdk = aduan_testkit::sdk_config().await;
        let upstream = std::env::var("AWS_ENDPOINT_URL").expect("checked by sdk_config");
        let recorder = Recorder::default();
        let aws_proxy =
            proxy::start(upstream.trim_end_matches('/').to_owned(), false, recorder.clone()).await;
        let standin = WhatsAppStandin::start().await;
        let (origin, version) = standin
            .base_url
            .rsplit_once('/')
            .expect("the stand-in's base is origin/version");
        let whatsapp_proxy = proxy::start(origin.to_owned(), true, recorder.clone()).await;
        Stack {
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            sdk,
            recorder,
            aws_proxy,
            whatsapp_base: format!("{whatsapp_proxy}/{version}"),
            _standin: standin,
        }
    }

    /// A function's environment on `table`, as the template sets it (values
    /// instead of SSM parameters: reading them is not part of cold start).
    pub fn env(&self, table: &str) -> Vec<(String, String)> {
        let mut env = aduan_testkit::base_env(table);
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_EC2_METADATA_DISABLED",
            // The local stack's topics (base_env names topics it may not have).
            "ESCALATION_TOPIC_ARN",
            "DIGEST_TOPIC_ARN",
        ] {
            if let Ok(value) = std::env::var(name) {
                env.push((name.to_owned(), value));
            }
        }
        for (name, value) in [
            ("AWS_ENDPOINT_URL", self.aws_proxy.as_str()),
            ("RUST_LOG", "info"),
            ("WHATSAPP_APP_SECRET", scenario::APP_SECRET),
            ("WHATSAPP_VERIFY_TOKEN", "bench-verify"),
            ("WHATSAPP_ACCESS_TOKEN", "bench-token"),
            ("WHATSAPP_API_BASE", self.whatsapp_base.as_str()),
            ("NUMBER_KECAMATAN", scenario::NUMBER_KECAMATAN),
        ] {
            env.push((name.to_owned(), value.to_owned()));
        }
        env
    }

    pub fn function(&self, settings: &Settings, binary: &str, table: &str) -> Function {
        let function = match (binary, &settings.python) {
            (binary, Some(python)) if binary == PYTHON_PEER.1 => {
                let bootstrap = concat!(env!("CARGO_MANIFEST_DIR"), "/python/bootstrap");
                Function::new(bootstrap, binary)
                    .env([("ADUAN_BENCH_PYTHON".to_owned(), python.display().to_string())])
            }
            _ => Function::new(settings.bin_dir.join(binary), binary),
        };
        function.env(self.env(table)).output(Output::Discard)
    }

    /// A warm process of `binary` on `table`, ready to be measured.
    pub async fn serve<'a>(
        &'a self,
        settings: &Settings,
        binary: &str,
        table: &'a str,
    ) -> Result<Bench<'a>, String> {
        let api = RuntimeApi::new();
        let process = api
            .start(&self.function(settings, binary, table))
            .await
            .map_err(|e| format!("{binary}: {e}"))?;
        Ok(Bench {
            api,
            process,
            recorder: &self.recorder,
            dynamodb: &self.dynamodb,
            table,
        })
    }

    pub async fn table(&self, name: &str) -> String {
        aduan_testkit::fresh_table(&self.sdk, name).await
    }
}

#[derive(Debug, Clone)]
pub struct ColdStart {
    pub name: String,
    pub binary: String,
    pub starts: Vec<Duration>,
    pub rss_kib: Option<u64>,
    pub binary_bytes: u64,
    pub zip_bytes: Option<u64>,
}

/// The event each binary's first (representative) invocation gets.
fn representative(binary: &str, i: usize) -> Value {
    match binary {
        "aduan-webhook" => scenario::new_complaint(i, "cold"),
        "python-peer" => scenario::new_complaint(i, "cold-python"),
        "aduan-case-updates" => scenario::official("GET", "/cases?limit=50", None),
        "aduan-digest" => scenario::daily_digest(scenario::city_today()),
        _ => scenario::hello(),
    }
}

async fn cold_starts(stack: &Stack, settings: &Settings) -> Result<Vec<ColdStart>, String> {
    let table = stack.table("bench-cold").await;
    let peer = settings.python.as_ref().map(|_| &PYTHON_PEER);
    let mut results: Vec<ColdStart> = FUNCTIONS
        .iter()
        .chain(BASELINES.iter())
        .chain(peer)
        .map(|(name, binary)| {
            let path = settings.bin_dir.join(binary);
            ColdStart {
                name: (*name).to_owned(),
                binary: (*binary).to_owned(),
                starts: Vec::new(),
                rss_kib: None,
                binary_bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                // The Python peer has no binary of its own to package.
                zip_bytes: path.exists().then(|| zip_size(&path)).flatten(),
            }
        })
        .collect();
    // Round-robin, so load on the machine spreads over all binaries alike.
    for round in 0..settings.cold_starts {
        for result in &mut results {
            let api = RuntimeApi::new();
            let function = stack
                .function(settings, &result.binary, &table)
                .output(Output::Capture);
            let process = api
                .start(&function)
                .await
                .map_err(|e| format!("{}: {e}", result.binary))?;
            let started = process
                .cold_start()
                .await
                .map_err(|e| format!("{}: {e}", result.binary))?;
            result.starts.push(started);
            if round == 0 {
                let answer = api.invoke(&representative(&result.binary, round)).await;
                if let aduan_testkit::runtime_api::Outcome::Response(body) = &answer.outcome {
                    if body["statusCode"].as_u64().unwrap_or(200) >= 400 {
                        return Err(format!("{}: {body}", result.binary));
                    }
                } else {
                    return Err(format!(
                        "{}: {:?}: {}",
                        result.binary,
                        answer.outcome,
                        process.output()
                    ));
                }
                result.rss_kib = process.peak_rss_kib();
            }
            process.stop().await;
        }
    }
    stack.recorder.take();
    Ok(results)
}

/// The deployment package's size: the binary as `bootstrap`, deflated, as
/// SAM and cargo-lambda zip it.
fn zip_size(binary: &Path) -> Option<u64> {
    let zip = std::env::temp_dir().join(format!("aduan-bench-{}.zip", std::process::id()));
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z: z.write(sys.argv[2], 'bootstrap')",
        ])
        .arg(&zip)
        .arg(binary)
        .status()
        .ok()?;
    let size = status
        .success()
        .then(|| std::fs::metadata(&zip).ok().map(|m| m.len()))
        .flatten();
    let _ = std::fs::remove_file(&zip);
    size
}

/// Warm latency: one process per binary, each operation many times.
async fn warm(
    stack: &Stack,
    settings: &Settings,
) -> Result<(Vec<OpStats>, Vec<(String, Option<u64>)>), String> {
    let n = settings.iterations;
    let table = stack.table("bench-warm").await;
    let mut ops = Vec::new();
    let mut rss = Vec::new();

    // Baselines first: what a handler costs with no work of its own.
    for (name, binary) in BASELINES {
        let bench = stack.serve(settings, binary, &table).await?;
        ops.push(bench.time(name, (0..n).map(|_| scenario::hello())).await);
        rss.push((name.to_owned(), bench.finish().await));
    }
    // The Python peer: what the webhook's own time is compared with.
    if settings.python.is_some() {
        let (name, binary) = PYTHON_PEER;
        let bench = stack.serve(settings, binary, &table).await?;
        let complaints = (1..=n).map(|i| scenario::new_complaint(i, "python"));
        ops.push(bench.time(name, complaints).await);
        rss.push((name.to_owned(), bench.finish().await));
    }

    let bench = stack.serve(settings, "aduan-webhook", &table).await?;
    // Each citizen's first message opens a case and is answered: the ids of
    // the answers are what the status callbacks refer to.
    let mut sent = Vec::new();
    let new_complaints = (1..=n).map(|i| scenario::new_complaint(i, "warm"));
    let op = bench.run("webhook: new complaint", new_complaints, |i, _, exchanges| {
        for exchange in exchanges.iter().filter(|e| e.service == Service::WhatsApp) {
            let body: Value = serde_json::from_slice(&exchange.response).unwrap_or_default();
            if let Some(id) = body["messages"][0]["id"].as_str() {
                sent.push((i + 1, id.to_owned()));
            }
        }
    });
    ops.push(op.await);
    let follow_ups = || (1..=n).map(scenario::follow_up);
    ops.push(bench.time("webhook: follow-up message", follow_ups()).await);
    ops.push(bench.time("webhook: duplicate delivery", follow_ups()).await);
    let callbacks = sent
        .iter()
        .take(n)
        .map(|(i, id)| scenario::status_callback(*i, id));
    ops.push(bench.time("webhook: status callback", callbacks).await);
    rss.push(("webhook".to_owned(), bench.finish().await));

    let bench = stack.serve(settings, "aduan-case-updates", &table).await?;
    let list = (0..n).map(|_| scenario::official("GET", "/cases?limit=50", None));
    ops.push(bench.time("officials: list (50 per page)", list).await);
    let mut versions = vec![1u64; n + 1];
    let details = (1..=n).map(|i| {
        let path = format!("/cases/{}", scenario::ticket(i));
        scenario::official("GET", &path, None)
    });
    let op = bench.run("officials: case detail", details, |i, invocation, _| {
        let body: Value = invocation
            .response_body()
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or_default();
        if let Some(version) = body["version"].as_u64() {
            versions[i + 1] = version;
        }
    });
    ops.push(op.await);
    let actions = (1..=n).map(|i| {
        let body = serde_json::json!({"action": "verify", "version": versions[i]});
        let path = format!("/cases/{}/actions", scenario::ticket(i));
        scenario::official("POST", &path, Some(&body))
    });
    ops.push(bench.time("officials: action (verify)", actions).await);
    rss.push(("case-updates".to_owned(), bench.finish().await));

    // The digest at the 1,000 open cases the rows above left: fewer runs,
    // since each reads them all from the emulator (12-16 s a run).
    let bench = stack.serve(settings, "aduan-digest", &table).await?;
    ops.extend(digest_rows(stack, &bench, settings.digest_runs, n).await?);
    rss.push((format!("digest ({n} open cases)"), bench.finish().await));
    delete_table(stack, &table).await;

    // And at a small city's load, the open cases of the growth section,
    // as many times as the other operations.
    let table = stack.table("bench-digest").await;
    growth::seed_open_cases(stack, settings, &table, "digest").await?;
    let bench = stack.serve(settings, "aduan-digest", &table).await?;
    ops.extend(digest_rows(stack, &bench, n, settings.open_cases).await?);
    rss.push(("digest".to_owned(), bench.finish().await));
    delete_table(stack, &table).await;
    Ok((ops, rss))
}

/// `runs` daily digests and `runs` SLA sweeps on the bench's table. Every
/// digest is today's, with the day's digests forgotten before it (outside
/// the measurement), so each run does the same work.
async fn digest_rows(
    stack: &Stack,
    bench: &Bench<'_>,
    runs: usize,
    open_cases: usize,
) -> Result<[OpStats; 2], String> {
    let today = scenario::city_today();
    let mut digests = bench.measuring(&format!("digest: daily digest ({open_cases} open cases)"));
    for _ in 0..runs {
        growth::forget_digests(stack, bench.table, today).await?;
        digests.invoke(&scenario::daily_digest(today)).await;
    }
    let sweeps = (0..runs).map(|_| scenario::sla_sweep());
    let name = format!("digest: SLA sweep ({open_cases} open cases)");
    Ok([digests.finish().await, bench.time(&name, sweeps).await])
}

pub async fn delete_table(stack: &Stack, table: &str) {
    // Frees the emulator's memory for what follows.
    let _ = stack.dynamodb.delete_table().table_name(table).send().await;
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let settings = Settings::from_args()?;
    let stack = Stack::start().await;
    eprintln!("cold starts ({} rounds)…", settings.cold_starts);
    let cold = cold_starts(&stack, &settings).await?;
    eprintln!(
        "warm latency ({} invocations per operation)…",
        settings.iterations
    );
    let (ops, rss) = warm(&stack, &settings).await?;
    eprintln!("digest reads as the table grows…");
    let growth = growth::run(&stack, &settings).await?;
    let failures: Vec<String> = ops
        .iter()
        .flat_map(|op| op.failures.iter().map(move |f| format!("{}: {f}", op.name)))
        .collect();
    let report = report::render(&settings, &cold, &ops, &rss, &growth);
    println!("{report}");
    if let Some(out) = &settings.out {
        // The hand-written analysis below the marker survives a new run.
        let kept = std::fs::read_to_string(out)
            .ok()
            .and_then(|old| old.find(report::ANALYSIS).map(|at| old[at..].to_owned()))
            .unwrap_or_default();
        std::fs::write(out, format!("{report}\n{kept}")).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("invocations failed:\n{}", failures.join("\n")))
    }
}
