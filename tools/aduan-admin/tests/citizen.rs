//! `aduan-admin citizen` against the local emulator: a citizen who wrote
//! through the webhook (real signed deliveries, a photo kept in the bucket)
//! has their data erased, or their processing restricted, by an
//! administrator who types their number; the table and the bucket are
//! checked whole afterwards.

use aduan_admin::citizen::{self, Citizens};
use aduan_shared::archive::MediaBucket;
use aduan_shared::config::Env;
use aduan_shared::domain::case::{Case, CaseReporter};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::timeline::Actor;
use aduan_shared::notify::citizen::{Delivery, Notice};
use aduan_shared::store::{QueueQuery, QueueScope};
use aduan_shared::whatsapp::meta::fixtures::{self, Who};
use aduan_testkit::events::{request, signed_meta_event};
use aduan_testkit::faults::{Fault, FaultProxy, Rule};
use aduan_testkit::standin::WhatsAppStandin;
use aduan_testkit::{base_env, fresh_bucket, fresh_table, sdk_config};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

const SECRET: &str = "meta-app-secret";
const CITY_NUMBER: &str = "222000222";
/// As WhatsApp sends it ...
const CITIZEN: &str = "6281234567890";
/// ... and as the administrator types it from the citizen's letter.
const AS_TYPED: &str = "0812-3456-7890";
/// Their business-scoped user id, once Meta sends one.
const BSUID: &str = "ID.5550001234567";

struct World {
    webhook: webhook::App,
    standin: WhatsAppStandin,
    bucket: String,
}

async fn world(test: &str) -> World {
    let sdk = sdk_config().await;
    let table = fresh_table(&sdk, test).await;
    let bucket = fresh_bucket(&sdk, test).await;
    let standin = WhatsAppStandin::start().await;
    let mut env = base_env(&table);
    for (k, v) in [
        ("WHATSAPP_APP_SECRET", SECRET),
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", standin.base_url.as_str()),
        ("MEDIA_BUCKET", bucket.as_str()),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    let webhook = webhook::App::from_config(&Env::from_pairs(env), &sdk)
        .await
        .expect("config");
    World {
        webhook,
        standin,
        bucket,
    }
}

impl World {
    async fn says(&self, id: &str, body: &str) {
        let now = Utc::now().timestamp();
        self.deliver(&fixtures::text(CITY_NUMBER, CITIZEN, id, now, body))
            .await;
    }

    async fn sends_photo(&self, id: &str, media_id: &str) {
        self.standin
            .add_media(media_id, b"\xff\xd8 photo".to_vec(), "image/jpeg");
        let now = Utc::now().timestamp();
        let photo = json!({"id": media_id, "mime_type": "image/jpeg", "sha256": "x"});
        self.deliver(&fixtures::message(CITY_NUMBER, CITIZEN, id, now, "image", photo))
            .await;
    }

    async fn deliver(&self, body: &Value) {
        let response = webhook::handle(&self.webhook, request(&signed_meta_event(SECRET, body))).await;
        assert_eq!(response.status(), 200);
    }

    async fn cases(&self) -> Vec<Case> {
        let scope = QueueScope::Area(JurisdictionPath::parse("bukittinggi").unwrap());
        let store = &self.webhook.store;
        store.queue(&QueueQuery::new(scope)).await.unwrap().items
    }

    /// The administrator's command, with `bucket` (the real one, or one
    /// reached through a fault proxy) and an answer to its question.
    async fn admin(&self, line: &str, bucket: &MediaBucket, answer: bool) -> (Vec<String>, Vec<String>) {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        let command = citizen::parse(&args).unwrap();
        let citizens = Citizens {
            store: &self.webhook.store,
            hasher: &self.webhook.desk.keys.hasher,
            bucket: Some(bucket),
        };
        let mut asked = Vec::new();
        let mut confirm = |question: &str| {
            asked.push(question.to_owned());
            answer
        };
        let out = citizen::run(&citizens, command, &mut confirm, Utc::now())
            .await
            .unwrap();
        (out, asked)
    }

    async fn bucket_keys(&self) -> Vec<String> {
        aduan_testkit::bucket_keys(&sdk_config().await, &self.bucket).await
    }

    async fn whole_table(&self) -> Vec<String> {
        aduan_testkit::whole_table(&sdk_config().await, self.webhook.store.table()).await
    }
}

/// The citizen's contact and pseudonyms as the table holds them: the
/// record's id, the sealed contact, every key it is known by, the number.
async fn secrets_of(w: &World, case: &Case) -> Vec<String> {
    let id = case.reporter.id().unwrap().clone();
    let record = w.webhook.store.reporter(&id).await.unwrap().unwrap();
    let mut secrets = vec![
        id.to_string(),
        record.contact.ciphertext.clone(),
        CITIZEN.to_owned(),
    ];
    secrets.extend(record.known_as.all().map(|k| k.to_string()));
    secrets
}

/// Erasure by number: asked first (declined: nothing happens), then done;
/// nothing in the table holds the citizen's contact or pseudonyms, their
/// cases stay with the reporter erased, the photo is gone from the bucket,
/// the output names tickets and counts but never the number, and a second
/// erasure finds nothing.
#[tokio::test]
async fn erase_by_number_leaves_nothing_of_the_citizen() {
    let w = world("admin-erase").await;
    w.says("wamid.A1", "Jalan berlubang di Garegeh").await;
    w.sends_photo("wamid.A2", "777").await;
    w.says("wamid.A3", "BARU Lampu jalan mati di Garegeh").await;
    let cases = w.cases().await;
    assert_eq!(cases.len(), 2, "{cases:?}");
    assert_eq!(w.bucket_keys().await.len(), 1);
    let secrets = secrets_of(&w, &cases[0]).await;
    let bucket = w.webhook.media.as_ref().unwrap().bucket().clone();

    let line = format!("erase --phone {AS_TYPED}");
    let (out, asked) = w.admin(&line, &bucket, false).await;
    assert_eq!(out, ["not confirmed: nothing erased"]);
    assert_eq!(asked.len(), 1);
    for case in &cases {
        assert!(asked[0].contains(case.ticket.as_str()), "{asked:?}");
    }
    assert!(w
        .webhook
        .store
        .reporter(cases[0].reporter.id().unwrap())
        .await
        .unwrap()
        .is_some());

    let (out, _) = w.admin(&line, &bucket, true).await;
    let printed = out.join("\n");
    assert!(printed.contains("2 case(s) unlinked"), "{printed}");
    assert!(printed.contains("files: 1 deleted from 2 case(s)"), "{printed}");
    for secret in ["81234567890", "8123-4567", "3456-7890"] {
        assert!(
            !printed.contains(secret) && !asked[0].contains(secret),
            "{printed}"
        );
    }

    for item in w.whole_table().await {
        for secret in &secrets {
            assert!(!item.contains(secret.as_str()), "{item}");
        }
    }
    assert_eq!(w.bucket_keys().await, Vec::<String>::new());
    for case in &cases {
        let kept = w.webhook.store.case(&case.id).await.unwrap().unwrap();
        assert_eq!(kept.reporter, CaseReporter::Erased);
        assert_eq!(kept.status, case.status, "the case stays as a public record");
    }
    // Nothing is left for the sweep: every file deletion was done.
    let due = w
        .webhook
        .store
        .files_to_delete_due(Utc::now() + Duration::days(1), 10);
    assert_eq!(due.await.unwrap(), []);

    let (again, asked) = w.admin(&format!("{line} --yes"), &bucket, false).await;
    assert_eq!(again, ["nothing is kept about this citizen: nothing to erase"]);
    assert!(asked.is_empty());
}

/// A citizen known by their number alone before, then by a BSUID that
/// withheld the number: two records of one person. Erasing by both ids
/// deletes both records and unlinks the cases of each.
#[tokio::test]
async fn erase_by_number_and_bsuid_takes_both_records_of_one_person() {
    let w = world("admin-erase-both").await;
    w.says("wamid.B1", "Jalan berlubang di Garegeh").await;
    let by_bsuid = Who {
        user_id: Some(BSUID),
        ..Who::default()
    };
    let now = Utc::now().timestamp();
    let text = json!({"body": "BARU Lampu jalan mati di Garegeh"});
    w.deliver(&fixtures::message_by(
        CITY_NUMBER,
        by_bsuid,
        "wamid.B2",
        now,
        "text",
        text,
    ))
    .await;
    let cases = w.cases().await;
    assert_eq!(cases.len(), 2, "{cases:?}");
    assert_ne!(cases[0].reporter, cases[1].reporter, "two records");
    let mut secrets = vec![BSUID.to_owned()];
    for case in &cases {
        secrets.extend(secrets_of(&w, case).await);
    }
    let bucket = w.webhook.media.as_ref().unwrap().bucket().clone();

    let line = format!("erase --phone {AS_TYPED} --bsuid {BSUID} --yes");
    let (out, _) = w.admin(&line, &bucket, true).await;
    assert!(out[0].contains("2 case(s) unlinked"), "{out:?}");
    for item in w.whole_table().await {
        for secret in &secrets {
            assert!(!item.contains(secret.as_str()), "{item}");
        }
    }
    for case in &cases {
        let kept = w.webhook.store.case(&case.id).await.unwrap().unwrap();
        assert_eq!(kept.reporter, CaseReporter::Erased);
    }
}

/// Restricted by number: an official's message to the citizen is withheld
/// (recorded, not sent); unrestricted, the next one is sent.
#[tokio::test]
async fn restrict_withholds_notices_and_unrestrict_lifts_it() {
    let w = world("admin-restrict").await;
    w.says("wamid.R1", "Sampah menumpuk di Garegeh").await;
    let case = w.cases().await.remove(0);
    let bucket = w.webhook.media.as_ref().unwrap().bucket().clone();
    let tell = |text: &str| {
        let notice = Notice::OfficialMessage {
            text: text.to_owned(),
        };
        let (messenger, store) = (&w.webhook.messenger, &w.webhook.store);
        let case = &case;
        async move {
            messenger
                .tell_as(store, case, notice, Actor::System, Utc::now())
                .await
                .unwrap()
        }
    };

    let (out, asked) = w
        .admin(&format!("restrict --phone {AS_TYPED} --yes"), &bucket, false)
        .await;
    assert!(out[0].starts_with("restricted"), "{out:?}");
    assert!(asked.is_empty(), "--yes asks nothing");
    let sent = w.standin.received().len();
    assert_eq!(tell("Petugas akan datang besok").await, Delivery::Withheld);
    assert_eq!(w.standin.received().len(), sent, "nothing sent");
    let (again, _) = w
        .admin(&format!("restrict --phone {AS_TYPED} --yes"), &bucket, false)
        .await;
    assert_eq!(again, ["already restricted: nothing changed"]);

    let (out, _) = w
        .admin(&format!("unrestrict --phone {AS_TYPED}"), &bucket, true)
        .await;
    assert!(out[0].starts_with("unrestricted"), "{out:?}");
    assert!(matches!(
        tell("Petugas sudah datang").await,
        Delivery::Sent { .. }
    ));
    assert!(w.standin.texts().last().unwrap().contains("Petugas sudah datang"));
}

/// The bucket failing during the erasure: the case's deletion stays
/// pending, the sweep leaves it alone while the tool's own attempt may
/// still run, then deletes the files and ends it.
#[tokio::test]
async fn a_failed_file_deletion_is_retried_by_the_sweep() {
    let w = world("admin-erase-retry").await;
    w.says("wamid.F1", "Drainase tersumbat di Garegeh").await;
    w.sends_photo("wamid.F2", "888").await;
    assert_eq!(w.bucket_keys().await.len(), 1);
    // Only the tool's bucket client goes through the proxy: every request
    // fails, past the SDK's retries.
    let proxy = FaultProxy::in_front_of_the_emulator().await;
    proxy.arm(Rule::nth(1, Fault::Status(500)).times(100));
    let failing = MediaBucket::new(&proxy.sdk_config().await, &w.bucket);

    let (out, _) = w
        .admin(&format!("erase --phone {AS_TYPED} --yes"), &failing, true)
        .await;
    let printed = out.join("\n");
    assert!(printed.contains("1 case(s) left for the sweep"), "{printed}");
    assert!(proxy.injected() >= 3, "the bucket was tried");
    assert_eq!(w.bucket_keys().await.len(), 1);

    let sdk = sdk_config().await;
    let mut env = base_env(w.webhook.store.table());
    env.push(("MEDIA_BUCKET".into(), w.bucket.clone()));
    env.push(("WHATSAPP_ACCESS_TOKEN".into(), "token-123".into()));
    env.push(("WHATSAPP_API_BASE".into(), w.standin.base_url.clone()));
    let sweep = digest::App::from_config(&Env::from_pairs(env), &sdk)
        .await
        .expect("config");
    let budget = digest::Budget::unlimited;
    let now = Utc::now();
    let early = sweep.sla_sweep(now, budget()).await.unwrap();
    assert_eq!(
        early.erased_files,
        Default::default(),
        "the first attempt's lease"
    );
    assert_eq!(w.bucket_keys().await.len(), 1);

    let later = sweep
        .sla_sweep(now + Duration::minutes(3), budget())
        .await
        .unwrap();
    assert_eq!(later.erased_files.cases_done, 1, "{later:?}");
    assert_eq!(later.erased_files.files_deleted, 1, "{later:?}");
    assert_eq!(w.bucket_keys().await, Vec::<String>::new());
    let due = w.webhook.store.files_to_delete_due(now + Duration::days(1), 10);
    assert_eq!(due.await.unwrap(), [], "nothing left to retry");
}
