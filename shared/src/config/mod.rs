//! Configuration every function reads at cold start, from environment
//! variables (the same names in every function).
//!
//! | variable | |
//! |---|---|
//! | `TABLE_NAME` | DynamoDB table |
//! | `ESCALATION_TOPIC_ARN`, `DIGEST_TOPIC_ARN` | SNS topics |
//! | `REPORTER_HMAC_KEY` (secret) | 32 bytes, base64: reporter ids; never rotated |
//! | `CONTACT_ENCRYPTION_KEY` (secret) | 32 bytes, base64: sealed contacts |
//! | `CONTACT_ENCRYPTION_OLD_KEYS` (secret, optional) | comma-separated base64 keys still readable after a rotation |
//! | `JURISDICTIONS_FILE` (optional) | jurisdiction tree; default: the shipped Bukittinggi tree |
//! | `AWS_REGION`, `AWS_ENDPOINT_URL`, ... | read by the AWS SDK itself ([`aws_sdk_config`]) |
//!
//! A missing or malformed value stops the function at start with a
//! [`ConfigError`] that names the variable. An empty value counts as unset.
//!
//! **Secrets** come in one of two forms, decided here and nowhere else
//! ([`Secrets::resolve`]): `NAME` holds the value itself (local runs, tests),
//! or `NAME_PARAM` names an SSM Parameter Store SecureString, read once at
//! cold start. All the parameters a function needs, its own secrets included,
//! are read in a single `GetParameters` call; that is the only AWS call
//! start-up makes, and none is made when no `_PARAM` is set.

pub mod media;
pub mod messaging;
pub mod policy;
pub mod ssm;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use crate::domain::jurisdiction::{JurisdictionConfigError, Jurisdictions};
use crate::domain::reporter::{ContactCipher, Key32, ReporterHasher, ReporterKeys};

pub const TABLE_NAME: &str = "TABLE_NAME";
pub const ESCALATION_TOPIC_ARN: &str = "ESCALATION_TOPIC_ARN";
pub const DIGEST_TOPIC_ARN: &str = "DIGEST_TOPIC_ARN";
pub const REPORTER_HMAC_KEY: &str = "REPORTER_HMAC_KEY";
pub const CONTACT_ENCRYPTION_KEY: &str = "CONTACT_ENCRYPTION_KEY";
pub const CONTACT_ENCRYPTION_OLD_KEYS: &str = "CONTACT_ENCRYPTION_OLD_KEYS";
pub const JURISDICTIONS_FILE: &str = "JURISDICTIONS_FILE";

/// Suffix of the variable that names a secret's SSM parameter.
pub const PARAM_SUFFIX: &str = "_PARAM";
/// Most names one `GetParameters` call accepts.
pub const SSM_BATCH: usize = 10;

/// Why a function cannot start. Messages name the variable; none ever
/// contains a value (secret or not).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not set")]
    Missing { name: String },
    #[error("{name} is not set (set {name} to the value, or {name}_PARAM to the name of an SSM SecureString parameter)")]
    MissingSecret { name: String },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
    #[error("both {name} and {name}_PARAM are set; set only one")]
    Ambiguous { name: String },
    /// A secret read through `{name}_PARAM`: the parameter is missing, not a
    /// SecureString, or its value is invalid.
    #[error("{name}_PARAM: SSM parameter {parameter:?} {reason}")]
    Parameter {
        name: String,
        parameter: String,
        reason: String,
    },
    /// The `GetParameters` call itself failed (network, permissions, ...).
    #[error("reading SSM parameters for {names} failed: {reason}")]
    ParameterStore { names: String, reason: String },
    #[error("{name}: {source}")]
    Jurisdictions {
        name: String,
        #[source]
        source: Box<JurisdictionConfigError>,
    },
}

// ----- environment -----

/// A snapshot of the environment, so parsing is testable without touching
/// the process environment. Its `Debug` lists names only.
#[derive(Clone, Default)]
pub struct Env(HashMap<String, String>);

impl Env {
    /// The process environment (variables whose name or value is not UTF-8 are skipped).
    pub fn from_process() -> Self {
        Self(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        )
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    /// The value, surrounding whitespace trimmed; `None` if unset or empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.optional(name).ok_or_else(|| ConfigError::Missing {
            name: name.to_owned(),
        })
    }

    /// Parses the value if set, else `default`. Not for secrets (use [`Secrets`]).
    pub fn parse_optional<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match self.optional(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|err: T::Err| ConfigError::Invalid {
                name: name.to_owned(),
                reason: err.to_string(),
            }),
        }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_tuple("Env").field(&names).finish()
    }
}

// ----- secrets -----

/// What one `GetParameters` call returned.
#[derive(Debug, Default)]
pub struct FetchedParameters {
    /// By the name as requested.
    pub found: HashMap<String, FetchedParameter>,
    /// Requested names SSM reported in `InvalidParameters` (not found, or not readable).
    pub invalid: Vec<String>,
}

/// A parameter's decrypted value. `Debug` does not print it.
#[derive(Clone)]
pub struct FetchedParameter {
    pub value: String,
    /// Whether it is a SecureString; secrets must be.
    pub secure: bool,
}

impl fmt::Debug for FetchedParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedParameter")
            .field("value", &"***")
            .field("secure", &self.secure)
            .finish()
    }
}

/// Reads SSM parameters: one call is one `GetParameters` with decryption, for
/// at most [`SSM_BATCH`] names. [`ssm::SsmParameters`] is the real one; unit
/// tests stand in their own.
pub trait ParameterFetch {
    /// `Err` carries the call's failure, for [`ConfigError::ParameterStore`].
    fn get_parameters(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<FetchedParameters, String>> + Send;
}

#[derive(Clone, PartialEq, Eq)]
enum SecretSource {
    Env,
    Parameter(String),
}

struct Secret {
    value: String,
    source: SecretSource,
}

/// The resolved secrets of one function, by name (`REPORTER_HMAC_KEY`, ...),
/// whichever form each came in. `Debug` shows names and sources only.
#[derive(Default)]
pub struct Secrets(HashMap<String, Secret>);

impl Secrets {
    /// Resolves `required` and `optional` secrets: for each `NAME`, the value
    /// of `NAME` if set, else the SSM parameter `NAME_PARAM` names, else
    /// missing (an error for a required one). Setting both is an error.
    ///
    /// All parameters are read together (one call per [`SSM_BATCH`] names);
    /// `make_fetch` is called only if some `NAME_PARAM` is set, so no client
    /// is built, and no call made, otherwise.
    pub async fn resolve<F, M>(
        env: &Env,
        required: &[&str],
        optional: &[&str],
        make_fetch: M,
    ) -> Result<Self, ConfigError>
    where
        F: ParameterFetch,
        M: FnOnce() -> F,
    {
        let mut secrets = HashMap::new();
        // (secret name, parameter name)
        let mut pending: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        let wanted = required
            .iter()
            .map(|n| (*n, true))
            .chain(optional.iter().map(|n| (*n, false)));
        for (name, is_required) in wanted {
            if !seen.insert(name) {
                continue; // listed twice: the required listing came first
            }
            let value = env.optional(name);
            let parameter = env.optional(&format!("{name}{PARAM_SUFFIX}"));
            match (value, parameter) {
                (Some(_), Some(_)) => {
                    return Err(ConfigError::Ambiguous {
                        name: name.to_owned(),
                    })
                }
                (Some(value), None) => {
                    secrets.insert(
                        name.to_owned(),
                        Secret {
                            value,
                            source: SecretSource::Env,
                        },
                    );
                }
                (None, Some(parameter)) => pending.push((name.to_owned(), parameter)),
                (None, None) if is_required => {
                    return Err(ConfigError::MissingSecret {
                        name: name.to_owned(),
                    })
                }
                (None, None) => {}
            }
        }
        if pending.is_empty() {
            return Ok(Self(secrets));
        }

        let mut names: Vec<String> = Vec::new();
        for (_, parameter) in &pending {
            if !names.contains(parameter) {
                names.push(parameter.clone());
            }
        }
        let fetch = make_fetch();
        let mut fetched = FetchedParameters::default();
        for chunk in names.chunks(SSM_BATCH) {
            let got = fetch
                .get_parameters(chunk)
                .await
                .map_err(|reason| ConfigError::ParameterStore {
                    names: pending
                        .iter()
                        .filter(|(_, p)| chunk.contains(p))
                        .map(|(n, _)| format!("{n}{PARAM_SUFFIX}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    reason,
                })?;
            fetched.found.extend(got.found);
            fetched.invalid.extend(got.invalid);
        }

        for (name, parameter) in pending {
            let error = |reason: &str| ConfigError::Parameter {
                name: name.clone(),
                parameter: parameter.clone(),
                reason: reason.to_owned(),
            };
            match fetched.found.get(&parameter) {
                Some(p) if !p.secure => {
                    return Err(error("is not a SecureString; secrets must be stored encrypted"))
                }
                Some(p) if p.value.trim().is_empty() => return Err(error("is empty")),
                Some(p) => {
                    secrets.insert(
                        name.clone(),
                        Secret {
                            value: p.value.trim().to_owned(),
                            source: SecretSource::Parameter(parameter.clone()),
                        },
                    );
                }
                None if fetched.invalid.contains(&parameter) => {
                    return Err(error("does not exist or cannot be read"))
                }
                None => return Err(error("was not returned by SSM")),
            }
        }
        Ok(Self(secrets))
    }

    /// [`Secrets::resolve`] against SSM Parameter Store, with a client built
    /// from `sdk` only if some `NAME_PARAM` is set.
    pub async fn resolve_from_ssm(
        env: &Env,
        required: &[&str],
        optional: &[&str],
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, ConfigError> {
        Self::resolve(env, required, optional, || ssm::SsmParameters::new(sdk)).await
    }

    /// The value, if the secret was resolved (an optional one may not be).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|s| s.value.as_str())
    }

    /// The value, or [`ConfigError::MissingSecret`].
    pub fn required(&self, name: &str) -> Result<&str, ConfigError> {
        self.get(name).ok_or_else(|| ConfigError::MissingSecret {
            name: name.to_owned(),
        })
    }

    /// Parses a secret if resolved. A parse error becomes a [`ConfigError`]
    /// naming the variable (and the parameter, if it came from SSM); `parse`'s
    /// error message must not quote the value.
    pub fn parse<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(secret) = self.0.get(name) else {
            return Ok(None);
        };
        parse(&secret.value)
            .map(Some)
            .map_err(|err| self.invalid(name, err))
    }

    /// [`Secrets::parse`] for a secret that must be there.
    pub fn parse_required<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ConfigError> {
        self.parse(name, parse)?
            .ok_or_else(|| ConfigError::MissingSecret {
                name: name.to_owned(),
            })
    }

    /// The error for an unusable value of `name`, naming where it came from.
    pub fn invalid(&self, name: &str, reason: impl fmt::Display) -> ConfigError {
        match self.0.get(name).map(|s| &s.source) {
            Some(SecretSource::Parameter(parameter)) => ConfigError::Parameter {
                name: name.to_owned(),
                parameter: parameter.clone(),
                reason: format!("holds an invalid value: {reason}"),
            },
            _ => ConfigError::Invalid {
                name: name.to_owned(),
                reason: reason.to_string(),
            },
        }
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<(&String, String)> = self
            .0
            .iter()
            .map(|(name, s)| {
                let from = match &s.source {
                    SecretSource::Env => "env".to_owned(),
                    SecretSource::Parameter(p) => format!("ssm:{p}"),
                };
                (name, from)
            })
            .collect();
        entries.sort();
        f.debug_map().entries(entries).finish()
    }
}

// ----- the common configuration -----

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

/// The AWS SDK configuration: region, credentials and endpoint from the
/// standard variables (`AWS_REGION`, `AWS_ENDPOINT_URL` for the emulator, ...).
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
    use std::sync::Mutex;

    use super::*;
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

    /// A stand-in for SSM: a fixed parameter store, recording each call.
    #[derive(Default)]
    struct FakeSsm {
        params: HashMap<String, (String, bool)>,
        calls: Mutex<Vec<Vec<String>>>,
        fail: bool,
    }

    impl FakeSsm {
        fn with(params: &[(&str, &str)]) -> Self {
            Self {
                params: params
                    .iter()
                    .map(|(k, v)| (k.to_string(), (v.to_string(), true)))
                    .collect(),
                ..Self::default()
            }
        }
    }

    impl ParameterFetch for &FakeSsm {
        fn get_parameters(
            &self,
            names: &[String],
        ) -> impl Future<Output = Result<FetchedParameters, String>> + Send {
            assert!(names.len() <= SSM_BATCH);
            self.calls.lock().unwrap().push(names.to_vec());
            let mut out = FetchedParameters::default();
            for n in names {
                match self.params.get(n) {
                    Some((value, secure)) => {
                        out.found.insert(
                            n.clone(),
                            FetchedParameter {
                                value: value.clone(),
                                secure: *secure,
                            },
                        );
                    }
                    None => out.invalid.push(n.clone()),
                }
            }
            let result = if self.fail {
                Err("AccessDeniedException: not allowed".to_owned())
            } else {
                Ok(out)
            };
            async move { result }
        }
    }

    /// Fails the test if used: no `_PARAM`, no fetch.
    struct NoFetch;
    impl ParameterFetch for NoFetch {
        async fn get_parameters(&self, _: &[String]) -> Result<FetchedParameters, String> {
            panic!("no SSM call expected")
        }
    }

    fn block_on<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
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
    fn many_parameters_are_chunked_and_shared_ones_read_once() {
        let names: Vec<String> = (0..12).map(|i| format!("SECRET_{i}")).collect();
        let params: Vec<(String, String)> = (0..12).map(|i| (format!("/p/{i}"), format!("v{i}"))).collect();
        let ssm = FakeSsm::with(
            &params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        );
        let mut pairs: Vec<(String, String)> = names
            .iter()
            .zip(&params)
            .map(|(n, (p, _))| (format!("{n}_PARAM"), p.clone()))
            .collect();
        pairs.push(("SHARED_PARAM".into(), "/p/0".into()));
        let env = Env::from_pairs(pairs);
        let mut required: Vec<&str> = names.iter().map(String::as_str).collect();
        required.push("SHARED");
        let secrets = block_on(Secrets::resolve(&env, &required, &[], || &ssm)).unwrap();
        let calls = ssm.calls.lock().unwrap();
        assert_eq!(calls.iter().map(Vec::len).collect::<Vec<_>>(), [10, 2]);
        assert_eq!(secrets.get("SECRET_11"), Some("v11"));
        assert_eq!(secrets.get("SHARED"), Some("v0"));
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
    fn env_helpers() {
        let env = Env::from_pairs([("A", " 5 "), ("B", ""), ("C", "x")]);
        assert_eq!(env.optional("A").as_deref(), Some("5"));
        assert_eq!(env.optional("B"), None);
        assert_eq!(env.parse_optional("A", 1u32).unwrap(), 5);
        assert_eq!(env.parse_optional("B", 1u32).unwrap(), 1);
        assert_eq!(env.parse_optional("Z", 1u32).unwrap(), 1);
        let err = env.parse_optional("C", 1u32).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Invalid { name, .. } if name == "C"),
            "{err:?}"
        );
        assert!(matches!(env.required("B"), Err(ConfigError::Missing { name }) if name == "B"));
        assert_eq!(format!("{env:?}"), r#"Env(["A", "B", "C"])"#);
    }
}
