//! The report: Markdown, figures as ratios to the baselines measured in the
//! same run, and the monthly cost estimate built from the measured figures.

use std::fmt::Write;
use std::time::Duration;

use crate::growth::Point;
use crate::measure::{percentile, trim, OpStats};
use crate::proxy::Service;
use crate::{ColdStart, Settings};

/// Unit prices, AWS list prices for us-east-1 as of 2025-12 (the Jakarta
/// region, ap-southeast-3, lists higher: check before quoting).
const PRICES_DATED: &str = "2025-12";
const LAMBDA_GB_SECOND_ARM: f64 = 0.000_013_333_4;
const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
const DYNAMODB_WRU: f64 = 0.625 / 1e6;
const DYNAMODB_RRU: f64 = 0.125 / 1e6;
const SNS_PUBLISH: f64 = 0.50 / 1e6;
const MEMORY_GB: f64 = 128.0 / 1024.0;
/// Latencies the estimate assumes in AWS, per request, where the emulator's
/// are not representative.
const AWS_MS: f64 = 6.0;
const WHATSAPP_MS: f64 = 250.0;

/// Where `make bench`'s output ends in `docs/performance.md`: what follows
/// is written by hand and kept across runs.
pub const ANALYSIS: &str = "<!-- analysis: written by hand, kept by make bench -->";

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn cpu(values: &[Duration], p: f64) -> String {
    if values.is_empty() {
        "–".to_owned()
    } else {
        ms(percentile(values, p))
    }
}

fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        "–".to_owned()
    } else {
        format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.2}", bytes as f64 / 1e6)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?");
    format!(
        "{cpu}, {cores} cores available, {} {}; {rustc}; load average {load} when the report was written",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

pub fn render(
    settings: &Settings,
    cold: &[ColdStart],
    ops: &[OpStats],
    rss: &[(String, Option<u64>)],
    growth: &[Point],
) -> String {
    let mut out = String::new();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let _ = writeln!(out, "# Performance\n");
    let _ = writeln!(
        out,
        "Measured by `make bench` on {now}{}: {}. Release profile of the workspace \
         (`opt-level = \"s\"`, fat LTO, one codegen unit, stripped, `panic = \"abort\"`) for the \
         functions and both baselines alike. Functions run as processes against a local Lambda \
         Runtime API (`aduan-testkit`), the AWS emulator and a WhatsApp stand-in, each behind a \
         recording proxy. Absolute times on this shared machine are noisy; the ratios to the \
         baselines, measured in the same run, are the figures to compare.\n",
        if settings.smoke {
            " (SMOKE RUN: few iterations, debug build: not figures)"
        } else {
            ""
        },
        machine()
    );

    let putitem = cold.iter().find(|c| c.binary == "baseline-putitem");
    let hello = cold.iter().find(|c| c.binary == "baseline-hello");
    let median = |c: &ColdStart| percentile(&c.starts, 50.0);
    let _ = writeln!(out, "## Cold start, memory and size\n");
    let _ = writeln!(
        out,
        "Cold start: process start to the first poll of the Runtime API, median of {} starts \
         (round robin over the binaries). Peak RSS: `VmHWM` after one representative invocation \
         (webhook: a new complaint; case-updates: a queue page; digest: a daily digest). Zip: the \
         binary as `bootstrap`, deflated. Targets: cold start ≤ 1.5× the PutItem baseline, zip ≤ 5 MB, \
         peak RSS ≤ 40 MB.\n",
        settings.cold_starts
    );
    let _ = writeln!(out, "| binary | cold start ms (median) | × PutItem baseline | × hello baseline | min–max ms | peak RSS MB | binary MB | zip MB |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for c in cold {
        let (min, max) = (
            c.starts.iter().min().copied().unwrap_or_default(),
            c.starts.iter().max().copied().unwrap_or_default(),
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}–{} | {} | {} | {} |",
            c.name,
            ms(median(c)),
            putitem.map_or("–".into(), |p| ratio(median(c), median(p))),
            hello.map_or("–".into(), |h| ratio(median(c), median(h))),
            ms(min),
            ms(max),
            c.rss_kib
                .map_or("–".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
            mb(c.binary_bytes),
            c.zip_bytes.map_or("–".into(), mb),
        );
    }
    let _ = writeln!(
        out,
        "\nPeak RSS after the warm runs below (each process served every invocation of its operations):\n"
    );
    for (name, kib) in rss {
        let _ = writeln!(
            out,
            "- {name}: {} MB",
            kib.map_or("–".into(), |k| format!("{:.1}", k as f64 / 1024.0))
        );
    }

    let base = ops.iter().find(|o| o.name.contains("PutItem"));
    let _ = writeln!(out, "\n## Warm latency and requests\n");
    let _ = writeln!(
        out,
        "One warm process per function, invocations one at a time through the Runtime API. \
         **Own time** = invocation time (event handed out → response received) minus the time its \
         requests spent at the emulator and the WhatsApp stand-in (union of intervals at the \
         proxies). It includes the Runtime API round trip, which the baselines measure. Target: own \
         time ≤ 2 ms p50, ≤ 5 ms p99. **CPU** = CPU time the function's process used during the \
         invocation (all its threads, from the kernel's per-thread accounting): the handler's own \
         work and the client side of its requests (serialising, signing; the local endpoints are plain \
         HTTP, so no TLS), without any waiting; with requests in flight at once (the digest) it \
         can exceed own time. Requests are per invocation (average); read/write units are \
         DynamoDB on-demand request units per invocation, computed from item sizes over the first \
         20 invocations (GSI copies and transactions' double cost included).\n"
    );
    let _ = writeln!(out, "| operation | n | own p50 ms | own p99 ms | CPU p50 ms | CPU p99 ms | own p50 × PutItem baseline | with emulator p50 ms | DynamoDB requests | WhatsApp sends | SNS publishes | RRU | WRU |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for op in ops {
        let units = op.units_per_invocation();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            op.name,
            op.invocations(),
            ms(percentile(&op.own, 50.0)),
            ms(percentile(&op.own, 99.0)),
            cpu(&op.cpu, 50.0),
            cpu(&op.cpu, 99.0),
            base.map_or("–".into(), |b| ratio(
                percentile(&op.own, 50.0),
                percentile(&b.own, 50.0)
            )),
            ms(percentile(&op.total, 50.0)),
            if op.per_invocation(Service::DynamoDb) == 0.0 {
                "0".to_owned()
            } else {
                format!(
                    "{} ({})",
                    trim(op.per_invocation(Service::DynamoDb)),
                    op.operations(Service::DynamoDb)
                )
            },
            trim(op.per_invocation(Service::WhatsApp)),
            trim(op.per_invocation(Service::Sns)),
            trim(units.read),
            trim(units.write),
        );
    }

    let _ = writeln!(out, "\n## Digest reads as the table grows\n");
    let _ = writeln!(
        out,
        "The same {} open cases (created today through the webhook), plus closed cases from a \
         year ago (copies of a case item, batch-written) up to each size. Items read = the \
         `ScannedCount` of every Query plus the items of every GetItem/BatchGetItem.\n",
        settings.open_cases
    );
    let _ = writeln!(
        out,
        "| cases in the table | daily digest: items read | requests | SLA sweep: items read | requests |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for p in growth {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            p.cases, p.digest_read, p.digest_requests, p.sweep_read, p.sweep_requests
        );
    }

    out.push_str(&cost(ops));
    out
}

/// How many times each measured operation runs per report, and the fixed
/// monthly schedule: the assumptions of the estimate.
const PER_REPORT: [(&str, f64); 7] = [
    ("webhook: new complaint", 1.0),
    ("webhook: follow-up message", 2.0),
    ("webhook: duplicate delivery", 0.5),
    // Each message to the citizen (about 4 per report) gets sent,
    // delivered and read callbacks.
    ("webhook: status callback", 12.0),
    ("officials: list (50 per page)", 5.0),
    ("officials: case detail", 4.0),
    // verify, start, resolve, close.
    ("officials: action (verify)", 4.0),
];
const DIGESTS_PER_MONTH: f64 = 30.0;
const SWEEPS_PER_MONTH: f64 = 24.0 * 30.0;

struct Monthly {
    lambda: f64,
    dynamodb: f64,
    sns: f64,
}

fn op_cost(op: &OpStats, times: f64) -> Monthly {
    let units = op.units_per_invocation();
    let billed_ms = percentile(&op.own, 50.0).as_secs_f64() * 1000.0
        + (op.per_invocation(Service::DynamoDb) + op.per_invocation(Service::Sns)) * AWS_MS
        + op.per_invocation(Service::WhatsApp) * WHATSAPP_MS;
    Monthly {
        lambda: times * (LAMBDA_REQUEST + (billed_ms / 1000.0) * MEMORY_GB * LAMBDA_GB_SECOND_ARM),
        dynamodb: times * (units.read * DYNAMODB_RRU + units.write * DYNAMODB_WRU),
        sns: times * op.per_invocation(Service::Sns) * SNS_PUBLISH,
    }
}

fn cost(ops: &[OpStats]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## Monthly cost estimate\n");
    let _ = writeln!(
        out,
        "Unit prices (AWS list prices, us-east-1, as of {PRICES_DATED}; ap-southeast-3 Jakarta lists \
         higher, check the AWS pricing calculator before quoting): Lambda arm64 ${LAMBDA_GB_SECOND_ARM} \
         per GB-second and $0.20 per million requests, 128 MB; DynamoDB on-demand $0.625 per million \
         write request units and $0.125 per million read request units; SNS $0.50 per million \
         publishes. Free tiers are not deducted. Billed duration = measured own time p50 + {AWS_MS} ms \
         per AWS request + {WHATSAPP_MS} ms per WhatsApp send (assumed in-region and Meta latencies; \
         the emulator's are not representative). Per report: {}; plus {DIGESTS_PER_MONTH} daily \
         digests and {SWEEPS_PER_MONTH} hourly sweeps a month at the larger open-case load measured. \
         Storage (a few KB per report, $0.25 per GB-month) is negligible.\n",
        PER_REPORT
            .iter()
            .map(|(n, t)| format!("{t} × {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let find = |name: &str| ops.iter().find(|o| o.name.starts_with(name));
    let per_report: Vec<Monthly> = PER_REPORT
        .iter()
        .filter_map(|(name, times)| find(name).map(|op| op_cost(op, *times)))
        .collect();
    let fixed: Vec<Monthly> = [
        ("digest: daily digest", DIGESTS_PER_MONTH),
        ("digest: SLA sweep", SWEEPS_PER_MONTH),
    ]
    .iter()
    .filter_map(|(name, times)| find(name).map(|op| op_cost(op, *times)))
    .collect();
    let sum = |items: &[Monthly], f: fn(&Monthly) -> f64| items.iter().map(f).sum::<f64>();
    let _ = writeln!(out, "| reports a month | Lambda | DynamoDB | SNS | total AWS |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for reports in [1_000.0, 10_000.0, 100_000.0] {
        let lambda = reports * sum(&per_report, |m| m.lambda) + sum(&fixed, |m| m.lambda);
        let dynamodb = reports * sum(&per_report, |m| m.dynamodb) + sum(&fixed, |m| m.dynamodb);
        let sns = reports * sum(&per_report, |m| m.sns) + sum(&fixed, |m| m.sns);
        let _ = writeln!(
            out,
            "| {reports:.0} | ${lambda:.2} | ${dynamodb:.2} | ${sns:.2} | ${:.2} |",
            lambda + dynamodb + sns
        );
    }
    let _ = writeln!(
        out,
        "\nNot included, billed by others per message: WhatsApp (Meta): replies within 24 hours of \
         the citizen's last message are free service messages; utility templates outside that \
         window (status updates after a day) are charged per message at Meta's Indonesia rate \
         (about $0.02 per utility message in Meta's 2025 rate card: check the current one). SMS to \
         officials through SNS: per message at the Indonesia SMS rate (several US cents; check the \
         SNS SMS pricing page); email through SNS: $2.00 per 100,000. API Gateway HTTP API: \
         $1.00 per million requests (about 20 requests per report)."
    );
    out
}
