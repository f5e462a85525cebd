//! Cases put in the table as a citizen's first message would put them:
//! through the same write the webhook uses.

use aduan_shared::conversation::Reporter;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::timeline::TimelineEvent;
use aduan_shared::store::{CaseWrite, CitizenWrite, InboundKey, Store};

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
