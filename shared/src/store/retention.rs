//! Retention on the store's side: the reporter's record rides in the
//! transaction of a change that closes or reopens one of their cases, so
//! that their contact's TTL (`expires_at`) is recomputed with it; and the
//! closed cases whose files are due to go, oldest close first.

use chrono::{DateTime, Utc};

use super::{keys, queue, Store, StoreError};
use crate::conversation::Reporter;
use crate::domain::case::Case;
use crate::domain::timeline::TimelineEvent;

/// Attempts of a case change whose reporter's record changed meanwhile (a
/// message of theirs): each reads the record again.
pub(super) const REPORTER_ATTEMPTS: usize = 3;

/// When `events` close the case or open it again: the reporter's record
/// is then written with the change.
pub(super) fn openness_changed_at(events: &[TimelineEvent]) -> Option<DateTime<Utc>> {
    events.iter().find(|e| e.body.changes_openness()).map(|e| e.at)
}

impl Store {
    /// Up to `limit` closed cases whose files are kept, closed at or before
    /// `closed_by`, oldest close first: one Query of the `FILES` partition
    /// of `by_time` (eventually consistent: read a case again before acting
    /// on it).
    pub async fn closed_cases_with_files(
        &self,
        closed_by: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Case>, StoreError> {
        let page = queue::cases_by_time(self, keys::CLOSED_WITH_FILES, Some(closed_by), limit, None).await?;
        Ok(page.items)
    }

    /// The reporter's record as it is after `case` closed or reopened at
    /// `at`, if it changes: `read` is the record as the caller read it
    /// already (to tell the citizen), else it is read here (one GetItem).
    /// None when the case points at no one (erased), their record is gone
    /// (retention, or an erasure), or it needs no change.
    pub(super) async fn reporter_after_change(
        &self,
        case: &Case,
        at: DateTime<Utc>,
        read: Option<Reporter>,
    ) -> Result<Option<Reporter>, StoreError> {
        let Some(id) = case.reporter.id() else {
            return Ok(None);
        };
        let record = match read {
            Some(record) if record.owns(id) => Some(record),
            _ => self.reporter(id).await?,
        };
        Ok(record.and_then(|mut record| {
            record
                .case_changed(case, self.contact_retention, at)
                .then_some(record)
        }))
    }
}
