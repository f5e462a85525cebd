//! The webhook Lambda: configuration and clients, built once per cold start.

use aduan_shared::config::{lambda_sdk_config, log_filter, Env};
use lambda_http::{run, service_fn, Error};
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
    let app = webhook::App::from_config(&env, &lambda_sdk_config(&env)).await?;
    let app = &app;
    run(service_fn(move |request| async move {
        Ok::<_, Error>(webhook::handle(app, request).await)
    }))
    .await
}
