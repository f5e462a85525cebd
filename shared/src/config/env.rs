//! The environment: a snapshot of the variables a function starts with, and
//! reading plain (non-secret) values from it.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use super::ConfigError;

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

    /// Parses the value if set, else `default`. Not for secrets (use [`Secrets`](super::Secrets)).
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

#[cfg(test)]
mod tests {
    use super::*;

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
