//! A message to an old or resolved open case (issue 19, item 6): instead of
//! joining it silently, it is held and the citizen is asked with buttons
//! whether it adds to that case or is a new report. Nothing is lost: the
//! held message goes on the case they choose, or on the open case when
//! they answer with something else.

use aduan_shared::domain::timeline::{MediaType, TimelineEvent};

use super::*;

const FIRST: &str = "Lampu jalan mati di depan masjid Garegeh";

impl Harness {
    async fn at(&self, inbound: Inbound, at: DateTime<Utc>) -> Option<Outbound> {
        match process(&self.records, &self.desk, &inbound, at).await.unwrap() {
            Outcome::Handled { reply, .. } => reply.map(|r| r.message),
            other => panic!("{other:?}"),
        }
    }

    async fn text_at(&self, id: &str, text: &str, at: DateTime<Utc>) -> Option<Outbound> {
        let mut inbound = message(CITIZEN, id, text);
        inbound.sent_at = at;
        self.at(inbound, at).await
    }

    async fn tap_at(&self, id: &str, button: &str, title: &str, at: DateTime<Utc>) -> Option<Outbound> {
        let mut inbound = message(CITIZEN, id, "");
        inbound.sent_at = at;
        inbound.body = InboundBody::Choice {
            id: button.into(),
            title: title.into(),
        };
        self.at(inbound, at).await
    }

    async fn photo_at(&self, id: &str, at: DateTime<Utc>) -> Option<Outbound> {
        let mut inbound = message(CITIZEN, id, "");
        inbound.sent_at = at;
        inbound.body = InboundBody::Content(MessageContent::Media {
            media_type: MediaType::Image,
            media_id: format!("media-{id}"),
            mime_type: Some("image/jpeg".into()),
            caption: None,
            url: None,
        });
        self.at(inbound, at).await
    }

    /// The provider ids of the citizen's messages on `raw`, in order.
    fn message_ids(&self, raw: &str) -> Vec<String> {
        let tables = self.records.tables();
        let events: &[TimelineEvent] = &tables.events[&tables.tickets[&ticket(raw)]];
        events
            .iter()
            .filter_map(|e| match &e.body {
                EventBody::Message {
                    provider_message_id, ..
                } => Some(provider_message_id.clone()),
                _ => None,
            })
            .collect()
    }
}

fn is_question(reply: &Option<Outbound>, wording: &str) -> bool {
    matches!(reply, Some(Outbound::Buttons { body, buttons })
        if body.contains(wording)
            && buttons.iter().map(|b| b.id.as_str()).eq(["add:case", "add:new"]))
}

async fn reported_weeks_ago() -> (Harness, DateTime<Utc>) {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", FIRST).await.unwrap();
    (d, now() + Duration::days(21))
}

#[tokio::test]
async fn a_message_to_a_case_open_three_weeks_is_held_and_a_new_report_opens_with_it() {
    let (d, later) = reported_weeks_ago().await;
    let text = "pak lampu di simpang Garegeh juga mati sudah 3 malam";
    let asked = d.text_at("wamid.2", text, later).await;
    assert!(is_question(&asked, "21 hari"), "{asked:?}");
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1"], "held, not appended");
    assert!(matches!(
        d.reporter(CITIZEN).awaiting,
        Some(Awaiting::NewOrAddition { .. })
    ));

    let ack = d
        .tap_at("wamid.3", "add:new", "Laporan baru", later)
        .await
        .unwrap();
    assert!(ack.as_plain_text().contains("ADU-0002"), "{ack:?}");
    let tables = d.records.tables();
    let new = &tables.cases[&tables.tickets[&ticket("ADU-0002")]];
    assert_eq!(new.description, text);
    drop(tables);
    assert_eq!(d.message_ids("ADU-0002"), ["wamid.2", "wamid.3"]);
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1"]);
    let reporter = d.reporter(CITIZEN);
    assert_eq!(reporter.open_case.unwrap().ticket, ticket("ADU-0002"));
    assert_eq!(reporter.awaiting, None);
}

#[tokio::test]
async fn an_addition_goes_on_the_old_case_and_is_not_asked_about_again() {
    let (d, later) = reported_weeks_ago().await;
    let asked = d.photo_at("wamid.2", later).await;
    assert!(is_question(&asked, "21 hari"), "{asked:?}");
    let thanks = d.tap_at("wamid.3", "add:case", "Tambahan", later).await.unwrap();
    assert_eq!(
        thanks.as_plain_text(),
        render(&Texts::shipped().followup_received, &[("ticket", "ADU-0001")])
    );
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1", "wamid.2", "wamid.3"]);
    // Said once: the next photo joins it, thanked at most as follow-ups are.
    let next = d.photo_at("wamid.4", later + Duration::minutes(1)).await;
    assert_eq!(next, None);
    assert_eq!(d.message_ids("ADU-0001").len(), 4);
    assert_eq!(d.records.tables().cases.len(), 1);
}

#[tokio::test]
async fn a_recent_case_takes_follow_ups_without_asking() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", FIRST).await.unwrap();
    let reply = d.photo_at("wamid.2", now() + Duration::days(3)).await;
    assert!(!is_question(&reply, ""), "{reply:?}");
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1", "wamid.2"]);
}

#[tokio::test]
async fn a_photo_after_the_case_was_resolved_asks_and_the_confirmation_waits_again() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", FIRST).await.unwrap();
    let open = asked_whether_solved(&d);
    let soon = now() + Duration::hours(2);
    let asked = d.photo_at("wamid.2", soon).await;
    assert!(is_question(&asked, "sudah diselesaikan"), "{asked:?}");
    d.tap_at("wamid.3", "add:case", "Tambahan", soon).await;
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1", "wamid.2", "wamid.3"]);
    assert_eq!(
        d.reporter(CITIZEN).awaiting,
        Some(Awaiting::Confirmation { case: open }),
        "the question set aside is asked again"
    );
    d.text_at("wamid.4", "sdh pak", soon).await;
    assert_eq!(d.status_of("ADU-0001"), Status::Closed);
}

#[tokio::test]
async fn answering_with_something_else_adds_both_and_status_leaves_the_question_waiting() {
    let (d, later) = reported_weeks_ago().await;
    d.text_at("wamid.2", "masih gelap pak", later).await;
    let status = d.text_at("wamid.3", "STATUS", later).await.unwrap();
    assert!(status.as_plain_text().contains("ADU-0001"), "{status:?}");
    assert!(matches!(
        d.reporter(CITIZEN).awaiting,
        Some(Awaiting::NewOrAddition { .. })
    ));
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1"]);
    d.photo_at("wamid.4", later).await;
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1", "wamid.2", "wamid.4"]);
    assert_eq!(d.reporter(CITIZEN).awaiting, None);
}

#[tokio::test]
async fn baru_while_asked_opens_the_held_message_as_a_new_report() {
    let (d, later) = reported_weeks_ago().await;
    d.text_at("wamid.2", "Got tersumbat di depan SD 03 Garegeh", later)
        .await;
    let ack = d.text_at("wamid.3", "baru", later).await.unwrap();
    assert!(ack.as_plain_text().contains("ADU-0002"), "{ack:?}");
    assert_eq!(d.message_ids("ADU-0002"), ["wamid.2", "wamid.3"]);
}

#[tokio::test]
async fn a_held_message_is_kept_when_officials_close_the_case_before_the_answer() {
    let (d, later) = reported_weeks_ago().await;
    d.text_at("wamid.2", "lampu di gang sebelah juga mati", later)
        .await;
    let id = d.records.tables().tickets[&ticket("ADU-0001")].clone();
    d.records
        .change(move |tables| tables.cases.get_mut(&id).unwrap().status = Status::Closed);
    let ack = d.tap_at("wamid.3", "add:case", "Tambahan", later).await.unwrap();
    assert!(ack.as_plain_text().contains("ADU-0002"), "{ack:?}");
    assert_eq!(d.message_ids("ADU-0002"), ["wamid.2", "wamid.3"]);
    assert_eq!(d.message_ids("ADU-0001"), ["wamid.1"]);
}
