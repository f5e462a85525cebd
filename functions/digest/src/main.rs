//! The digest Lambda: wiring only. Configuration and clients are built once
//! per cold start; each invocation is a scheduled job (see `digest::App`).

use std::sync::Arc;

use aduan_shared::config::{lambda_sdk_config, log_filter, Env};
use digest::{App, Budget};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

// One thread: Lambda hands a function one invocation at a time, on a share
// of a core; the multi-thread scheduler only adds wake-ups between threads
// (about a quarter more CPU per request, docs/performance.md). Concurrent
// requests still overlap on it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let env = Env::from_process();
    tracing_subscriber::fmt()
        .json()
        .without_time()
        .finish()
        .with(log_filter(&env)?)
        .init();
    aduan_shared::panics::install_redacting_hook();

    let app = Arc::new(App::from_config(&env, &lambda_sdk_config(&env)).await?);

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
