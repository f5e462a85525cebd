//! The complaint desk's domain: pure types and rules, no I/O and no AWS types.

pub mod jurisdiction;
pub mod reporter;
