//! Deleting erased cases' files from the media bucket, until each case's
//! prefix is empty. The erasure recorded a pending deletion per case
//! ([`crate::store::erased_files`]); the eraser (the webhook after
//! `HAPUS DATA`, or `aduan-admin citizen erase`) tries at once, and the
//! sweep retries whatever is still pending, a bounded number per run.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::MediaBucket;
use crate::domain::ticket::Ticket;
use crate::store::{Store, StoreError};

/// After a failed retry, the sweep tries again this much later: the next
/// hourly run.
pub const RETRY_AFTER: Duration = Duration::minutes(30);

/// What deleting one case's files may take at worst (a listing and a batch
/// delete, each with the SDK's retries, and the write that ends it): the
/// sweep takes no more than its budget allows.
pub const WORST: StdDuration = StdDuration::from_secs(10);

/// What became of erased cases' files: counts only, no ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ErasedFilesSummary {
    /// Cases whose prefix is empty now: nothing more to do for them.
    pub cases_done: usize,
    /// Files deleted, in all.
    pub files_deleted: usize,
    /// Cases whose deletion failed: still pending, for the sweep.
    pub cases_pending: usize,
}

impl MediaBucket {
    /// Deletes the files of just-erased cases, each case's pending deletion
    /// removed once its prefix is empty. A failure leaves it pending: the
    /// sweep tries again once the first attempt's lease is over.
    pub async fn delete_erased_files(&self, store: &Store, tickets: &[Ticket]) -> ErasedFilesSummary {
        let mut summary = ErasedFilesSummary::default();
        for ticket in tickets {
            delete_one(Some(self), store, ticket, None, &mut summary).await;
        }
        summary
    }
}

/// The sweep's turn: the pending deletions due by `now`, at most `limit`,
/// each tried again (and, failing, put off by [`RETRY_AFTER`]). Without a
/// bucket no file was ever kept, so each is simply done.
pub async fn retry_erased_files(
    bucket: Option<&MediaBucket>,
    store: &Store,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<ErasedFilesSummary, StoreError> {
    let mut summary = ErasedFilesSummary::default();
    for pending in store.files_to_delete_due(now, limit).await? {
        let retry_at = Some(now + RETRY_AFTER);
        delete_one(bucket, store, &pending.ticket, retry_at, &mut summary).await;
    }
    Ok(summary)
}

async fn delete_one(
    bucket: Option<&MediaBucket>,
    store: &Store,
    ticket: &Ticket,
    retry_at: Option<DateTime<Utc>>,
    summary: &mut ErasedFilesSummary,
) {
    let deleted = match bucket {
        Some(bucket) => bucket.delete_case_files(ticket).await,
        None => Ok(0),
    };
    match deleted {
        Ok(files) => {
            summary.files_deleted += files;
            match store.files_deleted(ticket).await {
                Ok(()) => summary.cases_done += 1,
                // The prefix is empty; the next sweep finds that and ends it.
                Err(error) => {
                    tracing::error!(%ticket, %error, "an erased case's files deleted, not recorded");
                    summary.cases_pending += 1;
                }
            }
        }
        Err(error) => {
            tracing::error!(%ticket, %error, "an erased case's files not deleted: the sweep tries again");
            summary.cases_pending += 1;
            if let Some(at) = retry_at {
                if let Err(error) = store.files_delete_failed(ticket, at, &error).await {
                    tracing::error!(%ticket, %error, "an erased case's retry not rescheduled");
                }
            }
        }
    }
}
