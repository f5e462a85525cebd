//! The reporter's limits (docs/security.md, "One WhatsApp account can break
//! officials' queues"): a flood opens a few cases and writes a few dozen
//! messages, each refusal is answered politely, and officials see it.

use aduan_shared::conversation::limits::Limit;
use aduan_shared::domain::timeline::EventBody;

use super::*;

impl Harness {
    async fn send_at(&self, id: &str, text: &str, at: DateTime<Utc>) -> Outcome {
        let mut inbound = message(CITIZEN, id, text);
        inbound.sent_at = at;
        process(&self.records, &self.desk, &inbound, at).await.unwrap()
    }

    fn open_cases(&self) -> usize {
        self.records
            .tables()
            .cases
            .values()
            .filter(|case| case.status.is_open())
            .count()
    }

    /// The refusals officials see on a case.
    fn limited_on(&self, raw: &str) -> Vec<(Limit, u32)> {
        let tables = self.records.tables();
        tables.events[&tables.tickets[&ticket(raw)]]
            .iter()
            .filter_map(|event| match event.body {
                EventBody::Limited { limit, allowed } => Some((limit, allowed)),
                _ => None,
            })
            .collect()
    }
}

fn texts() -> Texts {
    Texts::shipped()
}

/// Six new reports, a minute apart: the five the city allows open at once
/// are opened; the sixth is answered and noted on the newest case.
#[tokio::test]
async fn new_reports_past_the_open_case_limit_are_refused_politely_and_noted() {
    let d = Harness::new();
    for n in 1..=5 {
        let at = now() + Duration::minutes(n);
        let text = reply(
            &d.send_at(&format!("wamid.{n}"), "BARU got tersumbat di jalan sudirman", at)
                .await,
        )
        .0;
        assert!(text.contains(&format!("ADU-000{n}")), "{n}: {text}");
    }
    let refused = d
        .send_at(
            "wamid.6",
            "BARU lampu jalan mati pak, tolong",
            now() + Duration::minutes(6),
        )
        .await;
    let expected = render(&texts().limit_open_cases, &[("limit", "5")]);
    assert_eq!(reply(&refused), (expected, None));
    assert_eq!(d.open_cases(), 5);
    assert_eq!(
        d.records.tables().ticket_counter,
        5,
        "no ticket taken for a refusal"
    );
    assert_eq!(d.limited_on("ADU-0005"), vec![(Limit::OpenCases, 5)]);
    // Refused again within the hour: answered, not noted again.
    let again = d
        .send_at("wamid.7", "BARU lampu jalan mati", now() + Duration::minutes(7))
        .await;
    assert!(reply(&again).0.contains("STATUS"));
    assert_eq!(d.limited_on("ADU-0005").len(), 1);
}

/// Officials close cases without touching the reporter's record: the count
/// is read again at the limit, and a closed case frees its place.
#[tokio::test]
async fn a_case_officials_closed_frees_a_place_for_a_new_report() {
    let d = Harness::new();
    for n in 1..=5 {
        d.send_at(
            &format!("wamid.{n}"),
            "BARU jalan berlubang",
            now() + Duration::minutes(n),
        )
        .await;
    }
    let first = d.records.tables().tickets[&ticket("ADU-0001")].clone();
    d.records.change(|tables| {
        tables.cases.get_mut(&first).unwrap().status = Status::Closed;
    });
    let text = reply(
        &d.send_at(
            "wamid.6",
            "BARU sampah menumpuk di pasar",
            now() + Duration::minutes(6),
        )
        .await,
    )
    .0;
    assert!(text.contains("ADU-0006"), "{text}");
    assert_eq!(d.open_cases(), 5);
}

/// Ten new reports in a day, each withdrawn by the citizen so none stays
/// open: the eleventh is refused until 24 hours after the first.
#[tokio::test]
async fn new_reports_past_the_days_limit_wait_for_the_next_day() {
    let d = Harness::new();
    for n in 1..=10 {
        let at = now() + Duration::minutes(2 * n);
        d.send_at(&format!("wamid.{n}"), "BARU ada pohon tumbang", at)
            .await;
        d.send_at(
            &format!("wamid.{n}b"),
            &format!("batal ADU-{n:04}"),
            at + Duration::seconds(30),
        )
        .await;
    }
    assert_eq!(d.open_cases(), 0);
    let refused = d
        .send_at(
            "wamid.11",
            "BARU ada pohon tumbang lagi",
            now() + Duration::hours(2),
        )
        .await;
    assert_eq!(
        reply(&refused).0,
        render(&texts().limit_new_cases, &[("limit", "10")])
    );
    let next_day = d
        .send_at(
            "wamid.12",
            "BARU ada pohon tumbang lagi",
            now() + Duration::hours(24) + Duration::minutes(3),
        )
        .await;
    assert!(reply(&next_day).0.contains("ADU-0011"));
}

/// Thirty messages in one minute on an open case: twenty are recorded, the
/// twenty-first is answered once, the rest are counted and dropped; a
/// minute later the citizen is heard again.
#[tokio::test]
async fn messages_past_the_minutes_limit_are_answered_once_and_not_recorded() {
    let d = Harness::new();
    d.send_at("wamid.0", "Jalan rusak parah di Garegeh", now()).await;
    let at = now() + Duration::minutes(5);
    let mut answers = Vec::new();
    for n in 1..=30 {
        let outcome = d
            .send_at(
                &format!("wamid.{n}"),
                "tolong cepat pak",
                at + Duration::seconds(n / 2),
            )
            .await;
        if let Outcome::Handled { reply: Some(r), .. } = outcome {
            answers.push((n, r.message.as_plain_text()));
        }
    }
    // The first follow-up is thanked (the report was five minutes before),
    // the rest of the minute is not; the one over the limit is answered.
    let thanks = render(&texts().followup_received, &[("ticket", "ADU-0001")]);
    let expected = render(&texts().limit_messages, &[("limit", "20")]);
    assert_eq!(answers, vec![(1, thanks), (21, expected)]);
    let tables = d.records.tables();
    let case = &tables.tickets[&ticket("ADU-0001")];
    let messages = |tables: &Tables| {
        tables.events[case]
            .iter()
            .filter(|e| matches!(e.body, EventBody::Message { .. }))
            .count()
    };
    assert_eq!(
        messages(&tables),
        21,
        "the first message and twenty in the minute"
    );
    assert_eq!(tables.inbound.len(), 31, "every message is marked handled");
    assert_eq!(d.limited_on("ADU-0001"), vec![(Limit::MessagesPerMinute, 20)]);
    d.send_at("wamid.31", "halo pak, masih rusak", at + Duration::seconds(61))
        .await;
    assert_eq!(messages(&d.records.tables()), 22);
}
