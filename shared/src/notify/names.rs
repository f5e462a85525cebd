//! How officials' messages name places and levels: a node by its name (an
//! agency by its short name), a level by its tier or agency. Shared by the
//! escalation and digest messages.

use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind};
use crate::domain::ladder::Level;

/// A node's display name: its name, an agency's short name.
pub fn node_name(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    match tree.node(path) {
        Some(node) if node.kind == NodeKind::Agency => {
            node.short.clone().unwrap_or_else(|| node.name.clone())
        }
        Some(node) if node.kind == NodeKind::Kecamatan => format!("Kec. {}", node.name),
        Some(node) => node.name.clone(),
        None => path.last_segment().to_owned(),
    }
}

/// The kelurahan's name (RW/RT areas by their kelurahan), else the node's.
pub(super) fn area_name(tree: &Jurisdictions, area: &JurisdictionPath) -> String {
    let kelurahan = area.ancestor_at(3).filter(|_| area.depth() > 3);
    node_name(tree, kelurahan.as_ref().unwrap_or(area))
}

/// "Kel. Garegeh, Kec. Mandiangin Koto Selayan, Kota Bukittinggi".
pub(super) fn area_lineage(tree: &Jurisdictions, area: &JurisdictionPath) -> String {
    let mut parts: Vec<String> = area
        .lineage()
        .iter()
        .map(|p| match tree.node(p) {
            Some(node) if node.kind == NodeKind::Kelurahan => format!("Kel. {}", node.name),
            Some(node) if node.kind == NodeKind::Kecamatan => format!("Kec. {}", node.name),
            Some(node) => node.name.clone(),
            None => p.last_segment().to_owned(),
        })
        .collect();
    parts.reverse();
    parts.join(", ")
}

/// "kecamatan", "kota", or an agency's short name.
pub fn level_name(tree: &Jurisdictions, level: &Level) -> String {
    match level {
        Level::Tier(tier) => tier.as_str().to_owned(),
        Level::Agency(slug) => tree
            .agencies()
            .find(|a| a.slug() == slug)
            .and_then(|a| a.short.clone())
            .unwrap_or_else(|| slug.to_uppercase()),
    }
}
