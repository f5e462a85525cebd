//! Test support: a fresh table (with a DynamoDB client that counts what it
//! reads), fresh topics and SQS queues on the local emulator, an `App` built
//! from its configuration and wired to them and to a stand-in for WhatsApp's
//! send API, and helpers to create cases.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::sync::{Arc, Mutex};

use aduan_shared::config::Env;
use aduan_shared::domain::case::{Case, Channel, NewCase, Provider};
use aduan_shared::domain::identity::{Bsuid, Sender};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::domain::reporter::{ContactCipher, Key32, ReporterId, SenderId};
use aduan_shared::domain::sla::{SlaPolicy, WorkingCalendar};
use aduan_shared::domain::ticket::{Ticket, TicketPrefix};
use aduan_shared::domain::timeline::TimelineEvent;
use aduan_shared::notify::{EscalationNotifier, RetryPolicy};
use aduan_shared::store::{Reporter, Store};
use aduan_testkit::standin::WhatsAppStandin;
use aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::scan::ScanOutput;
use chrono::{DateTime, Utc};
use digest::App;
use serde_json::Value;

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub use aduan_testkit::{sdk_config, unique};

/// What the store read, counted from the responses: items returned by
/// GetItem and BatchGetItem, items examined (`ScannedCount`) by Query, and
/// any Scan at all.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    pub requests: usize,
    pub items: usize,
    pub scans: usize,
}

#[derive(Debug, Default, Clone)]
pub struct ReadCounter(Arc<Mutex<Reads>>);

impl ReadCounter {
    pub fn take(&self) -> Reads {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for ReadCounter {
    fn name(&self) -> &'static str {
        "ReadCounter"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Ok(output) = context.output_or_error() else {
            return Ok(());
        };
        let mut reads = self.0.lock().unwrap();
        if let Some(q) = output.downcast_ref::<QueryOutput>() {
            reads.requests += 1;
            reads.items += q.scanned_count().max(q.count()) as usize;
        } else if let Some(b) = output.downcast_ref::<BatchGetItemOutput>() {
            reads.requests += 1;
            reads.items += b.responses().map_or(0, |r| r.values().map(Vec::len).sum());
        } else if let Some(g) = output.downcast_ref::<GetItemOutput>() {
            reads.requests += 1;
            reads.items += usize::from(g.item().is_some());
        } else if output.downcast_ref::<ScanOutput>().is_some() {
            reads.requests += 1;
            reads.scans += 1;
        }
        Ok(())
    }
}

/// A store on a table of its own, with a read counter on its client.
pub async fn fresh_store(test: &str) -> (Store, ReadCounter) {
    let sdk = sdk_config().await;
    let counter = ReadCounter::default();
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .interceptor(counter.clone())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let table = aduan_testkit::fresh_table(&sdk, test).await;
    (Store::new(client, table, WorkingCalendar::default()), counter)
}

pub async fn topic(name: &str) -> String {
    aduan_testkit::sns::fresh_topic(&sdk_config().await, &unique(name))
        .await
        .unwrap()
}

/// An SQS queue subscribed to `topic` with `filter` as its filter policy.
pub async fn queue(topic_arn: &str, name: &str, filter: &Value) -> String {
    aduan_testkit::sns::subscribed_queue(&sdk_config().await, topic_arn, &unique(name), Some(filter))
        .await
        .unwrap()
}

/// A notification as an SQS subscriber receives it.
#[derive(Debug, Clone)]
pub struct Received {
    pub subject: Option<String>,
    pub message: String,
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// Everything in the queue now (the emulator delivers synchronously).
pub async fn drain(queue_url: &str) -> Vec<Received> {
    let envelopes = aduan_testkit::sns::drain(&sdk_config().await, queue_url)
        .await
        .unwrap();
    envelopes
        .iter()
        .map(|envelope| Received {
            subject: envelope["Subject"].as_str().map(str::to_owned),
            message: envelope["Message"].as_str().unwrap().to_owned(),
            attributes: envelope["MessageAttributes"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v["Value"].as_str().unwrap_or_default().to_owned()))
                .collect(),
        })
        .collect()
}

/// The citizen every test case is reported by.
pub const CITIZEN: &str = "6281234567890";

/// Their business-scoped user id, sealed with the number.
pub const CITIZEN_BSUID: &str = "ID.5550001234567";

/// The app as the Lambda builds it ([`App::from_config`]), from the
/// foundation's variables on `store`'s table, the given topics, and
/// `WHATSAPP_API_BASE` on `standin`; then given `store` (whose client counts
/// reads) and an escalation notifier with `retry`.
pub async fn app(
    store: &Store,
    digest_topic: &str,
    escalation_topic: &str,
    standin: &WhatsAppStandin,
    retry: RetryPolicy,
) -> App {
    app_with(store, digest_topic, escalation_topic, standin, retry, &[]).await
}

/// As [`app`], with more variables (the policy's, for instance).
pub async fn app_with(
    store: &Store,
    digest_topic: &str,
    escalation_topic: &str,
    standin: &WhatsAppStandin,
    retry: RetryPolicy,
    extra: &[(&str, &str)],
) -> App {
    let sdk = sdk_config().await;
    let mut env = aduan_testkit::base_env(store.table());
    env.retain(|(k, _)| k != "ESCALATION_TOPIC_ARN" && k != "DIGEST_TOPIC_ARN");
    for (k, v) in [
        ("ESCALATION_TOPIC_ARN", escalation_topic),
        ("DIGEST_TOPIC_ARN", digest_topic),
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", standin.base_url.as_str()),
        ("CONSOLE_BASE_URL", "https://aduan.example.go.id"),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let mut app = App::from_config(&Env::from_pairs(env), &sdk)
        .await
        .expect("config");
    assert_eq!(app.digest_topic_arn, digest_topic);
    app.store = store.clone();
    app.escalations = EscalationNotifier::new(app.sns.clone(), store.clone(), escalation_topic)
        .with_console_base_url(Some("https://aduan.example.go.id".into()))
        .with_offset(app.policy.sla.calendar.offset())
        .with_retry(retry);
    app
}

/// Seals contacts with the key `aduan_testkit::base_env` configures, as the app does.
pub fn contacts() -> ContactCipher {
    ContactCipher::new(Key32::from_base64(aduan_testkit::TEST_CONTACT_KEY).unwrap(), [])
}

pub fn path(p: &str) -> JurisdictionPath {
    JurisdictionPath::parse(p).unwrap()
}

pub fn new_case(n: u64, area: &str, kind: CaseKind, when: DateTime<Utc>) -> (Case, TimelineEvent) {
    new_case_saying(n, area, kind, when, &format!("laporan {n}"))
}

/// As [`new_case`], the citizen having written `text`.
pub fn new_case_saying(
    n: u64,
    area: &str,
    kind: CaseKind,
    when: DateTime<Utc>,
    text: &str,
) -> (Case, TimelineEvent) {
    let area = path(area);
    let new = NewCase {
        ticket: Ticket::new(&TicketPrefix::default(), n).unwrap(),
        kind,
        description: text.to_owned(),
        home: area.ancestor_at(2).unwrap_or_else(|| area.clone()),
        jurisdiction: (area.depth() >= 3).then_some(area),
        reporter: reporter_id(n),
        channel: Channel {
            provider: Provider::Meta,
            number_id: "100200300".into(),
        },
    };
    Case::open(new, &Ladder::default(), &SlaPolicy::default(), when)
}

pub fn reporter_id(n: u64) -> ReporterId {
    ReporterId::parse(&format!("{:064x}", n + 1)).unwrap()
}

/// Creates case `n` through the same write the webhook uses, reported by
/// [`CITIZEN`] whose last message was at `when`.
pub async fn create(store: &Store, n: u64, area: &str, kind: CaseKind, when: DateTime<Utc>) -> Case {
    create_heard(store, n, area, kind, when, when).await
}

/// As [`create`], the citizen's last message at `last_inbound_at` (inside
/// WhatsApp's 24-hour window before the sweep, for free-form messages).
pub async fn create_heard(
    store: &Store,
    n: u64,
    area: &str,
    kind: CaseKind,
    when: DateTime<Utc>,
    last_inbound_at: DateTime<Utc>,
) -> Case {
    seed_case(store, new_case(n, area, kind, when), last_inbound_at).await
}

/// Writes `case`, opened by its event, reported by [`CITIZEN`] whose last
/// message was at `last_inbound_at`.
pub async fn seed_case(
    store: &Store,
    (case, opened): (Case, TimelineEvent),
    last_inbound_at: DateTime<Utc>,
) -> Case {
    let citizen = Sender::new(
        Some(SenderId::parse(CITIZEN).unwrap()),
        Some(Bsuid::parse(CITIZEN_BSUID).unwrap()),
        None,
    )
    .unwrap();
    let contact = contacts().seal(case.reporter.id().unwrap(), &citizen);
    let reporter = Reporter::new(case.reporter.id().unwrap().clone(), contact, last_inbound_at);
    aduan_testkit::seed::open_case(store, &case, &[opened], reporter).await;
    case
}
