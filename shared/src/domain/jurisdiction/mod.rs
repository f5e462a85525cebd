//! The jurisdiction tree (kota → kecamatan → kelurahan → RW → RT, plus agencies),
//! its stable path ids, and matching a citizen's free text to a kelurahan.

mod matching;
mod path;
mod tree;
mod words;

pub use matching::{choose_by_number, KecamatanMatch, KelurahanMatch, NodeMatch};
pub use path::{JurisdictionPath, PathError};
pub use tree::{
    is_slug, slugify, ConfigProblem, JurisdictionConfigError, Jurisdictions, Node, NodeKind, AGENCY_SEGMENT,
};
