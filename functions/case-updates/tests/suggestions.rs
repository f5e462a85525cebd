//! Suggested duplicates on `GET /cases/{ticket}`: the open cases of the same
//! kelurahan from the last 30 days, of the same category where both have
//! one, near where both carry a shared location, best words first; never
//! the case itself, a closed or old case, another kelurahan's, nor anything
//! of a reporter. Against the local emulator, a fresh table each.

mod support;

use aduan_shared::domain::timeline::{MessageContent, TimelineEvent};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use support::*;

const LAT: f64 = -0.2950;
const LONG: f64 = 100.3700;

/// A place shared on WhatsApp, as the webhook records one, `north` degrees
/// of latitude from the first case's (0.001 is about 111 m).
fn location(at: DateTime<Utc>, north: f64) -> TimelineEvent {
    let place = MessageContent::Location {
        latitude: LAT + north,
        longitude: LONG,
        name: None,
        address: None,
    };
    citizen_message(at, place)
}

fn tickets(r: &Response) -> Vec<&str> {
    r.body["suggestions"]
        .as_array()
        .unwrap_or_else(|| panic!("no suggestions: {}", r.text))
        .iter()
        .map(|s| s["ticket"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_case_suggests_its_likely_duplicates_best_first_and_nothing_of_their_reporters() {
    let app = App::new("suggest").await;
    let now = Utc::now();
    let lurah = caller(KEL_GAREGEH, "officer");
    let seed = |n: u64, area: &'static str, hours_ago: i64, text: &str, north: Option<f64>| {
        let at = now - Duration::hours(hours_ago);
        let messages = north.map(|d| location(at, d)).into_iter().collect();
        app.seed_with(citizen(n, true), n, area, at, at, text.to_owned(), messages)
    };
    let mut seeded = Vec::new();
    // The case read, with a place, and the cases around it.
    seeded.push(seed(1, KEL_GAREGEH, 1, "Lampu jalan mati di depan masjid", Some(0.0)).await);
    // Typed in a hurry with a number in it; about 55 m away.
    seeded.push(
        seed(
            2,
            KEL_GAREGEH,
            48,
            "lampu jln mati dkt mesjid, hub 0812-3456-7890",
            Some(0.0005),
        )
        .await,
    );
    // The same words, but about 550 m away.
    seeded.push(seed(3, KEL_GAREGEH, 5, "Lampu jalan mati di depan masjid", Some(0.005)).await);
    // Another kelurahan.
    seeded.push(seed(4, KEL_PUHUN_TEMBOK, 5, "lampu jalan mati di depan masjid", None).await);
    // Rejected: closed.
    seeded.push(seed(5, KEL_GAREGEH, 5, "lampu jalan mati di depan masjid", None).await);
    // Older than 30 days.
    seeded.push(seed(6, KEL_GAREGEH, 31 * 24, "lampu jalan mati di depan masjid", None).await);
    // Another category than the case's.
    seeded.push(seed(7, KEL_GAREGEH, 5, "lampu jalan mati dekat masjid", None).await);
    // The same category, no place.
    seeded.push(seed(8, KEL_GAREGEH, 6, "lampu masjid mati", None).await);
    // Nothing in common.
    seeded.push(seed(9, KEL_GAREGEH, 5, "sampah numpuk di pasar", None).await);
    // Minang, a few words in common.
    seeded.push(seed(10, KEL_GAREGEH, 7, "lampu jalan padam di muko musajik", None).await);
    for (ticket, action) in [
        (
            "ADU-0001",
            json!({"action": "reclassify", "category": "lampu jalan", "version": 1}),
        ),
        (
            "ADU-0008",
            json!({"action": "reclassify", "category": "lampu jalan", "version": 1}),
        ),
        (
            "ADU-0007",
            json!({"action": "reclassify", "category": "jalan", "version": 1}),
        ),
        (
            "ADU-0005",
            json!({"action": "reject", "reason": "laporan ganda", "version": 1}),
        ),
    ] {
        let r = app.act(&lurah, ticket, action).await;
        assert_eq!(r.status, 200, "{ticket}: {}", r.text);
    }

    app.requests.reset();
    let r = app.get(&lurah, "/cases/ADU-0001").await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Pinned: the ticket's pointer, the case with its first page, the
    // kelurahan's newest 99 cases of 30 days (one Query of by_kelurahan),
    // the places shared on the case and the candidates (one BatchGetItem),
    // the read's audit entry.
    assert_eq!(
        app.requests.by_operation(),
        [
            ("BatchGetItem".to_owned(), 1),
            ("GetItem".to_owned(), 1),
            ("Query".to_owned(), 2),
            ("PutItem".to_owned(), 1)
        ]
        .into()
    );
    assert_eq!(tickets(&r), ["ADU-0008", "ADU-0002", "ADU-0010"]);
    let [same_category, hurried, minang] = [0, 1, 2].map(|i| &r.body["suggestions"][i]);
    assert_eq!(same_category["score"], 0.6);
    assert_eq!(same_category["category"], "lampu jalan");
    assert_eq!(same_category["distance_meters"], Value::Null);
    assert_eq!(hurried["score"], 0.57);
    let meters = hurried["distance_meters"].as_u64().unwrap();
    assert!((50..=60).contains(&meters), "{meters}");
    assert_eq!(hurried["status"], "received");
    assert_eq!(hurried["kind"], "saran");
    assert_eq!(hurried["created_at"], json!(seeded[1].created_at));
    assert_eq!(
        hurried["description"],
        "lampu jln mati dkt mesjid, hub [nomor disembunyikan]"
    );
    assert_eq!(minang["score"], 0.25);
    // Nothing of any reporter: no number, BSUID, reporter id, nor the
    // number a citizen typed.
    for (n, case) in (1..).zip(&seeded) {
        for secret in [number_of(n), bsuid_of(n), case.reporter.as_str().to_owned()] {
            assert!(!r.text.contains(&secret), "{secret} in {}", r.text);
        }
    }
    assert!(!r.text.contains("3456-7890"), "{}", r.text);

    // The console's button merges the case into the one suggested; then
    // the merged case suggests nothing, and is no suggestion either.
    let r = app
        .act(
            &lurah,
            "ADU-0001",
            json!({"action": "merge", "into": "ADU-0008", "version": 2}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let merged = app.get(&lurah, "/cases/ADU-0001").await;
    assert_eq!(tickets(&merged), Vec::<&str>::new());
    let target = app.get(&lurah, "/cases/ADU-0008").await;
    assert!(!tickets(&target).contains(&"ADU-0001"), "{}", target.text);
    assert!(tickets(&target).contains(&"ADU-0002"), "{}", target.text);
}

#[tokio::test]
async fn suggestions_stay_within_the_callers_scope_and_the_first_page() {
    let app = App::new("suggest-scope").await;
    let now = Utc::now();
    for n in [1, 2] {
        let at = now - Duration::hours(n as i64);
        app.seed_described(n, KEL_GAREGEH, at, at, "jalan berlubang dekat sekolah".into())
            .await;
    }
    let rw = format!("{KEL_GAREGEH}/rw-01");
    app.seed_described(3, &rw, now, now, "jalan balubang dakek sekolah".into())
        .await;

    let kecamatan = caller(KEC_MKS, "officer");
    let r = app.get(&kecamatan, "/cases/ADU-0001").await;
    assert_eq!(tickets(&r), ["ADU-0002", "ADU-0003"]);
    // An RW's officer's case suggests nothing outside their RW.
    app.keep_garegeh_units().await;
    let rw_officer = caller(&rw, "officer");
    let r = app.get(&rw_officer, "/cases/ADU-0003").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(tickets(&r), Vec::<&str>::new());
    // A later page of the timeline carries none.
    let first = app.get(&kecamatan, "/cases/ADU-0001").await;
    let event = first.body["timeline"][0]["id"].as_str().unwrap().to_owned();
    let later = app
        .get(&kecamatan, &format!("/cases/ADU-0001?cursor={event}"))
        .await;
    assert_eq!(later.status, 200, "{}", later.text);
    assert_eq!(later.body.get("suggestions"), None);
}
