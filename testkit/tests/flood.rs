//! docs/security.md, "One WhatsApp account can break officials' queues":
//! one account sends a flood of signed `BARU <64 KB>` deliveries; the
//! reporter's limits keep it to a few cases, the citizen is answered
//! politely, and the officials' queue still loads, with the refusal on the
//! reporter's case for officials to see.

use aduan_shared::config::Env;
use aduan_shared::texts::{render, Texts};
use aduan_shared::whatsapp::meta::fixtures;
use aduan_testkit::events::{jwt_event, request, signed_meta_event, Official};
use aduan_testkit::standin::WhatsAppStandin;
use aduan_testkit::{base_env, fresh_table, sdk_config};
use chrono::Utc;
use serde_json::Value;

const SECRET: &str = "meta-app-secret";
const NUMBER: &str = "222000222";
const CITIZEN: &str = "6281234567890";
/// As many messages as Lambda's 6 MB response would need to break a queue
/// page of uncut descriptions, and more than a minute's limit.
const FLOOD: usize = 30;

async fn deliver(app: &webhook::App, body: &Value) -> u16 {
    let event = signed_meta_event(SECRET, body);
    webhook::handle(app, request(&event)).await.status().as_u16()
}

async fn api(state: &case_updates::AppState, path: &str) -> (u16, usize, Value) {
    let wali_kota = Official {
        sub: "sub-kota".into(),
        name: "Staf Wali Kota".into(),
        scope: "bukittinggi".into(),
        role: "officer".into(),
    };
    let event = jwt_event(&wali_kota, "GET", path, None).to_string();
    let response = case_updates::handler(state, lambda_http::request::from_str(&event).unwrap())
        .await
        .unwrap();
    let body = response.body().as_ref();
    let json = serde_json::from_slice(body).unwrap_or(Value::Null);
    (response.status().as_u16(), body.len(), json)
}

#[tokio::test]
async fn a_flood_from_one_account_stays_a_few_cases_and_the_queue_still_loads() {
    let config = sdk_config().await;
    let table = fresh_table(&config, "flood").await;
    let standin = WhatsAppStandin::start().await;
    let mut env = base_env(&table);
    let api_base = format!("{}/v23.0", standin.base_url);
    for (k, v) in [
        ("WHATSAPP_APP_SECRET", SECRET),
        ("WHATSAPP_ACCESS_TOKEN", "token-123"),
        ("WHATSAPP_API_BASE", api_base.as_str()),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    let env = Env::from_pairs(env);
    let webhook = webhook::App::from_config(&env, &config).await.unwrap();
    let officials = case_updates::AppState::from_config(&env, &config).await.unwrap();

    // What a flood looks like: the longest text WhatsApp lets a user send.
    let long = "jalan rusak parah tolong diperbaiki ".repeat(1820);
    let now = Utc::now().timestamp();
    let started = std::time::Instant::now();
    for n in 0..FLOOD {
        let body = fixtures::text(
            NUMBER,
            CITIZEN,
            &format!("wamid.flood{n}"),
            now,
            &format!("BARU {long}"),
        );
        assert_eq!(deliver(&webhook, &body).await, 200, "delivery {n}");
    }

    let (status, bytes, queue) = api(&officials, "/cases?limit=100").await;
    assert_eq!(status, 200, "{queue}");
    let cases = queue["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 5, "the open-case limit");
    assert!(bytes < 1_000_000, "a queue page of {bytes} bytes");

    let texts = Texts::shipped();
    let told = standin.texts();
    let open_limit = render(&texts.limit_open_cases, &[("limit", "5")]);
    let rate_limit = render(&texts.limit_messages, &[("limit", "20")]);
    // Five acknowledgements; every other report refused and answered until
    // the minute's limit, which is answered once; the rest gets nothing.
    // The limit counts minutes of the clock: on a machine so busy that the
    // flood outlasted a minute, a second minute began (the in-memory tests
    // pin the counts with a clock of their own).
    let acks = told
        .iter()
        .filter(|t| t.contains("sudah kami terima dengan nomor"))
        .count();
    let refused = told.iter().filter(|t| **t == open_limit).count();
    let slowed = told.iter().filter(|t| **t == rate_limit).count();
    assert_eq!(acks + refused + slowed, told.len(), "{told:#?}");
    assert_eq!(acks, 5);
    if started.elapsed() < std::time::Duration::from_secs(55) {
        assert_eq!((refused, slowed), (15, 1), "{told:#?}");
    } else {
        assert!(refused >= 15 && slowed >= 1 && told.len() < FLOOD, "{told:#?}");
    }

    // Officials see the refusal on the reporter's newest case.
    let newest = cases
        .iter()
        .filter_map(|c| c["ticket"].as_str())
        .max()
        .unwrap()
        .to_owned();
    let (status, _, detail) = api(&officials, &format!("/cases/{newest}")).await;
    assert_eq!(status, 200);
    let limited: Vec<&Value> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"]["type"] == "limited")
        .collect();
    assert_eq!(limited.len(), 1, "{limited:?}");
    assert_eq!(limited[0]["body"]["limit"], "open_cases");
    assert_eq!(limited[0]["body"]["allowed"], 5);
}
