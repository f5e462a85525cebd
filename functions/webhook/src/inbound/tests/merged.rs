//! A reporter whose case was merged into a neighbour's (issue 23): their
//! `STATUS` shows the case they follow, and their answer to its "is it
//! solved?" question (and their rating) goes to that case.

use aduan_shared::domain::lifecycle::Transition;
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::timeline::Actor;

use super::*;

/// The citizen's ADU-0001 and the neighbour's ADU-0002 about the same
/// lamp; ADU-0002 merged into ADU-0001, which is then in progress.
async fn merged() -> Harness {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Lampu jalan mati di depan masjid Garegeh")
        .await
        .unwrap();
    d.send(NEIGHBOUR, "wamid.2", "Lampu jalan depan masjid Garegeh mati pak")
        .await
        .unwrap();
    d.records.change(|tables| {
        let official = Actor::Official {
            sub: "sub-1".into(),
            name: "Petugas".into(),
        };
        let sla = SlaPolicy::default();
        let target_id = tables.tickets[&ticket("ADU-0001")].clone();
        let dup_id = tables.tickets[&ticket("ADU-0002")].clone();
        let mut target = tables.cases[&target_id].clone();
        let mut dup = tables.cases[&dup_id].clone();
        dup.merge_into(&mut target, official.clone(), &sla, now())
            .unwrap();
        for transition in [Transition::Verify, Transition::Start] {
            target
                .transition(transition, official.clone(), None, &sla, now())
                .unwrap();
        }
        tables.cases.insert(target_id, target);
        tables.cases.insert(dup_id, dup);
    });
    d
}

#[tokio::test]
async fn status_shows_the_case_a_merged_one_follows() {
    let d = merged().await;
    let reads = d.records.tables().case_reads;
    let text = d.says(NEIGHBOUR, "wamid.3", "STATUS").await;
    let texts = Texts::shipped();
    assert!(text.contains("*ADU-0002*"), "{text}");
    assert!(text.contains("digabung dengan *ADU-0001*"), "{text}");
    assert!(
        text.contains(texts.status_name(Status::InProgress)),
        "the target's status, not the merged case's: {text}"
    );
    assert!(!text.contains(texts.status_name(Status::Closed)), "{text}");
    assert_eq!(
        d.records.tables().case_reads,
        reads + 1,
        "one read for the target"
    );
    // The citizen's own list is as before.
    let text = d.says(CITIZEN, "wamid.4", "STATUS").await;
    assert!(text.contains("ADU-0001") && !text.contains("digabung"), "{text}");
}

#[tokio::test]
async fn the_merged_reporters_answer_to_is_it_solved_goes_to_the_target() {
    let d = merged().await;
    let target_id = d.records.tables().tickets[&ticket("ADU-0001")].clone();
    let asked = OpenCase {
        id: target_id.clone(),
        ticket: ticket("ADU-0001"),
    };
    let neighbour = d.reporter(NEIGHBOUR).id;
    d.records.change(move |tables| {
        let target = tables.cases.get_mut(&target_id).unwrap();
        target
            .transition(
                Transition::Resolve,
                Actor::System,
                None,
                &SlaPolicy::default(),
                now(),
            )
            .unwrap();
        // As the resolve notice leaves the merged case's reporter.
        tables.reporters.get_mut(&neighbour).unwrap().awaiting = Some(Awaiting::Confirmation { case: asked });
    });
    let text = d.says(NEIGHBOUR, "wamid.3", "sudah pak, terima kasih").await;
    assert!(text.contains("ADU-0001"), "{text}");
    assert_eq!(d.status_of("ADU-0001"), Status::Closed);
    assert_eq!(d.status_of("ADU-0002"), Status::Closed);
    // Then the rating question, whose answer rates the target.
    assert!(matches!(
        d.reporter(NEIGHBOUR).awaiting,
        Some(Awaiting::Rating { .. })
    ));
    d.says(NEIGHBOUR, "wamid.4", "5").await;
    let tables = d.records.tables();
    assert_eq!(tables.cases[&tables.tickets[&ticket("ADU-0001")]].rating, Some(5));
}
