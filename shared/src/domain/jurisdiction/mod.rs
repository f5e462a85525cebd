//! The jurisdiction tree (kota → kecamatan → kelurahan → RW → RT, plus agencies),
//! its stable path ids, and matching a citizen's free text to a kelurahan.
//!
//! Layers, each importing only those below it: `path` and the domain's
//! `words` (no dependencies), `tree_file` (the file's serde shapes), `tree` (the loaded
//! tree and its lookups), and on top `load` (parse, validate, build) and
//! `matching`.

mod load;
mod matching;
mod path;
mod tree;
mod tree_file;

pub use crate::domain::words::slugify;
pub use load::{ConfigProblem, JurisdictionConfigError};
pub use matching::{choose_by_number, KecamatanMatch, KelurahanMatch, NodeMatch};
pub use path::{is_slug, JurisdictionPath, PathError};
pub use tree::{Jurisdictions, Node, NodeKind, AGENCY_SEGMENT};
