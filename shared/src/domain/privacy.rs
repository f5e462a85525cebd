//! What a citizen is told about their data (UU 27/2022), and how long it
//! is kept: the settings.

use chrono::{DateTime, Duration, Utc};

use super::case::Case;

/// The privacy settings a city makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privacy {
    /// How to reach the city's data protection officer, as `PRIVASI` says it.
    pub dpo_contact: String,
    /// How long a reporter's contact is kept once none of their cases is
    /// open (`CONTACT_RETENTION_DAYS`).
    pub contact_retention: Retention,
    /// How long a closed case's files are kept (`MEDIA_RETENTION_DAYS_AFTER_CLOSE`).
    pub media_retention: Retention,
}

/// Said in `PRIVASI` when `DPO_CONTACT` is not set.
pub const DEFAULT_DPO_CONTACT: &str = "Dinas Komunikasi dan Informatika, melalui kantor pemerintah kota";

/// A retention period in whole days, at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(u16);

impl Retention {
    /// A year: a closed case may still be reopened, objected to or
    /// complained about to the authority, and the citizen reached about it;
    /// later the contact serves nothing the desk does.
    pub const DEFAULT_DAYS: u16 = 365;

    /// At least a day: none at all would delete the contact a citizen is
    /// being answered on.
    pub fn days(days: u16) -> Option<Self> {
        (days >= 1).then_some(Self(days))
    }

    pub fn as_days(self) -> u16 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Duration::days(self.0.into())
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self(Self::DEFAULT_DAYS)
    }
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            dpo_contact: DEFAULT_DPO_CONTACT.to_owned(),
            contact_retention: Retention::default(),
            media_retention: Retention::default(),
        }
    }
}

impl Case {
    /// Whether its files are to be deleted at `now`: closed at least
    /// `retention` ago, not marked as needed by an official, not deleted
    /// yet. Never while it is open.
    pub fn files_due(&self, retention: Retention, now: DateTime<Utc>) -> bool {
        self.files_kept_since()
            .is_some_and(|closed| closed + retention.duration() <= now)
    }

    /// When it closed, while its files are kept and are to go once their
    /// retention is over: closed, not marked as needed, not deleted yet. A
    /// case closed before close times were kept counts from its last
    /// update.
    pub fn files_kept_since(&self) -> Option<DateTime<Utc>> {
        let kept = !self.status.is_open() && !self.keep_files && self.files_deleted_at.is_none();
        kept.then_some(self.closed_at.unwrap_or(self.updated_at))
    }

    /// Its files were deleted at `now`: a public photo with them.
    pub fn files_deleted(&mut self, now: DateTime<Utc>) {
        self.files_deleted_at = Some(now);
        self.public_photo = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Transition;
    use crate::domain::sla::SlaPolicy;
    use crate::domain::timeline::Actor;

    #[test]
    fn files_are_due_a_retention_after_the_close_and_never_while_open() {
        let sla = SlaPolicy::default();
        let t0 = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let (mut case, _) = Case::open(sample_new_case(1), &Ladder::default(), &sla, t0);
        let retention = Retention::days(30).unwrap();
        let day = Duration::days(1);
        assert!(!case.files_due(retention, t0 + day * 400), "open");
        case.transition(Transition::Reject, Actor::System, None, &sla, t0 + day)
            .unwrap();
        assert_eq!(case.closed_at, Some(t0 + day));
        assert!(!case.files_due(retention, t0 + day * 30));
        assert!(case.files_due(retention, t0 + day * 31));
        case.keep_files = true;
        assert!(!case.files_due(retention, t0 + day * 31), "kept by an official");
        case.keep_files = false;
        case.public_photo = Some(crate::domain::public_photo::PublicPhoto {
            media_id: "ME1".into(),
            key: "cases/ADU-1/01JD-ME1".into(),
            mime_type: "image/jpeg".into(),
        });
        case.files_deleted(t0 + day * 31);
        assert!(!case.files_due(retention, t0 + day * 32), "deleted already");
        assert_eq!(case.public_photo, None, "its file is gone");
    }

    #[test]
    fn a_reopened_case_counts_again_from_its_next_close() {
        let sla = SlaPolicy::default();
        let t0 = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let day = Duration::days(1);
        let (mut case, _) = Case::open(sample_new_case(1), &Ladder::default(), &sla, t0);
        for transition in [Transition::Verify, Transition::Start, Transition::Resolve] {
            case.transition(transition, Actor::System, None, &sla, t0)
                .unwrap();
        }
        case.transition(Transition::Close, Actor::System, None, &sla, t0 + day)
            .unwrap();
        case.files_deleted(t0 + day * 400);
        case.transition(Transition::Reopen, Actor::System, None, &sla, t0 + day * 401)
            .unwrap();
        assert_eq!((case.closed_at, case.files_deleted_at), (None, None));
        case.transition(Transition::Resolve, Actor::System, None, &sla, t0 + day * 402)
            .unwrap();
        case.transition(Transition::Close, Actor::System, None, &sla, t0 + day * 403)
            .unwrap();
        assert_eq!(case.closed_at, Some(t0 + day * 403));
    }

    #[test]
    fn a_retention_is_at_least_a_day() {
        assert_eq!(Retention::days(0), None);
        assert_eq!(Retention::days(30).unwrap().duration(), Duration::days(30));
        assert_eq!(Retention::default().as_days(), 365);
    }
}
