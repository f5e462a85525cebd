//! Reading SSM Parameter Store: what one `GetParameters` call returns, the
//! [`ParameterFetch`] seam [`Secrets::resolve`](super::Secrets::resolve)
//! reads through, and [`SsmParameters`], the real one.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;

use aws_sdk_ssm::error::DisplayErrorContext;
use aws_sdk_ssm::types::{Parameter, ParameterType};

/// Most names one `GetParameters` call accepts.
pub const SSM_BATCH: usize = 10;

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
/// at most [`SSM_BATCH`] names. [`SsmParameters`] is the real one; unit
/// tests stand in their own.
pub trait ParameterFetch {
    /// `Err` carries the call's failure, for
    /// [`ConfigError::ParameterStore`](super::ConfigError::ParameterStore).
    fn get_parameters(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<FetchedParameters, String>> + Send;
}

/// Reads SecureString parameters with `GetParameters` (`WithDecryption`).
#[derive(Debug, Clone)]
pub struct SsmParameters {
    client: aws_sdk_ssm::Client,
}

impl SsmParameters {
    /// Builds the client; makes no call.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self::from_client(aws_sdk_ssm::Client::new(sdk))
    }

    pub fn from_client(client: aws_sdk_ssm::Client) -> Self {
        Self { client }
    }
}

/// Whether `p` is what `requested` asked for: by name, by ARN, or by name
/// with a `:version` / `:label` selector.
fn answers(p: &Parameter, requested: &str) -> bool {
    let name = p.name().unwrap_or_default();
    requested == name
        || p.arn() == Some(requested)
        || p.selector()
            .is_some_and(|s| requested.strip_prefix(name) == Some(s))
}

impl ParameterFetch for SsmParameters {
    fn get_parameters(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<FetchedParameters, String>> + Send {
        let request = self
            .client
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(true);
        let names = names.to_vec();
        async move {
            let out = request
                .send()
                .await
                .map_err(|err| DisplayErrorContext(&err).to_string())?;
            let mut fetched = FetchedParameters {
                invalid: out.invalid_parameters().to_vec(),
                ..FetchedParameters::default()
            };
            for requested in names {
                if let Some(p) = out.parameters().iter().find(|p| answers(p, &requested)) {
                    let parameter = FetchedParameter {
                        value: p.value().unwrap_or_default().to_owned(),
                        secure: p.r#type() == Some(&ParameterType::SecureString),
                    };
                    fetched.found.insert(requested, parameter);
                }
            }
            Ok(fetched)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_by_name_arn_or_selector() {
        let p = Parameter::builder()
            .name("/aduan/hmac")
            .arn("arn:aws:ssm:ap-southeast-3:123456789012:parameter/aduan/hmac")
            .selector(":3")
            .build();
        assert!(answers(&p, "/aduan/hmac"));
        assert!(answers(
            &p,
            "arn:aws:ssm:ap-southeast-3:123456789012:parameter/aduan/hmac"
        ));
        assert!(answers(&p, "/aduan/hmac:3"));
        assert!(!answers(&p, "/aduan/hmac:4"));
        assert!(!answers(&p, "/aduan/other"));
    }
}
