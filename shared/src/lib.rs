//! Aduan's shared library: the domain (no AWS types), and the adapters the
//! Lambda functions wire together.

pub mod archive;
pub mod config;
pub mod conversation;
pub mod domain;
pub mod notify;
pub mod panics;
pub mod store;
pub mod texts;
pub mod whatsapp;
