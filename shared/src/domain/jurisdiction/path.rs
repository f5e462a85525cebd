use std::fmt;

use serde::{Deserialize, Serialize};

/// A node's stable id in the jurisdiction tree: lowercase ASCII slugs joined by
/// `/`, e.g. `bukittinggi/mandiangin-koto-selayan/garegeh`.
///
/// An official's scope is such a path and covers every node below it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JurisdictionPath(String);

/// Paths longer than this are not a real tree's: kota/kecamatan/kelurahan/rw/rt.
const MAX_LEN: usize = 200;
const MAX_SEGMENTS: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("a jurisdiction path cannot be empty")]
    Empty,
    #[error("a jurisdiction path is at most {MAX_LEN} characters")]
    TooLong,
    #[error("a jurisdiction path has at most {MAX_SEGMENTS} segments")]
    TooDeep,
    #[error("segment {0:?} is not a slug (lowercase a-z, 0-9 and single hyphens)")]
    BadSegment(String),
}

impl JurisdictionPath {
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        let raw = raw.trim().trim_end_matches('/');
        if raw.is_empty() {
            return Err(PathError::Empty);
        }
        if raw.len() > MAX_LEN {
            return Err(PathError::TooLong);
        }
        let mut count = 0;
        for segment in raw.split('/') {
            count += 1;
            if !is_slug(segment) {
                return Err(PathError::BadSegment(segment.to_owned()));
            }
        }
        if count > MAX_SEGMENTS {
            return Err(PathError::TooDeep);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The path of a child node named by `slug` (already a slug).
    pub fn child(&self, slug: &str) -> Result<Self, PathError> {
        Self::parse(&format!("{}/{}", self.0, slug))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// Number of segments: 1 for the kota, 2 for a kecamatan or the agencies' group, ...
    pub fn depth(&self) -> usize {
        self.segments().count()
    }

    pub fn last_segment(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    pub fn parent(&self) -> Option<Self> {
        self.0.rsplit_once('/').map(|(parent, _)| Self(parent.to_owned()))
    }

    /// This path and every ancestor, from the root down.
    pub fn lineage(&self) -> Vec<Self> {
        let mut out = Vec::with_capacity(self.depth());
        let mut end = 0;
        for segment in self.segments() {
            end += segment.len();
            out.push(Self(self.0[..end].to_owned()));
            end += 1;
        }
        out
    }

    /// The ancestor (or self) at `depth` segments, if the path is that deep.
    pub fn ancestor_at(&self, depth: usize) -> Option<Self> {
        self.lineage().into_iter().nth(depth.checked_sub(1)?)
    }

    /// Whether this node lies in `scope`: equal to it or below it. Compared by
    /// whole segments, so `.../kubu` never covers `.../kubu-tanjung`.
    pub fn is_within(&self, scope: &JurisdictionPath) -> bool {
        self.0 == scope.0
            || (self.0.starts_with(&scope.0) && self.0.as_bytes().get(scope.0.len()) == Some(&b'/'))
    }

    /// The form used where a prefix match must stop at a segment boundary (SNS
    /// filter policies): the path with a trailing slash.
    pub fn with_trailing_slash(&self) -> String {
        format!("{}/", self.0)
    }
}

/// Whether `segment` is one path segment: lowercase a-z, 0-9 and single inner hyphens.
pub fn is_slug(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('-')
        && !segment.ends_with('-')
        && !segment.contains("--")
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl fmt::Display for JurisdictionPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for JurisdictionPath {
    type Error = PathError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<JurisdictionPath> for String {
    fn from(value: JurisdictionPath) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> JurisdictionPath {
        JurisdictionPath::parse(s).unwrap()
    }

    #[test]
    fn parses_slugs_and_drops_a_trailing_slash() {
        assert_eq!(
            p("bukittinggi/guguk-panjang/").as_str(),
            "bukittinggi/guguk-panjang"
        );
        for bad in [
            "",
            "/",
            "Bukittinggi",
            "a//b",
            "a/-b",
            "a/b-",
            "a/b--c",
            "a/b c",
            "a/é",
        ] {
            assert!(JurisdictionPath::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(JurisdictionPath::parse(&"a/".repeat(7)), Err(PathError::TooDeep));
    }

    #[test]
    fn scope_covers_descendants_by_whole_segments() {
        let kel = p("bukittinggi/aur-birugo-tigo-baleh/kubu-tanjung");
        assert!(kel.is_within(&p("bukittinggi")));
        assert!(kel.is_within(&p("bukittinggi/aur-birugo-tigo-baleh")));
        assert!(kel.is_within(&kel));
        assert!(!kel.is_within(&p("bukittinggi/aur-birugo-tigo-baleh/kubu")));
        assert!(!p("bukittinggi").is_within(&kel));
    }

    #[test]
    fn lineage_and_ancestors() {
        let kel = p("bukittinggi/guguk-panjang/kayu-kubu");
        let lineage: Vec<_> = kel.lineage().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lineage,
            [
                "bukittinggi",
                "bukittinggi/guguk-panjang",
                "bukittinggi/guguk-panjang/kayu-kubu"
            ]
        );
        assert_eq!(kel.ancestor_at(2), Some(p("bukittinggi/guguk-panjang")));
        assert_eq!(kel.ancestor_at(4), None);
        assert_eq!(kel.ancestor_at(0), None);
        assert_eq!(kel.parent(), Some(p("bukittinggi/guguk-panjang")));
        assert_eq!(kel.last_segment(), "kayu-kubu");
        assert_eq!(kel.with_trailing_slash(), "bukittinggi/guguk-panjang/kayu-kubu/");
    }
}
