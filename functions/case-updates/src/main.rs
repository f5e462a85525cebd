//! The officials' API Lambda: wiring only. Configuration and clients are
//! built once per cold start; [`case_updates::handler`] does the work.

use std::sync::Arc;

use aduan_shared::config::{init_logs, lambda_sdk_config, Env};
use case_updates::state::AppState;
use lambda_http::{service_fn, Error, Request};

// One thread: Lambda hands a function one invocation at a time, on a share
// of a core; the multi-thread scheduler only adds wake-ups between threads
// (about a quarter more CPU per request, docs/performance.md). Concurrent
// requests still overlap on it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let env = Env::from_process();
    init_logs(&env, false)?;
    aduan_shared::panics::install_redacting_hook();

    let state = Arc::new(AppState::from_config(&env, &lambda_sdk_config(&env)).await?);
    lambda_http::run(service_fn(move |req: Request| {
        let state = Arc::clone(&state);
        async move { case_updates::handler(&state, req).await }
    }))
    .await
}
