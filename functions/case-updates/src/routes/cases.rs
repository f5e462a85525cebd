//! Reading: the caller's queue (`GET /cases`) and one case with a page of its
//! timeline (`GET /cases/{ticket}`), the first with its suggested duplicates.

use aduan_shared::domain::audit::Access;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Level;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::EventId;
use aduan_shared::store::{Cursor, QueueQuery};
use chrono::{DateTime, FixedOffset, Utc};
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use super::{ok, page_limit, parse_time};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::state::AppState;
use crate::suggestions;
use crate::views::{CaseDetail, CaseView, TIMELINE_PAGE};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;

#[derive(Serialize)]
struct QueuePage {
    cases: Vec<CaseView>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

pub async fn list(
    state: &AppState,
    official: &Official,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let query = queue_query(
        state.sla.calendar.offset(),
        official,
        &req.query_string_parameters(),
    )?;
    let page = state.store.queue(&query).await?;
    let listed: Vec<&Case> = page
        .items
        .iter()
        .filter(|case| case.is_within(&official.scope))
        .collect();
    let tickets = listed.iter().map(|case| case.ticket.clone()).collect();
    audit::read_queue(state, official, &query, tickets, now).await?;
    let cases = listed
        .into_iter()
        .map(|case| CaseView::listed(case, &state.tree, now))
        .collect();
    ok(&QueuePage {
        cases,
        next_cursor: page.next.map(|c| c.as_str().to_owned()),
    })
}

/// The query string, parsed: unknown parameters are ignored; a known one
/// with a value that cannot be used is a 422 naming it.
pub fn queue_query(
    offset: FixedOffset,
    official: &Official,
    params: &QueryMap,
) -> Result<QueueQuery, ApiError> {
    let get = |name: &str| params.first(name).map(str::trim).filter(|v| !v.is_empty());
    let area = match get("jurisdiction") {
        None => official.scope.clone(),
        Some(raw) => {
            let path =
                JurisdictionPath::parse(raw).map_err(|e| ApiError::invalid("jurisdiction", e.to_string()))?;
            if !path.is_within(&official.scope) {
                return Err(ApiError::invalid("jurisdiction", "outside your scope"));
            }
            path
        }
    };
    let mut query = QueueQuery::new(official.queue_scope(&area));
    if let Some(raw) = get("status") {
        query.statuses = parse_statuses(raw)?;
    }
    if let Some(raw) = get("kind") {
        query.kind = Some(
            CaseKind::parse(raw)
                .ok_or_else(|| ApiError::invalid("kind", "one of pengaduan, saran, kritik, pertanyaan"))?,
        );
    }
    if let Some(raw) = get("level") {
        query.level = Some(Level::parse(raw).map_err(|e| ApiError::invalid("level", e.to_string()))?);
    }
    query.since = get("since")
        .map(|raw| parse_time(offset, "since", raw, false))
        .transpose()?;
    query.until = get("until")
        .map(|raw| parse_time(offset, "until", raw, true))
        .transpose()?;
    if let (Some(since), Some(until)) = (query.since, query.until) {
        if since > until {
            return Err(ApiError::invalid("since", "after until"));
        }
    }
    query.limit = page_limit(get("limit"), DEFAULT_LIMIT, MAX_LIMIT)?;
    query.cursor = get("cursor")
        .map(|raw| Cursor::parse(raw).map_err(|_| ApiError::invalid("cursor", "not a cursor of this query")))
        .transpose()?;
    Ok(query)
}

/// `received,verified`, or `open` for every open status.
fn parse_statuses(raw: &str) -> Result<Vec<Status>, ApiError> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "open" {
            out.extend(Status::ALL.into_iter().filter(|s| s.is_open()));
        } else {
            out.push(Status::parse(part).ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    "open, or statuses among received, verified, in_progress, resolved, closed, rejected, withdrawn",
                )
            })?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub async fn get(
    state: &AppState,
    official: &Official,
    ticket: &str,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let after = timeline_cursor(&req.query_string_parameters())?;
    // The pointer, then the case with its first page in one query; a later
    // page reads the case and the page after the cursor. The case is checked
    // against the scope as `visible_case` does.
    let ticket = Ticket::parse(ticket).map_err(|_| ApiError::CaseNotFound)?;
    let id = state
        .store
        .case_id_by_ticket(&ticket)
        .await?
        .ok_or(ApiError::CaseNotFound)?;
    // An office that forwarded the case out of its scope still reads it:
    // the timeline up to its hand-over, not what was written after.
    let visible =
        |case: &Case| case.is_within(&official.scope) || case.readable_until(&official.scope).is_some();
    // One past a page: whether more follow.
    let first_page = after.is_none();
    let (case, events) = match after {
        None => state
            .store
            .case_with_first_page(&id, TIMELINE_PAGE + 1)
            .await?
            .filter(|(case, _)| visible(case))
            .ok_or(ApiError::CaseNotFound)?,
        Some(after) => {
            let case = state
                .store
                .case(&id)
                .await?
                .filter(visible)
                .ok_or(ApiError::CaseNotFound)?;
            let events = state
                .store
                .timeline_page(&id, Some(&after), TIMELINE_PAGE + 1)
                .await?;
            (case, events)
        }
    };
    let mut events = events;
    if !case.is_within(&official.scope) {
        let until = case.readable_until(&official.scope);
        events.retain(|e| until.is_some_and(|until| e.at <= until));
    }
    // Suggested with the first page, for a case the caller may act on.
    let suggestions = if first_page && case.is_within(&official.scope) {
        Some(suggestions::for_case(state, &official.scope, &case, now).await?)
    } else {
        None
    };
    audit::read_case(state, official, &case, Access::ReadDetail, now).await?;
    ok(&CaseDetail::page(
        CaseView::new(&case, &state.tree, now),
        &events,
        &state.tree,
        suggestions,
    ))
}

/// `cursor`: the previous page's `next_cursor` (an event's id); a value
/// that is not one is a 422 naming it.
pub fn timeline_cursor(params: &QueryMap) -> Result<Option<EventId>, ApiError> {
    params
        .first("cursor")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|raw| {
            EventId::parse(raw).ok_or_else(|| ApiError::invalid("cursor", "not a cursor of this timeline"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_and_open_expands() {
        assert_eq!(
            parse_statuses("verified, received").unwrap(),
            vec![Status::Received, Status::Verified]
        );
        assert_eq!(parse_statuses("open").unwrap().len(), 4);
        assert!(parse_statuses("done").is_err());
    }
}
