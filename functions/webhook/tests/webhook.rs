//! The webhook driven as Lambda drives it: real API Gateway HTTP API events,
//! signed with real HMACs, against the DynamoDB emulator and a stand-in for
//! WhatsApp's send API.

use std::sync::Arc;

use aduan_shared::config::Env;
use aduan_shared::domain::case::{Case, Provider};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::timeline::{
    DeliveryStatus, EventBody, MediaStorage, MessageContent, StoredFile, TimelineEvent,
};
use aduan_shared::store::{keys, QueueQuery, QueueScope, Store};
use aduan_shared::whatsapp::meta::fixtures;
use aduan_shared::whatsapp::signature::{sign_meta, sign_twilio};
use aduan_testkit::counting::RequestCounter;
use aduan_testkit::events::{http_event, request, signed_meta_event};
use aduan_testkit::faults::{Fault, FaultProxy, Rule};
use aduan_testkit::standin::{Mode, WhatsAppStandin};
use aduan_testkit::{base_env, fresh_table, sdk_config};
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use lambda_http::Body;
use serde_json::{json, Value};
use webhook::{handle, App};

/// The conversation in everyday words, end to end (issue 19).
#[path = "webhook/conversation.rs"]
mod conversation;

/// Registered officials acting from WhatsApp (issue 21).
#[path = "webhook/officials.rs"]
mod officials;

const SECRET: &str = "meta-app-secret";
const VERIFY: &str = "verify-me";
const TWILIO_TOKEN: &str = "twilio-token";
const TWILIO_URL: &str = "https://aduan.example.go.id/webhook/twilio";
/// The city's number that serves Mandiangin Koto Selayan only.
const MKS_NUMBER: &str = "111000111";
/// The city's number that serves the whole kota.
const KOTA_NUMBER: &str = "222000222";
const CITIZEN: &str = "6281234567890";
const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

struct Harness {
    app: Arc<App>,
    standin: WhatsAppStandin,
    counter: RequestCounter,
    store: Store,
}

async fn harness(test: &str) -> Harness {
    harness_with(test, |_| {}).await
}

async fn harness_with(test: &str, adjust: impl FnOnce(&mut Vec<(String, String)>)) -> Harness {
    let sdk = sdk_config().await;
    let table = fresh_table(&sdk, test).await;
    let standin = WhatsAppStandin::start().await;
    let mut env = base_env(&table);
    for (k, v) in [
        ("WHATSAPP_APP_SECRET", SECRET),
        ("WHATSAPP_VERIFY_TOKEN", VERIFY),
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", standin.base_url.as_str()),
        (
            "NUMBER_KECAMATAN",
            &format!("{MKS_NUMBER}=bukittinggi/mandiangin-koto-selayan"),
        ),
        ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
        ("TWILIO_WEBHOOK_URL", TWILIO_URL),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    adjust(&mut env);
    let mut app = App::from_config(&Env::from_pairs(env), &sdk)
        .await
        .expect("config");
    let counter = RequestCounter::default();
    let store = Store::new(
        counter.dynamodb_client(&sdk),
        table,
        app.desk.policy.sla.calendar.clone(),
    );
    app.store = store.clone();
    app.officials_api.store = store.clone();
    Harness {
        app: Arc::new(app),
        standin,
        counter,
        store,
    }
}

fn signed_post(body: &Value) -> lambda_http::Request {
    request(&signed_meta_event(SECRET, body))
}

async fn post(h: &Harness, body: &Value) -> (u16, String) {
    let response = handle(&h.app, signed_post(body)).await;
    let status = response.status().as_u16();
    let text = String::from_utf8_lossy(response.body().as_ref()).into_owned();
    (status, text)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn text_from(number: &str, id: &str, body: &str) -> Value {
    fixtures::text(number, CITIZEN, id, now(), body)
}

async fn all_cases(h: &Harness) -> Vec<Case> {
    let scope = QueueScope::Area(JurisdictionPath::parse("bukittinggi").unwrap());
    h.store.queue(&QueueQuery::new(scope)).await.unwrap().items
}

async fn timeline(h: &Harness, case: &Case) -> Vec<TimelineEvent> {
    h.store.case_with_timeline(&case.id).await.unwrap().unwrap().1
}

fn messages(events: &[TimelineEvent]) -> Vec<&MessageContent> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message { content, .. } => Some(content),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn verification_handshake() {
    let h = harness("handshake").await;
    let get = |query: &str| request(&http_event("GET", "/webhook", query, &[], None, false));
    let ok = handle(
        &h.app,
        get(&format!(
            "hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444"
        )),
    )
    .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.body(), &Body::Text("1158201444".into()));
    let wrong = handle(
        &h.app,
        get("hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"),
    )
    .await;
    assert_eq!(wrong.status(), 403);
    let missing = handle(&h.app, get("hub.mode=subscribe&hub.challenge=1")).await;
    assert_eq!(missing.status(), 403);
}

#[tokio::test]
async fn bad_signatures_store_and_send_nothing() {
    let h = harness("signature").await;
    let body = serde_json::to_vec(&text_from(KOTA_NUMBER, "wamid.S1", "Jalan rusak di Garegeh")).unwrap();
    for headers in [
        vec![],
        vec![("x-hub-signature-256", "sha256=00".to_owned())],
        vec![("x-hub-signature-256", sign_meta(b"wrong-secret", &body))],
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = handle(
            &h.app,
            request(&http_event("POST", "/webhook", "", &headers, Some(&body), false)),
        )
        .await;
        assert_eq!(response.status(), 401);
    }
    assert_eq!(h.counter.total(), 0, "nothing read or written");
    assert!(h.standin.received().is_empty());
}

#[tokio::test]
async fn malformed_oversized_and_partly_bad_deliveries() {
    let h = harness("malformed").await;
    let garbage = b"{\"entry\": [".to_vec();
    let sig = sign_meta(SECRET.as_bytes(), &garbage);
    let event = http_event(
        "POST",
        "/webhook",
        "",
        &[("x-hub-signature-256", &sig)],
        Some(&garbage),
        false,
    );
    assert_eq!(handle(&h.app, request(&event)).await.status(), 400);

    let big = vec![b' '; webhook::MAX_BODY + 1];
    let event = http_event("POST", "/webhook", "", &[], Some(&big), false);
    assert_eq!(handle(&h.app, request(&event)).await.status(), 413);

    // One good message among bad ones: the good one is handled, the rest skipped, 200.
    let mut body = text_from(KOTA_NUMBER, "wamid.good", "Jalan rusak di Garegeh");
    let list = body["entry"][0]["changes"][0]["value"]["messages"]
        .as_array_mut()
        .unwrap();
    list.push(json!({"from": CITIZEN, "id": "x".repeat(500), "timestamp": "1", "type": "text", "text": {"body": "a"}}));
    list.push(json!({"from": CITIZEN, "id": "wamid.badloc", "timestamp": now().to_string(), "type": "location", "location": {"latitude": "north"}}));
    list.push(json!({"from": CITIZEN, "id": "wamid.future", "timestamp": now().to_string(), "type": "poll_v9", "poll_v9": {}}));
    let (status, _) = post(&h, &body).await;
    assert_eq!(status, 200);
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    let contents = messages(&timeline(&h, &cases[0]).await)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(
        contents.len(),
        2,
        "the text, and the unknown type kept: {contents:?}"
    );
    assert!(
        matches!(&contents[1], MessageContent::Unsupported { message_type } if message_type == "poll_v9")
    );
}

#[tokio::test]
async fn a_new_complaint_naming_its_kelurahan() {
    let h = harness("new").await;
    let (status, _) = post(
        &h,
        &text_from(
            KOTA_NUMBER,
            "wamid.N1",
            "Jalan berlubang di Kel. Garegeh dekat SD",
        ),
    )
    .await;
    assert_eq!(status, 200);
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case.ticket.as_str(), "ADU-0001");
    assert_eq!(case.status, Status::Received);
    assert_eq!(case.jurisdiction.as_ref().map(|p| p.as_str()), Some(GAREGEH));

    let sent = h.standin.received();
    assert_eq!(sent.len(), 1, "one reply");
    assert_eq!(sent[0].path, format!("/v23.0/{KOTA_NUMBER}/messages"));
    assert_eq!(sent[0].authorization.as_deref(), Some("Bearer token-123"));
    assert_eq!(sent[0].body["to"], CITIZEN);
    let reply = aduan_testkit::standin::message_text(&sent[0].body);
    assert!(
        reply.contains("ADU-0001") && reply.contains("rahasia") && reply.contains("STATUS"),
        "{reply}"
    );
    assert!(reply.contains("Kelurahan Garegeh"), "{reply}");

    // The reply is recorded on the case with the provider's id.
    let events = timeline(&h, case).await;
    assert!(events.iter().any(|e| matches!(&e.body,
        EventBody::Outbound { status: DeliveryStatus::Sent, provider_message_id: Some(id), .. } if id == "wamid.OUT1")));
}

#[tokio::test]
async fn request_counts_per_operation_are_pinned() {
    let h = harness("counts").await;
    // New complaint: the first read (with the ticket sequence), the write,
    // the send and its record.
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.C1", "Sampah menumpuk di Garegeh"),
    )
    .await;
    assert_eq!(
        h.counter.by_operation(),
        [("BatchGetItem", 1), ("TransactWriteItems", 2)]
            .map(|(op, n)| (op.to_owned(), n))
            .into(),
        "new complaint"
    );
    assert_eq!(h.standin.received().len(), 1);
    // Follow-up: at most 2, no send.
    h.counter.reset();
    let photo = fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        "wamid.C2",
        now(),
        "image",
        json!({"id": "MEDIA-1", "mime_type": "image/jpeg", "sha256": "x"}),
    );
    post(&h, &photo).await;
    assert!(
        h.counter.total() <= 2,
        "follow-up: {:?}",
        h.counter.by_operation()
    );
    assert_eq!(h.standin.received().len(), 1);
    // Redelivery: at most 1 and no send.
    h.counter.reset();
    post(&h, &photo).await;
    assert_eq!(h.counter.total(), 1, "redelivery: {:?}", h.counter.by_operation());
    assert_eq!(h.standin.received().len(), 1);
    // A status callback for the reply: at most 2.
    h.counter.reset();
    let delivered = fixtures::status(KOTA_NUMBER, "wamid.OUT1", "delivered", now(), CITIZEN);
    assert_eq!(post(&h, &delivered).await.0, 200);
    assert!(
        h.counter.total() <= 2,
        "status callback: {:?}",
        h.counter.by_operation()
    );

    // Answering a question (the kelurahan, from the list): at most 4, one send.
    let h = harness("counts-choice").await;
    post(&h, &text_from(MKS_NUMBER, "wamid.Q1", "Lampu jalan mati")).await;
    h.counter.reset();
    let choice = fixtures::message(
        MKS_NUMBER,
        CITIZEN,
        "wamid.Q2",
        now(),
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": format!("kel:{GAREGEH}"), "title": "Garegeh"}}),
    );
    post(&h, &choice).await;
    assert!(h.counter.total() <= 4, "answer: {:?}", h.counter.by_operation());
    assert_eq!(h.standin.received().len(), 2);
}

const USER: &str = "ID.1234567890123456";

fn text_by(who: fixtures::Who, id: &str, body: &str) -> Value {
    fixtures::text_by(KOTA_NUMBER, who, id, now(), body)
}

fn withheld(user: &str) -> fixtures::Who<'_> {
    fixtures::Who {
        user_id: Some(user),
        ..Default::default()
    }
}

/// A citizen known by their number adopts a username: one delivery with both
/// ids links them, and from then on the BSUID alone finds their case, at
/// the cost of any follow-up. A change of number moves them along.
#[tokio::test]
async fn a_citizen_whose_number_is_withheld_keeps_their_case_at_the_same_cost() {
    let h = harness("bsuid").await;
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.B1", "Sampah menumpuk di Garegeh"),
    )
    .await;
    let both = fixtures::Who {
        phone: Some(CITIZEN),
        user_id: Some(USER),
        parent_user_id: None,
    };
    post(&h, &text_by(both, "wamid.B2", "sudah seminggu")).await;
    h.counter.reset();
    assert_eq!(
        post(&h, &text_by(withheld(USER), "wamid.B3", "baunya menyengat"))
            .await
            .0,
        200
    );
    assert!(
        h.counter.total() <= 3,
        "follow-up by BSUID: {:?}",
        h.counter.by_operation()
    );
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(
        messages(&timeline(&h, &cases[0]).await).len(),
        3,
        "STATUS is on no case"
    );

    let new = fixtures::Who {
        phone: Some("6281299990000"),
        user_id: Some("ID.777"),
        parent_user_id: None,
    };
    let change = fixtures::identity_changed(KOTA_NUMBER, "wamid.SYS1", now(), both, new);
    assert_eq!(post(&h, &change).await.0, 200);
    assert_eq!(post(&h, &change).await.0, 200, "again: a duplicate");
    post(&h, &text_by(new, "wamid.B4", "masih belum diangkut")).await;
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1, "no case doubled");
    assert_eq!(messages(&timeline(&h, &cases[0]).await).len(), 4);
}

/// One person with two records (their number's, from before BSUIDs, and
/// their BSUID's, started while the number was withheld): the first
/// delivery with both ids merges them in its one transaction, at the cost of
/// any follow-up, and from then on either id finds both cases.
#[tokio::test]
async fn a_delivery_with_both_ids_merges_two_records_of_one_person() {
    let h = harness("bsuid-merge").await;
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.M1", "Sampah menumpuk di Garegeh"),
    )
    .await;
    post(
        &h,
        &text_by(withheld(USER), "wamid.M2", "Lampu jalan mati di Birugo"),
    )
    .await;
    assert_eq!(all_cases(&h).await.len(), 2);
    let both = fixtures::Who {
        phone: Some(CITIZEN),
        user_id: Some(USER),
        parent_user_id: None,
    };
    h.counter.reset();
    assert_eq!(
        post(&h, &text_by(both, "wamid.M3", "sudah 3 malam gelap"))
            .await
            .0,
        200
    );
    assert!(
        h.counter.total() <= 3,
        "the merging follow-up: {:?}",
        h.counter.by_operation()
    );
    let by_number = fixtures::Who {
        phone: Some(CITIZEN),
        ..Default::default()
    };
    post(&h, &text_by(by_number, "wamid.M4", "status")).await;
    let sent = h.standin.received();
    let status = sent.last().unwrap().body["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        status.contains("ADU-0001") && status.contains("ADU-0002"),
        "the number alone finds both cases: {status}"
    );
    assert_eq!(all_cases(&h).await.len(), 2, "no case doubled");
}

/// Someone known only by their BSUID: a reporter of their own, and the
/// statuses of what is sent to them name the BSUID alone.
#[tokio::test]
async fn a_citizen_known_only_by_bsuid_gets_a_case_and_statuses_by_bsuid_apply() {
    let h = harness("bsuid-only").await;
    post(
        &h,
        &text_by(withheld(USER), "wamid.U1", "Parkir liar di Pakan Kurai"),
    )
    .await;
    let case = all_cases(&h).await.remove(0);
    let sent = h.standin.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].body.get("to"), sent[0].body["recipient"].as_str()),
        (None, Some(USER))
    );
    let read = fixtures::status_to_user(KOTA_NUMBER, "wamid.OUT1", "read", now(), USER);
    assert_eq!(post(&h, &read).await.0, 200);
    let status = timeline(&h, &case).await.iter().find_map(|e| match &e.body {
        EventBody::Outbound { status, .. } => Some(*status),
        _ => None,
    });
    assert_eq!(status, Some(DeliveryStatus::Read));
}

#[tokio::test]
async fn without_a_kelurahan_the_citizen_chooses_from_a_list() {
    let h = harness("choose").await;
    post(
        &h,
        &text_from(MKS_NUMBER, "wamid.L1", "Lampu jalan mati sudah seminggu"),
    )
    .await;
    let case = all_cases(&h).await.remove(0);
    assert_eq!(case.jurisdiction, None);
    assert_eq!(case.area().as_str(), "bukittinggi/mandiangin-koto-selayan");
    let sent = h.standin.received();
    assert_eq!(sent[0].body["type"], "interactive");
    let rows = sent[0].body["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 9, "the number's kecamatan has nine kelurahan");
    let garegeh_row = rows.iter().find(|r| r["title"] == "Garegeh").unwrap();

    let choice = fixtures::message(
        MKS_NUMBER,
        CITIZEN,
        "wamid.L2",
        now(),
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": garegeh_row["id"], "title": "Garegeh"}}),
    );
    assert_eq!(post(&h, &choice).await.0, 200);
    let case = h.store.case(&case.id).await.unwrap().unwrap();
    assert_eq!(case.jurisdiction.as_ref().map(|p| p.as_str()), Some(GAREGEH));
    let confirmation = h.standin.texts().pop().unwrap();
    assert!(confirmation.contains("Kelurahan Garegeh"), "{confirmation}");

    // Through the kota's number: first the kecamatan, then a typed number.
    let h = harness("choose-kota").await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.K1", "Drainase tersumbat")).await;
    let first = h.standin.received().remove(0);
    assert_eq!(
        first.body["interactive"]["action"]["sections"][0]["rows"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    post(&h, &text_from(KOTA_NUMBER, "wamid.K2", "Aur Birugo Tigo Baleh")).await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.K3", "7")).await;
    let case = all_cases(&h).await.remove(0);
    assert_eq!(
        case.jurisdiction.as_ref().map(|p| p.as_str()),
        Some("bukittinggi/aur-birugo-tigo-baleh/parit-antang")
    );
}

#[tokio::test]
async fn follow_ups_with_photo_and_location_join_the_case() {
    let h = harness("followups").await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.F1", "Pohon tumbang di Birugo")).await;
    let photo = fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        "wamid.F2",
        now(),
        "image",
        json!({"id": "MEDIA-9", "mime_type": "image/jpeg", "sha256": "x", "caption": "ini fotonya"}),
    );
    let location = fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        "wamid.F3",
        now(),
        "location",
        json!({"latitude": -0.3049, "longitude": 100.3691}),
    );
    assert_eq!(post(&h, &photo).await.0, 200);
    assert_eq!(post(&h, &location).await.0, 200);
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    let contents = messages(&timeline(&h, &cases[0]).await)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        matches!(&contents[1], MessageContent::Media { media_id, caption: Some(c), .. } if media_id == "MEDIA-9" && c == "ini fotonya")
    );
    assert!(matches!(contents[2], MessageContent::Location { .. }));
    assert_eq!(
        h.standin.received().len(),
        1,
        "follow-ups are not answered one by one"
    );
}

#[tokio::test]
async fn status_new_and_withdraw_commands() {
    let h = harness("commands").await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.M1", "Jalan rusak di Garegeh")).await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.M2", "STATUS")).await;
    let status = h.standin.texts().pop().unwrap();
    assert!(
        status.contains("ADU-0001") && status.contains("menunggu diperiksa"),
        "{status}"
    );

    post(&h, &text_from(KOTA_NUMBER, "wamid.M3", "BARU")).await;
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.M4", "Saran: tambah tempat sampah di Birugo"),
    )
    .await;
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 2, "BARU starts a new case");
    assert!(h.standin.texts().pop().unwrap().contains("ADU-0002"));

    post(&h, &text_from(KOTA_NUMBER, "wamid.M5", "status adu-1")).await;
    assert!(h.standin.texts().pop().unwrap().contains("Kelurahan Garegeh"));

    post(&h, &text_from(KOTA_NUMBER, "wamid.M6", "BATAL ADU-0001")).await;
    assert!(h.standin.texts().pop().unwrap().contains("dibatalkan"));
    let first = h
        .store
        .case_by_ticket(&"ADU-0001".parse_ticket())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.status, Status::Withdrawn);

    // Nobody can look up or withdraw someone else's case from WhatsApp.
    let other = fixtures::text(KOTA_NUMBER, "6289999000111", "wamid.X1", now(), "STATUS ADU-0002");
    post(&h, &other).await;
    let answer = h.standin.texts().pop().unwrap();
    assert!(
        answer.contains("tidak ditemukan") && !answer.contains("Birugo"),
        "{answer}"
    );
    let other = fixtures::text(KOTA_NUMBER, "6289999000111", "wamid.X2", now(), "BATAL ADU-0002");
    post(&h, &other).await;
    let second = h
        .store
        .case_by_ticket(&"ADU-0002".parse_ticket())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.status, Status::Received);
}

trait ParseTicket {
    fn parse_ticket(&self) -> aduan_shared::domain::ticket::Ticket;
}

impl ParseTicket for str {
    fn parse_ticket(&self) -> aduan_shared::domain::ticket::Ticket {
        aduan_shared::domain::ticket::Ticket::parse(self).unwrap()
    }
}

#[tokio::test]
async fn ten_concurrent_copies_make_one_case_and_one_reply() {
    let h = harness("duplicates").await;
    let body = text_from(KOTA_NUMBER, "wamid.D1", "Banjir di Kayu Kubu");
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (app, body) = (h.app.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            handle(&app, signed_post(&body)).await.status().as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(messages(&timeline(&h, &cases[0]).await).len(), 1);
    assert_eq!(h.standin.received().len(), 1);
}

#[tokio::test]
async fn a_concurrent_burst_lands_in_one_case() {
    let h = harness("burst").await;
    let bodies = [
        text_from(KOTA_NUMBER, "wamid.B1", "Jembatan retak di Tarok Dipo"),
        fixtures::message(
            KOTA_NUMBER,
            CITIZEN,
            "wamid.B2",
            now(),
            "image",
            json!({"id": "MEDIA-B", "mime_type": "image/jpeg", "sha256": "x"}),
        ),
        fixtures::message(
            KOTA_NUMBER,
            CITIZEN,
            "wamid.B3",
            now(),
            "location",
            json!({"latitude": -0.30, "longitude": 100.37}),
        ),
    ];
    let mut tasks = Vec::new();
    for body in bodies {
        let app = h.app.clone();
        tasks.push(tokio::spawn(async move {
            handle(&app, signed_post(&body)).await.status().as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(messages(&timeline(&h, &cases[0]).await).len(), 3);
    // Whichever of the three came first opened the case and got the one
    // acknowledgement (the one that promises confidentiality).
    let acks = h.standin.texts().iter().filter(|t| t.contains("rahasia")).count();
    assert_eq!(acks, 1, "one acknowledgement: {:?}", h.standin.texts());
}

#[tokio::test]
async fn delivery_statuses_update_the_sent_message() {
    let h = harness("statuses").await;
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.T1", "Parkir liar di Pakan Kurai"),
    )
    .await;
    let case = all_cases(&h).await.remove(0);
    let outbound_status = |events: &[TimelineEvent]| {
        events.iter().find_map(|e| match &e.body {
            EventBody::Outbound { status, error, .. } => Some((*status, error.clone())),
            _ => None,
        })
    };
    // Out of order: read before delivered; delivered must not downgrade it.
    post(
        &h,
        &fixtures::status(KOTA_NUMBER, "wamid.OUT1", "read", now(), CITIZEN),
    )
    .await;
    post(
        &h,
        &fixtures::status(KOTA_NUMBER, "wamid.OUT1", "delivered", now(), CITIZEN),
    )
    .await;
    assert_eq!(
        outbound_status(&timeline(&h, &case).await).unwrap().0,
        DeliveryStatus::Read
    );
    let mut failed = fixtures::status(KOTA_NUMBER, "wamid.OUT1", "failed", now(), CITIZEN);
    failed["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] =
        json!([{"code": 131047, "title": "Re-engagement message"}]);
    post(&h, &failed).await;
    let (status, error) = outbound_status(&timeline(&h, &case).await).unwrap();
    assert_eq!(status, DeliveryStatus::Failed);
    assert!(error.unwrap().contains("131047"));
    // A status for an id we never sent neither fails the batch nor is lost.
    let (code, _) = post(
        &h,
        &fixtures::status(KOTA_NUMBER, "wamid.UNKNOWN", "delivered", now(), CITIZEN),
    )
    .await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn a_store_outage_answers_5xx_and_writes_nothing() {
    let h = harness("outage").await;
    let sdk = sdk_config().await;
    let unreachable = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    let mut app = App::from_config(&Env::from_pairs(base_env(h.store.table())), &sdk)
        .await
        .unwrap();
    app.meta = h.app.meta.clone();
    app.store = Store::new(
        aws_sdk_dynamodb::Client::from_conf(unreachable),
        h.store.table(),
        Default::default(),
    );
    let body = text_from(KOTA_NUMBER, "wamid.O1", "Jalan rusak di Garegeh");
    let response = handle(&app, signed_post(&body)).await;
    assert_eq!(response.status(), 500);
    assert!(all_cases(&h).await.is_empty());
    assert!(h.standin.received().is_empty());
    // Meta's redelivery, once the table is back, is handled normally.
    assert_eq!(post(&h, &body).await.0, 200);
    assert_eq!(all_cases(&h).await.len(), 1);
}

#[tokio::test]
async fn a_failed_send_leaves_the_reply_pending_and_still_answers_200() {
    let h = harness("sendfail").await;
    h.standin.set_mode(Mode::Fail(503));
    let (status, _) = post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.P1", "Air PDAM mati di Sapiran"),
    )
    .await;
    assert_eq!(status, 200);
    let case = all_cases(&h).await.remove(0);
    let pending = h
        .store
        .pending_outbound(chrono::Utc::now() + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].case_id, case.id);
    assert!(
        aduan_shared::whatsapp::outbound::Outbound::as_plain_text(&pending[0].payload).contains("ADU-0001")
    );
    // The sweep's retry delivers it once the API is back.
    h.standin.set_mode(Mode::Accept);
    let later = chrono::Utc::now() + chrono::Duration::minutes(5);
    let summary = h.app.messenger.retry_pending(&h.store, later, 10).await.unwrap();
    assert_eq!(summary.sent, 1);
    assert!(h
        .store
        .pending_outbound(later + chrono::Duration::hours(1), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(h.standin.received().len(), 2);
}

/// The first attempt records the complaint with its reply pending, then the
/// table's answer to that commit is lost and the SDK's retries fail: the
/// webhook answers 500, nothing sent. Meta's redelivery while that attempt's
/// lease runs is a plain duplicate (one read); once the lease is over, the
/// redelivery sends the saved reply (the read, the claim, the record of the
/// send), and a later one sends nothing.
#[tokio::test]
async fn a_redelivery_sends_the_reply_its_committed_first_attempt_did_not() {
    let h = harness("redelivered-reply").await;
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::op("TransactWriteItems", 1, Fault::CommitLoseResponse));
    proxy.arm(Rule::op("TransactWriteItems", 2, Fault::Status(500)).times(2));
    let sdk = sdk_config().await;
    let mut env = base_env(h.store.table());
    for (k, v) in [
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", h.standin.base_url.as_str()),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    let mut app = App::from_config(&Env::from_pairs(env), &sdk).await.unwrap();
    app.meta = h.app.meta.clone();
    app.store = Store::new(
        h.counter.dynamodb_client(&proxy.sdk_config().await),
        h.store.table(),
        app.desk.policy.sla.calendar.clone(),
    );
    let body = text_from(KOTA_NUMBER, "wamid.R1", "Jalan rusak di Garegeh");
    assert_eq!(handle(&app, signed_post(&body)).await.status(), 500);
    assert_eq!(proxy.injected(), 3, "the commit's answer lost, then its retries");
    let case = all_cases(&h).await.remove(0);
    assert!(h.standin.received().is_empty());

    // At once: the first attempt may still be sending it.
    h.counter.reset();
    assert_eq!(handle(&app, signed_post(&body)).await.status(), 200);
    assert_eq!(h.counter.total(), 1, "{:?}", h.counter.by_operation());
    assert!(h.standin.received().is_empty());

    // Two minutes on (the times the first attempt wrote, moved back).
    let reply = timeline(&h, &case)
        .await
        .into_iter()
        .find(|e| matches!(e.body, EventBody::Outbound { .. }))
        .expect("the reply, saved with the case");
    let earlier = chrono::Utc::now() - chrono::Duration::seconds(1);
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let set = |pk: String, sk: String, expression: &str, value: String| {
        dynamo
            .update_item()
            .table_name(h.store.table())
            .key(keys::PK, AttributeValue::S(pk))
            .key(keys::SK, AttributeValue::S(sk))
            .update_expression(expression)
            .expression_attribute_values(":at", AttributeValue::S(value))
            .send()
    };
    set(
        keys::inbound_pk(Provider::Meta, "wamid.R1"),
        keys::INBOUND_SK.to_owned(),
        "SET reply.lease_until = :at",
        earlier.to_rfc3339(),
    )
    .await
    .unwrap();
    set(
        keys::case_pk(&case.id),
        keys::event_sk(&reply.id),
        "SET TimeSK = :at",
        keys::outbox_sk(earlier, keys::OUTBOX_WHATSAPP, &case.id, &reply.id),
    )
    .await
    .unwrap();
    h.counter.reset();
    assert_eq!(handle(&app, signed_post(&body)).await.status(), 200);
    assert_eq!(
        h.counter.by_operation(),
        [("BatchGetItem", 1), ("TransactWriteItems", 1), ("UpdateItem", 1)]
            .map(|(op, n)| (op.to_owned(), n))
            .into(),
    );
    let sent = h.standin.texts();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(case.ticket.as_str()), "{sent:?}");
    assert!(timeline(&h, &case).await.iter().any(|e| e.id == reply.id
        && matches!(
            &e.body,
            EventBody::Outbound {
                status: DeliveryStatus::Sent,
                ..
            }
        )));

    // Sent: nothing is left to claim.
    assert_eq!(handle(&app, signed_post(&body)).await.status(), 200);
    assert_eq!(h.standin.received().len(), 1);
}

#[tokio::test]
async fn twilio_deliveries_with_valid_and_invalid_signatures() {
    let h = harness("twilio").await;
    let params = [
        ("MessageSid", "SM0001"),
        ("AccountSid", "AC1"),
        ("From", "whatsapp:+6281234567890"),
        ("To", "whatsapp:+6281100000000"),
        ("Body", "Lampu jalan mati di Campago Ipuh"),
        ("NumMedia", "0"),
        ("ProfileName", "Warga"),
    ];
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let good = sign_twilio(
        TWILIO_TOKEN.as_bytes(),
        TWILIO_URL,
        &aduan_shared::whatsapp::twilio::form_params(form.as_bytes()),
    );
    let event = |sig: &str| {
        http_event(
            "POST",
            "/webhook/twilio",
            "",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-twilio-signature", sig),
            ],
            Some(form.as_bytes()),
            true,
        )
    };
    let bad = handle(&h.app, request(&event("AAAA"))).await;
    assert_eq!(bad.status(), 401);
    assert!(all_cases(&h).await.is_empty());
    let ok = handle(&h.app, request(&event(&good))).await;
    assert_eq!(ok.status(), 200);
    let Body::Text(twiml) = ok.body() else {
        panic!("{:?}", ok.body())
    };
    assert!(
        twiml.starts_with("<?xml") && twiml.contains("ADU-0001"),
        "{twiml}"
    );
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].channel.provider, Provider::Twilio);
    assert!(h.standin.received().is_empty(), "Twilio replies inline");

    // Not configured: the route does not exist.
    let h = harness_with("twilio-off", |env| env.retain(|(k, _)| !k.starts_with("TWILIO"))).await;
    let off = handle(&h.app, request(&event(&good))).await;
    assert_eq!(off.status(), 404);
}

/// docs/security.md, "Replays after the de-duplication window": a genuinely
/// signed delivery of a message sent 15 days ago, when its id is no longer
/// remembered, is answered 200 (so Meta stops) and handles nothing.
#[tokio::test(flavor = "current_thread")]
async fn a_signed_message_sent_fifteen_days_ago_is_a_replay_and_changes_nothing() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();
    let h = harness("replay-old").await;
    let sent = now() - 15 * 24 * 3600;
    let old = fixtures::text(KOTA_NUMBER, CITIZEN, "wamid.OLD1", sent, "Jalan rusak di Garegeh");
    assert_eq!(post(&h, &old).await, (200, "ok".to_owned()));
    assert_eq!(h.counter.total(), 0, "nothing read or written");
    assert!(all_cases(&h).await.is_empty());
    assert!(h.standin.received().is_empty(), "nothing sent");

    let log_text = logs.text();
    assert!(log_text.contains("a replay"), "{log_text}");
    let local = format!("0{}", &CITIZEN[2..]);
    assert!(
        !log_text.contains(CITIZEN) && !log_text.contains(&local),
        "{log_text}"
    );
}

/// Posts a Twilio form, signed as Twilio signs it, to the Twilio route.
async fn twilio_post(h: &Harness, params: &[(&str, &str)]) -> (u16, String) {
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let signature = sign_twilio(
        TWILIO_TOKEN.as_bytes(),
        TWILIO_URL,
        &aduan_shared::whatsapp::twilio::form_params(form.as_bytes()),
    );
    let event = http_event(
        "POST",
        "/webhook/twilio",
        "",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-twilio-signature", &signature),
        ],
        Some(form.as_bytes()),
        true,
    );
    let response = handle(&h.app, request(&event)).await;
    let status = response.status().as_u16();
    (
        status,
        String::from_utf8_lossy(response.body().as_ref()).into_owned(),
    )
}

/// docs/security.md, "Twilio SMS spoofing a WhatsApp sender": an SMS to the
/// city's Twilio number, genuinely signed by Twilio but with a forged
/// sender, the number of a citizen who reported on WhatsApp, cannot
/// withdraw their case: it is answered with an empty TwiML, and nothing is
/// read, stored or sent.
#[tokio::test(flavor = "current_thread")]
async fn a_signed_sms_with_a_citizens_number_cannot_act_for_them() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();
    let h = harness("twilio-sms").await;
    let (status, _) = twilio_post(
        &h,
        &[
            ("MessageSid", "SM0001"),
            ("AccountSid", TWILIO_ACCOUNT),
            ("From", "whatsapp:+6281234567890"),
            ("To", "whatsapp:+6281100000000"),
            ("Body", "Lampu jalan mati di Campago Ipuh"),
            ("NumMedia", "0"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    h.counter.reset();

    // Twilio's incoming-message webhook for an SMS: bare E.164 numbers.
    let (status, body) = twilio_post(
        &h,
        &[
            ("ToCountry", "ID"),
            ("SmsMessageSid", "SM0002"),
            ("NumMedia", "0"),
            ("SmsSid", "SM0002"),
            ("SmsStatus", "received"),
            ("Body", "BATAL ADU-0001"),
            ("FromCountry", "ID"),
            ("To", "+6281100000000"),
            ("NumSegments", "1"),
            ("MessageSid", "SM0002"),
            ("AccountSid", TWILIO_ACCOUNT),
            ("From", "+6281234567890"),
            ("ApiVersion", "2010-04-01"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>",
        "no reply"
    );
    assert_eq!(h.counter.total(), 0, "nothing read or written");
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].status, Status::Received, "not withdrawn");
    assert_eq!(messages(&timeline(&h, &cases[0]).await).len(), 1);
    assert!(h.standin.received().is_empty(), "nothing sent");

    let log_text = logs.text();
    assert!(
        log_text.contains("field `From` is not a WhatsApp address"),
        "{log_text}"
    );
    let local = format!("0{}", &CITIZEN[2..]);
    assert!(
        !log_text.contains(CITIZEN) && !log_text.contains(&local),
        "{log_text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn no_log_line_contains_the_senders_number() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();
    let h = harness("privacy").await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.V1", "Jalan rusak di Garegeh")).await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.V1", "Jalan rusak di Garegeh")).await;
    h.standin.set_mode(Mode::Fail(500));
    post(&h, &text_from(KOTA_NUMBER, "wamid.V2", "STATUS")).await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.V3", "BATAL ADU-0001")).await;
    // A message whose bad field holds the number, and a malformed body that does.
    let mut bad = text_from(KOTA_NUMBER, "wamid.V4", "x");
    bad["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!(CITIZEN);
    post(&h, &bad).await;
    let garbage = format!("{{\"from\": \"{CITIZEN}\", ").into_bytes();
    let sig = sign_meta(SECRET.as_bytes(), &garbage);
    let event = http_event(
        "POST",
        "/webhook",
        "",
        &[("x-hub-signature-256", &sig)],
        Some(&garbage),
        false,
    );
    assert_eq!(handle(&h.app, request(&event)).await.status(), 400);
    // The same for BSUIDs: a withheld number, a bad id, a change of ids.
    let parent = "ID.ENT.11815799212886844830";
    let who = fixtures::Who {
        phone: None,
        user_id: Some(USER),
        parent_user_id: Some(parent),
    };
    post(&h, &text_by(who, "wamid.V5", "Jalan rusak di Garegeh")).await;
    let mut bad = text_by(who, "wamid.V6", "x");
    bad["entry"][0]["changes"][0]["value"]["messages"][0]["from_user_id"] = json!(format!("{USER} "));
    post(&h, &bad).await;
    let new = withheld("ID.777");
    post(
        &h,
        &fixtures::identity_changed(KOTA_NUMBER, "wamid.V7", now(), who, new),
    )
    .await;

    let log_text = logs.text();
    assert!(
        log_text.contains("message not sent"),
        "the failed sends were logged: {log_text}"
    );
    let local = format!("0{}", &CITIZEN[2..]);
    assert!(
        !log_text.contains(CITIZEN) && !log_text.contains(&local),
        "{log_text}"
    );
    for id in [USER, &USER[3..], parent, &parent[7..], "ID.777"] {
        assert!(!log_text.contains(id), "{id}: {log_text}");
    }
}

#[tokio::test]
async fn a_message_after_officials_closed_the_case_opens_a_new_one() {
    let h = harness("after-close").await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.A1", "Jalan rusak di Garegeh")).await;
    let mut case = all_cases(&h).await.remove(0);
    let event = case
        .transition(
            aduan_shared::domain::lifecycle::Transition::Reject,
            aduan_shared::domain::timeline::Actor::Official {
                sub: "o-1".into(),
                name: "Petugas".into(),
            },
            Some("bukan wewenang kelurahan".into()),
            &h.app.desk.policy.sla,
            chrono::Utc::now(),
        )
        .unwrap();
    h.store.save_case(&mut case, &[event], None).await.unwrap();

    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.A2", "Lampu jalan mati di Birugo"),
    )
    .await;
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 2, "a new case, not a message on the rejected one");
    assert_eq!(messages(&timeline(&h, &case).await).len(), 1);
    assert!(h.standin.texts().pop().unwrap().contains("ADU-0002"));
}

/// docs/security.md: someone who can reach the webhook URL but lacks the app
/// secret and the Twilio token gets nothing done. Forged messages, forged
/// delivery statuses, a genuine signature over another body, oversized and
/// malformed bodies: refused before any read, write or send.
#[tokio::test]
async fn without_the_secrets_a_caller_reaches_nothing() {
    let h = harness("attacker").await;
    let message = serde_json::to_vec(&text_from(KOTA_NUMBER, "wamid.X1", "Jalan rusak di Garegeh")).unwrap();
    let status = serde_json::to_vec(&fixtures::status(
        KOTA_NUMBER,
        "wamid.OUT1",
        "failed",
        now(),
        CITIZEN,
    ))
    .unwrap();
    let other_body = b"{\"entry\": []}".to_vec();
    let genuine_for_other = sign_meta(SECRET.as_bytes(), &other_body);
    let mut tampered = message.clone();
    let flip = tampered.len() / 2;
    tampered[flip] ^= 0x01;
    let signed_original = sign_meta(SECRET.as_bytes(), &message);
    let attempts: Vec<(Vec<u8>, Option<String>)> = vec![
        (message.clone(), None),
        (message.clone(), Some("sha256=".into())),
        (message.clone(), Some(format!("sha256={}", "0".repeat(64)))),
        (message.clone(), Some(sign_meta(b"", &message))),
        (message.clone(), Some(genuine_for_other.clone())),
        (message.clone(), Some(signed_original.to_uppercase())),
        (tampered, Some(signed_original)),
        (status.clone(), None),
        (status.clone(), Some(sign_meta(b"guess", &status))),
        (b"not json".to_vec(), None),
        (vec![b'{'; webhook::MAX_BODY + 1], Some(genuine_for_other)),
    ];
    for (body, signature) in &attempts {
        let headers: Vec<(&str, &str)> = signature
            .iter()
            .map(|s| ("x-hub-signature-256", s.as_str()))
            .collect();
        let response = handle(
            &h.app,
            request(&http_event(
                "POST",
                "/webhook",
                "",
                &headers,
                Some(body.as_slice()),
                false,
            )),
        )
        .await;
        assert!(
            [401, 413].contains(&response.status().as_u16()),
            "{signature:?}: {}",
            response.status()
        );
    }
    // Twilio: unsigned, signed with a guessed token, or signed for another URL.
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("MessageSid", "SM0001"),
            ("From", "whatsapp:+6281234567890"),
            ("To", "whatsapp:+6281100000000"),
            ("Body", "Lampu jalan mati"),
        ])
        .finish();
    let params = aduan_shared::whatsapp::twilio::form_params(form.as_bytes());
    for signature in [
        None,
        Some(sign_twilio(b"guess", TWILIO_URL, &params)),
        Some(sign_twilio(
            TWILIO_TOKEN.as_bytes(),
            "https://attacker.example/hook",
            &params,
        )),
    ] {
        let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
        if let Some(s) = &signature {
            headers.push(("x-twilio-signature", s.as_str()));
        }
        let response = handle(
            &h.app,
            request(&http_event(
                "POST",
                "/webhook/twilio",
                "",
                &headers,
                Some(form.as_bytes()),
                false,
            )),
        )
        .await;
        assert_eq!(response.status(), 401, "{signature:?}");
    }
    // The handshake echoes nothing without the verify token.
    let handshake = handle(
        &h.app,
        request(&http_event(
            "GET",
            "/webhook",
            "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=echo-me",
            &[],
            None,
            false,
        )),
    )
    .await;
    assert_eq!(handshake.status(), 403);
    assert_ne!(handshake.body(), &Body::Text("echo-me".into()));

    assert_eq!(h.counter.total(), 0, "nothing read or written");
    assert!(h.standin.received().is_empty(), "nothing sent");
}

// ----- citizens' files (with a media bucket) --------------------------------

const TWILIO_ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

/// A harness with a media bucket of its own; the stand-in serves the files.
async fn media_harness(test: &str, extra: &[(&str, &str)]) -> (Harness, String) {
    let sdk = sdk_config().await;
    let bucket = aduan_testkit::fresh_bucket(&sdk, test).await;
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let h = harness_with(test, |env| {
        env.push(("MEDIA_BUCKET".into(), bucket.clone()));
        env.extend(extra);
    })
    .await;
    (h, bucket)
}

async fn object(bucket: &str, key: &str) -> Option<Vec<u8>> {
    let sdk = sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let out = s3.get_object().bucket(bucket).key(key).send().await.ok()?;
    Some(out.body.collect().await.unwrap().into_bytes().to_vec())
}

/// The message events with media: (stored, file, store_error).
fn files(events: &[TimelineEvent]) -> Vec<(Option<MediaStorage>, Option<StoredFile>, Option<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message {
                content: MessageContent::Media { .. },
                stored,
                file,
                store_error,
                ..
            } => Some((*stored, file.clone(), store_error.clone())),
            _ => None,
        })
        .collect()
}

fn photo_from(id: &str, media_id: &str) -> Value {
    fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        id,
        now(),
        "image",
        json!({"id": media_id, "mime_type": "image/jpeg", "sha256": "x", "caption": "ini fotonya"}),
    )
}

#[tokio::test]
async fn a_photo_is_stored_in_the_bucket_before_the_webhook_answers() {
    let (h, bucket) = media_harness("media-first", &[]).await;
    let jpeg = b"\xff\xd8\xff\xe0 pothole".to_vec();
    h.standin.add_media("1234567890", jpeg.clone(), "image/jpeg");
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.M1", "Jalan berlubang di Garegeh"),
    )
    .await;
    h.counter.reset();
    let (status, _) = post(&h, &photo_from("wamid.M2", "1234567890")).await;
    assert_eq!(status, 200);
    // A follow-up photo: the ≤ 3 requests of a follow-up, plus one UpdateItem
    // recording the stored file; the reply count is unchanged (none).
    assert!(h.counter.total() <= 4, "photo: {:?}", h.counter.by_operation());
    assert_eq!(h.counter.by_operation().get("UpdateItem"), Some(&1));
    assert_eq!(h.standin.received().len(), 1, "only the first acknowledgement");

    let case = &all_cases(&h).await[0];
    let events = timeline(&h, case).await;
    let found = files(&events);
    let [(stored, Some(file), None)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert_eq!(*stored, Some(MediaStorage::Stored));
    assert!(
        file.key.starts_with(&format!("cases/{}/", case.ticket)),
        "{}",
        file.key
    );
    assert!(file.key.ends_with("-1234567890"), "{}", file.key);
    assert_eq!(
        (file.bytes, file.mime_type.as_deref()),
        (jpeg.len() as u64, Some("image/jpeg"))
    );
    assert_eq!(object(&bucket, &file.key).await, Some(jpeg));
    // Meta's two steps, each with the bearer token.
    let requests = h.standin.media_requests();
    assert_eq!(
        requests.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/v23.0/1234567890", "/media-bytes/1234567890"]
    );
    assert!(requests
        .iter()
        .all(|r| r.authorization.as_deref() == Some("Bearer token-123")));
    // Nothing left for the sweep.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(h
        .store
        .outbox_due_of("media", later, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_slow_download_is_left_pending_and_the_sweep_stores_it_once() {
    let (h, bucket) = media_harness("media-slow", &[("MEDIA_FETCH_TIMEOUT_MS", "200")]).await;
    h.standin.add_media("555", b"a voice note".to_vec(), "audio/ogg");
    h.standin.set_media_delay(std::time::Duration::from_millis(1500));
    let first = fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        "wamid.S1",
        now(),
        "audio",
        json!({"id": "555", "mime_type": "audio/ogg", "sha256": "x"}),
    );
    let (status, _) = post(&h, &first).await;
    assert_eq!(status, 200, "the webhook answers within its bound");
    let case = &all_cases(&h).await[0];
    let events = timeline(&h, case).await;
    assert_eq!(files(&events), [(Some(MediaStorage::Pending), None, None)]);

    // Not yet for the sweep: the webhook's own attempt holds it a while.
    let archive = h.app.media.as_ref().unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        archive.retry_pending(&h.store, now, 10).await.unwrap(),
        Default::default()
    );
    // Then the sweep fetches it, once.
    h.standin.set_media_delay(std::time::Duration::ZERO);
    let later = now + chrono::Duration::minutes(3);
    let retried = archive.retry_pending(&h.store, later, 10).await.unwrap();
    assert_eq!(retried.stored, 1, "{retried:?}");
    let again = archive
        .retry_pending(&h.store, later + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    let events = timeline(&h, case).await;
    let found = files(&events);
    let [(Some(MediaStorage::Stored), Some(file), None)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert_eq!(
        object(&bucket, &file.key).await.as_deref(),
        Some(&b"a voice note"[..])
    );
    let downloads = h
        .standin
        .media_requests()
        .iter()
        .filter(|r| r.path.starts_with("/media-bytes/"))
        .count();
    assert_eq!(downloads, 2, "the webhook's slow try, then the sweep's one");
}

#[tokio::test]
async fn a_file_over_the_limit_is_not_fetched_and_says_so() {
    let (h, bucket) = media_harness("media-large", &[("MEDIA_MAX_BYTES", "10")]).await;
    h.standin.add_media("777", vec![0u8; 100], "video/mp4");
    let video = fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        "wamid.L1",
        now(),
        "video",
        json!({"id": "777", "mime_type": "video/mp4", "sha256": "x"}),
    );
    assert_eq!(post(&h, &video).await.0, 200);
    let case = &all_cases(&h).await[0];
    let events = timeline(&h, case).await;
    let found = files(&events);
    let [(Some(MediaStorage::TooLarge), None, Some(why))] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert!(why.contains("100 bytes") && why.contains("10"), "{why}");
    let paths: Vec<String> = h.standin.media_requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/v23.0/777"],
        "refused on the size Meta reports, before downloading"
    );
    let sdk = sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let listed = s3.list_objects_v2().bucket(&bucket).send().await.unwrap();
    assert_eq!(listed.key_count(), Some(0));
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(h
        .store
        .outbox_due_of("media", later, 10)
        .await
        .unwrap()
        .is_empty());
}

/// The webhook of a deployment with Twilio (account and API base: the
/// stand-in's) and the media bucket of `h`.
async fn twilio_media_app(h: &Harness, bucket: &str) -> App {
    let root = h.standin.root_url();
    let mut env = base_env(h.store.table());
    env.extend(
        [
            ("MEDIA_BUCKET", bucket),
            ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
            ("TWILIO_WEBHOOK_URL", TWILIO_URL),
            ("TWILIO_ACCOUNT_SID", TWILIO_ACCOUNT),
            ("TWILIO_API_BASE", root.as_str()),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    App::from_config(&Env::from_pairs(env), &sdk_config().await)
        .await
        .unwrap()
}

/// Twilio's signed delivery of a message with one file, at the file's
/// `MediaUrl` on the stand-in.
fn twilio_file_delivery(h: &Harness, message_sid: &str, media_id: &str, mime: &str) -> lambda_http::Request {
    let media_url = h.standin.twilio_media_url(TWILIO_ACCOUNT, message_sid, media_id);
    let params = [
        ("MessageSid", message_sid),
        ("AccountSid", TWILIO_ACCOUNT),
        ("From", "whatsapp:+6281234567890"),
        ("To", "whatsapp:+6281100000000"),
        ("Body", "Surat keberatan, lihat lampiran"),
        ("NumMedia", "1"),
        ("MediaUrl0", media_url.as_str()),
        ("MediaContentType0", mime),
    ];
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let sig = sign_twilio(
        TWILIO_TOKEN.as_bytes(),
        TWILIO_URL,
        &aduan_shared::whatsapp::twilio::form_params(form.as_bytes()),
    );
    request(&http_event(
        "POST",
        "/webhook/twilio",
        "",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-twilio-signature", &sig),
        ],
        Some(form.as_bytes()),
        true,
    ))
}

/// The requests for Twilio's files the stand-in saw: (method, path).
fn twilio_file_requests(h: &Harness) -> Vec<(String, String)> {
    h.standin
        .media_requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect()
}

fn twilio_media_path(message_sid: &str, media_id: &str) -> String {
    format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages/{message_sid}/Media/{media_id}")
}

#[tokio::test]
async fn twilio_media_are_fetched_with_basic_auth_then_deleted_at_twilio() {
    let (h, bucket) = media_harness("media-twilio", &[]).await;
    let app = twilio_media_app(&h, &bucket).await;
    h.standin
        .add_media("ME0123", b"%PDF-1.7 laporan".to_vec(), "application/pdf");
    let delivery = twilio_file_delivery(&h, "MM0001", "ME0123", "application/pdf");
    assert_eq!(handle(&app, delivery).await.status(), 200);
    let case = &all_cases(&h).await[0];
    let events = timeline(&h, case).await;
    let found = files(&events);
    let [(Some(MediaStorage::Stored), Some(file), None)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert!(file.key.ends_with("-ME0123"), "{}", file.key);
    assert_eq!(file.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        object(&bucket, &file.key).await.as_deref(),
        Some(&b"%PDF-1.7 laporan"[..])
    );
    // Fetched, then (stored and recorded) deleted at Twilio, both with the
    // account's basic auth.
    let path = twilio_media_path("MM0001", "ME0123");
    assert_eq!(
        twilio_file_requests(&h),
        [
            ("GET".into(), path.clone()),
            ("DELETE".into(), format!("{path}.json"))
        ]
    );
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{TWILIO_ACCOUNT}:{TWILIO_TOKEN}"));
    assert!(h
        .standin
        .media_requests()
        .iter()
        .all(|r| r.authorization == Some(format!("Basic {expected}"))));
}

/// Twilio's copy goes only once the file is in the bucket and recorded: a
/// file stored but not recorded stays at Twilio for the sweep to fetch
/// again, and the sweep deletes it once it has recorded it. A deletion that
/// fails is logged and the archive stands.
#[tokio::test(flavor = "current_thread")]
async fn twilio_files_are_deleted_only_once_recorded_and_a_failed_deletion_keeps_the_archive() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();
    let (h, bucket) = media_harness("media-twilio-delete", &[]).await;
    let mut app = twilio_media_app(&h, &bucket).await;
    h.standin
        .add_media("ME0001", b"\xff\xd8 foto 1".to_vec(), "image/jpeg");
    let first = twilio_file_delivery(&h, "MM0001", "ME0001", "image/jpeg");
    assert_eq!(handle(&app, first).await.status(), 200);
    let case = all_cases(&h).await.remove(0);

    // A follow-up whose file the webhook stores but cannot record: its
    // store fails every UpdateItem (recording the file is the follow-up's
    // only one) beyond the SDK's retries.
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::op("UpdateItem", 1, Fault::Status(500)).times(100));
    let direct = std::mem::replace(
        &mut app.store,
        Store::new(
            aws_sdk_dynamodb::Client::new(&proxy.sdk_config().await),
            h.store.table().to_owned(),
            app.desk.policy.sla.calendar.clone(),
        ),
    );
    h.standin
        .add_media("ME0002", b"\xff\xd8 foto 2".to_vec(), "image/jpeg");
    let second = twilio_file_delivery(&h, "MM0002", "ME0002", "image/jpeg");
    assert_eq!(handle(&app, second).await.status(), 200);
    assert!(proxy.injected() > 0, "the fault was reached");
    let found = files(&timeline(&h, &case).await);
    assert_eq!(found[1], (Some(MediaStorage::Pending), None, None), "{found:?}");
    let (one, two) = (
        twilio_media_path("MM0001", "ME0001"),
        twilio_media_path("MM0002", "ME0002"),
    );
    let get = |path: &str| ("GET".to_owned(), path.to_owned());
    let delete = |path: &str| ("DELETE".to_owned(), format!("{path}.json"));
    assert_eq!(
        twilio_file_requests(&h),
        [get(&one), delete(&one), get(&two)],
        "stored in the bucket but not recorded: not deleted"
    );

    // The sweep fetches it again, records it, then deletes Twilio's copy.
    app.store = direct;
    let archive = app.media.as_ref().unwrap();
    let later = chrono::Utc::now() + chrono::Duration::minutes(3);
    assert_eq!(
        archive.retry_pending(&h.store, later, 10).await.unwrap().stored,
        1
    );
    assert_eq!(
        twilio_file_requests(&h),
        [get(&one), delete(&one), get(&two), get(&two), delete(&two)]
    );

    // A deletion Twilio refuses: logged, and the file stays stored and recorded.
    h.standin
        .add_media("ME0003", b"\xff\xd8 foto 3".to_vec(), "image/jpeg");
    h.standin.set_mode(Mode::Fail(503));
    let third = twilio_file_delivery(&h, "MM0003", "ME0003", "image/jpeg");
    assert_eq!(handle(&app, third).await.status(), 200);
    let three = twilio_media_path("MM0003", "ME0003");
    assert_eq!(twilio_file_requests(&h)[5..], [get(&three), delete(&three)]);
    let found = files(&timeline(&h, &case).await);
    let [_, _, (Some(MediaStorage::Stored), Some(file), None)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert_eq!(
        object(&bucket, &file.key).await.as_deref(),
        Some(&b"\xff\xd8 foto 3"[..])
    );
    let log = logs.text();
    assert!(
        log.contains("Twilio's copy of a stored file not deleted") && log.contains("HTTP 503"),
        "{log}"
    );
}

// ----- erasure (HAPUS DATA) ---------------------------------------------------

async fn whole_table(h: &Harness) -> Vec<String> {
    aduan_testkit::whole_table(&sdk_config().await, h.store.table()).await
}

async fn bucket_keys(bucket: &str) -> Vec<String> {
    aduan_testkit::bucket_keys(&sdk_config().await, bucket).await
}

fn tap_from(id: &str, button: &str) -> Value {
    tap(id, button, "Ya, hapus data")
}

/// A reply button tapped, as Meta delivers it.
fn tap(id: &str, button: &str, title: &str) -> Value {
    fixtures::message(
        KOTA_NUMBER,
        CITIZEN,
        id,
        now(),
        "interactive",
        json!({"type": "button_reply", "button_reply": {"id": button, "title": title}}),
    )
}

/// After `HAPUS DATA` and its button, nothing in the table or the bucket
/// holds the citizen's contact or pseudonym; the case stays, pointing at no
/// one; the same number writing again starts afresh and `DATA SAYA` lists
/// only the new case.
#[tokio::test]
async fn an_erasure_leaves_nothing_of_the_citizen_and_the_next_message_starts_afresh() {
    let (h, bucket) = media_harness("erasure", &[]).await;
    h.standin
        .add_media("555", b"\xff\xd8 photo".to_vec(), "image/jpeg");
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.E1", "Jalan berlubang di Garegeh"),
    )
    .await;
    post(&h, &photo_from("wamid.E2", "555")).await;
    assert_eq!(bucket_keys(&bucket).await.len(), 1);
    let old = all_cases(&h).await.remove(0);
    let id = old.reporter.id().unwrap().clone();
    let reporter = h.store.reporter(&id).await.unwrap().unwrap();
    let mut secrets = vec![
        id.to_string(),
        reporter.contact.ciphertext.clone(),
        CITIZEN.to_owned(),
    ];
    secrets.extend(reporter.known_as.all().map(|k| k.to_string()));

    let (status, _) = post(&h, &text_from(KOTA_NUMBER, "wamid.E3", "HAPUS DATA")).await;
    assert_eq!(status, 200);
    let asked = h.standin.received().last().unwrap().body.clone();
    assert_eq!(asked["interactive"]["type"], "button");
    // Asking alone erases nothing.
    assert!(h.store.reporter(&id).await.unwrap().is_some());

    let (status, _) = post(&h, &tap_from("wamid.E4", "erase:yes")).await;
    assert_eq!(status, 200);
    let texts = aduan_shared::texts::Texts::shipped();
    assert_eq!(h.standin.texts().last().unwrap(), &texts.erased);
    // Redelivered: a duplicate, nothing more sent.
    let sent = h.standin.received().len();
    assert_eq!(post(&h, &tap_from("wamid.E4", "erase:yes")).await.0, 200);
    assert_eq!(h.standin.received().len(), sent);

    for item in whole_table(&h).await {
        for secret in &secrets {
            assert!(!item.contains(secret.as_str()), "{item}");
        }
    }
    assert_eq!(bucket_keys(&bucket).await, Vec::<String>::new());
    let kept = h.store.case(&old.id).await.unwrap().unwrap();
    assert_eq!(kept.reporter, aduan_shared::domain::case::CaseReporter::Erased);
    assert_eq!(kept.status, Status::Received, "the case stays as a public record");

    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.E5", "Lampu jalan mati di Garegeh"),
    )
    .await;
    post(&h, &text_from(KOTA_NUMBER, "wamid.E6", "DATA SAYA")).await;
    let cases = all_cases(&h).await;
    let new = cases.iter().find(|c| c.id != old.id).unwrap();
    assert!(
        new.reporter.is(&id),
        "the same number, the same id, a fresh record"
    );
    let summary = h.standin.texts().last().unwrap().clone();
    assert!(summary.contains(new.ticket.as_str()), "{summary}");
    assert!(!summary.contains(old.ticket.as_str()), "{summary}");
    // The first reply to the fresh reporter carries the privacy line again.
    let ack = &h.standin.texts()[h.standin.texts().len() - 2];
    assert!(ack.ends_with(&texts.privacy_line), "{ack}");
}

/// The bucket failing while the webhook deletes an erased case's files: the
/// citizen is still answered, the deletion stays pending past the first
/// attempt's lease, and the sweep's retry deletes the files and ends it.
#[tokio::test]
async fn an_erased_case_whose_files_could_not_be_deleted_is_left_for_the_sweep() {
    let (h, bucket) = media_harness("erasure-retry", &[]).await;
    h.standin
        .add_media("556", b"\xff\xd8 photo".to_vec(), "image/jpeg");
    post(
        &h,
        &text_from(KOTA_NUMBER, "wamid.G1", "Selokan tersumbat di Garegeh"),
    )
    .await;
    post(&h, &photo_from("wamid.G2", "556")).await;
    assert_eq!(bucket_keys(&bucket).await.len(), 1);
    let ticket = all_cases(&h).await.remove(0).ticket;

    // The webhook's files through a proxy that fails every request, past
    // the SDK's retries; everything else as before.
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::nth(1, Fault::Status(500)).times(100));
    let mut env = base_env(h.store.table());
    for (k, v) in [
        ("MEDIA_BUCKET", bucket.as_str()),
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", h.standin.base_url.as_str()),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    let failing = App::from_config(&Env::from_pairs(env), &proxy.sdk_config().await)
        .await
        .expect("config")
        .media;
    let Ok(mut app) = Arc::try_unwrap(h.app) else {
        panic!("the harness holds the only app")
    };
    app.media = failing;
    let h = Harness {
        app: Arc::new(app),
        ..h
    };

    post(&h, &text_from(KOTA_NUMBER, "wamid.G3", "HAPUS DATA YA")).await;
    let texts = aduan_shared::texts::Texts::shipped();
    assert_eq!(h.standin.texts().last().unwrap(), &texts.erased);
    assert!(proxy.injected() >= 3, "the bucket was tried");
    assert_eq!(bucket_keys(&bucket).await.len(), 1);

    let now = chrono::Utc::now();
    let due = |at| h.store.files_to_delete_due(at, 10);
    assert_eq!(due(now).await.unwrap(), [], "leased to the webhook's own attempt");
    let later = now + chrono::Duration::minutes(3);
    let pending = due(later).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].ticket, ticket);

    let working = aduan_shared::archive::MediaBucket::new(&sdk_config().await, &bucket);
    let retried = aduan_shared::archive::erased::retry_erased_files(Some(&working), &h.store, later, 10)
        .await
        .unwrap();
    assert_eq!((retried.cases_done, retried.files_deleted), (1, 1), "{retried:?}");
    assert_eq!(bucket_keys(&bucket).await, Vec::<String>::new());
    assert_eq!(due(later).await.unwrap(), []);
}

/// The TTL attribute of every item holding a contact, by `PK`.
async fn contact_ttls(h: &Harness) -> std::collections::BTreeMap<String, Option<i64>> {
    aduan_testkit::retention::contact_items(&sdk_config().await, h.store.table()).await
}

/// The record and its copy carry no TTL while a case of theirs is open,
/// the retention (`CONTACT_RETENTION_DAYS`) from the moment their last case
/// closed, unchanged by messages that close or open nothing.
#[tokio::test]
async fn the_contacts_retention_runs_from_the_last_close_and_stops_while_a_case_is_open() {
    let h = harness_with("retention", |env| {
        env.push(("CONTACT_RETENTION_DAYS".into(), "30".into()))
    })
    .await;
    let both = || fixtures::Who {
        phone: Some(CITIZEN),
        user_id: Some(USER),
        parent_user_id: None,
    };
    post(&h, &text_by(both(), "wamid.R1", "Jalan rusak di Garegeh")).await;
    let open = contact_ttls(&h).await;
    assert_eq!(open.len(), 2, "the record and its copy: {open:?}");
    assert!(open.values().all(Option::is_none), "{open:?}");

    let before = chrono::Utc::now();
    post(&h, &text_by(both(), "wamid.R2", "BATAL ADU-0001")).await;
    let after = chrono::Utc::now();
    let closed = contact_ttls(&h).await;
    let days = chrono::Duration::days(30);
    let window = (before + days).timestamp()..=(after + days).timestamp();
    assert_eq!(closed.len(), 2, "{closed:?}");
    assert!(
        closed.values().all(|t| t.is_some_and(|t| window.contains(&t))),
        "{closed:?} not in {window:?}"
    );

    post(&h, &text_by(both(), "wamid.R3", "STATUS")).await;
    assert_eq!(contact_ttls(&h).await, closed, "a status request changes nothing");

    post(&h, &text_by(both(), "wamid.R4", "Lampu jalan mati di Birugo")).await;
    assert_eq!(all_cases(&h).await.len(), 2);
    let reopened = contact_ttls(&h).await;
    assert!(reopened.values().all(Option::is_none), "{reopened:?}");
}
