//! Handing a case on: down to an RW or RT of its kelurahan, up one tier or
//! more, sideways to another area or a dinas ("bukan wewenang"), and back;
//! and the ways a case ends other than resolved. One rule set for every
//! move, from the office that has the case now (`Case::holder`).

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, SentFrom};
use super::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind, AGENCY_SEGMENT};
use super::ladder::{Level, Tier};
use super::lifecycle::{IllegalTransition, Status, Transition};
use super::sla::SlaPolicy;
use super::ticket::Ticket;
use super::timeline::{Actor, EventBody, TimelineEvent};

/// The RWs and RTs a city has registered: unit paths
/// (`<kelurahan>/rw-NN[/rt-NN]`) are data kept apart from the tree file.
pub trait UnitDirectory {
    fn has_unit(&self, path: &JurisdictionPath) -> bool;
}

/// A fixed set of units (tests, and a directory loaded once).
#[derive(Debug, Clone, Default)]
pub struct KnownUnits(HashSet<JurisdictionPath>);

impl KnownUnits {
    pub fn new(units: impl IntoIterator<Item = JurisdictionPath>) -> Self {
        Self(units.into_iter().collect())
    }
}

impl UnitDirectory for KnownUnits {
    fn has_unit(&self, path: &JurisdictionPath) -> bool {
        self.0.contains(path)
    }
}

/// Where a forward sends a case, parsed from `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The kota, a kecamatan or a kelurahan of the tree.
    Area { path: JurisdictionPath, tier: Tier },
    /// An RW or RT of a kelurahan, known to the unit directory.
    Unit { path: JurisdictionPath, tier: Tier },
    /// A dinas: its node (`<kota>/dinas/<slug>`) and slug.
    Agency { path: JurisdictionPath, slug: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("no such agency: {0}")]
    UnknownAgency(String),
    #[error("unknown RT/RW: {0}")]
    UnknownUnit(String),
    #[error("not a place of this city: {0:?} (a path from GET /jurisdictions, or dinas:<slug>)")]
    UnknownPlace(String),
}

const AGENCY_PREFIX: &str = "dinas:";

impl Destination {
    /// `dinas:pupr`, an agency's or an area node's path, or a unit path
    /// `<kelurahan>/rw-01[/rt-02]` the directory knows.
    pub fn parse(
        raw: &str,
        tree: &Jurisdictions,
        units: &dyn UnitDirectory,
    ) -> Result<Self, DestinationError> {
        let raw = raw.trim();
        let agency = |slug: &str| {
            tree.agencies()
                .find(|a| a.slug() == slug)
                .map(|a| Destination::Agency {
                    path: a.path.clone(),
                    slug: slug.to_owned(),
                })
        };
        if let Some(slug) = raw.strip_prefix(AGENCY_PREFIX) {
            return agency(slug).ok_or_else(|| DestinationError::UnknownAgency(raw.to_owned()));
        }
        let unknown = || DestinationError::UnknownPlace(raw.to_owned());
        let path = JurisdictionPath::parse(raw).map_err(|_| unknown())?;
        if let Some(node) = tree.node(&path) {
            let tier = match node.kind {
                NodeKind::Kota => Tier::Kota,
                NodeKind::Kecamatan => Tier::Kecamatan,
                NodeKind::Kelurahan => Tier::Kelurahan,
                NodeKind::Agency => return agency(node.slug()).ok_or_else(unknown),
                // RWs and RTs are the unit directory's, even where a tree lists some.
                NodeKind::Rw | NodeKind::Rt => return Self::unit(path, tree, units),
            };
            return Ok(Destination::Area { path, tier });
        }
        if path.segments().nth(1) == Some(AGENCY_SEGMENT) {
            return Err(DestinationError::UnknownAgency(raw.to_owned()));
        }
        Self::unit(path, tree, units)
    }

    fn unit(
        path: JurisdictionPath,
        tree: &Jurisdictions,
        units: &dyn UnitDirectory,
    ) -> Result<Self, DestinationError> {
        let segments: Vec<&str> = path.segments().collect();
        let numbered = |segment: &str, prefix: &str| {
            segment
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let tier = match segments.as_slice() {
            [_, _, _, rw] if numbered(rw, "rw-") => Tier::Rw,
            [_, _, _, rw, rt] if numbered(rw, "rw-") && numbered(rt, "rt-") => Tier::Rt,
            _ => return Err(DestinationError::UnknownPlace(path.to_string())),
        };
        let in_a_kelurahan = path
            .ancestor_at(3)
            .and_then(|k| tree.node(&k))
            .is_some_and(|k| k.kind == NodeKind::Kelurahan);
        if in_a_kelurahan && units.has_unit(&path) {
            Ok(Destination::Unit { path, tier })
        } else {
            Err(DestinationError::UnknownUnit(path.to_string()))
        }
    }

    /// The case's level once it is there.
    pub fn level(&self) -> Level {
        match self {
            Destination::Area { tier, .. } | Destination::Unit { tier, .. } => Level::Tier(*tier),
            Destination::Agency { slug, .. } => Level::Agency(slug.clone()),
        }
    }

    pub fn path(&self) -> &JurisdictionPath {
        match self {
            Destination::Area { path, .. }
            | Destination::Unit { path, .. }
            | Destination::Agency { path, .. } => path,
        }
    }
}

/// An office: the level a case is at and the node that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub level: Level,
    pub path: JurisdictionPath,
}

/// Which way a forward went, for the timeline and the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// To a unit or area inside the office that had it.
    Down,
    /// To an office above the one that had it, on the case's own line.
    Up,
    /// From an RW or RT back to the kelurahan (or RW) above it.
    Back,
    /// To another area or a dinas: "bukan wewenang".
    Sideways,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardError {
    #[error("a case that is {0} is not handed on (only received, verified or in progress)")]
    NotOpen(Status),
    #[error("the case is with {holder}, outside your scope: only that office or one above it hands it on")]
    NotHolder { holder: JurisdictionPath },
    #[error("the case is already with {0}")]
    SamePlace(JurisdictionPath),
    #[error(
        "only the kelurahan of the case, or one of its RWs, hands it down to an RW or RT of that kelurahan"
    )]
    NotBelow,
}

/// How a closed case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum Closure {
    /// Resolved and confirmed (or not answered), or a question answered.
    Resolved,
    /// The same report as another ticket, which carries on.
    Duplicate { of: Ticket },
    /// Not the city's to handle: the citizen is pointed to who is.
    OutsideAuthority { to: String },
    /// Looked at, nothing more will be done (the reason says why).
    NoFurtherAction,
}

impl Closure {
    pub const NAMES: [&'static str; 4] = ["resolved", "duplicate", "outside_authority", "no_further_action"];

    pub fn as_str(&self) -> &'static str {
        match self {
            Closure::Resolved => "resolved",
            Closure::Duplicate { .. } => "duplicate",
            Closure::OutsideAuthority { .. } => "outside_authority",
            Closure::NoFurtherAction => "no_further_action",
        }
    }
}

impl fmt::Display for Closure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Case {
    /// The office that has the case now: the unit it was handed down to,
    /// its dinas, or its area's node at its tier.
    pub fn holder(&self) -> JurisdictionPath {
        if let Some(unit) = &self.handed_down_to {
            return unit.clone();
        }
        let area = self.area();
        let depth = match &self.level {
            Level::Agency(_) => return self.agency.clone().unwrap_or_else(|| area.clone()),
            Level::Tier(Tier::Kota) => 1,
            Level::Tier(Tier::Kecamatan) => 2,
            Level::Tier(Tier::Kelurahan) => 3,
            Level::Tier(Tier::Rw) => 4,
            Level::Tier(Tier::Rt) => 5,
        };
        area.ancestor_at(depth).unwrap_or_else(|| area.clone())
    }

    /// Hands the case to `to`, on behalf of an official of `scope` (the
    /// holder or an office above it); the SLA clock restarts there. An
    /// official who sends it out of their scope keeps reading it as it was.
    pub fn forward(
        &mut self,
        to: &Destination,
        scope: &JurisdictionPath,
        actor: Actor,
        reason: String,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, ForwardError> {
        if !matches!(
            self.status,
            Status::Received | Status::Verified | Status::InProgress
        ) {
            return Err(ForwardError::NotOpen(self.status));
        }
        let holder = self.holder();
        if !holder.is_within(scope) {
            return Err(ForwardError::NotHolder { holder });
        }
        let dest = to.path();
        if *dest == holder {
            return Err(ForwardError::SamePlace(holder));
        }
        let from = Office {
            level: self.level.clone(),
            path: holder.clone(),
        };
        let direction = if matches!(to, Destination::Agency { .. }) {
            Direction::Sideways
        } else if dest.is_within(&holder) {
            Direction::Down
        } else if self.handed_down_to.is_some() && holder.is_within(dest) {
            Direction::Back
        } else if matches!(to, Destination::Area { .. }) && self.area().is_within(dest) {
            Direction::Up
        } else {
            Direction::Sideways
        };
        match to {
            Destination::Unit { path, .. } => {
                let kelurahan = self.area().ancestor_at(3);
                let below_kelurahan = kelurahan.as_ref().is_some_and(|k| path.is_within(k));
                let held_low = matches!(self.level, Level::Tier(Tier::Kelurahan | Tier::Rw | Tier::Rt));
                if !below_kelurahan || !held_low {
                    return Err(ForwardError::NotBelow);
                }
                self.handed_down_to = Some(path.clone());
            }
            Destination::Area { path, .. } => {
                if !self.area().is_within(path) {
                    // Another area's case now: its queue, not this one's.
                    self.jurisdiction = Some(path.clone());
                }
                self.handed_down_to = None;
                self.agency = None;
            }
            Destination::Agency { path, .. } => {
                self.handed_down_to = None;
                self.agency = Some(path.clone());
            }
        }
        self.level = to.level();
        self.restart_clock(sla, now);
        if !self.is_within(scope) {
            self.senders.retain(|s| s.scope != *scope);
            self.senders.push(SentFrom {
                scope: scope.clone(),
                until: now,
            });
        }
        let to = Office {
            level: self.level.clone(),
            path: dest.clone(),
        };
        Ok(TimelineEvent::new(
            now,
            actor,
            EventBody::Forwarded {
                from,
                to,
                direction,
                reason,
            },
        ))
    }

    /// Closes an open case that will not be resolved here, recording how
    /// (`Closure::Resolved` is the lifecycle's `close`, not this). The
    /// note is what the citizen reads as the reason.
    pub fn close_as(
        &mut self,
        closure: Closure,
        actor: Actor,
        note: Option<String>,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, IllegalTransition> {
        let from = self.status;
        let to = from.apply(Transition::Dispose)?;
        if closure == Closure::Resolved {
            return Err(IllegalTransition {
                from,
                transition: Transition::Dispose,
            });
        }
        self.status = to;
        self.handed_down_to = None;
        self.restart_clock(sla, now);
        self.closed_as = Some(closure.clone());
        Ok(TimelineEvent::new(
            now,
            actor,
            EventBody::Closed { from, closure, note },
        ))
    }

    /// Closes the case as the same report as `original` (which carries on).
    pub fn close_as_duplicate(
        &mut self,
        original: &Ticket,
        actor: Actor,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, IllegalTransition> {
        let closure = Closure::Duplicate { of: original.clone() };
        self.close_as(closure, actor, None, sla, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::case::Escalation;
    use crate::domain::ladder::Ladder;

    const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
    const MKS: &str = "bukittinggi/mandiangin-koto-selayan";

    fn path(raw: &str) -> JurisdictionPath {
        JurisdictionPath::parse(raw).unwrap()
    }

    fn units() -> KnownUnits {
        KnownUnits::new([
            path(&format!("{GAREGEH}/rw-01")),
            path(&format!("{GAREGEH}/rw-01/rt-02")),
        ])
    }

    fn to(raw: &str) -> Destination {
        Destination::parse(raw, Jurisdictions::bukittinggi(), &units()).unwrap()
    }

    fn official() -> Actor {
        Actor::Official {
            sub: "sub-1".into(),
            name: "Petugas".into(),
        }
    }

    fn case_at(now: DateTime<Utc>) -> Case {
        Case::open(sample_new_case(1), &Ladder::default(), &SlaPolicy::default(), now).0
    }

    fn forward(case: &mut Case, dest: &str, scope: &str) -> Result<TimelineEvent, ForwardError> {
        let now = case.updated_at + chrono::Duration::hours(1);
        case.forward(
            &to(dest),
            &path(scope),
            official(),
            "alasan".into(),
            &SlaPolicy::default(),
            now,
        )
    }

    fn direction(event: &TimelineEvent) -> Direction {
        match &event.body {
            EventBody::Forwarded { direction, .. } => *direction,
            other => panic!("not a forward: {other:?}"),
        }
    }

    #[test]
    fn destinations_parse_from_the_tree_and_the_unit_directory() {
        let tree = Jurisdictions::bukittinggi();
        let parse = |raw: &str| Destination::parse(raw, tree, &units());
        assert_eq!(to("dinas:pupr").level(), Level::Agency("pupr".into()));
        assert_eq!(to("bukittinggi/dinas/pupr"), to("dinas:pupr"));
        assert_eq!(to(MKS).level(), Level::Tier(Tier::Kecamatan));
        assert_eq!(to("bukittinggi").level(), Level::Tier(Tier::Kota));
        assert_eq!(
            to(&format!("{GAREGEH}/rw-01/rt-02")).level(),
            Level::Tier(Tier::Rt)
        );
        assert!(matches!(
            parse("dinas:polres"),
            Err(DestinationError::UnknownAgency(_))
        ));
        assert!(matches!(
            parse(&format!("{GAREGEH}/rw-01/rt-09")),
            Err(DestinationError::UnknownUnit(_))
        ));
        assert!(matches!(
            Destination::parse(&format!("{GAREGEH}/rw-01"), tree, &KnownUnits::default()),
            Err(DestinationError::UnknownUnit(_))
        ));
        for bad in [
            "",
            "Bukittinggi",
            "bukittinggi/nowhere",
            &format!("{GAREGEH}/blok-a"),
        ] {
            assert!(
                matches!(parse(bad), Err(DestinationError::UnknownPlace(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn handed_down_stays_in_the_kelurahan_and_comes_back() {
        let now = Utc::now();
        let mut case = case_at(now);
        let rt = format!("{GAREGEH}/rw-01/rt-02");
        let event = forward(&mut case, &rt, GAREGEH).unwrap();
        assert_eq!(direction(&event), Direction::Down);
        assert_eq!(case.level, Level::Tier(Tier::Rt));
        assert_eq!(case.holder(), path(&rt));
        assert_eq!(case.area(), &path(GAREGEH), "still in the kelurahan's queue");
        assert!(case.is_within(&path(&rt)) && case.is_within(&path(GAREGEH)));
        assert!(case.senders.is_empty(), "the RT is inside the kelurahan's scope");
        // Not the kecamatan's to hand down, nor a neighbour kelurahan's unit.
        let mut other = case_at(now);
        other.level = Level::Tier(Tier::Kecamatan);
        assert_eq!(forward(&mut other, &rt, MKS).unwrap_err(), ForwardError::NotBelow);
        // The RT hands it back, and keeps reading what it had.
        let event = forward(&mut case, GAREGEH, &rt).unwrap();
        assert_eq!(direction(&event), Direction::Back);
        assert_eq!(case.level, Level::Tier(Tier::Kelurahan));
        assert_eq!(case.handed_down_to, None);
        assert_eq!(case.readable_until(&path(&rt)), Some(event.at));
        assert_eq!(
            forward(&mut case, GAREGEH, &rt).unwrap_err(),
            ForwardError::NotHolder {
                holder: path(GAREGEH)
            }
        );
    }

    #[test]
    fn a_lapsed_hand_down_comes_back_to_the_kelurahan_on_any_ladder() {
        let now = Utc::now();
        let mut case = case_at(now);
        forward(&mut case, &format!("{GAREGEH}/rw-01/rt-02"), GAREGEH).unwrap();
        let full = Ladder::new(Tier::ALL.to_vec(), Tier::Kelurahan).unwrap();
        case.escalate(
            Escalation::default(),
            Actor::System,
            &full,
            &SlaPolicy::default(),
            now,
        )
        .unwrap();
        assert_eq!(case.level, Level::Tier(Tier::Kelurahan));
        assert_eq!(case.handed_down_to, None);
        assert_eq!(case.holder(), path(GAREGEH));
    }

    #[test]
    fn up_sideways_to_dinas_dinas_to_dinas_and_kota_down() {
        let now = Utc::now();
        let mut case = case_at(now);
        let event = forward(&mut case, "bukittinggi", GAREGEH).unwrap();
        assert_eq!(direction(&event), Direction::Up);
        assert_eq!(case.holder(), path("bukittinggi"));
        // The kelurahan let go: its own area still shows it, so no sender entry.
        assert!(case.senders.is_empty());
        assert_eq!(
            forward(&mut case, "dinas:pupr", GAREGEH).unwrap_err(),
            ForwardError::NotHolder {
                holder: path("bukittinggi")
            }
        );
        let event = forward(&mut case, "dinas:pupr", "bukittinggi").unwrap();
        assert_eq!(direction(&event), Direction::Sideways);
        let event = forward(&mut case, "dinas:dlh", "bukittinggi/dinas/pupr").unwrap();
        assert_eq!(direction(&event), Direction::Sideways);
        assert_eq!(case.agency, Some(path("bukittinggi/dinas/dlh")));
        assert!(!case.is_within(&path("bukittinggi/dinas/pupr")));
        assert!(case.readable_until(&path("bukittinggi/dinas/pupr")).is_some());
        let event = forward(&mut case, "bukittinggi", "bukittinggi/dinas/dlh").unwrap();
        assert_eq!(direction(&event), Direction::Up);
        // The kota sends it down to another kelurahan: that area's case now.
        let kayu_kubu = "bukittinggi/guguk-panjang/kayu-kubu";
        let event = forward(&mut case, kayu_kubu, "bukittinggi").unwrap();
        assert_eq!(direction(&event), Direction::Down);
        assert_eq!(case.area(), &path(kayu_kubu));
        assert_eq!(case.agency, None);
        assert!(!case.is_within(&path(GAREGEH)));
        assert_eq!(case.level, Level::Tier(Tier::Kelurahan));
        // Bukan wewenang: a kelurahan to its neighbour.
        let event = forward(&mut case, GAREGEH, kayu_kubu).unwrap();
        assert_eq!(direction(&event), Direction::Sideways);
        assert!(case.readable_until(&path(kayu_kubu)).is_some());
        assert_eq!(
            forward(&mut case, GAREGEH, GAREGEH).unwrap_err(),
            ForwardError::SamePlace(path(GAREGEH))
        );
    }

    #[test]
    fn forwards_restart_the_clock_and_need_an_open_case() {
        let now = Utc::now();
        let mut case = case_at(now);
        let started = case.clock_started_at;
        forward(&mut case, MKS, GAREGEH).unwrap();
        assert!(case.clock_started_at > started);
        assert!(case.due_at.is_some());
        case.close_as(
            Closure::NoFurtherAction,
            official(),
            Some("sudah".into()),
            &SlaPolicy::default(),
            now,
        )
        .unwrap();
        assert_eq!(
            forward(&mut case, "bukittinggi", MKS).unwrap_err(),
            ForwardError::NotOpen(Status::Closed)
        );
    }

    #[test]
    fn closures_are_recorded_and_reopening_forgets_them() {
        let sla = SlaPolicy::default();
        let now = Utc::now();
        let mut case = case_at(now);
        let original = Ticket::parse("ADU-0041").unwrap();
        let event = case.close_as_duplicate(&original, official(), &sla, now).unwrap();
        assert_eq!(case.status, Status::Closed);
        assert_eq!(case.closed_as, Some(Closure::Duplicate { of: original.clone() }));
        assert!(matches!(
            event.body,
            EventBody::Closed {
                from: Status::Received,
                ..
            }
        ));
        assert!(case
            .close_as(Closure::NoFurtherAction, official(), None, &sla, now)
            .is_err());
        case.transition(Transition::Reopen, official(), None, &sla, now)
            .unwrap();
        assert_eq!(case.closed_as, None);
        assert!(case
            .close_as(Closure::Resolved, official(), None, &sla, now)
            .is_err());
        let json = serde_json::to_value(Closure::OutsideAuthority { to: "PLN".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"as": "outside_authority", "to": "PLN"}));
        for (closure, name) in [
            Closure::Resolved,
            Closure::Duplicate { of: original },
            Closure::OutsideAuthority { to: "PLN".into() },
            Closure::NoFurtherAction,
        ]
        .iter()
        .zip(Closure::NAMES)
        {
            assert_eq!(closure.as_str(), name);
        }
    }
}
