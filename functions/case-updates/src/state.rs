//! What every request needs, built once at cold start.

use std::sync::Arc;

use aduan_shared::archive::MediaBucket;
use aduan_shared::config::audit;
use aduan_shared::config::media::MediaConfig;
use aduan_shared::config::messaging::{self, Messaging};
use aduan_shared::config::policy::Policy;
use aduan_shared::config::{CommonConfig, ConfigError, Env, Secrets};
use aduan_shared::domain::audit::AuditRetention;
use aduan_shared::domain::duplicates::DuplicateRules;
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::notify::officials::OfficialNotifier;
use aduan_shared::notify::{EscalationNotifier, SnsPublisher};
use aduan_shared::store::Store;

use aduan_shared::domain::reporter::ReporterKeys;
use chrono::Duration;

use crate::outbound::Citizens;
use crate::units_cache::UnitsCache;

pub struct AppState {
    pub store: Store,
    pub tree: Arc<Jurisdictions>,
    pub ladder: Ladder,
    pub sla: SlaPolicy,
    /// Publishes escalations to officials (SNS), leaving failures to the sweep.
    pub escalations: EscalationNotifier,
    /// Tells citizens on WhatsApp what happened to their case.
    pub citizens: Citizens,
    /// Tells registered officials on WhatsApp of a case forwarded or
    /// escalated to them.
    pub officials: OfficialNotifier,
    /// Citizens' files, with a media bucket configured (presigned URLs only).
    pub media: Option<MediaBucket>,
    /// The reporters' keys: the contact key seals and opens RW and RT heads'
    /// and registered officials' numbers; the hasher gives an official's
    /// number the key their messages are recognised by.
    pub keys: ReporterKeys,
    /// Each kelurahan's units, read at most every `UNITS_CACHE_SECONDS`.
    pub units: UnitsCache,
    /// How long officials' reads and acts stay in the audit.
    pub audit_retention: AuditRetention,
    /// Which cases are suggested as a case's duplicates.
    pub duplicates: DuplicateRules,
}

/// How long a kelurahan's units are kept before they are read again.
pub const UNITS_CACHE_SECONDS: &str = "UNITS_CACHE_SECONDS";

impl AppState {
    /// Builds the clients from `env` and `sdk`; the messaging secrets are
    /// resolved in the same SSM call as the common ones.
    pub async fn from_config(env: &Env, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let (config, secrets) = CommonConfig::from_env(env, sdk, &[], messaging::OPTIONAL_SECRETS).await?;
        Self::from_parts(env, sdk, &config, &secrets)
    }

    /// From configuration already resolved: the webhook carries officials'
    /// WhatsApp commands out through this state, with the secrets it read.
    pub fn from_parts(
        env: &Env,
        sdk: &aws_config::SdkConfig,
        config: &CommonConfig,
        secrets: &Secrets,
    ) -> Result<Self, ConfigError> {
        let Policy {
            ladder,
            sla,
            privacy,
            duplicates,
            ..
        } = Policy::from_env(env)?;
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(sdk),
            config.table_name.clone(),
            sla.calendar.clone(),
        )
        .with_contact_retention(privacy.contact_retention);
        let escalations = EscalationNotifier::new(
            SnsPublisher::new(aws_sdk_sns::Client::new(sdk)),
            store.clone(),
            config.escalation_topic_arn.clone(),
        )
        .with_offset(sla.calendar.offset());
        // Without a token, sends fail and stay pending (visible on the case).
        let messaging = Messaging::load(env, secrets)?;
        let officials = messaging.official_notifier(
            &config.reporter_keys,
            config.jurisdictions.clone(),
            sla.calendar.offset(),
            duplicates.clone(),
        );
        let citizens = Citizens::new(messaging.into_messenger(
            Arc::new(config.reporter_keys.clone()),
            config.jurisdictions.clone(),
        ));
        Ok(Self {
            store,
            tree: config.jurisdictions.clone(),
            ladder,
            sla,
            escalations,
            citizens,
            officials,
            media: MediaConfig::load(env)?.map(|media| MediaBucket::new(sdk, media.bucket)),
            keys: config.reporter_keys.clone(),
            units: UnitsCache::new(Duration::seconds(
                env.parse_optional(UNITS_CACHE_SECONDS, 300u32)?.into(),
            )),
            audit_retention: audit::retention(env)?,
            duplicates,
        })
    }
}
