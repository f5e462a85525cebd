//! The public record: what anyone may know about the desk's cases, without
//! signing in. [`PublicCase::of`] is the only way a case becomes public, so
//! no other field of it can reach a public answer; [`Tally`] counts a
//! month's cases per area, with the working days to verify and to resolve
//! kept as histograms (bounded, and the median from them is exact).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::case::{Case, PublicLocation};
use super::citizen_text::mask_numbers;
use super::disposition::Closure;
use super::jurisdiction::JurisdictionPath;
use super::kind::CaseKind;
use super::ladder::Level;
use super::lifecycle::Status;
use super::sla::WorkingCalendar;
use super::ticket::Ticket;
use super::timeline::{EventBody, TimelineEvent};

/// Why a case that is no longer open stopped, as the public record counts
/// it: a closed case by how it ended ([`Closure`]: resolved, duplicate,
/// outside the city's authority, no further action; closed before closures
/// were recorded, it was resolved), or rejected, or withdrawn. `None` while
/// it is open. A new closing status or closure is one line here.
pub fn closed_reason(status: Status, closed_as: Option<&Closure>) -> Option<&'static str> {
    match status {
        Status::Closed => Some(closed_as.map_or(Closure::Resolved.as_str(), Closure::as_str)),
        Status::Rejected => Some("rejected"),
        Status::Withdrawn => Some("withdrawn"),
        Status::Received | Status::Verified | Status::InProgress | Status::Resolved => None,
    }
}

/// Every reason [`closed_reason`] gives, in the order the record lists them.
const CLOSED_REASONS: [&str; 6] = [
    Closure::NAMES[0],
    Closure::NAMES[1],
    Closure::NAMES[2],
    Closure::NAMES[3],
    "rejected",
    "withdrawn",
];

/// Whether the public record calls the case resolved: an official resolved
/// it (it may since have been confirmed and closed, or reopened and
/// resolved again).
pub fn is_resolved(case: &Case) -> bool {
    case.resolved_at.is_some() && matches!(case.status, Status::Resolved | Status::Closed)
}

/// Fills in the first-verified and first-resolved times a case lacks (it
/// was worked before they were kept) from its timeline: the first change of
/// status to each, as [`Case::transition`] records them now. Whether
/// anything changed; a time the case has is never replaced.
pub fn backfill_first_times(case: &mut Case, timeline: &[TimelineEvent]) -> bool {
    let first_to = |status: Status| {
        timeline
            .iter()
            .filter(|e| matches!(e.body, EventBody::StatusChanged { to, .. } if to == status))
            .map(|e| e.at)
            .min()
    };
    let before = (case.verified_at, case.resolved_at);
    case.verified_at = case.verified_at.or_else(|| first_to(Status::Verified));
    case.resolved_at = case.resolved_at.or_else(|| first_to(Status::Resolved));
    (case.verified_at, case.resolved_at) != before
}

/// A case as the public may see it: no description, reporter, channel,
/// files or timeline; the official's summary with long numbers masked; the
/// location and one photo only when an official made them public.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCase {
    pub ticket: Ticket,
    pub kind: CaseKind,
    pub category: Option<String>,
    pub status: Status,
    /// The kelurahan, or the case's home while it is not known.
    pub area: JurisdictionPath,
    /// Who has the case now: a tier of the ladder or an agency.
    pub level: Level,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The SLA deadline of a case being worked on (verified or in progress).
    pub expected_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub location: Option<PublicLocation>,
    /// An official made one of its photos public (served by its own route).
    pub has_photo: bool,
}

impl PublicCase {
    pub fn of(case: &Case) -> Self {
        let area = match case.jurisdiction.as_ref() {
            // Deeper than a kelurahan (an RW, an RT) names too small a place.
            Some(path) => path.ancestor_at(3).unwrap_or_else(|| path.clone()),
            None => case.home.clone(),
        };
        Self {
            ticket: case.ticket.clone(),
            kind: case.kind,
            category: case.category.clone(),
            status: case.status,
            area,
            level: case.level.clone(),
            created_at: case.created_at,
            updated_at: case.updated_at,
            resolved_at: case.resolved_at,
            expected_at: case
                .due_at
                .filter(|_| matches!(case.status, Status::Verified | Status::InProgress)),
            summary: case
                .public_summary
                .as_deref()
                .map(|s| mask_numbers(s).into_owned()),
            location: case.public_location,
            has_photo: case.public_photo.is_some(),
        }
    }
}

/// Counts of one area's cases received in a month, by where they are now.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Every case received.
    pub received: u64,
    /// The open ones by status (`received`, `verified`, `in_progress`,
    /// `resolved`: waiting for the citizen's confirmation).
    pub open: BTreeMap<&'static str, u64>,
    /// The others by [`closed_reason`].
    pub closed: BTreeMap<&'static str, u64>,
    /// Cases resolved at least once, now resolved or closed.
    pub resolved: u64,
    /// Cases by whole working days from received to first verified.
    pub days_to_verify: BTreeMap<u32, u64>,
    /// Cases by whole working days from received to first resolved.
    pub days_to_resolve: BTreeMap<u32, u64>,
}

impl Default for Tally {
    /// Every key present, at zero, so that a reader never guesses.
    fn default() -> Self {
        let mut tally = Self {
            received: 0,
            open: BTreeMap::new(),
            closed: BTreeMap::new(),
            resolved: 0,
            days_to_verify: BTreeMap::new(),
            days_to_resolve: BTreeMap::new(),
        };
        for status in Status::ALL {
            if closed_reason(status, None).is_none() {
                tally.open.insert(status.as_str(), 0);
            }
        }
        for reason in CLOSED_REASONS {
            tally.closed.insert(reason, 0);
        }
        tally
    }
}

impl Tally {
    pub fn add(&mut self, case: &Case, calendar: &WorkingCalendar) {
        self.received += 1;
        let slot = match closed_reason(case.status, case.closed_as.as_ref()) {
            Some(reason) => self.closed.entry(reason),
            None => self.open.entry(case.status.as_str()),
        };
        *slot.or_default() += 1;
        if is_resolved(case) {
            self.resolved += 1;
        }
        if let Some(at) = case.verified_at {
            *self
                .days_to_verify
                .entry(calendar.working_days_between(case.created_at, at))
                .or_default() += 1;
        }
        if let Some(at) = case.resolved_at {
            *self
                .days_to_resolve
                .entry(calendar.working_days_between(case.created_at, at))
                .or_default() += 1;
        }
    }
}

/// The median of a histogram of whole days: exact (the mean of the two
/// middle values for an even count).
pub fn median_days(histogram: &BTreeMap<u32, u64>) -> Option<f64> {
    let n: u64 = histogram.values().sum();
    if n == 0 {
        return None;
    }
    // The values at 0-based ranks (n-1)/2 and n/2.
    let value_at = |rank: u64| {
        let mut seen = 0;
        for (&days, &count) in histogram {
            seen += count;
            if rank < seen {
                return f64::from(days);
            }
        }
        unreachable!("rank below the total")
    };
    Some((value_at((n - 1) / 2) + value_at(n / 2)) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Transition;
    use crate::domain::sla::SlaPolicy;
    use crate::domain::timeline::Actor;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn medians_of_histograms_are_exact() {
        let h = |pairs: &[(u32, u64)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(median_days(&h(&[])), None);
        assert_eq!(median_days(&h(&[(3, 1)])), Some(3.0));
        assert_eq!(median_days(&h(&[(1, 2), (5, 1)])), Some(1.0));
        assert_eq!(median_days(&h(&[(1, 1), (4, 1)])), Some(2.5));
        assert_eq!(median_days(&h(&[(0, 2), (2, 1), (9, 1)])), Some(1.0));
    }

    #[test]
    fn a_case_is_counted_by_where_it_is_now_with_its_working_days() {
        let sla = SlaPolicy::default();
        // Monday; verified Tuesday, resolved the next Monday: 1 and 5 working days.
        let (mut case, _) = Case::open(
            sample_new_case(1),
            &Ladder::default(),
            &sla,
            at("2026-11-23T10:00:00+07:00"),
        );
        let official = Actor::System;
        for (t, when) in [
            (Transition::Verify, "2026-11-24T09:00:00+07:00"),
            (Transition::Start, "2026-11-25T09:00:00+07:00"),
            (Transition::Resolve, "2026-11-30T09:00:00+07:00"),
            (Transition::Reopen, "2026-12-01T09:00:00+07:00"),
            (Transition::Resolve, "2026-12-03T09:00:00+07:00"),
        ] {
            case.transition(t, official.clone(), None, &sla, at(when))
                .unwrap();
        }
        let mut tally = Tally::default();
        tally.add(&case, &sla.calendar);
        assert_eq!(tally.received, 1);
        assert_eq!(tally.open["resolved"], 1);
        assert_eq!(tally.open["received"], 0);
        assert_eq!(tally.closed["rejected"], 0);
        assert_eq!(tally.resolved, 1);
        assert_eq!(tally.days_to_verify, BTreeMap::from([(1, 1)]));
        // The first resolution counts, not the one after reopening.
        assert_eq!(tally.days_to_resolve, BTreeMap::from([(5, 1)]));
    }

    #[test]
    fn closed_cases_are_counted_by_how_they_ended() {
        let sla = SlaPolicy::default();
        let mut tally = Tally::default();
        let closures = [
            Some(Closure::Resolved),
            Some(Closure::Duplicate {
                of: Ticket::parse("ADU-0001").unwrap(),
            }),
            Some(Closure::OutsideAuthority { to: "BPN".into() }),
            Some(Closure::NoFurtherAction),
            None,
        ];
        for (n, closed_as) in closures.into_iter().enumerate() {
            let (mut case, _) = Case::open(
                sample_new_case(n as u64 + 3),
                &Ladder::default(),
                &sla,
                Utc::now(),
            );
            case.status = Status::Closed;
            case.closed_as = closed_as;
            tally.add(&case, &sla.calendar);
        }
        let closed: Vec<(&str, u64)> = tally.closed.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(
            closed,
            [
                ("duplicate", 1),
                ("no_further_action", 1),
                ("outside_authority", 1),
                ("rejected", 0),
                ("resolved", 2),
                ("withdrawn", 0)
            ],
            "one closed before closures were recorded counts as resolved"
        );
    }

    #[test]
    fn the_public_case_masks_the_summary_and_keeps_no_citizen_field() {
        let sla = SlaPolicy::default();
        let mut new = sample_new_case(2);
        new.description = "Rumah saya 081234567890".into();
        let (mut case, _) = Case::open(new, &Ladder::default(), &sla, Utc::now());
        case.public_summary = Some("Lampu diganti; hubungi 0752 21234567".into());
        let public = PublicCase::of(&case);
        assert_eq!(
            public.summary.as_deref(),
            Some("Lampu diganti; hubungi [nomor disembunyikan]")
        );
        assert_eq!(public.location, None);
        assert_eq!(
            public.area.as_str(),
            "bukittinggi/mandiangin-koto-selayan/garegeh"
        );
        assert_eq!(public.expected_at, None, "not being worked on yet");
    }

    #[test]
    fn first_times_come_from_the_timeline_where_the_case_lacks_them() {
        let sla = SlaPolicy::default();
        let t0 = at("2026-03-02T02:00:00Z");
        let hour = chrono::Duration::hours(1);
        let (mut case, opened) = Case::open(sample_new_case(1), &Ladder::default(), &sla, t0);
        let mut timeline = vec![opened];
        for (n, transition) in [
            Transition::Verify,
            Transition::Start,
            Transition::Resolve,
            Transition::Reopen,
            Transition::Resolve,
        ]
        .into_iter()
        .enumerate()
        {
            let when = t0 + hour * (n as i32 + 1);
            timeline.push(
                case.transition(transition, Actor::System, None, &sla, when)
                    .unwrap(),
            );
        }
        let (verified, resolved) = (case.verified_at, case.resolved_at);
        assert_eq!((verified, resolved), (Some(t0 + hour), Some(t0 + hour * 3)));
        // As a case worked before the times were kept reads.
        case.verified_at = None;
        case.resolved_at = None;
        assert!(backfill_first_times(&mut case, &timeline));
        assert_eq!((case.verified_at, case.resolved_at), (verified, resolved));
        assert!(
            !backfill_first_times(&mut case, &timeline),
            "nothing more to fill"
        );
        // A time the case has stays; one never reached stays empty.
        let (mut rejected, opened) = Case::open(sample_new_case(2), &Ladder::default(), &sla, t0);
        let reject = rejected
            .transition(Transition::Reject, Actor::System, None, &sla, t0 + hour)
            .unwrap();
        assert!(!backfill_first_times(&mut rejected, &[opened, reject]));
        assert_eq!((rejected.verified_at, rejected.resolved_at), (None, None));
        case.verified_at = Some(t0);
        case.resolved_at = None;
        assert!(backfill_first_times(&mut case, &timeline));
        assert_eq!(case.verified_at, Some(t0));
    }
}
