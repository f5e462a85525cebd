//! The complaint desk's domain: pure types and rules, no I/O and no AWS types.

pub mod audit;
pub mod case;
pub mod citizen_text;
pub mod disposition;
pub mod duplicates;
pub mod evidence;
pub mod identity;
pub mod jurisdiction;
pub mod kind;
pub mod ladder;
pub mod language;
pub mod lifecycle;
pub mod limits;
pub mod merge;
pub mod official;
pub mod phone;
pub mod privacy;
pub mod public_photo;
pub mod public_record;
pub mod reclassify;
pub mod reporter;
pub mod sla;
pub mod ticket;
pub mod timeline;
mod words;
