//! The digest function: daily digests for officials and the hourly SLA sweep.
//! `main.rs` only wires; everything here is testable with a real event.

pub mod citizen;
pub mod config;
pub mod job;
pub mod run_digest;
pub mod sweep;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::notify::{EscalationNotifier, SnsPublisher};
use aduan_shared::store::{Store, StoreError};
use chrono::{DateTime, Days, Utc};
use serde_json::Value;

pub use citizen::CitizenNotice;
pub use job::{parse_job, Job, JobError};

/// Everything built once per cold start.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub sns: SnsPublisher,
    pub escalations: EscalationNotifier,
    pub digest_topic_arn: String,
    pub tree: Arc<Jurisdictions>,
    pub ladder: Ladder,
    /// `calendar` (time zone, holidays) and the allowances.
    pub sla: SlaPolicy,
    /// Working days a resolved case waits for the citizen before the sweep closes it.
    pub auto_close_working_days: u32,
    pub citizen: Arc<dyn CitizenNotice>,
}

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Job(#[from] JobError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How long before the invocation's deadline the sweep stops starting work.
pub const SAFETY_MARGIN: StdDuration = StdDuration::from_secs(5);

/// When to stop starting new work.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    stop_at: Instant,
}

impl Budget {
    /// Stops [`SAFETY_MARGIN`] before `remaining` runs out.
    pub fn from_remaining(remaining: StdDuration) -> Self {
        Self {
            stop_at: Instant::now() + remaining.saturating_sub(SAFETY_MARGIN),
        }
    }

    /// From the Lambda context's deadline.
    pub fn from_deadline(deadline: std::time::SystemTime) -> Self {
        let remaining = deadline
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        Self::from_remaining(remaining)
    }

    pub fn unlimited() -> Self {
        Self::from_remaining(StdDuration::from_secs(3600))
    }

    pub fn exhausted(&self) -> bool {
        Instant::now() >= self.stop_at
    }
}

impl App {
    /// Handles one invocation: a schedule's `Input` (or an EventBridge event
    /// carrying it in `detail`). Returns a JSON summary of what was done; an
    /// unknown job is an error and does nothing.
    pub async fn handle(
        &self,
        event: &Value,
        now: DateTime<Utc>,
        budget: Budget,
    ) -> Result<Value, HandlerError> {
        let job = parse_job(event)?;
        let summary = match job {
            Job::DailyDigest { day } => {
                let day = day.unwrap_or_else(|| {
                    self.sla
                        .calendar
                        .local_date(now)
                        .checked_sub_days(Days::new(1))
                        .expect("a valid date")
                });
                serde_json::to_value(self.daily_digest(day, now).await?)
            }
            Job::SlaSweep => serde_json::to_value(self.sla_sweep(now, budget).await?),
        };
        Ok(summary.expect("summaries serialise"))
    }
}
