//! Runs one operation many times through the local Runtime API and keeps,
//! per invocation, its own time (invocation time minus the time its
//! requests spent in the emulator and the WhatsApp stand-in), its requests,
//! and for a sample its DynamoDB capacity.

use std::collections::BTreeMap;
use std::time::Duration;

use aduan_testkit::runtime_api::{FunctionProcess, Invocation, RuntimeApi};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

use crate::capacity::{self, Units};
use crate::proxy::{busy, Exchange, Recorder, Service};

/// Invocations whose DynamoDB capacity is computed (each pending write is
/// read back afterwards, which the emulator pays for).
const CAPACITY_SAMPLE: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct OpStats {
    pub name: String,
    pub own: Vec<Duration>,
    pub total: Vec<Duration>,
    /// CPU time the function process used per invocation (empty where the
    /// platform has no per-thread schedstat).
    pub cpu: Vec<Duration>,
    /// Requests per service and operation, summed over all invocations.
    pub requests: BTreeMap<(Service, String), usize>,
    /// Capacity summed over the sampled invocations.
    pub units: Units,
    pub sampled: usize,
    pub failures: Vec<String>,
}

impl OpStats {
    pub fn invocations(&self) -> usize {
        self.own.len()
    }

    pub fn per_invocation(&self, service: Service) -> f64 {
        let n: usize = self
            .requests
            .iter()
            .filter(|((s, _), _)| *s == service)
            .map(|(_, n)| n)
            .sum();
        n as f64 / self.invocations().max(1) as f64
    }

    /// `GetItem ×1, TransactWriteItems ×2`: average requests per invocation.
    pub fn operations(&self, service: Service) -> String {
        let n = self.invocations().max(1) as f64;
        self.requests
            .iter()
            .filter(|((s, _), _)| *s == service)
            .map(|((_, op), count)| format!("{op} ×{}", trim(*count as f64 / n)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn units_per_invocation(&self) -> Units {
        let n = self.sampled.max(1) as f64;
        Units {
            read: self.units.read / n,
            write: self.units.write / n,
        }
    }
}

pub fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

pub fn percentile(values: &[Duration], p: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One warm function process on a table, and what measures it.
pub struct Bench<'a> {
    pub api: RuntimeApi,
    pub process: FunctionProcess,
    pub recorder: &'a Recorder,
    pub dynamodb: &'a aws_sdk_dynamodb::Client,
    pub table: &'a str,
}

impl Bench<'_> {
    /// Stops the process; its peak RSS (KiB).
    pub async fn finish(self) -> Option<u64> {
        let rss = self.process.peak_rss_kib();
        self.process.stop().await;
        rss
    }

    pub async fn time(&self, name: &str, events: impl IntoIterator<Item = Value>) -> OpStats {
        self.run(name, events, |_, _, _| {}).await
    }

    /// Invokes each event in turn (one at a time, so every request the
    /// proxies see belongs to it); `observe` sees each answer and its
    /// exchanges.
    pub async fn run(
        &self,
        name: &str,
        events: impl IntoIterator<Item = Value>,
        mut observe: impl FnMut(usize, &Invocation, &[Exchange]),
    ) -> OpStats {
        let mut measuring = self.measuring(name);
        for (i, event) in events.into_iter().enumerate() {
            let (invocation, exchanges) = measuring.invoke(&event).await;
            observe(i, &invocation, &exchanges);
        }
        measuring.finish().await
    }

    /// Measures invocations one by one, for an operation whose runs need
    /// the table prepared in between (outside the measurement).
    pub fn measuring(&self, name: &str) -> Measuring<'_, '_> {
        Measuring {
            bench: self,
            stats: OpStats {
                name: name.to_owned(),
                ..OpStats::default()
            },
            pending: Vec::new(),
        }
    }

    /// The item now stored under `key`, in DynamoDB's JSON.
    async fn read_back(&self, key: &Value) -> Option<Value> {
        let key = key_attributes(key)?;
        let item = self
            .dynamodb
            .get_item()
            .table_name(self.table)
            .set_key(Some(key))
            .send()
            .await
            .ok()?
            .item?;
        Some(attributes_to_json(&item))
    }
}

/// An operation being measured: what its invocations so far took.
pub struct Measuring<'b, 'a> {
    bench: &'b Bench<'a>,
    stats: OpStats,
    /// Writes whose capacity depends on the item they replaced, sized
    /// after the last invocation.
    pending: Vec<capacity::Pending>,
}

impl Measuring<'_, '_> {
    /// One invocation, measured: its answer and the requests it made.
    pub async fn invoke(&mut self, event: &Value) -> (Invocation, Vec<Exchange>) {
        let (bench, stats) = (self.bench, &mut self.stats);
        bench.recorder.take();
        let cpu_before = bench.process.cpu_time();
        let invocation = bench.api.invoke(event).await;
        if let (Some(before), Some(after)) = (cpu_before, bench.process.cpu_time()) {
            stats.cpu.push(after.saturating_sub(before));
        }
        let exchanges = bench.recorder.take();
        if let Some(failure) = failure(&invocation) {
            if stats.failures.len() < 3 {
                stats.failures.push(failure);
            }
        }
        stats.total.push(invocation.duration);
        stats
            .own
            .push(invocation.duration.saturating_sub(busy(&exchanges)));
        for exchange in &exchanges {
            *stats
                .requests
                .entry((exchange.service, exchange.operation.clone()))
                .or_default() += 1;
        }
        if stats.sampled < CAPACITY_SAMPLE {
            stats.sampled += 1;
            for exchange in exchanges.iter().filter(|e| e.service == Service::DynamoDb) {
                let request: Value = serde_json::from_slice(&exchange.request).unwrap_or_default();
                let response: Value = serde_json::from_slice(&exchange.response).unwrap_or_default();
                let (units, later) = capacity::units(&exchange.operation, &request, &response);
                stats.units += units;
                self.pending.extend(later);
            }
        }
        (invocation, exchanges)
    }

    pub async fn finish(mut self) -> OpStats {
        for write in std::mem::take(&mut self.pending) {
            let stored = self.bench.read_back(&write.key).await;
            self.stats.units.write += capacity::pending_units(&write, stored.as_ref());
        }
        self.stats
    }
}

/// Why an invocation failed, if it did: an error, or an HTTP status >= 400.
fn failure(invocation: &Invocation) -> Option<String> {
    match &invocation.outcome {
        aduan_testkit::runtime_api::Outcome::Response(body) => {
            let status = body["statusCode"].as_u64().unwrap_or(200);
            (status >= 400).then(|| format!("HTTP {status}: {}", body["body"]))
        }
        other => Some(format!("{other:?}")),
    }
}

fn key_attributes(key: &Value) -> Option<std::collections::HashMap<String, AttributeValue>> {
    key.as_object()?
        .iter()
        .map(|(name, value)| {
            let (kind, inner) = value.as_object()?.iter().next()?;
            let text = inner.as_str()?.to_owned();
            let value = match kind.as_str() {
                "S" => AttributeValue::S(text),
                "N" => AttributeValue::N(text),
                _ => return None,
            };
            Some((name.clone(), value))
        })
        .collect()
}

/// DynamoDB's wire JSON of an item, for sizing.
pub fn attributes_to_json(item: &std::collections::HashMap<String, AttributeValue>) -> Value {
    item.iter()
        .map(|(name, value)| (name.clone(), attribute_json(value)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn attribute_json(value: &AttributeValue) -> Value {
    use serde_json::json;
    match value {
        AttributeValue::S(s) => json!({"S": s}),
        AttributeValue::N(n) => json!({"N": n}),
        AttributeValue::B(b) => json!({"B": "x".repeat(b.as_ref().len().div_ceil(3) * 4)}),
        AttributeValue::Bool(b) => json!({"BOOL": b}),
        AttributeValue::Null(_) => json!({"NULL": true}),
        AttributeValue::Ss(v) => json!({"SS": v}),
        AttributeValue::Ns(v) => json!({"NS": v}),
        AttributeValue::L(v) => json!({"L": v.iter().map(attribute_json).collect::<Vec<_>>()}),
        AttributeValue::M(m) => json!({"M": attributes_to_json(m)}),
        _ => json!({"NULL": true}),
    }
}
