//! What the fuzz targets share: the webhook's pure decision, taken for a
//! parsed message in every conversation state the desk can be in.

use aduan_shared::conversation::{self, Awaiting, Context, Decision, OpenCase, State};
use aduan_shared::domain::case::CaseId;
use aduan_shared::domain::identity::Recipient;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::language::Vocabulary;
use aduan_shared::domain::reporter::SenderId;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{Actor, EventBody, MediaType, MessageContent, TimelineEvent};
use aduan_shared::texts::Texts;
use aduan_shared::whatsapp::outbound::Outbound;
use aduan_shared::whatsapp::InboundBody;
use std::sync::OnceLock;

const KECAMATAN: &str = "bukittinggi/mandiangin-koto-selayan";

struct Fixed {
    texts: Texts,
    kecamatan: JurisdictionPath,
    open: OpenCase,
    awaiting: Vec<Awaiting>,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let kecamatan = JurisdictionPath::parse(KECAMATAN).expect("a valid path");
        let open = OpenCase {
            id: CaseId::parse("01KB0000000000000000000000").expect("a valid id"),
            ticket: Ticket::parse("ADU-0042").expect("a valid ticket"),
        };
        let awaiting = vec![
            Awaiting::Kecamatan,
            Awaiting::Kelurahan {
                kecamatan: kecamatan.clone(),
            },
            Awaiting::Confirmation { case: open.clone() },
            Awaiting::Rating { case: open.clone() },
            Awaiting::NewOrAddition {
                case: open.clone(),
                held: Box::new(held_photo()),
                before: Some(Box::new(Awaiting::Confirmation { case: open.clone() })),
            },
        ];
        Fixed {
            texts: Texts::shipped(),
            kecamatan,
            open,
            awaiting,
        }
    })
}

/// A photo without a caption, held for "new report or addition?".
fn held_photo() -> TimelineEvent {
    let at = chrono::DateTime::UNIX_EPOCH;
    TimelineEvent::new(
        at,
        Actor::Citizen,
        EventBody::Message {
            provider_message_id: "wamid.held".into(),
            content: MessageContent::Media {
                media_type: MediaType::Image,
                media_id: "media-held".into(),
                mime_type: Some("image/jpeg".into()),
                caption: None,
                url: None,
            },
            stored: None,
            file: None,
            store_error: None,
        },
    )
}

/// Decides on `body` with and without an open case, awaiting each kind of
/// answer, for a number serving one kecamatan and one serving the city; every
/// reply must stay within WhatsApp's limits.
pub fn decide_everywhere(body: &InboundBody) {
    let f = fixed();
    let tree = Jurisdictions::bukittinggi();
    for receiving in [None, Some(&f.kecamatan)] {
        let ctx = Context {
            tree,
            texts: &f.texts,
            vocabulary: Vocabulary::shipped(),
            receiving_kecamatan: receiving,
        };
        let mut states = vec![State::default()];
        for open in [None, Some(&f.open)] {
            states.extend(f.awaiting.iter().map(|a| State {
                open_case: open,
                awaiting: Some(a),
            }));
        }
        states.push(State {
            open_case: Some(&f.open),
            awaiting: None,
        });
        for state in states {
            check_replies(&conversation::decide(body, state, ctx));
        }
    }
}

fn check_replies(decision: &Decision) {
    let replies: Vec<&Outbound> = match decision {
        Decision::Open { question, .. } => question.iter().map(|(q, _)| q).collect(),
        Decision::Append { reply, .. } => reply.iter().collect(),
        Decision::Reply(reply) => vec![reply],
        Decision::Command(_) => vec![],
        Decision::Held { then, .. } => return check_replies(then),
    };
    for reply in replies {
        if let Err(over) = reply.check_limits() {
            panic!("a reply WhatsApp would refuse: {over:?}");
        }
        // What the senders serialise: must not panic either.
        let phone = SenderId::parse("628100000000").expect("a number");
        let _ = reply.to_meta_json(Recipient::Phone(&phone));
        let _ = reply.as_plain_text();
    }
}
