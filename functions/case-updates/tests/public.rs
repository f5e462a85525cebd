//! The public record and Open311, through the handler with API Gateway
//! events and no token: counts as cases move, summaries masked, the spec's
//! field lists in JSON and XML, the filters, and no path or parameter that
//! reaches a citizen's words, number, BSUID, files or location.

mod support;

use std::collections::BTreeMap;

use aduan_shared::archive::MediaBucket;
use aduan_shared::domain::timeline::{
    EventBody, MediaStorage, MediaType, MessageContent, StoredFile, TimelineEvent,
};
use aduan_testkit::fresh_bucket;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use support::*;

/// GeoReport v2's fields of a service request, in the specification's order.
const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];
/// Those every request has (`lat`/`long` only when the location is public).
const REQUIRED_REQUEST_FIELDS: [&str; 5] = [
    "service_request_id",
    "status",
    "service_code",
    "requested_datetime",
    "updated_datetime",
];
const SERVICE_FIELDS: [&str; 7] = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];
const DISCOVERY_FIELDS: [&str; 4] = ["changeset", "contact", "key_service", "endpoints"];
const ENDPOINT_FIELDS: [&str; 5] = ["specification", "url", "changeset", "type", "formats"];

struct Raw {
    status: u16,
    content_type: String,
    cache_control: String,
    location: String,
    text: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }
}

/// A request as the public sends it: no authorizer, no token.
async fn public(app: &App, path_and_query: &str) -> Raw {
    let mut event = event(None, "GET", path_and_query, None);
    event["headers"].as_object_mut().unwrap().remove("authorization");
    let req = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = case_updates::handler(&app.state, req).await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    Raw {
        status: response.status().as_u16(),
        content_type: header("content-type"),
        cache_control: header("cache-control"),
        location: header("location"),
        text: match response.body() {
            lambda_http::Body::Text(t) => t.clone(),
            lambda_http::Body::Empty => String::new(),
            other => panic!("not text: {other:?}"),
        },
    }
}

/// An XML element: its name, its text and its children, in order.
#[derive(Debug)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    fn child(&self, name: &str) -> &Element {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no <{name}> in <{}>", self.name))
    }
}

/// Parses a document, failing unless it is well-formed: a declaration, one
/// root, every tag closed in order.
fn xml(text: &str) -> Element {
    use xmlparser::{ElementEnd, Token};
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    for token in xmlparser::Tokenizer::from(text) {
        match token.unwrap_or_else(|e| panic!("not well-formed ({e}): {text}")) {
            Token::Declaration { .. } => assert!(stack.is_empty() && root.is_none()),
            Token::ElementStart { local, .. } => {
                assert!(root.is_none(), "a second root: {text}");
                stack.push(Element {
                    name: local.to_string(),
                    text: String::new(),
                    children: Vec::new(),
                });
            }
            Token::ElementEnd { end, .. } => {
                let done = match end {
                    ElementEnd::Open => continue,
                    ElementEnd::Close(_, name) => {
                        let open = stack.pop().expect("a close without an open");
                        assert_eq!(open.name, name.as_str(), "{text}");
                        open
                    }
                    ElementEnd::Empty => stack.pop().unwrap(),
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Token::Text { text: t } => {
                let unescaped = t
                    .as_str()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&");
                stack
                    .last_mut()
                    .expect("text inside the root")
                    .text
                    .push_str(&unescaped);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {text}");
    root.expect("a root element")
}

fn month_now() -> String {
    (Utc::now() + Duration::hours(7)).format("%Y-%m").to_string()
}

/// A shared location, as the webhook records one.
fn location_message(at: chrono::DateTime<Utc>) -> TimelineEvent {
    let place = MessageContent::Location {
        latitude: -0.305_123_9,
        longitude: 100.369_876_1,
        name: Some("Rumah Bu Sari".into()),
        address: Some("Jl. Sudirman 5".into()),
    };
    citizen_message(at, place)
}

/// What must never be in a public body of case `n`.
fn assert_nothing_private(body: &str, n: u64, case: &aduan_shared::domain::case::Case) {
    for secret in [
        number_of(n),
        bsuid_of(n),
        case.reporter.as_str().to_owned(),
        case.id.to_string(),
        case.description.clone(),
        "100200300".to_owned(),
        "Rumah Bu Sari".to_owned(),
        "Sudirman".to_owned(),
        "-0.3051239".to_owned(),
        "100.3698761".to_owned(),
        "wamid".to_owned(),
    ] {
        assert!(!body.contains(&secret), "{secret} in {body}");
    }
}

#[tokio::test]
async fn public_counts_follow_the_cases_and_the_summary_is_masked() {
    let app = App::new("public-counts").await;
    let now = Utc::now();
    let officer = caller(KEC_MKS, "officer");
    let described = format!("Lampu jalan mati, telepon saya {}", number_of(1));
    let lamp = app.seed_described(1, KEL_GAREGEH, now, now, described).await;
    let waiting = app.seed(3, KEL_GAREGEH).await;
    let spam = app.seed(5, KEL_PUHUN_TEMBOK).await;
    let t = lamp.ticket.to_string();
    assert_eq!(
        app.act(&officer, &t, json!({"action": "verify", "version": 1}))
            .await
            .status,
        200
    );
    assert_eq!(
        app.act(&officer, &t, json!({"action": "start", "version": 2}))
            .await
            .status,
        200
    );
    let resolved = app
        .act(
            &officer,
            &t,
            json!({"action": "resolve", "version": 3, "note": "Sudah diganti, Bu",
                   "public_summary": "Lampu diganti. Info petugas: 0812-3456-7890"}),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    let reject = json!({"action": "reject", "version": 1, "reason": "Iklan"});
    assert_eq!(
        app.act(&officer, &spam.ticket.to_string(), reject).await.status,
        200
    );

    app.requests.reset();
    let stats = public(&app, &format!("/public/stats?month={}", month_now())).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(stats.cache_control, "public, max-age=300");
    assert_eq!(app.requests.total(), 1, "one page of the kota's index, no Scan");
    assert!(!app.requests.by_operation().contains_key("Scan"));
    let body = stats.json();
    let kota = &body["kota"];
    assert_eq!(kota["received"], 3);
    assert_eq!(
        kota["open"],
        json!({"received": 1, "verified": 0, "in_progress": 0, "resolved": 1})
    );
    assert_eq!(
        kota["closed"],
        json!({"resolved": 0, "duplicate": 0, "outside_authority": 0,
               "no_further_action": 0, "rejected": 1, "withdrawn": 0})
    );
    assert_eq!(kota["resolved"], 1);
    assert_eq!(kota["median_working_days_to_verify"], 0.0);
    assert_eq!(kota["median_working_days_to_resolve"], 0.0);
    let kecamatan: BTreeMap<&str, &Value> = body["kecamatan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["path"].as_str().unwrap(), k))
        .collect();
    assert_eq!(kecamatan.len(), 3, "every kecamatan, with zeros");
    assert_eq!(kecamatan[KEC_MKS]["received"], 3);
    assert_eq!(kecamatan[KEC_GUGUK]["received"], 0);
    assert_eq!(kecamatan[KEC_GUGUK]["median_working_days_to_verify"], Value::Null);
    let kelurahan = |path: &str| {
        kecamatan[KEC_MKS]["kelurahan"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["path"] == path)
            .cloned()
            .unwrap()
    };
    assert_eq!(kelurahan(KEL_GAREGEH)["received"], 2);
    assert_eq!(
        kelurahan(KEL_GAREGEH)["name"],
        "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
    );
    assert_eq!(kelurahan(KEL_PUHUN_TEMBOK)["closed"]["rejected"], 1);

    let list = public(&app, &format!("/public/cases?month={}", month_now())).await;
    assert_eq!(list.status, 200);
    let cases = list.json()["cases"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 1, "only the resolved case: {cases:?}");
    assert_eq!(cases[0]["ticket"], t.as_str());
    assert_eq!(
        cases[0]["public_summary"],
        "Lampu diganti. Info petugas: [nomor disembunyikan]"
    );
    assert!(!list.text.contains("7890"), "{}", list.text);
    assert!(
        !list.text.contains("Sudah diganti, Bu"),
        "the citizen's note is theirs"
    );
    for (n, case) in [(1, &lamp), (3, &waiting), (5, &spam)] {
        assert_nothing_private(&stats.text, n, case);
        assert_nothing_private(&list.text, n, case);
    }

    // Another month has nothing; a month that is not one is refused.
    let empty = public(&app, "/public/stats?month=2020-01").await;
    assert_eq!(empty.json()["kota"]["received"], 0);
    let bad = public(&app, "/public/stats?month=2026-13").await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["field"], "month");
    assert_eq!(bad.cache_control, "no-store");
}

#[tokio::test]
async fn open311_answers_with_the_specs_fields_in_json_and_xml() {
    let app = App::new("public-open311").await;
    let officer = caller(KEC_MKS, "officer");
    let lamp = app.seed(1, KEL_GAREGEH).await;
    let road = app.seed(3, KEL_PUHUN_TEMBOK).await;
    let (lt, rt) = (lamp.ticket.to_string(), road.ticket.to_string());
    let reclassify = json!({"action": "reclassify", "category": "lampu jalan", "version": 1});
    assert_eq!(app.act(&officer, &lt, reclassify).await.status, 200);
    for (version, action) in [(2, "verify"), (3, "start")] {
        let r = app
            .act(&officer, &lt, json!({"action": action, "version": version}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let resolve = json!({"action": "resolve", "version": 4, "note": "Selesai", "public_summary": "Lampu <LED> & tiang diganti"});
    assert_eq!(app.act(&officer, &lt, resolve).await.status, 200);

    // JSON: an array of requests, each with the spec's fields in its order.
    let all = public(&app, "/open311/v2/requests.json").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.content_type, "application/json");
    assert_eq!(all.cache_control, "public, max-age=300");
    let requests = all.json();
    assert_eq!(requests.as_array().unwrap().len(), 2);
    for request in requests.as_array().unwrap() {
        let keys: Vec<&str> = request.as_object().unwrap().keys().map(String::as_str).collect();
        for key in &keys {
            assert!(REQUEST_FIELDS.contains(key), "{key} is not a GeoReport v2 field");
        }
        for key in REQUIRED_REQUEST_FIELDS {
            assert!(request[key].is_string(), "{key} missing: {request}");
        }
        assert!(
            !keys.contains(&"lat") && !keys.contains(&"long"),
            "no public location"
        );
    }
    let by_id = |id: &str| {
        requests
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["service_request_id"] == id)
            .cloned()
            .unwrap()
    };
    let closed = by_id(&lt);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["status_notes"], "resolved");
    assert_eq!(closed["service_code"], "lampu-jalan");
    assert_eq!(closed["service_name"], "Lampu jalan");
    assert_eq!(closed["description"], "Lampu <LED> & tiang diganti");
    assert_eq!(closed["agency_responsible"], "Kelurahan Garegeh");
    assert!(closed["requested_datetime"].as_str().unwrap().ends_with("+07:00"));
    let open = by_id(&rt);
    assert_eq!(open["status"], "open");
    assert_eq!(open["service_code"], "lainnya");
    assert_eq!(
        open["description"],
        Value::Null,
        "no summary yet, never the citizen's text"
    );

    // XML: the same requests under <service_requests><request>, well-formed.
    let all_xml = public(&app, "/open311/v2/requests.xml").await;
    assert_eq!(all_xml.content_type, "text/xml; charset=utf-8");
    let doc = xml(&all_xml.text);
    assert_eq!(doc.name, "service_requests");
    assert_eq!(doc.names(), ["request", "request"]);
    for request in &doc.children {
        let fields: Vec<&str> = REQUEST_FIELDS
            .iter()
            .copied()
            .filter(|f| !["lat", "long"].contains(f))
            .collect();
        assert_eq!(request.names(), fields);
    }
    let lamp_xml = doc
        .children
        .iter()
        .find(|r| r.child("service_request_id").text == lt)
        .unwrap();
    assert_eq!(lamp_xml.child("description").text, "Lampu <LED> & tiang diganti");
    assert_eq!(lamp_xml.child("status").text, "closed");

    // One request by id, in both formats; the filters.
    let one = public(&app, &format!("/open311/v2/requests/{lt}.json")).await;
    assert_eq!(one.json().as_array().unwrap().len(), 1);
    assert_eq!(one.json()[0], closed);
    let one_xml = xml(&public(&app, &format!("/open311/v2/requests/{rt}.xml")).await.text);
    assert_eq!(one_xml.name, "service_requests");
    assert_eq!(one_xml.children[0].child("service_request_id").text, rt);
    let ids = |r: Raw| -> Vec<String> {
        r.json()
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.text))
            .iter()
            .map(|x| x["service_request_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(public(&app, "/open311/v2/requests.json?status=open").await),
        [rt.as_str()]
    );
    assert_eq!(
        ids(public(&app, "/open311/v2/requests.json?status=closed").await),
        [lt.as_str()]
    );
    assert_eq!(
        ids(public(&app, "/open311/v2/requests.json?service_code=lampu-jalan,parkir").await),
        [lt.as_str()]
    );
    let both = format!("/open311/v2/requests.json?service_request_id={rt},ADU-9999&status=closed");
    assert_eq!(
        ids(public(&app, &both).await),
        [rt.as_str()],
        "ids win over the other filters"
    );
    let tomorrow = (Utc::now() + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let later = format!("/open311/v2/requests.json?start_date={tomorrow}");
    assert!(ids(public(&app, &later).await).is_empty());
    let before = (Utc::now() - Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ");
    let earlier = format!("/open311/v2/requests.json?end_date={before}");
    assert!(ids(public(&app, &earlier).await).is_empty());

    // Errors in the spec's form: an unknown id, a bad filter, a long range.
    let missing = public(&app, "/open311/v2/requests/ADU-9999.json").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.cache_control, "no-store");
    let error = &missing.json()[0];
    assert_eq!(error["code"], 404);
    assert!(error["description"].is_string());
    let missing_xml = public(&app, "/open311/v2/requests/ADU-9999.xml").await;
    assert_eq!(missing_xml.status, 404);
    let errors = xml(&missing_xml.text);
    assert_eq!(errors.name, "errors");
    assert_eq!(errors.children[0].name, "error");
    assert_eq!(errors.children[0].names(), ["code", "description"]);
    assert_eq!(errors.children[0].child("code").text, "404");
    let bad = public(&app, "/open311/v2/requests.json?status=pending").await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()[0]["code"], 422);
    let long = "/open311/v2/requests.json?start_date=2026-01-01&end_date=2026-06-01";
    assert_eq!(public(&app, long).await.status, 422);

    // Services: the tree's categories and one for the rest.
    let services = public(&app, "/open311/v2/services.json").await.json();
    let services = services.as_array().unwrap();
    assert!(services
        .iter()
        .any(|s| s["service_code"] == "lampu-jalan" && s["group"] == "Dishub"));
    assert!(services.iter().any(|s| s["service_code"] == "lainnya"));
    for service in services {
        let keys: Vec<&str> = service.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), SERVICE_FIELDS.len());
        assert!(keys.iter().all(|k| SERVICE_FIELDS.contains(k)), "{keys:?}");
        assert_eq!(service["metadata"], false);
    }
    let services_xml = xml(&public(&app, "/open311/v2/services.xml").await.text);
    assert_eq!(services_xml.name, "services");
    assert_eq!(services_xml.children[0].name, "service");
    assert_eq!(services_xml.children[0].names(), SERVICE_FIELDS);
    assert_eq!(services_xml.children.len(), services.len());

    // Discovery.
    let discovery = public(&app, "/open311/v2/discovery.json").await.json();
    let keys: Vec<&str> = discovery
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(DISCOVERY_FIELDS.iter().all(|f| keys.contains(f)), "{keys:?}");
    let endpoint = &discovery["endpoints"][0];
    assert_eq!(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(endpoint["formats"], json!(["text/xml", "application/json"]));
    let discovery_xml = xml(&public(&app, "/open311/v2/discovery.xml").await.text);
    assert_eq!(discovery_xml.name, "discovery");
    assert_eq!(discovery_xml.names(), DISCOVERY_FIELDS);
    let endpoint = &discovery_xml.child("endpoints").children[0];
    assert_eq!(endpoint.name, "endpoint");
    assert_eq!(endpoint.names(), ENDPOINT_FIELDS);
    assert_eq!(endpoint.child("formats").names(), ["format", "format"]);
}

#[tokio::test]
async fn no_path_or_parameter_reaches_what_is_not_public() {
    let app = App::new("public-private").await;
    let now = Utc::now();
    let officer = caller(KEL_GAREGEH, "officer");
    let description = format!("RAHASIA: rumah saya, hubungi {}", number_of(1));
    let case = app
        .seed_with(
            citizen(1, true),
            1,
            KEL_GAREGEH,
            now,
            now,
            description,
            vec![location_message(now)],
        )
        .await;
    let t = case.ticket.to_string();
    for (version, action) in [(1, "verify"), (2, "start")] {
        assert_eq!(
            app.act(&officer, &t, json!({"action": action, "version": version}))
                .await
                .status,
            200
        );
    }
    let resolve =
        json!({"action": "resolve", "version": 3, "note": "Sudah", "public_summary": "Selokan dibersihkan"});
    assert_eq!(app.act(&officer, &t, resolve).await.status, 200);

    let month = month_now();
    let attempts = [
        format!("/public/cases?month={month}&fields=description,reporter,media"),
        format!("/public/cases?month={month}&include=timeline&ticket={t}"),
        format!("/public/stats?month={month}&scope=bukittinggi&raw=true"),
        "/open311/v2/requests.json?extensions=true&jurisdiction_id=bukittinggi".to_owned(),
        format!("/open311/v2/requests/{t}.json?fields=description&extensions=true"),
        format!("/open311/v2/requests/{t}.xml"),
        format!("/open311/v2/requests/{t}/media.json"),
        format!("/open311/v2/requests/..%2F..%2Fcases%2F{t}.json"),
        format!("/public/cases/{t}"),
        format!("/public/../cases/{t}"),
        format!("/cases/{t}"),
        format!("/cases/{t}/media/1"),
        "/stats".to_owned(),
    ];
    for path in &attempts {
        let raw = public(&app, path).await;
        assert_nothing_private(&raw.text, 1, &case);
        assert!(!raw.text.contains("RAHASIA"), "{path}: {}", raw.text);
        // What is not a public route is an officials' one: no token, no answer.
        if !path.starts_with("/public/cases?")
            && !path.starts_with("/public/stats?")
            && !path.starts_with("/open311/")
        {
            assert_eq!(raw.status, 401, "{path}: {}", raw.text);
        }
    }
    let summary = public(&app, &format!("/open311/v2/requests/{t}.json"))
        .await
        .json();
    assert_eq!(summary[0]["description"], "Selokan dibersihkan");
    assert!(summary[0].get("lat").is_none());

    // Marking the location public shows it, to about 10 m, and nothing else of the message.
    let refused = app
        .act(&officer, &t, json!({"action": "publish", "version": 4}))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["error"]["field"], "public_summary");
    let on_note = json!({"action": "note", "note": "x", "public_summary": "y", "version": 4});
    assert_eq!(
        app.act(&officer, &t, on_note).await.body["error"]["field"],
        "public_summary"
    );
    let publish = app
        .act(
            &officer,
            &t,
            json!({"action": "publish", "location_public": true, "version": 4}),
        )
        .await;
    assert_eq!(publish.status, 200, "{}", publish.text);
    let located = public(&app, &format!("/open311/v2/requests/{t}.json")).await;
    assert_eq!(located.json()[0]["lat"], -0.3051);
    assert_eq!(located.json()[0]["long"], 100.3699);
    assert_nothing_private(&located.text, 1, &case);
    let listed = public(&app, &format!("/public/cases?month={month}")).await;
    assert_eq!(
        listed.json()["cases"][0]["location"],
        json!({"lat": -0.3051, "long": 100.3699})
    );
    assert_nothing_private(&listed.text, 1, &case);
}

/// An official makes one stored photo public: anyone gets it through the
/// public route's redirect, the record and Open311 link it, and no other
/// file of the case is reachable. Photos that may not be public are refused.
#[tokio::test]
async fn the_one_photo_an_official_makes_public_is_the_only_file_anyone_gets() {
    let mut app = App::new("public-photo").await;
    let bucket = MediaBucket::new(&app.sdk, fresh_bucket(&app.sdk, "public-photo").await);
    app.state.media = Some(bucket.clone());
    let officer = caller(KEL_GAREGEH, "officer");
    let mut case = app.seed(1, KEL_GAREGEH).await;
    let t = case.ticket.to_string();
    let stored = |media_id: &str, mime: &str, bytes: &[u8]| {
        let key = format!("cases/{t}/01JDEXAMPLE-{media_id}");
        let file = StoredFile {
            key,
            bytes: bytes.len() as u64,
            mime_type: Some(mime.into()),
        };
        let mut event = photo(media_id, MediaStorage::Stored, Some(file.clone()));
        if let EventBody::Message {
            content:
                MessageContent::Media {
                    mime_type,
                    media_type,
                    ..
                },
            ..
        } = &mut event.body
        {
            *mime_type = Some(mime.into());
            if mime.starts_with("video/") {
                *media_type = MediaType::Video;
            }
        }
        (event, file, bytes.to_vec())
    };
    let pothole = stored("ME1", "image/jpeg", b"\xff\xd8\xff\xe0 the pothole");
    let patched = stored("ME2", "image/png", b"\x89PNG the patched road");
    let video = stored("ME3", "video/mp4", b"a video of the street");
    let gone = stored("ME5", "image/jpeg", b"\xff\xd8 deleted since");
    for (_, file, bytes) in [&pothole, &patched, &video] {
        bucket
            .put(&file.key, bytes.clone(), file.mime_type.as_deref())
            .await
            .unwrap();
    }
    let events = [
        pothole.0.clone(),
        patched.0.clone(),
        video.0.clone(),
        photo("ME4", MediaStorage::Pending, None),
        gone.0.clone(),
    ];
    app.store().save_case(&mut case, &events, None).await.unwrap();

    // Nothing is public until an official says so.
    let none = public(&app, &format!("/public/cases/{t}/photo")).await;
    assert_eq!((none.status, none.cache_control.as_str()), (404, "no-store"));
    for (version, action) in [(2, "verify"), (3, "start")] {
        let r = app
            .act(&officer, &t, json!({"action": action, "version": version}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let resolve = json!({"action": "resolve", "version": 4, "note": "Sudah ditambal",
                         "public_summary": "Lubang ditambal", "public_photo": "ME1"});
    let r = app.act(&officer, &t, resolve).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["public_photo"], "ME1");

    let url = format!("https://a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com/public/cases/{t}/photo");
    let fetch = |raw: Raw| async move {
        assert_eq!(raw.status, 302, "{}", raw.text);
        assert_eq!(raw.cache_control, "public, max-age=300");
        assert!(raw.location.contains("X-Amz-Expires=600"), "{}", raw.location);
        let got = reqwest::get(&raw.location).await.unwrap();
        assert_eq!(got.status(), 200);
        let kind = got.headers()["content-type"].to_str().unwrap().to_owned();
        (kind, got.bytes().await.unwrap().to_vec())
    };
    let shown = public(&app, &format!("/public/cases/{t}/photo")).await;
    assert_eq!(fetch(shown).await, ("image/jpeg".to_owned(), pothole.2.clone()));
    let month = month_now();
    let listed = public(&app, &format!("/public/cases?month={month}")).await;
    assert_eq!(listed.json()["cases"][0]["photo_url"], url.as_str());
    let request = public(&app, &format!("/open311/v2/requests/{t}.json")).await;
    assert_eq!(request.json()[0]["media_url"], url.as_str());
    let request_xml = xml(&public(&app, &format!("/open311/v2/requests/{t}.xml")).await.text);
    assert_eq!(request_xml.children[0].child("media_url").text, url);
    for body in [&listed.text, &request.text] {
        assert_nothing_private(body, 1, &case);
        for private in ["lubang di depan sekolah", "ME1", "01JDEXAMPLE"] {
            assert!(!body.contains(private), "{private} in {body}");
        }
    }

    // What may not be public is refused, naming the field; the photo stays.
    let mut version = 5;
    for (media_id, why) in [
        (json!("ME3"), "only a photo"),
        (json!("ME4"), "not in the media bucket (pending)"),
        (json!("ME5"), "deleted"),
        (json!("ME9"), "no file"),
        (json!(""), "a media id"),
        (json!(42), ""),
    ] {
        let r = app
            .act(
                &officer,
                &t,
                json!({"action": "publish", "public_photo": media_id, "version": version}),
            )
            .await;
        if media_id == json!(42) {
            assert_eq!(r.status, 400, "a number is no media id: {}", r.text);
            continue;
        }
        assert_eq!(
            (r.status, r.code()),
            (422, "invalid_request"),
            "{media_id}: {}",
            r.text
        );
        assert_eq!(r.body["error"]["field"], "public_photo");
        assert!(r.text.contains(why), "{media_id}: {}", r.text);
    }
    let on_note = json!({"action": "note", "note": "x", "public_photo": "ME2", "version": version});
    assert_eq!(app.act(&officer, &t, on_note).await.status, 422);

    // Another photo replaces it; null takes it down.
    let r = app
        .act(
            &officer,
            &t,
            json!({"action": "publish", "public_photo": "ME2", "version": version}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    version += 1;
    let shown = public(&app, &format!("/public/cases/{t}/photo")).await;
    assert_eq!(fetch(shown).await, ("image/png".to_owned(), patched.2.clone()));
    let r = app
        .act(
            &officer,
            &t,
            json!({"action": "publish", "public_photo": null, "version": version}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["public_photo"], Value::Null);
    assert_eq!(
        public(&app, &format!("/public/cases/{t}/photo")).await.status,
        404
    );
    let listed = public(&app, &format!("/public/cases?month={month}")).await;
    assert!(
        listed.json()["cases"][0].get("photo_url").is_none(),
        "{}",
        listed.text
    );
    let request = public(&app, &format!("/open311/v2/requests/{t}.json")).await;
    assert_eq!(request.json()[0]["media_url"], Value::Null);
    let notes: Vec<String> = app.get(&officer, &format!("/cases/{t}")).await.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["body"]["text"].as_str())
        .filter(|text| text.contains("foto"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        notes,
        [
            "Catatan publik diperbarui: foto ME1 ditampilkan; ringkasan: Lubang ditambal",
            "Catatan publik diperbarui: foto ME2 ditampilkan",
            "Catatan publik diperbarui: foto tidak ditampilkan",
        ]
    );

    // Tickets that are not a case, or not one, find nothing.
    for path in ["/public/cases/ADU-9999/photo", "/public/cases/..%2Fcases/photo"] {
        let r = public(&app, path).await;
        assert_eq!((r.status, r.location.as_str()), (404, ""), "{path}");
    }
    // A deployment without a bucket has no files to show.
    app.state.media = None;
    let r = app
        .act(
            &officer,
            &t,
            json!({"action": "publish", "public_photo": "ME1", "version": version + 1}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "public_photo", "{}", r.text);
}
