//! Counting for the reporter's limits ([`ReporterLimits`]). What the desk
//! counts lives on the reporter's record ([`Activity`]) and is written by the transaction the
//! message makes anyway, so counting costs no request; only a reporter at
//! the open-case limit has their latest cases read, to see which are still
//! open (officials close cases without touching the reporter's record).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::OpenCase;
use crate::domain::case::{Case, CaseId};
pub use crate::domain::limits::{Limit, ReporterLimits};

/// A message refused by a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub limit: Limit,
    pub allowed: u32,
    /// Answer the citizen: every refused report is answered, but of the
    /// messages over the minute's limit only the first (a flood gets one
    /// answer, not one per message).
    pub tell: bool,
    /// The case officials see the refusal on: the reporter's open case, or
    /// at the open-case limit the newest of the open ones just read.
    pub note_on: Option<OpenCase>,
}

/// What the desk counts of a reporter's recent messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The current minute: when it began and the messages counted in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minute_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "is_zero")]
    minute_count: u32,
    /// When each case they opened in the last 24 hours was opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    opened: Vec<DateTime<Utc>>,
    /// Cases they opened that were open when last seen, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    open_cases: Vec<OpenCase>,
    /// When a refusal was last put on a case for officials: at most one an
    /// hour, so the note cannot itself flood the timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    noted_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

const MINUTE: Duration = Duration::minutes(1);
const DAY: Duration = Duration::hours(24);
const NOTE_EVERY: Duration = Duration::hours(1);

/// Whether a new report may open a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    Allowed,
    Refused(Limit),
    /// As many cases may still be open as allowed: read the reporter's
    /// latest cases and [`Activity::recount`].
    Recount,
}

impl Activity {
    fn minute_is_current(&self, now: DateTime<Utc>) -> bool {
        self.minute_from
            .is_some_and(|from| from <= now && now - from < MINUTE)
    }

    /// The message over the minute's limit, if this one is; `first` is
    /// whether it is the first one over.
    pub fn over_rate(&self, limits: &ReporterLimits) -> Option<bool> {
        let allowed = limits.messages_per_minute;
        (allowed > 0 && self.minute_count >= allowed).then_some(self.minute_count == allowed)
    }

    /// Counts a message received at `now` (refused ones too: a flood stays
    /// over the limit until it pauses for a minute).
    pub fn count_message(&mut self, now: DateTime<Utc>) {
        if self.minute_is_current(now) {
            self.minute_count = self.minute_count.saturating_add(1);
        } else {
            self.minute_from = Some(now);
            self.minute_count = 1;
        }
    }

    /// The state as of `now`: a minute that has passed counts nothing.
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        if !self.minute_is_current(now) {
            self.minute_from = None;
            self.minute_count = 0;
        }
        self.opened.retain(|at| *at <= now && now - *at < DAY);
        self
    }

    pub fn opening(&self, limits: &ReporterLimits) -> Opening {
        let day = limits.new_cases_per_day;
        if day > 0 && self.opened.len() >= day as usize {
            return Opening::Refused(Limit::NewCasesPerDay);
        }
        let open = limits.open_cases;
        if open > 0 && self.open_cases.len() >= open as usize {
            return Opening::Recount;
        }
        Opening::Allowed
    }

    /// Replaces what is known of open cases by the reporter's latest cases
    /// (newest first) as just read, and says whether they are at the limit.
    pub fn recount(&mut self, latest: &[Case], limits: &ReporterLimits) -> Opening {
        self.open_cases = latest
            .iter()
            .filter(|case| case.status.is_open())
            .map(|case| OpenCase {
                id: case.id.clone(),
                ticket: case.ticket.clone(),
            })
            .collect();
        let open = limits.open_cases;
        if open > 0 && self.open_cases.len() >= open as usize {
            Opening::Refused(Limit::OpenCases)
        } else {
            Opening::Allowed
        }
    }

    pub fn opened(&mut self, case: OpenCase, now: DateTime<Utc>) {
        self.opened.push(now);
        self.open_cases.insert(0, case);
    }

    /// Counts another record's activity as this one's (the same person's
    /// two records merged): its openings and open cases, and the later of
    /// the two notes; the current minute stays this record's.
    pub fn absorb(&mut self, other: &Activity) {
        self.opened.extend(other.opened.iter().copied());
        self.opened.sort();
        for case in &other.open_cases {
            if !self.open_cases.iter().any(|c| c.id == case.id) {
                self.open_cases.push(case.clone());
            }
        }
        self.noted_at = self.noted_at.max(other.noted_at);
    }

    /// A case of theirs closed: by the citizen (closed or withdrawn), an
    /// official or the sweep.
    pub fn closed(&mut self, id: &CaseId) {
        self.open_cases.retain(|case| &case.id != id);
    }

    /// A closed case of theirs open again (newest first, as if opened now).
    pub fn reopened(&mut self, case: OpenCase) {
        if !self.open_cases.iter().any(|c| c.id == case.id) {
            self.open_cases.insert(0, case);
        }
    }

    /// Whether a case of theirs was open when last seen: their contact is
    /// kept without an end while one is.
    pub fn has_open_cases(&self) -> bool {
        !self.open_cases.is_empty()
    }

    /// The refusal of a message, or of a new report, by these limits.
    pub fn refusal(
        &self,
        limit: Limit,
        limits: &ReporterLimits,
        open_case: Option<&OpenCase>,
        now: DateTime<Utc>,
    ) -> Refusal {
        let tell = match limit {
            Limit::MessagesPerMinute => self.over_rate(limits).unwrap_or(true),
            Limit::NewCasesPerDay | Limit::OpenCases => true,
        };
        let may_note = self.noted_at.is_none_or(|at| at > now || now - at >= NOTE_EVERY);
        let note_on = match limit {
            _ if !may_note => None,
            Limit::OpenCases => self.open_cases.first().or(open_case).cloned(),
            Limit::MessagesPerMinute | Limit::NewCasesPerDay => open_case.cloned(),
        };
        Refusal {
            limit,
            allowed: limits.allowed(limit),
            tell,
            note_on,
        }
    }

    pub fn noted(&mut self, now: DateTime<Utc>) {
        self.noted_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Channel, NewCase, Provider};
    use crate::domain::jurisdiction::JurisdictionPath;
    use crate::domain::kind::CaseKind;
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Status;
    use crate::domain::reporter::ReporterId;
    use crate::domain::sla::SlaPolicy;
    use crate::domain::ticket::{Ticket, TicketPrefix};

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + seconds, 0).unwrap()
    }

    fn case(number: u64, status: Status) -> Case {
        let new = NewCase {
            ticket: Ticket::new(&TicketPrefix::default(), number).unwrap(),
            kind: CaseKind::Pengaduan,
            description: "jalan rusak".into(),
            jurisdiction: None,
            home: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").unwrap(),
            reporter: ReporterId::parse(&"a".repeat(64)).unwrap(),
            channel: Channel {
                provider: Provider::Meta,
                number_id: "1".into(),
            },
        };
        let (mut case, _) = Case::open(new, &Ladder::default(), &SlaPolicy::default(), t(0));
        case.status = status;
        case
    }

    fn open(case: &Case) -> OpenCase {
        OpenCase {
            id: case.id.clone(),
            ticket: case.ticket.clone(),
        }
    }

    const LIMITS: ReporterLimits = ReporterLimits {
        open_cases: 2,
        new_cases_per_day: 3,
        messages_per_minute: 3,
    };

    #[test]
    fn the_minutes_limit_refuses_from_the_next_message_and_answers_once() {
        let mut activity = Activity::default();
        for s in 0..3 {
            activity = activity.at(t(s));
            assert_eq!(activity.over_rate(&LIMITS), None, "message {s}");
            activity.count_message(t(s));
        }
        activity = activity.at(t(3));
        assert_eq!(
            activity.over_rate(&LIMITS),
            Some(true),
            "the fourth is the first over"
        );
        activity.count_message(t(3));
        activity = activity.at(t(4));
        assert_eq!(
            activity.over_rate(&LIMITS),
            Some(false),
            "the fifth: refused, not answered"
        );
        activity.count_message(t(4));
        // A minute after the first, the window starts again.
        activity = activity.at(t(60));
        assert_eq!(activity.over_rate(&LIMITS), None);
    }

    #[test]
    fn new_cases_count_over_24_hours() {
        let mut activity = Activity::default();
        for (n, s) in [0, 3600, 7200].into_iter().enumerate() {
            assert_eq!(activity.clone().at(t(s)).opening(&LIMITS), Opening::Allowed);
            let case = case(n as u64 + 1, Status::Received);
            activity.opened(open(&case), t(s));
            // Closed by the citizen: the day's count still holds it.
            activity.closed(&case.id);
        }
        assert_eq!(
            activity.clone().at(t(86_399)).opening(&LIMITS),
            Opening::Refused(Limit::NewCasesPerDay)
        );
        assert_eq!(activity.at(t(86_400)).opening(&LIMITS), Opening::Allowed);
    }

    #[test]
    fn open_cases_are_read_at_the_limit_and_closed_ones_no_longer_count() {
        let (a, b) = (case(1, Status::Received), case(2, Status::InProgress));
        let mut activity = Activity::default();
        activity.opened(open(&a), t(0));
        assert_eq!(activity.opening(&LIMITS), Opening::Allowed);
        activity.opened(open(&b), t(1));
        assert_eq!(activity.opening(&LIMITS), Opening::Recount);
        assert_eq!(
            activity.recount(&[b.clone(), a.clone()], &LIMITS),
            Opening::Refused(Limit::OpenCases)
        );
        // An official closed one since.
        let closed = case(1, Status::Closed);
        assert_eq!(activity.recount(&[b.clone(), closed], &LIMITS), Opening::Allowed);
        assert_eq!(activity.opening(&LIMITS), Opening::Allowed);
    }

    #[test]
    fn a_zero_turns_a_limit_off() {
        let off = ReporterLimits {
            open_cases: 0,
            new_cases_per_day: 0,
            messages_per_minute: 0,
        };
        let mut activity = Activity::default();
        for s in 0..50 {
            activity.count_message(t(s / 10));
            activity.opened(open(&case(s as u64 + 1, Status::Received)), t(s / 10));
        }
        assert_eq!(activity.over_rate(&off), None);
        assert_eq!(activity.opening(&off), Opening::Allowed);
    }

    #[test]
    fn a_refusal_is_noted_for_officials_at_most_once_an_hour() {
        let pointer = open(&case(7, Status::Received));
        let mut activity = Activity::default();
        let first = activity.refusal(Limit::NewCasesPerDay, &LIMITS, Some(&pointer), t(0));
        assert_eq!(first.note_on, Some(pointer.clone()));
        assert_eq!(first.allowed, 3);
        activity.noted(t(0));
        let again = activity.refusal(Limit::NewCasesPerDay, &LIMITS, Some(&pointer), t(3599));
        assert_eq!(again.note_on, None);
        assert!(again.tell, "a refused report is always answered");
        let later = activity.refusal(Limit::NewCasesPerDay, &LIMITS, Some(&pointer), t(3600));
        assert_eq!(later.note_on, Some(pointer));
    }

    #[test]
    fn old_records_without_activity_read_as_none_counted() {
        let activity: Activity = serde_json::from_str("{}").unwrap();
        assert_eq!(activity, Activity::default());
        assert_eq!(serde_json::to_string(&activity).unwrap(), "{}");
    }
}
