//! Suggested duplicates of a case, read for its detail and for the notice
//! that tells an officer of it: the open cases of its kelurahan from the
//! window that may report the same problem, best first
//! ([`crate::domain::duplicates`] has the rules).
//!
//! Reads: one Query of the kelurahan's queue partition (`by_kelurahan`,
//! newest first, `QueueSK` from the window's start, `Limit`
//! [`CANDIDATES_READ`]), then, when any case there may be a duplicate, one
//! BatchGetItem of the places shared on it and on them. A case without a
//! kelurahan, or not open, reads nothing.

use chrono::{DateTime, Utc};

use super::{QueueQuery, QueueScope, Store, StoreError};
use crate::domain::case::Case;
use crate::domain::duplicates::{self, Candidate, DuplicateRules};
use crate::domain::jurisdiction::JurisdictionPath;

/// The kelurahan's newest cases read for candidates: with the case itself,
/// their places fit one BatchGetItem (100 keys).
pub const CANDIDATES_READ: usize = 99;

/// A case that may report the same problem as another.
#[derive(Debug, Clone)]
pub struct SuggestedDuplicate {
    pub case: Case,
    /// How alike the two texts are: 0 (no word in common) to 1.
    pub score: f64,
    /// Metres between the places shared on the two cases, when both have one.
    pub distance_meters: Option<f64>,
}

impl Store {
    /// The cases that may duplicate `case`, best first (at most
    /// `rules.shown`), among those `scope` covers: the caller's scope for a
    /// detail, the case's holder for a notice. None for a case that is not
    /// open or has no kelurahan yet.
    pub async fn suggested_duplicates(
        &self,
        case: &Case,
        scope: &JurisdictionPath,
        rules: &DuplicateRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<SuggestedDuplicate>, StoreError> {
        let Some(kelurahan) = duplicates::kelurahan_of(case).filter(|_| case.status.is_open()) else {
            return Ok(Vec::new());
        };
        let mut query = QueueQuery::new(QueueScope::Area(kelurahan));
        query.since = Some(now - rules.window);
        query.limit = CANDIDATES_READ;
        let read = self.queue(&query).await?.items;
        let possible: Vec<&Case> = read
            .iter()
            .filter(|other| duplicates::may_duplicate(case, other, scope, rules, now))
            .collect();
        if possible.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<_> = std::iter::once(&case.id)
            .chain(possible.iter().map(|c| &c.id))
            .collect();
        let places = self.shared_locations(&ids).await?;
        let candidates = possible.into_iter().map(|other| Candidate {
            case: other,
            location: places.get(&other.id).copied(),
        });
        let ranked = duplicates::rank(case, places.get(&case.id).copied(), candidates, scope, rules, now);
        Ok(ranked
            .into_iter()
            .map(|r| SuggestedDuplicate {
                case: r.case.clone(),
                score: r.score,
                distance_meters: r.distance_meters,
            })
            .collect())
    }
}
