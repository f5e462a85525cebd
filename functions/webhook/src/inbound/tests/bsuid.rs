//! Citizens known by a business-scoped user id (docs/architecture.md,
//! "Citizens known by a BSUID"): one reporter per person whichever ids a
//! delivery carries, and a change of ids moves them along.

use aduan_shared::domain::identity::{Bsuid, IdKeys};
use aduan_shared::whatsapp::{ChangeKind, IdentityChange};

use super::*;
use crate::inbound::identity::{change_identity, Changed};

const USER: &str = "ID.1234567890123456";

fn sender(phone: Option<&str>, user: Option<&str>) -> Sender {
    Sender::new(
        phone.map(|p| SenderId::parse(p).unwrap()),
        user.map(|u| Bsuid::parse(u).unwrap()),
        None,
    )
    .unwrap()
}

fn change_of(kind: ChangeKind, old: Sender, new: Sender) -> IdentityChange {
    IdentityChange {
        message_id: "wamid.sys".into(),
        number_id: NUMBER.into(),
        at: now(),
        kind,
        old,
        new,
    }
}

impl Harness {
    async fn send_as(&self, from: Sender, id: &str, text: &str) -> Outcome {
        let inbound = Inbound {
            from,
            ..message(CITIZEN, id, text)
        };
        process(&self.records, &self.desk, &inbound, now()).await.unwrap()
    }

    fn key_of(&self, from: &Sender) -> IdKeys {
        IdKeys::of(from, &self.desk.keys.hasher)
    }

    fn contact_of(&self, reporter: &Reporter) -> Sender {
        self.desk
            .keys
            .contacts
            .open(&reporter.id, &reporter.contact)
            .unwrap()
    }
}

#[tokio::test]
async fn a_delivery_with_both_ids_links_them_and_a_withheld_number_keeps_case_status_and_question() {
    let d = Harness::new();
    // Known by the number alone, as every reporter was before BSUIDs.
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    let before = d.reporter(CITIZEN);
    let both = sender(Some(CITIZEN), Some(USER));
    d.send_as(both.clone(), "wamid.2", "lubangnya besar").await;
    let linked = d.reporter(CITIZEN);
    assert_eq!(linked.id, before.id, "the same reporter");
    let user_key = d.key_of(&both).user.unwrap();
    assert_eq!(linked.copies(), vec![user_key.clone()]);
    assert_eq!(
        d.records.tables().reporters[&user_key],
        linked,
        "the copy is the record"
    );

    // The number withheld: the record is found by the BSUID in the same read.
    let withheld = sender(None, Some(USER));
    let text = reply(&d.send_as(withheld.clone(), "wamid.3", "status").await).0;
    assert!(text.contains("ADU-0001"), "{text}");
    d.send_as(withheld, "wamid.4", "sudah 3 hari").await;
    let case_id = before.open_case.as_ref().unwrap().id.clone();
    assert_eq!(
        d.records.tables().events[&case_id].len(),
        4,
        "opened, and three messages"
    );
    let after = d.reporter(CITIZEN);
    assert_eq!(
        (after.open_case.clone(), after.awaiting.clone()),
        (before.open_case, before.awaiting)
    );
    // The number is still known, to reply to.
    assert_eq!(d.contact_of(&after), both);
    assert_eq!(d.records.tables().cases.len(), 1);
}

#[tokio::test]
async fn a_citizen_known_only_by_a_bsuid_is_a_reporter_keyed_by_it() {
    let d = Harness::new();
    let withheld = sender(None, Some(USER));
    d.send_as(withheld.clone(), "wamid.1", "Jalan rusak di Garegeh")
        .await;
    let tables = d.records.tables();
    let id = d.key_of(&withheld).user.unwrap();
    let reporter = &tables.reporters[&id];
    assert_eq!((reporter.id.clone(), tables.reporters.len()), (id, 1));
    assert_eq!(d.contact_of(reporter), withheld);
    // Later with the number too: the same reporter, now findable by either.
    let both = sender(Some(CITIZEN), Some(USER));
    d.send_as(both.clone(), "wamid.2", "status").await;
    let tables = d.records.tables();
    assert_eq!(tables.reporters.len(), 2);
    assert_eq!(tables.reporters[&d.key_of(&both).phone.unwrap()].id, reporter.id);
}

#[tokio::test]
async fn a_changed_number_moves_the_record_and_the_old_number_is_someone_new() {
    let d = Harness::new();
    let old = sender(Some(CITIZEN), Some(USER));
    d.send_as(old.clone(), "wamid.1", "Jalan rusak di Garegeh").await;
    let before = d.reporter(CITIZEN);
    let new = sender(Some(NEIGHBOUR), Some("ID.777"));
    let change = change_of(ChangeKind::Number, old.clone(), new.clone());
    assert_eq!(
        change_identity(&d.records, &d.desk, &change).await.unwrap(),
        Changed::Moved
    );
    assert_eq!(
        change_identity(&d.records, &d.desk, &change).await.unwrap(),
        Changed::Duplicate
    );
    let tables = d.records.tables();
    // Its id was the old BSUID's key: the record stays there, the old
    // number's copy is gone.
    assert_eq!(before.id, d.key_of(&old).user.unwrap());
    assert!(!tables.reporters.contains_key(&d.key_of(&old).phone.unwrap()));
    let moved = &tables.reporters[&d.key_of(&new).user.unwrap()];
    assert_eq!(
        (moved.id.clone(), moved.open_case.clone()),
        (before.id.clone(), before.open_case.clone())
    );
    assert_eq!(d.contact_of(moved), new);

    // From the new number: the same case.
    let text = reply(&d.send_as(new, "wamid.2", "status").await).0;
    assert!(text.contains("ADU-0001"), "{text}");
    // The old number, now someone else's (with their own BSUID): a stranger.
    let stranger = sender(Some(CITIZEN), Some("ID.888"));
    let text = reply(&d.send_as(stranger.clone(), "wamid.3", "status").await).0;
    assert!(!text.contains("ADU-0001"), "{text}");
    let tables = d.records.tables();
    let theirs = &tables.reporters[&d.key_of(&stranger).user.unwrap()];
    assert_ne!(theirs.id, before.id);
}

#[tokio::test]
async fn a_change_for_nobody_known_moves_nothing() {
    let d = Harness::new();
    let change = change_of(
        ChangeKind::UserId,
        sender(None, Some(USER)),
        sender(None, Some("ID.777")),
    );
    assert_eq!(
        change_identity(&d.records, &d.desk, &change).await.unwrap(),
        Changed::Unknown
    );
    assert_eq!(d.records.tables().writes, 0);
}

#[tokio::test]
async fn a_new_bsuid_without_the_number_drops_the_old_number_but_keeps_the_case() {
    let d = Harness::new();
    let old = sender(Some(CITIZEN), Some(USER));
    d.send_as(old.clone(), "wamid.1", "Jalan rusak di Garegeh").await;
    let before = d.reporter(CITIZEN);
    // `user_changed_user_id`: a new number that is not shared, so only the new BSUID.
    let new = sender(None, Some("ID.777"));
    let change = change_of(ChangeKind::UserId, old.clone(), new.clone());
    assert_eq!(
        change_identity(&d.records, &d.desk, &change).await.unwrap(),
        Changed::Moved
    );
    let tables = d.records.tables();
    let moved = &tables.reporters[&d.key_of(&new).user.unwrap()];
    assert_eq!(
        (moved.id.clone(), moved.open_case.clone()),
        (before.id, before.open_case)
    );
    // Replies go by the new BSUID: the old number is no longer theirs.
    assert_eq!(d.contact_of(moved), new);
    assert!(!tables.reporters.contains_key(&d.key_of(&old).phone.unwrap()));
}

/// A city whose numbers sit in two business portfolios: the same person has
/// a BSUID in each, and the parent BSUID of the organisation in both. The
/// parent links them: one reporter, one open case, whichever number they
/// write to.
#[tokio::test]
async fn the_parent_bsuid_links_one_person_across_two_portfolios() {
    const PORTFOLIO_A: &str = "ID.1111111111111111";
    const PORTFOLIO_B: &str = "ID.2222222222222222";
    const PARENT: &str = "ID.ENT.9999999999999999";
    let with_parent = |user: &str| {
        Sender::new(
            None,
            Some(Bsuid::parse(user).unwrap()),
            Some(Bsuid::parse(PARENT).unwrap()),
        )
        .unwrap()
    };
    let d = Harness::new();
    let first = reply(
        &d.send_as(with_parent(PORTFOLIO_A), "wamid.1", "Lampu jalan mati di Garegeh")
            .await,
    )
    .0;
    assert!(first.contains("ADU-0001"), "{first}");
    let second = reply(&d.send_as(with_parent(PORTFOLIO_B), "wamid.2", "status").await).0;
    assert!(second.contains("ADU-0001"), "the same reporter's case: {second}");
    d.send_as(with_parent(PORTFOLIO_B), "wamid.3", "sudah seminggu pak")
        .await;
    let tables = d.records.tables();
    assert_eq!(tables.cases.len(), 1, "no second case");
    let ids: std::collections::BTreeSet<_> = tables.reporters.values().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 1, "one reporter behind every key");
    let case = tables.cases.values().next().unwrap();
    assert_eq!(
        tables.events[&case.id].len(),
        3,
        "opened, the report, the follow-up"
    );
}

/// Two records of one person: one kept under their number from before
/// BSUIDs (a case asked "is it solved?"), one started later by a delivery
/// that withheld the number (another case). The first delivery with both ids
/// merges them: one reporter, both cases theirs, the question answered.
#[tokio::test]
async fn a_delivery_with_both_ids_merges_the_records_of_number_and_bsuid() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Lampu jalan mati di depan masjid Garegeh")
        .await
        .unwrap();
    let by_number = d.reporter(CITIZEN);
    let asked = by_number.open_case.clone().unwrap();
    let awaiting = Awaiting::Confirmation { case: asked.clone() };
    let number_key = by_number.id.clone();
    d.records.change(move |tables| {
        tables.cases.get_mut(&asked.id).unwrap().status = Status::Resolved;
        let reporter = tables.reporters.get_mut(&number_key).unwrap();
        reporter.awaiting = Some(awaiting);
        reporter.open_case = None;
    });
    let withheld = sender(None, Some(USER));
    d.send_as(
        withheld.clone(),
        "wamid.2",
        "Got tersumbat di Jalan Sudirman, Garegeh",
    )
    .await;
    let user_key = d.key_of(&withheld).user.unwrap();
    assert_eq!(d.records.tables().reporters.len(), 2, "two records so far");

    let both = sender(Some(CITIZEN), Some(USER));
    let text = reply(&d.send_as(both.clone(), "wamid.3", "status").await).0;
    assert!(text.contains("ADU-0001") && text.contains("ADU-0002"), "{text}");
    let tables = d.records.tables();
    let merged = &tables.reporters[&user_key];
    assert_eq!(merged.id, user_key, "the BSUID's record goes on");
    assert_eq!(merged.absorbed, vec![by_number.id.clone()]);
    assert_eq!(
        tables.reporters[&by_number.id], *merged,
        "the number's key now holds a copy of the one record"
    );
    assert_eq!(d.contact_of(merged), both);

    // The question asked on the number's record is answered on the merged one.
    d.send_as(sender(None, Some(USER)), "wamid.4", "sdh pak, alhamdulillah")
        .await;
    assert_eq!(d.status_of("ADU-0001"), Status::Closed);
    // The old case asked for by its ticket: theirs, not "not found".
    let text = reply(&d.send_as(both, "wamid.5", "STATUS ADU-0001").await).0;
    let not_found = render(&Texts::shipped().not_found, &[("ticket", "ADU-0001")]);
    assert!(text.contains("ADU-0001") && text != not_found, "{text}");
}

/// A record under the number that knows another BSUID belongs to whoever
/// had the number before: never merged.
#[tokio::test]
async fn a_number_record_of_another_bsuid_is_not_merged() {
    let d = Harness::new();
    d.send_as(
        sender(Some(CITIZEN), Some("ID.999")),
        "wamid.1",
        "Jalan rusak di Garegeh",
    )
    .await;
    d.send_as(sender(None, Some(USER)), "wamid.2", "Lampu mati di Birugo")
        .await;
    let text = reply(
        &d.send_as(sender(Some(CITIZEN), Some(USER)), "wamid.3", "status")
            .await,
    )
    .0;
    assert!(text.contains("ADU-0002") && !text.contains("ADU-0001"), "{text}");
    let tables = d.records.tables();
    assert!(tables.reporters.values().all(|r| r.absorbed.is_empty()));
}

/// The citizen wrote from their new number before Meta's system message of
/// the change arrived: that message started a record of its own, which the
/// change merges into theirs, so neither case is lost or doubled.
#[tokio::test]
async fn a_change_merges_the_record_the_new_number_already_started() {
    let d = Harness::new();
    let old = sender(Some(CITIZEN), Some(USER));
    d.send_as(old.clone(), "wamid.1", "Jalan rusak di Garegeh").await;
    let before = d.reporter(CITIZEN);
    let new = sender(Some(NEIGHBOUR), Some("ID.777"));
    d.send_as(new.clone(), "wamid.2", "Lampu jalan mati di Birugo")
        .await;
    let started = d.records.tables().reporters[&d.key_of(&new).user.unwrap()].clone();
    assert_ne!(started.id, before.id);
    let change = change_of(ChangeKind::Number, old, new.clone());
    assert_eq!(
        change_identity(&d.records, &d.desk, &change).await.unwrap(),
        Changed::Moved
    );
    let tables = d.records.tables();
    let moved = &tables.reporters[&d.key_of(&new).user.unwrap()];
    assert_eq!(moved.id, before.id, "the older record goes on");
    assert_eq!(moved.absorbed, vec![started.id.clone()]);
    assert_eq!(d.contact_of(moved), new);
    let text = reply(&d.send_as(new, "wamid.3", "status").await).0;
    assert!(text.contains("ADU-0001") && text.contains("ADU-0002"), "{text}");
    assert_eq!(d.records.tables().cases.len(), 2);
}

/// A record past its contact's retention (TTL deletes late): the number it
/// kept is never used, not even merged into a delivery that withholds it;
/// the reply goes to the ids this delivery names, the record seals them
/// afresh and its retention starts again.
#[tokio::test]
async fn a_contact_past_its_retention_is_never_used_and_the_next_message_seals_a_new_one() {
    let d = Harness::new();
    let both = sender(Some(CITIZEN), Some(USER));
    d.send_as(both.clone(), "wamid.1", "status").await;
    let kept = d.reporter(CITIZEN);
    let user_key = d.key_of(&both).user.unwrap();
    d.records.change(|t| {
        for key in [&kept.id, &user_key] {
            let record = t.reporters.get_mut(key).unwrap();
            record.contact_expires_at = Some(now() - Duration::seconds(1));
        }
    });
    let withheld = sender(None, Some(USER));
    let Outcome::Handled {
        reply: Some(reply), ..
    } = d.send_as(withheld.clone(), "wamid.2", "status").await
    else {
        panic!("a reply");
    };
    assert_eq!(reply.to, withheld, "not the number the expired contact kept");
    let record = d.records.tables().reporters[&user_key].clone();
    assert_eq!(d.contact_of(&record), withheld);
    let until = record.contact_expires_at.expect("no case open: a retention");
    assert!(until > now() + Duration::days(364), "{until}");
}
