//! Loading a jurisdiction tree: parsing the file (`tree_file.rs`), validating
//! every entry, and building the `Jurisdictions` the rest of the code queries.
//! Every error names the file and, for a bad entry, where in it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use super::path::{is_slug, JurisdictionPath, PathError};
use super::tree::{Jurisdictions, KecamatanIndex, MatchName, Node, NodeKind, AGENCY_SEGMENT};
use super::tree_file::{ConfigFile, LandmarkEntry, RwEntry};
use crate::domain::words::{push_words, words_of};

const BUKITTINGGI_FILE: &str = "config/jurisdictions/bukittinggi.json";
const BUKITTINGGI_JSON: &str = include_str!("../../../../config/jurisdictions/bukittinggi.json");

/// A config file that cannot be used. Every variant names the file; semantic
/// problems also name the entry, e.g.
/// `config/x.json: kecamatan[1].kelurahan[3] ("Kayu Kubu"): slug "Kayu Kubu" is not a lowercase slug ...`.
#[derive(Debug, thiserror::Error)]
pub enum JurisdictionConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Malformed JSON, a missing or unknown field; serde's message carries line and column.
    #[error("{file}: {source}")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: {entry}: {problem}")]
    Entry {
        file: String,
        /// Where in the file, e.g. `kecamatan[1].kelurahan[3] ("Kayu Kubu")`.
        entry: String,
        problem: ConfigProblem,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    #[error("slug {0:?} is not a lowercase slug (a-z, 0-9 and single hyphens, e.g. \"kayu-kubu\")")]
    BadSlug(String),
    #[error("slug {0:?} is reserved for the agencies")]
    ReservedSlug(String),
    #[error("slug {slug:?} is also used by {other}")]
    DuplicateSlug { slug: String, other: String },
    #[error("name is empty")]
    EmptyName,
    #[error("{what} is empty or has no letters or digits")]
    Empty { what: &'static str },
    #[error(
        "{what} {text:?} is also a name or alias of {other}; a citizen's text could not tell them apart"
    )]
    DuplicateName {
        what: &'static str,
        text: String,
        other: String,
    },
    #[error("category {0:?} is not lowercase words (e.g. \"lalu lintas\")")]
    BadCategory(String),
    #[error("category {category:?} also belongs to {other}")]
    DuplicateCategory { category: String, other: String },
    #[error("number {0} is not a valid RW/RT number (1 or more)")]
    BadNumber(u32),
    #[error("number {number} is also used by {other}")]
    DuplicateNumber { number: u32, other: String },
    #[error("has no {0}")]
    NoChildren(&'static str),
    #[error("{0} is not a kelurahan of this tree")]
    NotAKelurahan(String),
    #[error("is marked verified but names no source")]
    NoSource,
    #[error("path is not valid: {0}")]
    Path(PathError),
}

// The constructors live beside the validation they run, so that tree.rs
// need not import its own builder.
impl Jurisdictions {
    /// The shipped Kota Bukittinggi tree (compiled in; parsed once).
    pub fn bukittinggi() -> &'static Jurisdictions {
        static TREE: OnceLock<Jurisdictions> = OnceLock::new();
        TREE.get_or_init(|| {
            Self::from_json(BUKITTINGGI_FILE, BUKITTINGGI_JSON)
                .unwrap_or_else(|err| panic!("the shipped jurisdiction config is invalid: {err}"))
        })
    }

    /// Loads a config file from disk; errors name `path`.
    pub fn load(path: &Path) -> Result<Self, JurisdictionConfigError> {
        let file = path.display().to_string();
        let json = std::fs::read_to_string(path).map_err(|source| JurisdictionConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Self::from_json(&file, &json)
    }

    /// Parses and validates a config; `source_name` (usually the file path)
    /// is what errors name.
    pub fn from_json(source_name: &str, json: &str) -> Result<Self, JurisdictionConfigError> {
        let config: ConfigFile =
            serde_json::from_str(json).map_err(|source| JurisdictionConfigError::Json {
                file: source_name.to_owned(),
                source,
            })?;
        Builder::new(source_name).build(config)
    }
}

struct Builder<'f> {
    file: &'f str,
    nodes: Vec<Node>,
    by_path: HashMap<String, usize>,
    /// Where each node came from in the file, for error messages.
    entries: Vec<String>,
    kecamatan: Vec<KecamatanIndex>,
    kelurahan: Vec<usize>,
    agencies: Vec<usize>,
    categories: Vec<(String, usize)>,
    names: Vec<MatchName>,
}

impl<'f> Builder<'f> {
    fn new(file: &'f str) -> Self {
        Self {
            file,
            nodes: Vec::new(),
            by_path: HashMap::new(),
            entries: Vec::new(),
            kecamatan: Vec::new(),
            kelurahan: Vec::new(),
            agencies: Vec::new(),
            categories: Vec::new(),
            names: Vec::new(),
        }
    }

    fn err(&self, entry: &str, problem: ConfigProblem) -> JurisdictionConfigError {
        JurisdictionConfigError::Entry {
            file: self.file.to_owned(),
            entry: entry.to_owned(),
            problem,
        }
    }

    fn build(mut self, config: ConfigFile) -> Result<Jurisdictions, JurisdictionConfigError> {
        let kota = config.kota;
        let entry = format!("kota ({:?})", kota.name);
        check_name(&kota.name).map_err(|p| self.err(&entry, p))?;
        check_slug(&kota.slug).map_err(|p| self.err(&entry, p))?;
        let kota_path =
            JurisdictionPath::parse(&kota.slug).map_err(|e| self.err(&entry, ConfigProblem::Path(e)))?;
        self.check_aliases(&entry, &kota.aliases)?;
        self.push(entry, kota_path.clone(), kota.name, NodeKind::Kota, kota.aliases);

        if config.kecamatan.is_empty() {
            return Err(self.err("kecamatan", ConfigProblem::NoChildren("kecamatan")));
        }
        for (k, kec) in config.kecamatan.into_iter().enumerate() {
            let entry = format!("kecamatan[{k}] ({:?})", kec.name);
            if kec.slug == AGENCY_SEGMENT {
                return Err(self.err(&entry, ConfigProblem::ReservedSlug(kec.slug)));
            }
            let path = self.child_path(&entry, &kota_path, &kec.name, &kec.slug)?;
            self.check_aliases(&entry, &kec.aliases)?;
            if kec.kelurahan.is_empty() {
                return Err(self.err(&entry, ConfigProblem::NoChildren("kelurahan")));
            }
            let kec_node = self.push(entry, path.clone(), kec.name, NodeKind::Kecamatan, kec.aliases);
            self.add_names(kec_node)?;
            let mut kelurahan = Vec::with_capacity(kec.kelurahan.len());

            for (l, kel) in kec.kelurahan.into_iter().enumerate() {
                let entry = format!("kecamatan[{k}].kelurahan[{l}] ({:?})", kel.name);
                let kel_path = self.child_path(&entry, &path, &kel.name, &kel.slug)?;
                self.check_aliases(&entry, &kel.aliases)?;
                let kel_node = self.push(
                    entry.clone(),
                    kel_path.clone(),
                    kel.name,
                    NodeKind::Kelurahan,
                    kel.aliases,
                );
                self.add_names(kel_node)?;
                kelurahan.push(kel_node);
                self.kelurahan.push(kel_node);
                self.add_rws(&entry, &kel_path, kel.rw)?;
            }
            self.kecamatan.push(KecamatanIndex {
                node: kec_node,
                kelurahan,
            });
        }

        let agency_root = kota_path
            .child(AGENCY_SEGMENT)
            .map_err(|e| self.err("agencies", ConfigProblem::Path(e)))?;
        for (a, agency) in config.agencies.into_iter().enumerate() {
            let entry = format!("agencies[{a}] ({:?})", agency.name);
            let path = self.child_path(&entry, &agency_root, &agency.name, &agency.slug)?;
            if agency.short.trim().is_empty() {
                return Err(self.err(&entry, ConfigProblem::Empty { what: "short" }));
            }
            if agency.categories.is_empty() {
                return Err(self.err(&entry, ConfigProblem::NoChildren("categories")));
            }
            let index = self.nodes.len();
            for category in &agency.categories {
                if words_of(category) != *category {
                    return Err(self.err(&entry, ConfigProblem::BadCategory(category.clone())));
                }
                if let Some(&(_, other)) = self.categories.iter().find(|(c, _)| c == category) {
                    let other = self.entries[other].clone();
                    return Err(self.err(
                        &entry,
                        ConfigProblem::DuplicateCategory {
                            category: category.clone(),
                            other,
                        },
                    ));
                }
                self.categories.push((category.clone(), index));
            }
            self.push(entry, path, agency.name, NodeKind::Agency, Vec::new());
            let node = &mut self.nodes[index];
            node.short = Some(agency.short);
            node.categories = agency.categories;
            self.agencies.push(index);
        }

        for (l, landmark) in config.landmarks.into_iter().enumerate() {
            let entry = format!("landmarks[{l}] ({:?})", landmark.name);
            self.add_landmark(&entry, landmark)?;
        }

        Ok(Jurisdictions {
            nodes: self.nodes,
            by_path: self.by_path,
            kecamatan: self.kecamatan,
            kelurahan: self.kelurahan,
            agencies: self.agencies,
            categories: self.categories,
            names: self.names,
        })
    }

    fn add_rws(
        &mut self,
        kel_entry: &str,
        kel_path: &JurisdictionPath,
        rws: Vec<RwEntry>,
    ) -> Result<(), JurisdictionConfigError> {
        for (r, rw) in rws.into_iter().enumerate() {
            let entry = format!("{kel_entry}.rw[{r}]");
            let rw_path = self.numbered_child(&entry, kel_path, "rw", rw.number)?;
            self.push(
                entry.clone(),
                rw_path.clone(),
                format!("RW {:02}", rw.number),
                NodeKind::Rw,
                Vec::new(),
            );
            for (t, rt) in rw.rt.into_iter().enumerate() {
                let entry = format!("{entry}.rt[{t}]");
                let rt_path = self.numbered_child(&entry, &rw_path, "rt", rt)?;
                self.push(entry, rt_path, format!("RT {rt:02}"), NodeKind::Rt, Vec::new());
            }
        }
        Ok(())
    }

    fn numbered_child(
        &self,
        entry: &str,
        parent: &JurisdictionPath,
        prefix: &str,
        number: u32,
    ) -> Result<JurisdictionPath, JurisdictionConfigError> {
        if number == 0 {
            return Err(self.err(entry, ConfigProblem::BadNumber(number)));
        }
        let path = parent
            .child(&format!("{prefix}-{number:02}"))
            .map_err(|e| self.err(entry, ConfigProblem::Path(e)))?;
        if let Some(&other) = self.by_path.get(path.as_str()) {
            let other = self.entries[other].clone();
            return Err(self.err(entry, ConfigProblem::DuplicateNumber { number, other }));
        }
        Ok(path)
    }

    /// Checks name and slug and that no sibling has the slug already.
    fn child_path(
        &self,
        entry: &str,
        parent: &JurisdictionPath,
        name: &str,
        slug: &str,
    ) -> Result<JurisdictionPath, JurisdictionConfigError> {
        check_name(name).map_err(|p| self.err(entry, p))?;
        check_slug(slug).map_err(|p| self.err(entry, p))?;
        let path = parent
            .child(slug)
            .map_err(|e| self.err(entry, ConfigProblem::Path(e)))?;
        if let Some(&other) = self.by_path.get(path.as_str()) {
            let other = self.entries[other].clone();
            return Err(self.err(
                entry,
                ConfigProblem::DuplicateSlug {
                    slug: slug.to_owned(),
                    other,
                },
            ));
        }
        Ok(path)
    }

    fn check_aliases(&self, entry: &str, aliases: &[String]) -> Result<(), JurisdictionConfigError> {
        for alias in aliases {
            if words_of(alias).is_empty() {
                return Err(self.err(entry, ConfigProblem::Empty { what: "alias" }));
            }
        }
        Ok(())
    }

    fn push(
        &mut self,
        entry: String,
        path: JurisdictionPath,
        name: String,
        kind: NodeKind,
        aliases: Vec<String>,
    ) -> usize {
        let index = self.nodes.len();
        self.by_path.insert(path.as_str().to_owned(), index);
        self.entries.push(entry);
        self.nodes.push(Node {
            path,
            name: name.trim().to_owned(),
            kind,
            aliases,
            short: None,
            categories: Vec::new(),
        });
        index
    }

    /// Registers a kecamatan's or kelurahan's name and aliases for matching.
    fn add_names(&mut self, index: usize) -> Result<(), JurisdictionConfigError> {
        let node = &self.nodes[index];
        let texts: Vec<(&'static str, String)> = std::iter::once(("name", node.name.clone()))
            .chain(node.aliases.iter().map(|a| ("alias", a.clone())))
            .collect();
        let entry = self.entries[index].clone();
        self.register(&entry, index, &texts)
    }

    /// A landmark's name and aliases, matched as its kelurahan's.
    fn add_landmark(&mut self, entry: &str, landmark: LandmarkEntry) -> Result<(), JurisdictionConfigError> {
        check_name(&landmark.name).map_err(|p| self.err(entry, p))?;
        self.check_aliases(entry, &landmark.aliases)?;
        if landmark.verified && landmark.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(self.err(entry, ConfigProblem::NoSource));
        }
        let kelurahan = self
            .by_path
            .get(landmark.kelurahan.as_str())
            .copied()
            .filter(|&i| self.nodes[i].kind == NodeKind::Kelurahan)
            .ok_or_else(|| self.err(entry, ConfigProblem::NotAKelurahan(landmark.kelurahan.clone())))?;
        let texts: Vec<(&'static str, String)> = std::iter::once(("name", landmark.name))
            .chain(landmark.aliases.into_iter().map(|a| ("alias", a)))
            .collect();
        self.register(entry, kelurahan, &texts)
    }

    /// Adds `texts` as names `node` answers to, refusing any that a node of
    /// the same kind already answers to (or that `entry` repeats).
    fn register(
        &mut self,
        entry: &str,
        index: usize,
        texts: &[(&'static str, String)],
    ) -> Result<(), JurisdictionConfigError> {
        let kind = self.nodes[index].kind;
        let mut added = Vec::new();
        for (what, text) in texts {
            let mut pattern = String::from(" ");
            push_words(text, &mut pattern);
            let clash = self
                .names
                .iter()
                .map(|n| (n, false))
                .chain(added.iter().map(|n| (n, true)))
                .find(|(n, _): &(&MatchName, bool)| n.pattern == pattern && self.nodes[n.node].kind == kind);
            if let Some((other, in_this_entry)) = clash {
                let other = if in_this_entry {
                    "this entry".to_owned()
                } else {
                    self.entries[other.node].clone()
                };
                return Err(self.err(
                    entry,
                    ConfigProblem::DuplicateName {
                        what,
                        text: text.clone(),
                        other,
                    },
                ));
            }
            added.push(MatchName::new(pattern, index, kind));
        }
        self.names.extend(added);
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), ConfigProblem> {
    if name.trim().is_empty() {
        Err(ConfigProblem::EmptyName)
    } else if words_of(name).is_empty() {
        Err(ConfigProblem::Empty { what: "name" })
    } else {
        Ok(())
    }
}

fn check_slug(slug: &str) -> Result<(), ConfigProblem> {
    if is_slug(slug) {
        Ok(())
    } else {
        Err(ConfigProblem::BadSlug(slug.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> JurisdictionPath {
        JurisdictionPath::parse(s).unwrap()
    }

    const FILE: &str = "config/x.json";

    fn load_err(json: &str) -> String {
        match Jurisdictions::from_json(FILE, json) {
            Ok(_) => panic!("loaded: {json}"),
            Err(err) => err.to_string(),
        }
    }

    /// A small valid config with `kelurahan` spliced into the second kecamatan.
    fn config(kelurahan: &str) -> String {
        format!(
            r#"{{
  "kota": {{"name": "Kota Contoh", "slug": "contoh"}},
  "kecamatan": [
    {{"name": "Utara", "slug": "utara", "kelurahan": [{{"name": "Satu", "slug": "satu"}}]}},
    {{"name": "Selatan", "slug": "selatan", "kelurahan": [
      {{"name": "Dua", "slug": "dua", "aliases": ["Duo"]}},
      {kelurahan}
    ]}}
  ],
  "agencies": [{{"slug": "pupr", "name": "Dinas PU", "short": "PUPR", "categories": ["jalan"]}}]
}}"#
        )
    }

    /// The small config with `landmarks` added.
    fn with_landmarks(landmarks: &str) -> String {
        let base = config(r#"{"name": "Tiga", "slug": "tiga"}"#);
        let end = base.rfind('}').unwrap();
        format!("{}, \"landmarks\": [{landmarks}]}}", &base[..end])
    }

    #[test]
    fn landmarks_name_their_kelurahan_and_say_whether_that_was_checked() {
        let t = Jurisdictions::from_json(
            FILE,
            &with_landmarks(
                r#"{"name": "Pasar Lamo", "aliases": ["Pasa Lamo"], "kelurahan": "contoh/selatan/tiga",
                    "verified": true, "source": "kantor lurah"},
                   {"name": "Menara Air", "kelurahan": "contoh/utara/satu", "verified": false}"#,
            ),
        )
        .unwrap();
        let name = |text: &str| t.match_kelurahan(text, None).found().map(|n| n.slug().to_owned());
        assert_eq!(name("sampah di pasa lamo").as_deref(), Some("tiga"));
        assert_eq!(name("dekat menara air").as_deref(), Some("satu"));

        let err = load_err(&with_landmarks(
            r#"{"name": "Pasar Lamo", "kelurahan": "contoh/selatan/tiga", "verified": true}"#,
        ));
        assert!(
            err.contains("landmarks[0] (\"Pasar Lamo\"): is marked verified but names no source"),
            "{err}"
        );
        let err = load_err(&with_landmarks(
            r#"{"name": "Pasar Lamo", "kelurahan": "contoh/selatan", "verified": false}"#,
        ));
        assert!(err.contains("contoh/selatan is not a kelurahan"), "{err}");
        let err = load_err(&with_landmarks(
            r#"{"name": "Duo", "kelurahan": "contoh/utara/satu", "verified": false}"#,
        ));
        assert!(
            err.contains("name \"Duo\" is also a name or alias of kecamatan[1].kelurahan[0]"),
            "{err}"
        );
    }

    #[test]
    fn small_config_loads_with_rw_and_rt() {
        let t = Jurisdictions::from_json(
            FILE,
            &config(
                r#"{"name": "Tiga", "slug": "tiga", "rw": [{"number": 1, "rt": [1, 12]}, {"number": 2}]}"#,
            ),
        )
        .unwrap();
        assert!(t.contains(&p("contoh/selatan/tiga/rw-01/rt-01")));
        assert!(t.contains(&p("contoh/selatan/tiga/rw-01/rt-12")));
        assert!(t.contains(&p("contoh/selatan/tiga/rw-02")));
        let rt = t.node(&p("contoh/selatan/tiga/rw-01/rt-12")).unwrap();
        assert_eq!((rt.kind, rt.name.as_str()), (NodeKind::Rt, "RT 12"));
        assert_eq!(t.kecamatan_of(&rt.path).unwrap().name, "Selatan");
        assert_eq!(t.home_for(Some(&rt.path)), p("contoh/selatan"));
        assert_eq!(t.all_kelurahan().count(), 3);
        assert_eq!(t.nodes().len(), 1 + 2 + 3 + 2 + 2 + 1);
    }

    #[test]
    fn bad_slug_names_file_and_entry() {
        let err = load_err(&config(r#"{"name": "Kayu Kubu", "slug": "Kayu Kubu"}"#));
        assert!(
            err.starts_with(
                r#"config/x.json: kecamatan[1].kelurahan[1] ("Kayu Kubu"): slug "Kayu Kubu" is not a lowercase slug"#
            ),
            "{err}"
        );
        for bad in ["", "kayu--kubu", "-kayu", "kayu/kubu", "kayú"] {
            let err = load_err(&config(&format!(r#"{{"name": "Kayu Kubu", "slug": "{bad}"}}"#)));
            assert!(
                err.contains("kecamatan[1].kelurahan[1]") && err.contains("not a lowercase slug"),
                "{err}"
            );
        }
        let cfg = config(r#"{"name": "Empat", "slug": "empat"}"#);
        let err = load_err(&cfg.replace(r#""slug": "contoh""#, r#""slug": "Contoh""#));
        assert!(
            err.starts_with(r#"config/x.json: kota ("Kota Contoh"): slug "Contoh""#),
            "{err}"
        );
    }

    #[test]
    fn duplicate_sibling_slug_names_both_entries() {
        let err = load_err(&config(r#"{"name": "Dua Lagi", "slug": "dua"}"#));
        assert_eq!(
            err,
            r#"config/x.json: kecamatan[1].kelurahan[1] ("Dua Lagi"): slug "dua" is also used by kecamatan[1].kelurahan[0] ("Dua")"#
        );
        // The same slug under different parents is fine.
        Jurisdictions::from_json(FILE, &config(r#"{"name": "Satu Selatan", "slug": "satu"}"#)).unwrap();
    }

    #[test]
    fn duplicate_name_or_alias_across_kelurahan_is_ambiguous() {
        // Same name as a kelurahan of another kecamatan.
        let err = load_err(&config(r#"{"name": "Satu", "slug": "satu-selatan"}"#));
        assert_eq!(
            err,
            r#"config/x.json: kecamatan[1].kelurahan[1] ("Satu"): name "Satu" is also a name or alias of kecamatan[0].kelurahan[0] ("Satu"); a citizen's text could not tell them apart"#
        );
        // An alias equal (after normalising) to another kelurahan's alias.
        let err = load_err(&config(
            r#"{"name": "Empat", "slug": "empat", "aliases": ["DUO."]}"#,
        ));
        assert!(
            err.starts_with(r#"config/x.json: kecamatan[1].kelurahan[1] ("Empat"): alias "DUO." is also a name or alias of kecamatan[1].kelurahan[0] ("Dua")"#),
            "{err}"
        );
        // An alias repeating the node's own name.
        let err = load_err(&config(
            r#"{"name": "Empat", "slug": "empat", "aliases": ["empat"]}"#,
        ));
        assert!(
            err.contains(r#"alias "empat" is also a name or alias of this entry"#),
            "{err}"
        );
    }

    #[test]
    fn empty_names_and_aliases() {
        let err = load_err(&config(r#"{"name": "  ", "slug": "empat"}"#));
        assert_eq!(
            err,
            r#"config/x.json: kecamatan[1].kelurahan[1] ("  "): name is empty"#
        );
        let err = load_err(&config(
            r#"{"name": "Empat", "slug": "empat", "aliases": ["--"]}"#,
        ));
        assert_eq!(
            err,
            r#"config/x.json: kecamatan[1].kelurahan[1] ("Empat"): alias is empty or has no letters or digits"#
        );
    }

    #[test]
    fn malformed_json_and_unknown_fields_name_file_and_position() {
        let err = load_err(&config(r#"{"name": "Empat", "slug": "empat",}"#));
        assert!(
            err.starts_with("config/x.json: ") && err.contains("line 7 column"),
            "{err}"
        );
        let err = load_err(&config(r#"{"nama": "Empat", "slug": "empat"}"#));
        assert!(
            err.starts_with("config/x.json: unknown field `nama`") && err.contains("line 7 column"),
            "{err}"
        );
        let err = load_err("{}");
        assert!(err.starts_with("config/x.json: missing field `kota`"), "{err}");
    }

    #[test]
    fn bad_agencies_and_rw_numbers() {
        let cfg = config(r#"{"name": "Empat", "slug": "empat"}"#);
        let err = load_err(&cfg.replace(r#""categories": ["jalan"]"#, r#""categories": ["Jalan Rusak"]"#));
        assert_eq!(
            err,
            r#"config/x.json: agencies[0] ("Dinas PU"): category "Jalan Rusak" is not lowercase words (e.g. "lalu lintas")"#
        );
        let two = cfg.replace(
            r#""categories": ["jalan"]}"#,
            r#""categories": ["jalan"]}, {"slug": "dlh", "name": "Dinas LH", "short": "DLH", "categories": ["sampah", "jalan"]}"#,
        );
        let err = load_err(&two);
        assert_eq!(
            err,
            r#"config/x.json: agencies[1] ("Dinas LH"): category "jalan" also belongs to agencies[0] ("Dinas PU")"#
        );
        let err = load_err(&cfg.replace(r#""slug": "pupr""#, r#""slug": "PU PR""#));
        assert!(
            err.starts_with(r#"config/x.json: agencies[0] ("Dinas PU"): slug "PU PR""#),
            "{err}"
        );
        let err = load_err(&config(
            r#"{"name": "Empat", "slug": "empat", "rw": [{"number": 1, "rt": [2, 2]}]}"#,
        ));
        assert_eq!(
            err,
            r#"config/x.json: kecamatan[1].kelurahan[1] ("Empat").rw[0].rt[1]: number 2 is also used by kecamatan[1].kelurahan[1] ("Empat").rw[0].rt[0]"#
        );
        let err = load_err(&config(
            r#"{"name": "Empat", "slug": "empat", "rw": [{"number": 0}]}"#,
        ));
        assert!(
            err.contains(r#"("Empat").rw[0]: number 0 is not a valid"#),
            "{err}"
        );
        let err = load_err(&cfg.replace(r#""slug": "utara""#, r#""slug": "dinas""#));
        assert!(
            err.contains(r#"kecamatan[0] ("Utara"): slug "dinas" is reserved"#),
            "{err}"
        );
    }

    #[test]
    fn load_reads_the_file_and_names_it() {
        let dir = std::env::temp_dir().join(format!("aduan-jurisdiction-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, BUKITTINGGI_JSON).unwrap();
        let t = Jurisdictions::load(&good).unwrap();
        assert_eq!(t.all_kelurahan().count(), 24);
        let bad = dir.join("bad.json");
        std::fs::write(&bad, config(r#"{"name": "", "slug": "x"}"#)).unwrap();
        let err = Jurisdictions::load(&bad).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: kecamatan[1].kelurahan[1]", bad.display())),
            "{err}"
        );
        let missing = dir.join("missing.json");
        let err = Jurisdictions::load(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: cannot read", missing.display())),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
