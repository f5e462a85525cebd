//! A kelurahan's RWs and RTs through `/units/{path+}`, as API Gateway calls
//! it: added by PUT and by CSV, changed at a version, removed (an RW with
//! RTs refused), the head's number never answered, every write refused
//! outside the writer's kelurahan or to a viewer, the requests each action
//! sends pinned, and the cache that names units seeing another instance's
//! change within its lifetime.

mod support;

use aduan_shared::domain::jurisdiction::{JurisdictionPath, UnitPath};
use aduan_shared::store::{HeadContact, UnitHead};
use chrono::{Duration, Utc};
use serde_json::json;
use support::*;

/// The heads' numbers as staff type them, and the digits that must never
/// appear in an answer.
const HEAD_PHONE: &str = "0812-7777-1234";
const HEAD_DIGITS: &str = "77771234";
const CSV_PHONE: &str = "+62 813 6666 4321";
const CSV_DIGITS: &str = "66664321";

fn units(kel: &str) -> String {
    format!("/units/{kel}")
}

fn unit(kel: &str, slug: &str) -> String {
    format!("/units/{kel}/{slug}")
}

fn ops(pairs: &[(&str, usize)]) -> std::collections::BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test]
async fn staff_add_rws_and_rts_by_put_and_by_csv() {
    let app = App::new("units-put").await;
    let lurah = caller(KEL_GAREGEH, "officer");

    app.requests.reset();
    let r = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-03"),
            json!({"head_name": "Ibu Sari"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(app.requests.by_operation(), ops(&[("PutItem", 1)]));
    assert_eq!(r.body["name"], "RW 03");
    assert_eq!(r.body["version"], 1);

    app.requests.reset();
    let r = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-03/rt-01"),
            json!({"head_name": "Pak Amir", "head_whatsapp": HEAD_PHONE}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The RT and its RW's count, in one transaction.
    assert_eq!(app.requests.by_operation(), ops(&[("TransactWriteItems", 1)]));
    assert_eq!(r.body["has_whatsapp"], true);
    assert_eq!(
        r.body["label"],
        "RT 01 / RW 03, Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
    );
    assert!(!r.text.contains(HEAD_DIGITS), "{}", r.text);

    // Added twice, or an RT of an RW not kept: refused.
    let again = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-03"),
            json!({"head_name": "Ibu Sari"}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "unit_exists"));
    let orphan = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-09/rt-01"),
            json!({"head_name": "Pak X"}),
        )
        .await;
    assert_eq!((orphan.status, orphan.code()), (409, "rw_missing"));

    // By CSV: RW 04 with two RTs, and a third RT for RW 03 (kept already).
    let csv = format!(
        "rw,rt,head_name,head_whatsapp\n\
         RW 4,,\"Hj. Rosna, S.Pd\",\n\
         04,1,Pak Budi,{CSV_PHONE}\n\
         rw-04,RT 02,Pak Candra,\n\
         3,2,Ibu Dewi,\n"
    );
    app.requests.reset();
    let r = app.post_csv(&lurah, &units(KEL_GAREGEH), &csv).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["created"].as_u64(), r.body["updated"].as_u64()),
        (Some(4), Some(0))
    );
    // What is kept (one Query), then one transaction for all of it.
    assert_eq!(
        app.requests.by_operation(),
        ops(&[("Query", 1), ("TransactWriteItems", 1)])
    );

    app.requests.reset();
    let r = app.get(&lurah, &units(KEL_GAREGEH)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.requests.by_operation(), ops(&[("Query", 1)]));
    assert!(
        !r.text.contains(HEAD_DIGITS) && !r.text.contains(CSV_DIGITS),
        "{}",
        r.text
    );
    assert_eq!(r.body["may_edit"], true);
    let listed: Vec<(&str, bool)> = r.body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap(), u["has_whatsapp"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("RW 03", false),
            ("RT 01 / RW 03", true),
            ("RT 02 / RW 03", false),
            ("RW 04", false),
            ("RT 01 / RW 04", true),
            ("RT 02 / RW 04", false),
        ]
    );
    let rw3 = &r.body["units"][0];
    assert_eq!(
        (rw3["rts"].as_u64(), rw3["updated_by"].as_str()),
        (Some(2), Some("Petugas officer"))
    );
    assert_eq!(r.body["units"][3]["head_name"], "Hj. Rosna, S.Pd");

    // The number is sealed in the table, bound to its unit.
    let kel = JurisdictionPath::parse(KEL_GAREGEH).unwrap();
    let stored = app.store().units(&kel).await.unwrap();
    let rt1 = stored.iter().find(|u| u.path.slug() == "rw-03/rt-01").unwrap();
    let sealed = rt1.head_contact.as_ref().unwrap();
    assert!(!sealed.ciphertext.contains(HEAD_DIGITS));
    assert_eq!(
        app.keys.contacts.open_head(&rt1.path, sealed).unwrap().as_str(),
        "+6281277771234"
    );

    // A change at the version read keeps the number unless told; a stale
    // version is 409; an empty number removes it.
    app.requests.reset();
    let path = unit(KEL_GAREGEH, "rw-03/rt-01");
    let r = app
        .put(
            &lurah,
            &path,
            json!({"head_name": "Pak Amir Lubis", "version": 1}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["version"].as_u64()),
        (200, Some(2)),
        "{}",
        r.text
    );
    assert_eq!(r.body["has_whatsapp"], true);
    assert_eq!(app.requests.by_operation(), ops(&[("UpdateItem", 1)]));
    let stale = app
        .put(&lurah, &path, json!({"head_name": "X", "version": 1}))
        .await;
    assert_eq!((stale.status, stale.code()), (409, "version_conflict"));
    let r = app
        .put(
            &lurah,
            &path,
            json!({"head_name": "Pak Amir Lubis", "head_whatsapp": "", "version": 2}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["has_whatsapp"].as_bool()),
        (200, Some(false)),
        "{}",
        r.text
    );
    let gone = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-07"),
            json!({"head_name": "X", "version": 1}),
        )
        .await;
    assert_eq!(gone.status, 404, "{}", gone.text);

    // An RW with RTs stays; its RTs go first, then it may.
    let r = app.delete(&lurah, &unit(KEL_GAREGEH, "rw-04")).await;
    assert_eq!((r.status, r.code()), (409, "unit_has_rts"));
    for slug in ["rw-04/rt-01", "rw-04/rt-02", "rw-04"] {
        let r = app.delete(&lurah, &unit(KEL_GAREGEH, slug)).await;
        assert_eq!(r.status, 200, "{slug}: {}", r.text);
    }
    let r = app.delete(&lurah, &unit(KEL_GAREGEH, "rw-04")).await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Importing again changes what is kept rather than doubling it.
    let r = app
        .post_csv(
            &lurah,
            &units(KEL_GAREGEH),
            "rw,rt,head_name,head_whatsapp\n3,,Ibu Sari Baru,\n",
        )
        .await;
    assert_eq!(
        (r.body["created"].as_u64(), r.body["updated"].as_u64()),
        (Some(0), Some(1)),
        "{}",
        r.text
    );
    let r = app.get(&lurah, &units(KEL_GAREGEH)).await;
    assert_eq!(r.body["units"].as_array().unwrap().len(), 3, "{}", r.text);
    assert_eq!(r.body["units"][0]["head_name"], "Ibu Sari Baru");
    assert_eq!(r.body["units"][0]["rts"], 2);
}

#[tokio::test]
async fn writes_outside_the_kelurahan_by_viewers_or_bad_files_are_refused() {
    let app = App::new("units-refusals").await;
    let lurah = caller(KEL_GAREGEH, "officer");
    let put = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-01"),
            json!({"head_name": "Ibu Sari"}),
        )
        .await;
    assert_eq!(put.status, 201, "{}", put.text);
    let put = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-01/rt-01"),
            json!({"head_name": "Pak Amir"}),
        )
        .await;
    assert_eq!(put.status, 201, "{}", put.text);
    let csv = "rw,rt,head_name,head_whatsapp\n2,,Pak B,\n";
    let body = json!({"head_name": "Pak X"});

    // Every write route, from another kelurahan, another kecamatan, a viewer,
    // and the RT's own login.
    let refused = [
        (caller(KEL_PUHUN_TEMBOK, "officer"), 403, "outside_scope"),
        (caller(KEC_GUGUK, "admin"), 403, "outside_scope"),
        (caller(KEL_GAREGEH, "viewer"), 403, "forbidden"),
        (
            caller(&format!("{KEL_GAREGEH}/rw-01/rt-01"), "officer"),
            403,
            "outside_scope",
        ),
    ];
    for (who, status, code) in &refused {
        let attempts = [
            app.put(who, &unit(KEL_GAREGEH, "rw-01/rt-02"), body.clone())
                .await,
            app.put(
                who,
                &unit(KEL_GAREGEH, "rw-01"),
                json!({"head_name": "Y", "version": 1}),
            )
            .await,
            app.delete(who, &unit(KEL_GAREGEH, "rw-01/rt-01")).await,
            app.post_csv(who, &units(KEL_GAREGEH), csv).await,
        ];
        for r in attempts {
            assert_eq!(
                (r.status, r.code()),
                (*status, *code),
                "{}: {}",
                who.scope,
                r.text
            );
        }
    }
    // Reading: other kelurahan's staff may not; viewers and the kecamatan may;
    // the RT's own login sees its own unit only, and may not edit.
    let r = app
        .get(&caller(KEL_PUHUN_TEMBOK, "officer"), &units(KEL_GAREGEH))
        .await;
    assert_eq!((r.status, r.code()), (403, "outside_scope"));
    for who in [caller(KEL_GAREGEH, "viewer"), caller(KEC_MKS, "viewer")] {
        let r = app.get(&who, &units(KEL_GAREGEH)).await;
        assert_eq!(
            (r.status, r.body["units"].as_array().unwrap().len()),
            (200, 2),
            "{}",
            r.text
        );
        assert_eq!(r.body["may_edit"], false);
    }
    let rt_head = caller(&format!("{KEL_GAREGEH}/rw-01/rt-01"), "officer");
    let r = app.get(&rt_head, &units(KEL_GAREGEH)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let names: Vec<&str> = r.body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["RT 01 / RW 01"]);
    // A login scoped to an RT is a valid official for the rest of the API too.
    assert_eq!(app.get(&rt_head, "/cases").await.status, 200);

    // Not a kelurahan, not a unit's path: 404.
    for path in [
        units(KEC_MKS),
        units("bukittinggi/mandiangin-koto-selayan/nowhere"),
        unit(KEL_GAREGEH, "rw-1"),
        unit(KEL_GAREGEH, "rt-01"),
    ] {
        let r = app.put(&lurah, &path, body.clone()).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    let r = app
        .put(&lurah, &unit(KEL_GAREGEH, "rw-02"), json!({"head_name": " "}))
        .await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (422, Some("head_name"))
    );
    let r = app
        .put(
            &lurah,
            &unit(KEL_GAREGEH, "rw-02"),
            json!({"head_name": "A", "head_whatsapp": "12"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (422, Some("head_whatsapp"))
    );

    // A file with bad lines is refused whole, each line named.
    let bad = "rw,rt,head_name,head_whatsapp\n2,,Pak B,\n100,,Pak C,\n5,1,Pak D,\n2,1,,\n";
    app.requests.reset();
    let r = app.post_csv(&lurah, &units(KEL_GAREGEH), bad).await;
    assert_eq!((r.status, r.code()), (400, "invalid_csv"), "{}", r.text);
    let lines: Vec<u64> = r.body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5], "{}", r.text);
    assert_eq!(
        app.requests.by_operation(),
        ops(&[("Query", 1)]),
        "nothing written"
    );
    let r = app.get(&lurah, &units(KEL_GAREGEH)).await;
    assert_eq!(r.body["units"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn names_follow_another_instances_change_within_the_cache_lifetime() {
    let app = App::new("units-cache").await;
    let lurah = caller(KEL_GAREGEH, "viewer");
    let t0 = Utc::now();
    app.requests.reset();
    let r = app.get_at(&lurah, "/jurisdictions", t0).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["units"], json!([]));
    assert_eq!(app.requests.by_operation(), ops(&[("Query", 1)]));

    // Another instance adds RW 05: this one's names do not know it yet...
    let kel = JurisdictionPath::parse(KEL_GAREGEH).unwrap();
    let rw5 = UnitPath::parse_below(&kel, "rw-05").unwrap();
    let head = UnitHead {
        name: "Pak Eko".into(),
        contact: HeadContact::Keep,
    };
    app.store().create_unit(&rw5, &head, "lain", t0).await.unwrap();
    app.requests.reset();
    let r = app
        .get_at(&lurah, "/jurisdictions", t0 + Duration::seconds(299))
        .await;
    assert_eq!(r.body["units"], json!([]));
    assert_eq!(app.requests.total(), 0);
    // ... and do once the entry is older than its lifetime.
    let r = app
        .get_at(&lurah, "/jurisdictions", t0 + Duration::seconds(301))
        .await;
    let names: Vec<&str> = r.body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["label"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["RW 05, Kelurahan Garegeh"]);
    assert_eq!(app.requests.by_operation(), ops(&[("Query", 1)]));
    // A wider scope lists no units (a kecamatan's would be many queries).
    app.requests.reset();
    let r = app.get(&caller(KEC_MKS, "viewer"), "/jurisdictions").await;
    assert_eq!((r.status, app.requests.total()), (200, 0));
    assert_eq!(r.body["units"], json!([]));
}
