//! `openapi.yaml` describes exactly the routes the function serves, and
//! `template.yaml` gives API Gateway exactly those, each behind the JWT
//! authorizer.

use std::collections::BTreeSet;

use case_updates::{route, ROUTES};
use lambda_http::http::Method;
use serde_yaml::Value;

fn yaml(file: &str) -> Value {
    let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn ours() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
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
    assert_eq!(documented, ours());
    for (method, path) in &documented {
        let concrete = path
            .replace("{ticket}", "ADU-0042")
            .replace("{media_id}", "123")
            .replace("{path+}", "bukittinggi/guguk-panjang/kayu-kubu");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        assert!(route(&method, &concrete).is_ok(), "{method} {path} is not routed");
    }
    // ... and nothing else is.
    assert!(route(&Method::PUT, "/cases/ADU-0042").is_err());
    assert!(route(&Method::GET, "/cases/ADU-0042/timeline").is_err());
}

#[test]
fn template_declares_the_same_routes_behind_the_jwt_authorizer() {
    let template = yaml("template.yaml");
    let function = &template["Resources"]["CaseUpdatesFunction"];
    let mut declared = BTreeSet::new();
    for (name, event) in function["Properties"]["Events"].as_mapping().expect("Events") {
        assert_eq!(event["Type"].as_str(), Some("HttpApi"), "{name:?}");
        let props = &event["Properties"];
        assert_eq!(
            props["Auth"]["Authorizer"].as_str(),
            Some("OfficialsJwt"),
            "{name:?}"
        );
        declared.insert((
            props["Method"].as_str().unwrap().to_uppercase(),
            props["Path"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(declared, ours());

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
