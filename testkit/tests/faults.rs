//! Fault injection: every operation of the three functions, with one fault
//! at each position of the requests it makes (DynamoDB and SNS through a
//! fault proxy in front of the emulator, WhatsApp sends through one in front
//! of the stand-in). The caller then does what it does in production (Meta
//! redelivers on a 5xx, the official repeats a request that got a 5xx, a
//! scheduled job that failed runs again), an SLA sweep runs, and the whole
//! state (cases, timelines, outboxes, messages sent to citizens, SNS
//! messages) must equal what one clean run produced.
//!
//! `ADUAN_FAULTS=full` runs the whole matrix (`make faults`); by default a
//! deterministic sample of it runs, sized for `make test`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aduan_shared::config::Env;
use aduan_shared::domain::case::{Case, Channel, NewCase, Provider};
use aduan_shared::domain::identity::Sender;
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Transition;
use aduan_shared::domain::reporter::SenderId;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{Actor, TimelineEvent};
use aduan_shared::store::{QueueQuery, QueueScope, Reporter, Store};
use aduan_shared::whatsapp::meta::fixtures;
use aduan_testkit::events::{jwt_event, request, signed_meta_event, Official};
use aduan_testkit::faults::{Fault, FaultProxy, Rule};
use aduan_testkit::sns::{drain, fresh_topic, subscribed_queue};
use aduan_testkit::standin::WhatsAppStandin;
use aduan_testkit::{base_env, fresh_table, sdk_config};
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

const SECRET: &str = "meta-app-secret";
const NUMBER: &str = "222000222";
const CITIZEN: &str = "6281234567890";
const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
/// Attempts the caller makes in all (Meta redelivers for days; an official
/// repeats a request; a schedule retries).
const CALLER_ATTEMPTS: usize = 4;

/// Everything one cell of the matrix runs against: its own table, topics,
/// queues, stand-in and proxies.
struct World {
    aws: FaultProxy,
    wa: FaultProxy,
    standin: WhatsAppStandin,
    webhook: webhook::App,
    api: case_updates::AppState,
    digest: digest::App,
    /// Straight to the emulator, for setting up and inspecting.
    direct: aws_config::SdkConfig,
    store: Store,
    sqs: aws_sdk_sqs::Client,
    escalation_queue: String,
    digest_queue: String,
    /// What [`World::remove`] deletes: the emulator slows with every table,
    /// topic and queue it holds, and the full matrix makes 1,500 of each.
    dynamo: aws_sdk_dynamodb::Client,
    sns: aws_sdk_sns::Client,
    table: String,
    topics: [String; 2],
}

impl World {
    async fn new() -> World {
        let direct = sdk_config().await;
        let aws = FaultProxy::in_front_of_the_emulator().await;
        let standin = WhatsAppStandin::start().await;
        let wa = FaultProxy::start(&standin.base_url).await;
        // The functions' clients as production builds them, through the proxy.
        let proxied = aws.sdk_config().await;
        let id = ulid::Ulid::new().to_string().to_lowercase();
        let dynamo = aws_sdk_dynamodb::Client::new(&direct);
        let table = fresh_table(&direct, "faults").await;
        let sns = aws_sdk_sns::Client::new(&direct);
        let sqs = aws_sdk_sqs::Client::new(&direct);
        let escalation_topic = topic(&direct, &format!("esc-{id}")).await;
        let digest_topic = topic(&direct, &format!("dig-{id}")).await;
        let escalation_queue = subscribed_queue(&direct, &escalation_topic, &format!("esc-{id}"), None)
            .await
            .expect("queue");
        let digest_queue = subscribed_queue(&direct, &digest_topic, &format!("dig-{id}"), None)
            .await
            .expect("queue");
        let mut env = base_env(&table);
        env.retain(|(k, _)| k != "ESCALATION_TOPIC_ARN" && k != "DIGEST_TOPIC_ARN");
        let api_base = format!("{}/v23.0", wa.url);
        for (k, v) in [
            ("ESCALATION_TOPIC_ARN", escalation_topic.as_str()),
            ("DIGEST_TOPIC_ARN", digest_topic.as_str()),
            ("WHATSAPP_APP_SECRET", SECRET),
            ("WHATSAPP_ACCESS_TOKEN", "token-123"),
            ("WHATSAPP_API_BASE", api_base.as_str()),
        ] {
            env.push((k.to_owned(), v.to_owned()));
        }
        let env = Env::from_pairs(env);
        let webhook = webhook::App::from_config(&env, &proxied)
            .await
            .expect("webhook config");
        let api = case_updates::AppState::from_config(&env, &proxied)
            .await
            .expect("case-updates config");
        let digest = digest::App::from_config(&env, &proxied)
            .await
            .expect("digest config");
        let store = Store::new(
            dynamo.clone(),
            table.clone(),
            webhook.desk.policy.sla.calendar.clone(),
        );
        World {
            aws,
            wa,
            standin,
            webhook,
            api,
            digest,
            direct,
            store,
            sqs,
            escalation_queue,
            digest_queue,
            dynamo,
            sns,
            table,
            topics: [escalation_topic, digest_topic],
        }
    }

    /// Deletes the cell's table, topics and queues, once it has been judged.
    async fn remove(self) {
        let _ = self.dynamo.delete_table().table_name(&self.table).send().await;
        for arn in &self.topics {
            let _ = self.sns.delete_topic().topic_arn(arn).send().await;
        }
        for url in [&self.escalation_queue, &self.digest_queue] {
            let _ = self.sqs.delete_queue().queue_url(url).send().await;
        }
    }

    fn reset_proxies(&self) {
        self.aws.reset();
        self.wa.reset();
    }

    /// One Meta delivery, signed; the status code the webhook answered.
    async fn deliver(&self, body: &Value) -> u16 {
        webhook::handle(&self.webhook, request(&signed_meta_event(SECRET, body)))
            .await
            .status()
            .as_u16()
    }

    async fn text(&self, id: &str, body: &str) -> u16 {
        self.deliver(&fixtures::text(NUMBER, CITIZEN, id, Utc::now().timestamp(), body))
            .await
    }

    /// One officials' API call by the lurah of Garegeh.
    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let official = Official {
            sub: "sub-lurah-garegeh".into(),
            name: "Lurah Garegeh".into(),
            scope: GAREGEH.into(),
            role: "officer".into(),
        };
        let body = body.map(|b| b.to_string());
        let req =
            lambda_http::request::from_str(&jwt_event(&official, method, path, body.as_deref()).to_string())
                .expect("a payload 2.0 event");
        let response = case_updates::handler(&self.api, req).await.expect("a response");
        let status = response.status().as_u16();
        let json = serde_json::from_slice(response.body().as_ref()).unwrap_or(Value::Null);
        (status, json)
    }

    async fn job(&self, job: Value, now: DateTime<Utc>) -> bool {
        self.digest
            .handle(&job, now, digest::Budget::unlimited())
            .await
            .is_ok()
    }

    async fn the_case(&self) -> Case {
        let mut cases = self.cases().await;
        assert_eq!(cases.len(), 1, "one case set up");
        cases.remove(0)
    }

    async fn cases(&self) -> Vec<Case> {
        let scope = QueueScope::Area(JurisdictionPath::parse("bukittinggi").expect("path"));
        let mut cases = self
            .store
            .queue(&QueueQuery::new(scope))
            .await
            .expect("queue")
            .items;
        cases.sort_by_key(|c| c.created_at);
        cases
    }

    /// A case of the citizen opened `days_ago`, their last message then too
    /// (outside WhatsApp's window: notices go as templates).
    async fn old_case(&self, days_ago: i64) -> Case {
        let at = Utc::now() - Span::days(days_ago);
        let sender = SenderId::parse(CITIZEN).expect("number");
        let keys = &self.webhook.desk.keys;
        let new = NewCase {
            ticket: Ticket::new(&self.webhook.desk.policy.ticket_prefix, 1).expect("ticket"),
            kind: CaseKind::Pengaduan,
            description: "Jalan berlubang".into(),
            home: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").expect("path"),
            jurisdiction: Some(JurisdictionPath::parse(GAREGEH).expect("path")),
            reporter: keys.hasher.reporter_id(&sender),
            channel: Channel {
                provider: Provider::Meta,
                number_id: NUMBER.into(),
            },
        };
        let policy = &self.webhook.desk.policy;
        let (case, opened) = Case::open(new, &policy.ladder, &policy.sla, at);
        let reporter = Reporter::new(
            case.reporter.id().unwrap().clone(),
            keys.contacts
                .seal(case.reporter.id().unwrap(), &Sender::phone_number(sender)),
            at,
        );
        aduan_testkit::seed::open_case(&self.store, &case, &[opened], reporter).await;
        case
    }

    /// Moves `case` through `transitions`, all at `at`, as an official.
    async fn advance(&self, mut case: Case, transitions: &[Transition], at: DateTime<Utc>) {
        let actor = Actor::Official {
            sub: "sub-lurah-garegeh".into(),
            name: "Lurah Garegeh".into(),
        };
        let mut events: Vec<TimelineEvent> = Vec::new();
        for t in transitions {
            let note = matches!(t, Transition::Resolve).then(|| "Sudah ditambal".to_owned());
            events.push(
                case.transition(*t, actor.clone(), note, &self.webhook.desk.policy.sla, at)
                    .expect("legal"),
            );
        }
        self.store
            .save_case(&mut case, &events, None)
            .await
            .expect("save");
    }

    async fn drain(&self, queue: &str) -> Vec<Value> {
        drain(&self.direct, queue).await.expect("drain")
    }
}

async fn topic(sdk: &aws_config::SdkConfig, name: &str) -> String {
    let arn = fresh_topic(sdk, name).await.expect("topic");
    assert!(!arn.is_empty(), "arn");
    arn
}

/// Every operation of the three functions the matrix covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    NewComplaint,
    FollowUp,
    AnswerKelurahan,
    Duplicate,
    StatusCallback,
    CommandStatus,
    CommandWithdraw,
    Verify,
    Reject,
    Start,
    Resolve,
    Close,
    Reopen,
    Reclassify,
    Note,
    Reply,
    Escalate,
    DailyDigest,
    SweepEscalation,
    OutboxRetries,
    AutoClose,
}

const OPS: [Op; 21] = [
    Op::NewComplaint,
    Op::FollowUp,
    Op::AnswerKelurahan,
    Op::Duplicate,
    Op::StatusCallback,
    Op::CommandStatus,
    Op::CommandWithdraw,
    Op::Verify,
    Op::Reject,
    Op::Start,
    Op::Resolve,
    Op::Close,
    Op::Reopen,
    Op::Reclassify,
    Op::Note,
    Op::Reply,
    Op::Escalate,
    Op::DailyDigest,
    Op::SweepEscalation,
    Op::OutboxRetries,
    Op::AutoClose,
];

/// What one attempt of the operation came to, as its caller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Done,
    /// An error the caller retries (webhook 5xx, API 5xx, a failed job).
    Retry,
}

const COMPLAINT: &str = "Jalan berlubang besar di Garegeh dekat masjid";

/// Brings the world to where the operation starts, without faults.
async fn setup(w: &World, op: Op) -> Value {
    let now = Utc::now();
    match op {
        Op::NewComplaint => json!(null),
        Op::FollowUp | Op::Duplicate | Op::StatusCallback | Op::CommandStatus | Op::CommandWithdraw => {
            assert_eq!(w.text("wamid.IN1", COMPLAINT).await, 200);
            json!(null)
        }
        Op::AnswerKelurahan => {
            assert_eq!(w.text("wamid.IN1", "Lampu jalan mati sudah seminggu").await, 200);
            json!(null)
        }
        Op::Verify | Op::Reject | Op::Reclassify | Op::Note | Op::Reply | Op::Escalate => {
            assert_eq!(w.text("wamid.IN1", COMPLAINT).await, 200);
            json!({"version": w.the_case().await.version})
        }
        Op::Start | Op::Resolve | Op::Close | Op::Reopen => {
            assert_eq!(w.text("wamid.IN1", COMPLAINT).await, 200);
            let steps: &[&str] = match op {
                Op::Start => &["verify"],
                Op::Resolve => &["verify", "start"],
                _ => &["verify", "start", "resolve"],
            };
            for action in steps {
                let version = w.the_case().await.version;
                let (status, body) = w
                    .api(
                        "POST",
                        "/cases/ADU-0001/actions",
                        Some(action_body(action, version)),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
            }
            json!({"version": w.the_case().await.version})
        }
        Op::DailyDigest => {
            assert_eq!(w.text("wamid.IN1", COMPLAINT).await, 200);
            json!({"date": w.webhook.desk.policy.sla.calendar.local_date(now).to_string()})
        }
        Op::SweepEscalation => {
            w.old_case(12).await;
            json!(null)
        }
        Op::AutoClose => {
            let case = w.old_case(20).await;
            let at = now - Span::days(12);
            w.advance(
                case,
                &[Transition::Verify, Transition::Start, Transition::Resolve],
                at,
            )
            .await;
            json!(null)
        }
        Op::OutboxRetries => {
            // A reply that could not be sent and an escalation whose publish
            // failed, both waiting for the sweep.
            w.wa.arm(Rule::nth(1, Fault::Status(503)));
            assert_eq!(w.text("wamid.IN1", COMPLAINT).await, 200);
            w.aws.arm(Rule::op("Publish", 1, Fault::Status(500)).times(3));
            let (status, body) = w
                .api(
                    "POST",
                    "/cases/ADU-0001/escalations",
                    Some(json!({"reason": "Mendesak"})),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["publish"], "pending", "{body}");
            json!(null)
        }
    }
}

fn action_body(action: &str, version: u64) -> Value {
    match action {
        "reject" => json!({"action": "reject", "version": version, "reason": "Bukan wewenang kelurahan"}),
        "resolve" => json!({"action": "resolve", "version": version, "note": "Sudah ditambal"}),
        "reclassify" => json!({"action": "reclassify", "version": version, "kind": "saran"}),
        "note" => json!({"action": "note", "version": version, "note": "Sudah dicek ke lokasi"}),
        other => json!({"action": other, "version": version}),
    }
}

/// One attempt of the operation, as its caller makes it.
async fn act(w: &World, op: Op, ctx: &Value) -> Attempt {
    let now = Utc::now();
    let webhook = |status: u16| {
        if status >= 500 {
            Attempt::Retry
        } else {
            Attempt::Done
        }
    };
    let version = ctx["version"].as_u64().unwrap_or_default();
    let api = |(status, _): (u16, Value)| {
        if status >= 500 {
            Attempt::Retry
        } else {
            Attempt::Done
        }
    };
    let job = |ok: bool| if ok { Attempt::Done } else { Attempt::Retry };
    match op {
        Op::NewComplaint | Op::Duplicate => webhook(w.text("wamid.IN1", COMPLAINT).await),
        Op::FollowUp => webhook(w.text("wamid.IN2", "Sekarang sudah ada yang jatuh").await),
        Op::AnswerKelurahan => webhook(w.text("wamid.IN2", "Garegeh").await),
        Op::StatusCallback => webhook(
            w.deliver(&fixtures::status(
                NUMBER,
                "wamid.OUT1",
                "delivered",
                now.timestamp(),
                CITIZEN,
            ))
            .await,
        ),
        Op::CommandStatus => webhook(w.text("wamid.IN2", "STATUS ADU-0001").await),
        Op::CommandWithdraw => webhook(w.text("wamid.IN2", "BATAL ADU-0001").await),
        Op::Verify
        | Op::Reject
        | Op::Start
        | Op::Resolve
        | Op::Close
        | Op::Reopen
        | Op::Reclassify
        | Op::Note => {
            let action = match op {
                Op::Verify => "verify",
                Op::Reject => "reject",
                Op::Start => "start",
                Op::Resolve => "resolve",
                Op::Close => "close",
                Op::Reopen => "reopen",
                Op::Reclassify => "reclassify",
                _ => "note",
            };
            api(w
                .api(
                    "POST",
                    "/cases/ADU-0001/actions",
                    Some(action_body(action, version)),
                )
                .await)
        }
        Op::Reply => api(w
            .api(
                "POST",
                "/cases/ADU-0001/messages",
                Some(json!({"text": "Petugas akan datang besok"})),
            )
            .await),
        Op::Escalate => api(w
            .api(
                "POST",
                "/cases/ADU-0001/escalations",
                Some(json!({"reason": "Perlu alat berat", "version": version})),
            )
            .await),
        Op::DailyDigest => job(w
            .job(json!({"job": "daily-digest", "date": ctx["date"]}), now)
            .await),
        Op::SweepEscalation | Op::AutoClose => job(w.job(json!({"job": "sla-sweep"}), now).await),
        Op::OutboxRetries => job(w.job(json!({"job": "sla-sweep"}), now + Span::hours(1)).await),
    }
}

/// The state one run left, with what differs between equal runs (ids,
/// times, ticket numbers) left out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    cases: Vec<String>,
    timeline: Vec<String>,
    reporter: String,
    pending_whatsapp: usize,
    pending_publishes: usize,
    whatsapp_sent: Vec<String>,
    escalations_published: Vec<String>,
    digests_published: Vec<String>,
}

/// Ticket numbers are unique, not dense: a counter increment whose response
/// was lost may skip one.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("ADU-") {
        out.push_str(&rest[..i + 4]);
        rest = rest[i + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('#');
    }
    out.push_str(rest);
    out
}

fn strip(value: &mut Value) {
    if let Value::Object(map) = value {
        for key in [
            "provider_message_id",
            "id",
            "at",
            "error",
            "ticket",
            "event_id",
            "MessageId",
            "Timestamp",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL",
            "TopicArn",
        ] {
            map.remove(key);
        }
        for v in map.values_mut() {
            strip(v);
        }
    }
}

fn describe<T: serde::Serialize>(value: &T) -> String {
    let mut v = serde_json::to_value(value).expect("serialisable");
    strip(&mut v);
    normalise(&v.to_string())
}

async fn snapshot(w: &World) -> Snapshot {
    let far = Utc::now() + Span::days(400);
    let mut cases = Vec::new();
    let mut timeline = Vec::new();
    for case in w.cases().await {
        cases.push(normalise(&format!(
            "{} {:?} {:?} {:?} v{}",
            case.status.as_str(),
            case.level,
            case.kind,
            case.jurisdiction.as_ref().map(|j| j.to_string()),
            case.version
        )));
        let (_, events) = w
            .store
            .case_with_timeline(&case.id)
            .await
            .expect("timeline")
            .expect("case");
        timeline.extend(
            events
                .iter()
                .map(|e| format!("{} {}", describe(&e.actor), describe(&e.body))),
        );
    }
    timeline.sort();
    let sender = SenderId::parse(CITIZEN).expect("number");
    let reporter = match w
        .store
        .reporter(&w.webhook.desk.keys.hasher.reporter_id(&sender))
        .await
        .expect("reporter")
    {
        Some(r) => normalise(&format!(
            "open {:?} awaiting {}",
            r.open_case.map(|c| c.ticket.to_string()),
            describe(&r.awaiting)
        )),
        None => "none".into(),
    };
    let mut whatsapp_sent: Vec<String> = w
        .standin
        .received()
        .iter()
        .map(|r| normalise(&aduan_testkit::standin::message_text(&r.body)))
        .collect();
    whatsapp_sent.sort();
    let published = |mut messages: Vec<Value>| {
        for m in &mut messages {
            strip(m);
        }
        let mut out: Vec<String> = messages.iter().map(|m| normalise(&m.to_string())).collect();
        out.sort();
        out
    };
    Snapshot {
        cases,
        timeline,
        reporter,
        pending_whatsapp: w.store.pending_outbound(far, 100).await.expect("outbox").len(),
        pending_publishes: w.store.outbox_due(far, 100).await.expect("outbox").len(),
        whatsapp_sent,
        escalations_published: published(w.drain(&w.escalation_queue).await),
        digests_published: published(w.drain(&w.digest_queue).await),
    }
}

/// A place in an operation's requests: the `nth` request of `operation`
/// on one of the two proxies.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    whatsapp: bool,
    operation: String,
    nth: usize,
}

fn positions(operations: &[String], whatsapp: bool) -> Vec<Position> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    operations
        .iter()
        .map(|op| {
            let nth = seen.entry(op).or_default();
            *nth += 1;
            Position {
                whatsapp,
                operation: op.clone(),
                nth: *nth,
            }
        })
        .collect()
}

/// One fault plan: a fault at a position, possibly repeated on the retries.
#[derive(Debug, Clone)]
struct Plan {
    name: String,
    rules: Vec<(Fault, usize)>,
}

fn plan(fault: Fault, times: usize) -> Plan {
    let name = if times > 1 {
        format!("{} x{times}", fault.name())
    } else {
        fault.name()
    };
    Plan {
        name,
        rules: vec![(fault, times)],
    }
}

/// The SDK's standard mode makes 3 attempts: a plan of one fault is
/// absorbed, one of 3 outlasts its retries.
fn aws_plans(operation: &str) -> Vec<Plan> {
    let throttle = if operation == "Publish" {
        Fault::SnsThrottling
    } else if operation.len() % 2 == 0 {
        Fault::DynamoThroughput
    } else {
        Fault::DynamoThrottling
    };
    vec![
        plan(Fault::Reset, 1),
        plan(Fault::Status(500), 1),
        plan(throttle, 1),
        plan(Fault::Latency(Duration::from_millis(300)), 1),
        plan(Fault::CommitLoseResponse, 1),
        plan(Fault::Status(503), 3),
        plan(throttle, 3),
        Plan {
            name: "commit, response lost, then 500 x2".into(),
            rules: vec![(Fault::CommitLoseResponse, 1), (Fault::Status(500), 2)],
        },
    ]
}

fn whatsapp_plans() -> Vec<Plan> {
    vec![
        plan(Fault::Status(500), 1),
        plan(Fault::Status(429), 1),
        plan(Fault::Reset, 1),
        plan(Fault::CommitLoseResponse, 1),
        // Longer than the WhatsApp client's 8 s timeout.
        plan(Fault::Hang(Duration::from_secs(10)), 1),
    ]
}

fn arm(w: &World, position: &Position, plan: &Plan) {
    let proxy = if position.whatsapp { &w.wa } else { &w.aws };
    let mut nth = position.nth;
    for (fault, times) in &plan.rules {
        proxy.arm(Rule::op(&position.operation, nth, *fault).times(*times));
        nth += times;
    }
}

struct Cell {
    op: Op,
    position: Position,
    plan: Plan,
}

#[derive(Debug)]
struct Outcome {
    op: Op,
    position: String,
    plan: String,
    injected: usize,
    attempts: usize,
    /// Converged, but with one message sent twice (the allowed difference).
    duplicates: usize,
    /// Converged, but the answer to a read-only command was not sent (the
    /// other allowed difference).
    lost_answers: usize,
    failure: Option<String>,
}

async fn golden(op: Op) -> (Snapshot, Vec<Position>) {
    let w = World::new().await;
    let ctx = setup(&w, op).await;
    w.reset_proxies();
    assert_eq!(
        act(&w, op, &ctx).await,
        Attempt::Done,
        "{op:?} succeeds without faults"
    );
    let mut positions_seen = positions(&w.aws.operations(), false);
    positions_seen.extend(positions(&w.wa.operations(), true));
    w.reset_proxies();
    assert!(
        w.job(json!({"job": "sla-sweep"}), Utc::now() + Span::hours(3))
            .await
    );
    let expected = snapshot(&w).await;
    w.remove().await;
    (expected, positions_seen)
}

async fn run_cell(cell: Cell, expected: Arc<Snapshot>) -> Outcome {
    let w = World::new().await;
    let ctx = setup(&w, cell.op).await;
    w.reset_proxies();
    arm(&w, &cell.position, &cell.plan);
    let injected_before_settle = {
        let mut attempts = 0;
        while attempts < CALLER_ATTEMPTS {
            attempts += 1;
            if act(&w, cell.op, &ctx).await == Attempt::Done {
                break;
            }
        }
        (w.aws.injected() + w.wa.injected(), attempts)
    };
    w.reset_proxies();
    let settled = w
        .job(json!({"job": "sla-sweep"}), Utc::now() + Span::hours(3))
        .await;
    let got = snapshot(&w).await;
    w.remove().await;
    let (mut duplicates, mut lost_answers) = (0, 0);
    let failure = if !settled {
        Some("the settling sweep failed".to_owned())
    } else if injected_before_settle.0 == 0 {
        Some("no fault was injected: the position was not reached".to_owned())
    } else if got == *expected {
        None
    } else if duplicate_after_lost_answer(&cell, &expected, &got)
        || repeated_official_message(&cell, &expected, &got)
    {
        duplicates += 1;
        None
    } else if lost_read_only_answer(&cell, &expected, &got) {
        lost_answers += 1;
        None
    } else {
        Some(diff(&expected, &got))
    };
    Outcome {
        op: cell.op,
        position: format!(
            "{}{} #{}",
            if cell.position.whatsapp { "WhatsApp " } else { "" },
            cell.position.operation,
            cell.position.nth
        ),
        plan: cell.plan.name,
        injected: injected_before_settle.0,
        attempts: injected_before_settle.1,
        duplicates,
        lost_answers,
        failure,
    }
}

/// `STATUS` changes nothing and its answer belongs to no case, so it is sent
/// at most once and not kept for the sweep: when WhatsApp fails it, or when
/// the write recording the command committed but every answer to it was
/// lost (the webhook answers 500; Meta's redelivery is then a duplicate), the
/// citizen gets no answer and can simply ask again. Allowed: that one answer
/// missing, everything else as after one success.
fn lost_read_only_answer(cell: &Cell, expected: &Snapshot, got: &Snapshot) -> bool {
    let record_committed_unheard =
        cell.plan.rules[0].0 == Fault::CommitLoseResponse && outlasts_sdk(&cell.plan);
    if cell.op != Op::CommandStatus || !(cell.position.whatsapp || record_committed_unheard) {
        return false;
    }
    let mut missing = expected.whatsapp_sent.clone();
    for sent in &got.whatsapp_sent {
        match missing.iter().position(|s| s == sent) {
            Some(i) => {
                missing.remove(i);
            }
            None => return false,
        }
    }
    missing.len() == 1
        && Snapshot {
            whatsapp_sent: expected.whatsapp_sent.clone(),
            ..got.clone()
        } == *expected
}

/// Neither WhatsApp's send API nor an SNS publish has an idempotency key.
/// A send or publish accepted whose answer never came back (the SDK retries
/// a publish at once), or one that went out but whose record failed beyond
/// the SDK's retries, looks unsent and is sent again. The one difference
/// allowed then: one message (to the citizen, or to officials) twice;
/// everything else as after one success.
fn duplicate_after_lost_answer(cell: &Cell, expected: &Snapshot, got: &Snapshot) -> bool {
    let first = cell.plan.rules[0];
    // An SNS publish whose answer is lost is repeated by the SDK's own retry.
    let unheard_side_effect = first.0 == Fault::CommitLoseResponse
        && (cell.position.whatsapp || cell.position.operation == "Publish");
    if !(outlasts_sdk(&cell.plan) || unheard_side_effect) {
        return false;
    }
    // Exactly one of the three outlets got one message more; all else equal.
    let with_expected_messages = Snapshot {
        whatsapp_sent: expected.whatsapp_sent.clone(),
        escalations_published: expected.escalations_published.clone(),
        digests_published: expected.digests_published.clone(),
        ..got.clone()
    };
    let outlets = [
        (&expected.whatsapp_sent, &got.whatsapp_sent),
        (&expected.escalations_published, &got.escalations_published),
        (&expected.digests_published, &got.digests_published),
    ];
    let repeated = outlets.iter().filter(|(e, g)| one_more(e, g)).count();
    let unchanged = outlets.iter().filter(|(e, g)| e == g).count();
    with_expected_messages == *expected && repeated == 1 && unchanged == 2
}

/// `POST /cases/{ticket}/messages` has no idempotency key: when the write
/// saving the official's message commits but every answer to it is lost,
/// the API answers 503 and the official, sending again, sends it twice.
/// Allowed: that message twice on the timeline and at WhatsApp, everything
/// else as after one success.
fn repeated_official_message(cell: &Cell, expected: &Snapshot, got: &Snapshot) -> bool {
    let record_committed_unheard =
        cell.plan.rules[0].0 == Fault::CommitLoseResponse && outlasts_sdk(&cell.plan);
    cell.op == Op::Reply
        && !cell.position.whatsapp
        && record_committed_unheard
        && one_more(&expected.timeline, &got.timeline)
        && one_more(&expected.whatsapp_sent, &got.whatsapp_sent)
        && Snapshot {
            timeline: expected.timeline.clone(),
            whatsapp_sent: expected.whatsapp_sent.clone(),
            ..got.clone()
        } == *expected
}

/// `got` is `expected` with one of its entries once more.
fn one_more(expected: &[String], got: &[String]) -> bool {
    let mut extra = got.to_vec();
    for sent in expected {
        if let Some(i) = extra.iter().position(|s| s == sent) {
            extra.remove(i);
        }
    }
    extra.len() == 1 && expected.contains(&extra[0]) && got.len() == expected.len() + 1
}

/// Whether the plan fails more requests in a row than the SDK's retries
/// absorb, so that the caller sees the error.
fn outlasts_sdk(plan: &Plan) -> bool {
    plan.rules.iter().map(|(_, times)| times).sum::<usize>() >= 3
}

fn diff(expected: &Snapshot, got: &Snapshot) -> String {
    let mut out = Vec::new();
    macro_rules! field {
        ($f:ident) => {
            if expected.$f != got.$f {
                out.push(format!(
                    "{}: expected {:?}, got {:?}",
                    stringify!($f),
                    expected.$f,
                    got.$f
                ));
            }
        };
    }
    field!(cases);
    field!(timeline);
    field!(reporter);
    field!(pending_whatsapp);
    field!(pending_publishes);
    field!(whatsapp_sent);
    field!(escalations_published);
    field!(digests_published);
    out.join("\n    ")
}

/// Which cells run: all of them, or every `stride`-th, offset per
/// operation so that the sample reaches different positions and faults in
/// each operation (`ADUAN_FAULTS_STRIDE`, default 24: about three cells per
/// operation).
fn sample(stride: Option<usize>, index: usize, op_index: usize) -> bool {
    stride.is_none_or(|stride| (index + op_index * 7) % stride == 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_operation_survives_any_single_fault() {
    let full = std::env::var("ADUAN_FAULTS").is_ok_and(|v| v == "full");
    let stride = (!full).then(|| {
        std::env::var("ADUAN_FAULTS_STRIDE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(24)
    });
    let only: Option<String> = std::env::var("ADUAN_FAULTS_OP").ok();
    let gate = Arc::new(Semaphore::new(if full { 12 } else { 8 }));
    let mut handles = Vec::new();
    for (op_index, op) in OPS.into_iter().enumerate() {
        let name = format!("{op:?}");
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|o| o.trim().eq_ignore_ascii_case(&name)))
        {
            continue;
        }
        let (expected, positions) = golden(op).await;
        let expected = Arc::new(expected);
        let mut index = 0;
        for position in positions {
            let plans = if position.whatsapp {
                whatsapp_plans()
            } else {
                aws_plans(&position.operation)
            };
            for plan in plans {
                index += 1;
                if !sample(stride, index, op_index) {
                    continue;
                }
                let cell = Cell {
                    op,
                    position: position.clone(),
                    plan,
                };
                let gate = gate.clone();
                let expected = expected.clone();
                handles.push(tokio::spawn(async move {
                    let _permit = gate.acquire_owned().await.expect("open");
                    run_cell(cell, expected).await
                }));
            }
        }
    }
    let mut outcomes = Vec::new();
    for handle in handles {
        outcomes.push(handle.await.expect("a cell ran"));
    }
    report(&outcomes);
    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cells did not converge:\n{}",
        failures.len(),
        outcomes.len(),
        failures
            .iter()
            .map(|o| format!(
                "  {:?} / {} / {} (attempts {}): {}",
                o.op,
                o.position,
                o.plan,
                o.attempts,
                o.failure.as_deref().unwrap_or_default()
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Per operation: cells run, faults injected, cells that converged.
fn report(outcomes: &[Outcome]) {
    let mut per_op: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for o in outcomes {
        let entry = per_op.entry(format!("{:?}", o.op)).or_default();
        entry[0] += 1;
        entry[1] += o.injected;
        entry[2] += usize::from(o.failure.is_none());
        entry[3] += o.duplicates;
        entry[4] += o.lost_answers;
    }
    println!("| operation | cells | faults injected | converged | of which one message twice | of which a STATUS answer lost |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut total = [0; 5];
    for (op, counts) in &per_op {
        println!(
            "| {op} | {} | {} | {} | {} | {} |",
            counts[0], counts[1], counts[2], counts[3], counts[4]
        );
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    println!(
        "| total | {} | {} | {} | {} | {} |",
        total[0], total[1], total[2], total[3], total[4]
    );
}
