//! The jurisdiction tree (kota → kecamatan → kelurahan → RW → RT, plus agencies),
//! its stable path ids, and matching a citizen's free text to a kelurahan.

mod path;

pub use path::{JurisdictionPath, PathError};
