//! The digest function's own configuration, all optional:
//!
//! | variable | default | |
//! |---|---|---|
//! | `AUTO_CLOSE_WORKING_DAYS` | 3 | working days a resolved case waits for the citizen's answer |
//! | `CONSOLE_BASE_URL` | none | officials' console, for the link in escalation emails |
//! | `HOLIDAYS` | none | comma-separated `YYYY-MM-DD` public holidays (not working days) |
//! | `OUTBOX_MAX_ATTEMPTS` | 8 | publish attempts before an escalation is flagged on the case |

use aduan_shared::config::{ConfigError, Env};
use aduan_shared::domain::sla::{SlaPolicy, WorkingCalendar};
use chrono::NaiveDate;

pub const AUTO_CLOSE_WORKING_DAYS: &str = "AUTO_CLOSE_WORKING_DAYS";
pub const CONSOLE_BASE_URL: &str = "CONSOLE_BASE_URL";
pub const HOLIDAYS: &str = "HOLIDAYS";
pub const OUTBOX_MAX_ATTEMPTS: &str = "OUTBOX_MAX_ATTEMPTS";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestConfig {
    pub auto_close_working_days: u32,
    pub console_base_url: Option<String>,
    pub holidays: Vec<NaiveDate>,
    pub outbox_max_attempts: u32,
}

impl DigestConfig {
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let invalid = |name: &str, reason: &str| ConfigError::Invalid {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let auto_close_working_days =
            env.parse_optional(AUTO_CLOSE_WORKING_DAYS, SlaPolicy::default().default.confirm)?;
        if auto_close_working_days > 60 {
            return Err(invalid(AUTO_CLOSE_WORKING_DAYS, "at most 60 working days"));
        }
        let console_base_url = env.optional(CONSOLE_BASE_URL);
        if let Some(url) = &console_base_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(invalid(CONSOLE_BASE_URL, "not an http(s) URL"));
            }
        }
        let holidays = match env.optional(HOLIDAYS) {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| {
                    d.parse::<NaiveDate>()
                        .map_err(|_| invalid(HOLIDAYS, &format!("{d:?} is not a YYYY-MM-DD date")))
                })
                .collect::<Result<_, _>>()?,
        };
        let outbox_max_attempts = env.parse_optional(OUTBOX_MAX_ATTEMPTS, 8u32)?;
        if outbox_max_attempts == 0 {
            return Err(invalid(OUTBOX_MAX_ATTEMPTS, "at least 1"));
        }
        Ok(Self {
            auto_close_working_days,
            console_base_url,
            holidays,
            outbox_max_attempts,
        })
    }

    /// The SLA policy with the configured holidays.
    pub fn sla(&self) -> SlaPolicy {
        let default = WorkingCalendar::default();
        let mut sla = SlaPolicy {
            calendar: WorkingCalendar::new(default.offset(), self.holidays.iter().copied()),
            ..SlaPolicy::default()
        };
        sla.default.confirm = self.auto_close_working_days;
        sla
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let c = DigestConfig::load(&Env::from_pairs(Vec::<(String, String)>::new())).unwrap();
        assert_eq!(c.auto_close_working_days, 3);
        assert_eq!(c.console_base_url, None);
        assert_eq!(c.outbox_max_attempts, 8);
        let c = DigestConfig::load(&Env::from_pairs([
            (AUTO_CLOSE_WORKING_DAYS, "5"),
            (CONSOLE_BASE_URL, "https://aduan.example.go.id"),
            (HOLIDAYS, "2026-12-25, 2027-01-01"),
        ]))
        .unwrap();
        assert_eq!(c.auto_close_working_days, 5);
        assert_eq!(c.holidays.len(), 2);
        assert!(!c.sla().calendar.is_working_day("2026-12-25".parse().unwrap()));
        assert_eq!(c.sla().default.confirm, 5);
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            (AUTO_CLOSE_WORKING_DAYS, "x"),
            (AUTO_CLOSE_WORKING_DAYS, "99"),
            (CONSOLE_BASE_URL, "aduan.example"),
            (HOLIDAYS, "25/12/2026"),
            (OUTBOX_MAX_ATTEMPTS, "0"),
        ] {
            let err = DigestConfig::load(&Env::from_pairs([(name, value)])).unwrap_err();
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }
}
