//! `aduan-admin backfill` against the local emulator: cases written
//! through the webhook (real signed deliveries, one with a shared place)
//! and worked by officials, then made to look as cases from before an
//! upgrade do (no first-verified/first-resolved times, no recorded place),
//! get them back from their timelines; a dry run writes nothing and a
//! second run finds nothing to do.

use aduan_admin::backfill::{self, Backfill};
use aduan_shared::config::Env;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::timeline::{Actor, EventBody};
use aduan_shared::store::{QueueQuery, QueueScope};
use aduan_shared::whatsapp::meta::fixtures;
use aduan_testkit::events::{request, signed_meta_event};
use aduan_testkit::{base_env, fresh_table, sdk_config};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use serde_json::{json, Value};

const SECRET: &str = "meta-app-secret";
const CITY_NUMBER: &str = "222000222";

async fn deliver(app: &webhook::App, body: &Value) {
    let response = webhook::handle(app, request(&signed_meta_event(SECRET, body))).await;
    assert_eq!(response.status(), 200);
}

async fn cases(app: &webhook::App) -> Vec<Case> {
    let scope = QueueScope::Area(JurisdictionPath::parse("bukittinggi").unwrap());
    let mut cases = app.store.queue(&QueueQuery::new(scope)).await.unwrap().items;
    cases.sort_by(|a, b| a.ticket.as_str().cmp(b.ticket.as_str()));
    cases
}

/// Moves a case as an official's actions do: the domain's transition,
/// saved with its event at the version read.
async fn work(app: &webhook::App, case: &mut Case, transitions: &[Transition]) {
    for transition in transitions {
        let actor = Actor::System;
        let event = case
            .transition(*transition, actor, None, &SlaPolicy::default(), Utc::now())
            .unwrap();
        app.store.save_case(case, &[event], None).await.unwrap();
    }
}

async fn run(app: &webhook::App, args: &[&str]) -> Vec<String> {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let command: Backfill = backfill::parse(&args).unwrap();
    backfill::run(&app.store, Jurisdictions::bukittinggi(), command)
        .await
        .unwrap()
}

#[tokio::test]
async fn older_cases_get_their_first_times_and_shared_place_from_their_timelines() {
    let sdk = sdk_config().await;
    let table = fresh_table(&sdk, "backfill").await;
    let mut env = base_env(&table);
    for (k, v) in [
        ("WHATSAPP_APP_SECRET", SECRET),
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", "http://127.0.0.1:9"),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    let app = webhook::App::from_config(&Env::from_pairs(env), &sdk)
        .await
        .expect("config");
    let now = Utc::now().timestamp();
    let lamp = "Assalamualaikum pak, lampu jalan dkt mesjid Nurul Iman di Garegeh mati sdh 3 malam";
    deliver(
        &app,
        &fixtures::text(CITY_NUMBER, "6281234567890", "wamid.A1", now, lamp),
    )
    .await;
    let place = json!({"latitude": -0.3051239, "longitude": 100.3698761,
                       "name": "Masjid Nurul Iman", "address": "Jl. Sudirman, Garegeh"});
    let location = fixtures::message(
        CITY_NUMBER,
        "6281234567890",
        "wamid.A2",
        now + 5,
        "location",
        place,
    );
    deliver(&app, &location).await;
    let road = "jalan berlubang depan SD 03 puhun tembok, bahaya utk anak2";
    deliver(
        &app,
        &fixtures::text(CITY_NUMBER, "6281298765432", "wamid.B1", now, road),
    )
    .await;
    let [mut lamp, mut road]: [Case; 2] = cases(&app).await.try_into().expect("two cases");
    work(
        &app,
        &mut lamp,
        &[Transition::Verify, Transition::Start, Transition::Resolve],
    )
    .await;
    work(&app, &mut road, &[Transition::Reject]).await;
    let (_, timeline) = app.store.case_with_timeline(&lamp.id).await.unwrap().unwrap();
    let first_to = |status: Status| {
        timeline
            .iter()
            .find(|e| matches!(e.body, EventBody::StatusChanged { to, .. } if to == status))
            .map(|e| e.at)
    };
    let (verified, resolved) = (first_to(Status::Verified), first_to(Status::Resolved));
    assert!(verified.is_some() && resolved.is_some());
    assert_eq!((lamp.verified_at, lamp.resolved_at), (verified, resolved));

    // As a case from before the upgrade: the times and the place not kept.
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let pk = AttributeValue::S(format!("CASE#{}", lamp.id.as_str()));
    client
        .update_item()
        .table_name(&table)
        .key("PK", pk.clone())
        .key("SK", AttributeValue::S("CASE".into()))
        .update_expression("REMOVE verified_at, resolved_at")
        .send()
        .await
        .unwrap();
    client
        .delete_item()
        .table_name(&table)
        .key("PK", pk)
        .key("SK", AttributeValue::S("LOCATION".into()))
        .send()
        .await
        .unwrap();
    let old = app.store.case(&lamp.id).await.unwrap().unwrap();
    assert_eq!((old.verified_at, old.resolved_at), (None, None));
    assert!(app.store.shared_locations(&[&lamp.id]).await.unwrap().is_empty());

    let dry = run(&app, &["--dry-run"]).await;
    assert_eq!(
        dry,
        [
            "read 2 cases of bukittinggi and 2 timelines",
            "would set the first-verified/first-resolved times of 1 case",
            "would record the shared place of 1 case",
        ]
    );
    // A dry run writes nothing.
    assert_eq!(app.store.case(&lamp.id).await.unwrap().unwrap(), old);
    assert!(app.store.shared_locations(&[&lamp.id]).await.unwrap().is_empty());

    let done = run(&app, &[]).await;
    assert_eq!(
        done,
        [
            "read 2 cases of bukittinggi and 2 timelines",
            "set the first-verified/first-resolved times of 1 case",
            "recorded the shared place of 1 case",
        ]
    );
    let filled = app.store.case(&lamp.id).await.unwrap().unwrap();
    assert_eq!((filled.verified_at, filled.resolved_at), (verified, resolved));
    assert_eq!(filled.version, old.version + 1, "saved at the version read");
    let places = app.store.shared_locations(&[&lamp.id]).await.unwrap();
    let at = places[&lamp.id];
    assert_eq!((at.lat, at.long), (-0.3051239, 100.3698761));
    let rejected = app.store.case(&road.id).await.unwrap().unwrap();
    assert_eq!(
        (rejected.verified_at, rejected.resolved_at),
        (None, None),
        "never verified"
    );
    assert_eq!(rejected.version, road.version);

    // Nothing is left to do; the rejected case is read again (it lacks both).
    let again = run(&app, &[]).await;
    assert_eq!(
        again,
        [
            "read 2 cases of bukittinggi and 1 timeline",
            "set the first-verified/first-resolved times of 0 cases",
            "recorded the shared place of 0 cases",
        ]
    );
    assert!(backfill::parse(&["--all".to_owned()]).is_err());
}
