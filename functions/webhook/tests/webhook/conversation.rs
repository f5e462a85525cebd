//! The conversation through the webhook's HTTP handler against the
//! emulator, in messages written the way citizens write (issue 19): a
//! greeting alone (item 2), "is it solved?" answered in everyday words
//! (item 3), a photo sent after the case was resolved (item 6) and a late
//! "not solved" (item 9). The officials' side is the one case-updates uses:
//! the case saved at its next status, the notice told by the messenger.

use aduan_shared::domain::lifecycle::Transition;
use aduan_shared::domain::timeline::Actor;
use aduan_shared::notify::citizen::Notice;
use aduan_shared::texts::{render, Texts};

use super::*;

fn official() -> Actor {
    Actor::Official {
        sub: "o-1".into(),
        name: "Petugas Garegeh".into(),
    }
}

/// The one case, moved by officials through `transitions`, as the API saves it.
async fn officials_move(h: &Harness, transitions: &[Transition]) -> Case {
    let mut case = first_case(h).await;
    for transition in transitions {
        let event = case
            .transition(
                *transition,
                official(),
                Some("lampu sudah diganti".into()),
                &h.app.desk.policy.sla,
                chrono::Utc::now(),
            )
            .unwrap();
        h.store.save_case(&mut case, &[event], None).await.unwrap();
    }
    case
}

/// Officials resolve the case (verified and started first, when it is new)
/// and the citizen is asked "is it solved?".
async fn resolved(h: &Harness) -> Case {
    let steps: &[Transition] = match status(h).await {
        Status::Received => &[Transition::Verify, Transition::Start, Transition::Resolve],
        _ => &[Transition::Resolve],
    };
    let case = officials_move(h, steps).await;
    let notice = Notice::Resolved {
        note: "lampu sudah diganti".into(),
        photo: None,
    };
    h.app
        .messenger
        .tell_as(&h.store, &case, notice, official(), chrono::Utc::now())
        .await
        .unwrap();
    case
}

/// The citizen's first case, ADU-0001.
async fn first_case(h: &Harness) -> Case {
    let mut cases = all_cases(h).await;
    cases.sort_by(|a, b| a.ticket.as_str().cmp(b.ticket.as_str()));
    cases.remove(0)
}

/// The citizen writes to the kota's number.
async fn says(h: &Harness, id: &str, text: &str) {
    assert_eq!(post(h, &text_from(KOTA_NUMBER, id, text)).await.0, 200);
}

async fn status(h: &Harness) -> Status {
    first_case(h).await.status
}

fn last_buttons(h: &Harness) -> (String, Vec<String>) {
    let body = h.standin.received().last().unwrap().body.clone();
    assert_eq!(body["interactive"]["type"], "button", "{body}");
    let ids = body["interactive"]["action"]["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["reply"]["id"].as_str().unwrap().to_owned())
        .collect();
    let text = body["interactive"]["body"]["text"].as_str().unwrap().to_owned();
    (text, ids)
}

#[tokio::test]
async fn a_greeting_alone_opens_no_case_and_the_report_after_it_does() {
    let h = harness("conv-greeting").await;
    let texts = Texts::shipped();
    says(&h, "wamid.G1", "Assalamualaikum pak").await;
    assert!(all_cases(&h).await.is_empty());
    let welcome = h.standin.texts().pop().unwrap();
    assert!(welcome.starts_with(&texts.welcome), "{welcome}");
    let report = "lampu jalan mati depan SD 05 Garegeh, sudah 3 malam gelap";
    says(&h, "wamid.G2", report).await;
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].description, report);
    assert_eq!(cases[0].jurisdiction.as_ref().unwrap().as_str(), GAREGEH);
    assert_eq!(
        messages(&timeline(&h, &cases[0]).await).len(),
        1,
        "the greeting is on no case"
    );
}

#[tokio::test]
async fn is_it_solved_answered_in_everyday_words() {
    let h = harness("conv-yes-no").await;
    says(&h, "wamid.Y1", "Lampu jalan mati di Garegeh").await;
    resolved(&h).await;
    let (_, ids) = last_buttons(&h);
    assert_eq!(ids, ["solved:yes", "solved:no"]);

    says(&h, "wamid.Y2", "blm pak, masih gelap").await;
    assert_eq!(status(&h).await, Status::InProgress, "a no reopens it");

    resolved(&h).await;
    says(&h, "wamid.Y3", "tidak tahu pak, sy lagi di luar kota").await;
    assert_eq!(status(&h).await, Status::Resolved, "unclear: nothing changes");
    let (text, ids) = last_buttons(&h);
    assert_eq!(
        text,
        render(&Texts::shipped().confirm_again, &[("ticket", "ADU-0001")])
    );
    assert_eq!(ids, ["solved:yes", "solved:no"], "asked again with the buttons");

    says(&h, "wamid.Y4", "alhamdulillah sdh hidup lampunya").await;
    assert_eq!(status(&h).await, Status::Closed);
    let rating = h.standin.received().last().unwrap().body.clone();
    assert_eq!(rating["interactive"]["type"], "list", "then the rating");
}

#[tokio::test]
async fn a_photo_after_the_case_was_resolved_asks_new_or_addition() {
    let h = harness("conv-addition").await;
    says(&h, "wamid.N1", "Lampu jalan mati di Garegeh").await;
    resolved(&h).await;
    post(&h, &photo_from("wamid.N2", "MEDIA-N2")).await;
    let (text, ids) = last_buttons(&h);
    assert!(text.contains("ADU-0001"), "{text}");
    assert_eq!(ids, ["add:case", "add:new"]);
    let first = first_case(&h).await;
    assert_eq!(
        messages(&timeline(&h, &first).await).len(),
        1,
        "held until the answer"
    );

    post(&h, &tap("wamid.N3", "add:new", "Laporan baru")).await;
    assert!(h.standin.texts().last().unwrap().contains("ADU-0002"));
    let cases = all_cases(&h).await;
    let new = cases.iter().find(|c| c.id != first.id).unwrap();
    let contents = messages(&timeline(&h, new).await)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        matches!(&contents[0], MessageContent::Media { media_id, .. } if media_id == "MEDIA-N2"),
        "{contents:?}"
    );
    assert_eq!(messages(&timeline(&h, &first).await).len(), 1);
    assert_eq!(
        status(&h).await,
        Status::Resolved,
        "the resolved case still waits for its answer"
    );
}

#[tokio::test]
async fn not_solved_after_the_case_was_closed_reopens_it_within_the_window_and_only_then() {
    let h = harness("conv-late").await;
    says(&h, "wamid.L1", "Got tersumbat di Garegeh").await;
    resolved(&h).await;
    officials_move(&h, &[Transition::Close]).await;
    says(&h, "wamid.L2", "belum pak, masih tersumbat").await;
    assert_eq!(status(&h).await, Status::InProgress, "reopened for real");
    let said = h.standin.texts().pop().unwrap();
    assert_eq!(
        said,
        render(&Texts::shipped().confirm_no, &[("ticket", "ADU-0001")])
    );

    // Past the window (none here): asked for a new report, never "reopened".
    let h = harness_with("conv-too-late", |env| {
        env.push(("REOPEN_WINDOW_DAYS".into(), "0".into()))
    })
    .await;
    says(&h, "wamid.L1", "Got tersumbat di Garegeh").await;
    resolved(&h).await;
    officials_move(&h, &[Transition::Close]).await;
    says(&h, "wamid.L2", "alun, masih tasumbaik").await;
    assert_eq!(status(&h).await, Status::Closed);
    let said = h.standin.texts().pop().unwrap();
    assert_eq!(
        said,
        render(&Texts::shipped().confirm_no_closed, &[("ticket", "ADU-0001")])
    );
}

/// Officials resolving the case again while a message is held do not drop
/// it: "is it solved?" waits behind "new or addition?".
#[tokio::test]
async fn a_held_message_stays_held_when_officials_ask_is_it_solved_again() {
    let h = harness("conv-held-asked").await;
    says(&h, "wamid.H1", "Lampu jalan mati di Garegeh").await;
    resolved(&h).await;
    post(&h, &photo_from("wamid.H2", "MEDIA-H2")).await;
    officials_move(&h, &[Transition::Reopen]).await;
    resolved(&h).await;
    post(&h, &tap("wamid.H3", "add:case", "Tambahan")).await;
    let first = first_case(&h).await;
    assert_eq!(
        messages(&timeline(&h, &first).await).len(),
        3,
        "the photo and the tap joined it"
    );
    says(&h, "wamid.H4", "sdh pak, terima kasih").await;
    assert_eq!(
        status(&h).await,
        Status::Closed,
        "then the question asked again was answered"
    );
}

#[tokio::test]
async fn a_question_is_thanked_as_a_question() {
    let h = harness("conv-question").await;
    says(
        &h,
        "wamid.Q1",
        "mau nanya pak, syarat bikin surat keterangan domisili di kelurahan Garegeh apa aja ya?",
    )
    .await;
    let case = first_case(&h).await;
    assert_eq!(case.kind, aduan_shared::domain::kind::CaseKind::Pertanyaan);
    let thanks = h.standin.texts().pop().unwrap();
    let expected = render(&Texts::shipped().ack_question, &[("ticket", "ADU-0001")]);
    assert!(thanks.starts_with(&expected), "{thanks}");
}

/// `BERHENTI` stops the officials' notices, not the replies; `MULAI`
/// resumes them.
#[tokio::test]
async fn berhenti_stops_the_notices_and_mulai_resumes_them() {
    let h = harness("conv-stop").await;
    says(&h, "wamid.S1", "Sampah numpuk di pasar Garegeh, bau sekali").await;
    says(&h, "wamid.S2", "BERHENTI").await;
    let texts = Texts::shipped();
    assert_eq!(
        h.standin.texts().pop().unwrap(),
        texts.stopped,
        "a reply still goes"
    );
    let sent = h.standin.received().len();
    resolved(&h).await;
    assert_eq!(h.standin.received().len(), sent, "the notice is withheld");
    says(&h, "wamid.S3", "MULAI").await;
    assert_eq!(h.standin.texts().pop().unwrap(), texts.resumed);
    officials_move(&h, &[Transition::Reopen]).await;
    resolved(&h).await;
    let (_, ids) = last_buttons(&h);
    assert_eq!(ids, ["solved:yes", "solved:no"], "notices reach them again");
}
