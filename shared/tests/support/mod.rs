//! Test support: a store on a fresh table of the local AWS emulator
//! (`make test` starts it and sets `AWS_ENDPOINT_URL`).

#![allow(dead_code)] // each test binary uses a different part of this module

use aduan_shared::domain::case::{Case, Channel, NewCase, Provider};
use aduan_shared::domain::jurisdiction::JurisdictionPath;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::domain::reporter::{ReporterId, SealVersion, SealedContact};
use aduan_shared::domain::sla::{SlaPolicy, WorkingCalendar};
use aduan_shared::domain::ticket::{Ticket, TicketPrefix};
use aduan_shared::store::{Reporter, Store};
use chrono::{DateTime, Utc};

pub use aduan_testkit::sdk_config;

/// A store on a table of its own, so tests run in parallel without sharing data.
pub async fn fresh_store(test: &str) -> Store {
    let sdk = sdk_config().await;
    let table = aduan_testkit::fresh_table(&sdk, test).await;
    Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table,
        WorkingCalendar::default(),
    )
}

pub fn path(p: &str) -> JurisdictionPath {
    JurisdictionPath::parse(p).unwrap()
}

pub fn reporter_id(n: u8) -> ReporterId {
    ReporterId::parse(&format!("{n:02x}").repeat(32)).unwrap()
}

pub fn reporter(n: u8, at: DateTime<Utc>) -> Reporter {
    Reporter::new(
        reporter_id(n),
        SealedContact {
            key_id: "k1".into(),
            version: SealVersion::V2,
            ciphertext: "c2VhbGVk".into(),
        },
        at,
    )
}

pub fn ticket(n: u64) -> Ticket {
    Ticket::new(&TicketPrefix::default(), n).unwrap()
}

/// A case opened at `at` by reporter `reporter_n` in `area` (a kelurahan path,
/// or a kecamatan/kota path for a case whose kelurahan is unknown).
pub fn case_in(
    n: u64,
    area: &str,
    reporter_n: u8,
    at: DateTime<Utc>,
) -> (Case, aduan_shared::domain::timeline::TimelineEvent) {
    let area = path(area);
    let known = area.depth() >= 3;
    let new = NewCase {
        ticket: ticket(n),
        kind: CaseKind::Pengaduan,
        description: format!("laporan {n}"),
        home: area.ancestor_at(2).unwrap_or_else(|| area.clone()),
        jurisdiction: known.then_some(area),
        reporter: reporter_id(reporter_n),
        channel: Channel {
            provider: Provider::Meta,
            number_id: "100200300".into(),
        },
    };
    Case::open(new, &Ladder::default(), &SlaPolicy::default(), at)
}

pub fn open_case(case: &Case) -> aduan_shared::conversation::OpenCase {
    aduan_shared::conversation::OpenCase {
        id: case.id.clone(),
        ticket: case.ticket.clone(),
    }
}
