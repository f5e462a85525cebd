//! The one retry policy for what goes out and may fail: escalation publishes
//! and citizens' files in the outbox (`RetryPolicy::default()`), and messages
//! to citizens (their own figures, in `citizen.rs`). A policy says how long
//! to wait after a failure (doubling, up to a cap), how many attempts to
//! make, and how long a claimed attempt holds off other sweeps.

use chrono::{DateTime, Duration, Utc};

/// Backoff and the bound on attempts for retrying what failed to go out.
/// `Default` is the outbox's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure; doubled after each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Attempts after which the entry is given up and flagged on the case.
    pub max_attempts: u32,
    /// How long a claimed attempt may take before another sweep may retry it.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::OUTBOX
    }
}

impl RetryPolicy {
    /// The outbox's.
    pub const OUTBOX: Self = Self {
        first_delay: Duration::minutes(5),
        max_delay: Duration::hours(6),
        max_attempts: 8,
        lease: Duration::minutes(5),
    };

    /// When to try again after `attempts` failed attempts.
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> DateTime<Utc> {
        let factor = 1i32 << attempts.saturating_sub(1).min(16);
        let delay = (self.first_delay * factor).min(self.max_delay);
        now + delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let now = at("2026-11-23T10:00:00Z");
        assert_eq!(policy.next_attempt(1, now), now + Duration::minutes(5));
        assert_eq!(policy.next_attempt(2, now), now + Duration::minutes(10));
        assert_eq!(policy.next_attempt(4, now), now + Duration::minutes(40));
        assert_eq!(policy.next_attempt(30, now), now + Duration::hours(6));
    }
}
