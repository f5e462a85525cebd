//! Merging duplicates: one problem, one case. The merged case closes as a
//! duplicate of its target and remembers what it was, so that the merge can
//! be undone for a day; the target keeps the (capped) list of the cases
//! merged into it, so that its notices reach their reporters too.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, CaseId};
use super::disposition::Closure;
use super::jurisdiction::JurisdictionPath;
use super::lifecycle::Status;
use super::sla::SlaPolicy;
use super::ticket::Ticket;
use super::timeline::{Actor, EventBody, TimelineEvent};

/// How many cases one case takes in: each of their reporters is one more
/// reporter's record read, and one more message written, with every notice
/// of the target (and a transaction holds at most 100 items).
pub const MAX_MERGED: usize = 20;

/// How long a merge can be undone.
pub const UNDO_WITHIN: Duration = Duration::hours(24);

/// On a merged case: the case it follows, and what it was before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedInto {
    pub case: CaseId,
    pub ticket: Ticket,
    pub at: DateTime<Utc>,
    /// The status an undo restores.
    pub status: Status,
    /// The RW or RT it was with, which an undo restores too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_down_to: Option<JurisdictionPath>,
}

impl MergedInto {
    /// Until when the merge may be undone.
    pub fn undo_until(&self) -> DateTime<Utc> {
        self.at + UNDO_WITHIN
    }
}

/// On a target: a case merged into it, whose reporter follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedCase {
    pub case: CaseId,
    pub ticket: Ticket,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("a case cannot be merged into itself")]
    IntoItself,
    #[error("{0} is merged into {1} already")]
    AlreadyMerged(Ticket, Ticket),
    #[error("{0} is {1}: only a received, verified or in-progress case is merged")]
    NotOpen(Ticket, Status),
    #[error("{0} is {1}: a case is merged only into an open case")]
    TargetClosed(Ticket, Status),
    #[error("{0} is itself merged into {1}: merge into {1} instead")]
    TargetMerged(Ticket, Ticket),
    #[error("{0} has cases merged into it: undo those merges first, or merge them into the other case")]
    HasMerged(Ticket),
    #[error("{0} has {MAX_MERGED} cases merged into it already")]
    TargetFull(Ticket),
    #[error("{0} is not merged into another case")]
    NotMerged(Ticket),
    #[error("{0} was merged at {1}: a merge is undone within 24 hours only")]
    TooLate(Ticket, DateTime<Utc>),
}

impl Case {
    /// Closes this case as a duplicate of `target`, which takes it in: the
    /// event for each timeline (this one's first).
    pub fn merge_into(
        &mut self,
        target: &mut Case,
        actor: Actor,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<(TimelineEvent, TimelineEvent), MergeError> {
        if self.id == target.id {
            return Err(MergeError::IntoItself);
        }
        if let Some(into) = &self.merged_into {
            return Err(MergeError::AlreadyMerged(
                self.ticket.clone(),
                into.ticket.clone(),
            ));
        }
        if let Some(into) = &target.merged_into {
            return Err(MergeError::TargetMerged(
                target.ticket.clone(),
                into.ticket.clone(),
            ));
        }
        if !target.status.is_open() {
            return Err(MergeError::TargetClosed(target.ticket.clone(), target.status));
        }
        if !self.merged.is_empty() {
            return Err(MergeError::HasMerged(self.ticket.clone()));
        }
        if target.merged.len() >= MAX_MERGED {
            return Err(MergeError::TargetFull(target.ticket.clone()));
        }
        let before = MergedInto {
            case: target.id.clone(),
            ticket: target.ticket.clone(),
            at: now,
            status: self.status,
            handed_down_to: self.handed_down_to.clone(),
        };
        let closed = self
            .close_as_duplicate(&target.ticket, actor.clone(), sla, now)
            .map_err(|illegal| MergeError::NotOpen(self.ticket.clone(), illegal.from))?;
        self.merged_into = Some(before);
        target.merged.push(MergedCase {
            case: self.id.clone(),
            ticket: self.ticket.clone(),
        });
        target.updated_at = now;
        let taken_in = TimelineEvent::new(
            now,
            actor,
            EventBody::MergedIn {
                from: self.ticket.clone(),
            },
        );
        Ok((closed, taken_in))
    }

    /// Undoes this case's merge into `target` within [`UNDO_WITHIN`]: back
    /// at the status it had, on its own again. The event for each timeline.
    pub fn unmerge_from(
        &mut self,
        target: &mut Case,
        actor: Actor,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<(TimelineEvent, TimelineEvent), MergeError> {
        let Some(into) = self.merged_into.clone().filter(|into| into.case == target.id) else {
            return Err(MergeError::NotMerged(self.ticket.clone()));
        };
        if now >= into.undo_until() {
            return Err(MergeError::TooLate(self.ticket.clone(), into.at));
        }
        self.status = into.status;
        self.handed_down_to = into.handed_down_to;
        self.closed_as = None::<Closure>;
        self.merged_into = None;
        self.restart_clock(sla, now);
        target.merged.retain(|m| m.case != self.id);
        target.updated_at = now;
        let body = EventBody::Unmerged {
            from: self.ticket.clone(),
            into: target.ticket.clone(),
            status: self.status,
        };
        Ok((
            TimelineEvent::new(now, actor.clone(), body.clone()),
            TimelineEvent::new(now, actor, body),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::{official, sample_new_case};
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Transition;

    fn case(n: u64, now: DateTime<Utc>) -> Case {
        Case::open(sample_new_case(n), &Ladder::default(), &SlaPolicy::default(), now).0
    }

    #[test]
    fn a_merge_closes_as_duplicate_and_an_undo_restores_it_within_a_day() {
        let sla = SlaPolicy::default();
        let now = Utc::now();
        let (mut dup, mut target) = (case(5, now), case(3, now));
        dup.transition(Transition::Verify, official(), None, &sla, now)
            .unwrap();
        let (closed, taken) = dup.merge_into(&mut target, official(), &sla, now).unwrap();
        assert_eq!(dup.status, Status::Closed);
        assert_eq!(
            dup.closed_as,
            Some(Closure::Duplicate {
                of: target.ticket.clone()
            })
        );
        assert!(matches!(closed.body, EventBody::Closed { .. }));
        assert_eq!(
            taken.body,
            EventBody::MergedIn {
                from: dup.ticket.clone()
            }
        );
        assert_eq!(target.merged.len(), 1);

        let late = now + UNDO_WITHIN;
        let err = dup.unmerge_from(&mut target, official(), &sla, late).unwrap_err();
        assert_eq!(err, MergeError::TooLate(dup.ticket.clone(), now));
        let soon = now + Duration::hours(23);
        dup.unmerge_from(&mut target, official(), &sla, soon).unwrap();
        assert_eq!((dup.status, dup.closed_as.clone()), (Status::Verified, None));
        assert!(dup.due_at.is_some(), "its clock runs again");
        assert!(target.merged.is_empty() && dup.merged_into.is_none());
        assert_eq!(
            dup.unmerge_from(&mut target, official(), &sla, soon).unwrap_err(),
            MergeError::NotMerged(dup.ticket.clone())
        );
    }

    #[test]
    fn refused_into_itself_a_closed_case_a_merged_case_or_a_full_one() {
        let sla = SlaPolicy::default();
        let now = Utc::now();
        let (mut a, mut b, mut c) = (case(1, now), case(2, now), case(3, now));
        let mut same = a.clone();
        assert_eq!(
            a.merge_into(&mut same, official(), &sla, now).unwrap_err(),
            MergeError::IntoItself
        );
        a.merge_into(&mut b, official(), &sla, now).unwrap();
        assert_eq!(
            c.merge_into(&mut a, official(), &sla, now).unwrap_err(),
            MergeError::TargetMerged(a.ticket.clone(), b.ticket.clone())
        );
        assert_eq!(
            a.merge_into(&mut c, official(), &sla, now).unwrap_err(),
            MergeError::AlreadyMerged(a.ticket.clone(), b.ticket.clone())
        );
        assert!(matches!(
            b.merge_into(&mut c, official(), &sla, now).unwrap_err(),
            MergeError::HasMerged(_)
        ));
        let mut closed = case(4, now);
        closed
            .transition(Transition::Reject, official(), None, &sla, now)
            .unwrap();
        assert_eq!(
            c.merge_into(&mut closed, official(), &sla, now).unwrap_err(),
            MergeError::TargetClosed(closed.ticket.clone(), Status::Rejected)
        );
        assert!(matches!(
            closed.merge_into(&mut c, official(), &sla, now).unwrap_err(),
            MergeError::NotOpen(_, Status::Rejected)
        ));
        for n in 0..MAX_MERGED as u64 {
            c.merged.push(MergedCase {
                case: CaseId::new(now),
                ticket: Ticket::parse(&format!("ADU-{}", 100 + n)).unwrap(),
            });
        }
        let mut d = case(9, now);
        assert_eq!(
            d.merge_into(&mut c, official(), &sla, now).unwrap_err(),
            MergeError::TargetFull(c.ticket.clone())
        );
        assert_eq!(d.status, Status::Received, "a refused merge changes nothing");
    }
}
