//! `GET /jurisdictions`: the part of the tree a caller may see and choose
//! from, by name, so that the console neither shows nor asks for a path.
//! The scope's ancestors (for names), the scope and all below it; every
//! agency with its categories; and which of them the action and
//! escalation routes accept from this caller, by the same checks those
//! routes make, so a picker offers nothing the API would refuse.

use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind, UnitList};
use aduan_shared::domain::ladder::{Ladder, Level, Tier};
use chrono::{DateTime, Utc};
use lambda_http::{Body, Response};
use serde::Serialize;

use super::actions::is_reclassify_target;
use super::{ok, units};
use crate::auth::Official;
use crate::error::ApiError;
use crate::names::{agency_label, own_label, place_label, tier_label};
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Catalogue<'a> {
    pub scope: &'a JurisdictionPath,
    pub scope_name: String,
    /// Tree order: each node after its parent.
    pub nodes: Vec<NodeView<'a>>,
    pub agencies: Vec<AgencyView<'a>>,
    /// Where a `forward` may send a case besides the agencies (whose
    /// `escalate_to` is also their `to`) and the RWs/RTs of its kelurahan:
    /// the kota, every kecamatan and every kelurahan of the city, in tree
    /// order, in scope or not (a forward may leave the caller's scope).
    pub destinations: Vec<DestinationView<'a>>,
    /// The ladder's tiers, lowest first: an escalation's `to` is one above
    /// the case's level (from an agency, only the top one).
    pub tiers: Vec<TierView>,
    /// The RWs and RTs of the caller's kelurahan (when the scope is one
    /// kelurahan or inside one), as its staff keep them, in path order.
    pub units: Vec<UnitNodeView>,
}

#[derive(Debug, Serialize)]
pub struct UnitNodeView {
    pub path: JurisdictionPath,
    pub kind: NodeKind,
    /// "RT 01 / RW 03".
    pub name: String,
    /// "RT 01 / RW 03, Kelurahan Garegeh".
    pub label: String,
    pub within_scope: bool,
}

#[derive(Debug, Serialize)]
pub struct NodeView<'a> {
    pub path: &'a JurisdictionPath,
    pub name: &'a str,
    pub kind: NodeKind,
    pub aliases: &'a [String],
    /// "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan".
    pub label: String,
    /// Inside the caller's scope (the ancestors are listed for names only).
    pub within_scope: bool,
    /// A case may be reclassified here by this caller (`kelurahan` of the
    /// reclassify action); false for a viewer, who may not act.
    pub reclassify: bool,
}

#[derive(Debug, Serialize)]
pub struct AgencyView<'a> {
    pub path: &'a JurisdictionPath,
    pub name: &'a str,
    pub short: Option<&'a str>,
    pub aliases: &'a [String],
    /// "Dinas PUPR".
    pub label: String,
    /// The categories this agency handles: it is the suggested dinas for them.
    pub categories: &'a [String],
    /// The escalation's `to` for it (`dinas:pupr`).
    pub escalate_to: String,
}

#[derive(Debug, Serialize)]
pub struct DestinationView<'a> {
    /// The forward's `to`.
    pub path: &'a JurisdictionPath,
    pub kind: NodeKind,
    pub name: &'a str,
    pub aliases: &'a [String],
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct TierView {
    pub tier: Tier,
    pub label: &'static str,
}

pub async fn list(
    state: &AppState,
    official: &Official,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let units = units::of_scope(state, official, now).await?;
    let mut catalogue = catalogue(&state.tree, &state.ladder, official);
    catalogue.units = units.map(|list| unit_nodes(&list, official)).unwrap_or_default();
    ok(&catalogue)
}

/// The units of `list` the caller's scope holds or lies in.
fn unit_nodes(list: &UnitList, official: &Official) -> Vec<UnitNodeView> {
    list.units()
        .iter()
        .map(|u| (u, u.path.path()))
        .filter(|(_, path)| path.is_within(&official.scope) || official.scope.is_within(path))
        .map(|(u, path)| UnitNodeView {
            kind: u.path.kind(),
            name: u.path.display_name(),
            label: list.display_name(&path).unwrap_or_else(|| u.path.display_name()),
            within_scope: path.is_within(&official.scope),
            path,
        })
        .collect()
}

/// What `official` may see and choose; no I/O.
pub fn catalogue<'a>(tree: &'a Jurisdictions, ladder: &Ladder, official: &'a Official) -> Catalogue<'a> {
    let scope = &official.scope;
    let nodes = tree
        .nodes()
        .iter()
        .filter(|n| n.kind != NodeKind::Agency)
        .filter(|n| n.path.is_within(scope) || scope.is_within(&n.path))
        .map(|n| NodeView {
            path: &n.path,
            name: &n.name,
            kind: n.kind,
            aliases: &n.aliases,
            label: if n.kind == NodeKind::Kelurahan {
                place_label(tree, &n.path)
            } else {
                own_label(n)
            },
            within_scope: n.path.is_within(scope),
            reclassify: official.role.may_act() && is_reclassify_target(n) && n.path.is_within(scope),
        })
        .collect();
    let agencies = tree
        .agencies()
        .map(|a| AgencyView {
            path: &a.path,
            name: &a.name,
            short: a.short.as_deref(),
            aliases: &a.aliases,
            label: agency_label(a),
            categories: &a.categories,
            escalate_to: Level::Agency(a.slug().to_owned()).to_string(),
        })
        .collect();
    let destinations = tree
        .nodes()
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Kota | NodeKind::Kecamatan | NodeKind::Kelurahan))
        .map(|n| DestinationView {
            path: &n.path,
            kind: n.kind,
            name: &n.name,
            aliases: &n.aliases,
            label: place_label(tree, &n.path),
        })
        .collect();
    let tiers = ladder
        .tiers()
        .iter()
        .map(|&tier| TierView {
            tier,
            label: tier_label(tier),
        })
        .collect();
    Catalogue {
        scope,
        scope_name: place_label(tree, scope),
        nodes,
        agencies,
        destinations,
        tiers,
        units: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::actions::action_request;
    use crate::routes::escalations::escalation_request;
    use std::collections::HashMap;

    fn official(scope: &str, role: &str) -> Official {
        let claims: HashMap<String, String> = [("sub", "u"), ("custom:scope", scope), ("custom:role", role)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Official::from_claims(&claims).unwrap()
    }

    fn tree() -> &'static Jurisdictions {
        Jurisdictions::bukittinggi()
    }

    fn choices(catalogue: &Catalogue) -> Vec<String> {
        let mut out: Vec<String> = catalogue
            .nodes
            .iter()
            .filter(|n| n.reclassify)
            .map(|n| n.path.to_string())
            .collect();
        out.sort();
        out
    }

    /// What the reclassify action says of moving a case to `path`: the body's
    /// checks, then the scope's (as `actions::act` makes them).
    fn accepted(tree: &Jurisdictions, who: &Official, path: &str) -> bool {
        let body = serde_json::json!({"action": "reclassify", "kelurahan": path, "version": 1});
        match action_request(tree, body.to_string().as_bytes()) {
            Ok(_) => who
                .require_within("kelurahan", &JurisdictionPath::parse(path).unwrap())
                .is_ok(),
            Err(_) => false,
        }
    }

    #[test]
    fn a_lurah_sees_their_kelurahan_its_ancestors_and_the_agencies() {
        let lurah = official("bukittinggi/mandiangin-koto-selayan/garegeh", "officer");
        let c = catalogue(tree(), &Ladder::default(), &lurah);
        let paths: Vec<&str> = c.nodes.iter().map(|n| n.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "bukittinggi",
                "bukittinggi/mandiangin-koto-selayan",
                "bukittinggi/mandiangin-koto-selayan/garegeh"
            ]
        );
        assert_eq!(c.nodes.iter().filter(|n| n.within_scope).count(), 1);
        assert_eq!(choices(&c), ["bukittinggi/mandiangin-koto-selayan/garegeh"]);
        assert_eq!(
            c.scope_name,
            "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
        );
        assert_eq!(c.agencies.len(), tree().agencies().count());
        let pupr = c.agencies.iter().find(|a| a.escalate_to == "dinas:pupr").unwrap();
        assert_eq!(pupr.label, "Dinas PUPR");
        assert!(pupr.categories.iter().any(|k| k == "jalan"));
        let tiers: Vec<&str> = c.tiers.iter().map(|t| t.label).collect();
        assert_eq!(tiers, ["Kelurahan", "Kecamatan", "Kota"]);
    }

    /// The pickers and the API agree: every kelurahan the catalogue offers
    /// is accepted, every other one refused, for each kind of scope.
    #[test]
    fn reclassify_choices_are_exactly_what_the_action_accepts() {
        for scope in [
            "bukittinggi",
            "bukittinggi/guguk-panjang",
            "bukittinggi/mandiangin-koto-selayan/garegeh",
            "bukittinggi/dinas/pupr",
        ] {
            let who = official(scope, "officer");
            let c = catalogue(tree(), &Ladder::default(), &who);
            let offered = choices(&c);
            for node in tree().nodes() {
                let path = node.path.as_str();
                assert_eq!(
                    offered.iter().any(|o| o == path),
                    accepted(tree(), &who, path),
                    "{scope}: {path}"
                );
            }
        }
        let camat = official("bukittinggi/guguk-panjang", "officer");
        assert_eq!(choices(&catalogue(tree(), &Ladder::default(), &camat)).len(), 7);
        // An agency's officials see no area below them, and may move nothing.
        let dinas = official("bukittinggi/dinas/pupr", "officer");
        let c = catalogue(tree(), &Ladder::default(), &dinas);
        assert!(c.nodes.iter().all(|n| !n.within_scope && !n.reclassify));
        assert_eq!(c.scope_name, "Dinas PUPR");
    }

    #[test]
    fn a_viewer_is_offered_nothing_to_choose() {
        let viewer = official("bukittinggi", "viewer");
        let c = catalogue(tree(), &Ladder::default(), &viewer);
        assert_eq!(c.nodes.len(), 1 + 3 + 24);
        assert!(choices(&c).is_empty());
    }

    /// Every forward destination offered, and every agency's `escalate_to`,
    /// is a place the forward's `to` names.
    #[test]
    fn every_destination_offered_is_a_forward_the_api_accepts() {
        use aduan_shared::domain::disposition::{Destination, KnownUnits};
        let lurah = official("bukittinggi/mandiangin-koto-selayan/garegeh", "officer");
        let c = catalogue(tree(), &Ladder::default(), &lurah);
        assert_eq!(c.destinations.len(), 1 + 3 + 24, "the whole city, not the scope");
        let offered = c
            .destinations
            .iter()
            .map(|d| d.path.to_string())
            .chain(c.agencies.iter().map(|a| a.escalate_to.clone()));
        for to in offered {
            let parsed = Destination::parse(&to, tree(), &KnownUnits::default());
            assert!(parsed.is_ok(), "{to}: {parsed:?}");
        }
    }

    #[test]
    fn every_agency_offered_is_an_escalation_the_api_accepts() {
        let who = official("bukittinggi", "officer");
        for agency in catalogue(tree(), &Ladder::default(), &who).agencies {
            let body = serde_json::json!({"to": agency.escalate_to});
            assert!(escalation_request(tree(), body.to_string().as_bytes()).is_ok());
        }
    }
}
