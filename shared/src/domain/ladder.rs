//! The escalation ladder: rt → rw → kelurahan → kecamatan → kota, plus a side
//! branch to a named agency (dinas) chosen by category.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A rung of the area ladder, lowest first (the derived order is the ladder's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Rt,
    Rw,
    Kelurahan,
    Kecamatan,
    Kota,
}

/// Where a case sits now: a tier of the area ladder, or an agency by its slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Level {
    Tier(Tier),
    Agency(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LadderError {
    #[error("unknown tier {0:?} (rt, rw, kelurahan, kecamatan, kota)")]
    UnknownTier(String),
    #[error("unknown level {0:?} (a tier, or dinas:<name>)")]
    UnknownLevel(String),
    #[error("the ladder needs at least one tier, in ascending order without repeats")]
    BadOrder,
    #[error("the entry tier {0} is not on the ladder")]
    EntryNotOnLadder(Tier),
    #[error("the case is already at the top of the ladder")]
    AtTop,
    #[error("cannot escalate from {from} to {to}: that is not higher up the ladder")]
    NotHigher { from: Level, to: Level },
}

impl Tier {
    pub const ALL: [Tier; 5] = [Tier::Rt, Tier::Rw, Tier::Kelurahan, Tier::Kecamatan, Tier::Kota];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Rt => "rt",
            Tier::Rw => "rw",
            Tier::Kelurahan => "kelurahan",
            Tier::Kecamatan => "kecamatan",
            Tier::Kota => "kota",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, LadderError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| LadderError::UnknownTier(raw.to_owned()))
    }
}

const AGENCY_PREFIX: &str = "dinas:";

impl Level {
    /// `kelurahan`, `kota`, or `dinas:pupr`.
    pub fn parse(raw: &str) -> Result<Self, LadderError> {
        let raw = raw.trim();
        match raw.strip_prefix(AGENCY_PREFIX) {
            Some(slug)
                if !slug.is_empty()
                    && slug
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                Ok(Level::Agency(slug.to_owned()))
            }
            Some(_) => Err(LadderError::UnknownLevel(raw.to_owned())),
            None => Tier::parse(raw)
                .map(Level::Tier)
                .map_err(|_| LadderError::UnknownLevel(raw.to_owned())),
        }
    }

    pub fn tier(&self) -> Option<Tier> {
        match self {
            Level::Tier(t) => Some(*t),
            Level::Agency(_) => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Tier(t) => f.write_str(t.as_str()),
            Level::Agency(slug) => write!(f, "{AGENCY_PREFIX}{slug}"),
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Level::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The tiers a deployment uses, lowest first, and the one new cases enter at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    tiers: Vec<Tier>,
    entry: Tier,
}

impl Default for Ladder {
    /// Kelurahan → kecamatan → kota, entering at the kelurahan: cities rarely
    /// give RT/RW heads their own logins.
    fn default() -> Self {
        Self {
            tiers: vec![Tier::Kelurahan, Tier::Kecamatan, Tier::Kota],
            entry: Tier::Kelurahan,
        }
    }
}

impl Ladder {
    pub fn new(tiers: Vec<Tier>, entry: Tier) -> Result<Self, LadderError> {
        if tiers.is_empty() || tiers.windows(2).any(|w| w[0] >= w[1]) {
            return Err(LadderError::BadOrder);
        }
        if !tiers.contains(&entry) {
            return Err(LadderError::EntryNotOnLadder(entry));
        }
        Ok(Self { tiers, entry })
    }

    pub fn entry(&self) -> Level {
        Level::Tier(self.entry)
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The next level up: the next tier on the ladder. An agency answers to the
    /// top of the ladder (the Wali Kota), since agencies sit beside the areas.
    pub fn next(&self, from: &Level) -> Result<Level, LadderError> {
        let top = *self.tiers.last().expect("a ladder has at least one tier");
        match from {
            Level::Agency(_) => Ok(Level::Tier(top)),
            Level::Tier(t) => self
                .tiers
                .iter()
                .find(|candidate| *candidate > t)
                .map(|t| Level::Tier(*t))
                .ok_or(LadderError::AtTop),
        }
    }

    /// Checks an explicit escalation target: a higher tier on the ladder, or
    /// any agency from an area tier (the side branch).
    pub fn escalate_to(&self, from: &Level, to: &Level) -> Result<Level, LadderError> {
        let higher = match (from, to) {
            (Level::Tier(f), Level::Tier(t)) => t > f && self.tiers.contains(t),
            (Level::Tier(_), Level::Agency(_)) => true,
            (Level::Agency(_), Level::Tier(t)) => self.tiers.last() == Some(t),
            (Level::Agency(_), Level::Agency(_)) => false,
        };
        if higher {
            Ok(to.clone())
        } else {
            Err(LadderError::NotHigher {
                from: from.clone(),
                to: to.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(t: Tier) -> Level {
        Level::Tier(t)
    }

    #[test]
    fn default_ladder_climbs_one_tier_at_a_time() {
        let ladder = Ladder::default();
        assert_eq!(ladder.entry(), tier(Tier::Kelurahan));
        assert_eq!(ladder.next(&tier(Tier::Kelurahan)), Ok(tier(Tier::Kecamatan)));
        assert_eq!(ladder.next(&tier(Tier::Kecamatan)), Ok(tier(Tier::Kota)));
        assert_eq!(ladder.next(&tier(Tier::Kota)), Err(LadderError::AtTop));
        // A tier below the ladder's lowest (an old case) still climbs onto it.
        assert_eq!(ladder.next(&tier(Tier::Rt)), Ok(tier(Tier::Kelurahan)));
        assert_eq!(ladder.next(&Level::Agency("pupr".into())), Ok(tier(Tier::Kota)));
    }

    #[test]
    fn full_ladder_from_rt() {
        let ladder = Ladder::new(Tier::ALL.to_vec(), Tier::Rt).unwrap();
        let mut level = ladder.entry();
        let mut seen = vec![level.clone()];
        while let Ok(next) = ladder.next(&level) {
            seen.push(next.clone());
            level = next;
        }
        assert_eq!(seen, Tier::ALL.map(Level::Tier).to_vec());
    }

    #[test]
    fn ladder_configuration_is_checked() {
        assert_eq!(Ladder::new(vec![], Tier::Kota), Err(LadderError::BadOrder));
        assert_eq!(
            Ladder::new(vec![Tier::Kota, Tier::Kelurahan], Tier::Kota),
            Err(LadderError::BadOrder)
        );
        assert_eq!(
            Ladder::new(vec![Tier::Kecamatan, Tier::Kota], Tier::Kelurahan),
            Err(LadderError::EntryNotOnLadder(Tier::Kelurahan))
        );
    }

    #[test]
    fn explicit_escalations_only_go_up() {
        let ladder = Ladder::default();
        let kel = tier(Tier::Kelurahan);
        let pupr = Level::Agency("pupr".into());
        assert_eq!(ladder.escalate_to(&kel, &tier(Tier::Kota)), Ok(tier(Tier::Kota)));
        assert_eq!(ladder.escalate_to(&kel, &pupr), Ok(pupr.clone()));
        assert_eq!(ladder.escalate_to(&pupr, &tier(Tier::Kota)), Ok(tier(Tier::Kota)));
        assert!(ladder.escalate_to(&tier(Tier::Kota), &kel).is_err());
        assert!(ladder.escalate_to(&kel, &kel).is_err());
        assert!(ladder.escalate_to(&pupr, &Level::Agency("dlh".into())).is_err());
        assert!(ladder.escalate_to(&kel, &tier(Tier::Rw)).is_err());
    }

    #[test]
    fn levels_parse_and_print() {
        for raw in [
            "rt",
            "rw",
            "kelurahan",
            "kecamatan",
            "kota",
            "dinas:pupr",
            "dinas:satpol-pp",
        ] {
            assert_eq!(Level::parse(raw).unwrap().to_string(), raw);
        }
        for bad in ["", "lurah", "dinas:", "dinas:PUPR", "dinas:a b"] {
            assert!(Level::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&Level::Agency("pupr".into())).unwrap();
        assert_eq!(json, "\"dinas:pupr\"");
    }
}
