//! What responses show of a case: never the reporter's number (the reporter
//! appears as a pseudonym), nor internal ids.

use aduan_shared::conversation::replies::area_name;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Level;
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::timeline::TimelineEvent;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CaseView {
    pub ticket: String,
    pub kind: CaseKind,
    pub category: Option<String>,
    pub description: String,
    /// The kelurahan (or RW/RT) once known.
    pub jurisdiction: Option<JurisdictionPath>,
    /// Whose queue the case is in: the jurisdiction, else where it came in.
    pub area: JurisdictionPath,
    pub area_name: String,
    pub agency: Option<JurisdictionPath>,
    pub level: Level,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Send it back with an action: a stale version is refused.
    pub version: u64,
    /// The reporter's pseudonym (`P-3F9A2C81`): the same for all their cases.
    pub reporter: String,
    /// What an officer may do now.
    pub actions: Vec<&'static str>,
}

impl CaseView {
    pub fn new(case: &Case, tree: &Jurisdictions, now: DateTime<Utc>) -> Self {
        Self {
            ticket: case.ticket.to_string(),
            kind: case.kind,
            category: case.category.clone(),
            description: case.description.clone(),
            jurisdiction: case.jurisdiction.clone(),
            area: case.area().clone(),
            area_name: area_name(tree, case.area()),
            agency: case.agency.clone(),
            level: case.level.clone(),
            status: case.status,
            created_at: case.created_at,
            updated_at: case.updated_at,
            due_at: case.due_at,
            overdue: case.is_overdue(now),
            version: case.version,
            reporter: case.reporter.pseudonym(),
            actions: actions(case.status),
        }
    }
}

/// The officials' actions open to a case in `status` (withdrawing is the citizen's).
pub fn actions(status: Status) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = status
        .allowed()
        .into_iter()
        .filter(|t| *t != Transition::Withdraw)
        .map(Transition::as_str)
        .collect();
    if status.is_open() {
        out.extend(["reclassify", "escalate"]);
    }
    out.push("note");
    out
}

/// A case with its whole timeline, oldest first.
#[derive(Debug, Serialize)]
pub struct CaseDetail<'a> {
    pub case: CaseView,
    pub timeline: &'a [TimelineEvent],
}
