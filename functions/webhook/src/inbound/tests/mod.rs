//! The use case's orchestration without the emulator: the conflict and
//! retry loop, commands and withdrawal, against records held in memory.
//! Messages are written the way citizens write them.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use aduan_shared::config::policy::Policy;
use aduan_shared::config::Env;
use aduan_shared::conversation::plan::PlanError;
use aduan_shared::conversation::{Awaiting, OpenCase, Reporter};
use aduan_shared::domain::case::{CaseId, CaseReporter, Provider};
use aduan_shared::domain::identity::Sender;
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::language::Vocabulary;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::reporter::{
    ContactCipher, Key32, ReporterHasher, ReporterKeys, SealVersion, SealedContact, SenderId,
};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{EventBody, MessageContent};
use aduan_shared::store::StoreError;
use aduan_shared::texts::{render, Texts};
use aduan_shared::whatsapp::outbound::Outbound;
use aduan_shared::whatsapp::{Inbound, InboundBody};

use super::memory::{MemoryRecords, Tables};
use super::{process, Desk, InboundError, Outcome, MAX_ROUNDS};

const CITIZEN: &str = "6281234567890";
const NEIGHBOUR: &str = "6281298765432";
/// The city's number for the whole kota.
const NUMBER: &str = "222000222";
const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

fn desk() -> Desk {
    Desk {
        keys: Arc::new(ReporterKeys {
            hasher: ReporterHasher::new(Key32::from_bytes([7; 32])),
            contacts: ContactCipher::new(Key32::from_bytes([9; 32]), []),
        }),
        tree: Arc::new(Jurisdictions::bukittinggi().clone()),
        texts: Arc::new(Texts::shipped()),
        vocabulary: Arc::new(Vocabulary::shipped().clone()),
        policy: Policy::from_env(&Env::from_pairs(Vec::<(String, String)>::new())).unwrap(),
        number_kecamatan: Default::default(),
        officials_number: None,
        keeps_files: false,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-02T09:30:00+07:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn message(from: &str, id: &str, text: &str) -> Inbound {
    Inbound {
        provider: Provider::Meta,
        message_id: id.into(),
        from: Sender::phone_number(SenderId::parse(from).unwrap()),
        number_id: NUMBER.into(),
        sent_at: now(),
        body: InboundBody::Content(MessageContent::Text { body: text.into() }),
        replied_to: None,
    }
}

fn ticket(raw: &str) -> Ticket {
    Ticket::parse(raw).unwrap()
}

/// The reply's text, and the case it is recorded on.
fn reply(outcome: &Outcome) -> (String, Option<CaseId>) {
    match outcome {
        Outcome::Handled {
            reply: Some(reply), ..
        } => (reply.message.as_plain_text(), reply.case_id.clone()),
        other => panic!("expected a reply, got {other:?}"),
    }
}

struct Harness {
    desk: Desk,
    records: MemoryRecords,
}

impl Harness {
    fn new() -> Self {
        Self {
            desk: desk(),
            records: MemoryRecords::default(),
        }
    }

    async fn send(&self, from: &str, id: &str, text: &str) -> Result<Outcome, InboundError> {
        process(&self.records, &self.desk, &message(from, id, text), now()).await
    }

    async fn says(&self, from: &str, id: &str, text: &str) -> String {
        reply(&self.send(from, id, text).await.unwrap()).0
    }

    fn reporter(&self, from: &str) -> Reporter {
        let id = self.desk.keys.hasher.reporter_id(&SenderId::parse(from).unwrap());
        self.records.tables().reporters[&id].clone()
    }

    fn status_of(&self, raw: &str) -> Status {
        let tables = self.records.tables();
        tables.cases[&tables.tickets[&ticket(raw)]].status
    }
}

#[tokio::test]
async fn a_first_message_opens_a_case_in_one_write_with_its_reply_staged() {
    let d = Harness::new();
    let outcome = d
        .send(
            CITIZEN,
            "wamid.1",
            "Assalamualaikum pak, lampu jalan depan rumah di Garegeh mati sdh 3 hari",
        )
        .await
        .unwrap();
    let tables = d.records.tables();
    assert_eq!(tables.writes, 1);
    assert_eq!(tables.ticket_counter, 1);
    let case = &tables.cases[&tables.tickets[&ticket("ADU-0001")]];
    assert_eq!(
        case.jurisdiction.as_ref().map(|p| p.to_string()).as_deref(),
        Some(GAREGEH)
    );
    let Outcome::Handled {
        reply: Some(reply), ..
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(reply.case_id.as_ref(), Some(&case.id));
    assert!(reply.message.as_plain_text().contains("ADU-0001"));
    // Meta's reply is saved as pending in the same write, then sent.
    let staged = reply.staged.as_ref().expect("staged");
    assert_eq!(tables.pending.len(), 1);
    assert_eq!(tables.pending[0].event.id, staged.pending.event.id);
    assert_eq!(d.reporter(CITIZEN).open_case.map(|c| c.id), Some(case.id.clone()));
}

#[tokio::test]
async fn the_same_message_delivered_again_writes_and_sends_nothing() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "jalan berlubang di garegeh")
        .await
        .unwrap();
    let again = d
        .send(CITIZEN, "wamid.1", "jalan berlubang di garegeh")
        .await
        .unwrap();
    assert!(matches!(again, Outcome::Duplicate), "{again:?}");
    assert_eq!(d.records.tables().writes, 1);
}

/// The first attempt recorded the message with its reply pending, then
/// stopped: a redelivery once that attempt's lease is over hands the reply
/// back to be sent, to the contact the record keeps; one before is a plain
/// duplicate (the first attempt may still be sending it).
#[tokio::test]
async fn a_redelivery_after_the_first_attempts_lease_hands_back_its_saved_reply() {
    let d = Harness::new();
    let text = "jalan berlubang di garegeh";
    d.send(CITIZEN, "wamid.1", text).await.unwrap();
    let pending = d.records.tables().pending[0].clone();
    let again = message(CITIZEN, "wamid.1", text);
    let at = |later: Duration| process(&d.records, &d.desk, &again, now() + later);
    let soon = at(Duration::seconds(30)).await.unwrap();
    assert!(matches!(soon, Outcome::Duplicate), "{soon:?}");
    let Outcome::ReplyDue(due) = at(Duration::minutes(3)).await.unwrap() else {
        panic!("the saved reply is due");
    };
    assert_eq!(due.reply.case_id, pending.case_id);
    assert_eq!(due.reply.event_id, pending.event.id);
    assert_eq!(due.to.phone().unwrap().expose(), CITIZEN);
    assert_eq!(d.records.tables().writes, 1, "a redelivery writes nothing");
}

/// docs/security.md, "Replays after the de-duplication window": a copy of a
/// message sent 15 days ago finds its de-duplication record expired (here:
/// no record at all), and must not be handled as new.
#[tokio::test]
async fn a_copy_of_a_message_older_than_the_dedup_window_is_refused_unread() {
    let d = Harness::new();
    let mut replay = message(CITIZEN, "wamid.1", "BATAL ADU-0001");
    replay.sent_at = now() - Duration::days(15);
    let outcome = process(&d.records, &d.desk, &replay, now()).await.unwrap();
    assert!(matches!(outcome, Outcome::TooOld), "{outcome:?}");
    let tables = d.records.tables();
    assert_eq!(tables.writes, 0);
    assert!(tables.reporters.is_empty() && tables.inbound.is_empty());
    assert_eq!(tables.ticket_counter, 0);
}

/// A contact sealed before seals were bound to their reporter: the desk's
/// current key (`[9; 32]`) sealing `CITIZEN` as the code of November 2026
/// did, as the table holds it (no version).
const UNBOUND_CONTACT: &str =
    r#"{"key_id":"8c0cc17a","ciphertext":"Mm5tbAlm+JI5WLcSFkms4l2MLt833b14ewep8QgsBnRHSuA6jFCJ8l0="}"#;

#[tokio::test]
async fn a_contact_sealed_before_the_binding_is_sealed_again_by_the_next_message() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    let id = d.desk.keys.hasher.reporter_id(&SenderId::parse(CITIZEN).unwrap());
    let unbound: SealedContact = serde_json::from_str(UNBOUND_CONTACT).unwrap();
    let contacts = &d.desk.keys.contacts;
    assert_eq!(
        contacts.open(&id, &unbound).unwrap().phone().unwrap().expose(),
        CITIZEN
    );
    d.records.change(|tables| {
        tables.reporters.get_mut(&id).unwrap().contact = unbound;
    });
    d.send(CITIZEN, "wamid.2", "sudah tiga hari").await.unwrap();
    let contact = d.reporter(CITIZEN).contact;
    assert_eq!(contact.version, SealVersion::V2);
    assert_eq!(
        contacts.open(&id, &contact).unwrap().phone().unwrap().expose(),
        CITIZEN
    );
}

#[tokio::test]
async fn a_message_written_first_by_another_delivery_is_a_duplicate() {
    let d = Harness::new();
    // Meta delivers the same message twice at once: the other copy commits
    // between this one's read and its write.
    d.records.interfere(|tables| {
        tables.inbound.insert("meta#wamid.1".into(), (None, None));
    });
    let outcome = d.send(CITIZEN, "wamid.1", "air PDAM mati").await.unwrap();
    assert!(matches!(outcome, Outcome::Duplicate), "{outcome:?}");
    assert_eq!(d.records.tables().writes, 0);
}

#[tokio::test]
async fn a_conflict_reads_again_and_takes_the_next_ticket_number_then() {
    let d = Harness::new();
    let first = d
        .send(CITIZEN, "wamid.1", "Selokan tersumbat di Garegeh")
        .await
        .unwrap();
    let (_, Some(case_id)) = reply(&first) else {
        panic!()
    };
    // The citizen's next message, and meanwhile one of their other messages
    // bumps their record: this one conflicts, reads again, and lands.
    d.records.interfere(|tables| {
        for reporter in tables.reporters.values_mut() {
            reporter.version += 1;
        }
    });
    let follow_up = d
        .send(CITIZEN, "wamid.2", "airnya sdh masuk ke rumah warga")
        .await
        .unwrap();
    assert!(matches!(follow_up, Outcome::Handled { .. }));
    let tables = d.records.tables();
    assert_eq!(tables.writes, 2);
    assert_eq!(
        tables.events[&case_id].len(),
        3,
        "opened, the report, the follow-up"
    );

    // A new report that conflicts takes its ticket number once.
    d.records.interfere(|tables| {
        for reporter in tables.reporters.values_mut() {
            reporter.version += 1;
        }
    });
    let text = d.says(NEIGHBOUR, "wamid.3", "Sampah menumpuk di pasar").await;
    assert!(text.contains("ADU-0002"), "{text}");
    assert_eq!(
        d.records.tables().ticket_counter,
        2,
        "no ticket number lost to the conflict"
    );

    // Another case takes the number this one read as next: it reads again
    // and takes the one after, leaving no gap.
    let other = case_id.clone();
    d.records.interfere(move |tables| {
        tables.ticket_counter = 3;
        tables.tickets.insert(ticket("ADU-0003"), other);
    });
    let text = d
        .says("6281211112222", "wamid.4", "Lampu jalan mati di pasar")
        .await;
    assert!(text.contains("ADU-0004"), "{text}");
    let tables = d.records.tables();
    assert_eq!(tables.ticket_counter, 4);
    assert_eq!(tables.writes, 4);

    // A ticket taken past a sequence that lags behind it: the number after
    // the one taken, not the same one again.
    let other = case_id.clone();
    d.records.interfere(move |tables| {
        tables.tickets.insert(ticket("ADU-0005"), other);
    });
    let text = d.says("6281233334444", "wamid.5", "Got mampet di pasar").await;
    assert!(text.contains("ADU-0006"), "{text}");
}

#[tokio::test]
async fn conflicts_on_every_round_ask_for_redelivery() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    for _ in 0..MAX_ROUNDS {
        // Another message of the same citizen, first every time.
        d.records
            .interfere(|tables| tables.reporters.values_mut().for_each(|r| r.version += 1));
    }
    let err = d
        .send(CITIZEN, "wamid.2", "tolong cepat ya pak")
        .await
        .unwrap_err();
    assert!(
        matches!(err, InboundError::Store(StoreError::ReporterConflict)),
        "{err:?}"
    );
    assert!(err.redelivery_may_help());
    assert_eq!(
        d.records.tables().writes,
        1,
        "nothing of the second message was written"
    );
}

#[tokio::test]
async fn a_message_after_officials_closed_the_case_opens_a_new_one() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Lampu jalan mati di Garegeh")
        .await
        .unwrap();
    // An official closes the case between the citizen's read and write.
    d.records.interfere(|tables| {
        for case in tables.cases.values_mut() {
            case.status = Status::Closed;
        }
    });
    let text = d
        .says(CITIZEN, "wamid.2", "Pak, lampu di gang sebelah jg mati")
        .await;
    assert!(text.contains("ADU-0002"), "a new case: {text}");
    assert_eq!(d.status_of("ADU-0001"), Status::Closed);
    assert_eq!(d.records.tables().cases.len(), 2);
}

#[tokio::test]
async fn status_lists_the_citizens_own_cases_and_writes_on_none() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    d.send(NEIGHBOUR, "wamid.2", "Air PDAM mati di Birugo")
        .await
        .unwrap();
    let outcome = d.send(CITIZEN, "wamid.3", "status").await.unwrap();
    let (text, case_id) = reply(&outcome);
    assert!(text.contains("ADU-0001") && !text.contains("ADU-0002"), "{text}");
    assert_eq!(case_id, None, "an answer on no case, sent without a record");
    let Outcome::Handled {
        reply: Some(reply), ..
    } = &outcome
    else {
        panic!()
    };
    assert!(reply.staged.is_none());
    let tables = d.records.tables();
    assert_eq!(tables.inbound["meta#wamid.3"], (None, None));
    assert_eq!(
        tables.events.values().map(Vec::len).sum::<usize>(),
        4,
        "no event for STATUS"
    );

    // Someone else's case is "not found", exactly like one that does not exist.
    let texts = Texts::shipped();
    let text = d.says(NEIGHBOUR, "wamid.4", "Status: adu-1").await;
    assert_eq!(text, render(&texts.not_found, &[("ticket", "ADU-0001")]));
    let text = d.says(NEIGHBOUR, "wamid.5", "status ADU-0099").await;
    assert_eq!(text, render(&texts.not_found, &[("ticket", "ADU-0099")]));
    let text = d.says(NEIGHBOUR, "wamid.6", "status yg kemarin").await;
    assert_eq!(text, texts.bad_ticket);
}

#[tokio::test]
async fn baru_starts_a_new_report_whatever_is_open() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    let text = d.says(CITIZEN, "wamid.2", "BARU").await;
    assert_eq!(text, Texts::shipped().new_prompt);
    assert_eq!(d.reporter(CITIZEN).open_case, None);
    let text = d
        .says(CITIZEN, "wamid.3", "Saran: tambah tempat sampah di Birugo")
        .await;
    assert!(text.contains("ADU-0002"), "{text}");

    // `BARU <text>` opens one at once, though ADU-0002 is open.
    let text = d
        .says(CITIZEN, "wamid.4", "baru: drainase mampet di Garegeh")
        .await;
    assert!(text.contains("ADU-0003"), "{text}");
    let tables = d.records.tables();
    let third = &tables.cases[&tables.tickets[&ticket("ADU-0003")]];
    assert_eq!(third.description, "drainase mampet di Garegeh");
    assert_eq!(
        d.reporter(CITIZEN).open_case.map(|c| c.ticket),
        Some(ticket("ADU-0003"))
    );
}

#[tokio::test]
async fn withdrawing_a_case_and_asking_again_once_it_is_withdrawn() {
    let d = Harness::new();
    let texts = Texts::shipped();
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    let outcome = d.send(CITIZEN, "wamid.2", "batal adu-1").await.unwrap();
    let (text, case_id) = reply(&outcome);
    assert_eq!(text, render(&texts.withdrawn, &[("ticket", "ADU-0001")]));
    assert!(case_id.is_some(), "recorded on the case it withdrew");
    assert_eq!(d.status_of("ADU-0001"), Status::Withdrawn);
    assert_eq!(d.reporter(CITIZEN).open_case, None);

    // Again, now that it is withdrawn: told so, once, and nothing loops.
    let writes = d.records.tables().writes;
    let text = d.says(CITIZEN, "wamid.3", "BATAL ADU-0001").await;
    assert_eq!(
        text,
        render(
            &texts.cannot_withdraw,
            &[
                ("ticket", "ADU-0001"),
                ("status", texts.status_name(Status::Withdrawn))
            ]
        )
    );
    assert_eq!(d.records.tables().writes, writes + 1);

    // Nobody withdraws someone else's case.
    d.send(NEIGHBOUR, "wamid.4", "Air mati di Birugo").await.unwrap();
    let text = d.says(CITIZEN, "wamid.5", "batalkan ADU-0002").await;
    assert_eq!(text, render(&texts.not_found, &[("ticket", "ADU-0002")]));
    assert_eq!(d.status_of("ADU-0002"), Status::Received);
}

#[tokio::test]
async fn a_record_pointing_at_a_missing_case_is_dropped_not_redelivered() {
    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Jalan rusak di Garegeh")
        .await
        .unwrap();
    // The reporter's record waits for "is it solved?" on a case that is gone.
    let gone = OpenCase {
        id: CaseId::new(now() - Duration::days(40)),
        ticket: ticket("ADU-0077"),
    };
    d.records.change(|tables| {
        for reporter in tables.reporters.values_mut() {
            reporter.awaiting = Some(Awaiting::Confirmation { case: gone.clone() });
        }
    });
    let err = d.send(CITIZEN, "wamid.4", "sudah pak").await.unwrap_err();
    assert!(
        matches!(&err, InboundError::Plan(PlanError::MissingCase(id)) if *id == gone.id),
        "{err:?}"
    );
    assert!(!err.redelivery_may_help());
}

#[tokio::test]
async fn twilio_replies_go_back_inline_and_are_not_staged() {
    let d = Harness::new();
    let mut inbound = message(&format!("whatsapp:+{CITIZEN}"), "SM1", "Jalan rusak di Garegeh");
    inbound.provider = Provider::Twilio;
    let outcome = process(&d.records, &d.desk, &inbound, now()).await.unwrap();
    let Outcome::Handled {
        reply: Some(reply), ..
    } = outcome
    else {
        panic!()
    };
    assert!(reply.case_id.is_some());
    assert!(reply.staged.is_none());
    assert!(d.records.tables().pending.is_empty());
}

/// `BERHENTI` alone stops the desk's messages (recorded on the reporter,
/// answered), a report that starts with "stop" is a report, `MULAI`
/// resumes.
#[tokio::test]
async fn berhenti_and_mulai_are_recorded_on_the_reporter_and_answered() {
    let d = Harness::new();
    let texts = Texts::shipped();
    d.send(CITIZEN, "wamid.1", "Lampu jalan di Garegeh mati")
        .await
        .unwrap();
    assert_eq!(d.says(CITIZEN, "wamid.2", "BERHENTI").await, texts.stopped);
    assert_eq!(d.reporter(CITIZEN).stopped_at, Some(now()));
    assert!(d.reporter(CITIZEN).open_case.is_some(), "the open case stays");
    assert_eq!(d.says(CITIZEN, "wamid.3", "Mulai").await, texts.resumed);
    assert_eq!(d.reporter(CITIZEN).stopped_at, None);
}

/// `HAPUS DATA YA` (the typed confirmation) deletes the record and unlinks
/// every case of the citizen's, and none of a neighbour's; a write of theirs
/// that won the race makes the erasure read again and unlink the new case
/// too; `DATA SAYA` then lists nothing of the erased cases.
#[tokio::test]
async fn an_erasure_unlinks_every_case_of_theirs_even_one_opened_meanwhile() {
    let d = Harness::new();
    let texts = Texts::shipped();
    d.send(CITIZEN, "wamid.1", "Lampu jalan di Garegeh mati")
        .await
        .unwrap();
    d.send(NEIGHBOUR, "wamid.n", "Sampah di Garegeh menumpuk")
        .await
        .unwrap();
    let id = d.reporter(CITIZEN).id;
    let asked = d.says(CITIZEN, "wamid.2", "HAPUS DATA").await;
    assert!(asked.starts_with(&texts.erase_question), "{asked}");
    assert_eq!(d.records.tables().cases.len(), 2, "asking erases nothing");
    // Another message of theirs opens a case just before the erasure writes.
    let mut late = d.records.tables().cases[&d.records.tables().tickets[&ticket("ADU-0001")]].clone();
    late.id = CaseId::new(now());
    late.ticket = ticket("ADU-0009");
    let late_id = late.id.clone();
    d.records.interfere(move |tables| {
        let owner = late.reporter.id().unwrap().clone();
        tables.reporters.get_mut(&owner).unwrap().version += 1;
        tables.cases.insert(late.id.clone(), late);
    });
    let done = d.says(CITIZEN, "wamid.3", "hapus data ya").await;
    assert_eq!(done, texts.erased);
    let tables = d.records.tables();
    assert!(!tables.reporters.contains_key(&id));
    let erased: Vec<&CaseId> = tables
        .cases
        .values()
        .filter(|c| c.reporter == CaseReporter::Erased)
        .map(|c| &c.id)
        .collect();
    assert_eq!(erased.len(), 2, "{erased:?}");
    assert!(erased.contains(&&late_id));
    assert!(
        tables.cases.values().any(|c| c.reporter.id().is_some()),
        "the neighbour's stays"
    );
    let summary = d.says(CITIZEN, "wamid.4", "DATA SAYA").await;
    assert!(summary.contains(&texts.my_data_none), "{summary}");
    assert!(
        summary.ends_with(&texts.privacy_line),
        "a fresh reporter: {summary}"
    );
}

/// A question is thanked as a question, not as "your report".
#[tokio::test]
async fn a_question_is_acknowledged_as_a_question() {
    let d = Harness::new();
    let text = d
        .says(
            CITIZEN,
            "wamid.1",
            "Mau tanya pak, jadwal posyandu di Garegeh bulan ini kapan ya?",
        )
        .await;
    let expected = render(&Texts::shipped().ack_question, &[("ticket", "ADU-0001")]);
    assert!(text.starts_with(&expected), "{text}");
    assert!(!text.contains("laporan Anda"), "{text}");
}

#[tokio::test]
async fn a_greeting_alone_is_welcomed_and_the_report_after_it_opens_the_case() {
    let d = Harness::new();
    let texts = Texts::shipped();
    // The first reply to a new citizen ends with the privacy line.
    let first = format!("{}\n\n{}", texts.welcome, texts.privacy_line);
    for (id, greeting, welcome) in [
        ("wamid.1", "Assalamualaikum pak", first),
        ("wamid.2", "P", texts.welcome.clone()),
    ] {
        let outcome = d.send(CITIZEN, id, greeting).await.unwrap();
        assert_eq!(reply(&outcome), (welcome, None), "{greeting:?}");
    }
    let tables = d.records.tables();
    assert!(tables.cases.is_empty(), "a greeting opens no case");
    assert_eq!(tables.ticket_counter, 0);

    let text = d
        .says(CITIZEN, "wamid.3", "lampu jalan mati di depan SD, Garegeh")
        .await;
    assert!(
        text.contains("ADU-0001") && text.contains("Kelurahan Garegeh"),
        "{text}"
    );
    let tables = d.records.tables();
    let case = &tables.cases[&tables.tickets[&ticket("ADU-0001")]];
    assert_eq!(case.description, "lampu jalan mati di depan SD, Garegeh");
    assert_eq!(case.kind, CaseKind::Pengaduan);
}

/// The reporter of `ADU-0001` asked "is it solved?" about it, resolved.
fn asked_whether_solved(d: &Harness) -> OpenCase {
    let tables = d.records.tables();
    let id = tables.tickets[&ticket("ADU-0001")].clone();
    let open = OpenCase {
        id: id.clone(),
        ticket: ticket("ADU-0001"),
    };
    let reporter = d.desk.keys.hasher.reporter_id(&SenderId::parse(CITIZEN).unwrap());
    let asked = open.clone();
    d.records.change(move |tables| {
        tables.cases.get_mut(&id).unwrap().status = Status::Resolved;
        tables.reporters.get_mut(&reporter).unwrap().awaiting = Some(Awaiting::Confirmation { case: asked });
    });
    open
}

#[tokio::test]
async fn everyday_yes_and_no_answer_is_it_solved_and_an_unclear_one_is_asked_again() {
    let texts = Texts::shipped();
    for (answer, closed) in [
        ("sdh pak", true),
        ("alhamdulillah sudah, makasih", true),
        ("alah", true),
        ("alun", false),
        ("belum pak, masih rusak", false),
        ("indak, masih tagenang", false),
    ] {
        let d = Harness::new();
        d.send(CITIZEN, "wamid.1", "Jalan berlubang di Garegeh")
            .await
            .unwrap();
        asked_whether_solved(&d);
        d.send(CITIZEN, "wamid.2", answer).await.unwrap();
        let expected = if closed {
            Status::Closed
        } else {
            Status::InProgress
        };
        assert_eq!(d.status_of("ADU-0001"), expected, "{answer:?}");
    }

    let d = Harness::new();
    d.send(CITIZEN, "wamid.1", "Jalan berlubang di Garegeh")
        .await
        .unwrap();
    let open = asked_whether_solved(&d);
    let again = render(&texts.confirm_again, &[("ticket", "ADU-0001")]);
    for (id, unclear) in [("wamid.2", "belum sdh"), ("wamid.3", "tidak tahu pak")] {
        let outcome = d.send(CITIZEN, id, unclear).await.unwrap();
        let Outcome::Handled {
            reply: Some(reply), ..
        } = &outcome
        else {
            panic!("{outcome:?}")
        };
        assert!(
            matches!(&reply.message, Outbound::Buttons { body, .. } if *body == again),
            "{unclear:?}: {:?}",
            reply.message
        );
        assert_eq!(
            d.status_of("ADU-0001"),
            Status::Resolved,
            "{unclear:?} changes nothing"
        );
        assert_eq!(
            d.reporter(CITIZEN).awaiting,
            Some(Awaiting::Confirmation { case: open.clone() }),
            "still asked"
        );
    }
    // The unclear answers are kept on the case: the citizen did answer.
    let tables = d.records.tables();
    let events = &tables.events[&open.id];
    let said: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message {
                content: MessageContent::Text { body },
                ..
            } => Some(body.clone()),
            _ => None,
        })
        .collect();
    assert!(said.contains(&"belum sdh".to_owned()), "{said:?}");
    d.send(CITIZEN, "wamid.4", "udah beres pak").await.unwrap();
    assert_eq!(d.status_of("ADU-0001"), Status::Closed);
}

mod bsuid;
mod followups;
mod late_answers;
mod limits;
mod merged;
mod new_or_addition;
