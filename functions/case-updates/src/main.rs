//! The officials' API Lambda: wiring only. Configuration and clients are
//! built once per cold start; [`case_updates::handler`] does the work.

use std::sync::Arc;

use aduan_shared::archive::MediaBucket;
use aduan_shared::config::media::MediaConfig;
use aduan_shared::config::messaging::{self, Messaging};
use aduan_shared::config::policy::Policy;
use aduan_shared::config::{aws_sdk_config, CommonConfig, Env};
use aduan_shared::notify::{EscalationNotifier, SnsPublisher};
use aduan_shared::store::Store;
use case_updates::outbound::Citizens;
use case_updates::state::AppState;
use lambda_http::{service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_current_span(false)
        .without_time()
        .init();

    let env = Env::from_process();
    let sdk = aws_sdk_config().await;
    let (config, secrets) = CommonConfig::from_env(&env, &sdk, &[], messaging::OPTIONAL_SECRETS).await?;
    let Policy { ladder, sla, .. } = Policy::from_env(&env)?;
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        config.table_name.clone(),
        sla.calendar.clone(),
    );
    let escalations = EscalationNotifier::new(
        SnsPublisher::new(aws_sdk_sns::Client::new(&sdk)),
        store.clone(),
        config.escalation_topic_arn.clone(),
    )
    .with_offset(sla.calendar.offset());
    // Without a token, sends fail and stay pending (visible on the case).
    let messaging = Messaging::load(&env, &secrets)?;
    let citizens = Citizens::new(messaging.into_messenger(
        store.clone(),
        Arc::new(config.reporter_keys.clone()),
        config.jurisdictions.clone(),
    ));
    let state = Arc::new(AppState {
        store,
        tree: config.jurisdictions.clone(),
        ladder,
        sla,
        escalations,
        citizens,
        media: MediaConfig::load(&env)?.map(|media| MediaBucket::new(&sdk, media.bucket)),
    });
    lambda_http::run(service_fn(move |req: Request| {
        let state = Arc::clone(&state);
        async move { case_updates::handler(&state, req).await }
    }))
    .await
}
