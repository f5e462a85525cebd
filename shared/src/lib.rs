//! Aduan's shared library: the domain (no AWS types), and the adapters the
//! Lambda functions wire together.

pub mod config;
pub mod domain;
pub mod store;
