//! How the console names places and agencies, so that no path reaches an
//! official's screen: "Kelurahan Garegeh, Kecamatan Mandiangin Koto
//! Selayan", "Dinas PUPR".

use aduan_shared::conversation::replies::unit_name;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, Node, NodeKind, UnitPath};
use aduan_shared::domain::ladder::{Level, Tier};

/// A node with its kecamatan and kelurahan above it ("RW 01, Kelurahan
/// Garegeh, Kecamatan Mandiangin Koto Selayan"); the kota and agencies by
/// their own names. A path the tree does not know (a case filed under a
/// node since removed) shows as its last segment rather than not at all.
pub fn place_label(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    match tree.node(path) {
        Some(node) if node.kind == NodeKind::Agency => agency_label(node),
        Some(node) if node.kind == NodeKind::Kota => node.name.clone(),
        Some(_) => {
            let parts: Vec<String> = path
                .lineage()
                .iter()
                .rev()
                .filter_map(|p| tree.node(p))
                .filter(|n| n.kind != NodeKind::Kota)
                .map(own_label)
                .collect();
            parts.join(", ")
        }
        // An RW or RT: kept in the table, named by its numbers alone.
        None => match UnitPath::of(tree, path) {
            Some(unit) => format!("{}, {}", unit.display_name(), place_label(tree, unit.kelurahan())),
            None => path.last_segment().to_owned(),
        },
    }
}

/// An office a case was handed to: a node of the tree by [`place_label`],
/// an RW or RT (not in the tree) by its numbers and kelurahan.
pub fn office_label(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    if tree.node(path).is_none() && path.depth() > 3 {
        unit_name(tree, path)
    } else {
        place_label(tree, path)
    }
}

/// One node alone: "Kelurahan Garegeh", "Kecamatan Guguk Panjang", "RW 01".
pub fn own_label(node: &Node) -> String {
    match node.kind {
        NodeKind::Agency => agency_label(node),
        _ => node.display_name(),
    }
}

/// How staff say an agency: "Dinas PUPR" for a dinas whose short name does
/// not say so itself ("Dishub", "DLH" already do), else its short name
/// ("Satpol PP"), else its full name.
pub fn agency_label(node: &Node) -> String {
    match node.short.as_deref() {
        Some(short) if node.name.starts_with("Dinas ") && !short.starts_with('D') => format!("Dinas {short}"),
        Some(short) => short.to_owned(),
        None => node.name.clone(),
    }
}

/// A level of the ladder: "Kecamatan", or the agency's label.
pub fn level_label(tree: &Jurisdictions, level: &Level) -> String {
    match level {
        Level::Tier(tier) => tier_label(*tier).to_owned(),
        Level::Agency(slug) => tree
            .agencies()
            .find(|a| a.slug() == slug)
            .map_or_else(|| slug.to_uppercase(), agency_label),
    }
}

pub fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Rt => "RT",
        Tier::Rw => "RW",
        Tier::Kelurahan => "Kelurahan",
        Tier::Kecamatan => "Kecamatan",
        Tier::Kota => "Kota",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(path: &str) -> String {
        place_label(
            Jurisdictions::bukittinggi(),
            &JurisdictionPath::parse(path).unwrap(),
        )
    }

    #[test]
    fn places_and_agencies_by_name() {
        assert_eq!(
            label("bukittinggi/mandiangin-koto-selayan/garegeh"),
            "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
        );
        assert_eq!(label("bukittinggi/guguk-panjang"), "Kecamatan Guguk Panjang");
        assert_eq!(label("bukittinggi"), "Kota Bukittinggi");
        assert_eq!(label("bukittinggi/dinas/pupr"), "Dinas PUPR");
        assert_eq!(label("bukittinggi/dinas/dishub"), "Dishub");
        assert_eq!(label("bukittinggi/dinas/satpol-pp"), "Satpol PP");
        assert_eq!(label("bukittinggi/gone"), "gone");
        assert_eq!(
            label("bukittinggi/mandiangin-koto-selayan/garegeh/rw-03/rt-01"),
            "RT 01 / RW 03, Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
        );
        let tree = Jurisdictions::bukittinggi();
        assert_eq!(
            level_label(tree, &Level::parse("dinas:pupr").unwrap()),
            "Dinas PUPR"
        );
        assert_eq!(level_label(tree, &Level::parse("kota").unwrap()), "Kota");
    }
}
