//! The SLA sweep against the local emulator: escalating exactly the overdue
//! cases once (even with two sweeps at once), retrying failed publishes,
//! giving up after the bound, auto-closing, and respecting the time budget.

mod support;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::{Level, Tier};
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::timeline::{Actor, EventBody};
use aduan_shared::notify::RetryPolicy;
use chrono::Duration;
use digest::Budget;
use serde_json::json;
use support::*;

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
const BIRUGO: &str = "bukittinggi/aur-birugo-tigo-baleh/birugo";

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
    // Overdue: received on 16 and 17 November (3 working days to verify).
    let mut overdue = Vec::new();
    for n in 1..=4 {
        let area = if n == 4 { BIRUGO } else { GAREGEH };
        overdue.push(
            create(
                &store,
                n,
                area,
                CaseKind::Pengaduan,
                at("2026-11-16T09:00:00+07:00"),
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
    let now = at("2026-11-29T08:00:00+07:00");

    let citizen = Arc::new(RecordingCitizen::default());
    let a = app(
        &store,
        &escalations,
        &escalations,
        citizen.clone(),
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
    assert_eq!(
        citizen.told(),
        (1..=4)
            .map(|n| (format!("ADU-000{n}"), "escalated"))
            .collect::<Vec<_>>()
    );

    // An hour later nothing is overdue again: nothing happens.
    let later = a
        .handle(&job, now + Duration::hours(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(later["escalated"], 0, "{later}");
    assert!(drain(&all).await.is_empty());
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
    let citizen = Arc::new(RecordingCitizen::default());

    // SNS unavailable (the topic does not exist): the escalation is saved
    // and its publish waits in the outbox.
    let missing = escalations.replace(":t-escalations-", ":missing-");
    let broken = app(
        &store,
        &escalations,
        &missing,
        citizen.clone(),
        RetryPolicy::default(),
    )
    .await;
    let first = broken.sla_sweep(now, Budget::unlimited()).await.unwrap();
    assert_eq!((first.escalated, first.escalations_pending), (1, 1), "{first:?}");
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
        citizen.clone(),
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
    let broken = app(&store, &digests, &missing, Arc::default(), policy).await;
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
    let failed = store.failed_publishes(&case.id).await.unwrap();
    assert_eq!(failed.len(), 1);
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

#[tokio::test(flavor = "multi_thread")]
async fn resolved_cases_without_an_answer_are_closed_and_the_citizen_told() {
    let (store, _) = fresh_store("sweep-close").await;
    let escalations = topic("escalations").await;
    let officials = queue(&escalations, "all", &json!({"type": ["escalation"]})).await;
    let sla = SlaPolicy::default();
    let official = Actor::Official {
        sub: "u1".into(),
        name: "Rina".into(),
    };
    let mut cases = Vec::new();
    for (n, resolved_at) in [
        (11, "2026-11-23T10:00:00+07:00"),
        (12, "2026-11-27T10:00:00+07:00"),
    ] {
        let mut case = create(
            &store,
            n,
            BIRUGO,
            CaseKind::Pengaduan,
            at("2026-11-20T09:00:00+07:00"),
        )
        .await;
        let t = at(resolved_at);
        let mut events = Vec::new();
        for step in [Transition::Verify, Transition::Start, Transition::Resolve] {
            events.push(case.transition(step, official.clone(), None, &sla, t).unwrap());
        }
        store.save_case(&mut case, &events).await.unwrap();
        cases.push(case);
    }
    let citizen = Arc::new(RecordingCitizen::default());
    let app = app(
        &store,
        &escalations,
        &escalations,
        citizen.clone(),
        RetryPolicy::default(),
    )
    .await;
    // Resolved Monday 23/11: 3 working days end Thursday night. Resolved Friday 27/11: not yet.
    let summary = app
        .sla_sweep(at("2026-11-29T08:00:00+07:00"), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!((summary.auto_closed, summary.escalated), (1, 0), "{summary:?}");
    assert_eq!(
        store.case(&cases[0].id).await.unwrap().unwrap().status,
        Status::Closed
    );
    assert_eq!(
        store.case(&cases[1].id).await.unwrap().unwrap().status,
        Status::Resolved
    );
    assert_eq!(citizen.told(), vec![("ADU-0011".to_owned(), "auto_closed")]);
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
        Arc::default(),
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
