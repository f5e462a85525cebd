//! Aduan's shared library: the domain (no AWS types), and the adapters the
//! Lambda functions wire together (feature `adapters`, on by default).

#[cfg(feature = "adapters")]
pub mod archive;
#[cfg(feature = "adapters")]
pub mod config;
pub mod conversation;
pub mod domain;
#[cfg(feature = "adapters")]
pub mod notify;
pub mod panics;
#[cfg(feature = "adapters")]
pub mod store;
pub mod texts;
pub mod whatsapp;
