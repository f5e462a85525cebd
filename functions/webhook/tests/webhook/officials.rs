//! Registered officials acting from WhatsApp (issue 21), end to end through
//! the webhook with signed deliveries: confirmation by the admin's code,
//! commands in everyday writing, the citizen told, hand-down to an RT
//! whose head then acts, refusals (out of scope, viewer, removed), an
//! official's own report, and no citizen's number in anything an official
//! receives.

use aduan_shared::domain::audit::{Access, Act};
use aduan_shared::domain::jurisdiction::UnitPath;
use aduan_shared::domain::official::{NewOfficial, OfficialName, Registration, Role};
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::domain::timeline::{Actor, MediaType};
use aduan_shared::store::{HeadContact, NoticeRef, UnitHead};

use super::*;

const RINA: &str = "6281299990001";
const RINA_BSUID: &str = "ID.5550001112223334";
const AMIR: &str = "6281299990002";
const OTHER_KELURAHAN: &str = "bukittinggi/guguk-panjang/kayu-kubu";
const MKS: &str = "bukittinggi/mandiangin-koto-selayan";

fn new_official(name: &str, scope: &str, role: Role, number: &str) -> NewOfficial {
    NewOfficial {
        name: OfficialName::parse(name).unwrap(),
        scope: JurisdictionPath::parse(scope).unwrap(),
        role,
        whatsapp: PhoneNumber::parse(&format!("+{number}")).unwrap(),
        notify_below: false,
        digest_by_whatsapp: false,
    }
}

/// Registered as the API registers them; the code shown to the admin.
async fn registered(h: &Harness, official: NewOfficial) -> (Registration, String) {
    let (registration, code) =
        Registration::new(official, &h.app.desk.keys, "admin-1".into(), chrono::Utc::now());
    h.store.register_official(&registration).await.unwrap();
    (registration, code.expose().to_owned())
}

/// Registered and confirmed by their code from their own number.
async fn confirmed(h: &Harness, name: &str, scope: &str, role: Role, number: &str) -> Registration {
    let (registration, code) = registered(h, new_official(name, scope, role, number)).await;
    official_says(h, number, &format!("wamid.code-{number}"), &code).await;
    let stored = h.store.official(&registration.id).await.unwrap().unwrap();
    assert!(stored.is_confirmed(), "{name} confirmed");
    stored
}

async fn official_says(h: &Harness, number: &str, id: &str, text: &str) -> String {
    official_sends(h, number, &fixtures::text(KOTA_NUMBER, number, id, now(), text)).await
}

/// The one answer to what `number` sent.
async fn official_sends(h: &Harness, number: &str, delivery: &Value) -> String {
    let before = h.standin.received().len();
    let text = delivery.to_string();
    assert_eq!(post(h, delivery).await.0, 200, "{text}");
    let sent = h.standin.received();
    let to_official: Vec<&Value> = sent[before..]
        .iter()
        .map(|r| &r.body)
        .filter(|b| b["to"] == number)
        .collect();
    assert_eq!(to_official.len(), 1, "one answer to {text:?}: {sent:?}");
    to_official[0]["text"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// What the citizen was sent since `from`.
fn to_citizen(h: &Harness, from: usize) -> Vec<Value> {
    h.standin.received()[from..]
        .iter()
        .map(|r| r.body.clone())
        .filter(|b| b["to"] == CITIZEN)
        .collect()
}

/// The citizen's complaint in Garegeh: ADU-0001.
async fn complaint(h: &Harness) -> Case {
    let text =
        "Assalamualaikum pak, lampu jalan mati di Garegeh dkt masjid, sdh 3 hari. No sy 0812-3456-7890";
    assert_eq!(
        post(h, &text_from(KOTA_NUMBER, "wamid.citizen-1", text)).await.0,
        200
    );
    let case = all_cases(h).await.remove(0);
    assert_eq!(case.ticket.as_str(), "ADU-0001");
    case
}

async fn case_now(h: &Harness, case: &Case) -> Case {
    h.store.case(&case.id).await.unwrap().unwrap()
}

/// Neither the citizen's number nor any form of it reaches an official.
fn assert_private(h: &Harness, officials: &[&str]) {
    for sent in h.standin.received() {
        let to = sent.body["to"].as_str().unwrap_or_default();
        if officials.contains(&to) {
            let body = sent.body.to_string();
            for leak in [CITIZEN, "81234567890", "0812-3456-7890", "3456"] {
                assert!(!body.contains(leak), "{leak} reached an official: {body}");
            }
        }
    }
}

#[tokio::test]
async fn an_official_confirms_with_the_code_then_works_a_case_by_command() {
    let h = harness("official-commands").await;
    let (registration, code) = registered(&h, new_official("Ibu Rina", GAREGEH, Role::Officer, RINA)).await;
    // Before the code: nothing but the request for it; a greeting is not a guess.
    let answer = official_says(&h, RINA, "wamid.r1", "Assalamualaikum, sy Rina dr kelurahan").await;
    assert!(
        answer.contains("kode 6 angka") && answer.contains("3 kali"),
        "{answer}"
    );
    // The code as people type it, from the number, with its BSUID.
    let typed = format!("kode sy {} {}", &code[..3], &code[3..]);
    let who = fixtures::Who {
        phone: Some(RINA),
        user_id: Some(RINA_BSUID),
        parent_user_id: None,
    };
    assert_eq!(post(&h, &text_by(who, "wamid.r2", &typed)).await.0, 200);
    let answer = h.standin.received().last().unwrap().body["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        answer.contains("Ibu Rina") && answer.contains("Garegeh"),
        "{answer}"
    );
    let stored = h.store.official(&registration.id).await.unwrap().unwrap();
    assert!(stored.is_confirmed());
    // The BSUID is linked: with the number withheld (a username) she is still known.
    assert!(stored.known_as.user.is_some());
    let bsuid_only = fixtures::Who {
        phone: None,
        user_id: Some(RINA_BSUID),
        parent_user_id: None,
    };
    assert_eq!(post(&h, &text_by(bsuid_only, "wamid.r3", "BANTUAN")).await.0, 200);
    let help = h.standin.received().last().unwrap().body.clone();
    assert!(
        help["text"]["body"].as_str().unwrap().contains("TERIMA"),
        "{help}"
    );

    let case = complaint(&h).await;
    let before = h.standin.received().len();
    let answer = official_says(&h, RINA, "wamid.r4", "terima adu 1").await;
    assert!(
        answer.contains("ADU-0001") && answer.contains("diterima"),
        "{answer}"
    );
    assert_eq!(case_now(&h, &case).await.status, Status::Verified);
    assert_eq!(to_citizen(&h, before).len(), 1, "the citizen is told");

    let answer = official_says(&h, RINA, "wamid.r5", "Proses ADU-0001").await;
    assert!(answer.contains("dikerjakan"), "{answer}");
    assert_eq!(case_now(&h, &case).await.status, Status::InProgress);

    let before = h.standin.received().len();
    let answer = official_says(
        &h,
        RINA,
        "wamid.r6",
        "balas ADU-1 Bsk pagi petugas PLN datang ya Pak",
    )
    .await;
    assert!(answer.contains("diteruskan"), "{answer}");
    let relayed = to_citizen(&h, before);
    assert!(
        relayed[0].to_string().contains("Bsk pagi petugas PLN datang"),
        "{relayed:?}"
    );

    // The notice's button, as Meta delivers a template's quick reply.
    let tap = fixtures::message(
        KOTA_NUMBER,
        RINA,
        "wamid.r7",
        now(),
        "button",
        json!({"payload": "off:info:ADU-0001", "text": "Info"}),
    );
    assert_eq!(post(&h, &tap).await.0, 200);
    let info = h.standin.received().last().unwrap().body["text"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        info.contains("ADU-0001") && info.contains("lampu jalan mati"),
        "{info}"
    );
    assert!(
        info.contains("0812-****") || !info.contains("3456"),
        "the number mask: {info}"
    );

    let list = official_says(&h, RINA, "wamid.r8", "daftar").await;
    assert!(list.contains("ADU-0001"), "{list}");

    let answer = official_says(&h, RINA, "wamid.r9", "selesai ADU-0001").await;
    assert!(
        answer.contains("SELESAI ADU-0042"),
        "the usage, not a guess: {answer}"
    );
    let before = h.standin.received().len();
    let answer = official_says(&h, RINA, "wamid.r10", "SELESAI ADU-0001 lampu sdh diganti, trims").await;
    assert!(answer.contains("selesai"), "{answer}");
    assert_eq!(case_now(&h, &case).await.status, Status::Resolved);
    assert!(to_citizen(&h, before)[0]
        .to_string()
        .contains("lampu sdh diganti"));
    // Again: refused by the lifecycle, not done twice.
    let answer = official_says(&h, RINA, "wamid.r11", "selesai ADU-0001 lagi").await;
    assert!(answer.contains("tidak bisa"), "{answer}");

    // A redelivery of a command does nothing and answers nothing.
    let sent = h.standin.received().len();
    let again = fixtures::text(KOTA_NUMBER, RINA, "wamid.r5", now(), "Proses ADU-0001");
    assert_eq!(post(&h, &again).await.0, 200);
    assert_eq!(h.standin.received().len(), sent);

    // Every act is in the API's audit, under her registration.
    let trail = h.store.case_audit(&case.id, None, 50).await.unwrap().entries;
    let hers = trail
        .iter()
        .filter(|e| e.actor.sub == registration.id.sub())
        .count();
    assert!(hers >= 5, "verify, start, message, info read, resolve: {trail:?}");
    assert_private(&h, &[RINA]);
}

#[tokio::test]
async fn out_of_scope_viewers_removed_officials_and_an_officials_own_report() {
    let h = harness("official-refusals").await;
    let case = complaint(&h).await;
    let elsewhere = confirmed(&h, "Pak Amir", OTHER_KELURAHAN, Role::Officer, AMIR).await;
    // Outside the scope answers exactly like a ticket that does not exist.
    let outside = official_says(&h, AMIR, "wamid.a1", "terima ADU-0001").await;
    let missing = official_says(&h, AMIR, "wamid.a2", "terima ADU-0999").await;
    assert_eq!(outside.replace("ADU-0001", "ADU-0999"), missing);
    assert_eq!(case_now(&h, &case).await.status, Status::Received);

    let viewer = "6281299990003";
    confirmed(&h, "Staf Garegeh", GAREGEH, Role::Viewer, viewer).await;
    let answer = official_says(&h, viewer, "wamid.v1", "TERIMA ADU-0001").await;
    assert!(answer.contains("hanya untuk melihat"), "{answer}");
    let info = official_says(&h, viewer, "wamid.v2", "info ADU-0001").await;
    assert!(info.contains("lampu jalan mati"), "a viewer reads: {info}");
    assert_eq!(case_now(&h, &case).await.status, Status::Received);

    // An official's own report is a citizen's case under their number.
    let before = all_cases(&h).await.len();
    let ack = official_says(
        &h,
        AMIR,
        "wamid.a3",
        "LAPOR got mampet di depan rumah sy di Kayu Kubu",
    )
    .await;
    assert!(ack.contains("ADU-0002"), "{ack}");
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), before + 1);
    let report = cases.iter().find(|c| c.ticket.as_str() == "ADU-0002").unwrap();
    assert_eq!(report.description, "got mampet di depan rumah sy di Kayu Kubu");

    // Removed: at once a citizen again; the command is a citizen's text.
    h.store.remove_official(&elsewhere).await.unwrap();
    let delivery = fixtures::text(KOTA_NUMBER, AMIR, "wamid.a4", now(), "terima ADU-0001");
    assert_eq!(post(&h, &delivery).await.0, 200);
    assert_eq!(case_now(&h, &case).await.status, Status::Received);
    assert!(h.store.official(&elsewhere.id).await.unwrap().is_none());

    // Unregistered numbers are citizens, as always: the citizen's TERIMA is text.
    assert_eq!(
        post(&h, &text_from(KOTA_NUMBER, "wamid.c2", "terima ADU-0001"))
            .await
            .0,
        200
    );
    assert_eq!(case_now(&h, &case).await.status, Status::Received);
    assert_private(&h, &[AMIR, viewer]);
}

#[tokio::test]
async fn a_number_never_confirmed_reaches_the_desk_as_a_citizens_once_its_code_expired() {
    let h = harness("official-expired").await;
    // Registered three days ago (a mistyped number, or never confirmed).
    let three_days_ago = chrono::Utc::now() - chrono::Duration::days(3);
    let (registration, code) = Registration::new(
        new_official("Pak Amir", GAREGEH, Role::Officer, AMIR),
        &h.app.desk.keys,
        "admin-1".into(),
        three_days_ago,
    );
    h.store.register_official(&registration).await.unwrap();

    // A late code is told so: the admin must register again.
    let late = official_says(&h, AMIR, "wamid.e1", &format!("ini kodenya {}", code.expose())).await;
    assert!(late.contains("tidak berlaku"), "{late}");
    // Anything else is a report like any citizen's: acknowledged with a ticket.
    let ack = official_says(
        &h,
        AMIR,
        "wamid.e2",
        "Pak, got di Garegeh mampet, air masuk ke rumah",
    )
    .await;
    assert!(ack.contains("ADU-0001"), "{ack}");
    let cases = all_cases(&h).await;
    assert_eq!(cases.len(), 1);
    assert!(cases[0].description.contains("got di Garegeh mampet"));
    let kept = h.store.official(&registration.id).await.unwrap().unwrap();
    assert!(
        !kept.is_confirmed(),
        "the registration is left for the admin to remove"
    );
}

/// The Content SID the Twilio account has for the officials' notice.
const NOTICE_CONTENT: &str = "HXaaaabbbbccccddddeeeeffff00001111";

/// The city's Twilio number, as Twilio's `To` carries it.
const TWILIO_CITY: &str = "whatsapp:+6275200000001";

/// A Twilio delivery from `from` (digits), as Twilio posts it.
async fn via_twilio(h: &Harness, from: &str, sid: &str, body: &str, more: &[(&str, &str)]) -> u16 {
    let from = format!("whatsapp:+{from}");
    let mut params = vec![
        ("SmsMessageSid", sid),
        ("ProfileName", "Rina"),
        ("MessageType", "text"),
        ("SmsSid", sid),
        ("WaId", &from[10..]),
        ("SmsStatus", "received"),
        ("Body", body),
        ("To", TWILIO_CITY),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", TWILIO_ACCOUNT),
        ("From", from.as_str()),
        ("ApiVersion", "2010-04-01"),
    ];
    if !more.iter().any(|(name, _)| *name == "NumMedia") {
        params.push(("NumMedia", "0"));
    }
    params.extend_from_slice(more);
    twilio_post(h, &params).await.0
}

/// The bodies Twilio's Messages resource was given for `to` (digits).
fn twilio_sends_to(h: &Harness, to: &str) -> Vec<String> {
    let to = format!("whatsapp:+{to}");
    h.standin
        .received()
        .into_iter()
        .filter(|r| r.path.ends_with("/Messages.json") && r.body["To"] == to.as_str())
        .map(|r| r.body["Body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn an_official_on_a_twilio_number_confirms_and_acts_by_command_and_by_reply() {
    // A deployment whose WhatsApp number is connected through Twilio.
    let bucket = aduan_testkit::fresh_bucket(&sdk_config().await, "official-twilio").await;
    let h = harness_with("official-twilio", |env| {
        env.push(("MEDIA_BUCKET".into(), bucket.clone()));
        let meta = env
            .iter()
            .find(|(k, _)| k == "WHATSAPP_API_BASE")
            .unwrap()
            .1
            .clone();
        let root = meta.trim_end_matches("/v23.0").to_owned();
        env.push(("TWILIO_ACCOUNT_SID".into(), TWILIO_ACCOUNT.into()));
        env.push(("TWILIO_API_BASE".into(), root));
        env.push((
            "TWILIO_CONTENT_SIDS".into(),
            format!("aduan_official_notice={NOTICE_CONTENT}"),
        ));
    })
    .await;
    let text = "Assalamualaikum, lampu jalan di Garegeh mati sdh 2 malam pak. No sy 0812-3456-7890";
    assert_eq!(
        via_twilio(&h, CITIZEN, "SM00000000000000000000000000000c01", text, &[]).await,
        200
    );
    let case = all_cases(&h).await.remove(0);
    assert_eq!(case.channel.provider, Provider::Twilio);

    let (registration, code) = registered(&h, new_official("Ibu Rina", GAREGEH, Role::Officer, RINA)).await;
    let typed = format!("kode sy {code}");
    assert_eq!(
        via_twilio(&h, RINA, "SM00000000000000000000000000000r01", &typed, &[]).await,
        200
    );
    assert!(h
        .store
        .official(&registration.id)
        .await
        .unwrap()
        .unwrap()
        .is_confirmed());
    let answers = twilio_sends_to(&h, RINA);
    assert!(
        answers[0].contains("Ibu Rina"),
        "answered through Twilio: {answers:?}"
    );

    // A reply quoting a notice acts on the notice's case.
    let notice = NoticeRef {
        ticket: case.ticket.clone(),
        case_id: case.id.clone(),
        official_id: registration.id.clone(),
    };
    let notice_sid = "SM00000000000000000000000000000n01";
    h.store
        .record_notice(notice_sid, &notice, chrono::Utc::now())
        .await
        .unwrap();
    let sid = "SM00000000000000000000000000000r02";
    assert_eq!(
        via_twilio(
            &h,
            RINA,
            sid,
            "terima",
            &[("OriginalRepliedMessageSid", notice_sid)]
        )
        .await,
        200
    );
    assert_eq!(case_now(&h, &case).await.status, Status::Verified);
    let answers = twilio_sends_to(&h, RINA);
    assert!(
        answers[1].contains("ADU-0001") && answers[1].contains("diterima"),
        "{answers:?}"
    );

    // By command; the citizen hears through Twilio too.
    let sid = "SM00000000000000000000000000000r03";
    assert_eq!(via_twilio(&h, RINA, sid, "proses adu-1", &[]).await, 200);
    assert_eq!(case_now(&h, &case).await.status, Status::InProgress);

    // Escalated to the kecamatan: its official's notice goes as the
    // account's approved Content template, sendable outside the window.
    let (amir, code) = registered(&h, new_official("Pak Amir", MKS, Role::Officer, AMIR)).await;
    let sid = "SM00000000000000000000000000000a01";
    assert_eq!(via_twilio(&h, AMIR, sid, &code, &[]).await, 200);
    assert!(h.store.official(&amir.id).await.unwrap().unwrap().is_confirmed());
    let sid = "SM00000000000000000000000000000r04";
    assert_eq!(via_twilio(&h, RINA, sid, "naik ADU-0001", &[]).await, 200);
    let notices: Vec<Value> = h
        .standin
        .received()
        .into_iter()
        .filter(|r| r.path.ends_with("/Messages.json") && r.body.get("ContentSid").is_some())
        .map(|r| r.body)
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["To"], format!("whatsapp:+{AMIR}").as_str());
    assert_eq!(notices[0]["From"], TWILIO_CITY);
    assert_eq!(notices[0]["ContentSid"], NOTICE_CONTENT);
    let variables: Value = serde_json::from_str(notices[0]["ContentVariables"].as_str().unwrap()).unwrap();
    assert_eq!(variables["1"], "ADU-0001");
    assert!(
        variables["7"].as_str().unwrap().contains("lampu jalan"),
        "{variables}"
    );
    assert!(notices[0].get("Body").is_none());

    // His photo of the work, resolving the case in its caption: kept in
    // the bucket, fetched from Twilio with the account's credentials.
    let before = twilio_sends_to(&h, CITIZEN).len();
    let sid = "MM00000000000000000000000000000a02";
    let jpeg = b"\xff\xd8\xff\xe0 lampu menyala".to_vec();
    h.standin
        .add_media("ME00000000000000000000000000000a02", jpeg.clone(), "image/jpeg");
    let url = h
        .standin
        .twilio_media_url(TWILIO_ACCOUNT, sid, "ME00000000000000000000000000000a02");
    let photo = [
        ("NumMedia", "1"),
        ("MediaUrl0", url.as_str()),
        ("MediaContentType0", "image/jpeg"),
    ];
    assert_eq!(
        via_twilio(&h, AMIR, sid, "selesai ADU-0001 lampu sdh diganti", &photo).await,
        200
    );
    assert_eq!(case_now(&h, &case).await.status, Status::Resolved);
    let kept: Vec<StoredFile> = files(&timeline(&h, &case).await)
        .into_iter()
        .filter_map(|(_, file, _)| file)
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(object(&bucket, &kept[0].key).await, Some(jpeg));
    let told = twilio_sends_to(&h, CITIZEN);
    assert!(
        told[before..].iter().any(|t| t.contains("lampu sdh diganti")),
        "{told:?}"
    );
    // Nothing of the citizen's number in what the officials got.
    for sent in h.standin.received() {
        if [RINA, AMIR]
            .iter()
            .any(|o| sent.body["To"] == format!("whatsapp:+{o}").as_str())
        {
            let body = sent.body.to_string();
            for leak in [CITIZEN, "81234567890", "0812-3456-7890", "3456"] {
                assert!(!body.contains(leak), "{leak}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn a_case_handed_down_by_teruskan_is_worked_by_the_rt_head() {
    let h = harness("official-handdown").await;
    let case = complaint(&h).await;
    let kelurahan = JurisdictionPath::parse(GAREGEH).unwrap();
    let rw = UnitPath::parse_below(&kelurahan, "rw-04").unwrap();
    let rt = UnitPath::parse_below(&kelurahan, "rw-04/rt-02").unwrap();
    for unit in [&rw, &rt] {
        let head = UnitHead {
            name: unit.display_name(),
            contact: HeadContact::Keep,
        };
        h.store
            .create_unit(unit, &head, "admin-1", chrono::Utc::now())
            .await
            .unwrap();
    }
    // A neighbour reports the same lamp; their case stays with the
    // kelurahan, outside the RT head's scope.
    let neighbour = fixtures::text(
        KOTA_NUMBER,
        "6281277776666",
        "wamid.n1",
        now(),
        "lampu jln mati dekat mesjid Garegeh, gelap kalau malam",
    );
    assert_eq!(post(&h, &neighbour).await.0, 200);
    confirmed(&h, "Ibu Rina", GAREGEH, Role::Officer, RINA).await;
    let rt_head = "6281299990004";
    confirmed(&h, "Pak RT 02", rt.path().as_str(), Role::Officer, rt_head).await;
    official_says(&h, RINA, "wamid.h1", "terima ADU-0001").await;

    // Without a destination: the numbered list, the RW and RT first.
    let list = official_says(&h, RINA, "wamid.h2", "teruskan ADU-0001").await;
    assert!(list.contains("1. RW 04") && list.contains("RT 02"), "{list}");
    let answer = official_says(
        &h,
        RINA,
        "wamid.h3",
        "TERUSKAN ADU-0001 rt2-rw4 lokasinya di RT 02",
    )
    .await;
    assert!(answer.contains("diteruskan"), "{answer}");
    let handed = case_now(&h, &case).await;
    assert_eq!(handed.handed_down_to.as_ref(), Some(&rt.path()));

    // The RT head is sent the notice (the template, with its buttons)...
    let sent = h.standin.received();
    let notice = sent
        .iter()
        .position(|r| r.body["to"] == rt_head && r.body["type"] == "template")
        .expect("the RT head's notice");
    // It names no possible duplicate: the neighbour's is not theirs to see.
    let similar = &sent[notice].body["template"]["components"][0]["parameters"][7]["text"];
    assert_eq!(similar, "tidak ada");
    let notice_id = format!("wamid.OUT{}", notice + 1);
    // ...and replies to it without typing the ticket; the citizen is told.
    let before = h.standin.received().len();
    let mut reply = fixtures::text(KOTA_NUMBER, rt_head, "wamid.t1", now(), "sdh sy proses pak");
    reply["entry"][0]["changes"][0]["value"]["messages"][0]["context"] =
        json!({"from": KOTA_NUMBER, "id": notice_id});
    assert_eq!(post(&h, &reply).await.0, 200);
    let answer = h.standin.received().last().unwrap().body.clone();
    assert!(
        answer.to_string().contains("Perintah petugas"),
        "not a command: the help {answer}"
    );
    let mut reply = fixtures::text(KOTA_NUMBER, rt_head, "wamid.t2", now(), "proses");
    reply["entry"][0]["changes"][0]["value"]["messages"][0]["context"] =
        json!({"from": KOTA_NUMBER, "id": notice_id});
    assert_eq!(post(&h, &reply).await.0, 200);
    let answer = h.standin.received().last().unwrap().body.clone();
    assert!(
        answer.to_string().contains("ADU-0001") && answer.to_string().contains("dikerjakan"),
        "{answer}"
    );
    assert_eq!(case_now(&h, &case).await.status, Status::InProgress);
    assert_eq!(to_citizen(&h, before).len(), 1);
    assert_private(&h, &[RINA, rt_head]);
}

#[tokio::test]
async fn an_officials_message_costs_the_first_read_and_its_command() {
    let h = harness("official-counts").await;
    complaint(&h).await;
    confirmed(&h, "Ibu Rina", GAREGEH, Role::Officer, RINA).await;
    // A greeting: the first read (which finds the registration) and the
    // record that it was handled.
    h.counter.reset();
    official_says(&h, RINA, "wamid.k1", "slmt pagi").await;
    assert_eq!(
        h.counter.by_operation(),
        [("BatchGetItem", 1), ("TransactWriteItems", 1)]
            .map(|(op, n)| (op.to_owned(), n))
            .into(),
        "help"
    );
    // TERIMA: the first read, the API's own (the case by its ticket, the
    // reporter to tell), its write with the citizen's message, the send's
    // record, and the handled record.
    h.counter.reset();
    official_says(&h, RINA, "wamid.k2", "terima ADU-0001").await;
    assert_eq!(
        h.counter.by_operation(),
        [("BatchGetItem", 1), ("GetItem", 3), ("TransactWriteItems", 3)]
            .map(|(op, n)| (op.to_owned(), n))
            .into(),
        "terima"
    );
}

#[tokio::test]
async fn with_a_number_of_their_own_officials_are_citizens_on_the_public_one() {
    let h = harness_with("official-number", |env| {
        env.push(("OFFICIALS_NUMBER_ID".into(), MKS_NUMBER.into()));
    })
    .await;
    let (_, code) = registered(&h, new_official("Ibu Rina", GAREGEH, Role::Officer, RINA)).await;
    // The code sent to the public number is a citizen's message.
    let to_public = fixtures::text(KOTA_NUMBER, RINA, "wamid.n1", now(), &code);
    assert_eq!(post(&h, &to_public).await.0, 200);
    assert_eq!(all_cases(&h).await.len(), 1, "a citizen's report");
    // On the officials' number it confirms her.
    let to_officials = fixtures::text(MKS_NUMBER, RINA, "wamid.n2", now(), &code);
    assert_eq!(post(&h, &to_officials).await.0, 200);
    let answer = h.standin.received().last().unwrap().body.clone();
    assert!(answer.to_string().contains("Ibu Rina"), "{answer}");
}

#[tokio::test]
async fn info_suggests_the_same_problem_reported_twice_and_gabung_merges_it() {
    let h = harness("official-gabung").await;
    let first = complaint(&h).await;
    let neighbour = "6281277776666";
    let again = fixtures::text(
        KOTA_NUMBER,
        neighbour,
        "wamid.n1",
        now(),
        "lampu jln mati dekat mesjid Garegeh, gelap kalau malam",
    );
    assert_eq!(post(&h, &again).await.0, 200);
    confirmed(&h, "Ibu Rina", GAREGEH, Role::Officer, RINA).await;
    let info = official_says(&h, RINA, "wamid.g1", "info ADU-0002").await;
    assert!(
        info.contains("Mungkin laporan yang sama") && info.contains("*ADU-0001*"),
        "{info}"
    );
    let answer = official_says(&h, RINA, "wamid.g2", "gabung ADU-0002 ADU-0001").await;
    assert!(answer.contains("digabung ke *ADU-0001*"), "{answer}");
    let merged = all_cases(&h)
        .await
        .into_iter()
        .find(|c| c.ticket.as_str() == "ADU-0002")
        .unwrap();
    assert_eq!(merged.merged_into.map(|m| m.case), Some(first.id));
    assert_private(&h, &[RINA]);
}

/// A photo as Meta delivers an image message from an official.
fn official_photo(number: &str, id: &str, media_id: &str, caption: Option<&str>) -> Value {
    let mut image = json!({"id": media_id, "mime_type": "image/jpeg", "sha256": "x"});
    if let Some(caption) = caption {
        image["caption"] = json!(caption);
    }
    fixtures::message(KOTA_NUMBER, number, id, now(), "image", image)
}

#[tokio::test]
async fn an_officials_photo_is_kept_and_shown_to_the_citizen_with_the_resolution() {
    let (h, bucket) = super::media_harness("official-photo", &[]).await;
    let case = complaint(&h).await;
    let registration = confirmed(&h, "Ibu Rina", GAREGEH, Role::Officer, RINA).await;
    confirmed(&h, "Pak Amir", GAREGEH, Role::Viewer, AMIR).await;
    official_says(&h, RINA, "wamid.p0", "terima adu 1").await;
    official_says(&h, RINA, "wamid.p00", "proses adu 1").await;
    let jpeg = b"\xff\xd8\xff\xe0 lampu menyala".to_vec();
    h.standin.add_media("wa-photo-1", jpeg.clone(), "image/jpeg");

    // A photo naming no case, as people send it: asked which one. A
    // viewer's photo and one for a ticket that does not exist: refused as
    // commands are, nothing fetched or kept.
    for (number, id, caption, expected) in [
        (RINA, "wamid.p1", "sdh nyala pak", "laporan yang mana"),
        (AMIR, "wamid.p2", "ADU-0001", "hanya untuk melihat"),
        (RINA, "wamid.p3", "adu 99 sdh beres", "tidak ditemukan"),
    ] {
        let photo = official_photo(number, id, "wa-photo-1", Some(caption));
        let answer = official_sends(&h, number, &photo).await;
        assert!(answer.contains(expected), "{caption}: {answer}");
    }
    assert!(h.standin.uploads().is_empty());
    assert_eq!(
        messages(&timeline(&h, &case).await).len(),
        1,
        "the citizen's only"
    );

    // A photo replying with the ticket written as people write it: kept,
    // for the first read, the API's read of the case by its ticket, its
    // write, the file's first attempt and the handled record.
    h.counter.reset();
    let answer = official_sends(
        &h,
        RINA,
        &official_photo(
            RINA,
            "wamid.p5",
            "wa-photo-1",
            Some("adu 1 ini fotonya, lampu sdh nyala"),
        ),
    )
    .await;
    assert!(answer.contains("Foto disimpan"), "{answer}");
    assert_eq!(
        h.counter.by_operation(),
        [
            ("BatchGetItem", 1),
            ("GetItem", 2),
            ("TransactWriteItems", 2),
            ("UpdateItem", 1)
        ]
        .map(|(op, n)| (op.to_owned(), n))
        .into(),
        "a photo"
    );
    assert_eq!(h.standin.uploads().len(), 1);

    // The photo with SELESAI in its caption: kept, then the case resolved
    // and the citizen shown the photo with the question.
    let before = h.standin.received().len();
    let answer = official_sends(
        &h,
        RINA,
        &official_photo(
            RINA,
            "wamid.p4",
            "wa-photo-1",
            Some("SELESAI ADU-0001 lampu sdh diganti pak"),
        ),
    )
    .await;
    assert!(
        answer.contains("Foto disimpan") && answer.contains("selesai"),
        "{answer}"
    );
    let uploads = h.standin.uploads();
    assert_eq!(uploads.len(), 2);
    let upload = &uploads[1];
    assert!(
        upload.path.ends_with(&format!("/{KOTA_NUMBER}/media")),
        "{}",
        upload.path
    );
    assert_eq!(upload.fields["messaging_product"], "whatsapp");
    assert_eq!(upload.fields["type"], "image/jpeg");
    assert_eq!(upload.file, jpeg);
    assert!(upload.authorization.as_deref().unwrap().starts_with("Bearer "));

    let now_case = case_now(&h, &case).await;
    assert_eq!(now_case.status, Status::Resolved);
    assert_eq!(now_case.evidence_photo.as_ref().unwrap().media_id, upload.id);
    let told = to_citizen(&h, before);
    assert_eq!(told.len(), 1, "{told:?}");
    let template = &told[0]["template"];
    assert_eq!(template["name"], "aduan_confirm_solved_photo", "{told:?}");
    assert_eq!(
        template["components"][0],
        json!({"type": "header", "parameters": [{"type": "image", "image": {"id": upload.id}}]})
    );
    assert!(template["components"][1]
        .to_string()
        .contains("lampu sdh diganti"));

    // On the timeline as her message, its file in the bucket.
    let events = timeline(&h, &case).await;
    let kept = events
        .iter()
        .rfind(|e| {
            matches!(&e.actor, Actor::Official { sub, .. } if *sub == registration.id.sub())
                && matches!(e.body, EventBody::Message { .. })
        })
        .expect("the photo on the timeline");
    let EventBody::Message {
        stored: Some(MediaStorage::Stored),
        file: Some(file),
        ..
    } = &kept.body
    else {
        panic!("kept in the bucket: {kept:?}")
    };
    assert_eq!(super::object(&bucket, &file.key).await.unwrap(), jpeg);
    let trail = h.store.case_audit(&case.id, None, 50).await.unwrap().entries;
    assert!(
        trail.iter().any(|e| matches!(
            e.what,
            Access::Action {
                action: Act::Evidence,
                ..
            }
        )),
        "audited: {trail:?}"
    );

    // A document of the work (the signed report of the repair): kept as
    // evidence, never sent on to the citizen; one naming no case is asked
    // which.
    let pdf = b"%PDF-1.7 berita acara perbaikan lampu".to_vec();
    h.standin.add_media("wa-doc-1", pdf.clone(), "application/pdf");
    let document = |id: &str, caption: &str| {
        fixtures::message(
            KOTA_NUMBER,
            RINA,
            id,
            now(),
            "document",
            json!({"id": "wa-doc-1", "mime_type": "application/pdf", "sha256": "x", "filename": "BA-perbaikan.pdf", "caption": caption}),
        )
    };
    let answer = official_sends(&h, RINA, &document("wamid.d1", "berita acara sdh ditandatangani")).await;
    assert!(
        answer.contains("Berkas diterima") && answer.contains("laporan yang mana"),
        "{answer}"
    );
    let before = h.standin.received().len();
    let answer = official_sends(&h, RINA, &document("wamid.d2", "adu 1 berita acara perbaikan")).await;
    assert!(
        answer.contains("Berkas disimpan") && answer.contains("ADU-0001"),
        "{answer}"
    );
    assert_eq!(h.standin.uploads().len(), 2, "not readied for the citizen");
    assert!(to_citizen(&h, before).is_empty(), "the citizen is not sent it");
    let events = timeline(&h, &case).await;
    let kept: Vec<&StoredFile> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message {
                content:
                    MessageContent::Media {
                        media_type: MediaType::Document,
                        ..
                    },
                file: Some(file),
                ..
            } => Some(file),
            _ => None,
        })
        .collect();
    assert_eq!(kept.len(), 1, "{events:?}");
    assert_eq!(super::object(&bucket, &kept[0].key).await.unwrap(), pdf);
    assert_private(&h, &[RINA, AMIR]);
}
