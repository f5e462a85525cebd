//! The serde shapes of a jurisdiction tree file, `config/jurisdictions/<kota>.json`:
//!
//! ```json
//! {
//!   "note": "optional free text",
//!   "kota": {"name": "Kota Bukittinggi", "slug": "bukittinggi", "aliases": []},
//!   "kecamatan": [{
//!     "name": "Guguk Panjang", "slug": "guguk-panjang", "aliases": ["Guguak Panjang"],
//!     "kelurahan": [{
//!       "name": "Kayu Kubu", "slug": "kayu-kubu", "aliases": [],
//!       "rw": [{"number": 1, "rt": [1, 2, 3]}]
//!     }]
//!   }],
//!   "agencies": [{"slug": "pupr", "name": "Dinas Pekerjaan Umum dan Penataan Ruang",
//!                 "short": "PUPR", "categories": ["jalan", "drainase"]}],
//!   "landmarks": [{"name": "Jam Gadang", "aliases": [],
//!                  "kelurahan": "bukittinggi/guguk-panjang/benteng-pasar-atas",
//!                  "verified": true, "source": "where it was checked"}]
//! }
//! ```
//!
//! A landmark is a place citizens name instead of their kelurahan; its
//! `verified` says whether the kelurahan it stands in was checked (a source
//! is then required), so the people editing the file know what to confirm.
//!
//! `aliases`, `rw`, `rt`, `agencies` and `landmarks` may be left out. RW and RT nodes get the
//! path segments `rw-01` and `rt-01` (zero-padded to two digits).
//!
//! Only the file's shape is checked here (unknown fields are refused);
//! `load.rs` validates the entries and builds the tree.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigFile {
    /// Free text for the people editing the file; ignored.
    #[serde(default)]
    #[allow(dead_code)]
    pub(super) note: Option<String>,
    pub(super) kota: KotaEntry,
    pub(super) kecamatan: Vec<AreaEntry>,
    #[serde(default)]
    pub(super) agencies: Vec<AgencyEntry>,
    #[serde(default)]
    pub(super) landmarks: Vec<LandmarkEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LandmarkEntry {
    pub(super) name: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    /// The path of the kelurahan it stands in.
    pub(super) kelurahan: String,
    pub(super) verified: bool,
    #[serde(default)]
    pub(super) source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KotaEntry {
    pub(super) name: String,
    pub(super) slug: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AreaEntry {
    pub(super) name: String,
    pub(super) slug: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    pub(super) kelurahan: Vec<KelurahanEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KelurahanEntry {
    pub(super) name: String,
    pub(super) slug: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    #[serde(default)]
    pub(super) rw: Vec<RwEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RwEntry {
    pub(super) number: u32,
    #[serde(default)]
    pub(super) rt: Vec<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AgencyEntry {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) short: String,
    pub(super) categories: Vec<String>,
}
