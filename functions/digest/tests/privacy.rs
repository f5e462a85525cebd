//! The digest and the sweep, run over cases whose citizens they tell: no SNS
//! message, log line or job summary carries a reporter's number.

mod support;

use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Transition;
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::timeline::Actor;
use aduan_shared::notify::RetryPolicy;
use aduan_testkit::standin::WhatsAppStandin;
use digest::Budget;
use serde_json::json;
use support::*;

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

#[tokio::test(flavor = "current_thread")]
async fn no_digest_escalation_log_or_summary_carries_the_number() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();
    let (store, _) = fresh_store("digest-privacy").await;
    let digests = topic("digests").await;
    let escalations = topic("escalations").await;
    let digest_queue = queue(&digests, "all", &json!({"type": ["digest"]})).await;
    let escalation_queue = queue(&escalations, "all", &json!({"type": ["escalation"]})).await;
    // Overdue (escalated by the sweep), new yesterday (in the digest), and
    // resolved long ago (auto-closed, the citizen told).
    create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-10T09:00:00+07:00"),
    )
    .await;
    create(
        &store,
        2,
        GAREGEH,
        CaseKind::Saran,
        at("2026-11-28T08:00:00+07:00"),
    )
    .await;
    let mut resolved = create(
        &store,
        3,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-20T09:00:00+07:00"),
    )
    .await;
    let official = Actor::Official {
        sub: "u1".into(),
        name: "Rina".into(),
    };
    let mut events = Vec::new();
    for step in [Transition::Verify, Transition::Start, Transition::Resolve] {
        let t = at("2026-11-23T10:00:00+07:00");
        events.push(
            resolved
                .transition(step, official.clone(), None, &SlaPolicy::default(), t)
                .unwrap(),
        );
    }
    store.save_case(&mut resolved, &events, None).await.unwrap();

    let whatsapp = WhatsAppStandin::start().await;
    let app = app(&store, &digests, &escalations, &whatsapp, RetryPolicy::default()).await;
    let now = at("2026-11-29T07:00:00+07:00");
    let digest = app
        .handle(&json!({"job": "daily-digest"}), now, Budget::unlimited())
        .await
        .unwrap();
    let sweep = app.sla_sweep(now, Budget::unlimited()).await.unwrap();
    assert!(sweep.escalated >= 1 && sweep.auto_closed == 1, "{sweep:?}");

    let mut published: Vec<String> = Vec::new();
    for q in [&digest_queue, &escalation_queue] {
        published.extend(
            drain(q)
                .await
                .into_iter()
                .map(|m| format!("{:?} {} {:?}", m.subject, m.message, m.attributes)),
        );
    }
    assert!(published.len() >= 2, "digests and escalations were published");
    let texts = [
        published.join("\n"),
        digest.to_string(),
        format!("{sweep:?}"),
        logs.text(),
    ];
    let local = format!("0{}", &CITIZEN[2..]);
    for text in &texts {
        assert!(!text.contains(CITIZEN) && !text.contains(&local), "{text}");
        assert!(!text.contains(&CITIZEN_BSUID[3..]), "the BSUID: {text}");
    }
    // The number was there to leak: the citizens were told on it.
    assert!(whatsapp.received().iter().any(|m| m.body["to"] == CITIZEN));
}
