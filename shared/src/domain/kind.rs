use std::fmt;

use serde::{Deserialize, Serialize};

/// What a citizen sent: the four kinds the kecamatan's published number accepts.
/// Read from the citizen's words by [`crate::domain::language::Reading::kind`].
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
    fn parses_its_own_names() {
        for kind in CaseKind::ALL {
            assert_eq!(CaseKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CaseKind::parse("Kritik"), Some(CaseKind::Kritik));
        assert_eq!(CaseKind::parse("keluhan"), None);
    }
}
