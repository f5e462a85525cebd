//! The SLA sweep against the local emulator and a stand-in for WhatsApp's
//! send API: escalating exactly the overdue cases once (even with two sweeps
//! at once) and telling their citizens, retrying failed publishes, giving up
//! after the bound, auto-closing, sending pending WhatsApp messages once,
//! respecting the time budget, and retention (contacts and files).

mod support;

use std::time::Duration as StdDuration;

use aduan_shared::archive::MediaBucket;
use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::{Level, Tier};
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::timeline::{
    Actor, DeliveryStatus, EventBody, MediaStorage, MediaType, MessageContent, TimelineEvent,
};
use aduan_shared::notify::citizen::{Delivery, Notice};
use aduan_shared::notify::RetryPolicy;
use aduan_shared::store::{keys, Store};
use aduan_testkit::counting::RequestCounter;
use aduan_testkit::standin::{Mode, WhatsAppStandin};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use digest::{App, Budget};
use serde_json::json;
use support::*;

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
const BIRUGO: &str = "bukittinggi/aur-birugo-tigo-baleh/birugo";
/// The escalation notice names the office that has the case now, in the
/// free-form text ("kini ditangani oleh Kecamatan …") and as the template's
/// parameter ("ADU-0007 | Kecamatan …").
const ESCALATED_TEXT: &str = "Kecamatan ";

/// The WhatsApp messages of a case's timeline: (text, status).
async fn outbound(store: &Store, id: &CaseId) -> Vec<(String, DeliveryStatus)> {
    let (_, timeline) = store.case_with_timeline(id).await.unwrap().unwrap();
    timeline
        .into_iter()
        .filter_map(|e| match e.body {
            EventBody::Outbound { text, status, .. } => Some((text, status)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_sweeps_escalate_each_overdue_case_once() {
    let (store, _) = fresh_store("sweep").await;
    let escalations = topic("escalations").await;
    let all = queue(&escalations, "all", &json!({"type": ["escalation"]})).await;
    let birugo_only = queue(
        &escalations,
        "birugo",
        &json!({"jurisdiction": [{"prefix": format!("{BIRUGO}/")}]}),
    )
    .await;
    let now = at("2026-11-29T08:00:00+07:00");
    // Overdue: received on 16 November (3 working days to verify); the
    // citizens wrote again an hour ago, so free-form messages may go.
    let mut overdue = Vec::new();
    for n in 1..=4 {
        let area = if n == 4 { BIRUGO } else { GAREGEH };
        overdue.push(
            create_heard(
                &store,
                n,
                area,
                CaseKind::Pengaduan,
                at("2026-11-16T09:00:00+07:00"),
                now - Duration::hours(1),
            )
            .await,
        );
    }
    // Not yet due.
    let fresh = create(
        &store,
        5,
        GAREGEH,
        CaseKind::Saran,
        at("2026-11-27T09:00:00+07:00"),
    )
    .await;

    let whatsapp = WhatsAppStandin::start().await;
    let a = app(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
    )
    .await;
    let b = a.clone();
    let job = json!({"job": "sla-sweep"});
    let (ra, rb) = tokio::join!(
        a.handle(&job, now, Budget::unlimited()),
        b.handle(&job, now, Budget::unlimited())
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let escalated = ra["escalated"].as_u64().unwrap() + rb["escalated"].as_u64().unwrap();
    assert_eq!(escalated, 4, "{ra} {rb}");
    let told = ra["citizens_told"].as_u64().unwrap() + rb["citizens_told"].as_u64().unwrap();
    assert_eq!(told, 4, "{ra} {rb}");

    let got = drain(&all).await;
    let mut tickets: Vec<String> = got.iter().map(|m| m.message.clone()).collect();
    tickets.sort();
    assert_eq!(got.len(), 4, "{tickets:?}");
    for m in &got {
        assert_eq!(m.attributes["type"], "escalation");
        assert_eq!(m.attributes["level"], "kecamatan");
        assert!(m.message.starts_with("Aduan ESKALASI ADU-000"), "{}", m.message);
        assert!(m.message.contains(" ke kecamatan: "), "{}", m.message);
    }
    let birugo = drain(&birugo_only).await;
    assert_eq!(birugo.len(), 1);
    assert!(birugo[0].message.contains("ADU-0004") && birugo[0].message.contains("Birugo"));
    assert_eq!(birugo[0].attributes["jurisdiction"], format!("{BIRUGO}/"));

    for case in &overdue {
        let (saved, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
        assert_eq!(saved.level, Level::Tier(Tier::Kecamatan), "{}", case.ticket);
        assert!(saved.due_at.unwrap() > now);
        let escalations = timeline
            .iter()
            .filter(|e| matches!(e.body, EventBody::Escalated { .. }))
            .count();
        assert_eq!(escalations, 1, "{}", case.ticket);
    }
    let untouched = store.case(&fresh.id).await.unwrap().unwrap();
    assert_eq!(untouched.level, Level::Tier(Tier::Kelurahan));
    // Each citizen told once, free-form, on their own number.
    let received = whatsapp.received();
    assert_eq!(received.len(), 4, "{:?}", whatsapp.texts());
    for case in &overdue {
        let sent: Vec<_> = received
            .iter()
            .filter(|r| aduan_testkit::standin::message_text(&r.body).contains(case.ticket.as_str()))
            .collect();
        assert_eq!(sent.len(), 1, "{}", case.ticket);
        assert_eq!(sent[0].body["type"], "text");
        assert_eq!(sent[0].body["to"], CITIZEN);
        let text = aduan_testkit::standin::message_text(&sent[0].body);
        assert!(text.contains("kini ditangani oleh Kecamatan "), "{text}");
        let recorded = outbound(&store, &case.id).await;
        assert_eq!(recorded, vec![(text, DeliveryStatus::Sent)], "{}", case.ticket);
    }

    // An hour later nothing is overdue again: nothing happens.
    let later = a
        .handle(&job, now + Duration::hours(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(later["escalated"], 0, "{later}");
    assert_eq!(later["whatsapp"]["sent"], 0, "{later}");
    assert!(drain(&all).await.is_empty());
    assert_eq!(whatsapp.received().len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_publish_is_retried_by_a_later_sweep() {
    let (store, _) = fresh_store("sweep-retry").await;
    let escalations = topic("escalations").await;
    let officials = queue(&escalations, "all", &json!({"type": ["escalation"]})).await;
    let case = create(
        &store,
        7,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-16T09:00:00+07:00"),
    )
    .await;
    let now = at("2026-11-29T08:00:00+07:00");
    let whatsapp = WhatsAppStandin::start().await;

    // SNS unavailable (the topic does not exist): the escalation is saved
    // and its publish waits in the outbox.
    let missing = escalations.replace(":t-escalations-", ":missing-");
    let broken = app(&store, &escalations, &missing, &whatsapp, RetryPolicy::default()).await;
    let first = broken.sla_sweep(now, Budget::unlimited()).await.unwrap();
    assert_eq!((first.escalated, first.escalations_pending), (1, 1), "{first:?}");
    // The citizen is told all the same (outside the 24-hour window: the template).
    assert_eq!(first.citizens_told, 1, "{first:?}");
    let texts = whatsapp.texts();
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].contains("ADU-0007") && texts[0].contains(ESCALATED_TEXT),
        "{texts:?}"
    );
    assert_eq!(whatsapp.received()[0].body["template"]["name"], "aduan_escalated");
    assert!(drain(&officials).await.is_empty());
    let saved = store.case(&case.id).await.unwrap().unwrap();
    assert_eq!(saved.level, Level::Tier(Tier::Kecamatan));
    let pending = store.outbox_due(now + Duration::days(1), 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, "escalation");
    assert_eq!(pending[0].attempts, 1);
    let error = pending[0].last_error.clone().unwrap();
    assert!(error.starts_with("NotFound: "), "{error}");

    // Not due yet: the backoff is respected.
    let early = broken
        .sla_sweep(now + Duration::minutes(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(early.outbox_rescheduled + early.outbox_published, 0, "{early:?}");

    // SNS is back: the next sweep publishes it, once.
    let fixed = app(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
    )
    .await;
    let retry = fixed
        .sla_sweep(now + Duration::minutes(10), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(retry.outbox_published, 1, "{retry:?}");
    assert_eq!(retry.escalated, 0);
    let got = drain(&officials).await;
    assert_eq!(got.len(), 1);
    assert!(
        got[0]
            .message
            .starts_with("Aduan ESKALASI ADU-0007 ke kecamatan: Garegeh"),
        "{}",
        got[0].message
    );
    let again = fixed
        .sla_sweep(now + Duration::hours(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(again.outbox_published, 0);
    assert!(drain(&officials).await.is_empty());
    assert!(store
        .outbox_due(now + Duration::days(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(whatsapp.received().len(), 1, "the citizen is told once");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_last_attempt_the_publish_is_flagged_on_the_case() {
    let (store, _) = fresh_store("sweep-giveup").await;
    let digests = topic("digests").await;
    let missing = digests.replace(":t-digests-", ":missing-");
    let case = create(
        &store,
        8,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-16T09:00:00+07:00"),
    )
    .await;
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let broken = app(
        &store,
        &digests,
        &missing,
        &WhatsAppStandin::start().await,
        policy,
    )
    .await;
    let mut now = at("2026-11-29T08:00:00+07:00");
    let first = broken.sla_sweep(now, Budget::unlimited()).await.unwrap();
    assert_eq!(first.escalations_pending, 1);
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        now += Duration::hours(7);
        let s = broken.sla_sweep(now, Budget::unlimited()).await.unwrap();
        outcomes.push((s.outbox_rescheduled, s.outbox_gave_up));
    }
    // Attempts 2 and 3 fail and are rescheduled... the 3rd is the last.
    assert_eq!(outcomes, vec![(1, 0), (0, 1), (0, 0), (0, 0)]);
    assert_eq!(failed_publishes(&store, &case.id).await, 1);
    let (_, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
    let note = timeline.iter().find_map(|e| match &e.body {
        EventBody::Note { text } => Some(text.clone()),
        _ => None,
    });
    let note = note.expect("a note on the case");
    assert!(
        note.contains("tidak terkirim") && note.contains("3 percobaan"),
        "{note}"
    );
}

/// The case's escalation publishes marked as given up, read from the table.
async fn failed_publishes(store: &Store, case: &CaseId) -> usize {
    let client = aws_sdk_dynamodb::Client::new(&aduan_testkit::sdk_config().await);
    let out = client
        .query()
        .table_name(store.table())
        .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
        .expression_attribute_values(":pk", AttributeValue::S(keys::case_pk(case)))
        .expression_attribute_values(":prefix", AttributeValue::S(keys::PUBLISH_SK_PREFIX.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.items()
        .iter()
        .filter(|item| item.contains_key("failed_at"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn resolved_cases_without_an_answer_are_closed_and_the_citizen_told() {
    let (store, _) = fresh_store("sweep-close").await;
    let escalations = topic("escalations").await;
    let officials = queue(&escalations, "all", &json!({"type": ["escalation"]})).await;
    let mut cases = Vec::new();
    for (n, resolved_at) in [
        (11, "2026-11-23T10:00:00+07:00"),
        (12, "2026-11-27T10:00:00+07:00"),
    ] {
        cases.push(resolved_case(&store, n, at(resolved_at)).await);
    }
    let whatsapp = WhatsAppStandin::start().await;
    let app = app(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
    )
    .await;
    // Resolved Monday 23/11: 3 working days end Thursday night. Resolved Friday 27/11: not yet.
    let summary = app
        .sla_sweep(at("2026-11-29T08:00:00+07:00"), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!((summary.auto_closed, summary.escalated), (1, 0), "{summary:?}");
    assert_eq!(summary.citizens_told, 1, "{summary:?}");
    assert_eq!(
        store.case(&cases[0].id).await.unwrap().unwrap().status,
        Status::Closed
    );
    assert_eq!(
        store.case(&cases[1].id).await.unwrap().unwrap().status,
        Status::Resolved
    );
    // The citizen last wrote on 20/11: outside the window, the auto-close
    // template, with the ticket as its one parameter.
    let received = whatsapp.received();
    assert_eq!(received.len(), 1, "{:?}", whatsapp.texts());
    assert_eq!(received[0].body["to"], CITIZEN);
    assert_eq!(received[0].body["template"]["name"], "aduan_auto_closed");
    assert_eq!(
        received[0].body["template"]["components"][0]["parameters"],
        json!([{"type": "text", "text": "ADU-0011"}])
    );
    let recorded = outbound(&store, &cases[0].id).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].1, DeliveryStatus::Sent);
    assert!(outbound(&store, &cases[1].id).await.is_empty());
    assert!(
        drain(&officials).await.is_empty(),
        "a resolved case is never escalated"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exhausted_budget_leaves_the_work_for_the_next_run() {
    let (store, _) = fresh_store("sweep-budget").await;
    let escalations = topic("escalations").await;
    let case = create(
        &store,
        9,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-16T09:00:00+07:00"),
    )
    .await;
    let app = app(
        &store,
        &escalations,
        &escalations,
        &WhatsAppStandin::start().await,
        RetryPolicy::default(),
    )
    .await;
    let now = at("2026-11-29T08:00:00+07:00");
    let none = app
        .sla_sweep(now, Budget::from_remaining(StdDuration::from_secs(1)))
        .await
        .unwrap();
    assert!(none.out_of_time);
    assert_eq!(none.escalated, 0);
    assert_eq!(
        store.case(&case.id).await.unwrap().unwrap().level,
        Level::Tier(Tier::Kelurahan)
    );
    let next = app.sla_sweep(now, Budget::unlimited()).await.unwrap();
    assert!(!next.out_of_time);
    assert_eq!(next.escalated, 1);
}

/// A fresh table with one complaint received at `t0` from a citizen who
/// wrote then, a WhatsApp stand-in, and the app over them.
async fn one_heard_case(name: &str, number: u64, t0: DateTime<Utc>) -> (Store, Case, WhatsAppStandin, App) {
    let (store, _) = fresh_store(name).await;
    let escalations = topic("escalations").await;
    let case = create_heard(&store, number, GAREGEH, CaseKind::Pengaduan, t0, t0).await;
    let whatsapp = WhatsAppStandin::start().await;
    let app = app(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
    )
    .await;
    (store, case, whatsapp, app)
}

/// An official's notice told while WhatsApp is down (it stays so): kept pending.
async fn left_pending(a: &App, store: &Store, case: &Case, whatsapp: &WhatsAppStandin, at: DateTime<Utc>) {
    whatsapp.set_mode(Mode::Fail(503));
    let delivery = a
        .messenger
        .tell_as(store, case, Notice::Verified, Actor::System, at)
        .await
        .unwrap();
    assert_eq!(delivery, Delivery::Pending);
    assert_eq!(outbound(store, &case.id).await[0].1, DeliveryStatus::Pending);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_whatsapp_message_is_sent_once_by_two_concurrent_sweeps() {
    let t0 = at("2026-11-30T10:00:00+07:00");
    let (store, case, whatsapp, a) = one_heard_case("sweep-whatsapp", 21, t0).await;

    // WhatsApp is down while an official's reply goes out: it is kept pending.
    left_pending(&a, &store, &case, &whatsapp, t0).await;

    // Back up: two overlapping sweeps, a few minutes later, send it once.
    whatsapp.set_mode(Mode::Accept);
    let b = a.clone();
    let job = json!({"job": "sla-sweep"});
    let now = t0 + Duration::minutes(5);
    let (ra, rb) = tokio::join!(
        a.handle(&job, now, Budget::unlimited()),
        b.handle(&job, now, Budget::unlimited())
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let sent = ra["whatsapp"]["sent"].as_u64().unwrap() + rb["whatsapp"]["sent"].as_u64().unwrap();
    assert_eq!(sent, 1, "{ra} {rb}");
    assert_eq!(
        ra["escalated"].as_u64().unwrap() + rb["escalated"].as_u64().unwrap(),
        0
    );
    assert_eq!(ra["errors"], 0, "{ra}");
    assert_eq!(rb["errors"], 0, "{rb}");

    // The failed attempt and the one that went out.
    let received = whatsapp.received();
    assert_eq!(received.len(), 2, "{:?}", whatsapp.texts());
    assert_eq!(received[0].body, received[1].body);
    assert_eq!(received[1].body["to"], CITIZEN);
    assert!(whatsapp.texts()[1].contains("ADU-0021"));
    let recorded = outbound(&store, &case.id).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].1, DeliveryStatus::Sent);

    // Nothing is left to send.
    let later = a
        .sla_sweep(now + Duration::hours(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(later.whatsapp.sent + later.whatsapp.skipped, 0, "{later:?}");
    assert_eq!(whatsapp.received().len(), 2);
}

/// The schedule of its own every few minutes: one Query when nothing is
/// due (and, for officials' notices of new cases, the cursor's GetItem and
/// one Query when nothing is new); a message whose send failed goes out at
/// the next run, with nothing else of the sweep done.
#[tokio::test(flavor = "multi_thread")]
async fn the_message_retry_reads_once_when_nothing_is_due_and_sends_what_is() {
    let t0 = at("2026-11-30T10:00:00+07:00");
    let (store, case, whatsapp, mut a) = one_heard_case("message-retry", 22, t0).await;
    let counter = RequestCounter::default();
    a.store = Store::new(
        counter.dynamodb_client(&sdk_config().await),
        store.table(),
        a.policy.sla.calendar.clone(),
    );
    let job = json!({"job": "message-retry"});
    let idle = a.handle(&job, t0, Budget::unlimited()).await.unwrap();
    assert_eq!(idle["whatsapp"]["sent"], 0, "{idle}");
    assert_eq!(
        counter.by_operation(),
        [("GetItem".to_owned(), 1), ("Query".to_owned(), 1 + 1)].into(),
        "nothing due, nothing new"
    );

    left_pending(&a, &store, &case, &whatsapp, t0).await;
    whatsapp.set_mode(Mode::Accept);
    let run = a
        .handle(&job, t0 + Duration::minutes(5), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(run["job"], "message-retry");
    assert_eq!(run["whatsapp"]["sent"], 1, "{run}");
    assert_eq!(outbound(&store, &case.id).await[0].1, DeliveryStatus::Sent);
}

/// A message saved before the citizen sent `BERHENTI` is not sent by the
/// sweep: it is recorded as withheld and leaves the outbox.
#[tokio::test(flavor = "multi_thread")]
async fn a_pending_message_to_a_citizen_who_sent_berhenti_is_withheld() {
    let t0 = at("2026-11-30T10:00:00+07:00");
    let (store, case, whatsapp, a) = one_heard_case("sweep-stopped", 23, t0).await;
    whatsapp.set_mode(Mode::Fail(503));
    let delivery = a
        .messenger
        .tell_as(&store, &case, Notice::Verified, Actor::System, t0)
        .await
        .unwrap();
    assert_eq!(delivery, Delivery::Pending);
    let mut reporter = store
        .reporter(case.reporter.id().unwrap())
        .await
        .unwrap()
        .unwrap();
    reporter.stopped_at = Some(t0 + Duration::minutes(1));
    store.save_reporter(&mut reporter).await.unwrap();

    whatsapp.set_mode(Mode::Accept);
    let swept = a
        .sla_sweep(t0 + Duration::minutes(5), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(
        (swept.whatsapp.sent, swept.whatsapp.withheld),
        (0, 1),
        "{swept:?}"
    );
    assert_eq!(whatsapp.received().len(), 1, "only the failed first attempt");
    assert_eq!(outbound(&store, &case.id).await[0].1, DeliveryStatus::Withheld);
    let later = a
        .sla_sweep(t0 + Duration::hours(2), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(later.whatsapp, Default::default(), "nothing left: {later:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sweep_judging_cases_ahead_leaves_a_message_being_sent_to_its_sender() {
    let t0 = at("2026-11-30T10:00:00+07:00");
    let (store, case, whatsapp, a) = one_heard_case("sweep-lease", 22, t0).await;
    // A message saved under its lease, as the webhook does just before it
    // sends: the sender still holds it.
    let staged = a
        .messenger
        .stage_notice(&store, &case, Notice::Verified, Actor::System, t0)
        .await
        .unwrap();
    store
        .record_pending(&staged.pending, staged.lease_until(t0))
        .await
        .unwrap();

    let now = t0 + Duration::seconds(1);
    let swept = a
        .sla_sweep_overdue_as_of(now + Duration::days(10), now, Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(swept.escalated, 1, "{swept:?}");
    assert_eq!(swept.whatsapp.sent + swept.whatsapp.skipped, 0, "{swept:?}");
    let texts = whatsapp.texts();
    assert_eq!(texts.len(), 1, "only the escalation notice: {texts:?}");
    assert!(texts[0].contains(ESCALATED_TEXT), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shared_policy_variables_set_the_wait_before_auto_close() {
    let (store, _) = fresh_store("sweep-policy").await;
    let escalations = topic("escalations").await;
    let case = resolved_case(&store, 31, at("2026-11-23T10:00:00+07:00")).await;
    let whatsapp = WhatsAppStandin::start().await;
    // Resolved Monday 23/11: 4 working days, Thursday 26/11 a holiday, end
    // Monday 30/11 night (by the default 3 it would be Thursday night).
    let app = app_with(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
        &[("SLA_CONFIRM_DAYS", "4"), ("PUBLIC_HOLIDAYS", "2026-11-26")],
    )
    .await;
    assert_eq!(app.policy.sla.default.confirm, 4);
    let sunday = app
        .sla_sweep(at("2026-11-29T08:00:00+07:00"), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(sunday.auto_closed, 0, "{sunday:?}");
    assert_eq!(
        store.case(&case.id).await.unwrap().unwrap().status,
        Status::Resolved
    );
    let tuesday = app
        .sla_sweep(at("2026-12-01T08:00:00+07:00"), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(tuesday.auto_closed, 1, "{tuesday:?}");
    let (closed, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert!(
        timeline.iter().any(|e| matches!(
            &e.body,
            EventBody::StatusChanged { note: Some(note), .. } if note.contains("dalam 4 hari kerja")
        )),
        "{timeline:?}"
    );
    assert_eq!(whatsapp.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_file_is_fetched_once_by_two_concurrent_sweeps() {
    let (store, _) = fresh_store("sweep-media").await;
    let escalations = topic("escalations").await;
    let sdk = sdk_config().await;
    let bucket = aduan_testkit::fresh_bucket(&sdk, "sweep-media").await;
    let t0 = chrono::Utc::now();
    let mut case = create(&store, 31, GAREGEH, CaseKind::Pengaduan, t0).await;
    // The webhook recorded a photo as pending and could not fetch it in time.
    let photo = TimelineEvent::new(
        t0,
        Actor::Citizen,
        EventBody::Message {
            provider_message_id: "wamid.P1".into(),
            content: MessageContent::Media {
                media_type: MediaType::Image,
                media_id: "9876".into(),
                mime_type: Some("image/jpeg".into()),
                caption: None,
                url: None,
            },
            stored: Some(MediaStorage::Pending),
            file: None,
            store_error: None,
        },
    );
    store
        .save_case(&mut case, std::slice::from_ref(&photo), None)
        .await
        .unwrap();
    let whatsapp = WhatsAppStandin::start().await;
    whatsapp.add_media("9876", b"photo bytes".to_vec(), "image/jpeg");
    let a = app_with(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
        &[("MEDIA_BUCKET", bucket.as_str())],
    )
    .await;
    let b = a.clone();
    let job = json!({"job": "sla-sweep"});
    let now = t0 + Duration::minutes(3);
    let (ra, rb) = tokio::join!(
        a.handle(&job, now, Budget::unlimited()),
        b.handle(&job, now, Budget::unlimited())
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let stored = ra["media"]["stored"].as_u64().unwrap() + rb["media"]["stored"].as_u64().unwrap();
    assert_eq!(stored, 1, "{ra} {rb}");
    assert_eq!((ra["errors"].as_u64(), rb["errors"].as_u64()), (Some(0), Some(0)));
    let downloads: Vec<_> = whatsapp
        .media_requests()
        .into_iter()
        .filter(|r| r.path == "/media-bytes/9876")
        .collect();
    assert_eq!(downloads.len(), 1);

    let (_, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
    let file = timeline
        .iter()
        .find_map(|e| match &e.body {
            EventBody::Message {
                stored: Some(MediaStorage::Stored),
                file: Some(file),
                ..
            } => Some(file.clone()),
            _ => None,
        })
        .expect("the photo is stored");
    assert!(file.key.starts_with("cases/ADU-0031/"), "{}", file.key);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let object = s3
        .get_object()
        .bucket(&bucket)
        .key(&file.key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        object.body.collect().await.unwrap().into_bytes().as_ref(),
        b"photo bytes"
    );

    // Nothing is left to fetch.
    let later = a
        .sla_sweep(now + Duration::hours(2), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(later.media, Default::default());
}

/// Each tier's allowance is its own (`SLA_DAYS_<TIER>`): a case the sweep
/// moved to the kecamatan is due by the kecamatan's allowance, and the next
/// sweep after it moves it on, where the default would still wait.
#[tokio::test]
async fn the_clock_follows_the_tier_the_case_is_at() {
    let (store, _) = fresh_store("sweep-tier").await;
    let escalations = topic("escalations-tier").await;
    let case = create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-16T09:00:00+07:00"),
    )
    .await;
    let whatsapp = WhatsAppStandin::start().await;
    let app = app_with(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
        &[("SLA_DAYS_KECAMATAN", "1,2,3")],
    )
    .await;
    // Monday: past the kelurahan's 3 days; the kecamatan gets 1 to verify.
    let monday = at("2026-11-23T08:00:00+07:00");
    let first = app.sla_sweep(monday, Budget::unlimited()).await.unwrap();
    assert_eq!(first.escalated, 1, "{first:?}");
    let moved = store.case(&case.id).await.unwrap().unwrap();
    assert_eq!(moved.level, Level::Tier(Tier::Kecamatan));
    assert_eq!(moved.due_at, Some(at("2026-11-25T00:00:00+07:00")));
    // Wednesday morning: overdue at the kecamatan (by the default 3 days it
    // would be due at the end of Thursday).
    let wednesday = at("2026-11-25T08:00:00+07:00");
    let second = app.sla_sweep(wednesday, Budget::unlimited()).await.unwrap();
    assert_eq!(second.escalated, 1, "{second:?}");
    assert_eq!(
        store.case(&case.id).await.unwrap().unwrap().level,
        Level::Tier(Tier::Kota)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lapsed_hand_down_comes_back_up_to_the_kelurahan() {
    use aduan_shared::domain::disposition::{Destination, KnownUnits};
    use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
    let t0 = at("2026-11-23T09:00:00+07:00");
    let (store, mut case, whatsapp, app) = one_heard_case("sweep-handdown", 31, t0).await;
    let rt = JurisdictionPath::parse(&format!("{GAREGEH}/rw-01/rt-02")).unwrap();
    // The RT's head, subscribed to the escalations of their path.
    let rt_hears = queue(
        app.escalations.topic_arn(),
        "rt-02",
        &json!({"jurisdiction": [{"prefix": format!("{rt}/")}], "type": ["escalation"]}),
    )
    .await;
    let units = KnownUnits::new([rt.clone()]);
    let to = Destination::parse(rt.as_str(), Jurisdictions::bukittinggi(), &units).unwrap();
    let lurah = Actor::Official {
        sub: "lurah".into(),
        name: "Lurah".into(),
    };
    let scope = JurisdictionPath::parse(GAREGEH).unwrap();
    let handed_at = t0 + Duration::hours(1);
    let event = case
        .forward(
            &to,
            &scope,
            lurah,
            "warga RT 02".into(),
            &SlaPolicy::default(),
            handed_at,
        )
        .unwrap();
    store.save_case(&mut case, &[event], None).await.unwrap();

    // Before the RT's allowance runs out nothing moves; after it, the case is the kelurahan's again.
    let early = app
        .sla_sweep(handed_at + Duration::days(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(early.escalated, 0, "{early:?}");
    let late = app
        .sla_sweep(handed_at + Duration::days(14), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(late.escalated, 1, "{late:?}");
    let saved = store.case(&case.id).await.unwrap().unwrap();
    assert_eq!(saved.level, Level::Tier(Tier::Kelurahan));
    assert_eq!(saved.handed_down_to, None);
    // The RT hears that the case left them, once.
    let heard = drain(&rt_hears).await;
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].attributes["jurisdiction"], format!("{rt}/"));
    assert_eq!(heard[0].attributes["level"], "kelurahan");
    let texts = whatsapp.texts();
    assert!(
        texts.last().is_some_and(|t| t.contains("Kelurahan Garegeh")),
        "{texts:?}"
    );
}

// Retention: an auto-close starts the reporter's contact retention (the TTL
// on every item holding it), a contact past it is never used to send (with
// a clock moved on: the emulator never expires items), and a closed case's
// files are deleted once their retention after the close is over, never
// while it is open.

fn official() -> Actor {
    Actor::Official {
        sub: "u1".into(),
        name: "Rina".into(),
    }
}

/// Case `n` in Birugo, opened on 20/11 and resolved by an official at `resolved`.
async fn resolved_case(store: &Store, n: u64, resolved: DateTime<Utc>) -> Case {
    let sla = SlaPolicy::default();
    let mut case = create(
        store,
        n,
        BIRUGO,
        CaseKind::Pengaduan,
        at("2026-11-20T09:00:00+07:00"),
    )
    .await;
    let mut events = Vec::new();
    for step in [Transition::Verify, Transition::Start, Transition::Resolve] {
        events.push(case.transition(step, official(), None, &sla, resolved).unwrap());
    }
    store.save_case(&mut case, &events, None).await.unwrap();
    case
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auto_close_starts_the_contacts_retention_and_past_it_nothing_is_sent() {
    let (store, _) = fresh_store("retention-contact").await;
    let escalations = topic("escalations").await;
    let case = resolved_case(&store, 11, at("2026-11-23T10:00:00+07:00")).await;
    let sdk = sdk_config().await;
    let contacts = || aduan_testkit::retention::contact_items(&sdk, store.table());
    assert_eq!(contacts().await.into_values().collect::<Vec<_>>(), vec![None]);

    let whatsapp = WhatsAppStandin::start().await;
    let app = app(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
    )
    .await;
    let closed = at("2026-11-29T08:00:00+07:00");
    let swept = app.sla_sweep(closed, Budget::unlimited()).await.unwrap();
    assert_eq!(swept.auto_closed, 1, "{swept:?}");
    let case = store.case(&case.id).await.unwrap().unwrap();
    assert_eq!(case.status, Status::Closed);
    let until = closed + Duration::days(365);
    assert_eq!(
        contacts().await.into_values().collect::<Vec<_>>(),
        vec![Some(until.timestamp())],
        "the default CONTACT_RETENTION_DAYS after the close"
    );
    assert_eq!(whatsapp.received().len(), 1, "the auto-close notice");

    // A message left pending while the contact is kept.
    whatsapp.set_mode(Mode::Fail(503));
    let delivery = app
        .messenger
        .tell_as(
            &store,
            &case,
            Notice::Verified,
            Actor::System,
            closed + Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(delivery, Delivery::Pending);
    assert_eq!(whatsapp.received().len(), 2);
    whatsapp.set_mode(Mode::Accept);

    // A second past the retention: TTL may not have deleted the record yet
    // (the emulator never does), and the contact is used for nothing.
    let later = until + Duration::seconds(1);
    let swept = app.sla_sweep(later, Budget::unlimited()).await.unwrap();
    assert_eq!(
        (swept.whatsapp.sent, swept.whatsapp.withheld),
        (0, 1),
        "{swept:?}"
    );
    let told = app
        .messenger
        .tell_as(&store, &case, Notice::InProgress, Actor::System, later)
        .await
        .unwrap();
    assert_eq!(told, Delivery::Withheld);
    assert_eq!(whatsapp.received().len(), 2, "nothing sent past the retention");
    let statuses: Vec<DeliveryStatus> = outbound(&store, &case.id)
        .await
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        statuses,
        vec![
            DeliveryStatus::Sent,
            DeliveryStatus::Withheld,
            DeliveryStatus::Withheld
        ]
    );
}

/// Puts a file of `case` into the bucket.
async fn upload(bucket: &MediaBucket, case: &Case, name: &str) -> String {
    let key = format!("{}{name}", aduan_shared::archive::case_prefix(&case.ticket));
    bucket
        .put(&key, b"photo".to_vec(), Some("image/jpeg"))
        .await
        .unwrap();
    key
}

async fn keys_in(bucket: &MediaBucket) -> Vec<String> {
    let sdk = sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let out = s3.list_objects_v2().bucket(bucket.name()).send().await.unwrap();
    let mut keys: Vec<String> = out
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_cases_files_go_after_their_retention_and_an_open_or_kept_cases_stay() {
    let (store, _) = fresh_store("retention-files").await;
    let escalations = topic("escalations").await;
    let sdk = sdk_config().await;
    let name = aduan_testkit::fresh_bucket(&sdk, "retention-files").await;
    let bucket = MediaBucket::new(&sdk, &name);
    let sla = SlaPolicy::default();
    let t0 = at("2026-11-02T09:00:00+07:00");
    let mut closed = create(&store, 41, BIRUGO, CaseKind::Pengaduan, t0).await;
    let open = create(&store, 42, BIRUGO, CaseKind::Pengaduan, t0).await;
    let mut kept = create(&store, 43, BIRUGO, CaseKind::Pengaduan, t0).await;
    let rejected = t0 + Duration::days(1);
    for (case, keep) in [(&mut closed, false), (&mut kept, true)] {
        let event = case
            .transition(
                Transition::Reject,
                official(),
                Some("Bukan wewenang kota".into()),
                &sla,
                rejected,
            )
            .unwrap();
        case.keep_files = keep;
        store.save_case(case, &[event], None).await.unwrap();
    }
    let closed_files = [
        upload(&bucket, &closed, "a.jpg").await,
        upload(&bucket, &closed, "b.jpg").await,
    ];
    let open_file = upload(&bucket, &open, "c.jpg").await;
    let kept_file = upload(&bucket, &kept, "d.jpg").await;

    let whatsapp = WhatsAppStandin::start().await;
    let app = app_with(
        &store,
        &escalations,
        &escalations,
        &whatsapp,
        RetryPolicy::default(),
        &[
            ("MEDIA_BUCKET", name.as_str()),
            ("MEDIA_RETENTION_DAYS_AFTER_CLOSE", "30"),
        ],
    )
    .await;
    let before = app
        .sla_sweep(
            rejected + Duration::days(30) - Duration::seconds(1),
            Budget::unlimited(),
        )
        .await
        .unwrap();
    assert_eq!(before.files_deleted, 0, "{before:?}");
    assert_eq!(keys_in(&bucket).await.len(), 4);

    let after = app
        .sla_sweep(rejected + Duration::days(30), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!((after.files_deleted, after.errors), (1, 0), "{after:?}");
    let mut left = vec![open_file, kept_file];
    left.sort();
    assert_eq!(keys_in(&bucket).await, left, "gone: {closed_files:?}");
    let closed = store.case(&closed.id).await.unwrap().unwrap();
    assert_eq!(closed.files_deleted_at, Some(rejected + Duration::days(30)));

    // Nothing is listed any more: the next run deletes nothing.
    let again = app
        .sla_sweep(rejected + Duration::days(31), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(again.files_deleted, 0, "{again:?}");
}
