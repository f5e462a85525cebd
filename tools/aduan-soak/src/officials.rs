//! Officials working their queues while citizens write: notes, verifying,
//! starting work and escalating, through the officials' API (API Gateway
//! HTTP API events with the JWT authorizer's claims, served by case-updates
//! processes). An action refused because the case changed meanwhile (409
//! `version_conflict`) is re-read and sent again until it lands: none may be
//! lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aduan_testkit::runtime_api::{Outcome, RuntimeApi};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Who acts: the claims API Gateway's authorizer passes on.
#[derive(Debug, Clone)]
pub struct Official {
    pub sub: String,
    pub scope: String,
}

/// Officers of the kota (two, so they collide on the same cases) and of
/// each kecamatan, in turn.
pub fn officials(count: usize, kecamatan: &[String]) -> Vec<Official> {
    let scopes: Vec<&str> = ["bukittinggi", "bukittinggi"]
        .into_iter()
        .chain(kecamatan.iter().map(String::as_str))
        .collect();
    (0..count)
        .map(|i| Official {
            sub: format!("soak-official-{i}"),
            scope: scopes[i % scopes.len()].to_owned(),
        })
        .collect()
}

/// What an official meant to do, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// A note with a text of its own, to find it on the timeline.
    Note(String),
    /// The next step of the lifecycle (`verify`, `start`).
    Transition(&'static str),
    /// One tier up.
    Escalate,
}

/// An action the API answered 200 for: what must be on the timeline once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    pub ticket: String,
    pub official: String,
    pub intent: Intent,
    /// For a transition, the status reached; for an escalation, the level.
    pub to: String,
}

#[derive(Debug, Default)]
pub struct Work {
    pub landed: Vec<Landed>,
    /// 409 `version_conflict` answers, each re-read and sent again.
    pub conflicts_retried: usize,
    /// Intents no longer possible once re-read (the other official, or the
    /// sweep, had already verified or escalated the case).
    pub superseded: usize,
    /// Anything else than 200 or 409: a failure of the run.
    pub errors: Vec<String>,
    pub latencies: Vec<Duration>,
}

/// What a call answered.
struct Answer {
    status: u16,
    body: Value,
}

pub struct Desk {
    pub api: Arc<RuntimeApi>,
    pub stop: Arc<AtomicBool>,
}

impl Desk {
    /// One official's shift: until `stop`, pick a case of the queue and act
    /// on it, pausing a little between actions as a person would.
    pub async fn work(&self, official: Official, seed: u64) -> Work {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut work = Work::default();
        let mut notes = 0usize;
        while !self.stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(rng.random_range(20..120))).await;
            let queue = self
                .call(&official, "GET", "/cases?status=open&limit=50", None, &mut work)
                .await;
            let Some(queue) = queue.filter(|a| a.status == 200) else {
                continue;
            };
            let cases = queue.body["cases"].as_array().cloned().unwrap_or_default();
            let Some(case) = cases.choose(&mut rng) else {
                continue;
            };
            let intent = match rng.random_range(0..10) {
                0..=4 => {
                    notes += 1;
                    Intent::Note(format!("Catatan {} nomor {notes}", official.sub))
                }
                5..=7 => match case["status"].as_str() {
                    Some("received") => Intent::Transition("verify"),
                    Some("verified") => Intent::Transition("start"),
                    _ => continue,
                },
                _ => Intent::Escalate,
            };
            self.carry_out(&official, case.clone(), intent, &mut work).await;
        }
        work
    }

    /// Sends the intent with the version read; on a version conflict reads
    /// the case again and resends, until it lands or no longer applies.
    async fn carry_out(&self, official: &Official, mut case: Value, intent: Intent, work: &mut Work) {
        let ticket = case["ticket"].as_str().unwrap_or_default().to_owned();
        for _ in 0..20 {
            let version = case["version"].clone();
            let (path, body) = match &intent {
                Intent::Note(text) => (
                    format!("/cases/{ticket}/actions"),
                    json!({"action": "note", "note": text, "version": version}),
                ),
                Intent::Transition(action) => (
                    format!("/cases/{ticket}/actions"),
                    json!({"action": action, "version": version}),
                ),
                Intent::Escalate => (
                    format!("/cases/{ticket}/escalations"),
                    json!({"reason": "Belum ditangani", "version": version}),
                ),
            };
            let Some(answer) = self.call(official, "POST", &path, Some(body), work).await else {
                return;
            };
            match (answer.status, answer.body["error"]["code"].as_str()) {
                (200, _) => {
                    let to = match &intent {
                        Intent::Note(_) => String::new(),
                        Intent::Transition(_) => {
                            answer.body["case"]["status"].as_str().unwrap_or_default().into()
                        }
                        Intent::Escalate => answer.body["case"]["level"].as_str().unwrap_or_default().into(),
                    };
                    work.landed.push(Landed {
                        ticket,
                        official: official.sub.clone(),
                        intent,
                        to,
                    });
                    return;
                }
                (409, Some("version_conflict" | "contended")) => {
                    work.conflicts_retried += 1;
                    let path = format!("/cases/{ticket}");
                    match self.call(official, "GET", &path, None, work).await {
                        Some(a) if a.status == 200 => case = a.body["case"].clone(),
                        _ => return,
                    }
                    if !applies(&intent, &case) {
                        work.superseded += 1;
                        return;
                    }
                }
                (409, Some("illegal_transition" | "illegal_escalation")) => {
                    work.superseded += 1;
                    return;
                }
                (status, _) => {
                    work.errors.push(format!("{path}: {status} {}", answer.body));
                    return;
                }
            }
        }
        work.errors
            .push(format!("{ticket}: still conflicting after 20 rounds"));
    }

    async fn call(
        &self,
        official: &Official,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
        work: &mut Work,
    ) -> Option<Answer> {
        let event = api_event(official, method, path_and_query, body.as_ref());
        let started = Instant::now();
        let invocation = self.api.invoke(&event).await;
        work.latencies.push(started.elapsed());
        match invocation.outcome {
            Outcome::Response(response) => {
                let status = response["statusCode"].as_u64().unwrap_or(0) as u16;
                let body = response["body"]
                    .as_str()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null);
                Some(Answer { status, body })
            }
            other => {
                work.errors.push(format!("{method} {path_and_query}: {other:?}"));
                None
            }
        }
    }
}

/// Whether the intent still makes sense for the case as re-read.
fn applies(intent: &Intent, case: &Value) -> bool {
    let status = case["status"].as_str();
    match intent {
        Intent::Note(_) => true,
        Intent::Transition("verify") => status == Some("received"),
        Intent::Transition("start") => status == Some("verified"),
        Intent::Transition(_) => false,
        Intent::Escalate => case["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "escalate")),
    }
}

/// An API Gateway HTTP API event (payload 2.0) for the officials' API, with
/// the claims of a verified ID token, as the JWT authorizer passes them.
fn api_event(official: &Official, method: &str, path_and_query: &str, body: Option<&Value>) -> Value {
    let who = aduan_testkit::events::Official {
        sub: official.sub.clone(),
        name: format!("Petugas {}", official.sub),
        scope: official.scope.clone(),
        role: "officer".to_owned(),
    };
    let body = body.map(Value::to_string);
    aduan_testkit::events::jwt_event(&who, method, path_and_query, body.as_deref())
}
