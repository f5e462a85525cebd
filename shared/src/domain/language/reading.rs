//! What a citizen's message says, read with the vocabulary: a greeting
//! alone, the kind of report, the status asked in words, a yes or a no.

use super::vocabulary::{Token, Vocabulary, WordList};
use crate::domain::kind::CaseKind;
use crate::domain::words::words_of;

/// One message, split into words once and read as often as needed.
#[derive(Debug, Clone)]
pub struct Reading<'v> {
    vocabulary: &'v Vocabulary,
    tokens: Vec<Token>,
    /// Words the greeting at the start spans ("Assalamualaikum pak, ...").
    greeting: usize,
    question_mark: bool,
}

impl Vocabulary {
    pub fn read(&self, text: &str) -> Reading<'_> {
        let words = words_of(text);
        let tokens: Vec<Token> = words
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(Token::new)
            .collect();
        let greeting = greeting_len(self, &tokens);
        Reading {
            vocabulary: self,
            tokens,
            greeting,
            question_mark: text.contains('?'),
        }
    }
}

/// How many words at the start are a greeting and forms of address; none
/// unless a greeting is among them ("pak, lampu mati" has no greeting).
fn greeting_len(v: &Vocabulary, tokens: &[Token]) -> usize {
    let mut at = 0;
    let mut greeted = false;
    while at < tokens.len() {
        if let Some(len) = v.greetings.match_at(tokens, at) {
            greeted = true;
            at += len;
        } else if let Some(len) = v.courtesies.match_at(tokens, at) {
            at += len;
        } else {
            break;
        }
    }
    if greeted {
        at
    } else {
        0
    }
}

impl Reading<'_> {
    /// A greeting and nothing else: "Assalamualaikum pak", "P", "pagi bu".
    pub fn is_greeting_only(&self) -> bool {
        self.greeting > 0 && self.greeting == self.tokens.len()
    }

    /// The words after the greeting: what the report says.
    fn body(&self) -> &[Token] {
        &self.tokens[self.greeting..]
    }

    /// The kind of report, read without its greeting. A kind the citizen
    /// names (*saran*, *kritik*, *keluhan*, or *cara*, *syarat* for a
    /// question) decides, the first named winning; else a problem (*rusak*,
    /// *mati*, *belum diperbaiki*) makes a complaint even when asked as a
    /// question ("kapan diperbaiki?"); else a suggestion's or a criticism's
    /// wording; else a question; else a complaint, since that is what most
    /// messages are. "Mau tanya" is no label: it opens complaints as often
    /// as questions.
    pub fn kind(&self) -> CaseKind {
        let v = self.vocabulary;
        let body = self.body();
        let earliest = |lists: &[(CaseKind, &WordList)]| {
            lists
                .iter()
                .filter_map(|(kind, list)| list.first(body).map(|at| (at, *kind)))
                .min_by_key(|(at, _)| *at)
                .map(|(_, kind)| kind)
        };
        if let Some(kind) = earliest(&[
            (CaseKind::Saran, &v.saran.labels),
            (CaseKind::Kritik, &v.kritik.labels),
            (CaseKind::Pengaduan, &v.pengaduan.labels),
            (CaseKind::Pertanyaan, &v.pertanyaan.labels),
        ]) {
            return kind;
        }
        if v.pengaduan.signals.any(body) {
            return CaseKind::Pengaduan;
        }
        if let Some(kind) = earliest(&[
            (CaseKind::Saran, &v.saran.signals),
            (CaseKind::Kritik, &v.kritik.signals),
        ]) {
            return kind;
        }
        if self.is_question(body) {
            return CaseKind::Pertanyaan;
        }
        CaseKind::Pengaduan
    }

    /// A question mark, or a question's words: *apakah, kapan, baa, bilo*.
    fn is_question(&self, tokens: &[Token]) -> bool {
        self.question_mark || self.vocabulary.pertanyaan.signals.any(tokens)
    }

    /// The status asked in words: "statusnya gimana?", "sudah sampai mana
    /// laporan saya", "baa kaba laporan ambo" (whose "baa kaba", how are
    /// you, would otherwise be read as a greeting).
    pub fn asks_status(&self) -> bool {
        let v = self.vocabulary;
        let body = &self.tokens[..];
        if v.how_to.any(body) {
            return false;
        }
        v.status_asked.any(body)
            || (v.status_report.any(body) && (self.question_mark || v.status_asking.any(body)))
    }

    /// The answer to "is it solved?", judged on the whole message: `None`
    /// when it says neither, or both without a "tapi" to tell which counts.
    pub fn yes_or_no(&self) -> Option<bool> {
        #[derive(Clone, Copy, PartialEq)]
        enum Said {
            Yes,
            WeakYes,
            No,
            Unclear,
            Contrast,
        }
        let v = self.vocabulary;
        let lists = [
            (Said::Unclear, &v.unclear),
            (Said::Yes, &v.yes),
            (Said::WeakYes, &v.weak_yes),
            (Said::No, &v.no),
            (Said::Contrast, &v.contrast),
        ];
        // The longest entry at each word: "belum selesai" is a no, not a
        // no and a yes; "tidak tahu" is neither.
        let mut said = Vec::new();
        let mut at = 0;
        while at < self.tokens.len() {
            let longest = lists
                .iter()
                .filter_map(|(what, list)| list.match_at(&self.tokens, at).map(|len| (len, *what)))
                .max_by_key(|(len, _)| *len);
            match longest {
                Some((len, what)) => {
                    said.push(what);
                    at += len;
                }
                None => at += 1,
            }
        }
        // After "tapi" the answer is what follows, if it says anything.
        if let Some(last) = said.iter().rposition(|s| *s == Said::Contrast) {
            let after = &said[last + 1..];
            if after
                .iter()
                .any(|s| matches!(s, Said::Yes | Said::WeakYes | Said::No))
            {
                said = after.to_vec();
            }
        }
        let yes = said.contains(&Said::Yes);
        let no = said.contains(&Said::No);
        match (yes, no) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            (true, true) => None,
            // "iya" is a yes, "kapan ya" is not.
            (false, false) => {
                (said.contains(&Said::WeakYes) && !self.is_question(&self.tokens)).then_some(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Reading<'static> {
        Vocabulary::shipped().read(text)
    }

    #[test]
    fn greetings_alone_and_before_a_report() {
        for text in [
            "Assalamualaikum pak",
            "selamat pagi",
            "halo min",
            "P",
            "pagi bu",
            "Assalamualaikum wr wb",
        ] {
            assert!(read(text).is_greeting_only(), "{text:?}");
        }
        for text in [
            "Assalamualaikum pak, lampu jalan mati",
            "pak lampu mati",
            "pagi ini banjir",
            "",
        ] {
            assert!(!read(text).is_greeting_only(), "{text:?}");
        }
        // "apa kabar" is part of the greeting, not a question.
        assert_eq!(
            read("Assalamualaikum pak, apa kabar. Lampu jalan mati").kind(),
            CaseKind::Pengaduan
        );
    }

    #[test]
    fn a_question_about_something_broken_stays_a_complaint() {
        assert_eq!(read("kapan diperbaiki?").kind(), CaseKind::Pengaduan);
        assert_eq!(
            read("jalan berlubang, kapan ditambal?").kind(),
            CaseKind::Pengaduan
        );
        assert_eq!(read("kapan jadwal posyandu?").kind(), CaseKind::Pertanyaan);
        assert_eq!(read("bilo ado vaksin di puskesmas").kind(), CaseKind::Pertanyaan);
        assert_eq!(read("menyarankan agar taman ditambah").kind(), CaseKind::Saran);
        assert_eq!(
            read("sarana olahraga di taman kurang").kind(),
            CaseKind::Pengaduan
        );
    }

    #[test]
    fn yes_and_no_on_the_whole_message() {
        for text in [
            "sudah",
            "sdh pak",
            "alhamdulillah sudah",
            "iya",
            "yo",
            "alah",
            "beres",
            "sudah tidak bocor lagi",
        ] {
            assert_eq!(read(text).yes_or_no(), Some(true), "{text:?}");
        }
        for text in [
            "belum",
            "blm",
            "alun",
            "indak",
            "masih rusak",
            "iya tapi masih bocor",
            "belum selesai pak",
        ] {
            assert_eq!(read(text).yes_or_no(), Some(false), "{text:?}");
        }
        for text in ["belum sdh", "tidak tahu", "lampu jalan di birugo", ""] {
            assert_eq!(read(text).yes_or_no(), None, "{text:?}");
        }
    }

    #[test]
    fn status_in_words() {
        for text in [
            "statusnya gimana?",
            "sudah sampai mana laporan saya",
            "baa kaba laporan ambo",
        ] {
            assert!(read(text).asks_status(), "{text:?}");
        }
        for text in [
            "bagaimana cara membuat laporan?",
            "laporan: jalan rusak",
            "baa kaba",
        ] {
            assert!(!read(text).asks_status(), "{text:?}");
        }
    }
}
