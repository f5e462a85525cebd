//! The soak: a seeded storm of signed WhatsApp deliveries (redeliveries,
//! messages overtaking each other, bursts) through a local Lambda Runtime
//! API to real webhook processes, while officials act through real
//! case-updates processes and the digest and SLA sweep run; then every
//! counted invariant is checked on what it left behind.
//!
//! `aduan-soak` (the binary) runs the full load; `tests/soak.rs` a small one
//! in `make test`.

pub mod check;
pub mod officials;
pub mod report;
pub mod run;
pub mod scenario;
