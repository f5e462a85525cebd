//! The digest Lambda: wiring only. Configuration and clients are built once
//! per cold start; each invocation is a scheduled job (see `digest::App`).

use std::sync::Arc;

use aduan_shared::config::{aws_sdk_config, CommonConfig, Env};
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::notify::{EscalationNotifier, RetryPolicy, SnsPublisher};
use aduan_shared::store::Store;
use aduan_shared::texts::Texts;
use digest::citizen::OutboxCitizenNotice;
use digest::config::DigestConfig;
use digest::{App, Budget};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .without_time()
        .init();

    let env = Env::from_process();
    let sdk = aws_sdk_config().await;
    let (common, _secrets) = CommonConfig::from_env(&env, &sdk, &[], &[]).await?;
    let own = DigestConfig::load(&env)?;
    let sla = own.sla();
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        common.table_name.clone(),
        sla.calendar.clone(),
    );
    let sns = SnsPublisher::new(aws_sdk_sns::Client::new(&sdk));
    let escalations =
        EscalationNotifier::new(sns.clone(), store.clone(), common.escalation_topic_arn.clone())
            .with_console_base_url(own.console_base_url.clone())
            .with_offset(sla.calendar.offset())
            .with_retry(RetryPolicy {
                max_attempts: own.outbox_max_attempts,
                ..RetryPolicy::default()
            });
    let app = Arc::new(App {
        citizen: Arc::new(OutboxCitizenNotice {
            store: store.clone(),
            texts: Texts::shipped(),
        }),
        store,
        sns,
        escalations,
        digest_topic_arn: common.digest_topic_arn.clone(),
        tree: common.jurisdictions.clone(),
        ladder: Ladder::default(),
        sla,
        auto_close_working_days: own.auto_close_working_days,
    });

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let app = app.clone();
        async move {
            let budget = Budget::from_deadline(event.context.deadline());
            let summary = app.handle(&event.payload, chrono::Utc::now(), budget).await?;
            Ok::<Value, Error>(summary)
        }
    }))
    .await
}
