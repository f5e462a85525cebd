//! Indonesian (and Minang) word stems: the forms a word may be reduced to
//! by taking its affixes off. Affix stripping alone over-reaches ("sarana"
//! has no suffix -a, but "katakan" has a -kan), so nothing here decides what
//! a word means: [`candidates`] lists every plausible stem, and the caller
//! keeps the ones its vocabulary knows.
//!
//! Suffixes come off in the order Indonesian stacks them (particle, then
//! possessive, then derivational: *tanya·kan·nya·lah*); prefixes after them,
//! at most two deep (*di·per·baiki*). A nasal prefix (meN-, peN-, Minang
//! maN-/paN-, colloquial n-/ng-/ny-) swallows the stem's first consonant, so
//! it is restored: *menyarankan* → *saran*, *menanyakan* → *tanya*,
//! *memukul* → *pukul*, *mengirim* → *kirim*, *mengadu* → *adu*.

/// Stems shorter than this are not offered: short stems ("ya", "an") would
/// be found inside too many unrelated words.
const MIN_STEM: usize = 3;

const PARTICLES: &[&str] = &["lah", "kah", "tah", "pun"];
const POSSESSIVES: &[&str] = &["nya", "ku", "mu"];
/// -in is the colloquial -kan/-i (*benerin*, *nanyain*).
const DERIVATIONAL: &[&str] = &["kan", "an", "i", "in"];

/// Prefixes taken off as they are, longest first within a family.
/// ba- and ta- are Minang (*batanyo*, *tapakai*); Minang ka- is left out,
/// since *ka·tanya* would make every "katanya" (so they say) a question.
const PLAIN_PREFIXES: &[&str] = &[
    "diper", "memper", "ber", "bel", "be", "ter", "te", "per", "di", "ke", "se", "ba", "ta",
];

/// Every plausible stem of `word` (lowercase ASCII), the word itself first,
/// without repeats.
pub fn candidates(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    for stripped in without_suffixes(word) {
        push_unique(&mut out, stripped.clone());
        for once in without_prefix(&stripped) {
            push_unique(&mut out, once.clone());
            // Two prefixes leave at least a syllable more: se·be·lah is
            // no "lah".
            for twice in without_prefix(&once).into_iter().filter(|t| t.len() > MIN_STEM) {
                push_unique(&mut out, twice);
            }
        }
    }
    out.retain(|c| c == word || c.len() >= MIN_STEM);
    out
}

fn push_unique(out: &mut Vec<String>, candidate: String) {
    if !out.contains(&candidate) {
        out.push(candidate);
    }
}

/// The word with none, some or all of its suffix layers off (itself first).
fn without_suffixes(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_owned()];
    for layer in [PARTICLES, POSSESSIVES, DERIVATIONAL] {
        let mut next = forms.clone();
        for form in &forms {
            for suffix in layer {
                if let Some(stem) = form.strip_suffix(suffix) {
                    if stem.len() >= MIN_STEM {
                        next.push(stem.to_owned());
                    }
                }
            }
        }
        forms = next;
    }
    forms.dedup();
    forms
}

/// The word with one prefix off, each way it could be read.
fn without_prefix(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in PLAIN_PREFIXES {
        if let Some(stem) = word.strip_prefix(prefix) {
            out.push(stem.to_owned());
        }
    }
    for (nasal, restored) in nasal_readings(word) {
        out.push(format!("{restored}{nasal}"));
    }
    out.retain(|stem| stem.len() >= MIN_STEM);
    out
}

/// The stems a nasal prefix may hide: (rest of the word, letter restored).
/// For "menanya": ("anya", "t") and ("nanya", "") ...; the caller checks
/// which one its vocabulary knows.
fn nasal_readings(word: &str) -> Vec<(&str, &'static str)> {
    let mut out = Vec::new();
    // (prefix, the consonants it swallows before a vowel)
    const NASALS: &[(&str, &[&str])] = &[
        ("meny", &["s"]),
        ("meng", &["k", ""]),
        ("mem", &["p"]),
        ("men", &["t"]),
        ("me", &[""]),
        ("peny", &["s"]),
        ("peng", &["k", ""]),
        ("pem", &["p"]),
        ("pen", &["t"]),
        ("pe", &[""]),
        ("many", &["s"]),
        ("mang", &["k", ""]),
        ("mam", &["p"]),
        ("man", &["t"]),
        ("ma", &[""]),
        ("pany", &["s"]),
        ("pang", &["k", ""]),
        ("pam", &["p"]),
        ("pan", &["t"]),
        ("pa", &[""]),
        ("ny", &["s"]),
        ("ng", &["k", ""]),
        ("nge", &[""]),
        ("n", &["t"]),
    ];
    for (prefix, swallowed) in NASALS {
        let Some(rest) = word.strip_prefix(prefix) else {
            continue;
        };
        let starts_with_vowel = rest.starts_with(['a', 'e', 'i', 'o', 'u']);
        if starts_with_vowel {
            for letter in *swallowed {
                out.push((rest, *letter));
            }
        } else {
            // Before a consonant nothing was swallowed: mem·buat, men·cari,
            // meng·gali, me·lapor.
            out.push((rest, ""));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stem of `word` that `known` holds, as the vocabulary finds it.
    fn stem<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
        candidates(word)
            .iter()
            .find_map(|c| known.iter().find(|k| **k == c.as_str()).copied())
    }

    #[test]
    fn nasal_prefixes_restore_the_swallowed_consonant() {
        let known = [
            "saran", "tanya", "usul", "kritik", "pukul", "adu", "kirim", "lapor", "sumbat",
        ];
        for (word, expected) in [
            ("menyarankan", "saran"),
            ("menanyakan", "tanya"),
            ("mengusulkan", "usul"),
            ("mengkritik", "kritik"),
            ("memukul", "pukul"),
            ("mengadu", "adu"),
            ("mengirimkan", "kirim"),
            ("melaporkan", "lapor"),
            ("pengaduan", "adu"),
            ("penyumbatan", "sumbat"),
            // colloquial and Minang forms
            ("nanyain", "tanya"),
            ("nyaranin", "saran"),
            ("ngadu", "adu"),
            ("nanya", "tanya"),
        ] {
            assert_eq!(stem(word, &known), Some(expected), "{word}");
        }
    }

    #[test]
    fn plain_prefixes_and_stacked_suffixes() {
        let known = [
            "tanya", "tanyo", "usul", "lubang", "banjir", "perbaiki", "kritik", "saran", "sudah",
        ];
        for (word, expected) in [
            ("bertanya", "tanya"),
            ("pertanyaan", "tanya"),
            ("ditanyakannya", "tanya"),
            ("batanyo", "tanyo"),
            ("usulan", "usul"),
            ("usulannya", "usul"),
            ("berlubang", "lubang"),
            ("kebanjiran", "banjir"),
            ("diperbaiki", "perbaiki"),
            ("dikritik", "kritik"),
            ("sarannya", "saran"),
            ("sudahlah", "sudah"),
        ] {
            assert_eq!(stem(word, &known), Some(expected), "{word}");
        }
    }

    #[test]
    fn a_word_is_not_cut_into_an_unrelated_stem() {
        let known = ["saran", "tanya", "adu", "usul", "kritik"];
        for word in [
            "sarana",
            "prasarana",
            "katanya",
            "padu",
            "dua",
            "kadu",
            "tanyo",
            "pusula",
            "kritis",
        ] {
            assert_eq!(stem(word, &known), None, "{word}");
        }
    }

    #[test]
    fn candidates_start_with_the_word_and_skip_tiny_stems() {
        let all = candidates("dia");
        assert_eq!(all, ["dia"]);
        assert!(!candidates("sebelah").contains(&"lah".to_owned()));
        let all = candidates("menanyakan");
        assert_eq!(all[0], "menanyakan");
        assert!(all.iter().all(|c| c.len() >= MIN_STEM));
        assert!(all.contains(&"tanya".to_owned()));
    }
}
