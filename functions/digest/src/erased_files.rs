//! The sweep's retry of erased cases' files still in the media bucket
//! ([`aduan_shared::archive::erased`]): as many as the remaining budget
//! allows, at most [`ERASED_FILES_BATCH`] a run.

use aduan_shared::archive::erased::{retry_erased_files, WORST};
use chrono::{DateTime, Utc};

use crate::sweep::SweepSummary;
use crate::{App, Budget};

/// Most erased cases whose files one sweep deletes.
pub const ERASED_FILES_BATCH: u64 = 20;

impl App {
    pub(crate) async fn retry_erased_files(
        &self,
        now: DateTime<Utc>,
        budget: Budget,
        summary: &mut SweepSummary,
    ) {
        let affordable = budget.remaining().as_secs() / WORST.as_secs();
        let limit = affordable.min(ERASED_FILES_BATCH) as usize;
        if budget.exhausted() || limit == 0 {
            summary.out_of_time = true;
            return;
        }
        let bucket = self.media.as_ref().map(|archive| archive.bucket());
        match retry_erased_files(bucket, &self.store, now, limit).await {
            Ok(retried) => summary.erased_files = retried,
            // Nothing was changed: the same deletions are due next run.
            Err(error) => {
                tracing::error!(%error, "erased cases' files not retried");
                summary.errors += 1;
            }
        }
    }
}
