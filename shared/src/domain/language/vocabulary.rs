//! The words the desk understands, from a file a city can edit
//! (`config/vocabulary/id.json`, compiled in; `VOCABULARY_FILE` overrides it).
//! What each list is for is in the file's `_note` and in docs/conversation.md.

use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

use super::stem;
use crate::domain::words::words_of;

const SHIPPED: &str = include_str!("../../../../config/vocabulary/id.json");
const SHIPPED_NAME: &str = "config/vocabulary/id.json";

/// One list of the file: entries of one or more words. A one-word entry
/// matches a word or any of its stems ("saran" matches "menyarankan"); in a
/// longer entry each word does, in order ("sampai mana" matches "sampai
/// manakah").
#[derive(Debug, Clone)]
pub(super) struct WordList {
    entries: Vec<Vec<String>>,
}

/// A word of a message, as its plausible stems (the word itself first).
#[derive(Debug, Clone)]
pub(super) struct Token {
    stems: Vec<String>,
}

impl Token {
    pub fn new(word: &str) -> Self {
        Self {
            stems: stem::candidates(word),
        }
    }

    fn is(&self, entry_word: &str) -> bool {
        self.stems.iter().any(|s| s == entry_word)
    }
}

impl WordList {
    /// How many words the longest entry starting at `tokens[at]` spans.
    pub fn match_at(&self, tokens: &[Token], at: usize) -> Option<usize> {
        self.entries
            .iter()
            .filter(|entry| {
                tokens.len() >= at + entry.len()
                    && entry
                        .iter()
                        .zip(&tokens[at..])
                        .all(|(word, token)| token.is(word))
            })
            .map(Vec::len)
            .max()
    }

    /// Where the first entry found starts.
    pub fn first(&self, tokens: &[Token]) -> Option<usize> {
        (0..tokens.len()).find(|&at| self.match_at(tokens, at).is_some())
    }

    pub fn any(&self, tokens: &[Token]) -> bool {
        self.first(tokens).is_some()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindFile {
    labels: Vec<String>,
    signals: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsFile {
    pengaduan: KindFile,
    saran: KindFile,
    kritik: KindFile,
    pertanyaan: KindFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    yes: Vec<String>,
    weak_yes: Vec<String>,
    no: Vec<String>,
    unclear: Vec<String>,
    contrast: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusFile {
    asked: Vec<String>,
    report: Vec<String>,
    asking: Vec<String>,
    how_to: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    #[serde(rename = "_note", default)]
    _note: serde_json::Value,
    kinds: KindsFile,
    greetings: Vec<String>,
    courtesies: Vec<String>,
    answers: AnswersFile,
    status: StatusFile,
}

/// A kind's decisive words (`labels`: the citizen names the kind) and the
/// words that suggest it (`signals`).
#[derive(Debug, Clone)]
pub(super) struct KindWords {
    pub(super) labels: WordList,
    pub(super) signals: WordList,
}

#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub(super) pengaduan: KindWords,
    pub(super) saran: KindWords,
    pub(super) kritik: KindWords,
    pub(super) pertanyaan: KindWords,
    /// "assalamualaikum", "selamat pagi", "P": a message of these (and
    /// courtesies) alone is a greeting.
    pub(super) greetings: WordList,
    /// "pak", "bu", "min", "uda": forms of address that go with a greeting.
    pub(super) courtesies: WordList,
    /// The "is it solved?" answer: yes, a yes that a no outweighs
    /// ("iya, belum"), no, neither ("tidak tahu"), and "tapi" after which
    /// the answer is what follows.
    pub(super) yes: WordList,
    pub(super) weak_yes: WordList,
    pub(super) no: WordList,
    pub(super) unclear: WordList,
    pub(super) contrast: WordList,
    /// The status asked in words: `status_asked` alone ("sampai mana"), or
    /// a `status_report` word ("laporan") with a `status_asking` one
    /// ("gimana", "baa kaba") or a question mark, unless it asks how to
    /// (`how_to`: "cara").
    pub(super) status_asked: WordList,
    pub(super) status_report: WordList,
    pub(super) status_asking: WordList,
    pub(super) how_to: WordList,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct VocabularyError {
    file: String,
    reason: String,
}

impl Vocabulary {
    /// The vocabulary that ships with Aduan (compiled in; parsed once).
    pub fn shipped() -> &'static Vocabulary {
        static SHIPPED_VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        SHIPPED_VOCABULARY.get_or_init(|| {
            Self::from_json(SHIPPED_NAME, SHIPPED).expect("the shipped vocabulary is valid (tested)")
        })
    }

    pub fn load(path: &Path) -> Result<Self, VocabularyError> {
        let file = path.display().to_string();
        let json = std::fs::read_to_string(path).map_err(|e| VocabularyError {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        Self::from_json(&file, &json)
    }

    pub fn from_json(file: &str, json: &str) -> Result<Self, VocabularyError> {
        let invalid = |reason: String| VocabularyError {
            file: file.to_owned(),
            reason,
        };
        let raw: VocabularyFile = serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
        let list = |name: &str, entries: Vec<String>| -> Result<WordList, VocabularyError> {
            let entries = entries
                .iter()
                .map(|entry| {
                    let words: Vec<String> = words_of(entry).split(' ').map(str::to_owned).collect();
                    match words.as_slice() {
                        [only] if only.is_empty() => Err(invalid(format!(
                            "{name} has an entry {entry:?} with no letters or digits"
                        ))),
                        _ => Ok(words),
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok(WordList { entries })
        };
        let kind = |name: &str, words: KindFile| -> Result<KindWords, VocabularyError> {
            Ok(KindWords {
                labels: list(&format!("kinds.{name}.labels"), words.labels)?,
                signals: list(&format!("kinds.{name}.signals"), words.signals)?,
            })
        };
        let VocabularyFile {
            _note,
            kinds,
            greetings,
            courtesies,
            answers,
            status,
        } = raw;
        Ok(Self {
            pengaduan: kind("pengaduan", kinds.pengaduan)?,
            saran: kind("saran", kinds.saran)?,
            kritik: kind("kritik", kinds.kritik)?,
            pertanyaan: kind("pertanyaan", kinds.pertanyaan)?,
            greetings: list("greetings", greetings)?,
            courtesies: list("courtesies", courtesies)?,
            yes: list("answers.yes", answers.yes)?,
            weak_yes: list("answers.weak_yes", answers.weak_yes)?,
            no: list("answers.no", answers.no)?,
            unclear: list("answers.unclear", answers.unclear)?,
            contrast: list("answers.contrast", answers.contrast)?,
            status_asked: list("status.asked", status.asked)?,
            status_report: list("status.report", status.report)?,
            status_asking: list("status.asking", status.asking)?,
            how_to: list("status.how_to", status.how_to)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        words_of(text).split(' ').map(Token::new).collect()
    }

    #[test]
    fn the_shipped_file_loads() {
        let v = Vocabulary::shipped();
        assert!(v.saran.labels.any(&tokens("menyarankan")));
        assert!(v.status_asked.any(&tokens("sudah sampai manakah")));
    }

    #[test]
    fn longer_entries_win_and_match_word_by_word() {
        let list = WordList {
            entries: vec![vec!["sudah".into()], vec!["sudah".into(), "tidak".into()]],
        };
        let t = tokens("sdh pak, sudah tidak bocor");
        assert_eq!(list.first(&t), Some(2));
        assert_eq!(list.match_at(&t, 2), Some(2));
        assert_eq!(list.match_at(&t, 0), None);
    }

    #[test]
    fn a_bad_file_names_itself_and_the_list() {
        let mut json: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        json["greetings"] = serde_json::json!(["halo", "--"]);
        let err = Vocabulary::from_json("kota.json", &json.to_string())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("kota.json: greetings has an entry \"--\""),
            "{err}"
        );
        json.as_object_mut().unwrap().remove("greetings");
        let err = Vocabulary::from_json("kota.json", &json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains("greetings"), "{err}");
    }
}
