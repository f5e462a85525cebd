//! `GET /jurisdictions` through the handler, as API Gateway calls it: the
//! tree scoped to the caller, names instead of paths, and a reclassify the
//! catalogue does not offer refused by the action route all the same.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn the_tree_is_scoped_to_the_caller_and_the_api_still_validates() {
    let app = App::new("jurisdictions").await;
    assert_eq!(app.call(None, "GET", "/jurisdictions", None).await.status, 401);
    let bad_role = Caller {
        role: "root".into(),
        ..caller(KEL_GAREGEH, "officer")
    };
    assert_eq!(app.get(&bad_role, "/jurisdictions").await.status, 403);
    assert_eq!(
        app.post(&caller(KEL_GAREGEH, "officer"), "/jurisdictions", json!({}))
            .await
            .status,
        405
    );

    let camat = caller(KEC_MKS, "officer");
    let r = app.get(&camat, "/jurisdictions").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope_name"], "Kecamatan Mandiangin Koto Selayan");
    let nodes = r.body["nodes"].as_array().unwrap();
    let offered: Vec<&str> = nodes
        .iter()
        .filter(|n| n["reclassify"] == true)
        .map(|n| n["path"].as_str().unwrap())
        .collect();
    assert_eq!(offered.len(), 9, "{offered:?}");
    assert!(offered.contains(&KEL_PUHUN_TEMBOK));
    assert!(
        !nodes.iter().any(|n| n["path"] == KEL_KAYU_KUBU),
        "another kecamatan's kelurahan shown"
    );
    let garegeh = nodes.iter().find(|n| n["path"] == KEL_GAREGEH).unwrap();
    assert_eq!(
        garegeh["label"],
        "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
    );
    let pupr = r.body["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["escalate_to"] == "dinas:pupr")
        .unwrap();
    assert_eq!(pupr["label"], "Dinas PUPR");

    // What the picker leaves out, the API refuses: another kecamatan's kelurahan.
    let case = app.seed(1, KEL_GAREGEH).await;
    let r = app
        .act(
            &camat,
            case.ticket.as_str(),
            json!({"action": "reclassify", "kelurahan": KEL_KAYU_KUBU, "version": case.version}),
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "outside_scope"), "{}", r.text);

    // A viewer sees the names but is offered nothing to choose.
    let viewer = app.get(&caller("bukittinggi", "viewer"), "/jurisdictions").await;
    let nodes = viewer.body["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1 + 3 + 24);
    assert!(nodes.iter().all(|n| n["reclassify"] == false));

    // Cases and stats name places too.
    let r = app.get(&camat, &format!("/cases/{}", case.ticket.as_str())).await;
    assert_eq!(
        r.body["case"]["area_name"],
        "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
    );
    assert_eq!(r.body["case"]["level_name"], "Kelurahan");
    let stats = app.get(&camat, "/stats").await;
    assert_eq!(
        stats.body["kelurahan_names"][KEL_GAREGEH],
        "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
    );
}
