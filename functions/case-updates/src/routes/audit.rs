//! `GET /cases/{ticket}/audit`: who read a case or acted on it, newest
//! first, for an admin whose scope covers the case. Reading the trail is not
//! itself recorded: it shows officials' identifiers, not the report.

use aduan_shared::domain::audit::{Access, AuditEntry, Auditor};
use aduan_shared::domain::timeline::EventId;
use aduan_shared::store::AuditCursor;
use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use super::{ok, page_limit, visible_case};
use crate::auth::{Official, Role};
use crate::error::ApiError;
use crate::state::AppState;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;

#[derive(Serialize)]
struct Trail<'a> {
    ticket: String,
    entries: Vec<EntryView<'a>>,
    /// Pass back as `cursor` for older entries; absent on the last page.
    next_cursor: Option<&'a str>,
}

/// An entry as the API shows it (its case is the one asked for).
#[derive(Serialize)]
struct EntryView<'a> {
    id: &'a EventId,
    at: DateTime<Utc>,
    actor: &'a Auditor,
    what: &'a Access,
    kept_until: DateTime<Utc>,
}

impl<'a> EntryView<'a> {
    fn new(entry: &'a AuditEntry) -> Self {
        Self {
            id: &entry.id,
            at: entry.at,
            actor: &entry.actor,
            what: &entry.what,
            kept_until: entry.keep_until,
        }
    }
}

pub async fn trail(
    state: &AppState,
    official: &Official,
    ticket: &str,
    req: &Request,
) -> Result<Response<Body>, ApiError> {
    // Refused before the case is read: the answer is the same for any ticket.
    if official.role != Role::Admin {
        return Err(ApiError::AdminOnly {
            role: official.role.as_str(),
            what: "read the audit",
        });
    }
    let params = req.query_string_parameters();
    let get = |name: &str| params.first(name).map(str::trim).filter(|v| !v.is_empty());
    let before = get("cursor")
        .map(|raw| {
            AuditCursor::parse(raw).map_err(|_| ApiError::invalid("cursor", "not a cursor of this trail"))
        })
        .transpose()?;
    let limit = page_limit(get("limit"), DEFAULT_LIMIT, MAX_LIMIT)?;
    let case = visible_case(state, official, ticket).await?;
    let page = state.store.case_audit(&case.id, before.as_ref(), limit).await?;
    ok(&Trail {
        ticket: case.ticket.to_string(),
        entries: page.entries.iter().map(EntryView::new).collect(),
        next_cursor: page.next.as_ref().map(AuditCursor::as_str),
    })
}
