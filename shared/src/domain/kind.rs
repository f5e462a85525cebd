use std::fmt;

use serde::{Deserialize, Serialize};

/// What a citizen sent: the four kinds the kecamatan's published number accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Pengaduan,
    Saran,
    Kritik,
    Pertanyaan,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::Pengaduan,
        CaseKind::Saran,
        CaseKind::Kritik,
        CaseKind::Pertanyaan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Pengaduan => "pengaduan",
            CaseKind::Saran => "saran",
            CaseKind::Kritik => "kritik",
            CaseKind::Pertanyaan => "pertanyaan",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(raw.trim()))
    }

    /// Infers the kind from a citizen's words; a complaint unless they say
    /// otherwise, since that is what most messages are.
    pub fn infer(text: &str) -> Self {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let has = |stems: &[&str]| words.iter().any(|w| stems.iter().any(|s| w.starts_with(s)));
        if has(&["saran", "usul", "masukan"]) {
            CaseKind::Saran
        } else if has(&["kritik"]) {
            CaseKind::Kritik
        } else if has(&["tanya", "pertanyaan", "bertanya", "nanya"]) {
            CaseKind::Pertanyaan
        } else {
            CaseKind::Pengaduan
        }
    }
}

impl fmt::Display for CaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_kind_from_the_citizens_words() {
        assert_eq!(CaseKind::infer("Saran: tambah lampu jalan"), CaseKind::Saran);
        assert_eq!(CaseKind::infer("usulan taman bermain"), CaseKind::Saran);
        assert_eq!(
            CaseKind::infer("Kritik untuk pelayanan kantor lurah"),
            CaseKind::Kritik
        );
        assert_eq!(
            CaseKind::infer("Mau tanya, kapan posyandu?"),
            CaseKind::Pertanyaan
        );
        assert_eq!(CaseKind::infer("Jalan berlubang di Garegeh"), CaseKind::Pengaduan);
        assert_eq!(CaseKind::infer(""), CaseKind::Pengaduan);
    }

    #[test]
    fn parses_its_own_names() {
        for kind in CaseKind::ALL {
            assert_eq!(CaseKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CaseKind::parse("Kritik"), Some(CaseKind::Kritik));
        assert_eq!(CaseKind::parse("keluhan"), None);
    }
}
