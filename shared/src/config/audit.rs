//! The audit of officials' reads and actions: how long its entries are kept
//! (`AUDIT_RETENTION_DAYS`, default 730; at least 1).

use super::{ConfigError, Env};
use crate::domain::audit::AuditRetention;

pub const AUDIT_RETENTION_DAYS: &str = "AUDIT_RETENTION_DAYS";

pub fn retention(env: &Env) -> Result<AuditRetention, ConfigError> {
    let days = env.parse_optional(AUDIT_RETENTION_DAYS, AuditRetention::DEFAULT_DAYS)?;
    AuditRetention::days(days).ok_or_else(|| ConfigError::Invalid {
        name: AUDIT_RETENTION_DAYS.to_owned(),
        reason: "at least 1".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_two_years_and_refuses_zero() {
        assert_eq!(retention(&Env::default()).unwrap(), AuditRetention::default());
        assert_eq!(
            retention(&Env::from_pairs([(AUDIT_RETENTION_DAYS, "90")])).unwrap(),
            AuditRetention::days(90).unwrap()
        );
        for bad in ["0", "forever", "-1"] {
            let err = retention(&Env::from_pairs([(AUDIT_RETENTION_DAYS, bad)])).unwrap_err();
            assert!(err.to_string().contains(AUDIT_RETENTION_DAYS), "{bad}: {err}");
        }
    }
}
