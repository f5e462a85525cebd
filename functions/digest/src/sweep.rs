//! The hourly SLA sweep.
//!
//! 1. Open cases past their due time (the `OPEN` partition of `by_time`,
//!    `TimeSK <= now`, most overdue first): each moves one tier up the
//!    ladder with a new due time, saved conditional on the version read
//!    together with a pending escalation publish (one transaction), then
//!    published and the citizen told (through the [`CitizenMessenger`]). A
//!    resolved case whose citizen did not answer within the policy's confirm
//!    allowance (`SLA_CONFIRM_DAYS`) is closed instead, and the citizen told.
//!    The officials registered at an escalated case's new holder are told
//!    on WhatsApp (`notify::officials`).
//! 2. The outbox, due by now: escalation publishes that failed are retried
//!    (claimed first, with backoff and a bound on attempts), then WhatsApp
//!    messages left pending by any function are sent by the messenger,
//!    officials' notices that failed are sent again (`official_retry`), then
//!    citizens' files the webhook could not fetch in time are fetched into
//!    the media bucket (claimed first too), and erased cases' files that
//!    could not be deleted at once are deleted (`erased_files`).
//! 3. Closed cases whose files' retention is over (the `FILES` partition
//!    of `by_time`, by close time): their files deleted from the media
//!    bucket, a bounded number per run.
//!
//! Two overlapping sweeps are safe: a case saved by one is a
//! `VersionConflict` for the other, which skips it; an outbox entry or a
//! pending message claimed by one is skipped by the other. A message that
//! cannot go out does not fail the sweep: the messenger keeps it pending.
//! Work left when the budget runs out is for the next run.
//!
//! [`CitizenMessenger`]: aduan_shared::notify::citizen::CitizenMessenger

use std::time::Duration as StdDuration;

use aduan_shared::archive::erased::ErasedFilesSummary;
use aduan_shared::archive::{MediaRetrySummary, SWEEP_FETCH_WORST};
use aduan_shared::domain::case::{Case, CaseError, Escalation};
use aduan_shared::domain::ladder::LadderError;
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::timeline::Actor;
use aduan_shared::notify::citizen::{Delivery, Notice, NotifyError, RetrySummary, Staged};
use aduan_shared::notify::official_retry::NoticeRetrySummary;
use aduan_shared::notify::officials::NoticeSummary;
use aduan_shared::notify::{PublishOutcome, RetryOutcome};
use aduan_shared::store::{Cursor, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{App, Budget};

const PAGE: usize = 100;
const OUTBOX_BATCH: usize = 100;
/// Most pending WhatsApp messages one sweep sends.
const WHATSAPP_BATCH: u32 = 50;
/// What one WhatsApp send may take at worst (the client's timeout, plus the
/// writes around it): the sweep takes no more messages than its budget allows.
const WHATSAPP_SEND_WORST: StdDuration = StdDuration::from_secs(10);
/// Most pending files one sweep fetches.
const MEDIA_BATCH: u64 = 20;
/// Most closed cases whose files one sweep deletes (each a few requests):
/// a backlog goes over the following hours.
const EXPIRED_FILES_BATCH: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepSummary {
    pub job: &'static str,
    pub escalated: usize,
    /// Escalated, but the publish failed: left in the outbox.
    pub escalations_pending: usize,
    pub auto_closed: usize,
    /// Overdue but at the top of the ladder: nothing higher to go to.
    pub at_top: usize,
    /// Changed by someone else (another sweep, an official) since read: skipped.
    pub conflicts: usize,
    pub outbox_published: usize,
    pub outbox_rescheduled: usize,
    pub outbox_gave_up: usize,
    /// Citizens told of an escalation or an auto-close, sent now.
    pub citizens_told: usize,
    /// Not sent now: kept pending by the messenger for a later sweep.
    pub citizen_notices_pending: usize,
    /// Not sent: the citizen sent BERHENTI.
    pub citizen_notices_withheld: usize,
    /// Registered officials' WhatsApp notices: escalations (the sweep) or
    /// new cases (the message retry).
    pub official_notices: NoticeSummary,
    /// New cases whose officials were told (the message retry).
    pub new_cases: usize,
    /// Sent or not, the outcome could not be recorded (the store failed):
    /// the notice stays pending, saved with the change, for a later sweep.
    pub citizen_notice_failures: usize,
    /// The messenger's retry of pending WhatsApp messages.
    pub whatsapp: RetrySummary,
    /// Officials' notices that had failed, sent again (the hourly sweep).
    pub official_notices_retried: NoticeRetrySummary,
    /// Citizens' files fetched (or given up) now.
    pub media: MediaRetrySummary,
    /// Erased cases' files deleted now, or still pending.
    pub erased_files: ErasedFilesSummary,
    /// Closed cases whose files were deleted, their retention over.
    pub files_deleted: usize,
    pub errors: usize,
    /// The time budget ran out: the rest is for the next run.
    pub out_of_time: bool,
}

impl App {
    pub async fn sla_sweep(&self, now: DateTime<Utc>, budget: Budget) -> Result<SweepSummary, StoreError> {
        self.sla_sweep_overdue_as_of(now, now, budget).await
    }

    /// The sweep, with cases judged overdue as of `overdue_at` and the
    /// outbox taken as of `now`. A soak that must make cases overdue within
    /// minutes passes a later `overdue_at`: moving the outbox's clock too
    /// would void the lease of a message the webhook is sending right now,
    /// and the citizen would get it twice.
    pub async fn sla_sweep_overdue_as_of(
        &self,
        overdue_at: DateTime<Utc>,
        now: DateTime<Utc>,
        budget: Budget,
    ) -> Result<SweepSummary, StoreError> {
        let mut summary = SweepSummary {
            job: "sla-sweep",
            ..Default::default()
        };
        self.sweep_overdue(overdue_at, budget, &mut summary).await?;
        if !summary.out_of_time {
            self.sweep_outbox(now, budget, &mut summary).await?;
        }
        if !summary.out_of_time {
            self.delete_expired_files(now, budget, &mut summary).await?;
        }
        tracing::info!(?summary, "sla sweep");
        Ok(summary)
    }

    /// The pending WhatsApp messages, on their own schedule every few
    /// minutes, then the officials' notices of new cases (`new_cases`):
    /// three requests when nothing is due or new. Never fails: what is not
    /// sent stays pending for the next run (the hourly sweep retries them
    /// too); an official's notice that fails is logged, not retried.
    pub async fn message_retry(&self, now: DateTime<Utc>, budget: Budget) -> SweepSummary {
        let mut summary = SweepSummary {
            job: "message-retry",
            ..Default::default()
        };
        self.retry_whatsapp(now, budget, &mut summary).await;
        self.notify_new_cases(now, budget, &mut summary).await;
        tracing::info!(?summary, "message retry");
        summary
    }

    async fn sweep_overdue(
        &self,
        now: DateTime<Utc>,
        budget: Budget,
        summary: &mut SweepSummary,
    ) -> Result<(), StoreError> {
        let mut cursor: Option<Cursor> = None;
        loop {
            if budget.exhausted() {
                summary.out_of_time = true;
                return Ok(());
            }
            let page = self.store.open_cases(Some(now), PAGE, cursor.as_ref()).await?;
            for mut case in page.items {
                if budget.exhausted() {
                    summary.out_of_time = true;
                    return Ok(());
                }
                if !case.is_overdue(now) {
                    continue;
                }
                if case.status == Status::Resolved {
                    self.auto_close(&mut case, now, summary).await?;
                    continue;
                }
                let event = match case.escalate(
                    Escalation::default(),
                    Actor::System,
                    &self.policy.ladder,
                    &self.policy.sla,
                    now,
                ) {
                    Ok(event) => event,
                    Err(CaseError::Ladder(LadderError::AtTop)) => {
                        summary.at_top += 1;
                        continue;
                    }
                    Err(error) => {
                        tracing::warn!(case = %case.id, %error, "cannot escalate");
                        summary.errors += 1;
                        continue;
                    }
                };
                let publish_by = now + self.escalations.retry_policy().lease;
                // Saved with the escalation: the citizen is told even if
                // this run stops right after (by the next sweep).
                let notice = Notice::Escalated {
                    level: case.level.clone(),
                };
                let Some(staged) = self.stage_notice(&case, notice, now, summary).await? else {
                    continue;
                };
                let entry = match self
                    .store
                    .save_case_with_pending_publish(
                        &mut case,
                        std::slice::from_ref(&event),
                        &event.id,
                        publish_by,
                        staged.iter().map(|m| (&m.pending, m.lease_until(now))),
                        // The sweep is no official: nothing to audit.
                        None,
                    )
                    .await
                {
                    Ok(entry) => entry,
                    Err(e) if e.is_conflict() => {
                        summary.conflicts += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                summary.escalated += 1;
                match self
                    .escalations
                    .publish_recorded(&case, &event, &self.tree, &entry)
                    .await
                {
                    Ok(PublishOutcome::Published { .. }) => {}
                    Ok(PublishOutcome::Pending { .. }) => summary.escalations_pending += 1,
                    Err(error) => {
                        // The pending entry is saved: the next sweep publishes it.
                        tracing::error!(case = %case.id, %error, "escalation publish bookkeeping failed");
                        summary.errors += 1;
                    }
                }
                let told = self
                    .officials
                    .tell_of_event(&self.store, &case, &event, now)
                    .await;
                summary.official_notices.add(told);
                self.tell_citizen(&case, staged, now, summary).await;
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    async fn auto_close(
        &self,
        case: &mut aduan_shared::domain::case::Case,
        now: DateTime<Utc>,
        summary: &mut SweepSummary,
    ) -> Result<(), StoreError> {
        let sla = &self.policy.sla;
        let Some(days) = sla.days_allowed(Status::Resolved, &case.level) else {
            return Ok(());
        };
        if sla.calendar.deadline(case.clock_started_at, days) > now {
            return Ok(());
        }
        let note = format!("Ditutup otomatis: pelapor tidak menjawab konfirmasi dalam {days} hari kerja.");
        let event = match case.transition(Transition::Close, Actor::System, Some(note), sla, now) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(case = %case.id, %error, "cannot auto-close");
                summary.errors += 1;
                return Ok(());
            }
        };
        let Some(staged) = self.stage_notice(case, Notice::AutoClosed, now, summary).await? else {
            return Ok(());
        };
        let messages = staged.iter().map(|m| (&m.pending, m.lease_until(now)));
        // The reporter's record read for the notice goes with the close:
        // their contact's retention starts, at no extra request. The first
        // notice is the case's own reporter's.
        let reporter = Staged::own_reporter(&staged);
        match self
            .store
            .save_case_audited(case, std::slice::from_ref(&event), messages, None, reporter)
            .await
        {
            Ok(()) => summary.auto_closed += 1,
            Err(e) if e.is_conflict() => {
                summary.conflicts += 1;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        self.tell_citizen(case, staged, now, summary).await;
        Ok(())
    }

    /// The notices a change is saved with: to the case's reporter and to
    /// those of the cases merged into it. A case whose notices cannot be
    /// prepared (a contact was sealed under a key the deployment no longer
    /// has) is left as it is, logged and counted, for a later sweep: the
    /// others go on. A reporter whose record is gone (erased, or past its
    /// retention) is not told: the notice is withheld.
    async fn stage_notice(
        &self,
        case: &Case,
        notice: Notice,
        now: DateTime<Utc>,
        summary: &mut SweepSummary,
    ) -> Result<Option<Vec<Staged>>, StoreError> {
        match self
            .messenger
            .stage_notice_all(&self.store, case, notice, Actor::System, now)
            .await
        {
            Ok(staged) => Ok(Some(staged)),
            Err(NotifyError::Store(error)) => Err(error),
            Err(error) => {
                tracing::error!(case = %case.id, %error, "citizen notice cannot be prepared: case left as it is");
                summary.errors += 1;
                Ok(None)
            }
        }
    }

    /// Sends the notice saved with the change; never fails the sweep (a
    /// message that did not go out is pending, for a later sweep).
    async fn tell_citizen(
        &self,
        case: &Case,
        staged: Vec<Staged>,
        now: DateTime<Utc>,
        summary: &mut SweepSummary,
    ) {
        for staged in staged {
            match self.messenger.send_staged(&self.store, staged, now).await {
                Ok(Delivery::Sent { .. }) => summary.citizens_told += 1,
                Ok(Delivery::Withheld) => summary.citizen_notices_withheld += 1,
                Ok(Delivery::Pending) => {
                    tracing::warn!(case = %case.id, "citizen notice not sent: kept pending");
                    summary.citizen_notices_pending += 1;
                }
                Err(error) => {
                    tracing::error!(case = %case.id, %error, "citizen notice not recorded");
                    summary.citizen_notice_failures += 1;
                }
            }
        }
    }

    async fn sweep_outbox(
        &self,
        now: DateTime<Utc>,
        budget: Budget,
        summary: &mut SweepSummary,
    ) -> Result<(), StoreError> {
        let entries = self.store.outbox_due(now, OUTBOX_BATCH).await?;
        for entry in entries {
            if budget.exhausted() {
                summary.out_of_time = true;
                return Ok(());
            }
            match self.escalations.retry_entry(&entry, &self.tree, now).await {
                Ok(RetryOutcome::Published) => summary.outbox_published += 1,
                Ok(RetryOutcome::Rescheduled) => summary.outbox_rescheduled += 1,
                Ok(RetryOutcome::GaveUp) => summary.outbox_gave_up += 1,
                Ok(RetryOutcome::Skipped) => {}
                Err(error) => {
                    tracing::error!(case = %entry.case_id, %error, "outbox retry failed");
                    summary.errors += 1;
                }
            }
        }
        self.retry_whatsapp(now, budget, summary).await;
        self.retry_official_notices(now, budget, summary).await;
        self.retry_media(now, budget, summary).await;
        self.retry_erased_files(now, budget, summary).await;
        Ok(())
    }

    /// The files of cases closed longer ago than they are kept
    /// (`MEDIA_RETENTION_DAYS_AFTER_CLOSE`), oldest close first, a bounded
    /// number per run. Each case is read again first (the index lags): one
    /// reopened or marked as needed since keeps its files. The files go
    /// first, then the case records it (and leaves the index); a failed
    /// deletion leaves the case listed, for the next run.
    async fn delete_expired_files(
        &self,
        now: DateTime<Utc>,
        budget: Budget,
        summary: &mut SweepSummary,
    ) -> Result<(), StoreError> {
        let Some(archive) = &self.media else {
            return Ok(());
        };
        let retention = self.policy.privacy.media_retention;
        let listed = self
            .store
            .closed_cases_with_files(now - retention.duration(), EXPIRED_FILES_BATCH)
            .await?;
        for listed in listed {
            if budget.exhausted() {
                summary.out_of_time = true;
                return Ok(());
            }
            let Some(mut case) = self.store.case(&listed.id).await? else {
                continue;
            };
            if !case.files_due(retention, now) {
                continue;
            }
            if let Err(error) = archive.bucket().delete_case_files(&case.ticket).await {
                tracing::error!(ticket = %case.ticket, %error, "files past their retention not deleted: the next sweep tries again");
                summary.errors += 1;
                continue;
            }
            case.files_deleted(now);
            match self.store.save_case(&mut case, &[], None).await {
                Ok(()) => summary.files_deleted += 1,
                // Changed meanwhile: listed still, read again next run.
                Err(e) if e.is_conflict() => summary.conflicts += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Pending files, as many as the remaining budget allows at the worst
    /// download time.
    async fn retry_media(&self, now: DateTime<Utc>, budget: Budget, summary: &mut SweepSummary) {
        let Some(archive) = &self.media else { return };
        let affordable = budget.remaining().as_secs() / SWEEP_FETCH_WORST.as_secs();
        let limit = affordable.min(MEDIA_BATCH) as usize;
        if budget.exhausted() || limit == 0 {
            summary.out_of_time = true;
            return;
        }
        match archive.retry_pending(&self.store, now, limit).await {
            Ok(retried) => summary.media = retried,
            // Unclaimed files stay due: the next sweep takes them.
            Err(error) => {
                tracing::error!(%error, "pending files not retried");
                summary.errors += 1;
            }
        }
    }

    /// Officials' notices that failed to go out, as many as the remaining
    /// budget allows at the worst send time; each claimed before it is sent.
    async fn retry_official_notices(&self, now: DateTime<Utc>, budget: Budget, summary: &mut SweepSummary) {
        let Some(limit) = sends_affordable(budget, summary) else {
            return;
        };
        match self.officials.retry_pending(&self.store, now, limit).await {
            Ok(retried) => summary.official_notices_retried = retried,
            // What was not sent stays due (or claimed until its lease ends).
            Err(error) => {
                tracing::error!(%error, "officials' pending notices not retried");
                summary.errors += 1;
            }
        }
    }

    /// Pending WhatsApp messages, once per run: each is claimed before it is
    /// sent, so overlapping sweeps never send one twice. No more are taken
    /// than the remaining budget allows at the worst send time.
    async fn retry_whatsapp(&self, now: DateTime<Utc>, budget: Budget, summary: &mut SweepSummary) {
        let Some(limit) = sends_affordable(budget, summary) else {
            return;
        };
        match self.messenger.retry_pending(&self.store, now, limit).await {
            Ok(retried) => summary.whatsapp = retried,
            // What was not sent stays pending (or claimed until its lease
            // ends): the next sweep takes it again.
            Err(error) => {
                tracing::error!(%error, "pending WhatsApp messages not retried");
                summary.errors += 1;
            }
        }
    }
}

/// How many WhatsApp sends the remaining budget allows at the worst send
/// time, at most a batch; none (and the run marked out of time) when it is
/// spent.
fn sends_affordable(budget: Budget, summary: &mut SweepSummary) -> Option<i32> {
    let affordable = budget.remaining().as_secs() / WHATSAPP_SEND_WORST.as_secs();
    let limit = affordable.min(u64::from(WHATSAPP_BATCH)) as i32;
    if budget.exhausted() || limit == 0 {
        summary.out_of_time = true;
        return None;
    }
    Some(limit)
}
