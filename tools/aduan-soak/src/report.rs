//! What a run prints: the load, throughput and latency, and the invariants.

use std::fmt::Write;
use std::time::Duration;

use crate::check::Invariant;
use crate::run::Run;

/// The `q`-quantile (0..=1) of `values`, by nearest rank.
pub fn quantile(values: &[Duration], q: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn spread(values: &[Duration]) -> String {
    format!(
        "p50 {}, p90 {}, p99 {}, max {}",
        ms(quantile(values, 0.5)),
        ms(quantile(values, 0.9)),
        ms(quantile(values, 0.99)),
        ms(quantile(values, 1.0))
    )
}

pub fn render(run: &Run, setup: &crate::run::Setup, invariants: &[Invariant]) -> String {
    let s = &run.scenario;
    let redeliveries = s.deliveries().filter(|d| d.redelivery).count();
    let latencies: Vec<Duration> = run.sent.iter().map(|x| x.latency).collect();
    let durations: Vec<Duration> = run.sent.iter().map(|x| x.duration).collect();
    let official_calls: Vec<Duration> = run.work.iter().flat_map(|w| w.latencies.clone()).collect();
    let secs = run.elapsed.as_secs_f64();
    let mut out = String::new();
    let mut line = |text: String| {
        let _ = writeln!(out, "{text}");
    };
    line(format!(
        "seed {}: {} deliveries ({} messages, {redeliveries} redeliveries) from {} citizens, {} overtaken, {} waves ({} bursts)",
        s.shape.seed,
        run.sent.len(),
        s.messages.len(),
        s.citizens.len(),
        s.out_of_order,
        s.waves.len(),
        s.bursts
    ));
    line(format!(
        "{} webhook sandboxes, {} officials on {} case-updates sandboxes, {} sweeps; table {}",
        setup.sandboxes,
        run.work.len(),
        setup.api_sandboxes,
        run.sweeps.len(),
        run.table
    ));
    line(format!(
        "throughput: {:.1} deliveries/s over {:.1} s; officials' calls: {} ({:.1}/s)",
        run.sent.len() as f64 / secs,
        secs,
        official_calls.len(),
        official_calls.len() as f64 / secs
    ));
    line(format!(
        "delivery latency (submitted to 200, queueing included): {}",
        spread(&latencies)
    ));
    line(format!("delivery time in the sandbox: {}", spread(&durations)));
    line(format!("officials' call latency: {}", spread(&official_calls)));
    line(format!("cold starts: {}", spread(&run.cold_starts)));
    for i in invariants {
        line(format!(
            "[{}] {}: {}",
            if i.held { "held" } else { "BROKEN" },
            i.name,
            i.detail
        ));
    }
    out
}
