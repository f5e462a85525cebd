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
//! | `RUST_LOG` (optional) | the log filter ([`log_filter`]); default: errors only |
//! | `AWS_REGION`, the role's credentials, `AWS_ENDPOINT_URL` | the AWS SDK's ([`lambda_sdk_config`]) |
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
//!
//! The modules, each importing only those before it: `env` (the
//! environment), `ssm` (reading Parameter Store), `secrets`, `common`; then
//! `audit`, `logging`, `media`, `messaging`, `policy` and `vocabulary`, each one function's or
//! concern's.

pub mod audit;
mod common;
mod env;
#[cfg(test)]
mod fake_ssm;
mod logging;
pub mod media;
pub mod messaging;
pub mod policy;
mod secrets;
pub mod ssm;
pub mod vocabulary;

pub use common::{
    aws_sdk_config, aws_sdk_loader, lambda_sdk_config, reporter_keys, CommonConfig, CONTACT_ENCRYPTION_KEY,
    CONTACT_ENCRYPTION_OLD_KEYS, DIGEST_TOPIC_ARN, ESCALATION_TOPIC_ARN, JURISDICTIONS_FILE,
    REPORTER_HMAC_KEY, TABLE_NAME,
};
pub use env::Env;
pub use logging::{init_logs, log_filter, RUST_LOG};
pub use secrets::{Secrets, PARAM_SUFFIX};
pub use ssm::{FetchedParameter, FetchedParameters, ParameterFetch, SSM_BATCH};

use crate::domain::jurisdiction::JurisdictionConfigError;

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
