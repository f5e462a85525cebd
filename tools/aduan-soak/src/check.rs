//! The counted invariants, checked on what the run left behind: the table
//! (every case and its timeline), what the WhatsApp stand-in received, what
//! the escalation and digest topics published (through SQS queues
//! subscribed to them), and the function processes' logs.

use std::collections::{BTreeMap, HashMap};

use aduan_shared::domain::case::Case;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::reporter::{Key32, ReporterHasher, SenderId};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{Actor, EventBody, TimelineEvent};
use aduan_shared::texts::{render, Texts};
use aduan_testkit::standin::{message_text, Received};
use aduan_testkit::TEST_HMAC_KEY;
use serde_json::Value;

use crate::officials::{Intent, Landed};
use crate::run::Run;

pub struct CaseRecord {
    pub case: Case,
    pub timeline: Vec<TimelineEvent>,
}

/// What the run left behind.
pub struct Observed {
    pub cases: Vec<CaseRecord>,
    pub whatsapp: Vec<Received>,
    /// The escalation topic's notifications (SNS's JSON envelope).
    pub escalations: Vec<Value>,
    pub digests: Vec<Value>,
    /// Each function process's stdout and stderr.
    pub logs: Vec<String>,
}

/// One invariant: held or not, and the count behind it.
#[derive(Debug, Clone)]
pub struct Invariant {
    pub name: &'static str,
    pub held: bool,
    pub detail: String,
}

fn invariant(name: &'static str, problems: Vec<String>, counted: String) -> Invariant {
    let held = problems.is_empty();
    let detail = if held {
        counted
    } else {
        let shown: Vec<&str> = problems.iter().take(5).map(String::as_str).collect();
        format!("{counted}; {} problem(s): {}", problems.len(), shown.join("; "))
    };
    Invariant { name, held, detail }
}

pub fn check(run: &Run) -> Vec<Invariant> {
    vec![
        delivered(run),
        one_case_per_conversation(run),
        one_acknowledgement_per_case(run),
        messages_on_one_timeline(run),
        no_action_lost(run),
        escalations_published_once(run),
        digests_published_once(run),
        clean_logs(run),
    ]
}

fn delivered(run: &Run) -> Invariant {
    let problems: Vec<String> = run
        .sent
        .iter()
        .filter(|s| !s.delivered)
        .map(|s| {
            format!(
                "{} never answered 200",
                run.scenario.messages[s.delivery.message].id
            )
        })
        .collect();
    let retried = run.sent.iter().filter(|s| s.attempts > 1).count();
    invariant(
        "every delivery answered 200 (after Meta-style retries)",
        problems,
        format!("{} deliveries, {retried} needed a retry", run.sent.len()),
    )
}

/// Which citizen each reporter id is.
fn citizens_by_reporter(run: &Run) -> HashMap<String, usize> {
    let hasher = ReporterHasher::new(Key32::from_base64(TEST_HMAC_KEY).expect("a valid test key"));
    run.scenario
        .citizens
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let sender = SenderId::parse(&c.number).expect("a valid number");
            (hasher.reporter_id(&sender).as_str().to_owned(), i)
        })
        .collect()
}

fn one_case_per_conversation(run: &Run) -> Invariant {
    let by_reporter = citizens_by_reporter(run);
    let mut per_citizen = vec![0usize; run.scenario.citizens.len()];
    let mut problems = Vec::new();
    for record in &run.observed.cases {
        match by_reporter.get(record.case.reporter.as_str()) {
            Some(&c) => per_citizen[c] += 1,
            None => problems.push(format!("{} belongs to no citizen", record.case.ticket)),
        }
    }
    for (c, n) in per_citizen.iter().enumerate().filter(|(_, n)| **n != 1) {
        problems.push(format!("citizen {c} has {n} cases"));
    }
    // Each citizen holds one conversation (a report and its follow-ups):
    // its first message opens the case, whichever of them arrives first.
    invariant(
        "cases = distinct first messages (follow-ups open none)",
        problems,
        format!(
            "{} cases for {} first messages and {} follow-ups",
            run.observed.cases.len(),
            run.scenario.citizens.len(),
            run.scenario.messages.len() - run.scenario.citizens.len()
        ),
    )
}

fn one_acknowledgement_per_case(run: &Run) -> Invariant {
    let texts = Texts::shipped();
    // What comes before the ticket in an acknowledgement, for each kind (a
    // question's has its own text).
    let prefixes: Vec<String> = CaseKind::ALL
        .iter()
        .flat_map(|kind| {
            let kind_name = texts.kind_name(*kind);
            [&texts.ack_new, &texts.ack_question].map(|ack| {
                render(
                    ack.split("{ticket}").next().unwrap_or_default(),
                    &[("kind", kind_name)],
                )
            })
        })
        .collect();
    let mut acks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for received in &run.observed.whatsapp {
        let text = message_text(&received.body);
        let Some(rest) = prefixes
            .iter()
            .find_map(|prefix| text.strip_prefix(prefix.as_str()))
        else {
            continue;
        };
        let ticket: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let to = received.body["to"].as_str().unwrap_or_default().to_owned();
        acks.entry(ticket).or_default().push(to);
    }
    let by_reporter = citizens_by_reporter(run);
    let mut problems = Vec::new();
    for record in &run.observed.cases {
        let ticket = record.case.ticket.as_str();
        let expected = by_reporter
            .get(record.case.reporter.as_str())
            .map(|&c| run.scenario.citizens[c].number.as_str());
        match acks.remove(ticket).as_deref() {
            Some([to]) if Some(to.as_str()) == expected => {}
            Some([_]) => problems.push(format!("{ticket} acknowledged to someone else")),
            Some(many) => problems.push(format!("{ticket} acknowledged {} times", many.len())),
            None => problems.push(format!("{ticket} never acknowledged")),
        }
    }
    problems.extend(acks.keys().map(|t| format!("acknowledgement for no case: {t}")));
    invariant(
        "one acknowledgement per case (at the WhatsApp stand-in)",
        problems,
        format!(
            "{} cases, {} messages sent to citizens in all",
            run.observed.cases.len(),
            run.observed.whatsapp.len()
        ),
    )
}

fn messages_on_one_timeline(run: &Run) -> Invariant {
    let by_reporter = citizens_by_reporter(run);
    let mut found: HashMap<&str, Vec<(&str, Option<usize>)>> = HashMap::new();
    for record in &run.observed.cases {
        let owner = by_reporter.get(record.case.reporter.as_str()).copied();
        for event in &record.timeline {
            if let EventBody::Message {
                provider_message_id, ..
            } = &event.body
            {
                found
                    .entry(provider_message_id.as_str())
                    .or_default()
                    .push((record.case.ticket.as_str(), owner));
            }
        }
    }
    let mut problems = Vec::new();
    for message in &run.scenario.messages {
        match found.remove(message.id.as_str()).as_deref() {
            Some([(_, owner)]) if *owner == Some(message.citizen) => {}
            Some([(ticket, _)]) => {
                problems.push(format!("{} on {ticket}, another citizen's case", message.id))
            }
            Some(many) => problems.push(format!("{} on {} timelines/times", message.id, many.len())),
            None => problems.push(format!("{} on no timeline", message.id)),
        }
    }
    problems.extend(
        found
            .keys()
            .map(|id| format!("unknown message {id} on a timeline")),
    );
    invariant(
        "every message on exactly one timeline, its citizen's",
        problems,
        format!(
            "{} messages, {} redeliveries",
            run.scenario.messages.len(),
            run.scenario.deliveries().filter(|d| d.redelivery).count()
        ),
    )
}

/// The official-made events of the timelines, as (ticket, official, what).
fn official_events(run: &Run) -> BTreeMap<(String, String, String), usize> {
    let mut out = BTreeMap::new();
    for record in &run.observed.cases {
        for event in &record.timeline {
            let Actor::Official { sub, .. } = &event.actor else {
                continue;
            };
            let what = match &event.body {
                EventBody::Note { text } => format!("note {text}"),
                EventBody::StatusChanged { to, .. } => format!("status {}", to.as_str()),
                EventBody::Escalated { to, .. } => format!("escalated {to}"),
                _ => continue,
            };
            *out.entry((record.case.ticket.to_string(), sub.clone(), what))
                .or_insert(0) += 1;
        }
    }
    out
}

fn landed_key(landed: &Landed) -> (String, String, String) {
    let what = match &landed.intent {
        Intent::Note(text) => format!("note {text}"),
        Intent::Transition(_) => format!("status {}", landed.to),
        Intent::Escalate => format!("escalated {}", landed.to),
    };
    (landed.ticket.clone(), landed.official.clone(), what)
}

fn no_action_lost(run: &Run) -> Invariant {
    let mut expected: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for landed in run.work.iter().flat_map(|w| &w.landed) {
        *expected.entry(landed_key(landed)).or_insert(0) += 1;
    }
    let actual = official_events(run);
    let mut problems: Vec<String> = run.work.iter().flat_map(|w| w.errors.clone()).collect();
    for (key, n) in &expected {
        let got = actual.get(key).copied().unwrap_or(0);
        if got != *n {
            problems.push(format!(
                "{key:?}: answered 200 {n} time(s), on the timeline {got} time(s)"
            ));
        }
    }
    problems.extend(
        actual
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .map(|k| format!("{k:?} on the timeline, never answered 200")),
    );
    let conflicts: usize = run.work.iter().map(|w| w.conflicts_retried).sum();
    let superseded: usize = run.work.iter().map(|w| w.superseded).sum();
    invariant(
        "no official's action lost or doubled (409s re-read and retried)",
        problems,
        format!(
            "{} actions landed, {conflicts} version conflicts retried, {superseded} superseded",
            expected.values().sum::<usize>()
        ),
    )
}

fn escalations_published_once(run: &Run) -> Invariant {
    let mut saved: BTreeMap<(String, String), usize> = BTreeMap::new();
    for record in &run.observed.cases {
        for event in &record.timeline {
            if let EventBody::Escalated { to, .. } = &event.body {
                *saved
                    .entry((record.case.ticket.to_string(), to.to_string()))
                    .or_insert(0) += 1;
            }
        }
    }
    let mut published: BTreeMap<(String, String), usize> = BTreeMap::new();
    for notification in &run.observed.escalations {
        let ticket = notification["Message"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .find(|w| Ticket::parse(w).is_ok())
            .unwrap_or_default()
            .to_owned();
        let level = notification["MessageAttributes"]["level"]["Value"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *published.entry((ticket, level)).or_insert(0) += 1;
    }
    let mut problems = Vec::new();
    for (key, n) in &saved {
        let got = published.get(key).copied().unwrap_or(0);
        if *n != 1 || got != 1 {
            problems.push(format!("{key:?}: saved {n} time(s), published {got} time(s)"));
        }
    }
    problems.extend(
        published
            .iter()
            .filter(|(k, _)| !saved.contains_key(*k))
            .map(|(k, n)| format!("{k:?}: published {n} time(s), on no timeline")),
    );
    let by_sweep: u64 = run.sweeps.iter().map(|s| s.escalated).sum();
    invariant(
        "every escalation published once (SNS -> SQS)",
        problems,
        format!(
            "{} escalations ({by_sweep} by the sweeps), {} notifications",
            saved.values().sum::<usize>(),
            run.observed.escalations.len()
        ),
    )
}

fn digests_published_once(run: &Run) -> Invariant {
    let (first, again) = run.digests;
    let mut problems = Vec::new();
    if again != 0 {
        problems.push(format!("the re-run published {again}"));
    }
    if run.observed.digests.len() as u64 != first {
        problems.push(format!(
            "{} notifications for {first} published",
            run.observed.digests.len()
        ));
    }
    let sweep_errors: u64 = run.sweeps.iter().map(|s| s.errors).sum();
    if sweep_errors > 0 {
        problems.push(format!("the sweeps counted {sweep_errors} errors"));
    }
    invariant(
        "digests published once per node (a re-run sends none); sweeps without errors",
        problems,
        format!("{first} digests, {} sweeps", run.sweeps.len()),
    )
}

fn clean_logs(run: &Run) -> Invariant {
    let mut problems = Vec::new();
    for (p, log) in run.observed.logs.iter().enumerate() {
        if log.contains("panicked") {
            problems.push(format!("process {p} panicked"));
        }
        for citizen in &run.scenario.citizens {
            let local = format!("0{}", &citizen.number[2..]);
            if log.contains(&citizen.number) || log.contains(&local) {
                problems.push(format!("process {p} logged a reporter's number"));
                break;
            }
        }
    }
    let lines: usize = run.observed.logs.iter().map(|l| l.lines().count()).sum();
    invariant(
        "no panic and no reporter's number in any process's log",
        problems,
        format!("{} processes, {lines} log lines", run.observed.logs.len()),
    )
}
