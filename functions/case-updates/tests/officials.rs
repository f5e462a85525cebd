//! Officials registered to act from WhatsApp, through `/officials` as API
//! Gateway calls it: an admin registers within their scope and is shown the
//! code once; the number again is 409; viewers and officers are refused; a
//! registration outside the scope answers like a missing one; removal
//! deletes every copy (the BSUID's a confirmation added too) and both acts
//! are in the admin's audit. No answer holds the number, the code (but the
//! 201) or its digest. The store's version checks on saving and removing.

mod support;

use std::collections::BTreeMap;

use aduan_shared::domain::case::{Channel, Provider};
use aduan_shared::domain::identity::{Bsuid, IdKeys, Sender};
use aduan_shared::domain::official::{CodeCheck, OfficialId, Registration, Standing};
use aduan_shared::domain::reporter::SenderId;
use aduan_shared::store::StoreError;
use chrono::Utc;
use serde_json::json;
use support::*;

/// As the admin types it, as WhatsApp sends it, and what no answer may hold.
const TYPED: &str = "0812-3456-7890";
const AS_SENT: &str = "6281234567890";
const NATIONAL: &str = "81234567890";
const MASKED: &str = "+62812****7890";

fn ops(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn amir(scope: &str) -> serde_json::Value {
    json!({"name": " Pak  Amir ", "whatsapp": TYPED, "scope": scope, "role": "officer"})
}

/// Every item of the test's table, each as its keys and its text.
async fn table(app: &App) -> Vec<(String, String)> {
    aduan_testkit::scan_table(&app.sdk, app.store().table())
        .await
        .iter()
        .map(|item| (item["PK"].as_s().unwrap().clone(), format!("{item:?}")))
        .collect()
}

fn stored_digest(r: &Registration) -> String {
    match &r.standing {
        Standing::Awaiting { code_digest, .. } => code_digest.clone(),
        other => panic!("not awaiting: {other:?}"),
    }
}

#[tokio::test]
async fn admins_register_list_get_and_remove_officials_within_their_scope() {
    let app = App::new("officials").await;
    let camat = caller(KEC_MKS, "admin");
    let walikota = caller("bukittinggi", "admin");

    app.requests.reset();
    let r = app.post(&camat, "/officials", amir(KEL_GAREGEH)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The registration, its list copy, the number's copy and the audit entry: one transaction.
    assert_eq!(app.requests.by_operation(), ops(&[("TransactWriteItems", 1)]));
    let code = r.body["code"].as_str().unwrap().to_owned();
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{code}"
    );
    assert!(r.body["instructions"].as_str().unwrap().contains(&code));
    let view = &r.body["official"];
    assert_eq!(view["name"], "Pak Amir");
    assert_eq!(view["whatsapp"], MASKED);
    assert_eq!(
        view["scope_name"],
        "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan"
    );
    assert_eq!(view["registered_by"], camat.sub.as_str());
    assert_eq!(
        (
            view["standing"]["state"].as_str(),
            view["standing"]["guesses_left"].as_u64()
        ),
        (Some("awaiting"), Some(3))
    );
    let amir_id = view["id"].as_str().unwrap().to_owned();
    let stored = app
        .store()
        .official(&OfficialId::parse(&amir_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    let secrets = [
        stored_digest(&stored),
        stored.contact.ciphertext.clone(),
        stored.known_as.phone.as_ref().unwrap().as_str().to_owned(),
    ];
    let mut answers = vec![r.text.replace(&code, "")];

    // The same number, typed otherwise, by another admin: 409.
    let again = app
        .post(
            &walikota,
            "/officials",
            json!({"name": "Orang Lain", "whatsapp": "+62 812 3456 7890", "scope": KEC_GUGUK, "role": "viewer"}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "number_registered"));
    answers.push(again.text);

    // An RW head in the camat's scope, and one elsewhere by the wali kota.
    let rw = app
        .post(
            &camat,
            "/officials",
            json!({"name": "Ketua RW 01", "whatsapp": "0813 1111 2222", "scope": RW_GAREGEH, "role": "officer", "notify_below": true, "digest_by_whatsapp": true}),
        )
        .await;
    assert_eq!(rw.status, 201, "{}", rw.text);
    assert_eq!(rw.body["official"]["notify_below"], true);
    assert_eq!(rw.body["official"]["digest_by_whatsapp"], true);
    let rw_id = rw.body["official"]["id"].as_str().unwrap().to_owned();
    let far = app
        .post(
            &walikota,
            "/officials",
            json!({"name": "Lurah Kayu Kubu", "whatsapp": "0813 3333 4444", "scope": KEL_KAYU_KUBU, "role": "admin"}),
        )
        .await;
    assert_eq!(far.status, 201, "{}", far.text);
    assert_eq!(
        far.body["official"]["digest_by_whatsapp"], false,
        "not unless asked"
    );
    let far_id = far.body["official"]["id"].as_str().unwrap().to_owned();

    // Refused: viewers and officers, outside the admin's scope, what is not a place or a number.
    for role in ["viewer", "officer"] {
        let who = caller(KEC_MKS, role);
        let r = app
            .post(
                &who,
                "/officials",
                json!({"name": "X", "whatsapp": "0813 5555 6666", "scope": KEL_GAREGEH, "role": "viewer"}),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{role}");
        let r = app.get(&who, "/officials").await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{role}");
        let r = app.delete(&who, &format!("/officials/{amir_id}")).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{role}");
    }
    let outside = app
        .post(
            &camat,
            "/officials",
            json!({"name": "X", "whatsapp": "0813 5555 6666", "scope": KEL_KAYU_KUBU, "role": "viewer"}),
        )
        .await;
    assert_eq!((outside.status, outside.code()), (403, "outside_scope"));
    assert_eq!(outside.body["error"]["field"], "scope");
    for (body, field) in [
        (
            json!({"name": "X", "whatsapp": "0813 5555 6666", "scope": format!("{KEC_MKS}/nowhere"), "role": "viewer"}),
            "scope",
        ),
        (
            json!({"name": "X", "whatsapp": "0813 55", "scope": KEL_GAREGEH, "role": "viewer"}),
            "whatsapp",
        ),
        (
            json!({"name": "X", "whatsapp": "0813 5555 6666", "scope": KEL_GAREGEH, "role": "root"}),
            "role",
        ),
        (
            json!({"whatsapp": "0813 5555 6666", "scope": KEL_GAREGEH, "role": "viewer"}),
            "name",
        ),
    ] {
        let r = app.post(&camat, "/officials", body).await;
        assert_eq!(
            (r.status, r.body["error"]["field"].as_str()),
            (422, Some(field)),
            "{}",
            r.text
        );
    }

    // The camat's list: their two, not the wali kota's in Guguk Panjang; one Query.
    app.requests.reset();
    let list = app.get(&camat, "/officials").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(app.requests.by_operation(), ops(&[("Query", 1)]));
    let listed: Vec<&str> = list.body["officials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [amir_id.as_str(), rw_id.as_str()]);
    answers.push(list.text.clone());
    let all = app.get(&walikota, "/officials").await;
    assert_eq!(all.body["officials"].as_array().unwrap().len(), 3);
    answers.push(all.text);

    // One within the scope; one outside it is exactly a missing one.
    let one = app.get(&camat, &format!("/officials/{amir_id}")).await;
    assert_eq!((one.status, one.body["whatsapp"].as_str()), (200, Some(MASKED)));
    answers.push(one.text);
    let hidden = app.get(&camat, &format!("/officials/{far_id}")).await;
    let missing = app
        .get(&camat, &format!("/officials/{}", OfficialId::new(Utc::now())))
        .await;
    let nonsense = app.get(&camat, "/officials/not-an-id").await;
    assert_eq!((hidden.status, hidden.code()), (404, "not_found"));
    assert_eq!(hidden.text, missing.text);
    assert_eq!(hidden.text, nonsense.text);
    let hidden_delete = app.delete(&camat, &format!("/officials/{far_id}")).await;
    assert_eq!(hidden_delete.text, missing.text);

    // Amir confirms from WhatsApp (as the webhook will): his BSUID joins his keys.
    let mut confirmed = stored.clone();
    let sender = Sender::new(
        Some(SenderId::parse(AS_SENT).unwrap()),
        Some(Bsuid::parse("ID.5550001234567").unwrap()),
        None,
    )
    .unwrap();
    let keys = IdKeys::of(&sender, &app.keys.hasher);
    assert_eq!(
        keys.phone, stored.known_as.phone,
        "the number's key is the one registered"
    );
    assert_eq!(
        confirmed.check_code(
            &code,
            &keys,
            &Channel {
                provider: Provider::Meta,
                number_id: "111".into(),
            },
            Utc::now()
        ),
        CodeCheck::Confirmed
    );
    app.store().save_official(&mut confirmed).await.unwrap();
    let one = app.get(&camat, &format!("/officials/{amir_id}")).await;
    assert_eq!(one.body["standing"]["state"], "confirmed", "{}", one.text);
    let bsuid_key = keys.user.as_ref().unwrap().as_str().to_owned();
    assert!(!one.text.contains(&bsuid_key), "{}", one.text);
    answers.push(one.text);
    let before = table(&app).await;
    assert_eq!(
        before
            .iter()
            .filter(|(pk, text)| pk.starts_with("OFFICIALBY#") && text.contains(&amir_id))
            .count(),
        2,
        "the number's copy and the BSUID's"
    );

    // Removed at once: gone from the list and from every copy.
    let gone = app.delete(&camat, &format!("/officials/{amir_id}")).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let again = app.get(&camat, &format!("/officials/{amir_id}")).await;
    assert_eq!(again.text, missing.text);
    let list = app.get(&camat, "/officials").await;
    assert_eq!(list.body["officials"].as_array().unwrap().len(), 1);
    answers.push(list.text);
    let after = table(&app).await;
    let left: Vec<&String> = after
        .iter()
        .filter(|(pk, text)| text.contains(&amir_id) && !pk.starts_with("AUDIT#"))
        .map(|(pk, _)| pk)
        .collect();
    assert!(left.is_empty(), "copies left: {left:?}");
    assert!(!after.iter().any(|(pk, _)| pk.ends_with(&bsuid_key)));
    // The others' copies stay: one under each number.
    assert_eq!(
        after
            .iter()
            .filter(|(pk, _)| pk.starts_with("OFFICIALBY#"))
            .count(),
        2
    );

    // Both acts in the camat's audit, by id, scope and role: no name, no number.
    let audit: Vec<&String> = after
        .iter()
        .filter(|(pk, _)| *pk == format!("AUDIT#OFFICIAL#{}", camat.sub))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(audit.len(), 3, "{audit:?}");
    for kind in ["register_official", "remove_official"] {
        assert!(
            audit.iter().any(|t| t.contains(kind) && t.contains(&amir_id)),
            "{kind}: {audit:?}"
        );
    }
    assert!(
        audit.iter().all(|t| !t.contains("Amir") && !t.contains(NATIONAL)),
        "{audit:?}"
    );

    for text in &answers {
        for secret in secrets
            .iter()
            .map(String::as_str)
            .chain([AS_SENT, NATIONAL, code.as_str()])
        {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[tokio::test]
async fn an_admin_changes_a_registration_in_place_keeping_its_confirmed_number() {
    let app = App::new("officials-change").await;
    let camat = caller(KEC_MKS, "admin");
    let walikota = caller("bukittinggi", "admin");
    let r = app.post(&camat, "/officials", amir(KEL_GAREGEH)).await;
    let id = r.body["official"]["id"].as_str().unwrap().to_owned();
    let code = r.body["code"].as_str().unwrap().to_owned();
    let mut stored = app
        .store()
        .official(&OfficialId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    let keys = IdKeys::of(
        &Sender::new(Some(SenderId::parse(AS_SENT).unwrap()), None, None).unwrap(),
        &app.keys.hasher,
    );
    let channel = Channel {
        provider: Provider::Meta,
        number_id: "111".into(),
    };
    assert_eq!(
        stored.check_code(&code, &keys, &channel, Utc::now()),
        CodeCheck::Confirmed
    );
    app.store().save_official(&mut stored).await.unwrap();
    let far = app
        .post(
            &walikota,
            "/officials",
            json!({"name": "Lurah Kayu Kubu", "whatsapp": "0813 3333 4444", "scope": KEL_KAYU_KUBU, "role": "admin"}),
        )
        .await;
    let far_id = far.body["official"]["id"].as_str().unwrap().to_owned();
    let path = format!("/officials/{id}");

    // The morning digest on WhatsApp and a viewer's role, at once: one read,
    // one transaction with every copy and the audit entry.
    app.requests.reset();
    let change = json!({"digest_by_whatsapp": true, "role": "viewer"});
    let r = app
        .call(Some(&camat), "PATCH", &path, Some(&change.to_string()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.requests.by_operation(),
        ops(&[("GetItem", 1), ("TransactWriteItems", 1)])
    );
    assert_eq!(
        (
            &r.body["digest_by_whatsapp"],
            &r.body["role"],
            &r.body["notify_below"]
        ),
        (&json!(true), &json!("viewer"), &json!(false))
    );
    assert_eq!(r.body["standing"]["state"], "confirmed", "no new code");
    assert_eq!(r.body["whatsapp"], MASKED);
    assert!(
        !r.text.contains(AS_SENT) && !r.text.contains(NATIONAL),
        "{}",
        r.text
    );
    // Every copy changed: the one the webhook reads by the number's key too.
    let copies: Vec<String> = table(&app)
        .await
        .into_iter()
        .filter(|(pk, text)| !pk.starts_with("AUDIT#") && text.contains(&id))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(copies.len(), 3, "{copies:?}");
    assert!(copies.iter().all(|t| t.contains("viewer")), "{copies:?}");

    // The same again changes nothing and writes nothing.
    app.requests.reset();
    let same = app
        .call(Some(&camat), "PATCH", &path, Some(&change.to_string()))
        .await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(app.requests.by_operation(), ops(&[("GetItem", 1)]));

    // Refused, naming the field: what is not changed in place, nothing, nonsense.
    for (body, field) in [
        (json!({"whatsapp": "0812 0000 1111"}), "whatsapp"),
        (json!({"scope": KEL_KAYU_KUBU}), "scope"),
        (json!({}), "name"),
        (json!({"role": "lurah"}), "role"),
        (json!({"name": "  "}), "name"),
    ] {
        let r = app
            .call(Some(&camat), "PATCH", &path, Some(&body.to_string()))
            .await;
        assert_eq!(
            (r.status, r.body["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {}",
            r.text
        );
    }
    let malformed = app
        .call(Some(&camat), "PATCH", &path, Some("{\"notify_below\": \"ya\"}"))
        .await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    // Only admins; outside the scope exactly a missing one.
    let officer = app
        .call(
            Some(&caller(KEC_MKS, "officer")),
            "PATCH",
            &path,
            Some(&change.to_string()),
        )
        .await;
    assert_eq!(officer.status, 403, "{}", officer.text);
    let hidden = app
        .call(
            Some(&camat),
            "PATCH",
            &format!("/officials/{far_id}"),
            Some(&change.to_string()),
        )
        .await;
    let missing = app
        .get(&camat, &format!("/officials/{}", OfficialId::new(Utc::now())))
        .await;
    assert_eq!((hidden.status, &hidden.text), (404, &missing.text));

    // In the camat's audit: which fields, never the name or the number.
    let audit: Vec<String> = table(&app)
        .await
        .into_iter()
        .filter(|(pk, text)| {
            *pk == format!("AUDIT#OFFICIAL#{}", camat.sub) && text.contains("change_official")
        })
        .map(|(_, text)| text)
        .collect();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(
        audit[0].contains("digest_by_whatsapp") && audit[0].contains(&id),
        "{audit:?}"
    );
    assert!(
        !audit[0].contains("Amir") && !audit[0].contains(NATIONAL),
        "{audit:?}"
    );
}

#[tokio::test]
async fn saving_or_removing_a_registration_read_at_an_old_version_is_refused() {
    let app = App::new("officials-versions").await;
    let camat = caller(KEC_MKS, "admin");
    let r = app.post(&camat, "/officials", amir(KEL_GAREGEH)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = OfficialId::parse(r.body["official"]["id"].as_str().unwrap()).unwrap();
    let mut first = app.store().official(&id).await.unwrap().unwrap();
    let mut second = first.clone();

    first.notify_below = true;
    app.store().save_official(&mut first).await.unwrap();
    assert_eq!(first.version, 1);
    second.notify_below = false;
    assert!(matches!(
        app.store().save_official(&mut second).await,
        Err(StoreError::VersionConflict { .. })
    ));
    assert_eq!(second.version, 0, "the version read is kept on a refusal");
    assert!(matches!(
        app.store().remove_official(&second).await,
        Err(StoreError::VersionConflict { .. })
    ));
    let kept = app.store().official(&id).await.unwrap().unwrap();
    assert_eq!((kept.version, kept.notify_below), (1, true));
    app.store().remove_official(&kept).await.unwrap();
    assert_eq!(app.store().official(&id).await.unwrap(), None);
}
