//! Property tests: the lifecycle state machine, the escalation ladder, the SLA
//! arithmetic, tickets, and the parsers that read what citizens and providers
//! send. Every property checks something the code could get wrong; the case
//! counts are modest so the file runs in a few seconds as part of `make test`.

use std::collections::{BTreeSet, VecDeque};

use aduan_shared::conversation::Command;
use aduan_shared::domain::case::{Case, CaseError, Channel, Escalation, NewCase, Provider};
use aduan_shared::domain::jurisdiction::{is_slug, JurisdictionPath, Jurisdictions, NodeKind, NodeMatch};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::{Ladder, LadderError, Level, Tier};
use aduan_shared::domain::lifecycle::{IllegalTransition, Status, Transition};
use aduan_shared::domain::reclassify::{Reclassification, ReclassifyError};
use aduan_shared::domain::reporter::ReporterId;
use aduan_shared::domain::sla::{SlaPolicy, WorkingCalendar};
use aduan_shared::domain::ticket::{Ticket, TicketPrefix};
use aduan_shared::domain::timeline::Actor;
use aduan_shared::whatsapp::outbound::{
    shorten, Outbound, MAX_BUTTONS, MAX_BUTTON_TITLE, MAX_INTERACTIVE_BODY, MAX_LIST_BUTTON, MAX_LIST_ROWS,
    MAX_ROW_DESCRIPTION, MAX_ROW_TITLE,
};
use aduan_shared::whatsapp::{meta, twilio};
use chrono::{DateTime, Datelike, Days, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::{json, Value};

/// `cases` cases, and no regressions file written into the source tree: a
/// failure prints its minimal input, which belongs in a named unit test.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------- strategies

/// Any string of any Unicode scalar values (controls, combining marks, ...).
fn any_text(max_chars: usize) -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..max_chars).prop_map(String::from_iter)
}

fn transition() -> impl Strategy<Value = Transition> {
    select(Transition::ALL.to_vec())
}

fn tier() -> impl Strategy<Value = Tier> {
    select(Tier::ALL.to_vec())
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        3 => tier().prop_map(Level::Tier),
        1 => select(vec!["pupr", "dlh", "satpol-pp"]).prop_map(|s| Level::Agency(s.to_owned())),
    ]
}

/// A valid ladder: a non-empty ascending subset of the tiers and an entry on it.
fn valid_ladder() -> impl Strategy<Value = (Vec<Tier>, Tier)> {
    subsequence(Tier::ALL.to_vec(), 1..=Tier::ALL.len())
        .prop_flat_map(|tiers| {
            let n = tiers.len();
            (Just(tiers), 0..n)
        })
        .prop_map(|(tiers, i)| {
            let entry = tiers[i];
            (tiers, entry)
        })
}

/// An instant between 2020-01-01 and 2035-12-31 (UTC).
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (1_577_836_800i64..2_082_758_400).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap()
}

fn official() -> Actor {
    Actor::Official {
        sub: "sub-1".into(),
        name: "Petugas".into(),
    }
}

fn new_case() -> NewCase {
    NewCase {
        ticket: Ticket::parse("ADU-0001").unwrap(),
        kind: CaseKind::Pengaduan,
        description: "Jalan berlubang".into(),
        jurisdiction: Some(JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/garegeh").unwrap()),
        home: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").unwrap(),
        reporter: ReporterId::parse(&"ab".repeat(32)).unwrap(),
        channel: Channel {
            provider: Provider::Meta,
            number_id: "1234567890".into(),
        },
    }
}

// ------------------------------------------------------------------ lifecycle

/// Every status reachable from `Received` through legal transitions.
fn reachable_from_received() -> BTreeSet<Status> {
    let mut seen = BTreeSet::from([Status::Received]);
    let mut queue = VecDeque::from([Status::Received]);
    while let Some(status) = queue.pop_front() {
        for t in Transition::ALL {
            if let Ok(next) = status.apply(t) {
                if seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
    }
    seen
}

#[test]
fn every_status_is_reachable_and_every_open_status_can_finish() {
    assert_eq!(reachable_from_received(), BTreeSet::from(Status::ALL));
    // No dead ends: from every open status some terminal status is reachable.
    for start in Status::ALL.into_iter().filter(|s| s.is_open()) {
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(status) = queue.pop_front() {
            for next in status.allowed().into_iter().filter_map(|t| status.apply(t).ok()) {
                if seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        assert!(seen.iter().any(|s| s.is_terminal()), "{start} cannot finish");
    }
}

/// A step of a walk: a random transition (mostly refused), or one of the
/// transitions allowed now (so walks get deep into the machine).
#[derive(Debug, Clone)]
enum Step {
    Any(Transition),
    Allowed(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        transition().prop_map(Step::Any),
        any::<usize>().prop_map(Step::Allowed),
    ]
}

fn pick(status: Status, step: &Step) -> Transition {
    match *step {
        Step::Any(t) => t,
        Step::Allowed(i) => {
            let allowed = status.allowed();
            if allowed.is_empty() {
                Transition::ALL[i % Transition::ALL.len()]
            } else {
                allowed[i % allowed.len()]
            }
        }
    }
}

/// What a case may do at a step of a case walk.
#[derive(Debug, Clone)]
enum Action {
    Move(Step),
    EscalateNext,
    EscalateTo(Level),
    Reclassify(Reclassification),
}

fn reclassification() -> impl Strategy<Value = Reclassification> {
    let kelurahan = [
        "bukittinggi/mandiangin-koto-selayan/garegeh",
        "bukittinggi/guguk-panjang/benteng-pasar-atas",
    ];
    (
        proptest::option::of(select(CaseKind::ALL.to_vec())),
        proptest::option::of(select(vec!["jalan".to_owned(), "lampu".to_owned()])),
        proptest::option::of(select(kelurahan.to_vec()).prop_map(|p| JurisdictionPath::parse(p).unwrap())),
    )
        .prop_map(|(kind, category, jurisdiction)| Reclassification {
            kind,
            category,
            jurisdiction,
        })
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => step().prop_map(Action::Move),
        1 => Just(Action::EscalateNext),
        1 => level().prop_map(Action::EscalateTo),
        1 => reclassification().prop_map(Action::Reclassify),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn status_walks_stay_defined_and_terminal_states_are_final(steps in vec(step(), 0..40)) {
        // Final, but a closed case can be reopened (back to in progress).
        let leaves_terminal = |from: Status, to: Status| from.is_terminal() && !(from == Status::Closed && to == Status::InProgress);
        let mut status = Status::Received;
        let mut visited = vec![status];
        for s in &steps {
            let t = pick(status, s);
            match status.apply(t) {
                Ok(next) => {
                    prop_assert!(Status::ALL.contains(&next), "{next:?} is not a status");
                    prop_assert!(!leaves_terminal(status, next), "{status} {t} left a terminal status");
                    prop_assert_ne!(next, status, "a legal move must move");
                    prop_assert!(status.allowed().contains(&t));
                    status = next;
                }
                Err(e) => {
                    prop_assert_eq!(e, IllegalTransition { from: status, transition: t });
                    prop_assert!(!status.allowed().contains(&t));
                }
            }
            prop_assert_eq!(Status::parse(status.as_str()), Some(status));
            visited.push(status);
        }
        // A terminal status stays, but for a reopened closed case.
        for pair in visited.windows(2) {
            prop_assert!(pair[0] == pair[1] || !leaves_terminal(pair[0], pair[1]), "{visited:?}");
        }
    }

    #[test]
    fn case_walks_keep_the_sla_clock_consistent_and_never_skip_a_tier(
        (tiers, entry) in valid_ladder(),
        actions in vec((action(), 0i64..5_000), 0..30),
        start in instant(),
    ) {
        let ladder = Ladder::new(tiers.clone(), entry).unwrap();
        let sla = SlaPolicy::default();
        let mut now = start;
        let (mut case, _) = Case::open(new_case(), &ladder, &sla, now);
        prop_assert_eq!(case.status, Status::Received);
        prop_assert_eq!(&case.level, &Level::Tier(entry));
        let top = *tiers.last().unwrap();
        for (action, minutes) in actions {
            now += Duration::minutes(minutes);
            let before = case.clone();
            let result = match &action {
                Action::Move(s) => {
                    let t = pick(case.status, s);
                    let expected = case.status.apply(t);
                    let result = case.transition(t, official(), None, &sla, now);
                    match expected {
                        Ok(to) => {
                            prop_assert!(result.is_ok());
                            prop_assert_eq!(case.status, to);
                            prop_assert_eq!(&case.level, &before.level);
                            prop_assert_eq!(case.clock_started_at, now);
                            prop_assert_eq!(case.due_at, sla.due(to, &case.level, now));
                        }
                        Err(e) => prop_assert_eq!(result.as_ref().map(|_| ()), Err(&CaseError::Illegal(e))),
                    }
                    result.map(|_| ()).map_err(|_| ())
                }
                Action::EscalateNext => {
                    let result = case.escalate(Escalation::default(), Actor::System, &ladder, &sla, now);
                    match (&result, &before.level) {
                        (Ok(_), Level::Agency(_)) => prop_assert_eq!(&case.level, &Level::Tier(top)),
                        (Ok(_), Level::Tier(from)) => {
                            let Level::Tier(to) = case.level.clone() else {
                                return Err(TestCaseError::fail("escalated off the ladder"));
                            };
                            prop_assert!(to > *from && tiers.contains(&to), "{from} -> {to}");
                            prop_assert!(
                                !tiers.iter().any(|t| t > from && *t < to),
                                "skipped a tier between {} and {}", from, to
                            );
                        }
                        (Err(CaseError::NotOpen), _) => prop_assert!(before.status.is_terminal()),
                        (Err(CaseError::Ladder(LadderError::AtTop)), level) => {
                            prop_assert!(before.status.is_open());
                            prop_assert_eq!(level, &Level::Tier(top));
                        }
                        (Err(e), _) => return Err(TestCaseError::fail(format!("unexpected {e}"))),
                    }
                    result.map(|_| ()).map_err(|_| ())
                }
                Action::EscalateTo(target) => {
                    let escalation = Escalation {
                        to: Some(target.clone()),
                        agency: matches!(target, Level::Agency(_))
                            .then(|| JurisdictionPath::parse("bukittinggi/dinas/pupr").unwrap()),
                        reason: None,
                    };
                    let result = case.escalate(escalation, official(), &ladder, &sla, now);
                    if result.is_ok() {
                        prop_assert_eq!(&case.level, target);
                        let higher = match (&before.level, target) {
                            (Level::Tier(f), Level::Tier(t)) => t > f && tiers.contains(t),
                            (Level::Tier(_), Level::Agency(_)) => true,
                            (Level::Agency(_), Level::Tier(t)) => *t == top,
                            (Level::Agency(_), Level::Agency(_)) => false,
                        };
                        prop_assert!(higher, "{} -> {} is not up", before.level, target);
                        prop_assert!(before.status.is_open());
                    }
                    result.map(|_| ()).map_err(|_| ())
                }
                Action::Reclassify(change) => {
                    let result = case.reclassify(change.clone(), official(), now);
                    match &result {
                        // Not a lifecycle move: status, tier and SLA clock stay.
                        Ok(_) => {
                            prop_assert!(before.status.is_open());
                            prop_assert_eq!(case.status, before.status);
                            prop_assert_eq!(&case.level, &before.level);
                            prop_assert_eq!(case.due_at, before.due_at);
                            prop_assert_eq!(case.clock_started_at, before.clock_started_at);
                        }
                        Err(ReclassifyError::NotOpen(status)) => {
                            prop_assert!(!before.status.is_open());
                            prop_assert_eq!(*status, before.status);
                        }
                        Err(ReclassifyError::Nothing) => {}
                    }
                    result.map(|_| ()).map_err(|_| ())
                }
            };
            match result {
                Ok(()) => {
                    if !matches!(action, Action::Reclassify(_)) {
                        prop_assert_eq!(case.clock_started_at, now);
                    }
                    prop_assert_eq!(case.updated_at, now);
                }
                // A refused action changes nothing at all (status, level, due, version...).
                Err(_) => prop_assert_eq!(&case, &before),
            }
            // Invariants after every step.
            prop_assert!(Status::ALL.contains(&case.status));
            prop_assert_eq!(case.status.is_open(), case.due_at.is_some(), "{:?}", case);
            if let Some(due) = case.due_at {
                prop_assert!(due > case.clock_started_at);
            }
            if before.status.is_terminal() && case.status != before.status {
                prop_assert_eq!(
                    (before.status, case.status),
                    (Status::Closed, Status::InProgress),
                    "left a terminal status"
                );
            }
            if let Level::Tier(t) = case.level {
                prop_assert!(tiers.contains(&t), "{t} is not on the ladder {tiers:?}");
            }
            prop_assert_eq!(case.version, 1, "the domain never bumps the version");
        }
    }
}

// --------------------------------------------------------------------- ladder

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn next_climbs_every_tier_above_the_entry_in_order((tiers, entry) in valid_ladder()) {
        let ladder = Ladder::new(tiers.clone(), entry).unwrap();
        prop_assert_eq!(ladder.entry(), Level::Tier(entry));
        let above: Vec<Level> = tiers.iter().filter(|t| **t > entry).map(|t| Level::Tier(*t)).collect();
        let mut level = ladder.entry();
        let mut climbed = Vec::new();
        loop {
            match ladder.next(&level) {
                Ok(next) => {
                    climbed.push(next.clone());
                    prop_assert!(climbed.len() <= Tier::ALL.len(), "no end: {climbed:?}");
                    level = next;
                }
                Err(e) => {
                    prop_assert_eq!(e, LadderError::AtTop);
                    break;
                }
            }
        }
        prop_assert_eq!(climbed, above);
        prop_assert_eq!(level, Level::Tier(*tiers.last().unwrap()));
        // An agency answers to the top, whatever the ladder.
        prop_assert_eq!(
            ladder.next(&Level::Agency("pupr".into())),
            Ok(Level::Tier(*tiers.last().unwrap()))
        );
    }

    #[test]
    fn off_ladder_tiers_climb_onto_the_next_ladder_tier((tiers, entry) in valid_ladder(), from in tier()) {
        let ladder = Ladder::new(tiers.clone(), entry).unwrap();
        let expected = tiers.iter().find(|t| **t > from).map(|t| Level::Tier(*t)).ok_or(LadderError::AtTop);
        prop_assert_eq!(ladder.next(&Level::Tier(from)), expected);
    }

    #[test]
    fn escalate_to_accepts_exactly_the_higher_targets(
        (tiers, entry) in valid_ladder(),
        from in level(),
        to in level(),
    ) {
        let ladder = Ladder::new(tiers.clone(), entry).unwrap();
        let top = *tiers.last().unwrap();
        let strictly_higher = match (&from, &to) {
            (Level::Tier(f), Level::Tier(t)) => t > f && tiers.contains(t),
            (Level::Tier(_), Level::Agency(_)) => true,
            (Level::Agency(_), Level::Tier(t)) => *t == top,
            (Level::Agency(_), Level::Agency(_)) => false,
        };
        match ladder.escalate_to(&from, &to) {
            Ok(level) => {
                prop_assert!(strictly_higher, "{} -> {} accepted", from, to);
                prop_assert_eq!(level, to);
            }
            Err(e) => {
                prop_assert!(!strictly_higher, "{} -> {} refused", from, to);
                prop_assert_eq!(e, LadderError::NotHigher { from, to });
            }
        }
    }

    #[test]
    fn ladder_new_accepts_exactly_ascending_ladders(tiers in vec(tier(), 0..7), entry in tier()) {
        let ascending = !tiers.is_empty() && tiers.windows(2).all(|w| w[0] < w[1]);
        match Ladder::new(tiers.clone(), entry) {
            Ok(ladder) => {
                prop_assert!(ascending && tiers.contains(&entry));
                prop_assert_eq!(ladder.tiers(), tiers.as_slice());
            }
            Err(LadderError::BadOrder) => prop_assert!(!ascending),
            Err(LadderError::EntryNotOnLadder(t)) => {
                prop_assert!(ascending && !tiers.contains(&entry) && t == entry)
            }
            Err(e) => return Err(TestCaseError::fail(format!("unexpected {e}"))),
        }
    }
}

// ------------------------------------------------------------------------ SLA

/// Independent of `WorkingCalendar`: Monday to Friday, minus the holidays.
fn working(day: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// Holidays as day offsets from the arrival's local date (some before it).
fn holidays_near(at: DateTime<Utc>, offsets: &[i64]) -> BTreeSet<NaiveDate> {
    let arrival = at.with_timezone(&wib()).date_naive();
    offsets.iter().map(|d| arrival + Duration::days(*d)).collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn deadlines_end_the_right_working_day(
        at in instant(),
        days in 0u32..30,
        offsets in vec(-3i64..60, 0..25),
    ) {
        let holidays = holidays_near(at, &offsets);
        let cal = WorkingCalendar::new(wib(), holidays.iter().copied());
        let deadline = cal.deadline(at, days);
        prop_assert!(deadline > at);

        let local = deadline.with_timezone(&wib());
        prop_assert_eq!(local.time(), NaiveTime::MIN, "{} is not local midnight", local);
        let arrival = at.with_timezone(&wib()).date_naive();
        let deadline_day = local.date_naive();
        let last_day = deadline_day - Days::new(1);
        if days > 0 {
            prop_assert!(working(last_day, &holidays), "{last_day} is not a working day");
        } else {
            prop_assert_eq!(last_day, arrival, "zero days ends the arrival day");
        }
        // Exactly `days` working days strictly between arrival and the deadline's day.
        let between = arrival
            .iter_days()
            .skip(1)
            .take_while(|d| *d < deadline_day)
            .filter(|d| working(*d, &holidays))
            .count();
        prop_assert_eq!(between, days as usize);
        prop_assert_eq!(cal.working_days_between(at, deadline - Duration::seconds(1)), days);
    }

    #[test]
    fn deadlines_are_monotonic(
        at in instant(),
        later_by in 0i64..(40 * 86_400),
        days in 0u32..30,
        more in 0u32..10,
        offsets in vec(-3i64..60, 0..25),
    ) {
        let cal = WorkingCalendar::new(wib(), holidays_near(at, &offsets));
        let base = cal.deadline(at, days);
        if more > 0 {
            prop_assert!(cal.deadline(at, days + more) > base);
        } else {
            prop_assert_eq!(cal.deadline(at, days + more), base);
        }
        prop_assert!(cal.deadline(at + Duration::seconds(later_by), days) >= base);
    }
}

// --------------------------------------------------------------------- ticket

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn tickets_round_trip_as_people_type_them(prefix in "[A-Z]{2,5}", n in 1u64..1_000_000_000_000) {
        let prefix = TicketPrefix::parse(&prefix).unwrap();
        let ticket = Ticket::new(&prefix, n).unwrap();
        let canonical = ticket.as_str().to_owned();
        prop_assert_eq!(ticket.number(), n);
        let (letters, digits) = canonical.split_once('-').unwrap();
        prop_assert_eq!(letters, prefix.as_str());
        prop_assert!(digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()));
        for typed in [
            canonical.clone(),
            canonical.to_lowercase(),
            canonical.replace('-', " "),
            canonical.replace('-', ""),
            canonical.to_lowercase().replace('-', " "),
            canonical.to_lowercase().replace('-', ""),
            format!("  {letters} - {n} "),
        ] {
            prop_assert_eq!(Ticket::parse(&typed), Ok(ticket.clone()), "{:?}", typed);
        }
        let json = serde_json::to_string(&ticket).unwrap();
        prop_assert_eq!(serde_json::from_str::<Ticket>(&json).unwrap(), ticket);
    }

    #[test]
    fn ticket_parse_never_panics_and_yields_canonical_tickets(
        raw in prop_oneof![any_text(40), "[a-zA-Z]{0,7}[ #._-]{0,3}[0-9]{0,15}"],
    ) {
        if let Ok(ticket) = Ticket::parse(&raw) {
            let s = ticket.as_str();
            let (letters, digits) = s.split_once('-').unwrap();
            prop_assert!((2..=5).contains(&letters.len()) && letters.bytes().all(|b| b.is_ascii_uppercase()));
            prop_assert!((4..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(ticket.number() >= 1);
            prop_assert_eq!(Ticket::parse(s), Ok(ticket.clone()));
        }
    }
}

// -------------------------------------------------------------------- parsers

fn tree() -> &'static Jurisdictions {
    Jurisdictions::bukittinggi()
}

/// Text made of real names and aliases, noise and punctuation.
fn place_text() -> impl Strategy<Value = String> {
    let mut words: Vec<String> = tree()
        .nodes()
        .iter()
        .flat_map(|n| std::iter::once(n.name.clone()).chain(n.aliases.iter().cloned()))
        .collect();
    words.extend(["kel.", "Kelurahan", "kec", "ÀÉÎÕÜ", "-", ",", "  ", "\u{0301}"].map(String::from));
    vec(
        prop_oneof![select(words).prop_map(|w| format!(" {w} ")), any_text(6)],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

fn kecamatan_path() -> impl Strategy<Value = JurisdictionPath> {
    select(tree().kecamatan().map(|n| n.path.clone()).collect::<Vec<_>>())
}

/// A JSON value shaped loosely like the Meta webhook's insides.
fn json_value() -> impl Strategy<Value = Value> {
    let keys = select(vec![
        "id",
        "from",
        "timestamp",
        "type",
        "text",
        "body",
        "image",
        "sticker",
        "location",
        "latitude",
        "longitude",
        "interactive",
        "list_reply",
        "button_reply",
        "title",
        "button",
        "payload",
        "status",
        "errors",
        "code",
        "mime_type",
        "caption",
        "name",
        "address",
        "messages",
        "statuses",
    ]);
    let strings = prop_oneof![
        select(vec![
            "text",
            "image",
            "location",
            "interactive",
            "button",
            "sent",
            "delivered",
            "read",
            "failed",
            "pending",
            "6281234567890",
            "1700000000",
            "99999999999999999999",
            "-1",
            "0",
            "wamid.X",
        ])
        .prop_map(str::to_owned),
        any_text(12),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        strings.prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn twilio_param() -> impl Strategy<Value = (String, String)> {
    let names = select(vec![
        "MessageSid",
        "SmsMessageSid",
        "From",
        "To",
        "Body",
        "ButtonPayload",
        "Latitude",
        "Longitude",
        "Address",
        "NumMedia",
        "MediaUrl0",
        "MediaUrl1",
        "MediaContentType0",
        "MediaContentType1",
    ]);
    let values = prop_oneof![
        select(vec![
            "SM123",
            "whatsapp:+6281234567890",
            "whatsapp:+14155238886",
            "2",
            "11",
            "-1",
            "0.5",
            "NaN",
            "inf",
            "1e400",
            "image/jpeg",
            "https://example.invalid/m",
            "",
        ])
        .prop_map(str::to_owned),
        any_text(20),
    ];
    (names.prop_map(str::to_owned), values)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn jurisdiction_paths_parse_or_refuse(raw in prop_oneof![any_text(40), "[a-z0-9/ -]{0,40}"]) {
        if let Ok(path) = JurisdictionPath::parse(&raw) {
            prop_assert_eq!(JurisdictionPath::parse(path.as_str()), Ok(path.clone()));
            prop_assert!(path.segments().all(is_slug));
            prop_assert!((1..=6).contains(&path.depth()));
            prop_assert_eq!(path.lineage().len(), path.depth());
            if let Some(parent) = path.parent() {
                prop_assert!(path.is_within(&parent) && !parent.is_within(&path));
            }
        }
    }

    #[test]
    fn matching_never_panics_and_respects_the_scope(text in place_text(), within in kecamatan_path()) {
        for scope in [None, Some(&within)] {
            let found = tree().match_kelurahan(&text, scope);
            let nodes = match &found {
                NodeMatch::Found(n) => vec![*n],
                NodeMatch::Ambiguous(ns) => {
                    prop_assert!(ns.len() >= 2);
                    ns.clone()
                }
                NodeMatch::NotFound => vec![],
            };
            for n in nodes {
                prop_assert_eq!(n.kind, NodeKind::Kelurahan);
                if let Some(scope) = scope {
                    prop_assert!(n.path.is_within(scope), "{} outside {}", n.path, scope);
                }
            }
        }
        if let NodeMatch::Found(n) = tree().match_kecamatan(&text) {
            prop_assert_eq!(n.kind, NodeKind::Kecamatan);
        }
    }

    #[test]
    fn commands_never_panic(text in prop_oneof![
        any_text(40),
        "(status|STATUS|cek|Batal|batalkan|baru|BARU|menu|help)[:.,-]{0,2}[ \t]{0,2}\\PC{0,20}",
    ]) {
        if let Some(Command::New(Some(rest))) = Command::parse(&text) {
            prop_assert!(!rest.is_empty() && rest.trim() == rest);
        }
    }

    #[test]
    fn twilio_parse_never_panics(
        raw in vec(any::<u8>(), 0..200),
        params in vec(twilio_param(), 0..10),
    ) {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let _ = twilio::parse(&twilio::form_params(&raw), now);
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let decoded = twilio::form_params(body.as_bytes());
        prop_assert_eq!(&decoded, &params, "form encoding round-trips");
        if let Ok(items) = twilio::parse(&decoded, now) {
            prop_assert!((1..=10).contains(&items.len()));
            let ids: BTreeSet<_> = items.iter().map(|i| i.message_id.as_str()).collect();
            prop_assert_eq!(ids.len(), items.len(), "message ids are unique");
            prop_assert!(items.iter().all(|i| i.sent_at == now && i.provider == Provider::Twilio));
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn meta_parse_never_panics_on_bytes(raw in vec(any::<u8>(), 0..300)) {
        let _ = meta::parse(&raw);
    }

    #[test]
    fn meta_parse_accounts_for_every_item(
        messages in vec(json_value(), 0..4),
        statuses in vec(json_value(), 0..4),
        junk in json_value(),
    ) {
        let body = meta::fixtures::envelope(
            "1234567890",
            json!({"messages": messages, "statuses": statuses, "contacts": junk}),
        );
        let delivery = meta::parse(body.to_string().as_bytes()).expect("a well-formed envelope");
        prop_assert_eq!(
            delivery.messages.len() + delivery.statuses.len() + delivery.skipped.len(),
            messages.len() + statuses.len(),
            "every message and status is either kept or skipped, once"
        );
        // And arbitrary JSON anywhere in the envelope never panics.
        let _ = meta::parse(json!({"entry": [{"changes": [{"field": "messages", "value": junk}]}]}).to_string().as_bytes());
        let _ = meta::parse(junk.to_string().as_bytes());
    }

    #[test]
    fn meta_text_messages_parse_with_any_field_values(
        number_id in any_text(20),
        from in any_text(20),
        id in any_text(20),
        timestamp in any::<i64>(),
        body in any_text(60),
    ) {
        let envelope = meta::fixtures::text(&number_id, &from, &id, timestamp, &body);
        let delivery = meta::parse(envelope.to_string().as_bytes()).unwrap();
        prop_assert_eq!(delivery.messages.len() + delivery.skipped.len(), 1);
    }
}

// ------------------------------------------------------------------- outbound

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn shorten_respects_the_limit(text in any_text(80), max in 1usize..40) {
        let short = shorten(&text, max);
        prop_assert!(short.chars().count() <= max);
        if text.chars().count() <= max {
            prop_assert_eq!(short, text);
        } else {
            let kept = short.strip_suffix('…').expect("a cut ends with …");
            prop_assert!(text.starts_with(kept));
        }
    }

    #[test]
    fn lists_always_fit_whatsapp(
        body in any_text(1_200),
        button in any_text(30),
        rows in vec(("[a-z0-9:/_-]{1,60}", any_text(100)), 0..=MAX_LIST_ROWS),
    ) {
        let list = Outbound::list(&body, &button, rows.clone());
        if rows.is_empty() {
            // WhatsApp refuses a list without rows: so must the builder.
            prop_assert!(list.is_err(), "an empty list was built");
            return Ok(());
        }
        let list = list.expect("≤ 10 rows with short ids fit");
        prop_assert_eq!(list.check_limits(), Ok(()));
        let Outbound::List { body: b, button: k, rows: built } = &list else {
            return Err(TestCaseError::fail("not a list"));
        };
        prop_assert!(b.chars().count() <= MAX_INTERACTIVE_BODY && k.chars().count() <= MAX_LIST_BUTTON);
        prop_assert_eq!(built.len(), rows.len());
        for (row, (id, name)) in built.iter().zip(&rows) {
            prop_assert_eq!(&row.id, id);
            prop_assert!(row.title.chars().count() <= MAX_ROW_TITLE);
            match &row.description {
                None => prop_assert_eq!(&row.title, name, "a name that fits is the title"),
                Some(d) => prop_assert!(d.chars().count() <= MAX_ROW_DESCRIPTION),
            }
        }
    }

    #[test]
    fn reply_buttons_always_fit_whatsapp(
        body in any_text(1_200),
        buttons in vec(("[a-z0-9:/_-]{1,60}", any_text(40)), 0..=MAX_BUTTONS),
    ) {
        match Outbound::buttons(&body, buttons.clone()) {
            Ok(message) => {
                prop_assert!(!buttons.is_empty(), "a message without buttons was built");
                prop_assert_eq!(message.check_limits(), Ok(()));
                let Outbound::Buttons { buttons: built, .. } = &message else {
                    return Err(TestCaseError::fail("not buttons"));
                };
                prop_assert_eq!(built.len(), buttons.len());
                prop_assert!(built.iter().all(|b| b.title.chars().count() <= MAX_BUTTON_TITLE));
            }
            Err(_) => prop_assert!(buttons.is_empty(), "1–3 buttons were refused"),
        }
    }
}
