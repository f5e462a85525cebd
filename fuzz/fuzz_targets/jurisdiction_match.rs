//! Free text naming (or not) a place: the kelurahan and kecamatan matchers,
//! a numbered answer, paths and slugs.
#![no_main]

use aduan_shared::domain::jurisdiction::{choose_by_number, slugify, JurisdictionPath, Jurisdictions};
use aduan_shared::domain::language::Vocabulary;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tree = Jurisdictions::bukittinggi();
    for within in std::iter::once(None).chain(tree.kecamatan().map(|k| Some(&k.path))) {
        if let Some(node) = tree.match_kelurahan(text, within).found() {
            // What is found is in the tree, and inside the kecamatan asked about.
            assert!(tree.contains(&node.path));
            if let Some(kecamatan) = within {
                assert!(node.path.is_within(kecamatan));
            }
        }
    }
    let _ = tree.match_kecamatan(text);
    let kecamatan: Vec<_> = tree.kecamatan().collect();
    if let Some(node) = choose_by_number(&kecamatan, text) {
        assert!(kecamatan.iter().any(|k| k.path == node.path));
    }
    if let Ok(path) = JurisdictionPath::parse(text) {
        assert_eq!(JurisdictionPath::parse(path.as_str()), Ok(path));
    }
    let _ = slugify(text);
    let reading = Vocabulary::shipped().read(text);
    let _ = (reading.kind(), reading.is_greeting_only(), reading.asks_status(), reading.yes_or_no());
});
