//! What the officials' fuzz target checks for one input, shared with the
//! property test that runs in CI (`functions/case-updates/tests/request_parsing.rs`):
//! the JSON bodies of the three POST routes and the query strings of
//! `GET /cases` and `GET /stats`, parsed as the handlers do before any case
//! is read. Nothing may panic, and a parsed period runs forwards.

use std::collections::HashMap;

use aduan_shared::domain::jurisdiction::Jurisdictions;
use case_updates::auth::Official;
use case_updates::routes::{actions, cases, escalations, messages, stats};
use chrono::{DateTime, FixedOffset};

pub fn check(data: &[u8]) {
    let tree = Jurisdictions::bukittinggi();
    let _ = actions::action_request(tree, data);
    let _ = escalations::escalation_request(tree, data);
    let _ = messages::message_request(data);

    let mut query: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(data) {
        query.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    let query = query.into();
    let offset = FixedOffset::east_opt(7 * 3600).expect("a valid offset");
    let now = DateTime::from_timestamp(1_764_000_000, 0).expect("a valid time");
    let claims: HashMap<String, String> = [
        ("sub", "u-1"),
        ("custom:scope", "bukittinggi/guguk-panjang"),
        ("custom:role", "officer"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let official = Official::from_claims(&claims).expect("valid claims");
    if let Ok(q) = cases::queue_query(offset, &official, &query) {
        if let (Some(since), Some(until)) = (q.since, q.until) {
            assert!(since <= until);
        }
    }
    if let Ok((since, until)) = stats::period(offset, &query, now) {
        assert!(since <= until);
    }
}
