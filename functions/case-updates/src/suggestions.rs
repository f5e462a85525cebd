//! Suggested duplicates of a case, for its detail (`GET /cases/{ticket}`)
//! and for whatever tells an officer of a new case: the open cases of its
//! kelurahan from the last 30 days that may report the same problem, best
//! first ([`aduan_shared::domain::duplicates`] has the rules).
//!
//! Reads: one Query of the kelurahan's queue partition (`by_kelurahan`,
//! newest first, `QueueSK` from 30 days ago, `Limit` [`CANDIDATES_READ`]),
//! then, when any case there may be a duplicate, one BatchGetItem of the
//! places shared on it and on them. A case without a kelurahan, or not
//! open, reads nothing.

use aduan_shared::config::{ConfigError, Env};
use aduan_shared::domain::case::Case;
use aduan_shared::domain::citizen_text::{excerpt, mask_numbers};
use aduan_shared::domain::duplicates::{self, Candidate, DuplicateRules};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::store::{QueueQuery, QueueScope, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::AppState;

/// How far apart (metres) two cases that both carry a shared location may
/// be and still be suggested as duplicates.
pub const DUPLICATE_DISTANCE_METERS: &str = "DUPLICATE_DISTANCE_METERS";

/// The kelurahan's newest cases read for candidates: with the case itself,
/// their places fit one BatchGetItem (100 keys).
pub const CANDIDATES_READ: usize = 99;

/// Characters of a suggested case's text shown: enough to recognise it.
pub const SUGGESTION_TEXT_CHARS: usize = 160;

/// The rules, with `DUPLICATE_DISTANCE_METERS` (default 150, at least 1).
pub fn rules(env: &Env) -> Result<DuplicateRules, ConfigError> {
    let meters: u32 = env.parse_optional(DUPLICATE_DISTANCE_METERS, duplicates::DEFAULT_DISTANCE_METERS)?;
    if meters == 0 {
        return Err(ConfigError::Invalid {
            name: DUPLICATE_DISTANCE_METERS.to_owned(),
            reason: "at least 1".to_owned(),
        });
    }
    Ok(DuplicateRules {
        max_distance_meters: f64::from(meters),
        ..DuplicateRules::default()
    })
}

/// A case that may report the same problem. Nothing of its reporter: the
/// citizen's text shows with long numbers masked, and cut.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub ticket: String,
    pub kind: CaseKind,
    pub status: Status,
    pub category: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Metres between the places shared on the two cases, when both have one.
    pub distance_meters: Option<u32>,
    /// How alike the two texts are: 0 (no word in common) to 1.
    pub score: f64,
    /// The citizen's text, long numbers masked, at most 160 characters.
    pub description: String,
    pub description_truncated: bool,
}

/// The cases that may duplicate `case`, best first (at most five), among
/// those `scope` covers (an official's scope: the detail passes the
/// caller's, a notice its officer's). None for a case that is not open or
/// has no kelurahan yet.
pub async fn for_case(
    state: &AppState,
    scope: &JurisdictionPath,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<Vec<Suggestion>, StoreError> {
    let Some(kelurahan) = duplicates::kelurahan_of(case).filter(|_| case.status.is_open()) else {
        return Ok(Vec::new());
    };
    let rules = &state.duplicates;
    let mut query = QueueQuery::new(QueueScope::Area(kelurahan));
    query.since = Some(now - rules.window);
    query.limit = CANDIDATES_READ;
    let read = state.store.queue(&query).await?.items;
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
    let places = state.store.shared_locations(&ids).await?;
    let candidates = possible.into_iter().map(|other| Candidate {
        case: other,
        location: places.get(&other.id).copied(),
    });
    let ranked = duplicates::rank(case, places.get(&case.id).copied(), candidates, scope, rules, now);
    Ok(ranked
        .into_iter()
        .map(|r| {
            let masked = mask_numbers(&r.case.description);
            let cut = excerpt(&masked, SUGGESTION_TEXT_CHARS);
            Suggestion {
                ticket: r.case.ticket.to_string(),
                kind: r.case.kind,
                status: r.case.status,
                category: r.case.category.clone(),
                created_at: r.case.created_at,
                distance_meters: r.distance_meters.map(|d| d.round() as u32),
                score: (r.score * 100.0).round() / 100.0,
                description: cut.text.into_owned(),
                description_truncated: cut.truncated,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_defaults_to_150_metres_and_refuses_zero() {
        assert_eq!(rules(&Env::default()).unwrap().max_distance_meters, 150.0);
        let wide = rules(&Env::from_pairs([(DUPLICATE_DISTANCE_METERS, "400")])).unwrap();
        assert_eq!(wide.max_distance_meters, 400.0);
        for bad in ["0", "-5", "near"] {
            let err = rules(&Env::from_pairs([(DUPLICATE_DISTANCE_METERS, bad)])).unwrap_err();
            assert!(
                err.to_string().contains(DUPLICATE_DISTANCE_METERS),
                "{bad}: {err}"
            );
        }
    }
}
