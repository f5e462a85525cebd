//! The `merge` and `unmerge` actions: two cases change in one write. The
//! official needs the scope of both; the merged case's reporter is told
//! which case they follow now (and, on an undo, that theirs is handled on
//! its own again).

use aduan_shared::domain::audit::Act;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::merge::MergeError;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{Actor, TimelineEvent};
use aduan_shared::notify::citizen::Notice;
use aduan_shared::store::StoreError;
use chrono::{DateTime, Utc};
use lambda_http::{Body, Response};

use super::actions::ActionDone;
use super::{conflict, ok, pending};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::{CaseView, EventView};

/// Merges `case` (read at the version the official sent) into the case
/// `into` names.
pub async fn merge(
    state: &AppState,
    official: &Official,
    mut case: Case,
    into: &Ticket,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let mut target = match state.store.case_by_ticket(into).await? {
        Some(target) => target,
        None => return Err(ApiError::invalid("into", "no case with that ticket")),
    };
    within_scope(official, &target)?;
    let events = case.merge_into(&mut target, official.actor(), &state.sla, now)?;
    let notice = Notice::Merged {
        into: target.ticket.clone(),
    };
    save_both(state, official, Act::Merge, [case, target], events, notice, now).await
}

/// Undoes `case`'s merge, within a day of it.
pub async fn unmerge(
    state: &AppState,
    official: &Official,
    mut case: Case,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let Some(into) = case.merged_into.clone() else {
        return Err(MergeError::NotMerged(case.ticket.clone()).into());
    };
    let mut target = state.store.case(&into.case).await?.ok_or(ApiError::Internal)?;
    within_scope(official, &target)?;
    let events = case.unmerge_from(&mut target, official.actor(), &state.sla, now)?;
    let notice = Notice::Unmerged {
        into: target.ticket.clone(),
    };
    save_both(state, official, Act::Unmerge, [case, target], events, notice, now).await
}

/// Saves both changed cases with their events and the official's audit
/// entry on each, and the message telling the case's reporter, in one
/// write; then sends the message. The answer is about the first case.
async fn save_both(
    state: &AppState,
    official: &Official,
    act: Act,
    [mut case, mut target]: [Case; 2],
    (on_case, on_target): (TimelineEvent, TimelineEvent),
    notice: Notice,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    // The versions are still those read: the entries name them.
    let case_audit = audit::act(state, official, &case, act, now);
    let target_audit = audit::act(state, official, &target, act, now);
    let staged = state
        .citizens
        .stage(&state.store, &case, notice, Actor::System, on_case.at)
        .await?;
    let read_version = case.version;
    let saved = state
        .store
        .save_merge(
            [
                (&mut case, std::slice::from_ref(&on_case), &case_audit),
                (&mut target, std::slice::from_ref(&on_target), &target_audit),
            ],
            pending(&staged),
        )
        .await;
    match saved {
        Ok(()) => {}
        // Either case may have changed since it was read.
        Err(StoreError::VersionConflict { .. }) => return Err(conflict(state, &case, read_version).await),
        Err(other) => return Err(other.into()),
    }
    let notification = state.citizens.send(&state.store, staged).await;
    tracing::info!(ticket = %case.ticket, other = %target.ticket, act = act.as_str(), official = %official.sub, "cases merged or unmerged");
    ok(&ActionDone {
        case: CaseView::new(&case, &state.tree, now),
        event: EventView::new(&on_case, &state.tree),
        notification: Some(notification),
        publish: None,
    })
}

/// The other case must be in the official's scope too: 403 naming `into`.
fn within_scope(official: &Official, target: &Case) -> Result<(), ApiError> {
    if target.is_within(&official.scope) {
        Ok(())
    } else {
        Err(ApiError::OutsideScope {
            field: "into",
            scope: official.scope.clone(),
        })
    }
}
