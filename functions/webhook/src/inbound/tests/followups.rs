//! Follow-ups are thanked (issue 19, item 6): a message added to the open
//! case gets "Tambahan ... sudah kami terima", at most once in a few
//! minutes, so a burst of photos gets one reply.

use super::*;

impl Harness {
    async fn reply_at(&self, id: &str, text: &str, at: DateTime<Utc>) -> Option<String> {
        let mut inbound = message(CITIZEN, id, text);
        inbound.sent_at = at;
        match process(&self.records, &self.desk, &inbound, at).await.unwrap() {
            Outcome::Handled { reply, .. } => reply.map(|r| r.message.as_plain_text()),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_follow_up_is_thanked_once_in_a_few_minutes() {
    let d = Harness::new();
    let thanks = render(&Texts::shipped().followup_received, &[("ticket", "ADU-0001")]);
    d.reply_at("wamid.1", "Got tersumbat di Garegeh, air masuk rumah", now())
        .await
        .expect("the acknowledgement");
    // Right after the acknowledgement: it answers these too.
    let soon = d
        .reply_at("wamid.2", "ini fotonya pak", now() + Duration::minutes(1))
        .await;
    assert_eq!(soon, None);
    // Later: one thanks, then quiet for a few minutes.
    let later = now() + Duration::hours(2);
    assert_eq!(
        d.reply_at("wamid.3", "airnya makin tinggi", later).await,
        Some(thanks.clone())
    );
    for (n, minutes) in [(4, 1), (5, 2), (6, 4)] {
        let at = later + Duration::minutes(minutes);
        assert_eq!(
            d.reply_at(&format!("wamid.{n}"), "foto lagi", at).await,
            None,
            "{minutes} min"
        );
    }
    let after = later + Duration::minutes(6);
    assert_eq!(
        d.reply_at("wamid.7", "tolong segera pak", after).await,
        Some(thanks)
    );
    // Every message is on the case all the same.
    let tables = d.records.tables();
    let case = &tables.tickets[&ticket("ADU-0001")];
    let messages = tables.events[case]
        .iter()
        .filter(|e| matches!(e.body, aduan_shared::domain::timeline::EventBody::Message { .. }))
        .count();
    assert_eq!(messages, 7);
}
