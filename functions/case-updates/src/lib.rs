//! The officials' API: each official's queue and cases, scoped to their
//! jurisdiction, and the actions they take on them.
//!
//! [`handler`] is a plain async function of the state and an API Gateway
//! HTTP API request; `main` only wires it to the Lambda runtime.

pub mod audit;
pub mod auth;
pub mod error;
mod names;
pub mod outbound;
pub mod public;
pub mod routes;
pub mod state;
pub mod suggestions;
pub mod units_cache;
mod views;

pub use public::PUBLIC_ROUTES;
pub use routes::{handler, handler_at, route, Route, ROUTES};
pub use state::AppState;
