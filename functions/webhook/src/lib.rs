//! The webhook: WhatsApp deliveries in (Meta, Twilio), cases and replies out.
//!
//! One inbound message reads as a straight line (`inbound.rs`): verify →
//! parse → load state → decide (pure, in `aduan_shared::conversation`) →
//! write once → reply.

mod app;
mod inbound;
mod routes;

pub use app::{App, MetaWebhook, TwilioWebhook};
pub use inbound::Desk;
pub use routes::{handle, MAX_BODY};
