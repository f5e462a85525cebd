//! The daily digest of one jurisdiction node, built from the open cases and
//! the day's lifecycle events: pure, no I/O.
//!
//! One digest per kelurahan, kecamatan, the kota and each agency, and per
//! RW and RT a kelurahan keeps; a node's scope is every case within it (its
//! area's, escalated to the agency, or handed down to the unit).
//! A node with nothing new and nothing open is `quiet`: its email still says
//! so, but SMS subscriptions (filtered on `quiet` = `false`) get nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::names::node_name;
use super::sms::{cut, fit_sms};
use super::sns::{SnsMessage, MAX_SUBJECT};
use super::{gsm7, ATTR_JURISDICTION, ATTR_LEVEL, ATTR_QUIET, ATTR_TYPE};
use crate::conversation::replies::unit_name;
use crate::domain::case::{Case, CaseId};
use crate::domain::disposition::Closure;
use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind, UnitPath};
use crate::domain::kind::CaseKind;
use crate::domain::lifecycle::Status;
use crate::domain::timeline::{EventBody, TimelineEvent};

/// The `type` attribute of digests.
pub const DIGEST_TYPE: &str = "digest";
/// Tickets listed under "oldest or most overdue".
pub const LISTED_TICKETS: usize = 5;

/// What gets a digest: a node of the tree, or an RW or RT of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestNode {
    pub path: JurisdictionPath,
    /// As the SMS and the subject name it.
    pub name: String,
    /// The `level` attribute, in the same words as an escalation's `level`:
    /// `rt`, `rw`, `kelurahan`, `kecamatan`, `kota`, `dinas:<slug>`.
    pub level: String,
    /// An RW or RT: every case in its scope is handed down.
    pub unit: bool,
}

/// The nodes that get a digest: the kota, each kecamatan, each kelurahan,
/// each agency, in tree order; then the RWs and RTs the kelurahan keep
/// (`units`; those in the static tree are not theirs), in path order.
pub fn digest_nodes(tree: &Jurisdictions, units: &[UnitPath]) -> Vec<DigestNode> {
    let nodes = tree.nodes().iter().filter_map(|n| {
        let level = match n.kind {
            NodeKind::Agency => format!("dinas:{}", n.slug()),
            NodeKind::Kota | NodeKind::Kecamatan | NodeKind::Kelurahan => n.kind.as_str().to_owned(),
            NodeKind::Rw | NodeKind::Rt => return None,
        };
        let name = match n.kind {
            NodeKind::Agency => n.short.clone().unwrap_or_else(|| n.name.clone()),
            _ => node_name(tree, &n.path),
        };
        Some(DigestNode {
            path: n.path.clone(),
            name,
            level,
            unit: false,
        })
    });
    let mut units = units.to_vec();
    units.sort();
    units.dedup();
    let units = units.into_iter().map(|u| {
        let path = u.path();
        DigestNode {
            name: unit_name(tree, &path),
            level: u.kind().as_str().to_owned(),
            path,
            unit: true,
        }
    });
    nodes.chain(units).collect()
}

/// What the digests of one day are built from.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// The local day reported on.
    pub day: NaiveDate,
    /// When the figures were taken (open, overdue).
    pub as_of: DateTime<Utc>,
    /// Every open case.
    pub open: &'a [Case],
    /// The day's lifecycle events with their case ids.
    pub events: &'a [(CaseId, TimelineEvent)],
    /// The cases the events refer to that are not open any more.
    pub closed: &'a [Case],
    /// The RWs and RTs the kelurahan keep.
    pub units: &'a [UnitPath],
}

/// One listed ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLine {
    pub ticket: String,
    pub place: String,
    pub kind: CaseKind,
    pub status: Status,
    pub age_days: i64,
    /// Days past the due time, when overdue.
    pub overdue_days: Option<i64>,
}

/// One node's digest of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestReport {
    pub node: JurisdictionPath,
    pub name: String,
    pub level: String,
    pub day: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub new_by_kind: Vec<(CaseKind, usize)>,
    pub new_total: usize,
    pub open_by_status: Vec<(Status, usize)>,
    pub open_total: usize,
    pub overdue: usize,
    /// Cases resolved that day.
    pub resolved: usize,
    /// Cases closed, rejected or withdrawn that day.
    pub finished: usize,
    /// Escalations that day of cases in scope.
    pub escalated: usize,
    /// Hand-overs that day (down, up, sideways, back) of cases in scope.
    pub forwarded: usize,
    /// Cases closed that day, by how they ended (`Closure::NAMES` order).
    pub closed_as: Vec<(&'static str, usize)>,
    /// Open cases in scope an RW or RT holds: still the kelurahan's (none
    /// counted in an RW's or RT's own digest, where every case is).
    pub handed_down: usize,
    pub oldest: Vec<TicketLine>,
}

impl DigestReport {
    /// Nothing new and nothing open: no SMS.
    pub fn quiet(&self) -> bool {
        self.new_total == 0 && self.open_total == 0
    }
}

/// Every node's digest of the day, in tree order.
pub fn build_reports(tree: &Jurisdictions, input: DigestInput<'_>) -> Vec<DigestReport> {
    let mut by_id: HashMap<&CaseId, &Case> = HashMap::new();
    for case in input.closed.iter().chain(input.open) {
        by_id.insert(&case.id, case);
    }
    let mut open: Vec<&Case> = input.open.iter().filter(|c| c.status.is_open()).collect();
    // Most overdue (earliest due) first, then the oldest.
    open.sort_by_key(|c| (c.due_at, c.created_at));
    digest_nodes(tree, input.units)
        .into_iter()
        .map(|node| build_one(tree, node, &input, &open, &by_id))
        .collect()
}

fn build_one(
    tree: &Jurisdictions,
    node: DigestNode,
    input: &DigestInput<'_>,
    open: &[&Case],
    by_id: &HashMap<&CaseId, &Case>,
) -> DigestReport {
    let scope = &node.path;
    let in_scope: Vec<&Case> = open.iter().copied().filter(|c| c.is_within(scope)).collect();
    let mut open_by_status: BTreeMap<Status, usize> = BTreeMap::new();
    for case in &in_scope {
        *open_by_status.entry(case.status).or_default() += 1;
    }
    let overdue: Vec<&Case> = in_scope
        .iter()
        .copied()
        .filter(|c| c.is_overdue(input.as_of))
        .collect();

    let mut new_by_kind: BTreeMap<&'static str, (CaseKind, usize)> = BTreeMap::new();
    let (mut new_total, mut resolved, mut finished, mut escalated, mut forwarded) = (0, 0, 0, 0, 0);
    let mut closed_as: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (case_id, event) in input.events {
        let Some(case) = by_id.get(case_id) else { continue };
        if !case.is_within(scope) {
            continue;
        }
        match &event.body {
            EventBody::Opened { kind, .. } => {
                new_total += 1;
                new_by_kind.entry(kind.as_str()).or_insert((*kind, 0)).1 += 1;
            }
            EventBody::StatusChanged {
                to: Status::Resolved, ..
            } => resolved += 1,
            EventBody::StatusChanged { to, .. } if to.is_terminal() => {
                finished += 1;
                if *to == Status::Closed {
                    *closed_as.entry(Closure::Resolved.as_str()).or_default() += 1;
                }
            }
            EventBody::Closed { closure, .. } => {
                finished += 1;
                *closed_as.entry(closure.as_str()).or_default() += 1;
            }
            EventBody::Escalated { .. } => escalated += 1,
            EventBody::Forwarded { .. } => forwarded += 1,
            _ => {}
        }
    }
    let mut new_by_kind: Vec<(CaseKind, usize)> = new_by_kind.into_values().collect();
    new_by_kind.sort_by_key(|(kind, _)| CaseKind::ALL.iter().position(|k| k == kind));

    // Most overdue first (they are sorted by due time), then the oldest others.
    let mut listed: Vec<&Case> = overdue.iter().copied().take(LISTED_TICKETS).collect();
    if listed.len() < LISTED_TICKETS {
        let mut others: Vec<&Case> = in_scope
            .iter()
            .copied()
            .filter(|c| !c.is_overdue(input.as_of))
            .collect();
        others.sort_by_key(|c| c.created_at);
        listed.extend(others.into_iter().take(LISTED_TICKETS - listed.len()));
    }
    let oldest = listed
        .into_iter()
        .map(|c| TicketLine {
            ticket: c.ticket.to_string(),
            place: match &c.handed_down_to {
                Some(unit) => format!("{} (diserahkan)", unit_name(tree, unit)),
                None => node_name(tree, c.area()),
            },
            kind: c.kind,
            status: c.status,
            age_days: (input.as_of - c.created_at).num_days().max(0),
            overdue_days: c
                .due_at
                .filter(|_| c.is_overdue(input.as_of))
                .map(|due| (input.as_of - due).num_days().max(0)),
        })
        .collect();

    let handed_down = match node.unit {
        true => 0,
        false => in_scope.iter().filter(|c| c.handed_down_to.is_some()).count(),
    };
    DigestReport {
        node: scope.clone(),
        name: node.name,
        level: node.level,
        day: input.day,
        as_of: input.as_of,
        new_by_kind,
        new_total,
        open_total: in_scope.len(),
        open_by_status: open_by_status.into_iter().collect(),
        overdue: overdue.len(),
        resolved,
        finished,
        escalated,
        forwarded,
        closed_as: Closure::NAMES
            .iter()
            .filter_map(|name| closed_as.get(name).map(|n| (*name, *n)))
            .collect(),
        handed_down,
        oldest,
    }
}

/// How a closed case ended, in the officials' words.
fn closure_label(name: &str) -> &'static str {
    match name {
        "duplicate" => "ditutup sebagai duplikat",
        "outside_authority" => "ditutup, bukan kewenangan pemerintah kota",
        "no_further_action" => "ditutup tanpa tindak lanjut",
        _ => "ditutup, selesai",
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Received => "diterima, belum diverifikasi",
        Status::Verified => "terverifikasi",
        Status::InProgress => "sedang ditangani",
        Status::Resolved => "selesai, menunggu konfirmasi pelapor",
        Status::Closed => "ditutup",
        Status::Rejected => "ditolak",
        Status::Withdrawn => "dibatalkan pelapor",
    }
}

impl DigestReport {
    /// The SMS: at most 160 GSM-7 characters, e.g.
    /// `Aduan Garegeh 28/11: 3 baru, 7 terbuka, 2 lewat batas, 1 selesai`;
    /// long names are shortened, and the most overdue ticket added if it fits.
    pub fn sms(&self) -> String {
        let date = self.day.format("%d/%m");
        let counts = format!(
            "{} baru, {} terbuka, {} lewat batas, {} selesai",
            self.new_total, self.open_total, self.overdue, self.resolved
        );
        let extra = self.oldest.first().filter(|t| t.overdue_days.is_some()).map(|t| {
            format!(
                ". Terlama: {} ({} hr)",
                t.ticket,
                t.overdue_days.unwrap_or_default()
            )
        });
        if let Some(extra) = extra {
            let full = gsm7::transliterate(&format!("Aduan {} {date}: {counts}{extra}", self.name));
            if gsm7::len(&full).is_some_and(|n| n <= super::sns::MAX_SMS_GSM7) {
                return full;
            }
        }
        fit_sms(|name_max, _| format!("Aduan {} {date}: {counts}", cut(&self.name, name_max)))
    }

    /// The email subject: ASCII, at most 100 characters.
    pub fn subject(&self) -> String {
        let quiet = if self.quiet() { " (tidak ada kasus)" } else { "" };
        let date = self.day.format("%d/%m/%Y");
        let text = format!("[Aduan] Ringkasan {date}{quiet}: {}", self.name);
        gsm7::ascii_line(&text, MAX_SUBJECT)
    }

    /// The email: a plain-text report.
    pub fn email(&self, offset: FixedOffset) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!("Ringkasan harian Aduan - {}", self.name));
        line(format!(
            "Tanggal: {} (angka kasus terbuka per {} WIB)",
            self.day.format("%d/%m/%Y"),
            self.as_of.with_timezone(&offset).format("%d/%m/%Y %H:%M")
        ));
        line(String::new());
        if self.quiet() {
            line(
                "Tidak ada laporan baru dan tidak ada kasus terbuka. Tidak ada yang perlu ditindaklanjuti."
                    .into(),
            );
            return out;
        }
        line(format!("Laporan baru: {}", self.new_total));
        for (kind, n) in &self.new_by_kind {
            line(format!("  {kind}: {n}"));
        }
        line(format!("Masih terbuka: {}", self.open_total));
        for (status, n) in &self.open_by_status {
            line(format!("  {}: {n}", status_label(*status)));
        }
        line(format!("Lewat batas waktu: {}", self.overdue));
        line(format!("Diselesaikan hari itu: {}", self.resolved));
        line(format!("Ditutup/ditolak/dibatalkan hari itu: {}", self.finished));
        for (closure, n) in &self.closed_as {
            line(format!("  {}: {n}", closure_label(closure)));
        }
        line(format!("Dieskalasi hari itu: {}", self.escalated));
        line(format!("Dialihkan hari itu: {}", self.forwarded));
        if self.handed_down > 0 {
            line(format!(
                "Diserahkan ke RW/RT (tetap tanggung jawab kelurahan): {}",
                self.handed_down
            ));
        }
        if !self.oldest.is_empty() {
            line(String::new());
            line("Kasus paling terlambat / paling lama:".into());
            for t in &self.oldest {
                let late = t
                    .overdue_days
                    .map(|d| format!(", lewat batas {d} hari"))
                    .unwrap_or_default();
                line(format!(
                    "  {} - {} - {} - {} - umur {} hari{late}",
                    t.ticket,
                    t.place,
                    t.kind,
                    status_label(t.status),
                    t.age_days
                ));
            }
        }
        out
    }

    /// The SNS message, with the attributes subscriptions filter on.
    pub fn message(&self, offset: FixedOffset) -> SnsMessage {
        let sms = self.sms();
        let mut attributes = BTreeMap::new();
        attributes.insert(ATTR_JURISDICTION.to_owned(), self.node.with_trailing_slash());
        attributes.insert(ATTR_LEVEL.to_owned(), self.level.clone());
        attributes.insert(ATTR_TYPE.to_owned(), DIGEST_TYPE.to_owned());
        attributes.insert(ATTR_QUIET.to_owned(), self.quiet().to_string());
        SnsMessage {
            subject: self.subject(),
            default: sms.clone(),
            sms,
            email: self.email(offset),
            attributes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Channel, NewCase, Provider};
    use crate::domain::ladder::Ladder;
    use crate::domain::lifecycle::Transition;
    use crate::domain::reporter::ReporterId;
    use crate::domain::sla::{SlaPolicy, WIB_OFFSET_SECONDS};
    use crate::domain::ticket::Ticket;
    use crate::domain::timeline::Actor;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn wib() -> FixedOffset {
        FixedOffset::east_opt(WIB_OFFSET_SECONDS).unwrap()
    }

    fn open(n: u64, area: &str, kind: CaseKind, when: DateTime<Utc>) -> (Case, TimelineEvent) {
        let area = JurisdictionPath::parse(area).unwrap();
        let new = NewCase {
            ticket: Ticket::new(&Default::default(), n).unwrap(),
            kind,
            description: "x".into(),
            home: area.ancestor_at(2).unwrap(),
            jurisdiction: Some(area),
            reporter: ReporterId::parse(&"ab".repeat(32)).unwrap(),
            channel: Channel {
                provider: Provider::Meta,
                number_id: "1".into(),
            },
        };
        Case::open(new, &Ladder::default(), &SlaPolicy::default(), when)
    }

    const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
    const BIRUGO: &str = "bukittinggi/aur-birugo-tigo-baleh/birugo";

    #[test]
    fn hand_overs_and_closures_are_counted_and_handed_down_cases_marked() {
        use crate::domain::disposition::{Closure, Destination, KnownUnits};
        let tree = Jurisdictions::bukittinggi();
        let sla = SlaPolicy::default();
        let t = at("2026-11-28T11:00:00+07:00");
        let lurah = JurisdictionPath::parse(GAREGEH).unwrap();
        let rt = JurisdictionPath::parse(&format!("{GAREGEH}/rw-01/rt-02")).unwrap();
        let to = Destination::parse(rt.as_str(), tree, &KnownUnits::new([rt.clone()])).unwrap();
        let (mut down, _) = open(1, GAREGEH, CaseKind::Pengaduan, at("2026-11-27T09:00:00+07:00"));
        let e1 = down
            .forward(&to, &lurah, Actor::System, "RT 02".into(), &sla, t)
            .unwrap();
        let (mut gone, _) = open(2, GAREGEH, CaseKind::Pengaduan, at("2026-11-27T09:00:00+07:00"));
        let outside = Closure::OutsideAuthority { to: "PLN".into() };
        let e2 = gone.close_as(outside, Actor::System, None, &sla, t).unwrap();
        let events = vec![(down.id.clone(), e1), (gone.id.clone(), e2)];
        let input = DigestInput {
            day: "2026-11-28".parse().unwrap(),
            as_of: at("2026-11-29T07:00:00+07:00"),
            open: std::slice::from_ref(&down),
            events: &events,
            closed: std::slice::from_ref(&gone),
            units: &[],
        };
        let reports = build_reports(tree, input);
        let g = reports.iter().find(|r| r.node == lurah).unwrap();
        assert_eq!((g.forwarded, g.handed_down, g.finished), (1, 1, 1));
        assert_eq!(g.closed_as, vec![("outside_authority", 1)]);
        assert_eq!(g.oldest[0].place, "RT 02 RW 01, Kelurahan Garegeh (diserahkan)");
        let email = g.email(wib());
        assert!(
            email.contains("Diserahkan ke RW/RT (tetap tanggung jawab kelurahan): 1"),
            "{email}"
        );
        assert!(email.contains("bukan kewenangan pemerintah kota: 1"), "{email}");
    }

    #[test]
    fn units_get_the_cases_handed_down_to_them() {
        use crate::domain::disposition::{Destination, KnownUnits};
        let tree = Jurisdictions::bukittinggi();
        let lurah = JurisdictionPath::parse(GAREGEH).unwrap();
        let unit = |s: &str| UnitPath::parse_below(&lurah, s).unwrap();
        let (rw, rt1, rt2) = (unit("rw-01"), unit("rw-01/rt-01"), unit("rw-01/rt-02"));
        let to = Destination::parse(
            rt2.path().as_str(),
            tree,
            &KnownUnits::new([rw.path(), rt1.path(), rt2.path()]),
        )
        .unwrap();
        let (mut down, _) = open(1, GAREGEH, CaseKind::Pengaduan, at("2026-11-27T09:00:00+07:00"));
        let t = at("2026-11-28T11:00:00+07:00");
        let e = down
            .forward(
                &to,
                &lurah,
                Actor::System,
                "RT 02".into(),
                &SlaPolicy::default(),
                t,
            )
            .unwrap();
        let (other, _) = open(2, GAREGEH, CaseKind::Saran, at("2026-11-27T10:00:00+07:00"));
        let events = vec![(down.id.clone(), e)];
        let units = [rt2.clone(), rw.clone(), rt1.clone()];
        let reports = build_reports(
            tree,
            DigestInput {
                day: "2026-11-28".parse().unwrap(),
                as_of: at("2026-11-29T07:00:00+07:00"),
                open: &[down.clone(), other],
                events: &events,
                closed: &[],
                units: &units,
            },
        );
        assert_eq!(reports.len(), digest_nodes(tree, &[]).len() + 3);
        // The units come last, in path order.
        let tail: Vec<&str> = reports[reports.len() - 3..]
            .iter()
            .map(|r| r.node.as_str())
            .collect();
        assert_eq!(
            tail,
            [rw.path().as_str(), rt1.path().as_str(), rt2.path().as_str()]
        );
        let get = |p: &UnitPath| reports.iter().find(|r| r.node == p.path()).unwrap();
        let r = get(&rt2);
        assert_eq!((r.open_total, r.forwarded, r.handed_down), (1, 1, 0));
        assert_eq!(r.level, "rt");
        assert_eq!(r.oldest[0].ticket, down.ticket.to_string());
        let m = r.message(wib());
        assert_eq!(
            m.attribute("jurisdiction"),
            Some(format!("{GAREGEH}/rw-01/rt-02/").as_str())
        );
        assert_eq!(m.attribute("level"), Some("rt"));
        assert_eq!(m.attribute("quiet"), Some("false"));
        assert!(
            m.sms
                .starts_with("Aduan RT 02 RW 01, Kelurahan Garegeh 28/11: 0 baru, 1 terbuka"),
            "{}",
            m.sms
        );
        assert!(!m.email.contains("Diserahkan ke RW/RT"), "{}", m.email);
        // The RW's scope holds its RTs' cases; the other RT has none.
        assert_eq!((get(&rw).open_total, get(&rw).level.as_str()), (1, "rw"));
        assert!(get(&rt1).quiet());
        // The kelurahan keeps both, one of them handed down.
        let g = reports.iter().find(|r| r.node == lurah).unwrap();
        assert_eq!((g.open_total, g.handed_down), (2, 1));
    }

    #[test]
    fn counts_per_node_and_quiet_nodes() {
        let tree = Jurisdictions::bukittinggi();
        let day: NaiveDate = "2026-11-28".parse().unwrap();
        let as_of = at("2026-11-29T07:00:00+07:00");
        let sla = SlaPolicy::default();
        // Old and overdue, still open.
        let (old, _) = open(1, GAREGEH, CaseKind::Pengaduan, at("2026-11-16T09:00:00+07:00"));
        // New that day: a complaint and a question, in Garegeh.
        let (new1, e1) = open(2, GAREGEH, CaseKind::Pengaduan, at("2026-11-28T09:00:00+07:00"));
        let (new2, e2) = open(3, GAREGEH, CaseKind::Pertanyaan, at("2026-11-28T10:00:00+07:00"));
        // Resolved that day in Birugo.
        let (mut res, _) = open(4, BIRUGO, CaseKind::Saran, at("2026-11-20T09:00:00+07:00"));
        let t = at("2026-11-28T11:00:00+07:00");
        res.transition(Transition::Verify, Actor::System, None, &sla, t)
            .unwrap();
        res.transition(Transition::Start, Actor::System, None, &sla, t)
            .unwrap();
        let e4 = res
            .transition(Transition::Resolve, Actor::System, None, &sla, t)
            .unwrap();
        let opened = vec![old.clone(), new1.clone(), new2.clone(), res.clone()];
        let events = vec![(new1.id.clone(), e1), (new2.id.clone(), e2), (res.id.clone(), e4)];
        let reports = build_reports(
            tree,
            DigestInput {
                day,
                as_of,
                open: &opened,
                events: &events,
                closed: &[],
                units: &[],
            },
        );
        assert_eq!(reports.len(), 1 + 3 + 24 + tree.agencies().count());
        let get = |p: &str| reports.iter().find(|r| r.node.as_str() == p).unwrap();
        let g = get(GAREGEH);
        assert_eq!((g.new_total, g.open_total, g.overdue, g.resolved), (2, 3, 1, 0));
        assert_eq!(
            g.new_by_kind,
            vec![(CaseKind::Pengaduan, 1), (CaseKind::Pertanyaan, 1)]
        );
        assert_eq!(g.oldest[0].ticket, "ADU-0001");
        assert!(g.oldest[0].overdue_days.unwrap() > 0);
        assert_eq!(g.oldest.len(), 3);
        assert!(!g.quiet());
        let m = g.message(wib());
        assert!(
            m.sms
                .starts_with("Aduan Garegeh 28/11: 2 baru, 3 terbuka, 1 lewat batas, 0 selesai"),
            "{}",
            m.sms
        );
        assert_eq!(
            m.attribute("jurisdiction"),
            Some("bukittinggi/mandiangin-koto-selayan/garegeh/")
        );
        assert_eq!(m.attribute("level"), Some("kelurahan"));
        assert_eq!(m.attribute("type"), Some("digest"));
        assert_eq!(m.attribute("quiet"), Some("false"));
        assert!(
            m.email.contains("Laporan baru: 2") && m.email.contains("pertanyaan: 1"),
            "{}",
            m.email
        );
        assert!(m.email.contains("ADU-0001"));
        assert_eq!(m.subject, "[Aduan] Ringkasan 28/11/2026: Garegeh");

        let b = get(BIRUGO);
        assert_eq!((b.new_total, b.open_total, b.resolved), (0, 1, 1));
        let kota = get("bukittinggi");
        assert_eq!((kota.new_total, kota.open_total, kota.resolved), (2, 4, 1));
        assert_eq!(kota.level, "kota");
        let kec = get("bukittinggi/mandiangin-koto-selayan");
        assert_eq!((kec.new_total, kec.open_total), (2, 3));
        assert_eq!(kec.name, "Kec. Mandiangin Koto Selayan");

        let quiet = get("bukittinggi/guguk-panjang/kayu-kubu");
        assert!(quiet.quiet());
        let m = quiet.message(wib());
        assert_eq!(m.attribute("quiet"), Some("true"));
        assert!(m.email.contains("Tidak ada laporan baru"));
        assert!(m.subject.contains("tidak ada kasus"));
        let pupr = get("bukittinggi/dinas/pupr");
        assert_eq!(pupr.level, "dinas:pupr");
        assert_eq!(pupr.name, "PUPR");
    }

    #[test]
    fn sms_stays_within_160_with_long_names() {
        let name = "Kelurahan Dengan Nama Yang Sangat Amat Panjang Sekali [Lama] {Baru} €";
        let json = format!(
            r#"{{"kota": {{"name": "Kota Contoh", "slug": "contoh"}}, "kecamatan": [
            {{"name": "{name}{name}", "slug": "utara", "kelurahan": [
              {{"name": "{name}{name}{name}", "slug": "panjang"}}]}}]}}"#
        );
        let tree = Jurisdictions::from_json("t.json", &json).unwrap();
        let day: NaiveDate = "2026-11-28".parse().unwrap();
        let as_of = at("2026-11-29T07:00:00+07:00");
        let mut cases = Vec::new();
        let mut events = Vec::new();
        for n in 1..=1234 {
            let (c, e) = open(
                n,
                "contoh/utara/panjang",
                CaseKind::Kritik,
                at("2026-11-28T09:00:00+07:00"),
            );
            events.push((c.id.clone(), e));
            cases.push(c);
        }
        let (old, _) = open(
            99_999,
            "contoh/utara/panjang",
            CaseKind::Kritik,
            at("2026-01-01T09:00:00+07:00"),
        );
        cases.push(old);
        let reports = build_reports(
            &tree,
            DigestInput {
                day,
                as_of,
                open: &cases,
                events: &events,
                closed: &[],
                units: &[],
            },
        );
        for r in &reports {
            let sms = r.sms();
            let n = gsm7::len(&sms).expect("GSM-7 only");
            assert!(n <= 160, "{n}: {sms}");
            assert!(
                sms.contains("1234 baru, 1235 terbuka, 1 lewat batas, 0 selesai"),
                "{sms}"
            );
            let subject = r.subject();
            assert!(subject.len() <= 100 && subject.is_ascii(), "{subject}");
        }
        // The extension characters count twice: a name that fits by chars may not fit by septets.
        let kel = reports
            .iter()
            .find(|r| r.node.as_str() == "contoh/utara/panjang")
            .unwrap();
        assert!(kel.sms().starts_with("Aduan Kelurahan"), "{}", kel.sms());
    }
}
