//! Secrets from SSM Parameter Store: the [`ParameterFetch`] that
//! [`Secrets::resolve_from_ssm`](super::Secrets::resolve_from_ssm) uses.

use std::future::Future;

use aws_sdk_ssm::error::DisplayErrorContext;
use aws_sdk_ssm::types::{Parameter, ParameterType};

use super::{FetchedParameter, FetchedParameters, ParameterFetch};

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
