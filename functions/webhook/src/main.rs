//! The webhook Lambda: configuration and clients, built once per cold start.

use aduan_shared::config::{init_logs, lambda_sdk_config, Env};
use lambda_http::{run, service_fn, Error};

// One thread: Lambda hands a function one invocation at a time, on a share
// of a core; the multi-thread scheduler only adds wake-ups between threads
// (about a quarter more CPU per request, docs/performance.md). Concurrent
// requests still overlap on it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let env = Env::from_process();
    init_logs(&env, true)?;
    aduan_shared::panics::install_redacting_hook();
    let app = webhook::App::from_config(&env, &lambda_sdk_config(&env)).await?;
    let app = &app;
    run(service_fn(move |request| async move {
        Ok::<_, Error>(webhook::handle(app, request).await)
    }))
    .await
}
