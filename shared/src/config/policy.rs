//! The rules a city sets for its cases: the ladder, the SLA in working days,
//! its holidays and time zone, its ticket prefix, and the limits on each
//! reporter, how long a reporter's contact and a closed case's files are
//! kept, how far apart two reports of one problem may be. All optional,
//! with the defaults LAPOR! uses.

use chrono::{Duration, FixedOffset, NaiveDate};

use super::{ConfigError, Env};
use crate::domain::duplicates::{self, DuplicateRules};
use crate::domain::ladder::{Ladder, LadderError, Tier};
use crate::domain::limits::ReporterLimits;
use crate::domain::privacy::{Privacy, Retention};
use crate::domain::sla::{SlaPolicy, StatusAllowance, WorkingCalendar, WIB_OFFSET_SECONDS};
use crate::domain::ticket::TicketPrefix;

pub const LADDER: &str = "LADDER";
pub const ENTRY_TIER: &str = "ENTRY_TIER";
pub const SLA_VERIFY_DAYS: &str = "SLA_VERIFY_DAYS";
pub const SLA_ACT_DAYS: &str = "SLA_ACT_DAYS";
pub const SLA_CONFIRM_DAYS: &str = "SLA_CONFIRM_DAYS";
/// `SLA_DAYS_RT`, `SLA_DAYS_RW`, `SLA_DAYS_KELURAHAN`, `SLA_DAYS_KECAMATAN`,
/// `SLA_DAYS_KOTA`: one tier's allowances, `verify,act,confirm`.
pub const SLA_DAYS_PREFIX: &str = "SLA_DAYS_";
pub const PUBLIC_HOLIDAYS: &str = "PUBLIC_HOLIDAYS";
pub const UTC_OFFSET: &str = "UTC_OFFSET";
pub const TICKET_PREFIX: &str = "TICKET_PREFIX";
pub const REOPEN_WINDOW_DAYS: &str = "REOPEN_WINDOW_DAYS";
pub const FOLLOWUP_ACK_MINUTES: &str = "FOLLOWUP_ACK_MINUTES";
pub const ASK_NEW_REPORT_AFTER_DAYS: &str = "ASK_NEW_REPORT_AFTER_DAYS";
pub const LIMIT_OPEN_CASES: &str = "LIMIT_OPEN_CASES";
pub const LIMIT_NEW_CASES_PER_DAY: &str = "LIMIT_NEW_CASES_PER_DAY";
pub const LIMIT_MESSAGES_PER_MINUTE: &str = "LIMIT_MESSAGES_PER_MINUTE";
pub const DPO_CONTACT: &str = "DPO_CONTACT";
pub const CONTACT_RETENTION_DAYS: &str = "CONTACT_RETENTION_DAYS";
pub const MEDIA_RETENTION_DAYS_AFTER_CLOSE: &str = "MEDIA_RETENTION_DAYS_AFTER_CLOSE";
/// How far apart (metres) two cases that both carry a shared location may
/// be and still be suggested as duplicates.
pub const DUPLICATE_DISTANCE_METERS: &str = "DUPLICATE_DISTANCE_METERS";

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub ladder: Ladder,
    pub sla: SlaPolicy,
    pub ticket_prefix: TicketPrefix,
    /// How long after a case closed the citizen's "not solved" still
    /// reopens it; later, they are asked for a new report.
    pub reopen_window: Duration,
    /// Follow-ups are thanked at most this often (zero: never).
    pub followup_ack_every: Duration,
    /// A follow-up to a case open this long asks "new report or
    /// addition?" (zero: never for its age).
    pub ask_new_after: Duration,
    pub limits: ReporterLimits,
    pub privacy: Privacy,
    /// Which open cases are suggested as duplicates of a case.
    pub duplicates: DuplicateRules,
}

impl Policy {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let invalid = |name: &str, reason: String| ConfigError::Invalid {
            name: name.to_owned(),
            reason,
        };
        let tiers = match env.optional(LADDER) {
            Some(raw) => raw
                .split(',')
                .map(|t| Tier::parse(t).map_err(|e| invalid(LADDER, e.to_string())))
                .collect::<Result<Vec<_>, _>>()?,
            None => Ladder::default().tiers().to_vec(),
        };
        let entry = match env.optional(ENTRY_TIER) {
            Some(raw) => Tier::parse(&raw).map_err(|e| invalid(ENTRY_TIER, e.to_string()))?,
            None => Tier::Kelurahan,
        };
        let ladder = Ladder::new(tiers, entry).map_err(|e| match e {
            LadderError::EntryNotOnLadder(_) => invalid(ENTRY_TIER, e.to_string()),
            _ => invalid(LADDER, e.to_string()),
        })?;

        let defaults = StatusAllowance::default();
        let allowance = StatusAllowance {
            verify: env.parse_optional(SLA_VERIFY_DAYS, defaults.verify)?,
            act: env.parse_optional(SLA_ACT_DAYS, defaults.act)?,
            confirm: env.parse_optional(SLA_CONFIRM_DAYS, defaults.confirm)?,
        };
        let mut per_tier = std::collections::HashMap::new();
        for tier in Tier::ALL {
            let name = format!("{SLA_DAYS_PREFIX}{}", tier.as_str().to_ascii_uppercase());
            if let Some(raw) = env.optional(&name) {
                let tier_allowance = parse_allowance(&raw).ok_or_else(|| {
                    invalid(
                        &name,
                        format!("{raw:?} is not three working-day counts: verify,act,confirm (e.g. 2,5,3)"),
                    )
                })?;
                per_tier.insert(tier, tier_allowance);
            }
        }
        let holidays = match env.optional(PUBLIC_HOLIDAYS) {
            Some(raw) => raw
                .split(',')
                .map(|d| {
                    d.trim().parse::<NaiveDate>().map_err(|_| {
                        invalid(
                            PUBLIC_HOLIDAYS,
                            format!("{:?} is not a date like 2026-12-25", d.trim()),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let offset = match env.optional(UTC_OFFSET) {
            Some(raw) => raw
                .parse::<FixedOffset>()
                .map_err(|_| invalid(UTC_OFFSET, format!("{raw:?} is not an offset like +07:00")))?,
            None => FixedOffset::east_opt(WIB_OFFSET_SECONDS).expect("WIB is valid"),
        };
        let ticket_prefix = match env.optional(TICKET_PREFIX) {
            Some(raw) => TicketPrefix::parse(&raw).map_err(|e| invalid(TICKET_PREFIX, e.to_string()))?,
            None => TicketPrefix::default(),
        };
        let reopen_window = Duration::days(env.parse_optional(REOPEN_WINDOW_DAYS, 14u16)?.into());
        let followup_ack_every = Duration::minutes(env.parse_optional(FOLLOWUP_ACK_MINUTES, 5u16)?.into());
        let ask_new_after = Duration::days(env.parse_optional(ASK_NEW_REPORT_AFTER_DAYS, 14u16)?.into());
        let default_limits = ReporterLimits::default();
        let limits = ReporterLimits {
            open_cases: env.parse_optional(LIMIT_OPEN_CASES, default_limits.open_cases)?,
            new_cases_per_day: env
                .parse_optional(LIMIT_NEW_CASES_PER_DAY, default_limits.new_cases_per_day)?,
            messages_per_minute: env
                .parse_optional(LIMIT_MESSAGES_PER_MINUTE, default_limits.messages_per_minute)?,
        };
        let retention = |name: &str| {
            let days = env.parse_optional(name, Retention::DEFAULT_DAYS)?;
            Retention::days(days).ok_or_else(|| invalid(name, "at least 1 day".to_owned()))
        };
        let privacy = Privacy {
            dpo_contact: env
                .optional(DPO_CONTACT)
                .unwrap_or_else(|| Privacy::default().dpo_contact),
            contact_retention: retention(CONTACT_RETENTION_DAYS)?,
            media_retention: retention(MEDIA_RETENTION_DAYS_AFTER_CLOSE)?,
        };
        let meters: u32 =
            env.parse_optional(DUPLICATE_DISTANCE_METERS, duplicates::DEFAULT_DISTANCE_METERS)?;
        if meters == 0 {
            return Err(invalid(DUPLICATE_DISTANCE_METERS, "at least 1".to_owned()));
        }
        let duplicates = DuplicateRules {
            max_distance_meters: f64::from(meters),
            ..DuplicateRules::default()
        };
        Ok(Self {
            ladder,
            sla: SlaPolicy {
                calendar: WorkingCalendar::new(offset, holidays),
                default: allowance,
                per_tier,
            },
            ticket_prefix,
            reopen_window,
            followup_ack_every,
            ask_new_after,
            limits,
            privacy,
            duplicates,
        })
    }
}

/// `2,5,3`: verify, act, confirm.
fn parse_allowance(raw: &str) -> Option<StatusAllowance> {
    let days: Vec<u32> = raw
        .split(',')
        .map(|d| d.trim().parse().ok())
        .collect::<Option<_>>()?;
    match days[..] {
        [verify, act, confirm] => Some(StatusAllowance { verify, act, confirm }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_any_variable() {
        let policy = Policy::from_env(&Env::from_pairs([("X", "y")])).unwrap();
        assert_eq!(policy.ladder, Ladder::default());
        assert_eq!(policy.sla, SlaPolicy::default());
        assert_eq!(policy.ticket_prefix.as_str(), "ADU");
        assert_eq!(policy.limits, ReporterLimits::default());
        assert_eq!(policy.reopen_window, Duration::days(14));
        assert_eq!(policy.followup_ack_every, Duration::minutes(5));
        assert_eq!(policy.ask_new_after, Duration::days(14));
        assert_eq!(policy.privacy, Privacy::default());
        assert_eq!(policy.duplicates, DuplicateRules::default());
    }

    #[test]
    fn reads_every_variable_and_names_bad_ones() {
        let env = Env::from_pairs([
            (LADDER, "rw,kelurahan,kecamatan,kota"),
            (ENTRY_TIER, "rw"),
            (SLA_VERIFY_DAYS, "2"),
            (PUBLIC_HOLIDAYS, "2026-12-25, 2027-01-01"),
            (UTC_OFFSET, "+08:00"),
            (TICKET_PREFIX, "lpr"),
            (LIMIT_OPEN_CASES, "3"),
            (REOPEN_WINDOW_DAYS, "30"),
            (FOLLOWUP_ACK_MINUTES, "0"),
            (ASK_NEW_REPORT_AFTER_DAYS, "0"),
            (DUPLICATE_DISTANCE_METERS, "400"),
            (LIMIT_NEW_CASES_PER_DAY, "0"),
            (LIMIT_MESSAGES_PER_MINUTE, "30"),
            ("SLA_DAYS_RT", "1, 2, 3"),
            ("SLA_DAYS_KOTA", "2,10,3"),
            (CONTACT_RETENTION_DAYS, "30"),
            (MEDIA_RETENTION_DAYS_AFTER_CLOSE, "90"),
        ]);
        let policy = Policy::from_env(&env).unwrap();
        assert_eq!(policy.ladder.tiers().len(), 4);
        assert_eq!(policy.sla.default.verify, 2);
        let rt = policy
            .sla
            .allowance(&crate::domain::ladder::Level::Tier(Tier::Rt));
        assert_eq!((rt.verify, rt.act, rt.confirm), (1, 2, 3));
        let kota = policy
            .sla
            .allowance(&crate::domain::ladder::Level::Tier(Tier::Kota));
        assert_eq!(kota.act, 10);
        let rw = policy
            .sla
            .allowance(&crate::domain::ladder::Level::Tier(Tier::Rw));
        assert_eq!(rw, policy.sla.default);
        assert!(!policy.sla.calendar.is_working_day("2026-12-25".parse().unwrap()));
        assert_eq!(policy.sla.calendar.offset().local_minus_utc(), 8 * 3600);
        assert_eq!(policy.ticket_prefix.as_str(), "LPR");
        assert_eq!(policy.reopen_window, Duration::days(30));
        assert_eq!(policy.followup_ack_every, Duration::zero());
        assert_eq!(policy.ask_new_after, Duration::zero());
        assert_eq!(policy.privacy.contact_retention.as_days(), 30);
        assert_eq!(policy.privacy.media_retention.as_days(), 90);
        assert_eq!(policy.duplicates.max_distance_meters, 400.0);
        assert_eq!(
            policy.limits,
            ReporterLimits {
                open_cases: 3,
                new_cases_per_day: 0,
                messages_per_minute: 30
            }
        );
        for (name, value) in [
            (LADDER, "kota,kelurahan"),
            (ENTRY_TIER, "rt"),
            (SLA_ACT_DAYS, "five"),
            (PUBLIC_HOLIDAYS, "25/12/2026"),
            (UTC_OFFSET, "WIB"),
            (TICKET_PREFIX, "A"),
            (LIMIT_OPEN_CASES, "-1"),
            (REOPEN_WINDOW_DAYS, "two weeks"),
            (FOLLOWUP_ACK_MINUTES, "5m"),
            (LIMIT_MESSAGES_PER_MINUTE, "lots"),
            ("SLA_DAYS_RW", "3,5"),
            ("SLA_DAYS_KECAMATAN", "3,5,x"),
            (CONTACT_RETENTION_DAYS, "0"),
            (MEDIA_RETENTION_DAYS_AFTER_CLOSE, "-5"),
            (DUPLICATE_DISTANCE_METERS, "0"),
            (DUPLICATE_DISTANCE_METERS, "near"),
        ] {
            let err = Policy::from_env(&Env::from_pairs([(name, value)])).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
    }
}
