//! An official's correction of what a case is about or where it belongs:
//! its kind, its category, or its kelurahan. Not a lifecycle move: the
//! status stays, and so does the SLA clock.

use chrono::{DateTime, Utc};

use super::case::Case;
use super::jurisdiction::JurisdictionPath;
use super::kind::CaseKind;
use super::lifecycle::Status;
use super::timeline::{Actor, EventBody, TimelineEvent};

/// What to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reclassification {
    pub kind: Option<CaseKind>,
    pub category: Option<String>,
    /// A kelurahan (or a node below one): the case moves to its queue.
    pub jurisdiction: Option<JurisdictionPath>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReclassifyError {
    #[error("nothing to change: give a kind, a category or a kelurahan")]
    Nothing,
    #[error("a case that is {0} can no longer be reclassified")]
    NotOpen(Status),
}

impl Case {
    /// Applies the changes that differ from the case as it is, and records
    /// only those. Asking for nothing new is an error, so every event changes something.
    pub fn reclassify(
        &mut self,
        change: Reclassification,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, ReclassifyError> {
        if !self.status.is_open() {
            return Err(ReclassifyError::NotOpen(self.status));
        }
        let kind = change.kind.filter(|k| *k != self.kind);
        let category = change
            .category
            .filter(|c| self.category.as_deref() != Some(c.as_str()));
        let jurisdiction = change
            .jurisdiction
            .filter(|j| self.jurisdiction.as_ref() != Some(j));
        if kind.is_none() && category.is_none() && jurisdiction.is_none() {
            return Err(ReclassifyError::Nothing);
        }
        if let Some(kind) = kind {
            self.kind = kind;
        }
        if let Some(category) = &category {
            self.category = Some(category.clone());
        }
        if let Some(jurisdiction) = &jurisdiction {
            self.jurisdiction = Some(jurisdiction.clone());
        }
        self.updated_at = now;
        Ok(TimelineEvent::new(
            now,
            actor,
            EventBody::Reclassified {
                kind,
                category,
                jurisdiction,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Transition;
    use crate::domain::sla::SlaPolicy;

    fn official() -> Actor {
        Actor::Official {
            sub: "sub-1".into(),
            name: "Petugas".into(),
        }
    }

    #[test]
    fn records_only_what_changes_and_keeps_the_clock() {
        let now = Utc::now();
        let (mut case, _) = Case::open(sample_new_case(1), &Ladder::default(), &SlaPolicy::default(), now);
        let due = case.due_at;
        let moved = JurisdictionPath::parse("bukittinggi/guguk-panjang/kayu-kubu").unwrap();
        let event = case
            .reclassify(
                Reclassification {
                    kind: Some(case.kind),
                    category: Some("jalan".into()),
                    jurisdiction: Some(moved.clone()),
                },
                official(),
                now,
            )
            .unwrap();
        assert_eq!(
            event.body,
            EventBody::Reclassified {
                kind: None,
                category: Some("jalan".into()),
                jurisdiction: Some(moved.clone()),
            }
        );
        assert_eq!(case.area(), &moved);
        assert_eq!(case.category.as_deref(), Some("jalan"));
        assert_eq!(case.due_at, due);
        let again = Reclassification {
            category: Some("jalan".into()),
            ..Default::default()
        };
        assert_eq!(
            case.reclassify(again, official(), now),
            Err(ReclassifyError::Nothing)
        );
    }

    #[test]
    fn closed_cases_stay_as_they_were() {
        let now = Utc::now();
        let sla = SlaPolicy::default();
        let (mut case, _) = Case::open(sample_new_case(2), &Ladder::default(), &sla, now);
        case.transition(
            Transition::Reject,
            official(),
            Some("bukan wewenang".into()),
            &sla,
            now,
        )
        .unwrap();
        let change = Reclassification {
            kind: Some(CaseKind::Saran),
            ..Default::default()
        };
        assert_eq!(
            case.reclassify(change, official(), now),
            Err(ReclassifyError::NotOpen(Status::Rejected))
        );
        assert_eq!(case.kind, CaseKind::Pengaduan);
    }
}
