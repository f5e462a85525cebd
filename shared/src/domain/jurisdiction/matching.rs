//! Matching a citizen's free text to a kelurahan or kecamatan.
//!
//! Both sides are normalised to lowercase ASCII words (`words.rs`), so case,
//! punctuation, extra spaces and "kel." / "kelurahan" prefixes do not matter.
//! Names match whole words only, and a name found only inside a longer name
//! that also matched does not count: "Aur Birugo Tigo Baleh" is the kecamatan,
//! not kelurahan Birugo. Local spellings come from the config's aliases,
//! places citizens name instead (Jam Gadang) from its landmarks.
//!
//! A name of six letters or more also matches with one typo (a letter
//! wrong, missing, added, or two swapped: "Garegah", "Campago Ipu"), checked
//! against the whole name, never a part of it, and never where the words
//! are as close to another name.

use super::path::JurisdictionPath;
use super::tree::{Jurisdictions, Node, NodeKind};
use crate::domain::words::{one_typo_apart, push_words};

/// The outcome of matching free text to nodes of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeMatch<'a> {
    Found(&'a Node),
    /// The text names several; in config order.
    Ambiguous(Vec<&'a Node>),
    NotFound,
}

pub type KelurahanMatch<'a> = NodeMatch<'a>;
pub type KecamatanMatch<'a> = NodeMatch<'a>;

impl<'a> NodeMatch<'a> {
    pub fn found(&self) -> Option<&'a Node> {
        match self {
            NodeMatch::Found(node) => Some(node),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, NodeMatch::NotFound)
    }
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    node: usize,
    kind: NodeKind,
}

impl Hit {
    fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether this hit lies inside `other` and is shorter.
    fn inside(&self, other: &Hit) -> bool {
        other.start <= self.start && self.end <= other.end && self.len() < other.len()
    }
}

impl Jurisdictions {
    /// The kelurahan a citizen's text names. `within` (usually a kecamatan)
    /// narrows the candidates to nodes at or below it.
    pub fn match_kelurahan(&self, text: &str, within: Option<&JurisdictionPath>) -> KelurahanMatch<'_> {
        self.match_kind(text, NodeKind::Kelurahan, within)
    }

    /// The kecamatan a citizen's text names (names and aliases such as "MKS").
    pub fn match_kecamatan(&self, text: &str) -> KecamatanMatch<'_> {
        self.match_kind(text, NodeKind::Kecamatan, None)
    }

    fn match_kind(&self, text: &str, kind: NodeKind, within: Option<&JurisdictionPath>) -> NodeMatch<'_> {
        let mut norm = String::with_capacity(text.len() + 2);
        norm.push(' ');
        push_words(text, &mut norm);
        if norm.len() == 1 {
            return NodeMatch::NotFound;
        }

        // Every occurrence of every name, of both kinds: a kecamatan name can
        // hide a kelurahan name inside it and vice versa.
        let mut hits: Vec<Hit> = Vec::new();
        for name in &self.names {
            let mut from = 0;
            while let Some(at) = norm[from..].find(name.pattern.as_str()) {
                let start = from + at;
                hits.push(Hit {
                    start,
                    end: start + name.pattern.len(),
                    node: name.node,
                    kind: name.kind,
                });
                // `norm` is ASCII, so any index is a char boundary.
                from = start + 1;
            }
        }

        hits.extend(self.typo_hits(&norm));

        let mut found: Vec<usize> = hits
            .iter()
            .filter(|hit| hit.kind == kind && !hits.iter().any(|other| hit.inside(other)))
            .map(|hit| hit.node)
            .filter(|&node| within.is_none_or(|scope| self.nodes[node].path.is_within(scope)))
            .collect();
        found.sort_unstable();
        found.dedup();
        match found.as_slice() {
            [] => NodeMatch::NotFound,
            [one] => NodeMatch::Found(&self.nodes[*one]),
            many => NodeMatch::Ambiguous(many.iter().map(|&i| &self.nodes[i]).collect()),
        }
    }
}

/// Names shorter than this (in letters) are matched only as written: one
/// typo in "Tarok" or "Aur" makes another word.
const MIN_TYPO_LETTERS: usize = 6;

impl Jurisdictions {
    /// Runs of words in `norm` that are one typo away from a name, and as
    /// close to no other node's name (nor exactly a name: that is an exact
    /// hit). A run may have a word more or less than the name, for a space
    /// added or lost ("birugo" / "biru go").
    fn typo_hits(&self, norm: &str) -> Vec<Hit> {
        let mut words = Vec::new();
        let mut start = 1;
        for word in norm[1..].split_terminator(' ') {
            words.push((start, start + word.len()));
            start += word.len() + 1;
        }
        let longest = self.names.iter().map(|n| n.words).max().unwrap_or(0);
        let widest = self.names.iter().map(|n| n.bare().len()).max().unwrap_or(0);
        let mut hits = Vec::new();
        for first in 0..words.len() {
            for last in first..words.len().min(first + longest + 1) {
                let (start, end) = (words[first].0, words[last].1);
                let run = &norm[start..end];
                // One typo changes the length by one at most; longer runs only grow.
                if run.len() > widest + 1 {
                    break;
                }
                if self.names.iter().any(|n| n.bare() == run) {
                    continue;
                }
                // The cheap tests first: this runs for every name and run.
                let mut close = self.names.iter().filter(|n| {
                    n.bare().len().abs_diff(run.len()) <= 1
                        && n.letters >= MIN_TYPO_LETTERS
                        && one_typo_apart(run, n.bare())
                });
                let Some(name) = close.next() else {
                    continue;
                };
                if close.any(|other| other.node != name.node) {
                    continue;
                }
                hits.push(Hit {
                    start: start - 1,
                    end: end + 1,
                    node: name.node,
                    kind: name.kind,
                });
            }
        }
        hits
    }
}

/// The node a citizen picked by typing its number (1-based) in a numbered
/// list: "3", " 3. ", "no 3", "No. 3", "nomor 3", "#3". Anything else is `None`.
pub fn choose_by_number<'a>(list: &[&'a Node], text: &str) -> Option<&'a Node> {
    let mut words = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let mut word = words.next()?;
    if ["no", "nomor", "nomer", "nmr", "pilih", "pilihan", "angka"]
        .iter()
        .any(|prefix| word.eq_ignore_ascii_case(prefix))
    {
        word = words.next()?;
    }
    if words.next().is_some() || word.len() > 4 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: usize = word.parse().ok()?;
    list.get(number.checked_sub(1)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> JurisdictionPath {
        JurisdictionPath::parse(s).unwrap()
    }

    fn t() -> &'static Jurisdictions {
        Jurisdictions::bukittinggi()
    }

    fn kel(text: &str) -> String {
        match t().match_kelurahan(text, None) {
            NodeMatch::Found(node) => node.name.clone(),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    const MKS: &str = "bukittinggi/mandiangin-koto-selayan";
    const GP: &str = "bukittinggi/guguk-panjang";
    const ABTB: &str = "bukittinggi/aur-birugo-tigo-baleh";

    #[test]
    fn local_spellings() {
        assert_eq!(kel("jalan rusak di kel. garegeh dekat masjid"), "Garegeh");
        assert_eq!(kel("Lampu jalan mati di Manggih Gantiang"), "Manggis Ganting");
        assert_eq!(kel("KUBU TANJUANG"), "Kubu Tanjung");
        assert_eq!(kel("campago guguk bulek"), "Campago Guguak Bulek");
        assert_eq!(kel("parik antang"), "Parit Antang");
        assert_eq!(kel("Aur Tajungkang Tangah Sawah"), "Aur Tajungkang Tengah Sawah");
        assert_eq!(kel("kel ATTS"), "Aur Tajungkang Tengah Sawah");
        assert_eq!(kel("Garégeh"), "Garegeh");
    }

    #[test]
    fn every_kelurahan_matches_its_own_name_and_variants() {
        for kec in t().kecamatan() {
            for node in t().kelurahan_of(&kec.path) {
                let name = &node.name;
                let upper = name.to_uppercase();
                let hyphen = name.replace(' ', "-");
                let spaced = name.replace(' ', "   ");
                for text in [
                    name.clone(),
                    format!("kel. {name}"),
                    format!("Kel.{upper}!!"),
                    format!("kelurahan {hyphen}, dekat pasar"),
                    format!("sampah numpuk di  {spaced}\ntolong"),
                    format!("KEL {name}."),
                ] {
                    assert_eq!(
                        t().match_kelurahan(&text, None),
                        NodeMatch::Found(node),
                        "{text:?}"
                    );
                    assert_eq!(
                        t().match_kelurahan(&text, Some(&kec.path)),
                        NodeMatch::Found(node)
                    );
                }
                for alias in &node.aliases {
                    assert_eq!(
                        t().match_kelurahan(alias, None),
                        NodeMatch::Found(node),
                        "{alias:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn narrowing_by_kecamatan() {
        let text = "antara garegeh dan birugo";
        match t().match_kelurahan(text, None) {
            NodeMatch::Ambiguous(nodes) => {
                let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
                assert_eq!(names, ["Garegeh", "Birugo"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t().match_kelurahan(text, Some(&p(ABTB))).found().unwrap().name,
            "Birugo"
        );
        assert_eq!(
            t().match_kelurahan(text, Some(&p(MKS))).found().unwrap().name,
            "Garegeh"
        );
        assert!(t().match_kelurahan(text, Some(&p(GP))).is_not_found());
        assert!(t()
            .match_kelurahan("garegeh", Some(&p("bukittinggi/nowhere")))
            .is_not_found());
        assert_eq!(
            t().match_kelurahan("garegeh", Some(&p("bukittinggi")))
                .found()
                .unwrap()
                .name,
            "Garegeh"
        );
    }

    #[test]
    fn part_of_a_name_does_not_match() {
        for text in [
            "kubu",
            "kel kubu",
            "pakan",
            "campago",
            "puhun",
            "aur",
            "bukit",
            "antang",
            "tanjung",
            "tarak",
            "aua",
            "kel",
            "",
            "  !! ",
            "lampu jalan mati",
        ] {
            assert!(t().match_kelurahan(text, None).is_not_found(), "{text:?}");
        }
    }

    #[test]
    fn one_typo_in_a_long_name_matches_the_whole_name() {
        for (text, name) in [
            ("lampu mati di Garegah", "Garegeh"),
            ("garegehh", "Garegeh"),
            ("got mampet di Campago Ipu", "Campago Ipuh"),
            ("Kampago Ipuh jalan berlubang", "Campago Ipuh"),
            ("sapirna", "Sapiran"),
            ("biru go", "Birugo"),
            ("Ladang Cakia, air tergenang", "Ladang Cakiah"),
        ] {
            assert_eq!(kel(text), name, "{text:?}");
        }
        // Two typos, or one in a part of a name: no.
        for text in ["garagah", "birgu o", "kampago", "ipu", "kayu kabi"] {
            assert!(t().match_kelurahan(text, None).is_not_found(), "{text:?}");
        }
    }

    #[test]
    fn a_typo_as_close_to_two_names_matches_neither() {
        let json = r#"{"kota": {"name": "Kota Contoh", "slug": "contoh"}, "kecamatan": [
            {"name": "Utara", "slug": "utara", "kelurahan": [
                {"name": "Sungai Puar", "slug": "sungai-puar"}, {"name": "Sungai Pua", "slug": "sungai-pua"},
                {"name": "Koto Baru", "slug": "koto-baru"}]}]}"#;
        let small = Jurisdictions::from_json("test.json", json).unwrap();
        // One from "Sungai Puar", one from "Sungai Pua": neither.
        assert!(small.match_kelurahan("sungai puat", None).is_not_found());
        // Exactly one of them, as written.
        assert_eq!(
            small
                .match_kelurahan("sungai pua", None)
                .found()
                .map(|n| n.slug()),
            Some("sungai-pua")
        );
        assert_eq!(
            small.match_kelurahan("kota baru", None).found().map(|n| n.slug()),
            Some("koto-baru")
        );
    }

    #[test]
    fn one_typo_apart_is_one_edit() {
        for (a, b) in [
            ("garegeh", "garegah"),
            ("ipu", "ipuh"),
            ("ipuh", "ipu"),
            ("birugo", "biurgo"),
            ("x", ""),
        ] {
            assert!(one_typo_apart(a, b), "{a} {b}");
        }
        for (a, b) in [
            ("garegeh", "garegeh"),
            ("garegeh", "garagah"),
            ("ab", "abcd"),
            ("birugo", "bigoru"),
        ] {
            assert!(!one_typo_apart(a, b), "{a} {b}");
        }
    }

    #[test]
    fn a_name_inside_a_longer_name_loses() {
        // The kecamatan's name contains kelurahan names.
        assert!(t()
            .match_kelurahan("kec. aur birugo tigo baleh", None)
            .is_not_found());
        assert!(t()
            .match_kelurahan("Mandiangin Koto Selayan", None)
            .is_not_found());
        assert_eq!(kel("kel birugo, kec aur birugo tigo baleh"), "Birugo");
        assert_eq!(kel("koto selayan, kec mandiangin koto selayan"), "Koto Selayan");
        assert_eq!(kel("koto selayan"), "Koto Selayan");

        let json = r#"{"kota": {"name": "Kota Contoh", "slug": "contoh"}, "kecamatan": [
            {"name": "Utara", "slug": "utara", "kelurahan": [
                {"name": "Kubu", "slug": "kubu"}, {"name": "Kubu Tanjung", "slug": "kubu-tanjung"},
                {"name": "Tanjung", "slug": "tanjung"}]}]}"#;
        let small = Jurisdictions::from_json("test.json", json).unwrap();
        let name = |text: &str| small.match_kelurahan(text, None).found().map(|n| n.name.clone());
        assert_eq!(
            name("jalan di kubu tanjung rusak").as_deref(),
            Some("Kubu Tanjung")
        );
        assert_eq!(name("jalan di kubu rusak").as_deref(), Some("Kubu"));
        assert_eq!(name("tanjung").as_deref(), Some("Tanjung"));
        assert!(
            matches!(small.match_kelurahan("kubu dan kubu tanjung", None), NodeMatch::Ambiguous(v) if v.len() == 2)
        );
    }

    #[test]
    fn overlapping_names_are_ambiguous() {
        // "kayu kubu" + "kubu tanjung" share a word; neither contains the other.
        assert!(matches!(
            t().match_kelurahan("kayu kubu tanjung", None),
            NodeMatch::Ambiguous(v) if v.len() == 2
        ));
    }

    #[test]
    fn kecamatan_by_name_and_alias() {
        let kec = |text: &str| t().match_kecamatan(text).found().map(|n| n.path.to_string());
        for (text, path) in [
            ("MKS", MKS),
            ("kec. mandiangin", MKS),
            ("Mandiangin Koto Selayan", MKS),
            ("ABTB", ABTB),
            ("kecamatan aur birugo tigo baleh", ABTB),
            ("Guguk Panjang", GP),
            ("guguak panjang", GP),
        ] {
            assert_eq!(kec(text).as_deref(), Some(path), "{text:?}");
        }
        assert!(t().match_kecamatan("garegeh").is_not_found());
        assert!(t().match_kecamatan("koto selayan").is_not_found());
        assert!(t().match_kecamatan("guguk").is_not_found());
        assert!(matches!(t().match_kecamatan("mks atau abtb"), NodeMatch::Ambiguous(v) if v.len() == 2));
    }

    #[test]
    fn choosing_from_a_numbered_list() {
        let list = t().kelurahan_of(&p(GP));
        for text in ["3", " 3. ", "no 3", "No. 3", "nomor 3", "#3", "3)"] {
            assert_eq!(choose_by_number(&list, text), Some(list[2]), "{text:?}");
        }
        for text in [
            "0",
            "8",
            "",
            "tiga",
            "3 4",
            "no",
            "ada 3 lubang",
            "3a",
            "1-2",
            "99999999999999999999",
        ] {
            assert_eq!(choose_by_number(&list, text), None, "{text:?}");
        }
        assert_eq!(choose_by_number(&list, "7"), Some(list[6]));
    }
}
