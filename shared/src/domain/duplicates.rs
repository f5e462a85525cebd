//! Suggested duplicates: the open cases that may report the same problem as
//! a case (same kelurahan, recent, same category where both have one, near
//! where both carry a shared location), ranked by how alike their words
//! are. Pure: the store reads the candidates, this filters and ranks them.

use chrono::{DateTime, Duration, Utc};

use super::case::Case;
use super::jurisdiction::JurisdictionPath;
use super::language::stems;
use super::words::{one_typo_apart, words_of};

/// A place on WGS 84, as WhatsApp shares it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    pub lat: f64,
    pub long: f64,
}

/// Metres between two places along the earth's surface (haversine): at a
/// city's scale the error is far below what a phone's GPS gets wrong.
pub fn distance_meters(a: Coordinates, b: Coordinates) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dlat = (lat2 - lat1) / 2.0;
    let half_dlong = (b.long - a.long).to_radians() / 2.0;
    let h = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlong.sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// What makes a case a candidate, and how many are suggested.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateRules {
    /// Candidates were opened at most this long ago.
    pub window: Duration,
    /// Where both cases carry a shared location, at most this far apart.
    pub max_distance_meters: f64,
    /// Suggestions shown, best first.
    pub shown: usize,
}

/// The default `DUPLICATE_DISTANCE_METERS`: a street's stretch, about what
/// neighbours reporting one street lamp or one blocked drain are apart.
pub const DEFAULT_DISTANCE_METERS: u32 = 150;

impl Default for DuplicateRules {
    fn default() -> Self {
        Self {
            window: Duration::days(30),
            max_distance_meters: f64::from(DEFAULT_DISTANCE_METERS),
            shown: 5,
        }
    }
}

/// A case that may be the same problem, with the place its citizen shared.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub case: &'a Case,
    pub location: Option<Coordinates>,
}

/// A suggestion: the case, how alike its text is (0 to 1), and how far it
/// is when both cases carry a location.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<'a> {
    pub case: &'a Case,
    pub score: f64,
    pub distance_meters: Option<f64>,
}

/// The kelurahan a case is in, once known: the partition its candidates
/// are read from.
pub fn kelurahan_of(case: &Case) -> Option<JurisdictionPath> {
    case.jurisdiction.as_ref()?.ancestor_at(3)
}

/// Whether `other` may duplicate `case`, before their places are compared:
/// open (so never merged or closed), not the case itself, in its kelurahan
/// and within `scope`, opened within the window before `now`, and of the
/// same category where both have one (a new case has none yet).
pub fn may_duplicate(
    case: &Case,
    other: &Case,
    scope: &JurisdictionPath,
    rules: &DuplicateRules,
    now: DateTime<Utc>,
) -> bool {
    let same_category = match (&case.category, &other.category) {
        (Some(mine), Some(theirs)) => mine == theirs,
        _ => true,
    };
    other.id != case.id
        && other.status.is_open()
        && other.merged_into.is_none()
        && kelurahan_of(case).is_some_and(|kelurahan| kelurahan_of(other) == Some(kelurahan))
        && other.is_within(scope)
        && other.created_at >= now - rules.window
        && same_category
}

/// The candidates that may duplicate `case` (at `location`), best first, at
/// most `rules.shown`: those [`may_duplicate`] allows, within the distance
/// where both carry a location, by text [`similarity`]. A candidate with no
/// word in common is suggested only when it is near. Ties go to the
/// nearer, then the newer.
pub fn rank<'a>(
    case: &Case,
    location: Option<Coordinates>,
    candidates: impl IntoIterator<Item = Candidate<'a>>,
    scope: &JurisdictionPath,
    rules: &DuplicateRules,
    now: DateTime<Utc>,
) -> Vec<Ranked<'a>> {
    let words = Words::of(&case.description);
    let mut ranked: Vec<Ranked<'a>> = candidates
        .into_iter()
        .filter(|c| may_duplicate(case, c.case, scope, rules, now))
        .filter_map(|c| {
            let distance = location.zip(c.location).map(|(a, b)| distance_meters(a, b));
            if distance.is_some_and(|d| d > rules.max_distance_meters) {
                return None;
            }
            let score = words.similarity(&Words::of(&c.case.description));
            (score > 0.0 || distance.is_some()).then_some(Ranked {
                case: c.case,
                score,
                distance_meters: distance,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| {
                let far = |r: &Ranked| r.distance_meters.unwrap_or(f64::INFINITY);
                far(a).total_cmp(&far(b))
            })
            .then_with(|| b.case.created_at.cmp(&a.case.created_at))
    });
    ranked.truncate(rules.shown);
    ranked
}

/// How alike two citizens' texts are, from 0 (no word in common) to 1 (the
/// same words): the share of their words that match (matched over all
/// distinct words of both, each word matched once). Words that say nothing
/// of the problem ("di", "yang", "tolong", Minang "nan", "alah") and
/// numbers are left out; two words match when equal, when they share a stem ("berlubang",
/// "balubang"), when one is the other written without vowels ("jln",
/// "dkt"), or, from five letters, one typo apart ("mesjid", "masjid").
pub fn similarity(a: &str, b: &str) -> f64 {
    Words::of(a).similarity(&Words::of(b))
}

/// Words that say nothing of the problem: particles, pronouns, courtesies,
/// Indonesian, colloquial and Minang (`nan` yang, `ka` ke, `jo` dengan,
/// `alah` sudah, `ado` ada, `dek` karena).
const NOISE: &[&str] = &[
    "di", "ke", "dari", "yang", "yg", "dan", "ada", "itu", "ini", "tu", "nya", "sudah", "sdh", "udah", "udh",
    "sangat", "sekali", "bgt", "banget", "tolong", "mohon", "pak", "bu", "bapak", "ibu", "kak", "min",
    "admin", "dengan", "dgn", "untuk", "utk", "karena", "krn", "juga", "jg", "lagi", "lg", "sama", "dalam",
    "pada", "oleh", "atau", "tapi", "tp", "kami", "saya", "sy", "aku", "kita", "ya", "nan", "ka", "jo",
    "alah", "lah", "ado", "dek", "ko", "iko", "tuh", "nih", "mas", "mbak",
];

/// Stems shorter than this say too little to match two words on: "sar"
/// is in both "pasar" and "besar".
const MIN_SHARED_STEM: usize = 4;
/// Words this long or longer also match one typo apart.
const MIN_TYPO_LETTERS: usize = 5;

/// A text's distinct words, without the noise.
struct Words(Vec<Word>);

struct Word {
    text: String,
    stems: Vec<String>,
    consonants: String,
}

impl Words {
    fn of(text: &str) -> Self {
        let mut words: Vec<Word> = Vec::new();
        // Numbers say nothing of the problem either: a phone number typed
        // in, a house number.
        let telling =
            |w: &&str| !w.is_empty() && !NOISE.contains(w) && !w.bytes().all(|b| b.is_ascii_digit());
        for w in words_of(text).split(' ').filter(telling) {
            if !words.iter().any(|seen| seen.text == w) {
                words.push(Word::new(w));
            }
        }
        Self(words)
    }

    /// Matched words over all distinct words: equal words are paired
    /// first, then the near ones, each word once.
    fn similarity(&self, other: &Words) -> f64 {
        if self.0.is_empty() || other.0.is_empty() {
            return 0.0;
        }
        let mut mine = vec![false; self.0.len()];
        let mut theirs = vec![false; other.0.len()];
        let mut matched = 0;
        for near in [false, true] {
            for (i, word) in self.0.iter().enumerate() {
                if mine[i] {
                    continue;
                }
                let found = other.0.iter().enumerate().position(|(j, o)| {
                    !theirs[j]
                        && if near {
                            word.is_near(o)
                        } else {
                            word.text == o.text
                        }
                });
                if let Some(j) = found {
                    (mine[i], theirs[j]) = (true, true);
                    matched += 1;
                }
            }
        }
        matched as f64 / (self.0.len() + other.0.len() - matched) as f64
    }
}

impl Word {
    fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            stems: stems(text)
                .into_iter()
                .filter(|s| s.len() >= MIN_SHARED_STEM)
                .collect(),
            consonants: text.chars().filter(|c| !is_vowel(*c)).collect(),
        }
    }

    fn is_near(&self, other: &Word) -> bool {
        let shared_stem = self.stems.iter().any(|s| other.stems.contains(s));
        let abbreviated = |short: &Word, long: &Word| {
            short.text.len() >= 2 && short.consonants == short.text && short.text == long.consonants
        };
        let typo = self.text.len().min(other.text.len()) >= MIN_TYPO_LETTERS
            && one_typo_apart(&self.text, &other.text);
        shared_stem || abbreviated(self, other) || abbreviated(other, self) || typo
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Status;
    use crate::domain::sla::SlaPolicy;

    const LAMP: &str = "lampu jalan mati di depan masjid";

    #[test]
    fn the_same_problem_in_other_words_scores_high() {
        let abbreviated = similarity(LAMP, "Lampu jln mati dkt mesjid!!");
        assert!(abbreviated > 0.6, "{abbreviated}");
        assert_eq!(similarity(LAMP, "LAMPU JALAN MATI DI DEPAN MASJID"), 1.0);
        assert_eq!(similarity(LAMP, "sampah numpuk"), 0.0);
        // Only the noise in common is nothing in common.
        assert_eq!(
            similarity("tolong pak, sampah di sini", "tolong pak, lampu di sana"),
            0.0
        );
        assert_eq!(similarity("", LAMP), 0.0);
        assert_eq!(similarity("lampu mati 0812-3456-7890", "lampu mati 12"), 1.0);
    }

    #[test]
    fn stems_abbreviations_and_typos_match_but_short_stems_do_not() {
        // ber- and Minang ba- over one stem; a nasal prefix restored.
        assert_eq!(similarity("jalan berlubang", "jalan balubang"), 1.0);
        assert_eq!(similarity("sampah menumpuk", "sampah numpuk"), 1.0);
        assert_eq!(similarity("pasar", "besar"), 0.0);
        assert_eq!(similarity("mati", "mata"), 0.0);
        assert_eq!(similarity("jln rusak", "jalan rusak"), 1.0);
    }

    #[test]
    fn minang_and_indonesian_texts_rank_by_their_shared_words() {
        let minang = "aia banda maluap ka jalan, alah tigo hari";
        let same = similarity(minang, "banda tasumbat, aia maluap ka jalan");
        let in_indonesian = similarity(minang, "air selokan meluap ke jalan");
        let other = similarity(minang, "lampu jalan padam di muko musajik");
        assert!(
            same > in_indonesian && in_indonesian > other,
            "{same} {in_indonesian} {other}"
        );
        assert!(other > 0.0, "jalan is shared");
    }

    #[test]
    fn distances_are_metres_on_the_ground() {
        let jam_gadang = Coordinates {
            lat: -0.30506,
            long: 100.36952,
        };
        // 0.001 degree of latitude is about 111 m anywhere.
        let north = Coordinates {
            lat: jam_gadang.lat + 0.001,
            ..jam_gadang
        };
        let d = distance_meters(jam_gadang, north);
        assert!((d - 111.2).abs() < 0.5, "{d}");
        assert_eq!(distance_meters(jam_gadang, jam_gadang), 0.0);
        // Near the equator a degree of longitude is as long.
        let east = Coordinates {
            long: jam_gadang.long + 0.001,
            ..jam_gadang
        };
        assert!((distance_meters(jam_gadang, east) - 111.2).abs() < 0.5);
    }

    const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

    fn case_at(n: u64, area: &str, description: &str, days_ago: i64, now: DateTime<Utc>) -> Case {
        let at = now - Duration::days(days_ago);
        let (mut case, _) = Case::open(sample_new_case(n), &Ladder::default(), &SlaPolicy::default(), at);
        case.jurisdiction = Some(JurisdictionPath::parse(area).unwrap());
        case.description = description.to_owned();
        case
    }

    fn tickets(ranked: &[Ranked]) -> Vec<String> {
        ranked.iter().map(|r| r.case.ticket.to_string()).collect()
    }

    #[test]
    fn candidates_are_filtered_then_ranked_by_words_then_nearness() {
        let now = Utc::now();
        let scope = JurisdictionPath::parse(GAREGEH).unwrap();
        let here = Coordinates {
            lat: -0.2950,
            long: 100.3700,
        };
        let near = Some(Coordinates {
            lat: here.lat + 0.0005,
            ..here
        });
        let far = Some(Coordinates {
            lat: here.lat + 0.005,
            ..here
        });
        let case = case_at(1, GAREGEH, LAMP, 0, now);
        let best = case_at(2, GAREGEH, "lampu jln mati dkt mesjid", 3, now);
        let weaker_but_near = case_at(3, GAREGEH, "lampu mati", 1, now);
        let same_words_far = case_at(4, GAREGEH, LAMP, 1, now);
        let old = case_at(5, GAREGEH, LAMP, 31, now);
        let mut closed = case_at(6, GAREGEH, LAMP, 1, now);
        closed.status = Status::Closed;
        let elsewhere = case_at(7, "bukittinggi/guguk-panjang/kayu-kubu", LAMP, 1, now);
        let unrelated = case_at(8, GAREGEH, "sampah numpuk", 1, now);
        let near_unrelated = case_at(9, GAREGEH, "sampah numpuk", 2, now);
        let mut other_category = case_at(10, GAREGEH, LAMP, 1, now);
        other_category.category = Some("kebersihan".into());
        let mut rw = case_at(11, &format!("{GAREGEH}/rw-01"), "lampu mati", 2, now);
        rw.category = Some("jalan".into());
        let all = [
            (&case, Some(here)),
            (&best, None),
            (&weaker_but_near, near),
            (&same_words_far, far),
            (&old, None),
            (&closed, None),
            (&elsewhere, None),
            (&unrelated, None),
            (&near_unrelated, near),
            (&other_category, None),
            (&rw, None),
        ];
        let mut with_category = case.clone();
        with_category.category = Some("jalan".into());
        let candidates = || {
            all.iter().map(|(case, location)| Candidate {
                case,
                location: *location,
            })
        };
        let rules = DuplicateRules::default();

        // A new case has no category: the category does not filter.
        let ranked = rank(&case, Some(here), candidates(), &scope, &rules, now);
        assert_eq!(
            tickets(&ranked),
            ["ADU-0010", "ADU-0002", "ADU-0003", "ADU-0011", "ADU-0009"].map(String::from)
        );
        assert_eq!(ranked[0].score, 1.0);
        assert!(ranked[1].score > ranked[2].score && ranked[1].distance_meters.is_none());
        // Equal words: the nearer first (a distance beats none).
        assert_eq!(ranked[2].score, ranked[3].score);
        assert!(ranked[2].distance_meters.unwrap() < 60.0);
        assert_eq!(ranked[3].distance_meters, None);
        // No word in common, but near.
        assert_eq!(ranked[4].score, 0.0);

        // Where both have a category, it must be the same; without a
        // location of its own, nothing is too far.
        let ranked = rank(&with_category, None, candidates(), &scope, &rules, now);
        assert_eq!(
            tickets(&ranked),
            ["ADU-0004", "ADU-0002", "ADU-0003", "ADU-0011"].map(String::from)
        );

        // Within the official's scope only; none without a kelurahan.
        let rw_scope = JurisdictionPath::parse(&format!("{GAREGEH}/rw-01")).unwrap();
        let ranked = rank(&case, Some(here), candidates(), &rw_scope, &rules, now);
        assert_eq!(tickets(&ranked), ["ADU-0011"].map(String::from));
        let mut unknown = case.clone();
        unknown.jurisdiction = None;
        assert!(rank(&unknown, None, candidates(), &scope, &rules, now).is_empty());
    }
}
