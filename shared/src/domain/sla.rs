//! SLA rules, counted in working days as LAPOR! does: Monday to Friday, minus
//! the public holidays a city lists, in the city's own time zone.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Utc, Weekday};

use super::ladder::{Level, Tier};
use super::lifecycle::Status;

/// Which days count. Indonesia has no daylight saving, so a fixed offset is exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    offset: FixedOffset,
    holidays: BTreeSet<NaiveDate>,
}

/// Western Indonesia Time (WIB), the zone of Sumatra and Java.
pub const WIB_OFFSET_SECONDS: i32 = 7 * 3600;

impl Default for WorkingCalendar {
    fn default() -> Self {
        Self::new(
            FixedOffset::east_opt(WIB_OFFSET_SECONDS).expect("WIB is a valid offset"),
            [],
        )
    }
}

impl WorkingCalendar {
    pub fn new(offset: FixedOffset, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            offset,
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset).date_naive()
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The deadline for something that arrives at `at` and is allowed `days`
    /// working days: the end of the `days`-th working day after the day it
    /// arrived. The arrival day never counts, so a report sent at 16:55 is not
    /// a day behind already. Zero days means the end of the arrival day.
    pub fn deadline(&self, at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let mut day = self.local_date(at);
        let mut remaining = days;
        while remaining > 0 {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                remaining -= 1;
            }
        }
        let end_of_day = (day + Days::new(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_local_timezone(self.offset)
            .single()
            .expect("a fixed offset is never ambiguous");
        end_of_day.with_timezone(&Utc)
    }

    /// Whole working days elapsed from `from` to `to` (by local date).
    pub fn working_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
        let (mut day, end) = (self.local_date(from), self.local_date(to));
        let mut count = 0;
        while day < end {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

/// Working days allowed in each open status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAllowance {
    /// A received report must be screened and verified (or rejected).
    pub verify: u32,
    /// A verified or in-progress case must be acted on and resolved.
    pub act: u32,
    /// A resolved case waits this long for the citizen's "is it solved?" answer
    /// before the sweep closes it.
    pub confirm: u32,
}

impl Default for StatusAllowance {
    fn default() -> Self {
        Self {
            verify: 3,
            act: 5,
            confirm: 3,
        }
    }
}

/// Time allowed per status and tier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlaPolicy {
    pub calendar: WorkingCalendar,
    pub default: StatusAllowance,
    pub per_tier: HashMap<Tier, StatusAllowance>,
}

impl SlaPolicy {
    pub fn allowance(&self, level: &Level) -> StatusAllowance {
        level
            .tier()
            .and_then(|t| self.per_tier.get(&t).copied())
            .unwrap_or(self.default)
    }

    /// Working days a case may stay in `status` at `level`; `None` for states
    /// that wait on nobody.
    pub fn days_allowed(&self, status: Status, level: &Level) -> Option<u32> {
        let allowance = self.allowance(level);
        match status {
            Status::Received => Some(allowance.verify),
            Status::Verified | Status::InProgress => Some(allowance.act),
            Status::Resolved => Some(allowance.confirm),
            Status::Closed | Status::Rejected | Status::Withdrawn => None,
        }
    }

    /// When a case that entered `status` at `level` at time `since` is due.
    pub fn due(&self, status: Status, level: &Level, since: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.days_allowed(status, level)
            .map(|days| self.calendar.deadline(since, days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wib(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadline_counts_working_days_after_the_arrival_day() {
        let cal = WorkingCalendar::default();
        // Monday 2026-11-23 10:00 WIB + 3 working days: end of Thursday.
        assert_eq!(
            cal.deadline(wib("2026-11-23T10:00:00+07:00"), 3),
            wib("2026-11-27T00:00:00+07:00")
        );
        // Friday evening: Mon, Tue, Wed.
        assert_eq!(
            cal.deadline(wib("2026-11-27T19:30:00+07:00"), 3),
            wib("2026-12-03T00:00:00+07:00")
        );
        // Saturday counts like Friday: the weekend never counts.
        assert_eq!(
            cal.deadline(wib("2026-11-28T08:00:00+07:00"), 3),
            wib("2026-12-03T00:00:00+07:00")
        );
        assert_eq!(
            cal.deadline(wib("2026-11-23T10:00:00+07:00"), 0),
            wib("2026-11-24T00:00:00+07:00")
        );
    }

    #[test]
    fn the_local_day_decides_not_utc() {
        let cal = WorkingCalendar::default();
        // 2026-11-27 18:00 UTC is already Saturday 01:00 in Bukittinggi.
        let at = wib("2026-11-27T18:00:00Z");
        assert_eq!(cal.local_date(at), date("2026-11-28"));
        assert_eq!(cal.deadline(at, 1), wib("2026-12-01T00:00:00+07:00"));
    }

    #[test]
    fn holidays_are_skipped() {
        let cal = WorkingCalendar::new(
            FixedOffset::east_opt(WIB_OFFSET_SECONDS).unwrap(),
            [date("2026-12-25")],
        );
        // Wednesday 2026-12-23 + 3: Thu 24, (Fri 25 holiday), Mon 28, Tue 29.
        assert_eq!(
            cal.deadline(wib("2026-12-23T09:00:00+07:00"), 3),
            wib("2026-12-30T00:00:00+07:00")
        );
        assert!(!cal.is_working_day(date("2026-12-25")));
        assert!(!cal.is_working_day(date("2026-12-26")));
        assert!(cal.is_working_day(date("2026-12-24")));
        assert_eq!(
            cal.working_days_between(wib("2026-12-23T09:00:00+07:00"), wib("2026-12-29T09:00:00+07:00")),
            3
        );
    }

    #[test]
    fn policy_defaults_and_tier_overrides() {
        let mut policy = SlaPolicy::default();
        let kel = Level::Tier(Tier::Kelurahan);
        assert_eq!(policy.days_allowed(Status::Received, &kel), Some(3));
        assert_eq!(policy.days_allowed(Status::Verified, &kel), Some(5));
        assert_eq!(policy.days_allowed(Status::InProgress, &kel), Some(5));
        assert_eq!(policy.days_allowed(Status::Resolved, &kel), Some(3));
        for done in [Status::Closed, Status::Rejected, Status::Withdrawn] {
            assert_eq!(policy.days_allowed(done, &kel), None);
            assert_eq!(policy.due(done, &kel, Utc::now()), None);
        }
        policy.per_tier.insert(
            Tier::Kota,
            StatusAllowance {
                verify: 2,
                act: 10,
                confirm: 3,
            },
        );
        let kota = Level::Tier(Tier::Kota);
        assert_eq!(policy.days_allowed(Status::InProgress, &kota), Some(10));
        assert_eq!(
            policy.days_allowed(Status::InProgress, &Level::Agency("pupr".into())),
            Some(5)
        );
        assert_eq!(
            policy.due(Status::Received, &kota, wib("2026-11-23T10:00:00+07:00")),
            Some(wib("2026-11-26T00:00:00+07:00"))
        );
    }
}
