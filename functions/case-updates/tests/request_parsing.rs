//! The officials' fuzz target, run in CI without libFuzzer: its checks
//! (`fuzz/officials/check.rs`: nothing panics, a parsed period runs
//! forwards) over every seed, then over generated inputs: request bodies
//! built from the fields and values the routes know, query strings likewise,
//! seeds with bytes changed, and arbitrary bytes. The fuzz target itself
//! (`make fuzz`) links an instrumented AWS SDK, a build too long for CI.

#[path = "../../../fuzz/officials/check.rs"]
mod check;

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Map, Value};

fn seeds() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/officials_request");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("the officials' fuzz seeds")
        .map(|entry| std::fs::read(entry.expect("a seed").path()).expect("a readable seed"))
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn every_seed_passes_the_checks() {
    let seeds = seeds();
    assert!(
        seeds.len() >= 5,
        "expected the seed corpus, found {}",
        seeds.len()
    );
    for seed in &seeds {
        check::check(seed);
    }
}

const FIELDS: &[&str] = &[
    "action",
    "version",
    "note",
    "reason",
    "kind",
    "category",
    "kelurahan",
    "to",
    "text",
];
const WORDS: &[&str] = &[
    "verify",
    "reject",
    "start",
    "resolve",
    "close",
    "reopen",
    "reclassify",
    "note",
    "pengaduan",
    "saran",
    "kritik",
    "pertanyaan",
    "kelurahan",
    "kecamatan",
    "kota",
    "wali-kota",
    "dinas:pupr",
    "dinas:",
    "bukittinggi",
    "bukittinggi/guguk-panjang",
    "bukittinggi/mandiangin-koto-selayan/garegeh",
    "bukittinggi/x/y/z/w",
    "jalan",
    "",
    " ",
    "\u{0}",
    "é",
    "ADU-0042",
    "2026-11-29",
    "2026-02-30",
    "-1",
    "1e400",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        "\\PC{0,300}".prop_map(Value::from),
        (1usize..12_000).prop_map(|n| Value::from("a".repeat(n))),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..4).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A body with the routes' own field names, any values.
fn request_body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((prop::sample::select(FIELDS), json_value()), 0..6).prop_map(|pairs| {
        let object: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        serde_json::to_vec(&Value::Object(object)).expect("json")
    })
}

const PARAMS: &[&str] = &[
    "status",
    "kind",
    "level",
    "jurisdiction",
    "since",
    "until",
    "limit",
    "cursor",
    "period",
];

/// A query string with the routes' own parameters, any values, repeated or not.
fn query_string() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        prop::sample::select(WORDS).prop_map(str::to_owned),
        any::<i64>().prop_map(|n| n.to_string()),
        "\\PC{0,80}",
    ];
    prop::collection::vec((prop::sample::select(PARAMS), value), 0..8).prop_map(|pairs| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    })
}

/// A seed with bytes overwritten, inserted and cut, as a fuzzer would.
fn mutated_seed() -> impl Strategy<Value = Vec<u8>> {
    let seeds = seeds();
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, byte, how) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match how {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn request_bodies(body in request_body()) {
        check::check(&body);
    }

    #[test]
    fn query_strings(query in query_string()) {
        check::check(&query);
    }

    #[test]
    fn mutated_seeds(input in mutated_seed()) {
        check::check(&input);
    }

    #[test]
    fn arbitrary_bytes(input in prop::collection::vec(any::<u8>(), 0..600)) {
        check::check(&input);
    }
}
