//! The functions' logs: JSON lines, without a time (CloudWatch stamps each
//! line), filtered by `RUST_LOG`.
//!
//! tracing's `Targets` rather than `EnvFilter`: the stack only ever sets
//! `target=level` directives and a default level (`LogLevel`'s mapping in
//! the template), and `EnvFilter`'s span and field filters link a regex
//! engine into every function.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use super::env::Env;
use super::ConfigError;

pub const RUST_LOG: &str = "RUST_LOG";

/// The filter `RUST_LOG` names (`info,webhook=debug`: a default level, then
/// levels by crate); errors only when it is unset. A value that is not such
/// a list stops the function at start, naming the variable, rather than
/// logging less than the city asked for.
pub fn log_filter(env: &Env) -> Result<Targets, ConfigError> {
    let Some(value) = env.optional(RUST_LOG) else {
        return Ok(Targets::new().with_default(LevelFilter::ERROR));
    };
    value.parse().map_err(|err| ConfigError::Invalid {
        name: RUST_LOG.to_owned(),
        reason: format!("{err} (give a level and target=level directives, e.g. info,webhook=debug)"),
    })
}

/// Installs the log subscriber, once in each function's `main`;
/// `current_span` adds the span a line was written in (the Lambda runtime's
/// invocation, with its request id).
pub fn init_logs(env: &Env, current_span: bool) -> Result<(), ConfigError> {
    tracing_subscriber::fmt()
        .json()
        .with_current_span(current_span)
        .without_time()
        .finish()
        .with(log_filter(env)?)
        .init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    fn filter(value: &str) -> Result<Targets, ConfigError> {
        log_filter(&Env::from_pairs([(RUST_LOG, value)]))
    }

    #[test]
    fn unset_or_empty_logs_errors_only() {
        for targets in [log_filter(&Env::from_pairs::<_, &str, &str>([])), filter("")] {
            let targets = targets.unwrap();
            assert!(targets.would_enable("webhook", &Level::ERROR));
            assert!(!targets.would_enable("webhook", &Level::WARN));
        }
    }

    #[test]
    fn a_default_level_and_levels_by_crate() {
        let targets = filter("info,webhook=debug,aduan_shared=debug").unwrap();
        assert!(targets.would_enable("webhook::routes", &Level::DEBUG));
        assert!(targets.would_enable("aduan_shared", &Level::DEBUG));
        assert!(!targets.would_enable("aws_smithy_runtime", &Level::DEBUG));
        assert!(targets.would_enable("aws_smithy_runtime", &Level::INFO));
    }

    #[test]
    fn a_value_that_is_no_filter_names_the_variable() {
        let err = filter("info,webhook=loud").unwrap_err();
        assert!(err.to_string().starts_with("RUST_LOG is invalid"), "{err}");
    }
}
