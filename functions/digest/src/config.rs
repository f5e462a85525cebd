//! The digest function's own configuration, all optional (the policy, the
//! WhatsApp send API and the texts are every function's: see
//! `aduan_shared::config::{policy, messaging}`):
//!
//! | variable | default | |
//! |---|---|---|
//! | `CONSOLE_BASE_URL` | none | officials' console, for the link in escalation emails |
//! | `OUTBOX_MAX_ATTEMPTS` | 8 | publish attempts before an escalation is flagged on the case |

use aduan_shared::config::{ConfigError, Env};

pub const CONSOLE_BASE_URL: &str = "CONSOLE_BASE_URL";
pub const OUTBOX_MAX_ATTEMPTS: &str = "OUTBOX_MAX_ATTEMPTS";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestConfig {
    pub console_base_url: Option<String>,
    pub outbox_max_attempts: u32,
}

impl DigestConfig {
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let invalid = |name: &str, reason: &str| ConfigError::Invalid {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let console_base_url = env.optional(CONSOLE_BASE_URL);
        if let Some(url) = &console_base_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(invalid(CONSOLE_BASE_URL, "not an http(s) URL"));
            }
        }
        let outbox_max_attempts = env.parse_optional(OUTBOX_MAX_ATTEMPTS, 8u32)?;
        if outbox_max_attempts == 0 {
            return Err(invalid(OUTBOX_MAX_ATTEMPTS, "at least 1"));
        }
        Ok(Self {
            console_base_url,
            outbox_max_attempts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let c = DigestConfig::load(&Env::from_pairs(Vec::<(String, String)>::new())).unwrap();
        assert_eq!(c.console_base_url, None);
        assert_eq!(c.outbox_max_attempts, 8);
        let c = DigestConfig::load(&Env::from_pairs([
            (CONSOLE_BASE_URL, "https://aduan.example.go.id"),
            (OUTBOX_MAX_ATTEMPTS, "3"),
        ]))
        .unwrap();
        assert_eq!(c.console_base_url.as_deref(), Some("https://aduan.example.go.id"));
        assert_eq!(c.outbox_max_attempts, 3);
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            (CONSOLE_BASE_URL, "aduan.example"),
            (OUTBOX_MAX_ATTEMPTS, "0"),
            (OUTBOX_MAX_ATTEMPTS, "x"),
        ] {
            let err = DigestConfig::load(&Env::from_pairs([(name, value)])).unwrap_err();
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }
}
