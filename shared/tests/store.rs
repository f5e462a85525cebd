//! Every store access pattern, against the local DynamoDB emulator over HTTP,
//! each test on its own table.

mod support;

use aduan_shared::domain::case::{Escalation, Provider};
use aduan_shared::domain::duplicates::Coordinates;
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::{Ladder, Level, Tier};
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::domain::timeline::{Actor, EventBody, MessageContent, TimelineEvent};
use aduan_shared::store::{
    CaseWrite, CitizenWrite, Cursor, InboundKey, QueueQuery, QueueScope, Reporter, Store, StoreError,
};
use chrono::{DateTime, Duration, Timelike, Utc};
use support::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Opens `case` with its first events through the write the webhook uses;
/// `rep` is left at the version written.
async fn open(
    store: &Store,
    inbound: &InboundKey,
    case: &aduan_shared::domain::case::Case,
    events: &[TimelineEvent],
    rep: &mut Reporter,
    reporter_is_new: bool,
) -> Result<(), StoreError> {
    let mut write = CitizenWrite {
        reporter: rep.clone(),
        reporter_is_new,
        copies_read: Vec::new(),
        absorbed: None,
        case: CaseWrite::Open {
            case: case.clone(),
            events: events.to_vec(),
        },
        erasure: None,
    };
    store.record_citizen_message(inbound, &mut write, None).await?;
    *rep = write.reporter;
    Ok(())
}

fn inbound(id: &str) -> InboundKey {
    InboundKey {
        provider: Provider::Meta,
        message_id: id.into(),
    }
}

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
const PUHUN_TEMBOK: &str = "bukittinggi/mandiangin-koto-selayan/puhun-tembok";
const BIRUGO: &str = "bukittinggi/aur-birugo-tigo-baleh/birugo";

/// Creates case `n` for reporter `r` through the same write the webhook uses.
async fn create(
    store: &aduan_shared::store::Store,
    n: u64,
    area: &str,
    r: u8,
    when: DateTime<Utc>,
) -> aduan_shared::domain::case::Case {
    let (case, opened) = case_in(n, area, r, when);
    let mut rep = reporter(r, when);
    rep.open_case = Some(open_case(&case));
    open(
        store,
        &inbound(&format!("wamid.{n}")),
        &case,
        &[opened],
        &mut rep,
        true,
    )
    .await
    .unwrap();
    case
}

/// The first read carries the last ticket number taken; a new case takes
/// the next in its own write, and of two that read the same one, the second
/// is `TicketTaken` (a conflict: read again), writing nothing.
#[tokio::test]
async fn a_new_case_takes_its_number_in_its_write_and_once() {
    let store = fresh_store("seq").await;
    let read = |id: &'static str| {
        let store = store.clone();
        async move { store.inbound_and_reporters(&inbound(id), &[]).await }
    };
    assert_eq!(read("wamid.s0").await.unwrap().last_ticket, 0);
    let when = at("2026-11-29T09:00:00+07:00");
    create(&store, 1, GAREGEH, 1, when).await;
    assert_eq!(read("wamid.s1").await.unwrap().last_ticket, 1);
    let (again, opened) = case_in(1, GAREGEH, 2, when);
    let err = open(
        &store,
        &inbound("wamid.s2"),
        &again,
        &[opened],
        &mut reporter(2, when),
        true,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::TicketTaken) && err.is_conflict(),
        "{err:?}"
    );
    let first = read("wamid.s2").await.unwrap();
    assert!(first.handled.is_none(), "nothing written");
    assert_eq!(first.last_ticket, 1);
}

async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn creates_a_case_and_reads_it_by_id_ticket_and_timeline() {
    let store = fresh_store("create").await;
    // Recent: an inbound record older than its retention counts as gone.
    let when = (Utc::now() - Duration::hours(1)).with_nanosecond(0).unwrap();
    let (case, opened) = case_in(42, GAREGEH, 1, when);
    let message = TimelineEvent::new(
        when,
        Actor::Citizen,
        EventBody::message(
            "wamid.42",
            MessageContent::Text {
                body: "Jalan berlubang".into(),
            },
        ),
    );
    let mut rep = reporter(1, when);
    rep.open_case = Some(open_case(&case));
    open(
        &store,
        &inbound("wamid.42"),
        &case,
        &[opened.clone(), message.clone()],
        &mut rep,
        true,
    )
    .await
    .unwrap();
    assert_eq!(rep.version, 1);

    assert_eq!(store.case(&case.id).await.unwrap(), Some(case.clone()));
    assert_eq!(
        store.case_by_ticket(&ticket(42)).await.unwrap(),
        Some(case.clone())
    );
    assert_eq!(store.case_by_ticket(&ticket(43)).await.unwrap(), None);
    let (read, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
    assert_eq!(read, case);
    assert_eq!(timeline, vec![opened, message]);
    let stored = store.reporter(&rep.id).await.unwrap().unwrap();
    assert_eq!(stored, rep);
    let first = store
        .inbound_and_reporters(&inbound("wamid.42"), &[rep.id.clone()])
        .await
        .unwrap();
    assert_eq!(
        (first.handled.and_then(|h| h.case_id), first.reporters),
        (Some(case.id.clone()), vec![rep.clone()])
    );
    let first = store
        .inbound_and_reporters(&inbound("wamid.new"), &[reporter_id(9)])
        .await
        .unwrap();
    assert!(first.handled.is_none() && first.reporters.is_empty());
}

#[tokio::test]
async fn a_redelivered_message_writes_nothing() {
    let store = fresh_store("dedup").await;
    let when = Utc::now();
    let first = create(&store, 1, GAREGEH, 1, when).await;
    // The same provider message again, from a fresh attempt that saw nothing.
    let (second, opened) = case_in(2, GAREGEH, 2, when);
    let mut rep = reporter(2, when);
    let err = open(&store, &inbound("wamid.1"), &second, &[opened], &mut rep, true)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::DuplicateMessage), "{err:?}");
    assert_eq!(rep.version, 0, "a failed write leaves the caller's version alone");
    assert_eq!(store.case(&second.id).await.unwrap(), None);
    assert_eq!(store.case_by_ticket(&ticket(2)).await.unwrap(), None);
    assert_eq!(store.reporter(&reporter_id(2)).await.unwrap(), None);
    assert!(store.case(&first.id).await.unwrap().is_some());
}

#[tokio::test]
async fn concurrent_first_messages_of_one_reporter_make_one_case() {
    let store = fresh_store("burst").await;
    let when = Utc::now();
    let attempts = futures_join_all((1..=3u64).map(|n| {
        let store = store.clone();
        async move {
            let (case, opened) = case_in(n, GAREGEH, 7, when);
            let mut rep = reporter(7, when);
            rep.open_case = Some(open_case(&case));
            open(
                &store,
                &inbound(&format!("wamid.burst.{n}")),
                &case,
                &[opened],
                &mut rep,
                true,
            )
            .await
        }
    }))
    .await;
    let won = attempts.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{attempts:?}");
    assert!(attempts
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(StoreError::is_conflict));
    assert_eq!(store.reporter_cases(&reporter_id(7), 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn follow_ups_append_and_stale_reporter_versions_conflict() {
    let store = fresh_store("follow").await;
    let when = Utc::now();
    let case = create(&store, 1, GAREGEH, 1, when).await;
    let mut rep = store.reporter(&reporter_id(1)).await.unwrap().unwrap();
    let stale = rep.clone();
    let photo = TimelineEvent::new(
        when,
        Actor::Citizen,
        EventBody::message(
            "wamid.photo",
            MessageContent::Location {
                latitude: -0.3,
                longitude: 100.37,
                name: None,
                address: None,
            },
        ),
    );
    rep.last_inbound_at = when + Duration::minutes(1);
    let mut follow_up = CitizenWrite {
        reporter: rep,
        reporter_is_new: false,
        copies_read: Vec::new(),
        absorbed: None,
        case: CaseWrite::Append {
            case_id: case.id.clone(),
            ticket: case.ticket.clone(),
            events: vec![photo.clone()],
        },
        erasure: None,
    };
    store
        .record_citizen_message(&inbound("wamid.photo"), &mut follow_up, None)
        .await
        .unwrap();
    assert_eq!(follow_up.reporter.version, 2);
    let mut from_stale = CitizenWrite {
        reporter: stale,
        reporter_is_new: false,
        copies_read: Vec::new(),
        absorbed: None,
        case: CaseWrite::None,
        erasure: None,
    };
    let err = store
        .record_citizen_message(&inbound("wamid.other"), &mut from_stale, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ReporterConflict), "{err:?}");
    let first = store
        .inbound_and_reporters(&inbound("wamid.other"), &[reporter_id(1)])
        .await
        .unwrap();
    assert!(first.handled.is_none(), "a failed write records no message");
    let (_, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[1], photo);
    // The place shared is the case's last shared location, outside its
    // timeline; a case whose citizen shared none has none.
    let other = create(&store, 2, GAREGEH, 2, when).await;
    let places = store.shared_locations(&[&case.id, &other.id]).await.unwrap();
    assert_eq!(
        places,
        [(
            case.id.clone(),
            Coordinates {
                lat: -0.3,
                long: 100.37
            }
        )]
        .into()
    );
}

#[tokio::test]
async fn version_conflict_lets_exactly_one_official_win() {
    let store = fresh_store("version").await;
    let sla = SlaPolicy::default();
    let case = create(&store, 1, GAREGEH, 1, Utc::now()).await;
    let official = |name: &str| Actor::Official {
        sub: name.into(),
        name: name.into(),
    };
    let results = futures_join_all(["a", "b", "c"].into_iter().map(|who| {
        let (store, mut copy, sla) = (store.clone(), case.clone(), sla.clone());
        async move {
            let event = copy
                .transition(Transition::Verify, official(who), None, &sla, Utc::now())
                .unwrap();
            store
                .save_case(&mut copy, &[event], None)
                .await
                .map(|_| copy.version)
        }
    }))
    .await;
    let wins: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(wins, vec![&2], "{results:?}");
    for loss in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                loss,
                StoreError::VersionConflict { expected: 1 } | StoreError::Contended
            ),
            "{loss:?}"
        );
    }
    let (stored, timeline) = store.case_with_timeline(&case.id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.version), (Status::Verified, 2));
    assert_eq!(
        timeline.len(),
        2,
        "one opened event and exactly one status change"
    );
}

#[tokio::test]
async fn queues_by_scope_newest_first_with_filters_and_pages() {
    let store = fresh_store("queue").await;
    let sla = SlaPolicy::default();
    let base = at("2026-11-20T08:00:00+07:00");
    let mut created = Vec::new();
    for n in 1..=7u64 {
        let area = match n % 3 {
            0 => BIRUGO,
            1 => GAREGEH,
            _ => PUHUN_TEMBOK,
        };
        created.push(create(&store, n, area, n as u8, base + Duration::hours(n as i64)).await);
    }
    // A case whose kelurahan is unknown sits in its kecamatan's queue.
    let unknown = create(
        &store,
        8,
        "bukittinggi/mandiangin-koto-selayan",
        8,
        base + Duration::hours(8),
    )
    .await;
    let mut verified = created[0].clone(); // ADU-0001, Garegeh
    let event = verified
        .transition(
            Transition::Verify,
            Actor::System,
            None,
            &sla,
            base + Duration::hours(9),
        )
        .unwrap();
    store.save_case(&mut verified, &[event], None).await.unwrap();

    let tickets = |page: &aduan_shared::store::Page<aduan_shared::domain::case::Case>| {
        page.items.iter().map(|c| c.ticket.number()).collect::<Vec<_>>()
    };
    let kel = store
        .queue(&QueueQuery::new(QueueScope::Area(path(GAREGEH))))
        .await
        .unwrap();
    assert_eq!(tickets(&kel), vec![7, 4, 1]);
    let kec = store
        .queue(&QueueQuery::new(QueueScope::Area(path(
            "bukittinggi/mandiangin-koto-selayan",
        ))))
        .await
        .unwrap();
    assert_eq!(tickets(&kec), vec![8, 7, 5, 4, 2, 1]);
    assert!(kec.items.iter().any(|c| c.id == unknown.id));
    let kota = store
        .queue(&QueueQuery::new(QueueScope::Area(path("bukittinggi"))))
        .await
        .unwrap();
    assert_eq!(tickets(&kota), vec![8, 7, 6, 5, 4, 3, 2, 1]);

    let mut only_received = QueueQuery::new(QueueScope::Area(path(GAREGEH)));
    only_received.statuses = vec![Status::Received];
    assert_eq!(tickets(&store.queue(&only_received).await.unwrap()), vec![7, 4]);
    let mut only_verified = QueueQuery::new(QueueScope::Area(path("bukittinggi")));
    only_verified.statuses = vec![Status::Verified];
    assert_eq!(tickets(&store.queue(&only_verified).await.unwrap()), vec![1]);
    let mut questions = QueueQuery::new(QueueScope::Area(path("bukittinggi")));
    questions.kind = Some(CaseKind::Pertanyaan);
    assert!(store.queue(&questions).await.unwrap().items.is_empty());
    let mut at_kota_level = QueueQuery::new(QueueScope::Area(path("bukittinggi")));
    at_kota_level.level = Some(Level::Tier(Tier::Kota));
    assert!(store.queue(&at_kota_level).await.unwrap().items.is_empty());

    let mut window = QueueQuery::new(QueueScope::Area(path("bukittinggi")));
    window.since = Some(base + Duration::hours(3));
    window.until = Some(base + Duration::hours(5));
    assert_eq!(tickets(&store.queue(&window).await.unwrap()), vec![5, 4, 3]);

    // Pages of 3 through the whole kota, then nothing more.
    let mut paged = QueueQuery::new(QueueScope::Area(path("bukittinggi")));
    paged.limit = 3;
    let mut seen = Vec::new();
    loop {
        let page = store.queue(&paged).await.unwrap();
        seen.extend(tickets(&page));
        match page.next {
            Some(next) => paged.cursor = Some(Cursor::parse(next.as_str()).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, vec![8, 7, 6, 5, 4, 3, 2, 1]);

    // A cursor from another partition, or garbage, is refused.
    let mut first = QueueQuery::new(QueueScope::Area(path("bukittinggi")));
    first.limit = 1;
    let kota_cursor = store.queue(&first).await.unwrap().next.unwrap();
    let mut elsewhere = QueueQuery::new(QueueScope::Area(path(BIRUGO)));
    elsewhere.cursor = Some(kota_cursor);
    assert!(matches!(
        store.queue(&elsewhere).await,
        Err(StoreError::BadCursor)
    ));
    assert!(matches!(
        Cursor::parse("not a cursor"),
        Err(StoreError::BadCursor)
    ));
}

#[tokio::test]
async fn rw_scopes_and_agencies_have_their_queues() {
    let store = fresh_store("agency").await;
    let sla = SlaPolicy::default();
    let ladder = Ladder::default();
    let when = Utc::now();
    let in_rw = create(&store, 1, &format!("{GAREGEH}/rw-01"), 1, when).await;
    let in_rw2 = create(
        &store,
        2,
        &format!("{GAREGEH}/rw-02"),
        2,
        when + Duration::seconds(1),
    )
    .await;
    let rw = store
        .queue(&QueueQuery::new(QueueScope::Area(path(&format!(
            "{GAREGEH}/rw-01"
        )))))
        .await
        .unwrap();
    assert_eq!(
        rw.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![in_rw.id.clone()]
    );
    let kel = store
        .queue(&QueueQuery::new(QueueScope::Area(path(GAREGEH))))
        .await
        .unwrap();
    assert_eq!(kel.items.len(), 2);

    let pupr = path("bukittinggi/dinas/pupr");
    let mut escalated = in_rw2.clone();
    let event = escalated
        .escalate(
            Escalation {
                to: Some(Level::Agency("pupr".into())),
                agency: Some(pupr.clone()),
                reason: Some("jalan kota".into()),
            },
            Actor::System,
            &ladder,
            &sla,
            when,
        )
        .unwrap();
    store.save_case(&mut escalated, &[event], None).await.unwrap();
    let agency = store
        .queue(&QueueQuery::new(QueueScope::Agency(pupr)))
        .await
        .unwrap();
    assert_eq!(agency.items, vec![escalated]);
    let other = store
        .queue(&QueueQuery::new(QueueScope::Agency(path(
            "bukittinggi/dinas/dlh",
        ))))
        .await
        .unwrap();
    assert!(other.items.is_empty());
}

#[tokio::test]
async fn open_cases_by_due_time_leave_the_index_when_closed() {
    let store = fresh_store("due").await;
    let sla = SlaPolicy::default();
    let monday = at("2026-11-23T10:00:00+07:00");
    let early = create(&store, 1, GAREGEH, 1, monday).await; // due end of Thursday 26th
    let late = create(&store, 2, BIRUGO, 2, monday + Duration::days(2)).await; // due end of Monday 30th
    let mut rejected = create(&store, 3, GAREGEH, 3, monday).await;
    let event = rejected
        .transition(
            Transition::Reject,
            Actor::System,
            Some("bukan wewenang".into()),
            &sla,
            monday,
        )
        .unwrap();
    store.save_case(&mut rejected, &[event], None).await.unwrap();

    let friday = at("2026-11-27T09:00:00+07:00");
    let overdue = store.open_cases(Some(friday), 10, None).await.unwrap();
    assert_eq!(
        overdue.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![early.id.clone()]
    );
    let all_open = store.open_cases(None, 10, None).await.unwrap();
    assert_eq!(
        all_open.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![early.id, late.id],
        "most overdue first; the rejected case is gone"
    );
    let one = store.open_cases(None, 1, None).await.unwrap();
    let rest = store.open_cases(None, 10, one.next.as_ref()).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());
}

#[tokio::test]
async fn day_events_hold_the_lifecycle_of_a_local_day() {
    let store = fresh_store("day").await;
    let sla = SlaPolicy::default();
    // 23:30 WIB on the 22nd is still the 22nd locally, though UTC says 16:30.
    let late_evening = at("2026-11-22T23:30:00+07:00");
    let next_morning = at("2026-11-23T08:00:00+07:00");
    let a = create(&store, 1, GAREGEH, 1, late_evening).await;
    let mut b = create(&store, 2, BIRUGO, 2, next_morning).await;
    let verified_at = next_morning + Duration::minutes(1);
    let event = b
        .transition(Transition::Verify, Actor::System, None, &sla, verified_at)
        .unwrap();
    store.save_case(&mut b, &[event], None).await.unwrap();

    let day22 = store.day_events("2026-11-22".parse().unwrap()).await.unwrap();
    assert_eq!(day22.len(), 1);
    assert_eq!(day22[0].0, a.id);
    let day23 = store.day_events("2026-11-23".parse().unwrap()).await.unwrap();
    let kinds: Vec<_> = day23
        .iter()
        .map(|(id, e)| (id.clone(), matches!(e.body, EventBody::Opened { .. })))
        .collect();
    assert_eq!(kinds, vec![(b.id.clone(), true), (b.id.clone(), false)]);
}

#[tokio::test]
async fn a_reporters_cases_newest_first() {
    let store = fresh_store("reporter").await;
    let when = Utc::now();
    let first = create(&store, 1, GAREGEH, 1, when).await;
    // The same reporter's second case, after the first closed.
    let (second, opened) = case_in(2, BIRUGO, 1, when + Duration::minutes(5));
    let mut rep = store.reporter(&reporter_id(1)).await.unwrap().unwrap();
    rep.open_case = Some(open_case(&second));
    open(
        &store,
        &inbound(&format!("seed.{}", second.ticket)),
        &second,
        &[opened],
        &mut rep,
        false,
    )
    .await
    .unwrap();
    let _other = create(&store, 3, GAREGEH, 2, when).await;
    let cases = store.reporter_cases(&reporter_id(1), 10).await.unwrap();
    assert_eq!(
        cases.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
}

#[tokio::test]
async fn expired_inbound_records_are_treated_as_gone() {
    let store = fresh_store("ttl").await;
    let long_ago = Utc::now() - Duration::days(30);
    let case = create(&store, 1, GAREGEH, 1, long_ago).await;
    // Recorded 30 days ago with 14 days' retention: the emulator never deletes
    // it, as DynamoDB may not have yet; readers must not count it.
    let first = store
        .inbound_and_reporters(&inbound("wamid.1"), &[reporter_id(1)])
        .await
        .unwrap();
    assert!(first.handled.is_none());
    assert_eq!(first.reporters[0].open_case, Some(open_case(&case)));
}

#[tokio::test]
async fn an_unreachable_table_is_an_error_not_a_panic() {
    let config = sdk_config().await;
    let unreachable = aws_sdk_dynamodb::config::Builder::from(&config)
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    let store = aduan_shared::store::Store::new(
        aws_sdk_dynamodb::Client::from_conf(unreachable),
        "nowhere",
        Default::default(),
    );
    let err = store.case_by_ticket(&ticket(1)).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(!err.is_conflict());
}
