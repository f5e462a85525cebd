//! The webhook: WhatsApp deliveries in (Meta, Twilio), cases and replies out.
//!
//! One inbound message reads as a straight line: verify → parse (`routes`)
//! → load → decide → plan (both pure, in `aduan_shared::conversation`) →
//! write once (`inbound`, through its storage port) → send (`routes`). A
//! registered official's message leaves that line after the first read, for
//! `officials`.

mod app;
mod inbound;
mod officials;
mod routes;

pub use app::{App, MetaWebhook, TwilioWebhook};
pub use inbound::Desk;
pub use routes::{handle, MAX_BODY};
