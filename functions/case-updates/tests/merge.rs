//! Merging duplicates through `POST /cases/{ticket}/actions` with `merge`
//! and `unmerge`: the merged case closes as a duplicate with a link, both
//! timelines and audits record it, the target's notices (its "is it
//! solved?" question among them) reach the merged case's reporter too, the
//! scope of both cases is needed, the refusals, and the undo within a day.
//! Against the local emulator, a fresh table each.

mod support;

use aduan_shared::conversation::Awaiting;
use aduan_shared::domain::case::Case;
use serde_json::{json, Value};
use support::*;

async fn merge(app: &App, who: &Caller, ticket: &str, into: &str, version: u64) -> Response {
    app.act(
        who,
        ticket,
        json!({"action": "merge", "into": into, "version": version}),
    )
    .await
}

fn event_of<'a>(r: &'a Response, kind: &str) -> &'a Value {
    let timeline = r.body["timeline"].as_array().unwrap();
    timeline
        .iter()
        .find(|e| e["body"]["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} event: {}", r.text))
}

/// The numbers the WhatsApp stand-in was asked to send to, in order.
fn recipients(app: &App) -> Vec<String> {
    let sent = app.whatsapp.received();
    sent.iter()
        .filter_map(|r| r.body["to"].as_str().map(str::to_owned))
        .collect()
}

async fn awaiting_of(app: &App, case: &Case) -> Option<Awaiting> {
    let id = case.reporter.id().unwrap();
    app.store().reporter(id).await.unwrap().unwrap().awaiting
}

#[tokio::test]
async fn a_merged_case_closes_as_duplicate_and_its_reporter_follows_the_target() {
    let app = App::new("merge").await;
    let target = app.seed(1, KEL_GAREGEH).await;
    let dup = app.seed(2, KEL_GAREGEH).await;
    let lurah = caller(KEL_GAREGEH, "officer");

    app.requests.reset();
    let r = merge(&app, &lurah, "ADU-0002", "ADU-0001", 1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Pinned: the ticket's pointer and the case, for each of the two; the
    // merged reporter's record for the message; one write (both cases,
    // their events, an audit entry on each, the message); the message's
    // outcome.
    assert_eq!(
        app.requests.by_operation(),
        [("GetItem".to_owned(), 5), ("TransactWriteItems".to_owned(), 2)].into()
    );
    assert_eq!(r.body["case"]["status"], "closed");
    assert_eq!(
        r.body["case"]["closed_as"],
        json!({"as": "duplicate", "of": "ADU-0001"})
    );
    assert_eq!(r.body["case"]["merged_into"]["ticket"], "ADU-0001");
    assert!(r.body["case"]["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("unmerge")));
    assert_eq!(r.body["notification"]["delivery"], "sent");
    let told = app.whatsapp.texts().last().cloned().unwrap();
    assert!(told.contains("ADU-0002") && told.contains("ADU-0001"), "{told}");
    assert_eq!(recipients(&app), [number_of(2)]);

    // Both timelines say who did it, and when.
    let merged = app.get(&lurah, "/cases/ADU-0002").await;
    let closed = event_of(&merged, "closed");
    assert_eq!(
        closed["body"]["closure"],
        json!({"as": "duplicate", "of": "ADU-0001"})
    );
    assert_eq!(closed["actor"]["name"], lurah.name);
    let taken = app.get(&lurah, "/cases/ADU-0001").await;
    assert_eq!(taken.body["case"]["merged"], json!(["ADU-0002"]));
    let merged_in = event_of(&taken, "merged_in");
    assert_eq!(merged_in["body"]["from"], "ADU-0002");
    assert_eq!(merged_in["actor"]["name"], lurah.name);
    assert_eq!(merged_in["at"], closed["at"]);
    // And so do both audits.
    let admin = caller("bukittinggi", "admin");
    for ticket in ["ADU-0001", "ADU-0002"] {
        let audit = app.get(&admin, &format!("/cases/{ticket}/audit")).await;
        assert_eq!(audit.status, 200, "{}", audit.text);
        let acts: Vec<&Value> = audit.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["what"]["type"] == "action")
            .collect();
        assert_eq!(acts.len(), 1, "{ticket}: {}", audit.text);
        assert_eq!(acts[0]["what"]["action"], "merge");
        assert_eq!(acts[0]["actor"]["sub"], lurah.sub);
    }

    // The target's progress reaches both reporters; its "is it solved?"
    // question makes both reporters' next answer the reply to it.
    for (action, version) in [("verify", 2), ("start", 3), ("resolve", 4)] {
        let body = json!({"action": action, "note": "lampu sudah diganti", "version": version});
        let r = app.act(&lurah, "ADU-0001", body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["notification"]["delivery"], "sent");
    }
    let sent = recipients(&app);
    assert_eq!(sent.len(), 1 + 3 * 2, "{sent:?}");
    for pair in sent[1..].chunks(2) {
        assert_eq!(pair, [number_of(1), number_of(2)]);
    }
    let question = app.whatsapp.texts().last().cloned().unwrap();
    assert!(question.contains("ADU-0001"), "{question}");
    for case in [&target, &dup] {
        match awaiting_of(&app, case).await {
            Some(Awaiting::Confirmation { case: asked }) => assert_eq!(asked.id, target.id),
            other => panic!("not asked about the target: {other:?}"),
        }
    }
    // Each message is recorded on its reporter's own case.
    let merged = app.get(&lurah, "/cases/ADU-0002").await;
    let outbound = event_types(&merged).iter().filter(|t| *t == "outbound").count();
    assert_eq!(outbound, 4, "merged, verified, in progress, resolved");
    let resolved_text = merged.body["timeline"].as_array().unwrap().last().unwrap()["body"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(resolved_text.contains("lampu sudah diganti"), "{resolved_text}");
}

#[tokio::test]
async fn a_merge_needs_the_scope_of_both_cases() {
    let app = App::new("merge-scope").await;
    app.seed(1, KEL_GAREGEH).await;
    app.seed(2, KEL_KAYU_KUBU).await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let r = merge(&app, &lurah, "ADU-0001", "ADU-0002", 1).await;
    assert_eq!((r.status, r.code()), (403, "outside_scope"), "{}", r.text);
    assert_eq!(r.body["error"]["field"], "into");
    // The kota sees both.
    let kota = caller("bukittinggi", "officer");
    let r = merge(&app, &kota, "ADU-0001", "ADU-0002", 1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A viewer acts on nothing; an unknown target names the field.
    let viewer = caller("bukittinggi", "viewer");
    let r = merge(&app, &viewer, "ADU-0002", "ADU-0001", 2).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = merge(&app, &kota, "ADU-0002", "ADU-0099", 2).await;
    assert_eq!((r.status, r.body["error"]["field"].clone()), (422, json!("into")));
    let r = app
        .act(&kota, "ADU-0002", json!({"action": "merge", "version": 2}))
        .await;
    assert_eq!((r.status, r.body["error"]["field"].clone()), (422, json!("into")));
}

#[tokio::test]
async fn merging_into_itself_a_closed_case_or_a_merged_case_is_refused() {
    let app = App::new("merge-refused").await;
    for n in 1..=4 {
        app.seed(n, KEL_GAREGEH).await;
    }
    let lurah = caller(KEL_GAREGEH, "officer");
    let refused = |r: &Response| {
        assert_eq!((r.status, r.code()), (409, "merge_refused"), "{}", r.text);
        r.body["error"]["message"].as_str().unwrap().to_owned()
    };
    let r = merge(&app, &lurah, "ADU-0001", "ADU-0001", 1).await;
    assert!(refused(&r).contains("itself"));

    let reject = json!({"action": "reject", "reason": "bukan laporan", "version": 1});
    assert_eq!(app.act(&lurah, "ADU-0004", reject).await.status, 200);
    let r = merge(&app, &lurah, "ADU-0001", "ADU-0004", 1).await;
    assert!(refused(&r).contains("ADU-0004 is rejected"), "{}", r.text);

    assert_eq!(merge(&app, &lurah, "ADU-0002", "ADU-0001", 1).await.status, 200);
    // Into a case that is itself merged: the message names where to go.
    let r = merge(&app, &lurah, "ADU-0003", "ADU-0002", 1).await;
    assert!(refused(&r).contains("merge into ADU-0001 instead"), "{}", r.text);
    // The same case merged twice.
    let r = merge(&app, &lurah, "ADU-0002", "ADU-0003", 2).await;
    assert!(refused(&r).contains("merged into ADU-0001 already"), "{}", r.text);
    // A case others follow is not merged itself.
    let r = merge(&app, &lurah, "ADU-0001", "ADU-0003", 2).await;
    assert!(refused(&r).contains("has cases merged into it"), "{}", r.text);
    // Nothing of it was written.
    let target = app.get(&lurah, "/cases/ADU-0001").await;
    assert_eq!(target.body["case"]["merged"], json!(["ADU-0002"]));
    assert_eq!(target.body["case"]["version"], 2);
    let other = app.get(&lurah, "/cases/ADU-0003").await;
    assert_eq!(other.body["case"]["status"], "received");
}

#[tokio::test]
async fn a_merge_is_undone_within_a_day_and_not_after() {
    let app = App::new("unmerge").await;
    app.seed(1, KEL_GAREGEH).await;
    app.seed(2, KEL_GAREGEH).await;
    app.seed(3, KEL_GAREGEH).await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let verify = json!({"action": "verify", "version": 1});
    assert_eq!(app.act(&lurah, "ADU-0002", verify).await.status, 200);
    assert_eq!(merge(&app, &lurah, "ADU-0002", "ADU-0001", 2).await.status, 200);
    assert_eq!(merge(&app, &lurah, "ADU-0003", "ADU-0001", 1).await.status, 200);

    let unmerge = |version: u64| json!({"action": "unmerge", "version": version});
    let now = chrono::Utc::now();
    let r = app
        .act_at(&lurah, "ADU-0002", unmerge(3), now + chrono::Duration::hours(23))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["case"]["status"], "verified",
        "back at its previous status"
    );
    assert_eq!(r.body["case"]["closed_as"], Value::Null);
    assert!(r.body["case"].get("merged_into").is_none(), "{}", r.text);
    assert!(r.body["case"]["due_at"].is_string());
    let told = app.whatsapp.texts().last().cloned().unwrap();
    assert!(told.contains("ADU-0002") && told.contains("tersendiri"), "{told}");
    let target = app.get(&lurah, "/cases/ADU-0001").await;
    assert_eq!(target.body["case"]["merged"], json!(["ADU-0003"]));
    assert_eq!(event_of(&target, "unmerged")["body"]["from"], "ADU-0002");
    let merged = app.get(&lurah, "/cases/ADU-0002").await;
    assert_eq!(event_of(&merged, "unmerged")["body"]["status"], "verified");

    // A day after the merge: too late, and nothing changes.
    let r = app
        .act_at(&lurah, "ADU-0003", unmerge(2), now + chrono::Duration::hours(25))
        .await;
    assert_eq!((r.status, r.code()), (409, "merge_refused"), "{}", r.text);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("24 hours"));
    // A case not merged has nothing to undo.
    let r = app.act(&lurah, "ADU-0002", unmerge(4)).await;
    assert_eq!((r.status, r.code()), (409, "merge_refused"), "{}", r.text);
    let r = app.get(&lurah, "/cases/ADU-0003").await;
    assert_eq!(r.body["case"]["status"], "closed");
}

/// A citizen who reported the same lamp twice hears of it once, not once
/// for each of their cases.
#[tokio::test]
async fn a_reporter_of_both_cases_is_told_once() {
    let app = App::new("merge-same-reporter").await;
    let first = app.seed(1, KEL_GAREGEH).await;
    // The second report is theirs too (as the webhook files a second case
    // of one reporter).
    let mut again = app.seed(2, KEL_GAREGEH).await;
    again.reporter = first.reporter.clone();
    app.store().save_case(&mut again, &[], None).await.unwrap();
    let lurah = caller(KEL_GAREGEH, "officer");
    let r = merge(&app, &lurah, "ADU-0002", "ADU-0001", 2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let before = recipients(&app).len();
    let r = app
        .act(&lurah, "ADU-0001", json!({"action": "verify", "version": 2}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(recipients(&app)[before..], [number_of(1)]);
}
