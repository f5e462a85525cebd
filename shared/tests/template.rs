//! template.yaml must declare the table exactly as the code expects it: the
//! deployed stack, the local stack (created from template.yaml) and the tests'
//! tables (created from `store::schema`) then cannot drift apart.

use std::collections::BTreeSet;

use aduan_shared::store::{keys, schema};
use serde_yaml::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    let text = std::fs::read_to_string(path).expect("template.yaml at the repository root");
    serde_yaml::from_str(&text).expect("template.yaml is YAML")
}

fn str_of(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v:?}"))
}

fn key_schema(v: &Value) -> (String, String) {
    let (mut hash, mut range) = (String::new(), String::new());
    for element in v.as_sequence().expect("a KeySchema list") {
        let name = str_of(&element["AttributeName"]).to_owned();
        match str_of(&element["KeyType"]) {
            "HASH" => hash = name,
            "RANGE" => range = name,
            other => panic!("unknown KeyType {other}"),
        }
    }
    (hash, range)
}

#[test]
fn the_table_in_template_yaml_is_the_table_the_code_uses() {
    let template = template();
    let table = &template["Resources"]["CasesTable"];
    assert_eq!(str_of(&table["Type"]), "AWS::DynamoDB::Table");
    let props = &table["Properties"];

    assert_eq!(
        key_schema(&props["KeySchema"]),
        (keys::PK.to_owned(), keys::SK.to_owned())
    );
    assert_eq!(str_of(&props["BillingMode"]), "PAY_PER_REQUEST");
    assert_eq!(
        str_of(&props["TimeToLiveSpecification"]["AttributeName"]),
        keys::EXPIRES_AT
    );
    assert_eq!(props["TimeToLiveSpecification"]["Enabled"].as_bool(), Some(true));

    let declared: BTreeSet<(String, String)> = props["AttributeDefinitions"]
        .as_sequence()
        .expect("AttributeDefinitions")
        .iter()
        .map(|d| {
            (
                str_of(&d["AttributeName"]).to_owned(),
                str_of(&d["AttributeType"]).to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = schema::key_attributes()
        .into_iter()
        .map(|name| (name.to_owned(), "S".to_owned()))
        .collect();
    assert_eq!(declared, expected, "AttributeDefinitions");

    let indexes: BTreeSet<(String, String, String, String)> = props["GlobalSecondaryIndexes"]
        .as_sequence()
        .expect("GlobalSecondaryIndexes")
        .iter()
        .map(|gsi| {
            let (hash, range) = key_schema(&gsi["KeySchema"]);
            let projection = str_of(&gsi["Projection"]["ProjectionType"]).to_owned();
            (str_of(&gsi["IndexName"]).to_owned(), hash, range, projection)
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String)> = keys::INDEXES
        .iter()
        .map(|i| {
            (
                i.name.to_owned(),
                i.pk.to_owned(),
                i.sk.to_owned(),
                "ALL".to_owned(),
            )
        })
        .collect();
    assert_eq!(indexes, expected, "GlobalSecondaryIndexes");
}

#[test]
fn the_topics_the_functions_publish_to_are_declared() {
    let template = template();
    for topic in ["EscalationTopic", "DigestTopic"] {
        assert_eq!(
            str_of(&template["Resources"][topic]["Type"]),
            "AWS::SNS::Topic",
            "{topic}"
        );
    }
}
