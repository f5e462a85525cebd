//! Handing cases on through `POST /cases/{ticket}/actions` with `forward`:
//! down to an RT and back, bukan wewenang to a dinas and dinas to dinas,
//! the kota down to a kelurahan; the citizen told each time, officials on
//! the escalations topic, scope refusals, and the closures that are not
//! "resolved". Against the local emulator, a fresh table each.

mod support;

use serde_json::{json, Value};
use support::*;

async fn forward(app: &App, who: &Caller, ticket: &str, to: &str, version: u64) -> Response {
    let body = json!({"action": "forward", "to": to, "reason": "bukan wewenang kami", "version": version});
    app.act(who, ticket, body).await
}

fn last_text(app: &App) -> String {
    app.whatsapp.texts().last().cloned().unwrap_or_default()
}

#[tokio::test]
async fn handed_down_to_an_rt_and_back_stays_in_the_kelurahans_queue() {
    let app = App::new("fwd-down").await;
    let rt_queue = aduan_testkit::sns::subscribed_queue(
        &app.sdk,
        &app.topic_arn,
        &format!("rt-{}", ulid::Ulid::new().to_string().to_lowercase()),
        Some(&json!({"jurisdiction": [{"prefix": format!("{RT_GAREGEH}/")}]})),
    )
    .await
    .unwrap();
    app.seed(1, KEL_GAREGEH).await;
    app.keep_garegeh_units().await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let rt = caller(RT_GAREGEH, "officer");

    app.requests.reset();
    let r = forward(&app, &lurah, "ADU-0001", RT_GAREGEH, 1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Pinned: the ticket's pointer and the case, the kelurahan's units (the
    // cache was emptied by their change), the reporter's record for the
    // message, one write (case, event, pending publish, the message), the
    // publish's and the message's outcomes, and the officials registered at
    // the RT and at each tier above it (none: no notice).
    assert_eq!(
        app.requests.by_operation(),
        [
            ("GetItem".to_owned(), 3),
            ("Query".to_owned(), 1 + 5),
            ("TransactWriteItems".to_owned(), 2),
            ("DeleteItem".to_owned(), 1)
        ]
        .into()
    );
    assert_eq!(r.body["publish"], "published");
    assert_eq!(r.body["case"]["level"], "rt");
    assert_eq!(r.body["case"]["handed_down_to"], RT_GAREGEH);
    assert_eq!(
        r.body["case"]["handed_down_name"],
        "RT 02 RW 01, Kelurahan Garegeh"
    );
    assert_eq!(r.body["event"]["body"]["direction"], "down");
    assert_eq!(r.body["event"]["body"]["from"]["path"], KEL_GAREGEH);
    assert_eq!(r.body["notification"]["delivery"], "sent");
    assert!(
        last_text(&app).contains("RT 02 RW 01, Kelurahan Garegeh"),
        "{}",
        last_text(&app)
    );
    let heard = aduan_testkit::sns::drain(&app.sdk, &rt_queue).await.unwrap();
    assert_eq!(heard.len(), 1, "the RT's subscription hears of it");

    // In the kelurahan's queue, marked, and in the RT's.
    let queue = app.get(&lurah, "/cases").await;
    assert_eq!(queue.body["cases"][0]["handed_down_to"], RT_GAREGEH);
    let queue = app.get(&rt, "/cases").await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    assert_eq!(queue.body["cases"].as_array().unwrap().len(), 1);

    // The RT hands it back to the kelurahan, and reads it as it was then.
    let r = forward(&app, &rt, "ADU-0001", KEL_GAREGEH, 2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["event"]["body"]["direction"], "back");
    assert_eq!(r.body["case"]["level"], "kelurahan");
    assert!(
        last_text(&app).contains("Kelurahan Garegeh"),
        "{}",
        last_text(&app)
    );
    let note = json!({"action": "note", "note": "catatan internal", "version": 3});
    assert_eq!(app.act(&lurah, "ADU-0001", note).await.status, 200);
    let read = app.get(&rt, "/cases/ADU-0001").await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert!(
        !event_types(&read).contains(&"note".to_owned()),
        "{:?}",
        event_types(&read)
    );
    assert!(event_types(&read).contains(&"forwarded".to_owned()));
    // Reading is all: the RT can no longer act on it, nor hand it again.
    let again = forward(&app, &rt, "ADU-0001", RT_GAREGEH, 4).await;
    assert_eq!(again.status, 404, "{}", again.text);
    assert_eq!(app.get(&rt, "/cases").await.body["cases"], json!([]));
}

#[tokio::test]
async fn bukan_wewenang_to_a_dinas_then_dinas_to_dinas_then_kota_down() {
    let app = App::new("fwd-side").await;
    app.seed(1, KEL_GAREGEH).await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let reclassify = json!({"action": "reclassify", "category": "jalan", "version": 1});
    let r = app.act(&lurah, "ADU-0001", reclassify).await;
    assert_eq!(r.body["case"]["suggested_agency"], "dinas:pupr", "{}", r.text);

    // The kelurahan's case, sent to the kota first (straight up, skipping the kecamatan).
    let r = forward(&app, &lurah, "ADU-0001", "bukittinggi", 2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["event"]["body"]["direction"], "up");
    assert!(
        last_text(&app).contains("Pemerintah Kota Bukittinggi"),
        "{}",
        last_text(&app)
    );
    // Held by the kota now: not the kelurahan's to hand on.
    let refused = forward(&app, &lurah, "ADU-0001", "dinas:pupr", 3).await;
    assert_eq!((refused.status, refused.code()), (403, "outside_scope"));

    let kota = caller("bukittinggi", "officer");
    let r = forward(&app, &kota, "ADU-0001", "dinas:pupr", 3).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["event"]["body"]["direction"], "sideways");
    assert_eq!(r.body["case"]["suggested_agency"], Value::Null, "already there");
    assert!(
        last_text(&app).contains("Dinas Pekerjaan Umum"),
        "{}",
        last_text(&app)
    );

    let pupr = caller("bukittinggi/dinas/pupr", "officer");
    let r = forward(&app, &pupr, "ADU-0001", "dinas:dlh", 4).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["agency"], "bukittinggi/dinas/dlh");
    assert!(
        last_text(&app).contains("Dinas Lingkungan Hidup"),
        "{}",
        last_text(&app)
    );
    assert_eq!(
        app.get(&pupr, "/cases/ADU-0001").await.status,
        200,
        "the sender reads it"
    );
    assert_eq!(app.get(&pupr, "/cases").await.body["cases"], json!([]));

    let r = forward(&app, &kota, "ADU-0001", KEL_KAYU_KUBU, 5).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["event"]["body"]["direction"], "sideways");
    assert_eq!(r.body["case"]["area"], KEL_KAYU_KUBU);
    assert_eq!(r.body["case"]["level"], "kelurahan");
    assert!(
        last_text(&app).contains("Kelurahan Kayu Kubu"),
        "{}",
        last_text(&app)
    );
    let kayu_kubu = caller(KEL_KAYU_KUBU, "officer");
    assert_eq!(
        app.get(&kayu_kubu, "/cases").await.body["cases"][0]["ticket"],
        "ADU-0001"
    );
    assert_eq!(app.whatsapp.texts().len(), 4, "the citizen told of each move");
}

#[tokio::test]
async fn forwards_are_refused_outside_the_rules() {
    let app = App::new("fwd-refuse").await;
    app.seed(1, KEL_GAREGEH).await;
    app.keep_garegeh_units().await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let neighbour = caller(KEL_PUHUN_TEMBOK, "officer");
    let viewer = caller(KEL_GAREGEH, "viewer");
    let r = forward(&app, &neighbour, "ADU-0001", KEC_MKS, 1).await;
    assert_eq!(r.status, 404, "not theirs to see");
    let r = forward(&app, &viewer, "ADU-0001", KEC_MKS, 1).await;
    assert_eq!((r.status, r.code()), (403, "forbidden"));
    let unknown = format!("{KEL_GAREGEH}/rw-01/rt-09");
    let r = forward(&app, &lurah, "ADU-0001", &unknown, 1).await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    assert!(r.text.contains("unknown RT/RW"), "{}", r.text);
    let r = forward(&app, &lurah, "ADU-0001", "dinas:polres", 1).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = forward(&app, &lurah, "ADU-0001", KEL_GAREGEH, 1).await;
    assert_eq!(r.status, 422, "already there: {}", r.text);
    let r = app
        .act(
            &lurah,
            "ADU-0001",
            json!({"action": "forward", "to": KEC_MKS, "version": 1}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "reason", "{}", r.text);
    // The kecamatan does not hand down to an RT: the kelurahan does.
    let r = forward(&app, &lurah, "ADU-0001", KEC_MKS, 1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let camat = caller(KEC_MKS, "officer");
    let r = forward(&app, &camat, "ADU-0001", RT_GAREGEH, 2).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let stored = app
        .store()
        .case_by_ticket(&aduan_shared::domain::ticket::Ticket::parse("ADU-0001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 2, "refusals change nothing");
}

#[tokio::test]
async fn closures_are_distinct_in_the_case_and_in_stats() {
    let app = App::new("fwd-close").await;
    app.seed(1, KEL_GAREGEH).await;
    app.seed(3, KEL_GAREGEH).await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let outside = json!({
        "action": "dispose", "as": "outside_authority", "to": "PLN ULP Bukittinggi",
        "reason": "Listrik padam adalah urusan PLN.", "version": 1
    });
    // Another kelurahan's official does not see it, a viewer may not act.
    let neighbour = caller(KEL_PUHUN_TEMBOK, "officer");
    assert_eq!(app.act(&neighbour, "ADU-0001", outside.clone()).await.status, 404);
    let viewer = caller(KEL_GAREGEH, "viewer");
    assert_eq!(app.act(&viewer, "ADU-0001", outside.clone()).await.status, 403);
    app.requests.reset();
    let r = app.act(&lurah, "ADU-0001", outside).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Pinned: the ticket's pointer and the case, the reporter's record for
    // the message, one write (case, event, the message), the message's
    // outcome; nothing published.
    assert_eq!(
        app.requests.by_operation(),
        [("GetItem".to_owned(), 3), ("TransactWriteItems".to_owned(), 2)].into()
    );
    assert_eq!(r.body["case"]["status"], "closed");
    assert_eq!(
        r.body["case"]["closed_as"],
        json!({"as": "outside_authority", "to": "PLN ULP Bukittinggi"})
    );
    assert!(
        last_text(&app).contains("PLN ULP Bukittinggi"),
        "{}",
        last_text(&app)
    );
    let none = json!({"action": "dispose", "as": "no_further_action", "reason": "Sudah diperbaiki warga.", "version": 1});
    let r = app.act(&lurah, "ADU-0003", none).await;
    assert_eq!(
        r.body["case"]["closed_as"],
        json!({"as": "no_further_action"}),
        "{}",
        r.text
    );
    let bad = json!({"action": "dispose", "as": "duplicate", "reason": "x", "version": 2});
    assert_eq!(app.act(&lurah, "ADU-0003", bad).await.status, 422);

    let stats = app.get(&lurah, "/stats").await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(
        stats.body["by_closure"],
        json!({"resolved": 0, "duplicate": 0, "outside_authority": 1, "no_further_action": 1})
    );
    assert_eq!(stats.body["resolved"], 0, "closed, but not resolved");
}
