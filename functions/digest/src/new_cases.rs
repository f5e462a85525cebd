//! Officials' notices of new cases, run with the message retry every few
//! minutes so the citizen's own path pays no request for them.
//!
//! One Query on `by_kota` reads the cases created after the cursor
//! (`CURSOR#new-cases`) and at least [`SETTLE`] ago, oldest first, at most
//! [`BATCH`]; the run moves the cursor past the last of them (conditional on
//! the position it read, so of two overlapping runs only one sends) and, in
//! the same transaction, keeps an announcement of each open one leased to
//! itself for [`LEASE`]; then tells the officials at each open case's holder
//! and deletes its announcement. A run that stops in between leaves the
//! rest to the hourly sweep (`notify::official_retry`): each case is
//! announced at least once. Without a cursor (the first run) it starts
//! [`FIRST_LOOKBACK`] back. A backlog larger than a batch goes over the
//! following runs.

use std::time::Duration as StdDuration;

use aduan_shared::notify::officials::Reason;
use aduan_shared::store::{AttemptEnd, NewCasesCursor};
use chrono::{DateTime, Duration, Utc};

use crate::sweep::SweepSummary;
use crate::{App, Budget};

/// How old a case must be before it is announced: longer than a webhook
/// invocation takes from stamping a case's creation to writing it (15 s)
/// plus the index's lag, so no case lands behind the cursor.
pub const SETTLE: Duration = Duration::minutes(2);
/// How far back the first run looks.
pub const FIRST_LOOKBACK: Duration = Duration::hours(1);
/// Most new cases one run announces.
pub const BATCH: i32 = 25;
/// How long a run holds the announcements it claimed: longer than the
/// function's timeout (300 s), so the sweep never takes one a run may still
/// be making.
pub const LEASE: Duration = Duration::minutes(10);
/// What one case's notices may take at worst (a send's timeout, a few
/// officials): the run takes no more cases than its budget allows.
const CASE_WORST: StdDuration = StdDuration::from_secs(10);

impl App {
    /// Announces the cases created since the last run to the officials at
    /// their holders. Never fails: a store error is logged and counted, and
    /// the cases wait for the next run unless the cursor moved past them.
    pub(crate) async fn notify_new_cases(
        &self,
        now: DateTime<Utc>,
        budget: Budget,
        summary: &mut SweepSummary,
    ) {
        let affordable = budget.remaining().as_secs() / CASE_WORST.as_secs();
        let limit = i32::try_from(affordable).unwrap_or(BATCH).min(BATCH);
        if budget.exhausted() || limit == 0 {
            summary.out_of_time = true;
            return;
        }
        let read = match self.store.new_cases_cursor().await {
            Ok(read) => read,
            Err(error) => {
                tracing::error!(%error, "new cases' cursor not read");
                summary.errors += 1;
                return;
            }
        };
        let after = read
            .clone()
            .unwrap_or_else(|| NewCasesCursor::from_time(now - SETTLE - FIRST_LOOKBACK));
        let kota = self.tree.kota().path.clone();
        let cases = match self.store.new_cases(&kota, &after, now - SETTLE, limit).await {
            Ok(cases) => cases,
            Err(error) => {
                tracing::error!(%error, "new cases not read");
                summary.errors += 1;
                return;
            }
        };
        if cases.is_empty() {
            return;
        }
        let announcements = match self
            .store
            .claim_new_cases(read.as_ref(), &cases, &Reason::New, now + LEASE)
            .await
        {
            Ok(Some(announcements)) => announcements,
            // Another run moved the cursor: these are its to announce.
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, "new cases' cursor not moved");
                summary.errors += 1;
                return;
            }
        };
        let open = cases.iter().filter(|case| case.status.is_open());
        for (case, announcement) in open.zip(&announcements) {
            let told = self.officials.tell(&self.store, case, &Reason::New, now).await;
            summary.official_notices.add(told);
            summary.new_cases += 1;
            // Should this fail, the sweep announces the case again.
            if let Err(error) = self.store.finish_attempt(announcement, AttemptEnd::Done).await {
                tracing::warn!(ticket = %case.ticket, %error, "a new case's announcement not finished: the sweep repeats it");
                summary.errors += 1;
            }
        }
    }
}
