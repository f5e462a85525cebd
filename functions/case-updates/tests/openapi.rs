//! `openapi.yaml` describes exactly the routes the function serves, and
//! `template.yaml` gives API Gateway exactly those: the officials' each
//! behind the JWT authorizer, the public record's open and throttled apart.

use std::collections::BTreeSet;

use case_updates::{public, route, PUBLIC_ROUTES, ROUTES};
use lambda_http::http::Method;
use serde_yaml::Value;

fn yaml(file: &str) -> Value {
    let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn set(routes: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    routes
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

/// Whether a template value is `!Ref name`.
fn is_ref(value: &Value, name: &str) -> bool {
    matches!(value, Value::Tagged(t) if t.tag == "!Ref" && t.value.as_str() == Some(name))
}

#[test]
fn openapi_routes_are_the_functions_routes() {
    let doc = yaml("openapi.yaml");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        let path = path.as_str().unwrap();
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method) {
                documented.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    let mut all = set(&ROUTES);
    all.extend(set(&PUBLIC_ROUTES));
    assert_eq!(documented, all);
    for (method, path) in &set(&ROUTES) {
        let concrete = path
            .replace("{ticket}", "ADU-0042")
            .replace("{media_id}", "123")
            .replace("{path+}", "bukittinggi/guguk-panjang/kayu-kubu");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        assert!(route(&method, &concrete).is_ok(), "{method} {path} is not routed");
    }
    for (method, path) in &set(&PUBLIC_ROUTES) {
        let concrete = path
            .replace("{service_request_id}", "ADU-0042.json")
            .replace("{ticket}", "ADU-0042");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let routed = public::route(&method, &concrete);
        assert!(
            matches!(
                routed,
                Some(public::PublicRoute::Stats | public::PublicRoute::Cases)
            ) || matches!(routed, Some(public::PublicRoute::Photo(ref t)) if t == "ADU-0042")
                || matches!(routed, Some(public::PublicRoute::Open311(ref call, _)) if *call != public::open311::Call::Unknown),
            "{method} {path} is not routed"
        );
        // Documented open: no token asked.
        let operation = &doc["paths"][path.as_str()][method.as_str().to_lowercase().as_str()];
        assert_eq!(operation["security"], Value::Sequence(Vec::new()), "{path}");
    }
    // ... and nothing else is.
    assert!(route(&Method::PUT, "/cases/ADU-0042").is_err());
    assert!(route(&Method::GET, "/cases/ADU-0042/timeline").is_err());
}

#[test]
fn template_declares_the_same_routes_their_authorizer_and_throttling() {
    let template = yaml("template.yaml");
    let function = &template["Resources"]["CaseUpdatesFunction"];
    let (mut officials, mut open) = (BTreeSet::new(), BTreeSet::new());
    for (name, event) in function["Properties"]["Events"].as_mapping().expect("Events") {
        assert_eq!(event["Type"].as_str(), Some("HttpApi"), "{name:?}");
        let props = &event["Properties"];
        let route = (
            props["Method"].as_str().unwrap().to_uppercase(),
            props["Path"].as_str().unwrap().to_owned(),
        );
        match props["Auth"]["Authorizer"].as_str() {
            Some("OfficialsJwt") => officials.insert(route),
            None => open.insert(route),
            Some(other) => panic!("{name:?}: authorizer {other}"),
        };
    }
    assert_eq!(officials, set(&ROUTES));
    assert_eq!(open, set(&PUBLIC_ROUTES));
    // Each public route has limits of its own, apart from the default the
    // officials' routes have.
    let api = &template["Resources"]["HttpApi"]["Properties"];
    for (method, path) in &open {
        let settings = &api["RouteSettings"][format!("{method} {path}").as_str()];
        assert!(
            is_ref(&settings["ThrottlingBurstLimit"], "PublicThrottlingBurstLimit"),
            "{method} {path}: {settings:?}"
        );
        assert!(is_ref(
            &settings["ThrottlingRateLimit"],
            "PublicThrottlingRateLimit"
        ));
    }
    assert!(is_ref(
        &api["DefaultRouteSettings"]["ThrottlingRateLimit"],
        "ApiThrottlingRateLimit"
    ));

    let authorizer = &template["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["OfficialsJwt"];
    assert_eq!(
        authorizer["IdentitySource"].as_str(),
        Some("$request.header.Authorization")
    );
    let pool = &template["Resources"]["OfficialsUserPool"]["Properties"];
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"].as_bool(),
        Some(true)
    );
    let client = &template["Resources"]["OfficialsUserPoolClient"]["Properties"];
    let writable: Vec<&str> = client["WriteAttributes"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!writable.iter().any(|a| a.starts_with("custom:")), "{writable:?}");
}
