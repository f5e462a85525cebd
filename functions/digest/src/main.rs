//! The digest Lambda: wiring only. Configuration and clients are built once
//! per cold start; each invocation is a scheduled job (see `digest::App`).

use std::sync::Arc;

use aduan_shared::config::{init_logs, lambda_sdk_config, Env};
use digest::{App, Budget};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

// One thread: Lambda hands a function one invocation at a time, on a share
// of a core; the multi-thread scheduler only adds wake-ups between threads
// (about a quarter more CPU per request, docs/performance.md). Concurrent
// requests still overlap on it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let env = Env::from_process();
    init_logs(&env, true)?;
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
