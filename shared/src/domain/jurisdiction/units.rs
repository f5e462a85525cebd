//! A kelurahan's RWs and RTs: data its staff keep in the table, not nodes
//! of the static tree. Paths extend the kelurahan's as `…/rw-03` and
//! `…/rw-03/rt-01` (two-digit numbers 1 to 99); a unit's head may have a
//! WhatsApp number, which is personal data and prints as `***`.

use std::fmt;

use super::path::JurisdictionPath;
use super::tree::{Jurisdictions, Node, NodeKind};
use crate::domain::phone::{PhoneError, PhoneNumber};

/// A head's name is at most this many characters.
pub const MAX_HEAD_NAME: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("{0:?} is not an RW or RT number (1 to 99, e.g. \"03\", \"RW 3\", \"rw-03\")")]
    BadNumber(String),
    #[error("{0:?} is not a unit of a kelurahan (rw-03, or rw-03/rt-01)")]
    BadPath(String),
    #[error("{0} is not a kelurahan of this tree")]
    NotAKelurahan(JurisdictionPath),
    #[error("the head's name is required, at most {MAX_HEAD_NAME} characters")]
    BadHeadName,
    #[error("the head's WhatsApp number: {0}")]
    BadPhone(#[from] PhoneError),
}

/// An RW or RT number, 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitNumber(u8);

impl UnitNumber {
    /// `3`, `03`, `RW 3`, `rw-03`, `RT.01`: the number people write,
    /// with or without the tier's name in front.
    pub fn parse(raw: &str) -> Result<Self, UnitError> {
        let bad = || UnitError::BadNumber(raw.to_owned());
        let trimmed = raw.trim();
        let lower = trimmed.to_ascii_lowercase();
        let digits = match lower.strip_prefix("rw").or_else(|| lower.strip_prefix("rt")) {
            Some(rest) => rest.trim_start_matches([' ', '-', '.', ':']),
            None => &lower,
        };
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match digits.parse::<u8>() {
            Ok(n @ 1..=99) => Ok(Self(n)),
            _ => Err(bad()),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for UnitNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// An RW of a kelurahan, or an RT of one of its RWs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitPath {
    kelurahan: JurisdictionPath,
    rw: UnitNumber,
    rt: Option<UnitNumber>,
}

impl UnitPath {
    pub fn rw(kelurahan: JurisdictionPath, rw: UnitNumber) -> Self {
        Self {
            kelurahan,
            rw,
            rt: None,
        }
    }

    pub fn rt(kelurahan: JurisdictionPath, rw: UnitNumber, rt: UnitNumber) -> Self {
        Self {
            kelurahan,
            rw,
            rt: Some(rt),
        }
    }

    /// `rw-03` or `rw-03/rt-01` below `kelurahan`: the slugs exactly as
    /// paths write them (two digits), nothing else.
    pub fn parse_below(kelurahan: &JurisdictionPath, unit: &str) -> Result<Self, UnitError> {
        let bad = || UnitError::BadPath(unit.to_owned());
        let slug = |segment: &str, prefix: &str| {
            segment
                .strip_prefix(prefix)
                .filter(|n| n.len() == 2)
                .and_then(|n| UnitNumber::parse(n).ok())
        };
        let mut segments = unit.trim_matches('/').split('/');
        let rw = segments.next().and_then(|s| slug(s, "rw-")).ok_or_else(bad)?;
        let rt = match segments.next() {
            Some(s) => Some(slug(s, "rt-").ok_or_else(bad)?),
            None => None,
        };
        if segments.next().is_some() {
            return Err(bad());
        }
        Ok(Self {
            kelurahan: kelurahan.clone(),
            rw,
            rt,
        })
    }

    /// A full path that names a unit of one of `tree`'s kelurahan; `None`
    /// for a node of the tree itself or anything else.
    pub fn of(tree: &Jurisdictions, path: &JurisdictionPath) -> Option<Self> {
        let kelurahan = path
            .lineage()
            .into_iter()
            .find(|p| tree.node(p).is_some_and(|n| n.kind == NodeKind::Kelurahan))?;
        let rest = path
            .as_str()
            .strip_prefix(kelurahan.as_str())?
            .strip_prefix('/')?;
        Self::parse_below(&kelurahan, rest).ok()
    }

    pub fn kelurahan(&self) -> &JurisdictionPath {
        &self.kelurahan
    }

    pub fn rw_number(&self) -> UnitNumber {
        self.rw
    }

    pub fn rt_number(&self) -> Option<UnitNumber> {
        self.rt
    }

    pub fn kind(&self) -> NodeKind {
        if self.rt.is_some() {
            NodeKind::Rt
        } else {
            NodeKind::Rw
        }
    }

    /// The RW an RT belongs to (an RW is its own).
    pub fn rw_path(&self) -> UnitPath {
        Self::rw(self.kelurahan.clone(), self.rw)
    }

    /// Below the kelurahan: `rw-03` or `rw-03/rt-01`.
    pub fn slug(&self) -> String {
        match self.rt {
            Some(rt) => format!("rw-{}/rt-{rt}", self.rw),
            None => format!("rw-{}", self.rw),
        }
    }

    pub fn path(&self) -> JurisdictionPath {
        self.kelurahan
            .child(&self.slug())
            .expect("a kelurahan's path with two short slugs is a path")
    }

    /// "RW 03", "RT 01 / RW 03".
    pub fn display_name(&self) -> String {
        match self.rt {
            Some(rt) => format!("RT {rt} / RW {}", self.rw),
            None => format!("RW {}", self.rw),
        }
    }
}

impl fmt::Display for UnitPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kelurahan, self.slug())
    }
}

/// A unit's head as its kelurahan keeps them. The number is never shown to
/// a citizen or written to a log line: it prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Unit {
    pub path: UnitPath,
    pub head_name: String,
    pub head_whatsapp: Option<PhoneNumber>,
}

impl Unit {
    /// A head's name (trimmed, required, at most [`MAX_HEAD_NAME`]
    /// characters) and number as staff typed them (`0812…`, `+62…`; empty
    /// for none).
    pub fn parse(path: UnitPath, head_name: &str, head_whatsapp: Option<&str>) -> Result<Self, UnitError> {
        let head_name = head_name.trim();
        if head_name.is_empty()
            || head_name.chars().count() > MAX_HEAD_NAME
            || head_name.chars().any(char::is_control)
        {
            return Err(UnitError::BadHeadName);
        }
        let head_whatsapp = match head_whatsapp.map(str::trim).filter(|p| !p.is_empty()) {
            Some(raw) => Some(PhoneNumber::parse(raw)?),
            None => None,
        };
        Ok(Self {
            path,
            head_name: head_name.to_owned(),
            head_whatsapp,
        })
    }
}

impl fmt::Debug for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unit")
            .field("path", &self.path.to_string())
            .field("head_name", &self.head_name)
            .field("head_whatsapp", &self.head_whatsapp.as_ref().map(|_| "***"))
            .finish()
    }
}

/// One kelurahan's units, in path order (each RW followed by its RTs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitList {
    kelurahan: JurisdictionPath,
    kelurahan_name: String,
    units: Vec<Unit>,
}

impl UnitList {
    pub fn new(kelurahan: &Node, mut units: Vec<Unit>) -> Self {
        units.retain(|u| *u.path.kelurahan() == kelurahan.path);
        units.sort_by(|a, b| a.path.cmp(&b.path));
        Self {
            kelurahan: kelurahan.path.clone(),
            kelurahan_name: kelurahan.display_name(),
            units,
        }
    }

    pub fn kelurahan(&self) -> &JurisdictionPath {
        &self.kelurahan
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Whether `path` is one of these units (a case may be sent there).
    pub fn has_unit(&self, path: &JurisdictionPath) -> bool {
        self.unit(path).is_some()
    }

    pub fn unit(&self, path: &JurisdictionPath) -> Option<&Unit> {
        self.units.iter().find(|u| u.path.path() == *path)
    }

    /// The RTs of an RW.
    pub fn rts_of<'a>(&'a self, rw: &'a UnitPath) -> impl Iterator<Item = &'a Unit> + 'a {
        self.units
            .iter()
            .filter(move |u| u.path.rt_number().is_some() && u.path.rw_path() == rw.rw_path())
    }

    /// "RT 01 / RW 03, Kelurahan Garegeh", for one of these units.
    pub fn display_name(&self, path: &JurisdictionPath) -> Option<String> {
        self.unit(path)
            .map(|u| format!("{}, {}", u.path.display_name(), self.kelurahan_name))
    }
}

/// The header a units CSV file starts with.
pub const CSV_HEADER: [&str; 4] = ["rw", "rt", "head_name", "head_whatsapp"];

/// A units CSV file is at most this many rows (99 RWs with 99 RTs each
/// would be 9,900; no kelurahan has that many).
pub const MAX_CSV_ROWS: usize = 2_000;

/// One problem of a CSV file: its line (1 is the header) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: u64,
    pub message: String,
}

/// Reads a units CSV file for `kelurahan`: the header `rw,rt,head_name,
/// head_whatsapp`, then one unit a row (`rt` empty for an RW). Every row is
/// checked; any problem refuses the whole file, each problem with its line.
/// A unit named twice, or an RT whose RW is neither in the file nor in
/// `existing`, is a problem too.
pub fn parse_units_csv(
    kelurahan: &JurisdictionPath,
    text: &str,
    existing: &[UnitPath],
) -> Result<Vec<Unit>, Vec<CsvProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let mut units: Vec<(u64, Unit)> = Vec::new();
    let mut records = reader.records();
    match records.next() {
        Some(Ok(header)) if header.iter().map(str::to_ascii_lowercase).eq(CSV_HEADER) => {}
        _ => problems.push(CsvProblem {
            line: 1,
            message: format!("the first line must be the header {}", CSV_HEADER.join(",")),
        }),
    }
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                problems.push(CsvProblem {
                    line,
                    message: "not a CSV row".into(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if units.len() + problems.len() >= MAX_CSV_ROWS {
            problems.push(CsvProblem {
                line,
                message: format!("at most {MAX_CSV_ROWS} rows"),
            });
            break;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        match row(kelurahan, &record) {
            Ok(unit) => match units.iter().find(|(_, u)| u.path == unit.path) {
                Some((first, _)) => problems.push(CsvProblem {
                    line,
                    message: format!("{} again (first on line {first})", unit.path.display_name()),
                }),
                None => units.push((line, unit)),
            },
            Err(message) => problems.push(CsvProblem { line, message }),
        }
    }
    for (line, unit) in &units {
        let rw = unit.path.rw_path();
        let known = existing.contains(&rw) || units.iter().any(|(_, u)| u.path == rw);
        if unit.path.rt_number().is_some() && !known {
            problems.push(CsvProblem {
                line: *line,
                message: format!("{} is not in the file nor kept already", rw.display_name()),
            });
        }
    }
    if problems.is_empty() {
        Ok(units.into_iter().map(|(_, u)| u).collect())
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

fn row(kelurahan: &JurisdictionPath, record: &csv::StringRecord) -> Result<Unit, String> {
    if record.len() != CSV_HEADER.len() {
        return Err(format!("{} fields, not {}", record.len(), CSV_HEADER.len()));
    }
    let rw = UnitNumber::parse(&record[0]).map_err(|e| format!("rw: {e}"))?;
    let path = match &record[1] {
        "" => UnitPath::rw(kelurahan.clone(), rw),
        rt => UnitPath::rt(
            kelurahan.clone(),
            rw,
            UnitNumber::parse(rt).map_err(|e| format!("rt: {e}"))?,
        ),
    };
    Unit::parse(path, &record[2], Some(&record[3])).map_err(|e| match e {
        UnitError::BadHeadName => format!("head_name: {e}"),
        other => format!("head_whatsapp: {other}"),
    })
}

/// A forward's hand-down checks its RW or RT against the kelurahan's list.
impl crate::domain::disposition::UnitDirectory for UnitList {
    fn has_unit(&self, path: &JurisdictionPath) -> bool {
        UnitList::has_unit(self, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

    fn p(s: &str) -> JurisdictionPath {
        JurisdictionPath::parse(s).unwrap()
    }

    fn n(raw: &str) -> u8 {
        UnitNumber::parse(raw).unwrap().get()
    }

    #[test]
    fn numbers_as_people_write_them() {
        for (raw, want) in [
            ("3", 3),
            ("03", 3),
            ("RW 3", 3),
            ("rw-03", 3),
            ("RT.01", 1),
            (" 99 ", 99),
        ] {
            assert_eq!(n(raw), want, "{raw}");
        }
        for bad in ["", "0", "00", "100", "RW", "3a", "-3", "rx 3", "٣"] {
            assert!(UnitNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(UnitNumber::parse("7").unwrap().to_string(), "07");
    }

    #[test]
    fn unit_paths_below_a_kelurahan() {
        let tree = Jurisdictions::bukittinggi();
        let kel = p(GAREGEH);
        let rt = UnitPath::parse_below(&kel, "rw-03/rt-01").unwrap();
        assert_eq!(rt.to_string(), format!("{GAREGEH}/rw-03/rt-01"));
        assert_eq!(rt.path(), p(&format!("{GAREGEH}/rw-03/rt-01")));
        assert_eq!(rt.kind(), NodeKind::Rt);
        assert_eq!(rt.rw_path().slug(), "rw-03");
        assert_eq!(rt.display_name(), "RT 01 / RW 03");
        assert_eq!(UnitPath::of(tree, &rt.path()), Some(rt.clone()));
        let rw = UnitPath::of(tree, &p(&format!("{GAREGEH}/rw-03"))).unwrap();
        assert_eq!((rw.kind(), rw.display_name()), (NodeKind::Rw, "RW 03".into()));
        for bad in [
            "rw-3",
            "rw-003",
            "rt-01",
            "rw-03/rt-1",
            "rw-03/rt-01/x",
            "rw-00",
            "",
            "rw-03/rw-04",
        ] {
            assert!(UnitPath::parse_below(&kel, bad).is_err(), "{bad:?}");
        }
        assert_eq!(UnitPath::of(tree, &kel), None);
        assert_eq!(UnitPath::of(tree, &p("bukittinggi/nowhere/x/rw-03")), None);
        // RW 03 sorts right before its RTs, and they before RW 04.
        let rw4 = UnitPath::parse_below(&kel, "rw-04").unwrap();
        assert!(rw < rt && rt < rw4);
    }

    #[test]
    fn a_list_knows_its_units_and_names_them() {
        let tree = Jurisdictions::bukittinggi();
        let kel = tree.node(&p(GAREGEH)).unwrap();
        let rw = UnitPath::parse_below(&kel.path, "rw-03").unwrap();
        let rt = UnitPath::parse_below(&kel.path, "rw-03/rt-01").unwrap();
        let list = UnitList::new(
            kel,
            vec![
                Unit::parse(rt.clone(), "Pak Amir", Some("0812 3456 7890")).unwrap(),
                Unit::parse(rw.clone(), "Ibu Sari", None).unwrap(),
            ],
        );
        assert_eq!(list.units()[0].path, rw);
        assert!(list.has_unit(&rt.path()));
        assert!(!list.has_unit(&p(&format!("{GAREGEH}/rw-03/rt-02"))));
        assert!(!list.has_unit(&kel.path));
        assert_eq!(
            list.display_name(&rt.path()).unwrap(),
            "RT 01 / RW 03, Kelurahan Garegeh"
        );
        assert_eq!(list.rts_of(&rw).count(), 1);
        let debug = format!("{:?}", list.units()[1]);
        assert!(!debug.contains("812") && debug.contains("***"), "{debug}");
        assert_eq!(Unit::parse(rw.clone(), "  ", None), Err(UnitError::BadHeadName));
        assert!(Unit::parse(rw, "Pak A", Some("12")).is_err());
    }

    #[test]
    fn csv_rows_in_any_written_form_and_every_problem_with_its_line() {
        let kel = p(GAREGEH);
        let text = "rw,rt,head_name,head_whatsapp\n\
                    RW 3,,Ibu Sari,\n\
                    03,1,\"Amir, S.Pd\",0812-3456-7890\n\
                    \n\
                    rw-03,RT 02,Pak Budi,\n";
        let units = parse_units_csv(&kel, text, &[]).unwrap();
        let slugs: Vec<String> = units.iter().map(|u| u.path.slug()).collect();
        assert_eq!(slugs, ["rw-03", "rw-03/rt-01", "rw-03/rt-02"]);
        assert_eq!(units[1].head_name, "Amir, S.Pd");
        assert_eq!(
            units[1].head_whatsapp.as_ref().unwrap().as_str(),
            "+6281234567890"
        );

        let bad = "rw,rt,head_name,head_whatsapp\n\
                   3,,Ibu Sari,\n\
                   100,,X,\n\
                   4,1,Pak Amir,\n\
                   5,,,\n\
                   6,,Pak C,12\n\
                   3,,Pak D,\n\
                   7,x\n";
        let problems = parse_units_csv(&kel, bad, &[]).unwrap_err();
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8], "{problems:?}");
        assert!(problems[0].message.starts_with("rw:"), "{problems:?}");
        assert!(problems[1].message.contains("RW 04"), "{problems:?}");
        assert!(problems[2].message.starts_with("head_name:"), "{problems:?}");
        assert!(problems[3].message.starts_with("head_whatsapp:"), "{problems:?}");
        assert!(problems[4].message.contains("line 2"), "{problems:?}");
        // An RT of an RW kept already needs no row for the RW.
        let rw4 = UnitPath::rw(kel.clone(), UnitNumber::parse("4").unwrap());
        assert!(parse_units_csv(&kel, "rw,rt,head_name,head_whatsapp\n4,1,Pak Amir,\n", &[rw4]).is_ok());
        assert_eq!(parse_units_csv(&kel, "nomor,nama\n", &[]).unwrap_err()[0].line, 1);
    }
}
