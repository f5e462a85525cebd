//! Officials' notices that failed to go out, sent again by the sweep, and
//! new cases' announcements a run of the new cases' pass claimed but did
//! not finish: each due entry of the outbox's `notice` kind is claimed (so
//! two sweeps never both send it), the case and the registration read as
//! they are now, and the notice built afresh and sent (an announcement
//! tells every official told of the case, as the pass would have); or
//! rescheduled with backoff; or, after the last allowed attempt (or a
//! refusal that no retry mends), flagged on the case's timeline. A notice
//! no longer due (the case closed or moved on, the official removed or no
//! longer told of it) is dropped unsent.

use chrono::{DateTime, Utc};

use super::officials::{NoticeError, NoticeSummary, OfficialNotifier, Reason, NOTICE_RETRY};
use super::RetryOutcome;
use crate::domain::case::Case;
use crate::domain::official::Registration;
use crate::store::{AttemptEnd, OutboxEntry, PendingNotice, Store, StoreError};

/// What one run of the retry did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct NoticeRetrySummary {
    pub sent: usize,
    pub rescheduled: usize,
    pub gave_up: usize,
    /// No longer due: the case closed or moved, or the official left.
    pub dropped: usize,
    /// New cases announced here, their pass having stopped before it did.
    pub announced: usize,
    /// What became of those announcements' notices.
    pub announced_notices: NoticeSummary,
    /// Another sweep had it.
    pub skipped: usize,
}

impl OfficialNotifier {
    /// Sends again the notices due by `now`, at most `limit`: one Query when
    /// none is.
    pub async fn retry_pending(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        limit: i32,
    ) -> Result<NoticeRetrySummary, StoreError> {
        let mut summary = NoticeRetrySummary::default();
        for pending in store.pending_notices_due::<Reason>(now, limit).await? {
            match self.retry_one(store, &pending, now).await? {
                Retried::Done(RetryOutcome::Published) => summary.sent += 1,
                Retried::Done(RetryOutcome::Rescheduled) => summary.rescheduled += 1,
                Retried::Done(RetryOutcome::GaveUp) => summary.gave_up += 1,
                Retried::Done(RetryOutcome::Skipped) => summary.skipped += 1,
                Retried::Dropped => summary.dropped += 1,
                Retried::Announced(told) => {
                    summary.announced += 1;
                    summary.announced_notices.add(told);
                }
            }
        }
        Ok(summary)
    }

    async fn retry_one(
        &self,
        store: &Store,
        pending: &PendingNotice<Reason>,
        now: DateTime<Utc>,
    ) -> Result<Retried, StoreError> {
        let Some(claimed) = store
            .claim_entry(&pending.entry, now + NOTICE_RETRY.lease)
            .await?
        else {
            return Ok(Retried::Done(RetryOutcome::Skipped));
        };
        let case = store.case(&pending.entry.case_id).await?;
        let Some(official_id) = &pending.official_id else {
            return self.announce(store, &claimed, case, &pending.reason, now).await;
        };
        let official = store.official(official_id).await?;
        let Some((case, official)) = still_due(case, official) else {
            return Ok(match store.finish_attempt(&claimed, AttemptEnd::Done).await? {
                true => Retried::Dropped,
                false => Retried::Done(RetryOutcome::Skipped),
            });
        };
        let message = self.notice_of(store, &case, &pending.reason, now).await;
        let (end, outcome) = match self.send(store, &case, &official, &message, now).await {
            // Sent but not recorded: sending it again would not mend that.
            Ok(()) | Err(NoticeError::Store(_)) => (AttemptEnd::Done, RetryOutcome::Published),
            Err(NoticeError::Send(error))
                if error.is_retryable() && claimed.attempts < NOTICE_RETRY.max_attempts =>
            {
                let at = NOTICE_RETRY.next_attempt(claimed.attempts, now);
                (
                    AttemptEnd::RetryAt(at, error.to_string()),
                    RetryOutcome::Rescheduled,
                )
            }
            Err(error) => {
                tracing::error!(ticket = %case.ticket, official = %official.id, %error, attempts = claimed.attempts, "official notice given up");
                let end = AttemptEnd::GiveUp {
                    note: format!(
                        "Pemberitahuan WhatsApp ke petugas {} tidak terkirim setelah {} percobaan: {error}",
                        official.name.as_str(),
                        claimed.attempts
                    ),
                    error: error.to_string(),
                    at: now,
                };
                (end, RetryOutcome::GaveUp)
            }
        };
        Ok(match store.finish_attempt(&claimed, end).await? {
            true => Retried::Done(outcome),
            false => Retried::Done(RetryOutcome::Skipped),
        })
    }

    /// A new case's announcement left by a pass that stopped: its
    /// officials told, what fails kept per official as any notice.
    async fn announce(
        &self,
        store: &Store,
        claimed: &OutboxEntry,
        case: Option<Case>,
        reason: &Reason,
        now: DateTime<Utc>,
    ) -> Result<Retried, StoreError> {
        let told = match case.filter(|c| c.status.is_open()) {
            Some(case) => Some(self.tell(store, &case, reason, now).await),
            None => None,
        };
        Ok(
            match (store.finish_attempt(claimed, AttemptEnd::Done).await?, told) {
                (false, _) => Retried::Done(RetryOutcome::Skipped),
                (true, Some(told)) => Retried::Announced(told),
                (true, None) => Retried::Dropped,
            },
        )
    }
}

enum Retried {
    Done(RetryOutcome),
    Dropped,
    Announced(NoticeSummary),
}

/// The case and the official, if the notice is still theirs to get.
fn still_due(case: Option<Case>, official: Option<Registration>) -> Option<(Case, Registration)> {
    let (case, official) = (case?, official?);
    (case.status.is_open() && official.is_told_of(&case.holder())).then_some((case, official))
}
