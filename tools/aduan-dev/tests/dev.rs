//! The dev server over real HTTP, against the local AWS emulator (`make
//! test`), on a fresh table and an ephemeral port.

use std::net::{Ipv4Addr, SocketAddr};

use aduan_dev::issuer::{self, Issuer};
use aduan_dev::template::{Route, Template};
use aduan_dev::{DevServer, Options, DEV_APP_SECRET, DEV_NUMBER};
use aduan_shared::whatsapp::meta::fixtures;
use aduan_shared::whatsapp::signature::sign_meta;
use aduan_testkit::sns::fresh_topic;
use aduan_testkit::{base_env, fresh_table, sdk_config};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

async fn server(test: &str) -> DevServer {
    let sdk = sdk_config().await;
    let table = fresh_table(&sdk, test).await;
    // Topics of the test's own, so that the digest's publishes land.
    let mut env = base_env(&table);
    for (key, value) in env.iter_mut().filter(|(key, _)| key.ends_with("_TOPIC_ARN")) {
        let name = format!("{}-{table}", key.trim_end_matches("_TOPIC_ARN").to_lowercase());
        *value = fresh_topic(&sdk, &name).await.expect("a topic");
    }
    aduan_dev::start(Options {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        template: aduan_dev::default_template(),
        console: aduan_dev::default_console(),
        env,
        sdk,
    })
    .await
    .expect("the dev server starts")
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Posts a Meta delivery to the webhook, signed with the dev app secret as
/// Meta signs it; the webhook's status.
async fn deliver(http: &reqwest::Client, base: &str, delivery: &Value) -> u16 {
    let bytes = serde_json::to_vec(delivery).unwrap();
    http.post(format!("{base}/webhook"))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            sign_meta(DEV_APP_SECRET.as_bytes(), &bytes),
        )
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn token(http: &reqwest::Client, base: &str, official: &str) -> String {
    let (status, body) = json_of(
        http.post(format!("{base}/dev/token"))
            .json(&json!({ "official": official }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["id_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn routes_are_template_yamls_http_api_events() {
    let dev = server("dev-routes").await;
    let text = std::fs::read_to_string(aduan_dev::default_template()).unwrap();
    let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut expected = Vec::new();
    for resource in template["Resources"].as_mapping().unwrap().values() {
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for event in events.values().filter(|e| e["Type"] == "HttpApi") {
            let props = &event["Properties"];
            expected.push(Route {
                method: props["Method"].as_str().unwrap().to_uppercase(),
                path: props["Path"].as_str().unwrap().to_owned(),
                binary: resource["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                authorizer: props["Auth"]["Authorizer"].as_str().map(str::to_owned),
            });
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(dev.routes.0, expected);
    assert_eq!(
        Template::load(&aduan_dev::default_template())
            .unwrap()
            .routes()
            .unwrap()
            .0,
        expected
    );
    // The officials' API is all behind the authorizer; the webhook and the
    // public record (exactly case-updates' public routes) are open.
    let public: Vec<(String, String)> = case_updates::PUBLIC_ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    for route in &dev.routes.0 {
        let is_public = public.contains(&(route.method.clone(), route.path.clone()));
        assert_eq!(
            route.authorizer.is_some(),
            route.binary == aduan_dev::CASE_UPDATES && !is_public,
            "{}",
            route.key()
        );
    }
}

#[tokio::test]
async fn a_whatsapp_message_becomes_a_case_the_lurah_sees() {
    let dev = server("dev-flow").await;
    let base = dev.base_url();
    let http = reqwest::Client::new();

    // A citizen writes to the dev number: a signed Meta delivery.
    let delivery = fixtures::text(
        DEV_NUMBER,
        "6281234567890",
        "wamid.DEV1",
        chrono::Utc::now().timestamp(),
        "Lampu jalan di depan kantor lurah Garegeh mati sejak seminggu",
    );
    assert_eq!(deliver(&http, &base, &delivery).await, 200);
    assert!(!dev.standin.received().is_empty(), "the citizen got no reply");
    let (status, received) = json_of(http.get(format!("{base}/dev/whatsapp")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(received.as_array().unwrap().len(), dev.standin.received().len());
    assert!(
        received[0]["text"].as_str().is_some_and(|t| !t.is_empty()),
        "{received}"
    );

    // Officials' routes: no token, a forged or expired one → 401 before the function.
    let cases = format!("{base}/cases");
    let (status, body) = json_of(http.get(&cases).send().await.unwrap()).await;
    assert_eq!((status, body), (401, json!({"message": "Unauthorized"})));
    let lurah = issuer::official("lurah-garegeh").unwrap();
    let expired = dev.issuer.mint(lurah, chrono::Utc::now().timestamp() - 60);
    let foreign = Issuer::new("https://issuer.invalid/dev").token(lurah);
    let good = token(&http, &base, "lurah-garegeh").await;
    // The lurah's claims, promoted to admin of the kota, signed with a guess.
    let payload = good.split('.').nth(1).unwrap();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["custom:role"] = json!("admin");
    claims["custom:scope"] = json!("bukittinggi");
    let forged = issuer::sign(&json!({"alg": "HS256", "typ": "JWT"}), &claims, b"a guessed key");
    for bad in [expired, foreign, forged, "not-a-jwt".to_owned()] {
        let response = http.get(&cases).bearer_auth(&bad).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401, "{bad}");
    }

    // The lurah's own token: the case is in their queue.
    let (status, body) = json_of(http.get(&cases).bearer_auth(&good).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.to_string().contains("ADU-"),
        "the lurah's queue has no case: {body}"
    );
}

#[tokio::test]
async fn dev_endpoints_jobs_and_unknown_routes() {
    let dev = server("dev-endpoints").await;
    let base = dev.base_url();
    let http = reqwest::Client::new();

    let (status, officials) = json_of(http.get(format!("{base}/dev/officials")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(officials.as_array().unwrap().len(), issuer::OFFICIALS.len());
    let (status, _) = json_of(
        http.post(format!("{base}/dev/token"))
            .json(&json!({"official": "nobody"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);

    let (status, summary) = json_of(
        http.post(format!("{base}/dev/jobs"))
            .json(&json!({"job": "daily-digest"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{summary}");
    assert!(summary.is_object(), "{summary}");
    let (status, _) = json_of(
        http.post(format!("{base}/dev/jobs"))
            .json(&json!({"job": "no-such-job"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);

    for (method, path) in [
        (reqwest::Method::GET, "/nowhere"),
        (reqwest::Method::DELETE, "/cases"),
        (reqwest::Method::GET, "/webhook/twilio"),
    ] {
        let (status, body) = json_of(
            http.request(method, format!("{base}{path}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((status, body), (404, json!({"message": "Not Found"})), "{path}");
    }
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{url}?{query}")
}

#[tokio::test]
async fn console_signs_in_through_the_code_and_pkce_flow() {
    let dev = server("dev-console").await;
    let base = dev.base_url();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The console and its settings, pointing at this server.
    let index = http.get(format!("{base}/console/")).send().await.unwrap();
    assert_eq!(index.status().as_u16(), 200);
    let index = index.text().await.unwrap();
    assert!(index.contains("config.js"));
    // Its Content-Security-Policy lets it call this server (API and sign-in).
    assert!(index.contains(&format!("connect-src {base} {base};")), "{index}");
    assert!(!index.contains("${"), "{index}");
    let config = http
        .get(format!("{base}/console/config.js"))
        .send()
        .await
        .unwrap();
    let config = config.text().await.unwrap();
    assert!(config.contains(&format!(r#""authUrl":"{base}/dev""#)), "{config}");
    assert!(config.contains(r#""clientId":"aduan-dev""#), "{config}");
    for hidden in [
        "/console/../Cargo.toml",
        "/console/tests/browser.mjs",
        "/console/.npmrc",
        "/console/nothing.js",
    ] {
        let status = http.get(format!("{base}{hidden}")).send().await.unwrap().status();
        assert_eq!(status.as_u16(), 404, "{hidden}");
    }

    // The sign-in page lists the seeded officials.
    let verifier = "the-console-s-random-verifier-0123456789-abcdefgh";
    let redirect = format!("{base}/console/");
    let authorize = [
        ("response_type", "code"),
        ("client_id", issuer::AUDIENCE),
        ("redirect_uri", redirect.as_str()),
        ("code_challenge_method", "S256"),
        ("code_challenge", &issuer::challenge(verifier)),
        ("state", "s-1"),
    ];
    let page = http
        .get(with_query(&format!("{base}/dev/oauth2/authorize"), &authorize))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    for official in issuer::OFFICIALS {
        assert!(
            page.contains(official.id) && page.contains(official.name),
            "{}",
            official.id
        );
    }

    // Choosing the lurah sends the browser back with a code and the state.
    let mut chosen = authorize.to_vec();
    chosen.push(("official", "lurah-garegeh"));
    let back = http
        .post(format!("{base}/dev/oauth2/authorize"))
        .form(&chosen)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status().as_u16(), 302);
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&redirect), "{location}");
    let query: std::collections::HashMap<String, String> =
        form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query["state"], "s-1");

    // The exchange: the verifier is needed, and the token opens the lurah's queue.
    let exchange = |code: &str, verifier: &str| {
        http.post(format!("{base}/dev/oauth2/token")).form(&[
            ("grant_type", "authorization_code"),
            ("client_id", issuer::AUDIENCE),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect.as_str()),
        ])
    };
    let (status, tokens) = json_of(exchange(&query["code"], verifier).send().await.unwrap()).await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().unwrap();
    let (status, _) = json_of(
        http.get(format!("{base}/cases"))
            .bearer_auth(id_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, error) = json_of(exchange(&query["code"], verifier).send().await.unwrap()).await;
    assert_eq!((status, error["error"].as_str()), (400, Some("invalid_grant")));

    // Codes go only to this machine; sign-out returns to the console.
    let mut elsewhere = authorize.to_vec();
    elsewhere[2] = ("redirect_uri", "https://attacker.example/");
    let status = http
        .get(with_query(&format!("{base}/dev/oauth2/authorize"), &elsewhere))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 400);
    let out = http
        .get(with_query(
            &format!("{base}/dev/logout"),
            &[("client_id", issuer::AUDIENCE), ("logout_uri", redirect.as_str())],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 302);
    assert_eq!(out.headers()["location"], redirect.as_str());
}

#[tokio::test]
async fn a_photo_sent_in_is_a_url_the_console_can_load() {
    let sdk = sdk_config().await;
    let table = fresh_table(&sdk, "dev-media").await;
    let bucket = aduan_testkit::fresh_bucket(&sdk, "dev-media").await;
    let mut env = base_env(&table);
    env.push(("MEDIA_BUCKET".into(), bucket));
    let dev = aduan_dev::start(Options {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        template: aduan_dev::default_template(),
        console: aduan_dev::default_console(),
        env,
        sdk,
    })
    .await
    .expect("the dev server starts");
    let base = dev.base_url();
    let http = reqwest::Client::new();

    // The simulator registers the photo with the WhatsApp stand-in, then sends it.
    let png = b"\x89PNG\r\n\x1a\n a tiny photo".to_vec();
    let (status, body) = json_of(
        http.post(format!("{base}/dev/media"))
            .json(&json!({"media_id": "4242", "mime_type": "image/png", "data_base64": base64::engine::general_purpose::STANDARD.encode(&png)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let delivery = fixtures::message(
        DEV_NUMBER,
        "6281234567890",
        "wamid.DEVPHOTO",
        chrono::Utc::now().timestamp(),
        "image",
        json!({"id": "4242", "mime_type": "image/png", "sha256": "x", "caption": "Sampah menumpuk di Garegeh"}),
    );
    assert_eq!(deliver(&http, &base, &delivery).await, 200);

    // The lurah opens the case, then the photo through its presigned URL.
    let lurah = token(&http, &base, "lurah-garegeh").await;
    let (status, case) = json_of(
        http.get(format!("{base}/cases/ADU-0001"))
            .bearer_auth(&lurah)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    let photo = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["body"]["content"]["type"] == "media")
        .expect("the photo is on the timeline");
    assert_eq!(photo["body"]["stored"], "stored", "{photo}");
    let (status, media) = json_of(
        http.get(format!("{base}/cases/ADU-0001/media/4242"))
            .bearer_auth(&lurah)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{media}");
    assert_eq!(media["mime_type"], "image/png");
    let loaded = http.get(media["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(loaded.status().as_u16(), 200);
    assert_eq!(loaded.bytes().await.unwrap().to_vec(), png);
    // Without a token the API Gateway stand-in refuses, as API Gateway would.
    let anonymous = http
        .get(format!("{base}/cases/ADU-0001/media/4242"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}
