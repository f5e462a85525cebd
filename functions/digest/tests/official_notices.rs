//! Registered officials' WhatsApp notices from the scheduled jobs: the SLA
//! sweep's escalation tells the officials at the case's new holder, and the
//! message retry announces each new case once to the officials at its
//! holder, moving its cursor past it (a case younger than the settling time
//! waits for the next run). The daily digest reaches, on WhatsApp too, the
//! confirmed officials who chose it, once a day. Against the local emulator
//! and the WhatsApp stand-in; no send carries the reporter's number or BSUID.

mod support;

use aduan_shared::domain::case::{Channel, Provider};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::official::{NewOfficial, OfficialName, Role};
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::domain::reporter::{Key32, ReporterHasher, ReporterKeys};
use aduan_shared::domain::timeline::EventBody;
use aduan_shared::notify::official_digest;
use aduan_shared::notify::officials::{Reason, DEFAULT_TEMPLATE};
use aduan_shared::notify::RetryPolicy;
use aduan_shared::store::{NewCasesCursor, Store};
use aduan_testkit::seed;
use aduan_testkit::standin::{Mode, WhatsAppStandin};
use chrono::{Duration, Utc};
use digest::new_cases::{LEASE, SETTLE};
use digest::{App, Budget};
use serde_json::{json, Value};
use support::*;

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
const MKS: &str = "bukittinggi/mandiangin-koto-selayan";
const PUHUN_TEMBOK: &str = "bukittinggi/mandiangin-koto-selayan/puhun-tembok";

/// Registrations sealed as the app opens them.
fn keys() -> ReporterKeys {
    ReporterKeys {
        hasher: ReporterHasher::new(Key32::from_bytes([7; 32])),
        contacts: contacts(),
    }
}

/// The officials' notices the stand-in received: (to, parameters).
fn notices(whatsapp: &WhatsAppStandin) -> Vec<(String, Vec<String>)> {
    sent_as(whatsapp, DEFAULT_TEMPLATE)
}

/// The sends of template `name` the stand-in received: (to, parameters).
fn sent_as(whatsapp: &WhatsAppStandin, name: &str) -> Vec<(String, Vec<String>)> {
    whatsapp
        .received()
        .into_iter()
        .filter(|r| r.body["template"]["name"] == name)
        .map(|r| {
            let params = r.body["template"]["components"][0]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["text"].as_str().map(str::to_owned))
                .collect();
            (r.body["to"].as_str().unwrap().to_owned(), params)
        })
        .collect()
}

/// Nothing any send carried names the reporter, but the address of those
/// sent to them.
fn assert_private(whatsapp: &WhatsAppStandin) {
    for sent in whatsapp.received() {
        let mut body = sent.body.clone();
        let object = body.as_object_mut().unwrap();
        if object.get("to") == Some(&Value::from(CITIZEN)) {
            object.remove("to");
        }
        let body = body.to_string();
        assert!(!body.contains(CITIZEN) && !body.contains(CITIZEN_BSUID), "{body}");
    }
}

/// The app on a table of its own, sending to a stand-in of its own.
async fn setup(test: &str) -> (Store, WhatsAppStandin, App) {
    let (store, _) = fresh_store(test).await;
    let whatsapp = WhatsAppStandin::start().await;
    let topics = (topic("d").await, topic("e").await);
    let app = app(&store, &topics.0, &topics.1, &whatsapp, RetryPolicy::default()).await;
    (store, whatsapp, app)
}

/// The sweep at `at` finds no notice to send again, and sends none.
async fn assert_nothing_to_repeat(app: &App, whatsapp: &WhatsAppStandin, at: chrono::DateTime<Utc>) {
    let before = notices(whatsapp).len();
    let swept = app.sla_sweep(at, Budget::unlimited()).await.unwrap();
    assert_eq!(swept.official_notices_retried, Default::default());
    assert_eq!(notices(whatsapp).len(), before);
}

#[tokio::test]
async fn the_sweeps_escalation_tells_the_kecamatans_officials() {
    let (store, whatsapp, app) = setup("notice-sweep").await;
    let now = Utc::now();
    let case = create(&store, 1, GAREGEH, CaseKind::Pengaduan, now - Duration::days(14)).await;
    seed::official(&store, &keys(), MKS, "081211110004", false, true).await;
    seed::official(&store, &keys(), GAREGEH, "081211110001", false, true).await;

    let summary = app.sla_sweep(now, Budget::unlimited()).await.unwrap();
    assert_eq!(summary.escalated, 1);
    assert_eq!(
        (summary.official_notices.sent, summary.official_notices.failed),
        (1, 0)
    );
    let sent = notices(&whatsapp);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "6281211110004");
    assert_eq!(sent[0].1[0], case.ticket.as_str());
    assert_eq!(sent[0].1[1], "dinaikkan dari Kelurahan Garegeh");
    assert_private(&whatsapp);
}

#[tokio::test]
async fn each_new_case_is_announced_once_and_the_cursor_moves_past_it() {
    let (store, whatsapp, app) = setup("notice-new").await;
    let now = Utc::now();
    seed::official(&store, &keys(), GAREGEH, "081211110001", false, true).await;
    seed::official(&store, &keys(), MKS, "081211110005", true, true).await;
    seed::official(&store, &keys(), MKS, "081211110004", false, true).await;
    let old = create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        now - Duration::minutes(10),
    )
    .await;
    // Not settled yet: the next run's.
    let young = create(&store, 2, GAREGEH, CaseKind::Saran, now - Duration::seconds(30)).await;

    let first = app.message_retry(now, Budget::unlimited()).await;
    assert_eq!(first.new_cases, 1);
    assert_eq!(first.official_notices.sent, 2);
    let mut to: Vec<String> = notices(&whatsapp).into_iter().map(|(to, _)| to).collect();
    to.sort();
    assert_eq!(to, ["6281211110001", "6281211110005"]);
    assert_eq!(notices(&whatsapp)[0].1[1], "laporan baru");
    assert_eq!(
        store.new_cases_cursor().await.unwrap(),
        Some(NewCasesCursor::after(&old))
    );

    // Again at once: nothing new, nothing sent twice.
    let again = app.message_retry(now, Budget::unlimited()).await;
    assert_eq!((again.new_cases, again.official_notices.sent), (0, 0));
    assert_eq!(notices(&whatsapp).len(), 2);

    // Later, the young case has settled: its turn, and only its.
    let later = app.message_retry(now + SETTLE, Budget::unlimited()).await;
    assert_eq!((later.new_cases, later.official_notices.sent), (1, 2));
    let sent = notices(&whatsapp);
    assert_eq!(sent.len(), 4);
    assert!(sent[2..]
        .iter()
        .all(|(_, p)| p[0] == young.ticket.as_str() && p[3] == "saran"));
    assert_eq!(
        store.new_cases_cursor().await.unwrap(),
        Some(NewCasesCursor::after(&young))
    );
    // Each run finished what it claimed: the sweep has nothing to repeat.
    assert_nothing_to_repeat(&app, &whatsapp, now + Duration::hours(1)).await;
    assert_private(&whatsapp);
}

#[tokio::test]
async fn new_cases_a_run_claimed_but_did_not_announce_are_announced_by_the_sweep() {
    let (store, whatsapp, app) = setup("notice-claimed").await;
    let now = Utc::now();
    seed::official(&store, &keys(), GAREGEH, "081211110001", false, true).await;
    let case = create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        now - Duration::minutes(10),
    )
    .await;
    // A run that moved the cursor and stopped (a timeout) before it sent.
    let claimed = store
        .claim_new_cases(None, std::slice::from_ref(&case), &Reason::New, now + LEASE)
        .await
        .unwrap();
    assert_eq!(claimed.map(|a| a.len()), Some(1));
    // The next runs see the cursor moved: not theirs.
    let next = app
        .message_retry(now + Duration::minutes(5), Budget::unlimited())
        .await;
    assert_eq!((next.new_cases, next.official_notices.sent), (0, 0));
    // Within the lease the sweep leaves it to the run that claimed it.
    assert_nothing_to_repeat(&app, &whatsapp, now + Duration::minutes(5)).await;
    assert!(notices(&whatsapp).is_empty());

    let swept = app
        .sla_sweep(now + LEASE + Duration::minutes(1), Budget::unlimited())
        .await
        .unwrap();
    let retried = swept.official_notices_retried;
    assert_eq!((retried.announced, retried.announced_notices.sent), (1, 1));
    let sent = notices(&whatsapp);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "6281211110001");
    assert_eq!(
        (sent[0].1[0].as_str(), sent[0].1[1].as_str()),
        (case.ticket.as_str(), "laporan baru")
    );
    // Once.
    assert_nothing_to_repeat(&app, &whatsapp, now + Duration::hours(2)).await;
    assert_private(&whatsapp);
}

#[tokio::test]
async fn a_notice_that_failed_is_sent_again_by_the_sweep_while_it_is_still_due() {
    let (store, whatsapp, app) = setup("notice-retry").await;
    let now = Utc::now();
    let rina = seed::official(&store, &keys(), GAREGEH, "081211110001", false, true).await;
    let amir = seed::official(&store, &keys(), MKS, "081211110005", true, true).await;
    let case = create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        now - Duration::minutes(10),
    )
    .await;

    // WhatsApp is down when the case is announced: both notices are kept.
    whatsapp.set_mode(Mode::Fail(503));
    let announced = app.message_retry(now, Budget::unlimited()).await;
    assert_eq!(announced.new_cases, 1);
    assert_eq!(
        (
            announced.official_notices.sent,
            announced.official_notices.pending
        ),
        (0, 2)
    );
    whatsapp.set_mode(Mode::Accept);
    let before = notices(&whatsapp).len();
    // Not before their time.
    assert_nothing_to_repeat(&app, &whatsapp, now).await;

    // Amir leaves before the retry: his is dropped, Rina's goes out.
    store.remove_official(&amir).await.unwrap();
    let later = now + Duration::minutes(10);
    let retried = app.sla_sweep(later, Budget::unlimited()).await.unwrap();
    assert_eq!(
        (
            retried.official_notices_retried.sent,
            retried.official_notices_retried.dropped
        ),
        (1, 1)
    );
    let sent = notices(&whatsapp);
    assert_eq!(sent.len(), before + 1, "{sent:?}");
    let (to, params) = sent.last().unwrap();
    assert_eq!(to, "6281211110001");
    assert_eq!(params[0], case.ticket.as_str());
    assert_eq!(params[1], "laporan baru");
    // Sent once: the entry is gone.
    assert_nothing_to_repeat(&app, &whatsapp, later + Duration::hours(1)).await;
    assert_private(&whatsapp);

    // A notice the provider refuses for good is flagged on the case.
    whatsapp.set_mode(Mode::Fail(503));
    let second = create(&store, 2, GAREGEH, CaseKind::Saran, later).await;
    let told = app.message_retry(later + SETTLE, Budget::unlimited()).await;
    assert_eq!(told.official_notices.pending, 1);
    whatsapp.set_mode(Mode::Fail(400));
    let refused = app
        .sla_sweep(later + Duration::hours(1), Budget::unlimited())
        .await
        .unwrap();
    assert_eq!(refused.official_notices_retried.gave_up, 1);
    let (_, timeline) = store.case_with_timeline(&second.id).await.unwrap().unwrap();
    let note = timeline.iter().find_map(|e| match &e.body {
        EventBody::Note { text } => Some(text.clone()),
        _ => None,
    });
    let note = note.expect("a note on the case");
    assert!(
        note.contains(rina.name.as_str()) && note.contains("tidak terkirim"),
        "{note}"
    );
}

#[tokio::test]
async fn a_new_cases_notice_names_the_open_reports_of_the_same_problem_nearby() {
    let (store, counter) = fresh_store("notice-similar").await;
    let whatsapp = WhatsAppStandin::start().await;
    let topics = (topic("d").await, topic("e").await);
    let app = app(&store, &topics.0, &topics.1, &whatsapp, RetryPolicy::default()).await;
    let now = Utc::now();
    seed::official(&store, &keys(), GAREGEH, "081211110001", false, true).await;
    // Older than the first run looks back: only the newest is announced.
    let days_ago = |days| now - Duration::days(days);
    let says = |n, area, when, text| {
        seed_case(
            &store,
            new_case_saying(n, area, CaseKind::Pengaduan, when, text),
            when,
        )
    };
    let lamp = says(
        1,
        GAREGEH,
        days_ago(3),
        "Assalamualaikum pak, lampu jalan dkt mesjid Nurul Iman mati sdh 3 malam, gelap bana",
    )
    .await;
    says(
        2,
        GAREGEH,
        days_ago(2),
        "sampah di pasa banyak numpuk ga diangkut",
    )
    .await;
    // The same words, another kelurahan: another problem.
    says(3, PUHUN_TEMBOK, days_ago(2), "lampu jalan mati di dekat masjid").await;
    let new = says(
        4,
        GAREGEH,
        now - Duration::minutes(10),
        "Pak lampu jalan di depan masjid nurul iman masih mati, tolong diperbaiki",
    )
    .await;
    counter.take();

    let run = app.message_retry(now, Budget::unlimited()).await;
    assert_eq!((run.new_cases, run.official_notices.sent), (1, 1));
    let sent = notices(&whatsapp);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].1[0], new.ticket.as_str());
    assert_eq!(
        sent[0].1[7],
        format!(
            "{} (bila sama, balas GABUNG {} {})",
            lamp.ticket, new.ticket, lamp.ticket
        )
    );
    // The sends to retry (Query), the cursor (GetItem), the new cases
    // (Query), the officials of each tier of Garegeh's path (3 Queries),
    // then the duplicates: the kelurahan's recent cases (Query) and the
    // places shared on them (BatchGetItem). No Scan.
    let reads = counter.take();
    assert_eq!((reads.requests, reads.scans), (1 + 1 + 1 + 3 + 2, 0), "{reads:?}");
    assert_private(&whatsapp);
}

/// An official at `scope` who chose the digest on WhatsApp, confirmed
/// through the city's number `city-number` unless `confirmed` is false.
async fn wants_digest(store: &Store, scope: &str, number: &str, confirmed: bool) {
    let official = NewOfficial {
        name: OfficialName::parse("Pak Lurah").unwrap(),
        scope: JurisdictionPath::parse(scope).unwrap(),
        role: Role::Officer,
        whatsapp: PhoneNumber::parse(number).unwrap(),
        notify_below: false,
        digest_by_whatsapp: true,
    };
    let through = Channel {
        provider: Provider::Meta,
        number_id: "city-number".into(),
    };
    seed::registered(store, &keys(), official, confirmed.then_some(&through)).await;
}

#[tokio::test]
async fn the_morning_digest_reaches_the_officials_who_chose_whatsapp_once() {
    let (store, whatsapp, app) = setup("digest-whatsapp").await;
    let case = create(
        &store,
        1,
        GAREGEH,
        CaseKind::Pengaduan,
        at("2026-11-28T09:00:00+07:00"),
    )
    .await;
    wants_digest(&store, GAREGEH, "081211110001", true).await;
    // Not chosen; a quiet kelurahan; not confirmed yet: none of them.
    seed::official(&store, &keys(), GAREGEH, "081211110002", false, true).await;
    wants_digest(&store, PUHUN_TEMBOK, "081211110003", true).await;
    wants_digest(&store, MKS, "081211110004", false).await;
    let job = json!({"detail-type": "Scheduled Event", "source": "aws.events",
                     "detail": {"job": "daily-digest", "date": "2026-11-28"}});
    let now = at("2026-11-29T07:00:00+07:00");

    // WhatsApp refuses: the SMS digests go, the invocation fails so that the
    // schedule's retry sends the official's.
    whatsapp.set_mode(Mode::Fail(500));
    let failed = app.handle(&job, now, Budget::unlimited()).await.unwrap_err();
    assert!(
        matches!(
            failed,
            digest::HandlerError::DigestsUnpublished {
                failed: 0,
                whatsapp_failed: 1,
                ..
            }
        ),
        "{failed}"
    );
    let refused = sent_as(&whatsapp, official_digest::DEFAULT_TEMPLATE).len();
    assert!(refused >= 1, "the send was tried");
    whatsapp.set_mode(Mode::Accept);
    let retried = app.handle(&job, now, Budget::unlimited()).await.unwrap();
    assert_eq!(
        (retried["published"].as_u64(), retried["whatsapp_sent"].as_u64()),
        (Some(0), Some(1))
    );

    // The refused tries and the retry's one, to the one official only.
    let digests = sent_as(&whatsapp, official_digest::DEFAULT_TEMPLATE);
    assert_eq!(digests.len(), refused + 1, "{digests:?}");
    assert!(digests.iter().all(|(to, _)| to == "6281211110001"));
    assert_eq!(
        digests[refused].1,
        ["Garegeh", "28/11/2026", "1", "1", "0", "0", case.ticket.as_str()]
    );
    let accepted = whatsapp
        .received()
        .into_iter()
        .rfind(|r| r.body["template"]["name"] == official_digest::DEFAULT_TEMPLATE)
        .unwrap();
    assert!(
        accepted.path.contains("city-number"),
        "sent from the number confirmed through: {}",
        accepted.path
    );
    assert_eq!(
        accepted.body["template"]["components"][1]["parameters"][0]["payload"],
        "off:list"
    );

    // The same day again: nothing twice.
    let again = app.handle(&job, now, Budget::unlimited()).await.unwrap();
    assert_eq!(
        (
            again["whatsapp_sent"].as_u64(),
            again["whatsapp_skipped"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(
        sent_as(&whatsapp, official_digest::DEFAULT_TEMPLATE).len(),
        refused + 1
    );
    assert_private(&whatsapp);
}
