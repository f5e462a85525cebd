//! The audit of officials' reads and acts (issue 22): a detail read, a
//! file, a queue page and each kind of act leave the right entry, never the
//! content; only an admin whose scope covers the case reads the trail; a
//! read whose entry cannot be written is not served.

mod support;

use aduan_shared::archive::MediaBucket;
use aduan_shared::domain::sla::WorkingCalendar;
use aduan_shared::domain::timeline::{
    Actor, EventBody, MediaStorage, MediaType, MessageContent, StoredFile, TimelineEvent,
};
use aduan_shared::store::{keys, Store};
use aduan_testkit::faults::{Fault, FaultProxy, Rule};
use aduan_testkit::fresh_bucket;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};
use support::*;

const DESCRIPTION: &str = "Lampu jalan mati di depan rumah Bu Ani, hubungi 0812 3456 7890";
const CAPTION: &str = "tiang lampu roboh dekat sekolah";
const REPLY: &str = "Petugas PLN datang Kamis pagi";
const NOTE: &str = "sudah dicek ke lokasi";

/// The raw items of one partition, as DynamoDB holds them.
async fn partition(app: &App, pk: &str) -> Vec<String> {
    let client = aws_sdk_dynamodb::Client::new(&app.sdk);
    let out = client
        .query()
        .table_name(app.store().table())
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
        .send()
        .await
        .unwrap();
    out.items().iter().map(|item| format!("{item:?}")).collect()
}

fn whats(trail: &Value) -> Vec<String> {
    trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e["what"]["type"].as_str().unwrap() {
            "action" => format!(
                "{}@{}",
                e["what"]["action"].as_str().unwrap(),
                e["what"]["version"]
            ),
            other => other.to_owned(),
        })
        .collect()
}

#[tokio::test]
async fn reads_and_acts_are_audited_without_content_for_admins_in_scope() {
    let mut app = App::new("audit").await;
    let bucket = MediaBucket::new(&app.sdk, fresh_bucket(&app.sdk, "audit").await);
    app.state.media = Some(bucket.clone());
    let now = chrono::Utc::now();
    let mut case = app
        .seed_described(1, KEL_GAREGEH, now, now, DESCRIPTION.into())
        .await;
    let key = "cases/ADU-0001/01JDEXAMPLE-ME1";
    bucket
        .put(key, b"jpeg".to_vec(), Some("image/jpeg"))
        .await
        .unwrap();
    let photo = TimelineEvent::new(
        now,
        Actor::Citizen,
        EventBody::Message {
            provider_message_id: "wamid.ME1".into(),
            content: MessageContent::Media {
                media_type: MediaType::Image,
                media_id: "ME1".into(),
                mime_type: Some("image/jpeg".into()),
                caption: Some(CAPTION.into()),
                url: None,
            },
            stored: Some(MediaStorage::Stored),
            file: Some(StoredFile {
                key: key.into(),
                bytes: 4,
                mime_type: Some("image/jpeg".into()),
            }),
            store_error: None,
        },
    );
    app.store().save_case(&mut case, &[photo], None).await.unwrap();

    let lurah = caller(KEL_GAREGEH, "officer");
    assert_eq!(app.get(&lurah, "/cases?status=open").await.status, 200);
    assert_eq!(app.get(&lurah, "/cases/ADU-0001").await.status, 200);
    assert_eq!(app.get(&lurah, "/cases/ADU-0001/media/ME1").await.status, 200);
    // An act's entry rides in the act's own transaction: no extra request.
    app.requests.reset();
    let r = app
        .act(
            &lurah,
            "ADU-0001",
            json!({"action": "note", "note": NOTE, "version": 2}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.requests.by_operation().get("PutItem"), None);
    assert_eq!(app.requests.by_operation()["TransactWriteItems"], 1);
    let r = app
        .post(&lurah, "/cases/ADU-0001/messages", json!({"text": REPLY}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(&lurah, "/cases/ADU-0001/escalations", json!({"reason": NOTE}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The admin of the kota reads the trail, newest first, in pages.
    let admin = caller("bukittinggi", "admin");
    let r = app.get(&admin, "/cases/ADU-0001/audit?limit=3").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(whats(&r.body), ["escalate@3", "message@3", "note@2"]);
    let entry = &r.body["entries"][0];
    assert_eq!(entry["actor"]["sub"], lurah.sub);
    assert_eq!(entry["actor"]["scope"], KEL_GAREGEH);
    assert_eq!(entry["actor"]["role"], "officer");
    let cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
    let r = app
        .get(&admin, &format!("/cases/ADU-0001/audit?cursor={cursor}"))
        .await;
    assert_eq!(whats(&r.body), ["read_media", "read_detail"]);
    assert_eq!(r.body["entries"][0]["what"]["media_id"], "ME1");
    assert_eq!(r.body["next_cursor"], json!(null));

    // The queue page is one entry, under the official, with its filter.
    let queue = partition(&app, &keys::audit_official_pk(&lurah.sub)).await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    for wanted in ["read_queue", KEL_GAREGEH, "in_progress", "ADU-0001"] {
        assert!(queue[0].contains(wanted), "{wanted}: {}", queue[0]);
    }

    // Nothing of the report, the citizen or the official's words is in any entry.
    let entries = partition(&app, &keys::audit_case_pk(&case.id)).await;
    assert_eq!(entries.len(), 5);
    let reporter = case.reporter.id().expect("a seeded case has its reporter");
    let (number, bsuid, pseudonym) = (number_of(1), bsuid_of(1), reporter.pseudonym());
    let secrets: [&str; 10] = [
        "Lampu",
        "3456 7890",
        &number,
        &bsuid,
        case.reporter.as_str(),
        &pseudonym,
        CAPTION,
        REPLY,
        NOTE,
        &lurah.name,
    ];
    for item in entries.iter().chain(&queue) {
        for secret in secrets {
            assert!(!item.contains(secret), "{secret} in {item}");
        }
        assert!(item.contains("expires_at"), "{item}");
    }
}

#[tokio::test]
async fn only_an_admin_whose_scope_covers_the_case_reads_its_audit() {
    let app = App::new("audit-authz").await;
    app.seed(1, KEL_GAREGEH).await;
    for role in ["viewer", "officer"] {
        let r = app
            .get(&caller("bukittinggi", role), "/cases/ADU-0001/audit")
            .await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{role}");
    }
    let elsewhere = caller(KEC_GUGUK, "admin");
    let r = app.get(&elsewhere, "/cases/ADU-0001/audit").await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    let r = app
        .get(&caller(KEC_MKS, "admin"), "/cases/ADU-0001/audit?cursor=nope")
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    let r = app.get(&caller(KEC_MKS, "admin"), "/cases/ADU-0001/audit").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["entries"], json!([]), "refused reads leave nothing");
}

#[tokio::test]
async fn a_read_whose_entry_cannot_be_written_is_not_served() {
    let mut app = App::new("audit-unwritten").await;
    app.seed_described(
        1,
        KEL_GAREGEH,
        chrono::Utc::now(),
        chrono::Utc::now(),
        DESCRIPTION.into(),
    )
    .await;
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::op("PutItem", 1, Fault::Status(503)).times(10));
    app.state.store = Store::new(
        aws_sdk_dynamodb::Client::new(&proxy.sdk_config().await),
        app.store().table().to_owned(),
        WorkingCalendar::default(),
    );
    let r = app.get(&caller(KEL_GAREGEH, "viewer"), "/cases/ADU-0001").await;
    assert_eq!((r.status, r.code()), (503, "unavailable"), "{}", r.text);
    assert!(!r.text.contains("Lampu"), "{}", r.text);
    assert!(proxy.injected() >= 3, "the fault was reached");
}
