//! The case lifecycle as an explicit state machine.
//!
//! ```text
//! received ──verify──▶ verified ──start──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
//!    │                                         ▲                        │
//!    └──reject──▶ rejected                     └────────reopen──────────┘
//! any open state ──withdraw (citizen)──▶ withdrawn
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Verified,
    InProgress,
    Resolved,
    Closed,
    Rejected,
    Withdrawn,
}

/// Something that moves a case from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Verify,
    Reject,
    Start,
    Resolve,
    Close,
    Reopen,
    Withdraw,
    /// An official answers a question: it is closed in one step, with no
    /// "is the problem solved?" (questions only: `Case::transition`).
    Answer,
    /// An official closes an open case that will not be resolved here: a
    /// duplicate, outside the city's authority, or no further action
    /// (`Case::close_as`, which records which).
    Dispose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {transition} a case that is {from}")]
pub struct IllegalTransition {
    pub from: Status,
    pub transition: Transition,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Received,
        Status::Verified,
        Status::InProgress,
        Status::Resolved,
        Status::Closed,
        Status::Rejected,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Verified => "verified",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    /// Open cases still need somebody: they sit in a queue and have a due time.
    /// A resolved case is open until the citizen confirms it (or the sweep closes it).
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Rejected | Status::Withdrawn)
    }

    pub fn apply(self, transition: Transition) -> Result<Status, IllegalTransition> {
        use Status::*;
        use Transition::*;
        let next = match (self, transition) {
            (Received, Verify) => Verified,
            (Received, Reject) => Rejected,
            (Verified, Start) => InProgress,
            (InProgress, Resolve) => Resolved,
            (Resolved, Close) => Closed,
            (Resolved, Reopen) => InProgress,
            // Closed too soon: the citizen says it is not solved (within the
            // city's window), or an official takes it up again.
            (Closed, Reopen) => InProgress,
            (Received | Verified | InProgress, Answer) => Closed,
            (Received | Verified | InProgress, Dispose) => Closed,
            (from, Withdraw) if from.is_open() => Withdrawn,
            (from, transition) => return Err(IllegalTransition { from, transition }),
        };
        Ok(next)
    }

    /// The transitions an official or the citizen could apply now.
    pub fn allowed(self) -> Vec<Transition> {
        Transition::ALL
            .into_iter()
            .filter(|t| self.apply(*t).is_ok())
            .collect()
    }
}

impl Transition {
    pub const ALL: [Transition; 9] = [
        Transition::Verify,
        Transition::Reject,
        Transition::Start,
        Transition::Resolve,
        Transition::Close,
        Transition::Reopen,
        Transition::Withdraw,
        Transition::Answer,
        Transition::Dispose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Verify => "verify",
            Transition::Reject => "reject",
            Transition::Start => "start",
            Transition::Resolve => "resolve",
            Transition::Close => "close",
            Transition::Reopen => "reopen",
            Transition::Withdraw => "withdraw",
            Transition::Answer => "answer",
            Transition::Dispose => "dispose",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::Transition::*;
    use super::*;

    /// Every legal move, written out once; everything else must be refused.
    const LEGAL: [(Status, Transition, Status); 17] = [
        (Received, Verify, Verified),
        (Received, Reject, Rejected),
        (Verified, Start, InProgress),
        (InProgress, Resolve, Resolved),
        (Resolved, Close, Closed),
        (Resolved, Reopen, InProgress),
        (Closed, Reopen, InProgress),
        (Received, Answer, Closed),
        (Verified, Answer, Closed),
        (InProgress, Answer, Closed),
        (Received, Dispose, Closed),
        (Verified, Dispose, Closed),
        (InProgress, Dispose, Closed),
        (Received, Withdraw, Withdrawn),
        (Verified, Withdraw, Withdrawn),
        (InProgress, Withdraw, Withdrawn),
        (Resolved, Withdraw, Withdrawn),
    ];

    #[test]
    fn every_pair_is_legal_exactly_when_listed() {
        for from in Status::ALL {
            for transition in Transition::ALL {
                let expected = LEGAL
                    .iter()
                    .find(|(f, t, _)| *f == from && *t == transition)
                    .map(|(_, _, to)| *to);
                match (from.apply(transition), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} {transition}"),
                    (Err(e), None) => assert_eq!(e, IllegalTransition { from, transition }),
                    (got, want) => panic!("{from} {transition}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn terminal_states_allow_nothing_but_reopening_a_closed_case() {
        for status in [Rejected, Withdrawn] {
            assert!(status.is_terminal());
            assert!(status.allowed().is_empty(), "{status}");
        }
        assert!(Closed.is_terminal());
        assert_eq!(Closed.allowed(), vec![Reopen]);
        assert_eq!(Resolved.allowed(), vec![Close, Reopen, Withdraw]);
    }

    #[test]
    fn names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        let err = Closed.apply(Verify).unwrap_err();
        assert_eq!(err.to_string(), "cannot verify a case that is closed");
    }
}
