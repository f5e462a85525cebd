//! Cases put in the table as a citizen's first message would put them:
//! through the same write the webhook uses; officials registered as an
//! admin registers them.

use aduan_shared::conversation::Reporter;
use aduan_shared::domain::case::{Case, Channel, Provider};
use aduan_shared::domain::identity::IdKeys;
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::official::{CodeCheck, NewOfficial, OfficialName, Registration, Role};
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::domain::reporter::ReporterKeys;
use aduan_shared::domain::timeline::TimelineEvent;
use aduan_shared::store::{CaseWrite, CitizenWrite, InboundKey, Store};
use chrono::Utc;

/// Writes `case` with its first events and the reporter's record (new), as
/// if opened by a message with id `seed.<ticket>`; the case as written.
pub async fn open_case(store: &Store, case: &Case, events: &[TimelineEvent], reporter: Reporter) -> Case {
    let inbound = InboundKey {
        provider: case.channel.provider,
        message_id: format!("seed.{}", case.ticket),
    };
    let mut write = CitizenWrite {
        reporter,
        reporter_is_new: true,
        copies_read: Vec::new(),
        absorbed: None,
        case: CaseWrite::Open {
            case: case.clone(),
            events: events.to_vec(),
        },
        erasure: None,
    };
    store
        .record_citizen_message(&inbound, &mut write, None)
        .await
        .expect("seed case");
    case.clone()
}

/// Registers an official with WhatsApp `number` at `scope` as an admin
/// would, confirmed by the code shown (unless `confirmed` is false) through
/// Meta number `seed-number`; the registration as stored.
pub async fn official(
    store: &Store,
    keys: &ReporterKeys,
    scope: &str,
    number: &str,
    notify_below: bool,
    confirmed: bool,
) -> Registration {
    let official = NewOfficial {
        name: OfficialName::parse(&format!("Petugas {scope}")).expect("a name"),
        scope: JurisdictionPath::parse(scope).expect("a scope"),
        role: Role::Officer,
        whatsapp: PhoneNumber::parse(number).expect("a number"),
        notify_below,
        digest_by_whatsapp: false,
    };
    let through = Channel {
        provider: Provider::Meta,
        number_id: "seed-number".into(),
    };
    registered(store, keys, official, confirmed.then_some(&through)).await
}

/// Registers `official` as an admin would, confirmed by the code shown
/// through the city's number `confirmed_through` (awaiting it without one);
/// the registration as stored.
pub async fn registered(
    store: &Store,
    keys: &ReporterKeys,
    official: NewOfficial,
    confirmed_through: Option<&Channel>,
) -> Registration {
    let now = Utc::now();
    let (mut registration, code) = Registration::new(official, keys, "sub-admin".into(), now);
    if let Some(channel) = confirmed_through {
        let check = registration.check_code(code.expose(), &IdKeys::default(), channel, now);
        assert_eq!(check, CodeCheck::Confirmed);
    }
    store
        .register_official(&registration)
        .await
        .expect("register official");
    registration
}
