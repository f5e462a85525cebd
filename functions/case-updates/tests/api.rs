//! The officials' API end to end: API Gateway events with claims, against
//! the local emulator. Each test has its own table, topic and WhatsApp stand-in.

mod support;

use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn no_claims_is_401_and_every_error_has_one_shape() {
    let app = App::new("auth").await;
    let r = app.call(None, "GET", "/cases", None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "unauthenticated");
    assert!(r.body["error"]["message"].is_string());

    let mut no_scope = caller(KEL_GAREGEH, "officer");
    no_scope.scope = "Garegeh!".into();
    let r = app.get(&no_scope, "/cases").await;
    assert_eq!((r.status, r.code()), (403, "bad_claims"));

    let who = caller(KEL_GAREGEH, "officer");
    let r = app.get(&who, "/nothing").await;
    assert_eq!((r.status, r.code()), (404, "no_route"));
    let r = app.call(Some(&who), "DELETE", "/cases/ADU-0001", None).await;
    assert_eq!((r.status, r.code()), (405, "method_not_allowed"));
}

#[tokio::test]
async fn the_queue_is_the_callers_scope_newest_first_filtered_and_paged() {
    let app = App::new("queue").await;
    let now = chrono::Utc::now();
    let minutes = |m| now - chrono::Duration::minutes(m);
    app.seed_at(1, KEL_GAREGEH, minutes(30), minutes(30)).await;
    app.seed_at(2, KEL_GAREGEH, minutes(20), minutes(20)).await;
    app.seed_at(3, KEL_PUHUN_TEMBOK, minutes(10), minutes(10)).await;
    app.seed_at(4, KEL_KAYU_KUBU, minutes(5), minutes(5)).await;
    app.seed_at(5, KEC_MKS, minutes(1), minutes(1)).await; // kelurahan not known yet

    let tickets = |r: &Response| -> Vec<String> {
        r.body["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["ticket"].as_str().unwrap().to_owned())
            .collect()
    };
    let garegeh = caller(KEL_GAREGEH, "viewer");
    let r = app.get(&garegeh, "/cases").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(tickets(&r), ["ADU-0002", "ADU-0001"]);
    assert!(r.body["next_cursor"].is_null());

    let kecamatan = caller(KEC_MKS, "viewer");
    let r = app.get(&kecamatan, "/cases").await;
    assert_eq!(tickets(&r), ["ADU-0005", "ADU-0003", "ADU-0002", "ADU-0001"]);

    let kota = caller("bukittinggi", "viewer");
    assert_eq!(tickets(&app.get(&kota, "/cases").await).len(), 5);

    // Filters: kind (odd seeds are pengaduan), jurisdiction inside the scope, time window.
    let r = app.get(&kecamatan, "/cases?kind=pengaduan").await;
    assert_eq!(tickets(&r), ["ADU-0005", "ADU-0003", "ADU-0001"]);
    let r = app
        .get(&kecamatan, &format!("/cases?jurisdiction={KEL_GAREGEH}"))
        .await;
    assert_eq!(tickets(&r), ["ADU-0002", "ADU-0001"]);
    let since = minutes(15).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let r = app
        .get(
            &kecamatan,
            &format!("/cases?since={since}&status=received,verified"),
        )
        .await;
    assert_eq!(tickets(&r), ["ADU-0005", "ADU-0003"]);
    let r = app.get(&kecamatan, "/cases?status=closed").await;
    assert!(tickets(&r).is_empty());

    // Pages of two, with the opaque cursor.
    let r = app.get(&kecamatan, "/cases?limit=2").await;
    assert_eq!(tickets(&r), ["ADU-0005", "ADU-0003"]);
    let cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
    let r = app
        .get(&kecamatan, &format!("/cases?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(tickets(&r), ["ADU-0002", "ADU-0001"]);
    // A cursor from another scope's query reads nothing of that scope.
    let r = app
        .get(&caller(KEC_GUGUK, "viewer"), &format!("/cases?cursor={cursor}"))
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));

    // Invalid parameters: 422 naming the field.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("status=done", "status"),
        ("kind=keluhan", "kind"),
        ("level=lurah", "level"),
        ("since=yesterday", "since"),
        ("jurisdiction=bukittinggi/guguk-panjang", "jurisdiction"),
    ] {
        let r = app.get(&kecamatan, &format!("/cases?{query}")).await;
        assert_eq!((r.status, r.code()), (422, "invalid_request"), "{query}");
        assert_eq!(r.body["error"]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_case_shows_its_timeline_and_a_pseudonym_and_other_scopes_get_404() {
    let app = App::new("detail").await;
    let case = app.seed(1, KEL_GAREGEH).await;
    let officer = caller(KEL_GAREGEH, "officer");
    let r = app
        .act(&officer, "ADU-0001", json!({"action": "verify", "version": 1}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    app.requests.reset();
    let r = app.get(&officer, "/cases/adu-1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The ticket's pointer, then the case with its first page of events,
    // its kelurahan's recent cases for suggested duplicates (none there:
    // no places to read), then the read's audit entry (docs/data-model.md,
    // patterns 3, 37 and 29).
    assert_eq!(
        app.requests.by_operation(),
        [
            ("GetItem".to_owned(), 1),
            ("Query".to_owned(), 2),
            ("PutItem".to_owned(), 1)
        ]
        .into()
    );
    assert_eq!(r.body["suggestions"], json!([]));
    assert_eq!(r.body["next_cursor"], json!(null));
    assert_eq!(r.body["case"]["ticket"], "ADU-0001");
    assert_eq!(
        r.body["case"]["reporter"],
        case.reporter.id().unwrap().pseudonym()
    );
    assert_eq!(r.body["case"]["status"], "verified");
    assert_eq!(r.body["case"]["version"], 2);
    let types: Vec<&str> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["opened", "status_changed", "outbound"]);
    let changed = &r.body["timeline"][1];
    assert_eq!(
        changed["actor"],
        json!({"type": "official", "sub": officer.sub, "name": officer.name})
    );
    assert_eq!(r.body["timeline"][2]["body"]["status"], "sent");
    assert!(!r.text.contains(&number_of(1)));
    assert!(!r.text.contains(case.reporter.as_str()));

    // Another kelurahan's official: the same 404 as a ticket that does not exist.
    let other = caller(KEL_PUHUN_TEMBOK, "admin");
    let hidden = app.get(&other, "/cases/ADU-0001").await;
    let missing = app.get(&other, "/cases/ADU-0999").await;
    let malformed = app.get(&other, "/cases/not-a-ticket").await;
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.text, missing.text);
    assert_eq!(hidden.text, malformed.text);
    // Nor can they act on it, message its citizen or escalate it: all 404, nothing changes.
    let acted = app
        .act(&other, "ADU-0001", json!({"action": "start", "version": 2}))
        .await;
    let messaged = app
        .post(&other, "/cases/ADU-0001/messages", json!({"text": "halo"}))
        .await;
    let escalated = app.post(&other, "/cases/ADU-0001/escalations", json!({})).await;
    for r in [&acted, &messaged, &escalated] {
        assert_eq!(r.status, 404);
        assert_eq!(r.text, missing.text);
    }
    let stored = app.store().case(&case.id).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.status.as_str()), (2, "verified"));
    assert_eq!(app.whatsapp.received().len(), 1, "only the verification notice");
}

#[tokio::test]
async fn every_action_and_transition_through_the_lifecycle() {
    let app = App::new("lifecycle").await;
    app.seed(1, KEL_GAREGEH).await;
    let officer = caller(KEC_MKS, "officer");
    let act = |body| app.act(&officer, "ADU-0001", body);

    let r = act(json!({"action": "note", "note": "Sudah ditelepon lurah", "version": 1})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["event"]["body"],
        json!({"type": "note", "text": "Sudah ditelepon lurah"})
    );
    assert!(r.body["notification"].is_null());

    // Illegal: 409 with the current status.
    let r = act(json!({"action": "resolve", "note": "x", "version": 2})).await;
    assert_eq!((r.status, r.code()), (409, "illegal_transition"));
    assert_eq!(r.body["error"]["status"], "received");

    let steps = [
        (json!({"action": "verify", "version": 2}), "verified"),
        (
            json!({"action": "start", "note": "Tim dikirim", "version": 3}),
            "in_progress",
        ),
        (
            json!({"action": "resolve", "note": "Lubang sudah ditambal", "version": 4}),
            "resolved",
        ),
        (
            json!({"action": "reopen", "note": "Warga: belum", "version": 5}),
            "in_progress",
        ),
        (
            json!({"action": "resolve", "note": "Ditambal ulang", "version": 6}),
            "resolved",
        ),
        (json!({"action": "close", "version": 7}), "closed"),
    ];
    for (body, status) in steps {
        let r = act(body.clone()).await;
        assert_eq!(r.status, 200, "{body}: {}", r.text);
        assert_eq!(r.body["case"]["status"], status);
        assert_eq!(r.body["event"]["actor"]["sub"], officer.sub);
    }
    let r = act(json!({"action": "reclassify", "kind": "saran", "version": 8})).await;
    assert_eq!((r.status, r.code()), (409, "illegal_transition"));
    assert_eq!(
        (r.status, r.body["error"]["status"].as_str()),
        (409, Some("closed"))
    );
    // A closed case can be taken up again (the citizen phoned: not solved).
    let r = act(json!({"action": "reopen", "note": "Warga menelepon: belum", "version": 8})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["status"], "in_progress");

    // What the citizen was told, in Indonesian, in order.
    let texts = app.whatsapp.texts();
    assert_eq!(texts.len(), 6, "{texts:?}");
    assert!(texts[5].contains("sedang ditindaklanjuti"), "{}", texts[5]);
    assert!(texts[0].contains("sudah diperiksa petugas"), "{}", texts[0]);
    assert!(texts[1].contains("sedang ditindaklanjuti"), "{}", texts[1]);
    assert!(texts[2].contains("Lubang sudah ditambal") && texts[2].contains("benar-benar sudah selesai"));
    assert!(texts[3].contains("sedang ditindaklanjuti"));
    assert!(texts[4].contains("Ditambal ulang"));
    // Free-form messages (inside the 24-hour window), from the case's number.
    assert!(app.whatsapp.received().iter().all(|s| {
        s.path == "/v23.0/100200300/messages"
            && matches!(s.body["type"].as_str(), Some("text" | "interactive"))
    }));
}

#[tokio::test]
async fn reject_needs_a_reason_and_tells_it() {
    let app = App::new("reject").await;
    app.seed(1, KEL_GAREGEH).await;
    let officer = caller(KEL_GAREGEH, "officer");
    let r = app
        .act(&officer, "ADU-0001", json!({"action": "reject", "version": 1}))
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    assert_eq!(r.body["error"]["field"], "reason");
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "reject", "reason": "Bukan wewenang kelurahan", "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["status"], "rejected");
    assert_eq!(r.body["notification"]["delivery"], "sent");
    let sent = app.whatsapp.received();
    let body = sent[0].body["text"]["body"].as_str().unwrap();
    assert!(
        body.contains("tidak dapat kami proses: Bukan wewenang kelurahan"),
        "{body}"
    );
}

#[tokio::test]
async fn reclassify_changes_kind_category_and_kelurahan() {
    let app = App::new("reclassify").await;
    app.seed(1, KEL_GAREGEH).await;
    let officer = caller(KEC_MKS, "officer");
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "reclassify", "kind": "kritik", "category": "Lampu Jalan", "kelurahan": KEL_PUHUN_TEMBOK, "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["kind"], "kritik");
    assert_eq!(r.body["case"]["category"], "lampu jalan");
    assert_eq!(r.body["case"]["jurisdiction"], KEL_PUHUN_TEMBOK);
    assert_eq!(r.body["event"]["body"]["type"], "reclassified");
    // It moved queues: Garegeh no longer sees it, Puhun Tembok does.
    let r = app.get(&caller(KEL_GAREGEH, "viewer"), "/cases").await;
    assert!(r.body["cases"].as_array().unwrap().is_empty());
    let r = app.get(&caller(KEL_PUHUN_TEMBOK, "viewer"), "/cases").await;
    assert_eq!(r.body["cases"][0]["ticket"], "ADU-0001");

    for (body, field) in [
        (
            json!({"action": "reclassify", "kelurahan": "bukittinggi/nowhere/x", "version": 2}),
            "kelurahan",
        ),
        (
            json!({"action": "reclassify", "kelurahan": KEC_MKS, "version": 2}),
            "kelurahan",
        ),
        (
            json!({"action": "reclassify", "kind": "keluhan", "version": 2}),
            "kind",
        ),
        (
            json!({"action": "reclassify", "category": "astrologi", "version": 2}),
            "category",
        ),
        (json!({"action": "reclassify", "version": 2}), "kind"),
        (json!({"action": "dance", "version": 2}), "action"),
        (json!({"action": "verify"}), "version"),
    ] {
        let r = app.act(&officer, "ADU-0001", body.clone()).await;
        assert_eq!((r.status, r.code()), (422, "invalid_request"), "{body}");
        assert_eq!(r.body["error"]["field"], field, "{body}");
    }
}

/// Reclassifying moves a case only within the official's own scope: a lurah
/// within their kelurahan, a camat within their kecamatan, the kota anywhere.
#[tokio::test]
async fn reclassifying_stays_within_the_officials_scope() {
    let app = App::new("reclassify-scope").await;
    app.seed(1, KEL_GAREGEH).await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let camat = caller(KEC_MKS, "officer");
    let kota = caller("bukittinggi", "admin");
    let to = |kelurahan: &str, version: u64| json!({"action": "reclassify", "kelurahan": kelurahan, "version": version});
    let unchanged = |r: &Response| {
        assert_eq!((r.status, r.code()), (403, "outside_scope"), "{}", r.text);
        assert_eq!(r.body["error"]["field"], "kelurahan");
    };

    // The lurah: not to the neighbouring kelurahan, in or out of the kecamatan.
    for elsewhere in [KEL_PUHUN_TEMBOK, KEL_KAYU_KUBU] {
        unchanged(&app.act(&lurah, "ADU-0001", to(elsewhere, 1)).await);
    }
    // Refused before the ticket is read: a ticket that does not exist answers the same.
    let real = app.act(&lurah, "ADU-0001", to(KEL_KAYU_KUBU, 1)).await;
    let missing = app.act(&lurah, "ADU-0999", to(KEL_KAYU_KUBU, 1)).await;
    assert_eq!(real.text, missing.text);
    // Their own kelurahan may be named (here with a new kind, the one change).
    let r = app
        .act(
            &lurah,
            "ADU-0001",
            json!({"action": "reclassify", "kind": "kritik", "kelurahan": KEL_GAREGEH, "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["kind"], "kritik");

    // The camat: within Mandiangin Koto Selayan, not into Guguk Panjang.
    unchanged(&app.act(&camat, "ADU-0001", to(KEL_KAYU_KUBU, 2)).await);
    let r = app.act(&camat, "ADU-0001", to(KEL_PUHUN_TEMBOK, 2)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["jurisdiction"], KEL_PUHUN_TEMBOK);

    // The refused attempts changed nothing: the case went only where it was allowed.
    let r = app.get(&kota, "/cases/ADU-0001").await;
    assert_eq!(r.body["case"]["version"], 3, "{}", r.text);
    let moves: Vec<&str> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["body"]["jurisdiction"].as_str())
        .collect();
    assert_eq!(moves, [KEL_PUHUN_TEMBOK]);

    // The kota's officials may move it anywhere in the city.
    let r = app.act(&kota, "ADU-0001", to(KEL_KAYU_KUBU, 3)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["area"], KEL_KAYU_KUBU);
}

#[tokio::test]
async fn viewers_read_but_cannot_act() {
    let app = App::new("roles").await;
    app.seed(1, KEL_GAREGEH).await;
    let viewer = caller(KEL_GAREGEH, "viewer");
    assert_eq!(app.get(&viewer, "/cases/ADU-0001").await.status, 200);
    for (path, body) in [
        (
            "/cases/ADU-0001/actions",
            json!({"action": "verify", "version": 1}),
        ),
        ("/cases/ADU-0001/messages", json!({"text": "halo"})),
        ("/cases/ADU-0001/escalations", json!({})),
        // Not even learning whether a case exists.
        (
            "/cases/ADU-0999/actions",
            json!({"action": "verify", "version": 1}),
        ),
    ] {
        let r = app.post(&viewer, path, body).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{path}");
    }
    let admin = caller(KEL_GAREGEH, "admin");
    let r = app
        .act(&admin, "ADU-0001", json!({"action": "verify", "version": 1}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn malformed_bodies_are_400_and_large_ones_413() {
    let app = App::new("bodies").await;
    app.seed(1, KEL_GAREGEH).await;
    let officer = caller(KEL_GAREGEH, "officer");
    let path = "/cases/ADU-0001/actions";
    for body in [
        "{not json",
        "",
        r#"{"action": "verify", "version": "one"}"#,
        r#"{"action": 7, "version": 1}"#,
        "[]",
    ] {
        let r = app.call(Some(&officer), "POST", path, Some(body)).await;
        assert_eq!((r.status, r.code()), (400, "malformed_json"), "{body:?}");
    }
    // Unknown fields are ignored.
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "verify", "version": 1, "client": "console 2.1"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let big = json!({"action": "note", "note": "x".repeat(300 * 1024), "version": 2}).to_string();
    let r = app.call(Some(&officer), "POST", path, Some(&big)).await;
    assert_eq!((r.status, r.code()), (413, "payload_too_large"));
}

#[tokio::test]
async fn stale_versions_and_concurrent_officials_conflict() {
    let app = App::new("versions").await;
    app.seed(1, KEL_GAREGEH).await;
    let a = caller(KEL_GAREGEH, "officer");
    let mut b = caller(KEL_GAREGEH, "officer");
    b.sub = "sub-b".into();
    let r = app
        .act(&a, "ADU-0001", json!({"action": "verify", "version": 7}))
        .await;
    assert_eq!((r.status, r.code()), (409, "version_conflict"));
    assert_eq!(
        (
            r.body["error"]["version"].as_u64(),
            r.body["error"]["status"].as_str()
        ),
        (Some(1), Some("received"))
    );

    // Two officials at once, from the same version: exactly one wins.
    let (ra, rb) = tokio::join!(
        app.act(&a, "ADU-0001", json!({"action": "verify", "version": 1})),
        app.act(
            &b,
            "ADU-0001",
            json!({"action": "reject", "reason": "duplikat", "version": 1})
        ),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", ra.text, rb.text);
    let loser = if ra.status == 409 { &ra } else { &rb };
    assert!(
        ["version_conflict", "contended"].contains(&loser.code()),
        "{}",
        loser.text
    );
    let r = app.get(&a, "/cases/ADU-0001").await;
    assert_eq!(r.body["case"]["version"], 2);
    let changes = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"]["type"] == "status_changed")
        .count();
    assert_eq!(changes, 1);
}

/// Finding 2 of the second review: a hundred 64 KB descriptions pushed a
/// queue page past Lambda's 6 MB. Lists cut them; the case shows all of it.
#[tokio::test]
async fn a_flood_of_long_descriptions_still_loads_the_queue() {
    let app = App::new("flood").await;
    let description = |n: u64| {
        format!(
            "Banjir {n}, hubungi 0812/3456/7890. {}",
            "air naik lagi ke rumah warga ".repeat(2300)
        )
    };
    let now = chrono::Utc::now();
    for n in 1..=100 {
        app.seed_described(n, KEL_GAREGEH, now, now, description(n)).await;
    }
    assert!(description(1).len() > 64_000);
    let officer = caller(KEL_GAREGEH, "officer");
    let r = app.get(&officer, "/cases?limit=100").await;
    assert_eq!(r.status, 200, "{}", &r.text[..500]);
    // 280 characters of each description plus the case's other fields
    // (hand-over, closure, suggested dinas, public summary): about 1 KB a
    // case, where the whole descriptions made 6.7 MB.
    assert!(r.text.len() < 128_000, "a page of {} bytes", r.text.len());
    let cases = r.body["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 100);
    for c in cases {
        let text = c["description"].as_str().unwrap();
        assert!(text.ends_with('…') && text.chars().count() <= 280, "{text}");
        assert_eq!(c["description_truncated"], true);
        assert!(
            text.contains("[nomor disembunyikan]") && !text.contains("3456"),
            "{text}"
        );
    }

    let r = app.get(&officer, "/cases/ADU-0042").await;
    assert_eq!(r.status, 200);
    let full = description(42).replace("0812/3456/7890", "[nomor disembunyikan]");
    assert_eq!(r.body["case"]["description"], full.as_str());
    assert_eq!(r.body["case"]["description_truncated"], false);
}

/// The timeline comes in pages (200 events, or 1 MB of them): following
/// `next_cursor` reads every event once, in order; a bad cursor is a 422.
#[tokio::test]
async fn a_long_timeline_pages_through_every_event_once() {
    use aduan_shared::domain::timeline::{Actor, EventBody, MessageContent, TimelineEvent};

    let app = App::new("timeline-pages").await;
    let mut case = app.seed(1, KEL_GAREGEH).await;
    let start = chrono::Utc::now();
    let at = |i: i64| start + chrono::Duration::milliseconds(i);
    let note = |i: i64| {
        TimelineEvent::new(
            at(i),
            Actor::System,
            EventBody::Note {
                text: format!("catatan {i}"),
            },
        )
    };
    let long = |i: i64| {
        let body = format!("wa 0812,3456,7890 {}", "x".repeat(64 * 1024 - 20));
        TimelineEvent::new(
            at(i),
            Actor::Citizen,
            EventBody::message(format!("wamid.{i}"), MessageContent::Text { body }),
        )
    };
    // 430 notes, 20 messages of 64 KiB (one page's bytes), 20 notes; a
    // transaction holds at most 100 items.
    let events: Vec<TimelineEvent> = (0..470)
        .map(|i| if (430..450).contains(&i) { long(i) } else { note(i) })
        .collect();
    for chunk in events.chunks(90) {
        app.store().save_case(&mut case, chunk, None).await.unwrap();
    }
    let (_, stored) = app.store().case_with_timeline(&case.id).await.unwrap().unwrap();
    assert_eq!(stored.len(), 471, "opened and the events");

    let officer = caller(KEL_GAREGEH, "viewer");
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut path = "/cases/ADU-0001".to_owned();
    loop {
        let r = app.get(&officer, &path).await;
        assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(500)]);
        assert!(r.text.len() < 1_200_000, "a page of {} bytes", r.text.len());
        // The number's digits, not "3456" alone: a timestamp's nanoseconds
        // or an event id may hold those by chance.
        assert!(!r.text.contains("0812,3456,7890"));
        let timeline = r.body["timeline"].as_array().unwrap();
        assert!(!timeline.is_empty() && timeline.len() <= 200);
        pages.push(timeline.len());
        seen.extend(timeline.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        match r.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/cases/ADU-0001?cursor={cursor}"),
            None => break,
        }
    }
    let ids: Vec<String> = stored.iter().map(|e| e.id.as_str().to_owned()).collect();
    assert_eq!(seen, ids, "pages {pages:?}");
    // Two full pages of notes, then the large messages split by bytes.
    assert_eq!(pages[..2], [200, 200]);
    assert!(pages.len() >= 4, "{pages:?}");

    let r = app.get(&officer, "/cases/ADU-0001?cursor=not-an-event").await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    assert_eq!(r.body["error"]["field"], "cursor");
}

/// A question is answered and closed in one step, the citizen reads the
/// answer without "is the problem solved?"; a complaint cannot be.
#[tokio::test]
async fn a_question_is_answered_and_closed_in_one_step() {
    let app = App::new("answer").await;
    app.seed(1, KEL_GAREGEH).await;
    app.seed(3, KEL_GAREGEH).await;
    let officer = caller(KEL_GAREGEH, "officer");
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "reclassify", "kind": "pertanyaan", "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let actions = |body: &Value| body["case"]["actions"].as_array().unwrap().clone();
    assert!(actions(&r.body).contains(&json!("answer")), "{}", r.text);

    let r = app
        .act(&officer, "ADU-0001", json!({"action": "answer", "version": 2}))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (422, "invalid_request"),
        "the answer is required"
    );
    let answer = "Posyandu Garegeh buka setiap Selasa pukul 08.00 di kantor lurah.";
    let r = app
        .act(
            &officer,
            "ADU-0001",
            json!({"action": "answer", "note": answer, "version": 2}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["case"]["status"], "closed");
    let told = app.whatsapp.texts();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains(answer) && told[0].contains("pertanyaan"),
        "{}",
        told[0]
    );
    assert!(!told[0].contains("benar-benar sudah selesai"), "{}", told[0]);
    assert_eq!(
        app.whatsapp.received()[0].body["type"],
        "text",
        "no yes/no buttons"
    );

    // A complaint is resolved and its reporter asked: no answer action.
    let r = app.get(&officer, "/cases/ADU-0003").await;
    assert!(!actions(&r.body).contains(&json!("answer")), "{}", r.text);
    let r = app
        .act(
            &officer,
            "ADU-0003",
            json!({"action": "answer", "note": "Sudah", "version": 1}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "illegal_transition"), "{}", r.text);
}
