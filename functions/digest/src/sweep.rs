//! The hourly SLA sweep.
//!
//! 1. Open cases past their due time (the `OPEN` partition of `by_time`,
//!    `TimeSK <= now`, most overdue first): each moves one tier up the
//!    ladder with a new due time, saved conditional on the version read
//!    together with a pending escalation publish (one transaction), then
//!    published and the citizen told. A resolved case whose citizen did not
//!    answer within `auto_close_working_days` is closed instead.
//! 2. The outbox, due by now: escalation publishes that failed are retried
//!    (claimed first, with backoff and a bound on attempts).
//!
//! Two overlapping sweeps are safe: a case saved by one is a
//! `VersionConflict` for the other, which skips it; an outbox entry claimed
//! by one is skipped by the other. Work left when the budget runs out is for
//! the next run.

use aduan_shared::domain::case::{CaseError, Escalation};
use aduan_shared::domain::ladder::LadderError;
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::timeline::Actor;
use aduan_shared::notify::{PublishOutcome, RetryOutcome};
use aduan_shared::store::{keys, Cursor, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{App, Budget};

const PAGE: usize = 100;
const OUTBOX_BATCH: usize = 100;

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
    /// Outbox entries left for their own handler (pending WhatsApp messages).
    pub outbox_other: usize,
    pub citizen_notice_failures: usize,
    pub errors: usize,
    /// The time budget ran out: the rest is for the next run.
    pub out_of_time: bool,
}

impl App {
    pub async fn sla_sweep(&self, now: DateTime<Utc>, budget: Budget) -> Result<SweepSummary, StoreError> {
        let mut summary = SweepSummary {
            job: "sla-sweep",
            ..Default::default()
        };
        self.sweep_overdue(now, budget, &mut summary).await?;
        if !summary.out_of_time {
            self.sweep_outbox(now, budget, &mut summary).await?;
        }
        tracing::info!(?summary, "sla sweep");
        Ok(summary)
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
                let event =
                    match case.escalate(Escalation::default(), Actor::System, &self.ladder, &self.sla, now) {
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
                let entry = match self
                    .store
                    .save_case_with_pending_publish(
                        &mut case,
                        std::slice::from_ref(&event),
                        &event.id,
                        publish_by,
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
                if let Err(error) = self.citizen.escalated(&case, &event, now).await {
                    tracing::warn!(case = %case.id, %error, "citizen not told of the escalation");
                    summary.citizen_notice_failures += 1;
                }
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
        let close_at = self
            .sla
            .calendar
            .deadline(case.clock_started_at, self.auto_close_working_days);
        if close_at > now {
            return Ok(());
        }
        let note = format!(
            "Ditutup otomatis: pelapor tidak menjawab konfirmasi dalam {} hari kerja.",
            self.auto_close_working_days
        );
        let event = match case.transition(Transition::Close, Actor::System, Some(note), &self.sla, now) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(case = %case.id, %error, "cannot auto-close");
                summary.errors += 1;
                return Ok(());
            }
        };
        match self.store.save_case(case, std::slice::from_ref(&event)).await {
            Ok(()) => summary.auto_closed += 1,
            Err(e) if e.is_conflict() => {
                summary.conflicts += 1;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        if let Err(error) = self.citizen.auto_closed(case, &event, now).await {
            tracing::warn!(case = %case.id, %error, "citizen not told of the auto-close");
            summary.citizen_notice_failures += 1;
        }
        Ok(())
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
            match entry.kind.as_str() {
                keys::OUTBOX_ESCALATION => {
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
                // TODO(lead): pending WhatsApp messages. Dispatch to
                // `CitizenMessenger::retry(&self, entry: &OutboxEntry, now)` once it
                // exists; until then they are counted and left for it.
                keys::OUTBOX_WHATSAPP => summary.outbox_other += 1,
                _ => summary.outbox_other += 1,
            }
        }
        Ok(())
    }
}
