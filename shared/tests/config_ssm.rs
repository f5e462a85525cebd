//! Secrets read through `<NAME>_PARAM` from SSM Parameter Store, against the
//! local AWS emulator (`make test` starts it and sets `AWS_ENDPOINT_URL`).

use aduan_shared::config::{CommonConfig, ConfigError, Env, Secrets};
use aduan_shared::domain::reporter::{Key32, SenderId};
use aduan_testkit::sdk_config;
use aws_sdk_ssm::types::ParameterType;

const HMAC_B64: &str = aduan_testkit::TEST_HMAC_KEY;
const ENC_B64: &str = aduan_testkit::TEST_CONTACT_KEY;
const OLD_B64: &str = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=";

/// A fresh parameter prefix, so tests run in parallel without sharing names.
fn prefix(test: &str) -> String {
    format!(
        "/aduan-test/{test}-{}",
        ulid::Ulid::new().to_string().to_lowercase()
    )
}

async fn put(ssm: &aws_sdk_ssm::Client, name: &str, value: &str, kind: ParameterType) {
    ssm.put_parameter()
        .name(name)
        .value(value)
        .r#type(kind)
        .overwrite(true)
        .send()
        .await
        .expect("put parameter");
}

fn base_env(extra: Vec<(String, String)>) -> Env {
    let mut pairs: Vec<(String, String)> = vec![
        ("TABLE_NAME".into(), "aduan".into()),
        (
            "ESCALATION_TOPIC_ARN".into(),
            "arn:aws:sns:ap-southeast-3:123456789012:aduan-escalations".into(),
        ),
        (
            "DIGEST_TOPIC_ARN".into(),
            "arn:aws:sns:ap-southeast-3:123456789012:aduan-digest".into(),
        ),
    ];
    pairs.extend(extra);
    Env::from_pairs(pairs)
}

#[tokio::test]
async fn secrets_come_from_secure_string_parameters() {
    let sdk = sdk_config().await;
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let p = prefix("secure");
    put(&ssm, &format!("{p}/hmac"), HMAC_B64, ParameterType::SecureString).await;
    put(&ssm, &format!("{p}/enc"), ENC_B64, ParameterType::SecureString).await;
    put(&ssm, &format!("{p}/old"), OLD_B64, ParameterType::SecureString).await;
    put(
        &ssm,
        &format!("{p}/app"),
        "app-secret",
        ParameterType::SecureString,
    )
    .await;

    let env = base_env(vec![
        ("REPORTER_HMAC_KEY_PARAM".into(), format!("{p}/hmac")),
        ("CONTACT_ENCRYPTION_KEY_PARAM".into(), format!("{p}/enc")),
        ("CONTACT_ENCRYPTION_OLD_KEYS_PARAM".into(), format!("{p}/old")),
        ("WHATSAPP_APP_SECRET_PARAM".into(), format!("{p}/app")),
    ]);
    let (config, secrets) =
        CommonConfig::from_env(&env, &sdk, &["WHATSAPP_APP_SECRET"], &["TWILIO_AUTH_TOKEN"])
            .await
            .unwrap();

    assert_eq!(secrets.get("WHATSAPP_APP_SECRET"), Some("app-secret"));
    assert_eq!(secrets.get("TWILIO_AUTH_TOKEN"), None);
    let keys = &config.reporter_keys;
    assert_eq!(
        keys.hasher
            .reporter_id(&SenderId::parse("6281234567890").unwrap())
            .as_str(),
        "063be83e19b7d667c2e175cf834649bd7405cd2e382c7ee16eba95281235def3"
    );
    assert_eq!(
        keys.contacts.current_key_id(),
        Key32::from_base64(ENC_B64).unwrap().key_id()
    );
    assert_eq!(
        keys.contacts.old_key_ids().collect::<Vec<_>>(),
        [Key32::from_base64(OLD_B64).unwrap().key_id()]
    );
}

#[tokio::test]
async fn a_missing_parameter_names_the_variable_and_parameter() {
    let sdk = sdk_config().await;
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let p = prefix("missing");
    put(&ssm, &format!("{p}/enc"), ENC_B64, ParameterType::SecureString).await;

    let env = base_env(vec![
        ("REPORTER_HMAC_KEY_PARAM".into(), format!("{p}/nope")),
        ("CONTACT_ENCRYPTION_KEY_PARAM".into(), format!("{p}/enc")),
    ]);
    let err = Secrets::resolve_from_ssm(&env, CommonConfig::SECRETS, &[], &sdk)
        .await
        .unwrap_err();
    match &err {
        ConfigError::Parameter { name, parameter, .. } => {
            assert_eq!(name, "REPORTER_HMAC_KEY");
            assert_eq!(*parameter, format!("{p}/nope"));
        }
        other => panic!("expected a parameter error, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains("REPORTER_HMAC_KEY_PARAM") && !shown.contains(ENC_B64),
        "{shown}"
    );
}

#[tokio::test]
async fn a_plain_string_parameter_is_refused() {
    let sdk = sdk_config().await;
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let p = prefix("plain");
    put(&ssm, &format!("{p}/hmac"), HMAC_B64, ParameterType::String).await;

    let env = base_env(vec![
        ("REPORTER_HMAC_KEY_PARAM".into(), format!("{p}/hmac")),
        ("CONTACT_ENCRYPTION_KEY".into(), ENC_B64.into()),
    ]);
    let err = Secrets::resolve_from_ssm(&env, CommonConfig::SECRETS, &[], &sdk)
        .await
        .unwrap_err();
    assert!(matches!(err, ConfigError::Parameter { .. }), "{err:?}");
    assert!(err.to_string().contains("SecureString"), "{err}");
}

#[tokio::test]
async fn more_than_ten_parameters_are_read() {
    let sdk = sdk_config().await;
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let p = prefix("many");
    let mut vars = Vec::new();
    let mut names = Vec::new();
    for i in 0..12 {
        put(
            &ssm,
            &format!("{p}/s{i}"),
            &format!("value-{i}"),
            ParameterType::SecureString,
        )
        .await;
        vars.push((format!("SECRET_{i}_PARAM"), format!("{p}/s{i}")));
        names.push(format!("SECRET_{i}"));
    }
    let env = Env::from_pairs(vars);
    let required: Vec<&str> = names.iter().map(String::as_str).collect();
    let secrets = Secrets::resolve_from_ssm(&env, &required, &[], &sdk)
        .await
        .unwrap();
    for i in 0..12 {
        assert_eq!(
            secrets.get(&format!("SECRET_{i}")),
            Some(format!("value-{i}").as_str())
        );
    }
}
