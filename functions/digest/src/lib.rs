//! The digest function: daily digests for officials, the hourly SLA sweep,
//! and, every few minutes, the retry of pending WhatsApp messages and the
//! registered officials' notices of new cases.
//! `main.rs` only wires; everything here is testable with a real event.

pub mod config;
mod erased_files;
pub mod job;
pub mod new_cases;
pub mod run_digest;
pub mod sweep;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use aduan_shared::archive::MediaArchive;
use aduan_shared::config::media::MediaConfig;
use aduan_shared::config::messaging::{self, Messaging};
use aduan_shared::config::policy::Policy;
use aduan_shared::config::{CommonConfig, ConfigError, Env};
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::notify::citizen::CitizenMessenger;
use aduan_shared::notify::officials::OfficialNotifier;
use aduan_shared::notify::{EscalationNotifier, RetryPolicy, SnsPublisher};
use aduan_shared::store::{Store, StoreError};
use chrono::{DateTime, Days, Utc};
use serde_json::Value;

use crate::config::DigestConfig;
pub use job::{parse_job, Job, JobError};

/// Everything built once per cold start.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub sns: SnsPublisher,
    pub escalations: EscalationNotifier,
    /// Tells citizens what the sweep did, and retries what did not go out.
    pub messenger: CitizenMessenger,
    /// Tells registered officials on WhatsApp of cases new at their tier
    /// and of the sweep's escalations to them.
    pub officials: OfficialNotifier,
    pub digest_topic_arn: String,
    pub tree: Arc<Jurisdictions>,
    /// The ladder, and the SLA (calendar, allowances incl. the working days
    /// a resolved case waits for the citizen before the sweep closes it).
    pub policy: Policy,
    /// Fetches citizens' files the webhook left pending (with a media bucket).
    pub media: Option<MediaArchive>,
}

impl App {
    /// Builds the clients from `env`: the messaging secrets are resolved in
    /// the same SSM call as the common ones.
    pub async fn from_config(env: &Env, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let (common, secrets) = CommonConfig::from_env(env, sdk, &[], messaging::OPTIONAL_SECRETS).await?;
        let policy = Policy::from_env(env)?;
        let own = DigestConfig::load(env)?;
        let outgoing = Messaging::load(env, &secrets)?;
        let tree = common.jurisdictions.clone();
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(sdk),
            common.table_name.clone(),
            policy.sla.calendar.clone(),
        )
        .with_contact_retention(policy.privacy.contact_retention);
        let sns = SnsPublisher::new(aws_sdk_sns::Client::new(sdk));
        let escalations =
            EscalationNotifier::new(sns.clone(), store.clone(), common.escalation_topic_arn.clone())
                .with_console_base_url(own.console_base_url.clone())
                .with_offset(policy.sla.calendar.offset())
                .with_retry(RetryPolicy {
                    max_attempts: own.outbox_max_attempts,
                    ..RetryPolicy::default()
                });
        let media = MediaConfig::load(env)?
            .map(|config| MediaArchive::new(&config, sdk, outgoing.api.media_downloader()));
        let officials = outgoing.official_notifier(
            &common.reporter_keys,
            tree.clone(),
            policy.sla.calendar.offset(),
            policy.duplicates.clone(),
        );
        let messenger = outgoing.into_messenger(Arc::new(common.reporter_keys), tree.clone());
        Ok(Self {
            store,
            sns,
            escalations,
            messenger,
            officials,
            digest_topic_arn: common.digest_topic_arn,
            tree,
            policy,
            media,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Job(#[from] JobError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Some nodes' digests were not published, or some officials' copies
    /// not sent on WhatsApp (their claims released): the invocation fails so
    /// that the schedule's retry sends them, and only them (the others are
    /// recorded as sent).
    #[error(
        "{failed} of {nodes} digests not published, {whatsapp_failed} officials' WhatsApp copies not sent; \
         a retry of the day sends them"
    )]
    DigestsUnpublished {
        failed: usize,
        nodes: usize,
        whatsapp_failed: usize,
    },
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

    /// Time left before work must stop (zero once exhausted).
    pub fn remaining(&self) -> StdDuration {
        self.stop_at.saturating_duration_since(Instant::now())
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
                    self.policy
                        .sla
                        .calendar
                        .local_date(now)
                        .checked_sub_days(Days::new(1))
                        .expect("a valid date")
                });
                let summary = self.daily_digest(day, now).await?;
                if summary.failed > 0 || summary.whatsapp_failed > 0 {
                    return Err(HandlerError::DigestsUnpublished {
                        failed: summary.failed,
                        nodes: summary.nodes,
                        whatsapp_failed: summary.whatsapp_failed,
                    });
                }
                serde_json::to_value(summary)
            }
            Job::SlaSweep => serde_json::to_value(self.sla_sweep(now, budget).await?),
            Job::MessageRetry => serde_json::to_value(self.message_retry(now, budget).await),
        };
        Ok(summary.expect("summaries serialise"))
    }
}
