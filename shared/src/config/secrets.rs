//! Secrets, in either form: `NAME` holding the value, or `NAME_PARAM` naming
//! an SSM SecureString; all the parameters a function needs are read
//! together, in as few `GetParameters` calls as the batch limit allows.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::env::Env;
use super::ssm::{FetchedParameters, ParameterFetch, SsmParameters, SSM_BATCH};
use super::ConfigError;

/// Suffix of the variable that names a secret's SSM parameter.
pub const PARAM_SUFFIX: &str = "_PARAM";

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
        Self::resolve(env, required, optional, || SsmParameters::new(sdk)).await
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::fake_ssm::{block_on, FakeSsm};

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
}
