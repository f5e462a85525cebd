//! The configuration every function needs ([`CommonConfig`]): the table, the
//! topics, the reporter keys and the jurisdiction tree, with the variable
//! names they come from.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::env::Env;
use super::secrets::Secrets;
use super::ConfigError;
use crate::domain::jurisdiction::Jurisdictions;
use crate::domain::reporter::{ContactCipher, Key32, ReporterHasher, ReporterKeys};

pub const TABLE_NAME: &str = "TABLE_NAME";
pub const ESCALATION_TOPIC_ARN: &str = "ESCALATION_TOPIC_ARN";
pub const DIGEST_TOPIC_ARN: &str = "DIGEST_TOPIC_ARN";
pub const REPORTER_HMAC_KEY: &str = "REPORTER_HMAC_KEY";
pub const CONTACT_ENCRYPTION_KEY: &str = "CONTACT_ENCRYPTION_KEY";
pub const CONTACT_ENCRYPTION_OLD_KEYS: &str = "CONTACT_ENCRYPTION_OLD_KEYS";
pub const JURISDICTIONS_FILE: &str = "JURISDICTIONS_FILE";

/// What every function needs.
#[derive(Clone)]
pub struct CommonConfig {
    pub table_name: String,
    pub escalation_topic_arn: String,
    pub digest_topic_arn: String,
    pub reporter_keys: ReporterKeys,
    pub jurisdictions: Arc<Jurisdictions>,
}

impl CommonConfig {
    /// The secrets [`CommonConfig::load`] reads.
    pub const SECRETS: &'static [&'static str] = &[REPORTER_HMAC_KEY, CONTACT_ENCRYPTION_KEY];
    pub const OPTIONAL_SECRETS: &'static [&'static str] = &[CONTACT_ENCRYPTION_OLD_KEYS];

    /// Cold start: resolves the common secrets together with the function's
    /// own (`extra_required`, `extra_optional`, e.g. `WHATSAPP_APP_SECRET`) in
    /// one SSM call, then loads the common configuration. The returned
    /// [`Secrets`] holds the function's own secrets too.
    pub async fn from_env(
        env: &Env,
        sdk: &aws_config::SdkConfig,
        extra_required: &[&str],
        extra_optional: &[&str],
    ) -> Result<(Self, Secrets), ConfigError> {
        if sdk.region().is_none() {
            return Err(ConfigError::Missing {
                name: "AWS_REGION".to_owned(),
            });
        }
        let required = [Self::SECRETS, extra_required].concat();
        let optional = [Self::OPTIONAL_SECRETS, extra_optional].concat();
        let secrets = Secrets::resolve_from_ssm(env, &required, &optional, sdk).await?;
        let config = Self::load(env, &secrets)?;
        Ok((config, secrets))
    }

    /// Loads from variables and already resolved secrets; no I/O except
    /// reading `JURISDICTIONS_FILE` if set.
    pub fn load(env: &Env, secrets: &Secrets) -> Result<Self, ConfigError> {
        let table_name = env.required(TABLE_NAME)?;
        check(
            TABLE_NAME,
            is_table_name(&table_name),
            "not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)",
        )?;
        let escalation_topic_arn = topic_arn(env, ESCALATION_TOPIC_ARN)?;
        let digest_topic_arn = topic_arn(env, DIGEST_TOPIC_ARN)?;
        let reporter_keys = reporter_keys(secrets)?;
        let jurisdictions = match env.optional(JURISDICTIONS_FILE) {
            Some(file) => Arc::new(Jurisdictions::load(Path::new(&file)).map_err(|source| {
                ConfigError::Jurisdictions {
                    name: JURISDICTIONS_FILE.to_owned(),
                    source: Box::new(source),
                }
            })?),
            None => Arc::new(Jurisdictions::bukittinggi().clone()),
        };
        Ok(Self {
            table_name,
            escalation_topic_arn,
            digest_topic_arn,
            reporter_keys,
            jurisdictions,
        })
    }
}

impl fmt::Debug for CommonConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonConfig")
            .field("table_name", &self.table_name)
            .field("escalation_topic_arn", &self.escalation_topic_arn)
            .field("digest_topic_arn", &self.digest_topic_arn)
            .field("reporter_keys", &self.reporter_keys)
            .field("jurisdictions", &self.jurisdictions.kota().slug())
            .finish()
    }
}

/// The reporter keys from `REPORTER_HMAC_KEY`, `CONTACT_ENCRYPTION_KEY` and
/// `CONTACT_ENCRYPTION_OLD_KEYS`.
pub fn reporter_keys(secrets: &Secrets) -> Result<ReporterKeys, ConfigError> {
    let hmac = secrets.parse_required(REPORTER_HMAC_KEY, Key32::from_base64)?;
    let current = secrets.parse_required(CONTACT_ENCRYPTION_KEY, Key32::from_base64)?;
    if current == hmac {
        return Err(secrets.invalid(CONTACT_ENCRYPTION_KEY, "must differ from REPORTER_HMAC_KEY"));
    }
    let old = secrets
        .parse(CONTACT_ENCRYPTION_OLD_KEYS, |list| {
            list.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .enumerate()
                .map(|(i, k)| Key32::from_base64(k).map_err(|err| format!("key {}: {err}", i + 1)))
                .collect::<Result<Vec<_>, _>>()
        })?
        .unwrap_or_default();
    Ok(ReporterKeys {
        hasher: ReporterHasher::new(hmac),
        contacts: ContactCipher::new(current, old),
    })
}

fn check(name: &str, ok: bool, reason: &str) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            name: name.to_owned(),
            reason: reason.to_owned(),
        })
    }
}

fn is_table_name(s: &str) -> bool {
    (3..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `arn:<partition>:sns:<region>:<account>:<topic>`.
fn topic_arn(env: &Env, name: &str) -> Result<String, ConfigError> {
    let arn = env.required(name)?;
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && !parts[4].is_empty()
        && !parts[5].is_empty();
    check(
        name,
        ok,
        "not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)",
    )?;
    Ok(arn)
}

/// The AWS SDK configuration of a function, from the variables Lambda sets:
/// `AWS_REGION`, the role's credentials (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and `AWS_ENDPOINT_URL`
/// for the local emulator. Nothing else is looked for: `aws_config`'s
/// default chain (profile files, SSO, web identity, the container and
/// instance metadata endpoints) links an STS client and the profile parser
/// into every binary and reads the file system at cold start, for sources a
/// Lambda function never has. Retries, timeouts and the identity cache are
/// the SDK's defaults for [`aws_config::BehaviorVersion::latest`].
pub fn lambda_sdk_config(env: &Env) -> aws_config::SdkConfig {
    let credentials = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
    let mut config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(
            env.optional("AWS_REGION")
                .or_else(|| env.optional("AWS_DEFAULT_REGION"))
                .map(aws_config::Region::new),
        )
        .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
            credentials,
        ));
    if let Some(url) = env.optional("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(url);
    }
    config.build()
}

/// The AWS SDK configuration of a tool run by a person (`aduan-admin`, the
/// local dev server): `aws_config`'s default chain, so a profile, SSO or
/// the emulator's variables all work.
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    aws_sdk_loader().load().await
}

/// The loader behind [`aws_sdk_config`], for a caller that sets something
/// more before loading (a test's endpoint, for instance).
pub fn aws_sdk_loader() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::config::fake_ssm::{block_on, FakeSsm, NoFetch};
    use crate::domain::reporter::SenderId;

    const HMAC_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const ENC_B64: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
    const OLD_B64: &str = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=";

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            (TABLE_NAME, "aduan"),
            (
                ESCALATION_TOPIC_ARN,
                "arn:aws:sns:ap-southeast-3:123456789012:aduan-escalations",
            ),
            (
                DIGEST_TOPIC_ARN,
                "arn:aws:sns:ap-southeast-3:123456789012:aduan-digest",
            ),
        ]
    }

    fn env_with(extra: &[(&'static str, &'static str)]) -> Env {
        let mut pairs = base();
        pairs.extend_from_slice(extra);
        Env::from_pairs(pairs)
    }

    fn resolve_plain(env: &Env) -> Result<Secrets, ConfigError> {
        let built = AtomicUsize::new(0);
        let result = block_on(Secrets::resolve(
            env,
            CommonConfig::SECRETS,
            CommonConfig::OPTIONAL_SECRETS,
            || {
                built.fetch_add(1, Ordering::SeqCst);
                NoFetch
            },
        ));
        assert_eq!(
            built.load(Ordering::SeqCst),
            0,
            "no fetcher is built without a _PARAM"
        );
        result
    }

    fn load_plain(env: &Env) -> Result<CommonConfig, ConfigError> {
        CommonConfig::load(env, &resolve_plain(env)?)
    }

    #[test]
    fn loads_plain_values_without_any_fetch() {
        let env = env_with(&[(REPORTER_HMAC_KEY, HMAC_B64), (CONTACT_ENCRYPTION_KEY, ENC_B64)]);
        let config = load_plain(&env).unwrap();
        assert_eq!(config.table_name, "aduan");
        assert_eq!(
            config.digest_topic_arn,
            "arn:aws:sns:ap-southeast-3:123456789012:aduan-digest"
        );
        assert_eq!(
            config.jurisdictions.kota().slug(),
            Jurisdictions::bukittinggi().kota().slug()
        );
        let keys = &config.reporter_keys;
        let sender = SenderId::parse("6281234567890").unwrap();
        assert_eq!(
            keys.hasher.reporter_id(&sender).as_str(),
            "063be83e19b7d667c2e175cf834649bd7405cd2e382c7ee16eba95281235def3"
        );
        assert_eq!(
            keys.contacts.current_key_id(),
            Key32::from_base64(ENC_B64).unwrap().key_id()
        );
        assert_eq!(keys.contacts.old_key_ids().count(), 0);
        let shown = format!("{config:?}");
        assert!(!shown.contains(HMAC_B64) && !shown.contains(ENC_B64), "{shown}");
    }

    #[test]
    fn old_keys_are_read_for_rotation() {
        let env = env_with(&[
            (REPORTER_HMAC_KEY, HMAC_B64),
            (CONTACT_ENCRYPTION_KEY, ENC_B64),
            (
                CONTACT_ENCRYPTION_OLD_KEYS,
                " QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8 , ",
            ),
        ]);
        let config = load_plain(&env).unwrap();
        let old: Vec<&str> = config.reporter_keys.contacts.old_key_ids().collect();
        assert_eq!(old, [Key32::from_base64(OLD_B64).unwrap().key_id()]);

        let env = env_with(&[
            (REPORTER_HMAC_KEY, HMAC_B64),
            (CONTACT_ENCRYPTION_KEY, ENC_B64),
            (
                CONTACT_ENCRYPTION_OLD_KEYS,
                "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=,c2hvcnQ=",
            ),
        ]);
        let err = load_plain(&env).unwrap_err().to_string();
        assert!(
            err.contains(CONTACT_ENCRYPTION_OLD_KEYS) && err.contains("key 2") && err.contains("got 5 bytes"),
            "{err}"
        );
        assert!(!err.contains("c2hvcnQ") && !err.contains(OLD_B64), "{err}");
    }

    #[test]
    fn a_missing_variable_is_named() {
        let env = Env::from_pairs([(REPORTER_HMAC_KEY, HMAC_B64), (CONTACT_ENCRYPTION_KEY, ENC_B64)]);
        let err = load_plain(&env).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Missing { name } if name == TABLE_NAME),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "TABLE_NAME is not set");

        // Empty counts as unset.
        let env = env_with(&[
            (REPORTER_HMAC_KEY, HMAC_B64),
            (CONTACT_ENCRYPTION_KEY, ""),
            (DIGEST_TOPIC_ARN, ""),
        ]);
        let err = resolve_plain(&env).unwrap_err();
        assert!(
            matches!(&err, ConfigError::MissingSecret { name } if name == CONTACT_ENCRYPTION_KEY),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("CONTACT_ENCRYPTION_KEY is not set")
                && shown.contains("CONTACT_ENCRYPTION_KEY_PARAM"),
            "{shown}"
        );
    }

    #[test]
    fn malformed_values_are_named() {
        let keys = [(REPORTER_HMAC_KEY, HMAC_B64), (CONTACT_ENCRYPTION_KEY, ENC_B64)];
        let mut pairs = base();
        pairs.extend_from_slice(&keys);
        pairs.push((ESCALATION_TOPIC_ARN, "aduan-escalations"));
        let err = load_plain(&Env::from_pairs(pairs)).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Invalid { name, .. } if name == ESCALATION_TOPIC_ARN),
            "{err:?}"
        );

        let mut pairs = base();
        pairs.extend_from_slice(&keys);
        pairs.push((TABLE_NAME, "a table"));
        let err = load_plain(&Env::from_pairs(pairs)).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Invalid { name, .. } if name == TABLE_NAME),
            "{err:?}"
        );

        let mut pairs = base();
        pairs.extend_from_slice(&keys);
        pairs.push((JURISDICTIONS_FILE, "/nonexistent/jurisdictions.json"));
        let err = load_plain(&Env::from_pairs(pairs)).unwrap_err().to_string();
        assert!(
            err.starts_with("JURISDICTIONS_FILE: ") && err.contains("/nonexistent/jurisdictions.json"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_key_names_the_variable_but_not_the_value() {
        let secret = "bm90LWEtMzItYnl0ZS1rZXk=";
        let env = env_with(&[(REPORTER_HMAC_KEY, secret), (CONTACT_ENCRYPTION_KEY, ENC_B64)]);
        let err = load_plain(&env).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Invalid { name, .. } if name == REPORTER_HMAC_KEY),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("REPORTER_HMAC_KEY") && shown.contains("got 17 bytes"),
            "{shown}"
        );
        assert!(!shown.contains(secret) && !format!("{err:?}").contains(secret));

        let secret = "sup3r$ecret!";
        let env = env_with(&[(REPORTER_HMAC_KEY, HMAC_B64), (CONTACT_ENCRYPTION_KEY, secret)]);
        let err = load_plain(&env).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("CONTACT_ENCRYPTION_KEY") && shown.contains("base64"),
            "{shown}"
        );
        assert!(!shown.contains("sup3r") && !shown.contains('$') && !format!("{err:?}").contains("sup3r"));

        // The same key for both purposes is refused.
        let env = env_with(&[(REPORTER_HMAC_KEY, HMAC_B64), (CONTACT_ENCRYPTION_KEY, HMAC_B64)]);
        let err = load_plain(&env).unwrap_err().to_string();
        assert!(
            err.contains("CONTACT_ENCRYPTION_KEY") && !err.contains(HMAC_B64),
            "{err}"
        );
    }

    #[test]
    fn both_forms_set_is_ambiguous() {
        let env = env_with(&[
            (REPORTER_HMAC_KEY, HMAC_B64),
            ("REPORTER_HMAC_KEY_PARAM", "/aduan/reporter-hmac-key"),
            (CONTACT_ENCRYPTION_KEY, ENC_B64),
        ]);
        let err = resolve_plain(&env).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Ambiguous { name } if name == REPORTER_HMAC_KEY),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("REPORTER_HMAC_KEY_PARAM") && !shown.contains(HMAC_B64),
            "{shown}"
        );
    }

    #[test]
    fn param_form_reads_ssm_in_one_call_mixed_with_plain_values() {
        let ssm = FakeSsm::with(&[("/aduan/hmac", HMAC_B64), ("/aduan/app-secret", "s3cret")]);
        let env = env_with(&[
            ("REPORTER_HMAC_KEY_PARAM", "/aduan/hmac"),
            (CONTACT_ENCRYPTION_KEY, ENC_B64),
            ("WHATSAPP_APP_SECRET_PARAM", "/aduan/app-secret"),
        ]);
        let required = [CommonConfig::SECRETS, &["WHATSAPP_APP_SECRET"]].concat();
        let optional = [CommonConfig::OPTIONAL_SECRETS, &["TWILIO_AUTH_TOKEN"]].concat();
        let secrets = block_on(Secrets::resolve(&env, &required, &optional, || &ssm)).unwrap();
        assert_eq!(
            *ssm.calls.lock().unwrap(),
            [vec!["/aduan/hmac".to_owned(), "/aduan/app-secret".to_owned()]]
        );
        assert_eq!(secrets.get("WHATSAPP_APP_SECRET"), Some("s3cret"));
        assert_eq!(secrets.get(CONTACT_ENCRYPTION_KEY), Some(ENC_B64));
        assert_eq!(secrets.get("TWILIO_AUTH_TOKEN"), None);
        assert!(secrets.required("TWILIO_AUTH_TOKEN").is_err());
        let shown = format!("{secrets:?}");
        assert!(
            shown.contains("ssm:/aduan/hmac") && !shown.contains("s3cret") && !shown.contains(HMAC_B64),
            "{shown}"
        );

        let config = CommonConfig::load(&env, &secrets).unwrap();
        assert_eq!(
            config
                .reporter_keys
                .hasher
                .reporter_id(&SenderId::parse("6281234567890").unwrap())
                .as_str(),
            "063be83e19b7d667c2e175cf834649bd7405cd2e382c7ee16eba95281235def3"
        );
    }

    #[test]
    fn parameter_problems_name_the_variable_and_parameter() {
        let env = env_with(&[
            ("REPORTER_HMAC_KEY_PARAM", "/aduan/missing"),
            (CONTACT_ENCRYPTION_KEY, ENC_B64),
        ]);
        let ssm = FakeSsm::default();
        let err = block_on(Secrets::resolve(&env, CommonConfig::SECRETS, &[], || &ssm)).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Parameter { name, parameter, .. } if name == REPORTER_HMAC_KEY && parameter == "/aduan/missing"),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("REPORTER_HMAC_KEY_PARAM") && shown.contains("/aduan/missing"),
            "{shown}"
        );

        // A plain String parameter is refused.
        let mut ssm = FakeSsm::with(&[("/aduan/hmac", HMAC_B64)]);
        ssm.params.get_mut("/aduan/hmac").unwrap().1 = false;
        let env = env_with(&[
            ("REPORTER_HMAC_KEY_PARAM", "/aduan/hmac"),
            (CONTACT_ENCRYPTION_KEY, ENC_B64),
        ]);
        let err = block_on(Secrets::resolve(&env, CommonConfig::SECRETS, &[], || &ssm)).unwrap_err();
        assert!(
            err.to_string().contains("SecureString") && !err.to_string().contains(HMAC_B64),
            "{err}"
        );

        // A bad value from SSM names the parameter, not the value.
        let ssm = FakeSsm::with(&[("/aduan/hmac", "dG9vLXNob3J0")]);
        let secrets = block_on(Secrets::resolve(&env, CommonConfig::SECRETS, &[], || &ssm)).unwrap();
        let err = CommonConfig::load(&env, &secrets).unwrap_err();
        let shown = err.to_string();
        assert!(matches!(err, ConfigError::Parameter { .. }), "{shown}");
        assert!(
            shown.contains("REPORTER_HMAC_KEY_PARAM")
                && shown.contains("/aduan/hmac")
                && shown.contains("got 9 bytes")
        );
        assert!(!shown.contains("dG9vLXNob3J0"), "{shown}");

        // The call itself failing names the variables involved.
        let ssm = FakeSsm {
            fail: true,
            ..FakeSsm::with(&[("/aduan/hmac", HMAC_B64)])
        };
        let err = block_on(Secrets::resolve(&env, CommonConfig::SECRETS, &[], || &ssm))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("REPORTER_HMAC_KEY_PARAM") && err.contains("AccessDenied"),
            "{err}"
        );
    }

    #[test]
    fn a_functions_sdk_config_is_read_from_the_variables_lambda_sets() {
        let env = Env::from_pairs([
            ("AWS_REGION", "ap-southeast-3"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ]);
        let sdk = lambda_sdk_config(&env);
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("ap-southeast-3"));
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert!(sdk.credentials_provider().is_some());

        // Deployed: no endpoint (the SDK's regional one); AWS_DEFAULT_REGION
        // as the SDK's own chain would take it.
        let sdk = lambda_sdk_config(&Env::from_pairs([("AWS_DEFAULT_REGION", "ap-southeast-3")]));
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("ap-southeast-3"));
        assert_eq!(sdk.endpoint_url(), None);

        // No region: CommonConfig::from_env refuses to start, naming it.
        let sdk = lambda_sdk_config(&Env::from_pairs::<_, &str, &str>([]));
        let err = block_on(CommonConfig::from_env(&Env::from_pairs(base()), &sdk, &[], &[])).unwrap_err();
        assert_eq!(err.to_string(), "AWS_REGION is not set");
    }
}
