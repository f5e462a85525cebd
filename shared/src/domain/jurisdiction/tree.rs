//! The jurisdiction tree: kota → kecamatan → kelurahan (→ RW → RT), plus the
//! kota's agencies under `<kota>/dinas/<slug>`, and its lookups. Loading and
//! validating a tree file is `load.rs`; matching a citizen's text to a node,
//! `matching.rs`.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::path::JurisdictionPath;
use crate::domain::words::words_of;

/// The path segment under the kota that holds the agencies.
pub const AGENCY_SEGMENT: &str = "dinas";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Kota,
    Kecamatan,
    Kelurahan,
    Rw,
    Rt,
    Agency,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Kota => "kota",
            NodeKind::Kecamatan => "kecamatan",
            NodeKind::Kelurahan => "kelurahan",
            NodeKind::Rw => "rw",
            NodeKind::Rt => "rt",
            NodeKind::Agency => "agency",
        }
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One node of the tree. `short` and `categories` are set for agencies only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub path: JurisdictionPath,
    /// Display name, e.g. "Manggis Ganting", "RW 01", "Dinas Perhubungan".
    pub name: String,
    pub kind: NodeKind,
    /// Other spellings citizens use (matched like the name).
    pub aliases: Vec<String>,
    /// An agency's short name, e.g. "PUPR".
    pub short: Option<String>,
    /// An agency's categories: lowercase words, e.g. "lalu lintas".
    pub categories: Vec<String>,
}

impl Node {
    pub fn slug(&self) -> &str {
        self.path.last_segment()
    }

    /// How people name it: "Kelurahan Garegeh", "Kecamatan Guguk Panjang";
    /// the kota, RW, RT and agencies by their own names.
    pub fn display_name(&self) -> String {
        match self.kind {
            NodeKind::Kelurahan => format!("Kelurahan {}", self.name),
            NodeKind::Kecamatan => format!("Kecamatan {}", self.name),
            NodeKind::Rw | NodeKind::Rt | NodeKind::Kota | NodeKind::Agency => self.name.clone(),
        }
    }
}

/// A kecamatan's or kelurahan's name or alias, pre-normalised at load time to
/// `" word word "` (a space before and after every word): what matching
/// looks for in a citizen's text.
#[derive(Debug, Clone)]
pub(super) struct MatchName {
    pub(super) pattern: String,
    pub(super) node: usize,
    pub(super) kind: NodeKind,
    /// Its letters and digits, and its words: counted once, since the typo
    /// matcher compares every name with every run of a message's words.
    pub(super) letters: usize,
    pub(super) words: usize,
}

impl MatchName {
    /// `pattern` as `push_words` made it, after a space: `" word word "`.
    pub(super) fn new(pattern: String, node: usize, kind: NodeKind) -> Self {
        debug_assert!(pattern.len() >= 3 && pattern.starts_with(' ') && pattern.ends_with(' '));
        Self {
            letters: pattern.bytes().filter(u8::is_ascii_alphanumeric).count(),
            words: pattern.split_whitespace().count(),
            pattern,
            node,
            kind,
        }
    }

    /// The words without the spaces around them, as a run of a message's
    /// words reads.
    pub(super) fn bare(&self) -> &str {
        &self.pattern[1..self.pattern.len() - 1]
    }
}

#[derive(Debug, Clone)]
pub(super) struct KecamatanIndex {
    pub(super) node: usize,
    pub(super) kelurahan: Vec<usize>,
}

/// A kota's jurisdiction tree, validated and pre-normalised for matching.
/// Made by `bukittinggi`, `load` and `from_json` (in `load.rs`); the fields
/// are `pub(super)` for that builder and for the matcher.
#[derive(Debug, Clone)]
pub struct Jurisdictions {
    /// Every node: the kota first, then each kecamatan followed by its
    /// kelurahan (each followed by its RW and RT), then the agencies.
    pub(super) nodes: Vec<Node>,
    pub(super) by_path: HashMap<String, usize>,
    pub(super) kecamatan: Vec<KecamatanIndex>,
    pub(super) kelurahan: Vec<usize>,
    pub(super) agencies: Vec<usize>,
    /// (category, agency node), in config order.
    pub(super) categories: Vec<(String, usize)>,
    /// Kecamatan and kelurahan names and aliases, pre-normalised.
    pub(super) names: Vec<MatchName>,
}

impl Jurisdictions {
    pub fn kota(&self) -> &Node {
        &self.nodes[0]
    }

    pub fn node(&self, path: &JurisdictionPath) -> Option<&Node> {
        self.node_by_str(path.as_str())
    }

    fn node_by_str(&self, path: &str) -> Option<&Node> {
        self.by_path.get(path).map(|&i| &self.nodes[i])
    }

    pub fn contains(&self, path: &JurisdictionPath) -> bool {
        self.by_path.contains_key(path.as_str())
    }

    /// Every node: kota, kecamatan, kelurahan, RW, RT and agencies.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The kecamatan, in config order.
    pub fn kecamatan(&self) -> impl Iterator<Item = &Node> + '_ {
        self.kecamatan.iter().map(|k| &self.nodes[k.node])
    }

    /// The kelurahan of a kecamatan, in config order; empty if `kecamatan` is
    /// not a kecamatan of this tree.
    pub fn kelurahan_of(&self, kecamatan: &JurisdictionPath) -> Vec<&Node> {
        self.kecamatan
            .iter()
            .find(|k| self.nodes[k.node].path == *kecamatan)
            .map(|k| k.kelurahan.iter().map(|&i| &self.nodes[i]).collect())
            .unwrap_or_default()
    }

    /// Every kelurahan, kecamatan by kecamatan, in config order.
    pub fn all_kelurahan(&self) -> impl Iterator<Item = &Node> + '_ {
        self.kelurahan.iter().map(|&i| &self.nodes[i])
    }

    /// The agencies (`<kota>/dinas/<slug>`), in config order.
    pub fn agencies(&self) -> impl Iterator<Item = &Node> + '_ {
        self.agencies.iter().map(|&i| &self.nodes[i])
    }

    /// Every agency category, in config order.
    pub fn categories(&self) -> impl Iterator<Item = &str> + '_ {
        self.categories.iter().map(|(c, _)| c.as_str())
    }

    /// The agency handling a category; case, punctuation and spacing are ignored
    /// ("Lalu-Lintas" finds "lalu lintas").
    pub fn agency_for_category(&self, category: &str) -> Option<&Node> {
        let wanted = words_of(category);
        self.categories
            .iter()
            .find(|(c, _)| *c == wanted)
            .map(|&(_, i)| &self.nodes[i])
    }

    /// The kecamatan a path lies in (a kecamatan is its own), if it is a
    /// kecamatan of this tree or below one.
    pub fn kecamatan_of(&self, path: &JurisdictionPath) -> Option<&Node> {
        let raw = path.as_str();
        let end = raw.match_indices('/').nth(1).map_or(raw.len(), |(i, _)| i);
        self.node_by_str(&raw[..end])
            .filter(|node| node.kind == NodeKind::Kecamatan)
    }

    /// Where a case belongs while its kelurahan is unknown: the narrowest node
    /// known, i.e. the receiving number's kecamatan if it is one of this tree's
    /// (or lies in one), else the kota. Always somebody's queue.
    pub fn home_for(&self, receiving_kecamatan: Option<&JurisdictionPath>) -> JurisdictionPath {
        receiving_kecamatan
            .and_then(|path| self.kecamatan_of(path))
            .unwrap_or_else(|| self.kota())
            .path
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::jurisdiction::path::is_slug;
    use crate::domain::words::slugify;

    fn p(s: &str) -> JurisdictionPath {
        JurisdictionPath::parse(s).unwrap()
    }

    fn tree() -> &'static Jurisdictions {
        Jurisdictions::bukittinggi()
    }

    #[test]
    fn shipped_file_has_3_kecamatan_and_24_kelurahan() {
        let t = tree();
        assert_eq!(t.kota().path, p("bukittinggi"));
        assert_eq!(t.kota().kind, NodeKind::Kota);
        assert_eq!(t.kecamatan().count(), 3);
        assert_eq!(t.all_kelurahan().count(), 24);
        let per: Vec<usize> = t.kecamatan().map(|k| t.kelurahan_of(&k.path).len()).collect();
        assert_eq!(per, [9, 7, 8]);
        let kec: Vec<&str> = t.kecamatan().map(|k| k.path.as_str()).collect();
        assert_eq!(
            kec,
            [
                "bukittinggi/mandiangin-koto-selayan",
                "bukittinggi/guguk-panjang",
                "bukittinggi/aur-birugo-tigo-baleh"
            ]
        );
        for path in [
            "bukittinggi/mandiangin-koto-selayan/garegeh",
            "bukittinggi/aur-birugo-tigo-baleh/birugo",
            "bukittinggi/aur-birugo-tigo-baleh/kubu-tanjung",
            "bukittinggi/guguk-panjang/kayu-kubu",
            "bukittinggi/mandiangin-koto-selayan/manggis-ganting",
        ] {
            let node = t.node(&p(path)).unwrap_or_else(|| panic!("{path} missing"));
            assert_eq!(node.kind, NodeKind::Kelurahan);
            assert!(t.contains(&p(path)));
        }
        assert_eq!(
            t.node(&p("bukittinggi/aur-birugo-tigo-baleh/birugo"))
                .unwrap()
                .name,
            "Birugo"
        );
        assert!(!t.contains(&p("bukittinggi/aur-birugo-tigo-baleh/kubu")));
        assert!(!t.contains(&p("padang")));
    }

    #[test]
    fn every_slug_is_valid_and_every_kelurahan_is_within_its_kecamatan() {
        let t = tree();
        for node in t.nodes() {
            for segment in node.path.segments() {
                assert!(is_slug(segment), "{}", node.path);
            }
        }
        for node in t.nodes().iter().filter(|n| n.kind != NodeKind::Agency) {
            // Shipped ids happen to be the slugs of today's names.
            let expected = if node.kind == NodeKind::Kota {
                "bukittinggi".to_owned()
            } else {
                slugify(&node.name)
            };
            assert_eq!(node.slug(), expected);
        }
        for kec in t.kecamatan() {
            assert_eq!(kec.path.parent(), Some(t.kota().path.clone()));
            for kel in t.kelurahan_of(&kec.path) {
                assert!(kel.path.is_within(&kec.path), "{}", kel.path);
                assert_eq!(kel.path.depth(), 3);
                assert_eq!(t.kecamatan_of(&kel.path), Some(kec));
            }
        }
        // nodes(): kota + 3 + 24 + agencies, no RW/RT shipped.
        assert_eq!(t.nodes().len(), 1 + 3 + 24 + t.agencies().count());
    }

    #[test]
    fn kecamatan_of_and_home_for() {
        let t = tree();
        let gp = p("bukittinggi/guguk-panjang");
        assert_eq!(
            t.kecamatan_of(&p("bukittinggi/guguk-panjang/kayu-kubu"))
                .unwrap()
                .path,
            gp
        );
        assert_eq!(t.kecamatan_of(&gp).unwrap().path, gp);
        assert_eq!(t.kecamatan_of(&p("bukittinggi")), None);
        assert_eq!(t.kecamatan_of(&p("bukittinggi/dinas/pupr")), None);
        assert_eq!(t.kecamatan_of(&p("bukittinggi/nowhere/kayu-kubu")), None);

        assert_eq!(t.home_for(Some(&gp)), gp);
        assert_eq!(t.home_for(None), p("bukittinggi"));
        assert_eq!(t.home_for(Some(&p("bukittinggi/nowhere"))), p("bukittinggi"));
        assert_eq!(t.home_for(Some(&p("padang/guguk-panjang"))), p("bukittinggi"));
        assert_eq!(t.home_for(Some(&p("bukittinggi/dinas/pupr"))), p("bukittinggi"));
        assert_eq!(t.kelurahan_of(&p("bukittinggi/nowhere")), Vec::<&Node>::new());
    }

    #[test]
    fn agencies_and_categories() {
        let t = tree();
        let pupr = t.agency_for_category("jalan").unwrap();
        assert_eq!(pupr.path, p("bukittinggi/dinas/pupr"));
        assert_eq!(pupr.kind, NodeKind::Agency);
        assert_eq!(pupr.short.as_deref(), Some("PUPR"));
        assert_eq!(pupr.name, "Dinas Pekerjaan Umum dan Penataan Ruang");
        assert_eq!(t.node(&pupr.path), Some(pupr));
        assert_eq!(t.agency_for_category(" Lalu-Lintas ").unwrap().slug(), "dishub");
        assert_eq!(t.agency_for_category("SAMPAH").unwrap().slug(), "dlh");
        assert_eq!(
            t.agency_for_category("pedagang kaki lima").unwrap().slug(),
            "satpol-pp"
        );
        assert_eq!(t.agency_for_category("ktp").unwrap().slug(), "dukcapil");
        assert_eq!(t.agency_for_category("kesehatan").unwrap().slug(), "dinkes");
        assert_eq!(t.agency_for_category("pendidikan").unwrap().slug(), "disdik");
        assert_eq!(t.agency_for_category("lalu"), None);
        assert_eq!(t.agency_for_category(""), None);
        for agency in t.agencies() {
            assert!(agency.path.is_within(&p("bukittinggi/dinas")));
            assert!(!agency.categories.is_empty());
            for c in &agency.categories {
                assert_eq!(t.agency_for_category(c), Some(agency));
            }
        }
        assert!(t.categories().any(|c| c == "drainase"));
        assert_eq!(
            t.categories().count(),
            t.agencies().map(|a| a.categories.len()).sum::<usize>()
        );
    }
}
