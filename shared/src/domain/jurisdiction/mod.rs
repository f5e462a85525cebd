//! The jurisdiction tree (kota → kecamatan → kelurahan → RW → RT, plus agencies),
//! its stable path ids, and matching a citizen's free text to a kelurahan.
//!
//! Layers, each importing only those below it: `path` and the domain's
//! `words` (no dependencies), `tree_file` (the file's serde shapes), `tree` (the loaded
//! tree and its lookups), and on top `load` (parse, validate, build) and
//! `matching`; a kelurahan's RWs and RTs, kept in the table, are `units`.

mod load;
mod matching;
mod path;
mod tree;
mod tree_file;
mod units;

pub use crate::domain::words::slugify;
pub use load::{ConfigProblem, JurisdictionConfigError};
pub use matching::{choose_by_number, KecamatanMatch, KelurahanMatch, NodeMatch};
pub use path::{is_slug, JurisdictionPath, PathError};
pub use tree::{Jurisdictions, Node, NodeKind, AGENCY_SEGMENT};
pub use units::{
    parse_units_csv, CsvProblem, Unit, UnitError, UnitList, UnitNumber, UnitPath, CSV_HEADER, MAX_CSV_ROWS,
    MAX_HEAD_NAME,
};
