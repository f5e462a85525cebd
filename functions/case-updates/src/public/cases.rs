//! The cases received in a period, read from the kota's queue index (the
//! cases' `QueueSK` is their creation time): never a Scan, and bounded.

use aduan_shared::domain::case::Case;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::store::{QueueQuery, QueueScope};
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::state::AppState;

/// Reads of 100 cases one public answer may make: 5,000 cases a month is
/// several times a city's volume; past it the answer says it is partial.
const MAX_PAGES: usize = 50;

/// The cases received from `since` to `until`, newest first, in `statuses`
/// (all when empty), up to `max`; and whether that is all of them.
pub(super) async fn received_between(
    state: &AppState,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    statuses: Vec<Status>,
    max: usize,
) -> Result<(Vec<Case>, bool), ApiError> {
    let mut query = QueueQuery::new(QueueScope::Area(state.tree.kota().path.clone()));
    query.since = Some(since);
    query.until = Some(until);
    query.statuses = statuses;
    query.limit = 100;
    let mut cases = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = state.store.queue(&query).await?;
        cases.extend(page.items);
        match page.next {
            Some(next) if cases.len() < max => query.cursor = Some(next),
            Some(_) => {
                cases.truncate(max);
                return Ok((cases, false));
            }
            None => {
                let complete = cases.len() <= max;
                cases.truncate(max);
                return Ok((cases, complete));
            }
        }
    }
    cases.truncate(max);
    Ok((cases, false))
}
