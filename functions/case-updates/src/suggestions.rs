//! Suggested duplicates of a case for its detail (`GET /cases/{ticket}`),
//! as the store reads them (`Store::suggested_duplicates`: one Query and,
//! when any case may be a duplicate, one BatchGetItem), with nothing of
//! their reporters.

use aduan_shared::domain::case::Case;
use aduan_shared::domain::citizen_text::{excerpt, mask_numbers};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::store::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::AppState;

/// Characters of a suggested case's text shown: enough to recognise it.
pub const SUGGESTION_TEXT_CHARS: usize = 160;

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
/// those the caller's `scope` covers. None for a case that is not open or
/// has no kelurahan yet.
pub async fn for_case(
    state: &AppState,
    scope: &JurisdictionPath,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<Vec<Suggestion>, StoreError> {
    let found = state
        .store
        .suggested_duplicates(case, scope, &state.duplicates, now)
        .await?;
    Ok(found
        .into_iter()
        .map(|found| {
            let other = &found.case;
            let masked = mask_numbers(&other.description);
            let cut = excerpt(&masked, SUGGESTION_TEXT_CHARS);
            Suggestion {
                ticket: other.ticket.to_string(),
                kind: other.kind,
                status: other.status,
                category: other.category.clone(),
                created_at: other.created_at,
                distance_meters: found.distance_meters.map(|d| d.round() as u32),
                score: (found.score * 100.0).round() / 100.0,
                description: cut.text.into_owned(),
                description_truncated: cut.truncated,
            }
        })
        .collect())
}
