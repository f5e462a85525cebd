//! Registered officials' WhatsApp notices from the API: a forward or an
//! escalation reaches the confirmed officials at the case's new holder and
//! those above it who asked for everything below (`notify_below`), as the
//! approved template with its quick-reply payloads; nobody else; each
//! notice recorded by the message id the send API returned; a failed send
//! does not fail the action; and no send carries the reporter's number or
//! BSUID. Against the local emulator and the WhatsApp stand-in.

mod support;

use aduan_shared::domain::official::Registration;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::notify::officials::DEFAULT_TEMPLATE;
use aduan_shared::store::NoticeRef;
use aduan_testkit::seed;
use aduan_testkit::standin::Mode;
use serde_json::{json, Value};
use support::*;

/// The notices the stand-in received (the officials' template), with the
/// message id it answered each with (`wamid.OUT<n>`, n counting every send).
fn notices(app: &App) -> Vec<(String, Value)> {
    app.whatsapp
        .received()
        .into_iter()
        .enumerate()
        .filter(|(_, r)| r.body["template"]["name"] == DEFAULT_TEMPLATE)
        .map(|(n, r)| (format!("wamid.OUT{}", n + 1), r.body))
        .collect()
}

fn params(notice: &Value) -> Vec<String> {
    notice["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

fn payloads(notice: &Value) -> Vec<(String, String)> {
    notice["template"]["components"].as_array().unwrap()[1..]
        .iter()
        .map(|b| {
            assert_eq!(
                (&b["type"], &b["sub_type"]),
                (&json!("button"), &json!("quick_reply"))
            );
            (
                b["index"].as_str().unwrap().to_owned(),
                b["parameters"][0]["payload"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The number a registration's notices go to, as the send API takes it.
fn wa_id(number: &str) -> String {
    format!("62{}", &number[1..])
}

/// Nothing any send carried names the reporter of case `n`, but the
/// address of those sent to them.
fn assert_private(app: &App, n: u64) {
    for sent in app.whatsapp.received() {
        let mut body = sent.body.clone();
        let object = body.as_object_mut().unwrap();
        if object.get("to") == Some(&json!(number_of(n))) {
            object.remove("to");
        }
        let body = body.to_string();
        assert!(!body.contains(&number_of(n)), "{body}");
        assert!(!body.contains(&bsuid_of(n)), "{body}");
    }
}

async fn register(app: &App, scope: &str, number: &str, notify_below: bool, confirmed: bool) -> Registration {
    seed::official(app.store(), &app.keys, scope, number, notify_below, confirmed).await
}

#[tokio::test]
async fn a_forward_tells_the_new_holders_confirmed_officials_and_those_above_who_asked() {
    let app = App::new("notice-fwd").await;
    let now = chrono::Utc::now();
    let case = app
        .seed_described(
            1,
            KEL_PUHUN_TEMBOK,
            now,
            now,
            "Jalan di depan SD berlubang,\nhubungi 0812-7777-6666 kalau perlu".into(),
        )
        .await;
    let garegeh = register(&app, KEL_GAREGEH, "081211110001", false, true).await;
    let camat = register(&app, KEC_MKS, "081211110005", true, true).await;
    // Not told: not confirmed yet, below the holder, above it without
    // asking, and the office that sent it on.
    register(&app, KEL_GAREGEH, "081211110002", false, false).await;
    register(&app, RW_GAREGEH, "081211110003", false, true).await;
    register(&app, KEC_MKS, "081211110004", false, true).await;
    register(&app, "bukittinggi", "081211110006", false, true).await;
    register(&app, KEL_PUHUN_TEMBOK, "081211110007", true, true).await;

    let neighbour = caller(KEL_PUHUN_TEMBOK, "officer");
    let body =
        json!({"action": "forward", "to": KEL_GAREGEH, "reason": "lokasinya di Garegeh", "version": 1});
    let r = app.act(&neighbour, "ADU-0001", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["notification"]["delivery"], "sent", "the citizen told too");

    let sent = notices(&app);
    let mut to: Vec<&str> = sent.iter().map(|(_, n)| n["to"].as_str().unwrap()).collect();
    to.sort_unstable();
    assert_eq!(to, [wa_id("081211110001"), wa_id("081211110005")]);
    let stored = app.store().case(&case.id).await.unwrap().unwrap();
    let due = stored
        .due_at
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y")
        .to_string();
    for (wamid, notice) in &sent {
        assert_eq!(notice["template"]["language"]["code"], "id");
        let params = params(notice);
        assert_eq!(
            params[..6],
            [
                "ADU-0001",
                "diteruskan dari Kelurahan Puhun Tembok",
                "Garegeh",
                "pengaduan",
                "belum ditentukan",
                due.as_str(),
            ]
        );
        assert!(
            params[6].starts_with("Jalan di depan SD berlubang, hubungi"),
            "{}",
            params[6]
        );
        assert!(!params[6].contains("7777-6666"), "masked: {}", params[6]);
        assert_eq!(
            payloads(notice),
            [
                ("0".to_owned(), "off:verify:ADU-0001".to_owned()),
                ("1".to_owned(), "off:start:ADU-0001".to_owned()),
                ("2".to_owned(), "off:info:ADU-0001".to_owned()),
            ]
        );
        let official = if notice["to"] == wa_id("081211110001") {
            &garegeh
        } else {
            &camat
        };
        assert_eq!(
            app.store().notice(wamid).await.unwrap(),
            Some(NoticeRef {
                ticket: Ticket::parse("ADU-0001").unwrap(),
                case_id: case.id.clone(),
                official_id: official.id.clone(),
            }),
            "recorded by the id the send API returned"
        );
    }
    assert_eq!(app.store().notice("wamid.unknown").await.unwrap(), None);
    // Past its 30 days a notice is gone (the TTL's deletion may lag).
    let stale = NoticeRef {
        ticket: Ticket::parse("ADU-0001").unwrap(),
        case_id: case.id.clone(),
        official_id: garegeh.id.clone(),
    };
    let month_ago = now - chrono::Duration::days(31);
    app.store()
        .record_notice("wamid.OLD", &stale, month_ago)
        .await
        .unwrap();
    assert_eq!(app.store().notice("wamid.OLD").await.unwrap(), None);
    assert_private(&app, 1);
}

#[tokio::test]
async fn an_escalation_tells_the_kecamatan_and_a_failed_notice_fails_nothing() {
    let app = App::new("notice-esc").await;
    app.seed(1, KEL_GAREGEH).await;
    app.seed(2, KEL_GAREGEH).await;
    register(&app, KEC_MKS, "081211110004", false, true).await;
    register(&app, KEL_GAREGEH, "081211110001", false, true).await;
    let lurah = caller(KEL_GAREGEH, "officer");

    let r = app
        .post(
            &lurah,
            "/cases/ADU-0001/escalations",
            json!({"reason": "butuh alat berat"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sent = notices(&app);
    assert_eq!(sent.len(), 1, "the kecamatan only: {sent:?}");
    assert_eq!(sent[0].1["to"], wa_id("081211110004"));
    assert_eq!(params(&sent[0].1)[1], "dinaikkan dari Kelurahan Garegeh");
    assert!(app.store().notice(&sent[0].0).await.unwrap().is_some());

    // WhatsApp refuses everything: the escalation stands all the same.
    app.whatsapp.set_mode(Mode::Fail(500));
    let r = app
        .post(
            &lurah,
            "/cases/ADU-0002/escalations",
            json!({"reason": "butuh alat berat"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["level"], "kecamatan");
    let attempted = notices(&app);
    assert_eq!(attempted.len(), 2, "tried once, not retried");
    assert_eq!(app.store().notice(&attempted[1].0).await.unwrap(), None);
    assert_private(&app, 1);
    assert_private(&app, 2);
}
