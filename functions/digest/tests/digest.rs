//! The daily digest against the local emulator: content and filtering,
//! idempotent re-runs, reads proportional to open and recent cases.

mod support;

use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Transition;
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::sla::WorkingCalendar;
use aduan_shared::domain::timeline::Actor;
use aduan_shared::notify::{gsm7, RetryPolicy, SnsPublisher};
use aduan_shared::store::codec::to_item;
use aduan_shared::store::items::{CaseItem, EventItem};
use aduan_shared::store::DigestRecipient;
use aduan_testkit::faults::{Fault, FaultProxy, Rule};
use aduan_testkit::standin::WhatsAppStandin;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use digest::Budget;
use serde_json::json;
use std::time::Duration;
use support::*;

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
const PUHUN_TEMBOK: &str = "bukittinggi/mandiangin-koto-selayan/puhun-tembok";
const BIRUGO: &str = "bukittinggi/aur-birugo-tigo-baleh/birugo";

/// Garegeh: one old open case, two new that day (one resolved the same day
/// by an official); Birugo: one new that day.
async fn seed(store: &aduan_shared::store::Store) {
    let sla = SlaPolicy::default();
    create(
        store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-10T09:00:00+07:00"),
    )
    .await;
    create(
        store,
        2,
        GAREGEH,
        CaseKind::Saran,
        at("2026-11-28T08:00:00+07:00"),
    )
    .await;
    let mut resolved = create(
        store,
        3,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-28T09:00:00+07:00"),
    )
    .await;
    let t = at("2026-11-28T15:00:00+07:00");
    let official = Actor::Official {
        sub: "u1".into(),
        name: "Rina".into(),
    };
    let mut events = Vec::new();
    for step in [Transition::Verify, Transition::Start, Transition::Resolve] {
        events.push(
            resolved
                .transition(step, official.clone(), None, &sla, t)
                .unwrap(),
        );
    }
    store.save_case(&mut resolved, &events, None).await.unwrap();
    create(
        store,
        4,
        BIRUGO,
        CaseKind::Pertanyaan,
        at("2026-11-28T10:00:00+07:00"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn digest_content_filtering_and_idempotent_rerun() {
    let (store, _) = fresh_store("digest").await;
    seed(&store).await;
    let digests = topic("digests").await;
    let escalations = topic("escalations").await;
    // An official of Garegeh by email: their node's digest only.
    let garegeh_email = queue(
        &digests,
        "garegeh-email",
        &json!({"jurisdiction": [format!("{GAREGEH}/")], "type": ["digest"]}),
    )
    .await;
    // The same by SMS: only when not quiet.
    let puhun_sms = queue(
        &digests,
        "puhun-sms",
        &json!({"jurisdiction": [format!("{PUHUN_TEMBOK}/")], "type": ["digest"], "quiet": ["false"]}),
    )
    .await;
    let puhun_email = queue(
        &digests,
        "puhun-email",
        &json!({"jurisdiction": [format!("{PUHUN_TEMBOK}/")], "type": ["digest"]}),
    )
    .await;
    // A kecamatan official with a prefix filter and their level.
    let kecamatan = queue(
        &digests,
        "kec",
        &json!({"jurisdiction": [{"prefix": "bukittinggi/mandiangin-koto-selayan/"}], "level": ["kecamatan"]}),
    )
    .await;
    let app = app(
        &store,
        &digests,
        &escalations,
        &WhatsAppStandin::start().await,
        RetryPolicy::default(),
    )
    .await;
    let now = at("2026-11-29T07:00:00+07:00");

    // The scheduled input, bare: yesterday's digest.
    let summary = app
        .handle(&json!({"job": "daily-digest"}), now, Budget::unlimited())
        .await
        .unwrap();
    let nodes = aduan_shared::notify::digest::digest_nodes(&app.tree, &[]).len();
    assert_eq!(summary["day"], "2026-11-28");
    assert_eq!(summary["published"], nodes);
    assert_eq!(summary["failed"], 0);

    let got = drain(&garegeh_email).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m.attributes["jurisdiction"], format!("{GAREGEH}/"));
    assert_eq!(m.attributes["type"], "digest");
    assert_eq!(m.attributes["level"], "kelurahan");
    assert_eq!(m.attributes["quiet"], "false");
    assert!(
        m.message
            .starts_with("Aduan Garegeh 28/11: 2 baru, 3 terbuka, 1 lewat batas, 1 selesai"),
        "{}",
        m.message
    );
    assert!(gsm7::len(&m.message).unwrap() <= 160);
    assert_eq!(
        m.subject.as_deref(),
        Some("[Aduan] Ringkasan 28/11/2026: Garegeh")
    );

    // Puhun Tembok had nothing: its email says so, its SMS subscription gets nothing.
    assert!(drain(&puhun_sms).await.is_empty());
    let quiet = drain(&puhun_email).await;
    assert_eq!(quiet.len(), 1);
    assert_eq!(quiet[0].attributes["quiet"], "true");
    assert!(
        quiet[0].message.contains("0 baru, 0 terbuka"),
        "{}",
        quiet[0].message
    );

    let kec = drain(&kecamatan).await;
    assert_eq!(kec.len(), 1, "{kec:?}");
    assert_eq!(
        kec[0].attributes["jurisdiction"],
        "bukittinggi/mandiangin-koto-selayan/"
    );
    assert!(
        kec[0]
            .message
            .contains("Mandiangin Koto Selayan 28/11: 2 baru, 3 terbuka"),
        "{}",
        kec[0].message
    );

    // The same day again, by date, and as an EventBridge envelope: nothing new goes out.
    let again = app
        .handle(
            &json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {"job": "daily-digest", "date": "2026-11-28"}}),
            now,
            Budget::unlimited(),
        )
        .await
        .unwrap();
    assert_eq!(again["published"], 0);
    assert_eq!(again["skipped"], nodes);
    assert!(drain(&garegeh_email).await.is_empty());
    assert!(drain(&puhun_email).await.is_empty());
    assert!(drain(&kecamatan).await.is_empty());
}

/// The app on `store`, publishing digests and escalations to one topic.
async fn digest_app(store: &aduan_shared::store::Store, topic_arn: &str) -> digest::App {
    app(
        store,
        topic_arn,
        topic_arn,
        &WhatsAppStandin::start().await,
        RetryPolicy::default(),
    )
    .await
}

/// A queue subscribed to the digests of `jurisdiction` (a path or a
/// prefix), as aduan-admin's filter policies are; by SMS only not quiet.
async fn digest_queue(topic_arn: &str, name: &str, jurisdiction: serde_json::Value, sms: bool) -> String {
    let mut filter = json!({"jurisdiction": [jurisdiction], "type": ["digest"]});
    if sms {
        filter["quiet"] = json!(["false"]);
    }
    queue(topic_arn, name, &filter).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rws_and_rts_a_kelurahan_keeps_get_digests_of_what_was_handed_down() {
    use aduan_shared::domain::disposition::{Destination, KnownUnits};
    use aduan_shared::domain::jurisdiction::UnitPath;
    use aduan_shared::store::{HeadContact, UnitHead};
    let (store, counter) = fresh_store("digest-units").await;
    let lurah = path(GAREGEH);
    let unit = |s: &str| UnitPath::parse_below(&lurah, s).unwrap();
    let (rw, rt1, rt2) = (unit("rw-01"), unit("rw-01/rt-01"), unit("rw-01/rt-02"));
    let kept = at("2026-11-20T09:00:00+07:00");
    for u in [&rw, &rt1, &rt2] {
        let head = UnitHead {
            name: format!("Ketua {}", u.display_name()),
            contact: HeadContact::Keep,
        };
        store.create_unit(u, &head, "Staf Garegeh", kept).await.unwrap();
    }
    // Garegeh's case, handed down to RT 02 the day before the digest's day.
    let mut case = create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-26T09:00:00+07:00"),
    )
    .await;
    let to = Destination::parse(
        rt2.path().as_str(),
        aduan_shared::domain::jurisdiction::Jurisdictions::bukittinggi(),
        &KnownUnits::new([rt2.path()]),
    )
    .unwrap();
    let official = Actor::Official {
        sub: "u1".into(),
        name: "Rina".into(),
    };
    let event = case
        .forward(
            &to,
            &lurah,
            official,
            "warga RT 02".into(),
            &SlaPolicy::default(),
            at("2026-11-27T10:00:00+07:00"),
        )
        .unwrap();
    store.save_case(&mut case, &[event], None).await.unwrap();

    let digests = topic("digests").await;
    let slash = |u: &UnitPath| format!("{}/", u.path());
    let rt2_email = digest_queue(&digests, "rt2-email", json!(slash(&rt2)), false).await;
    let rt2_sms = digest_queue(&digests, "rt2-sms", json!(slash(&rt2)), true).await;
    // The other RT's head: their own digest (a quiet one), never RT 02's.
    let rt1_email = digest_queue(&digests, "rt1-email", json!(slash(&rt1)), false).await;
    let rt1_sms = digest_queue(&digests, "rt1-sms", json!(slash(&rt1)), true).await;
    // The RW's head, with every digest below the RW.
    let rw_below = digest_queue(&digests, "rw-below", json!({"prefix": slash(&rw)}), false).await;
    // The lurah's own digest only, not their units'.
    let lurah_email = digest_queue(&digests, "lurah-email", json!(format!("{GAREGEH}/")), false).await;
    let app = digest_app(&store, &digests).await;
    counter.take();
    let summary = app
        .handle(
            &json!({"job": "daily-digest", "date": "2026-11-28"}),
            at("2026-11-29T07:00:00+07:00"),
            Budget::unlimited(),
        )
        .await
        .unwrap();
    let nodes = aduan_shared::notify::digest::digest_nodes(&app.tree, &[]).len();
    assert_eq!(summary["nodes"], nodes + 3, "{summary}");
    assert_eq!(summary["published"], nodes + 3, "{summary}");
    // Pinned: the digest records, the registered officials (none), one
    // query per kelurahan (Garegeh's 3 units), the open case, the day's
    // events (none that day).
    let reads = counter.take();
    let kelurahan = app.tree.all_kelurahan().count();
    assert_eq!(
        (reads.requests, reads.items, reads.scans),
        (2 + kelurahan + 2, 3 + 1, 0),
        "{reads:?}"
    );

    let got = drain(&rt2_email).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m.attributes["jurisdiction"], slash(&rt2));
    assert_eq!(m.attributes["level"], "rt");
    assert_eq!(m.attributes["quiet"], "false");
    assert!(
        m.message
            .starts_with("Aduan RT 02 RW 01, Kelurahan Garegeh 28/11: 0 baru, 1 terbuka"),
        "{}",
        m.message
    );
    assert!(gsm7::len(&m.message).unwrap() <= 160);
    assert_eq!(drain(&rt2_sms).await.len(), 1);

    let other = drain(&rt1_email).await;
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!(other[0].attributes["jurisdiction"], slash(&rt1));
    assert_eq!(other[0].attributes["quiet"], "true");
    assert!(drain(&rt1_sms).await.is_empty());

    let mut below: Vec<String> = drain(&rw_below)
        .await
        .into_iter()
        .map(|m| m.attributes["jurisdiction"].clone())
        .collect();
    below.sort();
    assert_eq!(below, [slash(&rw), slash(&rt1), slash(&rt2)]);

    let own = drain(&lurah_email).await;
    assert_eq!(own.len(), 1, "{own:?}");
    assert!(own[0].message.contains("1 terbuka"), "{}", own[0].message);

    // The re-run sends nothing, the units' digests included.
    let again = app
        .handle(
            &json!({"job": "daily-digest", "date": "2026-11-28"}),
            at("2026-11-29T08:00:00+07:00"),
            Budget::unlimited(),
        )
        .await
        .unwrap();
    assert_eq!(again["skipped"], nodes + 3, "{again}");
    assert!(drain(&rt2_email).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_jobs_are_rejected_and_do_nothing() {
    let (store, counter) = fresh_store("digest-reject").await;
    let digests = topic("digests").await;
    let all = queue(&digests, "all", &json!({"type": ["digest"]})).await;
    let app = digest_app(&store, &digests).await;
    counter.take();
    for bad in [
        json!({"job": "weekly-digest"}),
        json!({"job": "daily-digest", "date": "kemarin"}),
        json!({"nothing": true}),
    ] {
        let err = app
            .handle(&bad, at("2026-11-29T07:00:00+07:00"), Budget::unlimited())
            .await
            .unwrap_err();
        assert!(!err.to_string().is_empty());
    }
    assert_eq!(counter.take().requests, 0);
    assert!(drain(&all).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_grow_with_open_and_recent_cases_not_with_history() {
    let (store, counter) = fresh_store("digest-reads").await;
    // A large closed history, written directly: 2,000 cases closed long ago,
    // each with its opening event on its own (old) day.
    let sla = SlaPolicy::default();
    let calendar = WorkingCalendar::default();
    let mut requests = Vec::new();
    for n in 1000..3000u64 {
        let opened_at = at("2025-06-02T09:00:00+07:00") + chrono::Duration::hours(n as i64 % 2000);
        let (mut case, opened) = new_case(n, GAREGEH, CaseKind::Pengaduan, opened_at);
        case.transition(Transition::Reject, Actor::System, None, &sla, opened_at)
            .unwrap();
        for item in [
            to_item(&CaseItem::from_case(&case)),
            to_item(&EventItem::new(&case.id, &opened, &calendar)),
        ] {
            requests.push(
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                    .build(),
            );
        }
    }
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    for chunk in requests.chunks(25) {
        let mut pending = chunk.to_vec();
        let mut tries = 0;
        while !pending.is_empty() {
            tries += 1;
            match client
                .batch_write_item()
                .request_items(store.table(), pending.clone())
                .send()
                .await
            {
                Ok(out) => {
                    pending = out
                        .unprocessed_items()
                        .and_then(|u| u.get(store.table()))
                        .cloned()
                        .unwrap_or_default();
                }
                // The emulator can drop a connection under the parallel tests' load.
                Err(e) if tries < 5 => eprintln!("batch write retried: {e}"),
                Err(e) => panic!("batch write: {e:?}"),
            }
        }
    }
    // Today's activity: 4 cases (3 still open), plus one opened and rejected that day.
    seed(&store).await;
    let mut rejected = create(
        &store,
        5,
        BIRUGO,
        CaseKind::Kritik,
        at("2026-11-28T11:00:00+07:00"),
    )
    .await;
    let ev = rejected
        .transition(
            Transition::Reject,
            Actor::System,
            None,
            &sla,
            at("2026-11-28T12:00:00+07:00"),
        )
        .unwrap();
    store.save_case(&mut rejected, &[ev], None).await.unwrap();

    let digests = topic("digests").await;
    let app = digest_app(&store, &digests).await;
    counter.take();
    let summary = app
        .daily_digest("2026-11-28".parse().unwrap(), at("2026-11-29T07:00:00+07:00"))
        .await
        .unwrap();
    let reads = counter.take();
    // 4 open cases; 8 lifecycle events that day (4 opened; verify, start,
    // resolve of one; the reject); 1 case fetched by id (the rejected one);
    // the day's digest records (none yet). Nothing of the 2,000.
    assert_eq!(summary.open_cases_read, 4);
    assert_eq!(summary.events_read, 8);
    // Requests: those records, the registered officials (none), each
    // kelurahan's RWs and RTs (none kept here), the open cases, the day's
    // events, the one by id.
    let kelurahan = app.tree.all_kelurahan().count();
    assert_eq!(reads.scans, 0);
    assert_eq!(reads.items, 4 + 8 + 1, "{reads:?}");
    assert_eq!(reads.requests, 2 + kelurahan + 3, "{reads:?}");
    // The re-run reads only the day's digest records, the officials and
    // the units.
    app.daily_digest("2026-11-28".parse().unwrap(), at("2026-11-29T08:00:00+07:00"))
        .await
        .unwrap();
    let rerun = counter.take();
    assert_eq!(rerun.scans, 0);
    assert_eq!(rerun.items, summary.nodes, "{rerun:?}");
    assert_eq!(rerun.requests, 2 + kelurahan, "{rerun:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn node_digests_are_published_a_few_at_a_time() {
    let (mut app, _) = app_on_fresh_topics("digest-concurrent").await;
    // Every publish held 200 ms at a proxy, which counts how many overlap.
    let proxy = publish_through_proxy(&mut app).await;
    proxy.arm(Rule::op("Publish", 1, Fault::Latency(Duration::from_millis(200))).times(usize::MAX / 2));

    let summary = app
        .handle(
            &json!({"job": "daily-digest"}),
            at("2026-11-29T07:00:00+07:00"),
            Budget::unlimited(),
        )
        .await
        .unwrap();
    let nodes = aduan_shared::notify::digest::digest_nodes(&app.tree, &[]).len();
    assert_eq!(summary["published"], nodes);
    assert_eq!(
        proxy.operations().iter().filter(|op| *op == "Publish").count(),
        nodes
    );
    let peak = proxy.peak_in_flight("Publish");
    assert!((2..=8).contains(&peak), "publishes in flight at once: {peak}");
}

/// The app on a fresh table and fresh topics; the digest topic's ARN.
async fn app_on_fresh_topics(name: &str) -> (digest::App, String) {
    let (store, _) = fresh_store(name).await;
    let digests = topic("digests").await;
    let escalations = topic("escalations").await;
    let app = app(
        &store,
        &digests,
        &escalations,
        &WhatsAppStandin::start().await,
        RetryPolicy::default(),
    )
    .await;
    (app, digests)
}

/// Sends the app's publishes through a fault proxy in front of the emulator.
async fn publish_through_proxy(app: &mut digest::App) -> FaultProxy {
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    let proxied = proxy.sdk_config().await;
    app.sns = SnsPublisher::new(aws_sdk_sns::Client::new(&proxied));
    proxy
}

#[tokio::test(flavor = "multi_thread")]
async fn digests_that_fail_to_publish_fail_the_run_and_the_retry_sends_them_once() {
    let (mut app, digests) = app_on_fresh_topics("digest-retry").await;
    let all = queue(&digests, "all", &json!({"type": ["digest"]})).await;
    // SNS refuses every publish, past the SDK's retries.
    let proxy = publish_through_proxy(&mut app).await;
    proxy.arm(Rule::op("Publish", 1, Fault::Status(503)).times(usize::MAX / 2));
    let job = json!({"job": "daily-digest", "date": "2026-11-28"});
    let now = at("2026-11-29T07:00:00+07:00");
    let nodes = aduan_shared::notify::digest::digest_nodes(&app.tree, &[]).len();

    let first = app.handle(&job, now, Budget::unlimited()).await;
    assert!(
        matches!(first, Err(digest::HandlerError::DigestsUnpublished { failed, nodes: n, .. }) if failed == n && n == nodes),
        "the schedule must retry: {first:?}"
    );
    // SNS is back: the schedule's retry sends them, and a later run nothing.
    proxy.reset();
    let retry = app.handle(&job, now, Budget::unlimited()).await.unwrap();
    assert_eq!(retry["published"], nodes, "{retry}");
    let again = app.handle(&job, now, Budget::unlimited()).await.unwrap();
    assert_eq!(again["skipped"], nodes, "{again}");
    let got = drain(&all).await;
    assert_eq!(got.len(), nodes);
    let subjects: std::collections::HashSet<&str> =
        got.iter().map(|m| m.subject.as_deref().unwrap()).collect();
    assert_eq!(subjects.len(), nodes, "each node's digest once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_that_committed_unheard_is_still_the_runs_own() {
    let (app, _) = app_on_fresh_topics("digest-claim-unheard").await;
    // The claim commits but its answer is lost, and the SDK's two retries
    // get 500s: the claim is there, and the run never heard.
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::op("PutItem", 1, Fault::CommitLoseResponse));
    proxy.arm(Rule::op("PutItem", 2, Fault::Status(500)).times(2));
    let proxied = proxy.sdk_config().await;
    let store = aduan_shared::store::Store::new(
        aws_sdk_dynamodb::Client::new(&proxied),
        app.store.table().to_owned(),
        app.policy.sla.calendar.clone(),
    );
    let day = "2026-11-28".parse().unwrap();
    let node = aduan_shared::domain::jurisdiction::JurisdictionPath::parse(GAREGEH).unwrap();
    let now = at("2026-11-29T07:00:00+07:00");

    let claimed = store
        .claim_digest(
            day,
            DigestRecipient::Topic(&node),
            now,
            chrono::Duration::minutes(10),
        )
        .await;
    assert_eq!(proxy.injected(), 3, "the faults were reached");
    assert!(
        matches!(claimed, Ok(true)),
        "the claim is the run's own: {claimed:?}"
    );
    // Anyone else, a minute later, finds it taken.
    let other = app
        .store
        .claim_digest(
            day,
            DigestRecipient::Topic(&node),
            now + chrono::Duration::minutes(1),
            chrono::Duration::minutes(10),
        )
        .await;
    assert!(matches!(other, Ok(false)), "{other:?}");
}
