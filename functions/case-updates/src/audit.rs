//! The audit of officials' reads and acts (UU 27/2022, "who saw my
//! report"): the routes that show a case, a file or a queue page, or act on
//! a case, record who, when and what through here, never the content.
//!
//! A read's entry is written after the read (it names what was served: the
//! case seen, the tickets listed) and before the answer; if it cannot be
//! written the read is refused with 503, since a read nobody could later
//! account for must not be served, and the official can simply retry. An
//! act's entry goes into the act's own transaction: both or neither.

use aduan_shared::domain::audit::{Access, Act, AuditEntry, Auditor, QueueFilter};
use aduan_shared::domain::case::Case;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::store::{QueueQuery, QueueScope};
use chrono::{DateTime, Utc};

use crate::auth::Official;
use crate::error::ApiError;
use crate::state::AppState;

fn auditor(official: &Official) -> Auditor {
    Auditor {
        sub: official.sub.clone(),
        scope: official.scope.clone(),
        role: official.role.as_str().to_owned(),
    }
}

/// Records a read of `case` (its detail, or one of its files): one PutItem.
pub async fn read_case(
    state: &AppState,
    official: &Official,
    case: &Case,
    what: Access,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let entry = AuditEntry::of_case(auditor(official), what, case, state.audit_retention, now);
    Ok(state.store.record_read(&entry).await?)
}

/// Records a queue page read with `query` that listed `listed`: one
/// PutItem for the page, under the official.
pub async fn read_queue(
    state: &AppState,
    official: &Official,
    query: &QueueQuery,
    listed: Vec<Ticket>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (QueueScope::Area(jurisdiction) | QueueScope::Agency(jurisdiction)) = &query.scope;
    let filter = QueueFilter {
        jurisdiction: jurisdiction.clone(),
        statuses: query.statuses.clone(),
        kind: query.kind,
        level: query.level.clone(),
        since: query.since,
        until: query.until,
        limit: query.limit,
        later_page: query.cursor.is_some(),
    };
    let entry = AuditEntry::of_queue(auditor(official), filter, listed, state.audit_retention, now);
    Ok(state.store.record_read(&entry).await?)
}

/// The entry of an act on `case`, at the version it was read at, to be
/// saved with the act.
pub fn act(state: &AppState, official: &Official, case: &Case, act: Act, now: DateTime<Utc>) -> AuditEntry {
    let what = Access::Action {
        action: act,
        version: case.version,
    };
    AuditEntry::of_case(auditor(official), what, case, state.audit_retention, now)
}

/// The entry of an admin's act on no case (an official registered or
/// removed), to be saved with the act.
pub fn admin_act(state: &AppState, official: &Official, what: Access, now: DateTime<Utc>) -> AuditEntry {
    AuditEntry::of_admin(auditor(official), what, state.audit_retention, now)
}
