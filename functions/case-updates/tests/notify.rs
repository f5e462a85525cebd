//! What leaves the system: escalations on SNS (seen through SQS queues
//! subscribed with filter policies), WhatsApp messages inside and outside
//! the 24-hour window, and never the reporter's number.

mod support;

use aduan_shared::domain::sla::WorkingCalendar;
use aduan_shared::store::Store;
use aduan_testkit::faults::{Fault, FaultProxy, Rule};
use aduan_testkit::standin::Mode;
use serde_json::{json, Value};
use support::*;

/// An SQS queue subscribed to the app's escalation topic with `filter`.
async fn subscribed_queue(app: &App, name: &str, filter: Value) -> String {
    let queue_name = format!("{name}-{}", ulid::Ulid::new().to_string().to_lowercase());
    aduan_testkit::sns::subscribed_queue(&app.sdk, &app.topic_arn, &queue_name, Some(&filter))
        .await
        .unwrap()
}

/// The SNS envelopes (JSON text) that reached the queue.
async fn received(app: &App, url: &str) -> Vec<String> {
    let envelopes = aduan_testkit::sns::drain(&app.sdk, url).await.unwrap();
    envelopes.iter().map(Value::to_string).collect()
}

#[tokio::test]
async fn escalations_reach_the_subscribers_of_the_jurisdiction_only() {
    let app = App::new("escalate").await;
    app.seed(1, KEL_GAREGEH).await;
    let kecamatan_queue = subscribed_queue(
        &app,
        "mks",
        json!({"jurisdiction": [{"prefix": format!("{KEC_MKS}/")}], "type": ["escalation"]}),
    )
    .await;
    let other_queue = subscribed_queue(
        &app,
        "guguk",
        json!({"jurisdiction": [{"prefix": format!("{KEC_GUGUK}/")}]}),
    )
    .await;
    let pupr_queue = subscribed_queue(
        &app,
        "pupr",
        json!({"jurisdiction": [{"prefix": "bukittinggi/dinas/pupr/"}]}),
    )
    .await;

    let officer = caller(KEL_GAREGEH, "officer");
    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"reason": "Butuh alat berat"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["level"], "kecamatan");
    assert_eq!(r.body["publish"], "published");
    assert_eq!(r.body["event"]["body"]["to"], "kecamatan");
    assert_eq!(r.body["event"]["body"]["reason"], "Butuh alat berat");
    assert_eq!(r.body["event"]["actor"]["sub"], officer.sub);
    assert_eq!(r.body["notification"]["delivery"], "sent");

    let got = received(&app, &kecamatan_queue).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let envelope: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(envelope["MessageAttributes"]["level"]["Value"], "kecamatan");
    assert_eq!(
        envelope["MessageAttributes"]["jurisdiction"]["Value"],
        format!("{KEL_GAREGEH}/")
    );
    assert!(got[0].contains("ADU-0001"));
    assert!(!got[0].contains(&number_of(1)));
    assert!(received(&app, &other_queue).await.is_empty());

    // To an agency: its subscribers hear of it; stale version and the top of the ladder refuse.
    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"to": "dinas:pupr", "version": 1}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "version_conflict"));
    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"to": "dinas:pupr", "version": 2}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["agency"], "bukittinggi/dinas/pupr");
    assert_eq!(received(&app, &pupr_queue).await.len(), 1);
    // Now in the agency's queue too.
    let r = app
        .get(&caller("bukittinggi/dinas/pupr", "viewer"), "/cases")
        .await;
    assert_eq!(r.body["cases"][0]["ticket"], "ADU-0001");

    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"to": "kecamatan"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "illegal_escalation"));
    assert_eq!(r.body["error"]["level"], "dinas:pupr");
    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"to": "dinas:bioskop"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    let r = app.post(&officer, "/cases/ADU-0001/escalations", json!({})).await;
    assert_eq!(r.body["case"]["level"], "kota");
    let r = app.post(&officer, "/cases/ADU-0001/escalations", json!({})).await;
    assert_eq!((r.status, r.code()), (409, "illegal_escalation"));
}

#[tokio::test]
async fn a_failed_publish_leaves_the_escalation_pending_and_the_api_answers() {
    let mut app = App::new("escalate-pending").await;
    app.seed(1, KEL_GAREGEH).await;
    let missing_topic = format!("{}-gone", app.topic_arn);
    app.state.escalations = aduan_shared::notify::EscalationNotifier::new(
        aduan_shared::notify::SnsPublisher::new(aws_sdk_sns::Client::new(&app.sdk)),
        app.state.store.clone(),
        missing_topic,
    );
    let officer = caller(KEL_GAREGEH, "officer");
    let r = app
        .post(&officer, "/cases/ADU-0001/escalations", json!({"to": "kota"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["publish"], "pending");
    assert_eq!(r.body["case"]["level"], "kota");
    let due = app
        .store()
        .outbox_due(chrono::Utc::now() + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    assert_eq!(
        due.iter().filter(|e| e.kind == "escalation").count(),
        1,
        "{due:?}"
    );
}

#[tokio::test]
async fn official_messages_go_free_form_inside_the_window_and_as_templates_outside() {
    let app = App::new("window").await;
    let now = chrono::Utc::now();
    app.seed_at(1, KEL_GAREGEH, now, now - chrono::Duration::hours(2))
        .await;
    app.seed_at(2, KEL_GAREGEH, now, now - chrono::Duration::hours(25))
        .await;
    let officer = caller(KEL_GAREGEH, "officer");

    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/messages",
            json!({"text": "Mohon kirim foto lokasinya"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["delivery"], "sent");
    assert_eq!(r.body["via_template"], false);
    let r = app
        .post(
            &officer,
            "/cases/ADU-0002/messages",
            json!({"text": "Mohon kirim foto lokasinya"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["via_template"], true);

    let sent = app.whatsapp.received();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body["type"], "text");
    assert_eq!(sent[0].body["to"], number_of(1), "sent to the case's reporter");
    assert!(sent[0].body["text"]["body"]
        .as_str()
        .unwrap()
        .contains("Mohon kirim foto lokasinya"));
    assert_eq!(sent[1].body["type"], "template");
    assert_eq!(sent[1].body["template"]["name"], "aduan_official_message");
    assert_eq!(sent[1].body["template"]["language"]["code"], "id");
    // Its own parameters: the ticket and the official's words, not a sentence.
    assert_eq!(
        sent[1].body["template"]["components"][0]["parameters"],
        json!([
            {"type": "text", "text": "ADU-0002"},
            {"type": "text", "text": "Mohon kirim foto lokasinya"}
        ])
    );

    // Recorded on the timeline as the official's, with its delivery status.
    let r = app.get(&officer, "/cases/ADU-0002").await;
    let outbound = r.body["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(outbound["body"]["type"], "outbound");
    assert_eq!(outbound["body"]["via_template"], true);
    assert_eq!(outbound["actor"]["sub"], officer.sub);

    // The status notices follow the same rule.
    let r = app
        .act(&officer, "ADU-0002", json!({"action": "verify", "version": 1}))
        .await;
    assert_eq!(r.body["notification"]["via_template"], true, "{}", r.text);
    assert_eq!(
        app.whatsapp.received()[2].body["template"]["name"],
        "aduan_verified"
    );
    // An escalation names the office that has the case now.
    let r = app
        .post(
            &officer,
            "/cases/ADU-0002/escalations",
            json!({"reason": "Perlu alat berat"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let escalated = &app.whatsapp.received()[3].body["template"];
    assert_eq!(escalated["name"], "aduan_escalated");
    assert_eq!(
        escalated["components"][0]["parameters"][1]["text"],
        "Kecamatan Mandiangin Koto Selayan"
    );

    for body in [
        json!({}),
        json!({"text": "   "}),
        json!({"text": "x".repeat(1001)}),
    ] {
        let r = app.post(&officer, "/cases/ADU-0001/messages", body).await;
        assert_eq!((r.status, r.code()), (422, "invalid_request"));
    }
}

/// A citizen who sent `BERHENTI` gets no notice and no official's message:
/// each is recorded on the case as withheld, the API says so, the sweep
/// does not send one saved before, and nothing reaches WhatsApp.
#[tokio::test]
async fn a_citizen_who_sent_berhenti_is_sent_nothing_and_officials_see_why() {
    let app = App::new("stopped").await;
    let case = app.seed(1, KEL_GAREGEH).await;
    let mut reporter = app
        .store()
        .reporter(case.reporter.id().unwrap())
        .await
        .unwrap()
        .unwrap();
    reporter.stopped_at = Some(chrono::Utc::now());
    app.store().save_reporter(&mut reporter).await.unwrap();
    let officer = caller(KEL_GAREGEH, "officer");

    let r = app
        .act(&officer, "ADU-0001", json!({"action": "verify", "version": 1}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["notification"]["delivery"], "withheld", "{}", r.text);
    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/messages",
            json!({"text": "Mohon kirim foto lokasinya"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["delivery"], "withheld");

    let r = app.get(&officer, "/cases/ADU-0001").await;
    let statuses: Vec<Value> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"]["type"] == "outbound")
        .map(|e| e["body"]["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("withheld"), json!("withheld")]);
    assert!(
        app.whatsapp.received().is_empty(),
        "{:?}",
        app.whatsapp.received()
    );
    assert!(
        app.store()
            .pending_outbound(chrono::Utc::now() + chrono::Duration::days(1), 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing left for the sweep"
    );
}

#[tokio::test]
async fn an_official_message_that_cannot_be_saved_is_a_503_and_not_sent() {
    let mut app = App::new("message-unsaved").await;
    app.seed(1, KEL_GAREGEH).await;
    // The store's writes go through a proxy that fails the pending
    // message's write beyond the SDK's retries: a TransactWriteItems, since
    // the message is saved with its audit entry.
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::op("TransactWriteItems", 1, Fault::Status(503)).times(10));
    let proxied = proxy.sdk_config().await;
    let proxied_store = Store::new(
        aws_sdk_dynamodb::Client::new(&proxied),
        app.store().table().to_owned(),
        WorkingCalendar::default(),
    );
    app.state.store = proxied_store;
    let officer = caller(KEL_GAREGEH, "officer");

    let r = app
        .post(
            &officer,
            "/cases/ADU-0001/messages",
            json!({"text": "Petugas datang besok"}),
        )
        .await;
    assert_eq!(r.status, 503, "the official is told to try again: {}", r.text);
    assert!(proxy.injected() >= 3, "the fault was reached");
    assert!(
        app.whatsapp.received().is_empty(),
        "nothing sent that was not saved"
    );
    let r = app.get(&officer, "/cases/ADU-0001").await;
    let outbound = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"]["type"] == "outbound")
        .count();
    assert_eq!(outbound, 0, "{}", r.text);
}

/// A citizen known only by their BSUID (their number withheld) is written to
/// by `recipient`, templates too; a message Meta will not send to a BSUID
/// (131062) stays pending, visible to officials, rather than failing.
#[tokio::test]
async fn a_citizen_known_by_bsuid_alone_is_written_to_by_recipient() {
    let app = App::new("bsuid").await;
    let now = chrono::Utc::now();
    app.seed_with(
        citizen(1, false),
        1,
        KEL_GAREGEH,
        now,
        now - chrono::Duration::hours(2),
        "Jalan rusak".into(),
        Vec::new(),
    )
    .await;
    app.seed_with(
        citizen(2, false),
        2,
        KEL_GAREGEH,
        now,
        now - chrono::Duration::hours(25),
        "Jalan rusak".into(),
        Vec::new(),
    )
    .await;
    let officer = caller(KEL_GAREGEH, "officer");
    let text = json!({"text": "Mohon kirim foto lokasinya"});
    for ticket in ["ADU-0001", "ADU-0002"] {
        let r = app
            .post(&officer, &format!("/cases/{ticket}/messages"), text.clone())
            .await;
        assert_eq!(
            (r.status, r.body["delivery"].as_str()),
            (200, Some("sent")),
            "{}",
            r.text
        );
    }
    let sent = app.whatsapp.received();
    assert_eq!(sent[1].body["type"], "template");
    for (n, s) in [(1, &sent[0]), (2, &sent[1])] {
        assert_eq!(
            (s.body.get("to"), s.body["recipient"].as_str()),
            (None, Some(bsuid_of(n).as_str()))
        );
    }

    app.whatsapp.set_mode(Mode::RefuseBsuid);
    let r = app.post(&officer, "/cases/ADU-0001/messages", text).await;
    assert_eq!(
        (r.status, r.body["delivery"].as_str()),
        (200, Some("pending")),
        "{}",
        r.text
    );
    let r = app.get(&officer, "/cases/ADU-0001").await;
    let outbound = r.body["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(outbound["body"]["status"], "pending", "{outbound}");
    assert!(
        outbound["body"]["error"].as_str().unwrap().contains("131062"),
        "{outbound}"
    );
}

#[tokio::test]
async fn stats_for_the_scope_and_period() {
    let app = App::new("stats").await;
    let now = chrono::Utc::now();
    let hours = |h| now - chrono::Duration::hours(h);
    for n in 1..=4 {
        app.seed_at(n, KEL_GAREGEH, hours(10), hours(10)).await;
    }
    app.seed_at(5, KEL_PUHUN_TEMBOK, hours(10), hours(10)).await;
    app.seed_at(6, KEC_MKS, hours(10), hours(10)).await;
    app.seed_at(7, KEL_KAYU_KUBU, hours(10), hours(10)).await; // another kecamatan
    app.seed_at(8, KEL_GAREGEH, hours(24 * 60), hours(24 * 60)).await; // before the period
    let officer = caller(KEC_MKS, "officer");
    for ticket in ["ADU-0001", "ADU-0002", "ADU-0005"] {
        for (action, version) in [("verify", 1), ("start", 2), ("resolve", 3)] {
            let r = app
                .act(
                    &officer,
                    ticket,
                    json!({"action": action, "note": "selesai", "version": version}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
    let r = app
        .act(
            &officer,
            "ADU-0003",
            json!({"action": "reject", "reason": "ganda", "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200);

    let r = app.get(&officer, "/stats").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = &r.body;
    assert_eq!(s["scope"], KEC_MKS);
    assert_eq!(s["total"], 6);
    assert_eq!(s["resolved"], 3);
    assert_eq!(s["by_status"]["resolved"], 3);
    assert_eq!(s["by_status"]["rejected"], 1);
    assert_eq!(s["by_status"]["received"], 2);
    assert_eq!(s["by_status"]["closed"], 0);
    assert_eq!(s["by_kind"]["pengaduan"], 3);
    assert_eq!(s["by_kind"]["saran"], 3);
    assert_eq!(s["by_kelurahan"][KEL_GAREGEH], 4);
    assert_eq!(s["by_kelurahan"][KEL_PUHUN_TEMBOK], 1);
    assert_eq!(s["by_kelurahan"]["unassigned"], 1);
    // Every case of the period in its week, by status: six, none from before it.
    let weekly: u64 = s["by_week"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|statuses| statuses.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(weekly, 6, "{}", s["by_week"]);
    let local =
        (now - chrono::Duration::hours(10)).with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap());
    let monday = local.date_naive()
        - chrono::Days::new(u64::from(
            chrono::Datelike::weekday(&local).num_days_from_monday(),
        ));
    assert_eq!(
        s["by_week"][monday.to_string()]["resolved"],
        3,
        "{}",
        s["by_week"]
    );
    let verify = s["median_hours_to_verify"].as_f64().unwrap();
    assert!((9.9..=10.1).contains(&verify), "{verify}");
    assert!(s["median_hours_to_resolve"].as_f64().unwrap() >= verify);

    let r = app.get(&caller(KEL_KAYU_KUBU, "viewer"), "/stats").await;
    assert_eq!(r.body["total"], 1);
    assert!(r.body["median_hours_to_verify"].is_null());
    let r = app
        .get(&officer, "/stats?since=2020-01-01&until=2026-12-31")
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
}

#[tokio::test(flavor = "current_thread")]
async fn no_response_log_line_or_sns_body_contains_the_reporters_number() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();

    let app = App::new("privacy").await;
    let now = chrono::Utc::now();
    app.seed_at(1, KEL_GAREGEH, now, now - chrono::Duration::hours(30))
        .await;
    app.seed(2, KEL_GAREGEH).await;
    let queue = subscribed_queue(&app, "all", json!({"type": ["escalation"]})).await;
    let officer = caller("bukittinggi", "admin");
    let mut responses = vec![
        app.get(&officer, "/cases").await,
        app.get(&officer, "/cases/ADU-0001").await,
        app.act(&officer, "ADU-0001", json!({"action": "verify", "version": 1}))
            .await,
        app.post(
            &officer,
            "/cases/ADU-0001/messages",
            json!({"text": "Terima kasih"}),
        )
        .await,
        app.post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"to": "dinas:pupr"}),
        )
        .await,
        app.act(
            &officer,
            "ADU-0002",
            json!({"action": "reject", "reason": "x", "version": 1}),
        )
        .await,
        app.get(&officer, "/stats").await,
    ];
    responses.push(app.get(&officer, "/cases/ADU-0001").await);
    let sns_bodies = received(&app, &queue).await;
    assert_eq!(sns_bodies.len(), 1);
    let log_text = logs.text();
    assert!(!log_text.is_empty());
    for n in [1, 2] {
        let number = number_of(n);
        let local = format!("0{}", &number[2..]);
        // The BSUID sealed with the number is personal data just the same.
        let bsuid = bsuid_of(n);
        let forms = [&number, &local, &bsuid, &bsuid[3..].to_owned()];
        for r in &responses {
            assert!(r.status < 300, "{}", r.text);
            assert!(forms.iter().all(|f| !r.text.contains(*f)), "{}", r.text);
        }
        for body in &sns_bodies {
            assert!(forms.iter().all(|f| !body.contains(*f)), "{body}");
        }
        assert!(forms.iter().all(|f| !log_text.contains(*f)), "{log_text}");
    }
    // The stand-in did get the number: it is where the message went.
    assert!(app
        .whatsapp
        .received()
        .iter()
        .any(|s| s.body["to"] == number_of(1)));
}

/// A Meta message id as Meta mints them: base64 of a small record that
/// starts with the WhatsApp number (its documentation's example,
/// `wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTRCRDcwNzgzMTRGNzBFQ0RBMAA=`,
/// decodes to `16467043595` and a message key).
fn wamid_of(number: &str, key: &str) -> String {
    use base64::Engine;
    let mut record = vec![0x1c, 0x18, number.len() as u8];
    record.extend_from_slice(number.as_bytes());
    record.extend_from_slice(&[0x15, 0x02, 0x00, 0x12, 0x18, key.len() as u8]);
    record.extend_from_slice(key.as_bytes());
    record.push(0x00);
    format!(
        "wamid.{}",
        base64::engine::general_purpose::STANDARD.encode(record)
    )
}

/// What must never reach an official: where a provider keeps a citizen's
/// file, and the provider's message ids (a `wamid` carries the number).
const PROVIDER_HANDLES: [&str; 6] = [
    "api.twilio.com",
    "/2010-04-01/Accounts/",
    "/Media/ME",
    "lookaside.fbsbx.com",
    "wamid.",
    "MM1f2a3b4c5d6e7f8091a2b3c4d5e6f708",
];

#[tokio::test]
async fn no_officials_response_carries_a_provider_media_link_or_message_id() {
    use aduan_shared::domain::timeline::{
        Actor, EventBody, MediaStorage, MessageContent, StoredFile, TimelineEvent,
    };
    use aduan_shared::whatsapp::{meta, twilio, InboundBody};

    let app = App::new("provider-links").await;
    let mut case = app.seed(1, KEL_GAREGEH).await;
    let now = chrono::Utc::now();
    let number = number_of(1);

    // A photo through Twilio, as Twilio's incoming-message webhook posts it.
    let account = "AC0123456789abcdef0123456789abcdef";
    let message_sid = PROVIDER_HANDLES[5];
    let media_url = format!(
        "https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/{message_sid}/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    );
    let params: Vec<(String, String)> = [
        ("SmsMessageSid", message_sid),
        ("NumMedia", "1"),
        ("ProfileName", "Warga"),
        ("MessageType", "image"),
        ("SmsSid", message_sid),
        ("WaId", &number),
        ("SmsStatus", "received"),
        ("Body", "Lubang di depan sekolah"),
        ("To", "whatsapp:+6281100000000"),
        ("MediaContentType0", "image/jpeg"),
        ("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"),
        ("NumSegments", "1"),
        ("ReferralNumMedia", "0"),
        ("MessageSid", message_sid),
        ("AccountSid", account),
        ("From", &format!("whatsapp:+{number}")),
        ("MediaUrl0", &media_url),
        ("ApiVersion", "2010-04-01"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .into();
    let twilio_photo = twilio::parse(&params, now).unwrap().remove(0);
    // A document through Meta, with Meta's id; and one stored with a Meta
    // media URL, as a parser that kept one would store it.
    let wamid = wamid_of(&number, "3A4BD7078314F70ECDA0");
    let body = meta::fixtures::message(
        "100200300",
        &number,
        &wamid,
        now.timestamp(),
        "document",
        json!({"id": "1013859600285441", "mime_type": "application/pdf", "sha256": "x", "filename": "surat.pdf", "caption": "Surat RT"}),
    );
    let meta_document = meta::parse(&serde_json::to_vec(&body).unwrap())
        .unwrap()
        .messages
        .remove(0);
    let mut events = Vec::new();
    for (inbound, stored) in [(twilio_photo, true), (meta_document, false)] {
        let InboundBody::Content(content) = inbound.body else {
            panic!("{inbound:?}")
        };
        let mut event = EventBody::message(inbound.message_id, content);
        if let EventBody::Message { stored: s, file, .. } = &mut event {
            *s = Some(if stored {
                MediaStorage::Stored
            } else {
                MediaStorage::Pending
            });
            *file = stored.then(|| StoredFile {
                key: "cases/ADU-0001/01JDEXAMPLE-ME0a1b".into(),
                bytes: 12,
                mime_type: Some("image/jpeg".into()),
            });
        }
        events.push(TimelineEvent::new(now, Actor::Citizen, event));
    }
    let lookaside =
        "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1013859600285442&ext=1733000000&hash=ATsx"
            .to_owned();
    events.push(TimelineEvent::new(
        now,
        Actor::Citizen,
        EventBody::message(
            wamid_of(&number, "3A4BD7078314F70ECDA1"),
            MessageContent::Media {
                media_type: aduan_shared::domain::timeline::MediaType::Image,
                media_id: "1013859600285442".into(),
                mime_type: Some("image/jpeg".into()),
                caption: None,
                url: Some(lookaside.clone()),
            },
        ),
    ));
    app.store().save_case(&mut case, &events, None).await.unwrap();
    // The handles are really there to leak: the stored timeline keeps them.
    let (_, stored) = app.store().case_with_timeline(&case.id).await.unwrap().unwrap();
    let stored = serde_json::to_string(&stored).unwrap();
    for handle in [media_url.as_str(), &wamid, &lookaside, message_sid] {
        assert!(stored.contains(handle), "{handle} not stored");
    }

    let officer = caller("bukittinggi", "admin");
    let viewer = caller(KEL_GAREGEH, "viewer");
    let version = case.version;
    let responses = vec![
        app.get(&viewer, "/cases").await,
        app.get(&viewer, "/cases/ADU-0001").await,
        app.act(
            &officer,
            "ADU-0001",
            json!({"action": "verify", "version": version}),
        )
        .await,
        app.act(
            &officer,
            "ADU-0001",
            json!({"action": "note", "note": "Dicek", "version": version + 1}),
        )
        .await,
        app.post(
            &officer,
            "/cases/ADU-0001/messages",
            json!({"text": "Terima kasih"}),
        )
        .await,
        app.post(
            &officer,
            "/cases/ADU-0001/escalations",
            json!({"to": "kecamatan"}),
        )
        .await,
        app.get(&officer, "/cases/ADU-0001").await,
    ];
    for r in &responses {
        assert!(r.status < 300, "{}", r.text);
        for handle in PROVIDER_HANDLES {
            assert!(!r.text.contains(handle), "{handle} in {}", r.text);
        }
        assert!(!r.text.contains(&number), "{}", r.text);
    }
    // What officials need of the files is all there: id, kind, type, caption, where it stands.
    let timeline = responses[6].body["timeline"].as_array().unwrap();
    let media: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["body"]["content"]["type"] == "media")
        .collect();
    assert_eq!(media.len(), 3, "{timeline:?}");
    assert_eq!(
        media[0]["body"]["content"],
        json!({"type": "media", "media_type": "image", "media_id": "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9", "mime_type": "image/jpeg", "caption": "Lubang di depan sekolah"})
    );
    assert_eq!(media[0]["body"]["stored"], "stored");
    assert_eq!(media[1]["body"]["content"]["caption"], "Surat RT");
    // The messages sent to the citizen show their delivery, not their id.
    let outbound: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["body"]["type"] == "outbound")
        .collect();
    assert_eq!(outbound.len(), 3, "{timeline:?}");
    assert!(outbound.iter().all(|e| e["body"]["status"] == "sent"));
    assert_eq!(responses[4].body["delivery"], "sent", "{}", responses[4].text);
}

/// The `expires_at` of every item holding the reporter's contact.
async fn contact_ttls(app: &App) -> Vec<Option<i64>> {
    let items = aduan_testkit::retention::contact_items(&app.sdk, app.store().table()).await;
    items.into_values().collect()
}

#[tokio::test]
async fn an_officials_close_starts_the_contacts_retention_in_its_own_write_and_a_reopening_ends_it() {
    let app = App::new("retention-close").await;
    let case = app.seed(1, KEL_GAREGEH).await;
    let officer = caller(KEL_GAREGEH, "officer");
    let mut version = 1;
    for body in [
        json!({"action": "verify"}),
        json!({"action": "start"}),
        json!({"action": "resolve", "note": "Lubang sudah ditambal"}),
    ] {
        let mut body = body;
        body["version"] = json!(version);
        let r = app.act(&officer, "ADU-0001", body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        version += 1;
    }
    // The record and its copy (the number's key besides the BSUID's).
    assert_eq!(contact_ttls(&app).await, vec![None, None], "open: kept");

    // `close` tells the citizen nothing, so the record is read for it (one
    // GetItem) and written in the close's own transaction.
    app.requests.reset();
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "close", "version": version}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.requests.by_operation(),
        [("GetItem".to_owned(), 3), ("TransactWriteItems".to_owned(), 1)].into()
    );
    version += 1;
    let closed_at = app
        .store()
        .case(&case.id)
        .await
        .unwrap()
        .unwrap()
        .closed_at
        .unwrap();
    let until = (closed_at + chrono::Duration::days(365)).timestamp();
    assert_eq!(contact_ttls(&app).await, vec![Some(until), Some(until)]);

    // Reopening tells the citizen: the record read for that is the one
    // written, no read more than before.
    app.requests.reset();
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "reopen", "version": version}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["notification"]["delivery"], "sent");
    assert_eq!(app.requests.by_operation()["GetItem"], 3);
    assert_eq!(contact_ttls(&app).await, vec![None, None], "open again: kept");
}
