//! `GET /public/stats` and `GET /public/cases`: a month's cases (by the
//! month they were received, in the city's time zone), counted per
//! kecamatan and kelurahan, and those resolved with what was done.

use std::collections::BTreeMap;

use aduan_shared::domain::case::{Case, PublicLocation};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, Node};
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::public_record::{is_resolved, median_days, PublicCase, Tally};
use aduan_shared::domain::sla::WorkingCalendar;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use super::cases::received_between;
use super::photo_url;
use crate::error::ApiError;
use crate::names::place_label;
use crate::routes::ok;
use crate::state::AppState;

/// A month, `2026-11`, and its bounds in the city's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::invalid("month", "a month such as 2026-11");
        let (year, month) = raw.trim().split_once('-').ok_or_else(invalid)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(invalid());
        }
        let (year, month) = (
            year.parse().map_err(|_| invalid())?,
            month.parse().map_err(|_| invalid())?,
        );
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(invalid)?;
        Ok(Self { first })
    }

    fn containing(at: DateTime<Utc>, offset: FixedOffset) -> Self {
        let day = at.with_timezone(&offset).date_naive();
        Self {
            first: day.with_day(1).expect("every month has a first"),
        }
    }

    /// The first and last instants of the month.
    fn bounds(self, offset: FixedOffset) -> (DateTime<Utc>, DateTime<Utc>) {
        let next = self
            .first
            .checked_add_months(chrono::Months::new(1))
            .expect("year 9999 at most");
        let start = |day: NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_local_timezone(offset)
                .single()
                .expect("a fixed offset is never ambiguous")
                .with_timezone(&Utc)
        };
        (start(self.first), start(next) - Duration::milliseconds(1))
    }

    fn label(self) -> String {
        self.first.format("%Y-%m").to_string()
    }
}

/// The month asked for (`month`, this month by default) and the cases
/// received in it with one of `statuses` (all when empty).
async fn month_cases(
    state: &AppState,
    req: &Request,
    statuses: Vec<Status>,
) -> Result<(Month, Vec<Case>, bool), ApiError> {
    let offset = state.sla.calendar.offset();
    let month = match req.query_string_parameters().first("month") {
        Some(raw) if !raw.trim().is_empty() => Month::parse(raw)?,
        _ => Month::containing(Utc::now(), offset),
    };
    let (since, until) = month.bounds(offset);
    let (cases, complete) = received_between(state, since, until, statuses, usize::MAX).await?;
    Ok((month, cases, complete))
}

/// One area's counts.
#[derive(Debug, Serialize, PartialEq)]
pub struct Counts {
    pub received: u64,
    pub open: BTreeMap<&'static str, u64>,
    pub closed: BTreeMap<&'static str, u64>,
    pub resolved: u64,
    pub median_working_days_to_verify: Option<f64>,
    pub median_working_days_to_resolve: Option<f64>,
}

impl From<&Tally> for Counts {
    fn from(t: &Tally) -> Self {
        Self {
            received: t.received,
            open: t.open.clone(),
            closed: t.closed.clone(),
            resolved: t.resolved,
            median_working_days_to_verify: median_days(&t.days_to_verify),
            median_working_days_to_resolve: median_days(&t.days_to_resolve),
        }
    }
}

#[derive(Debug, Serialize, PartialEq)]
pub struct AreaCounts {
    pub path: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// A kecamatan's kelurahan (its own counts include the cases whose
    /// kelurahan is not known yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kelurahan: Option<Vec<AreaCounts>>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct PublicStats {
    pub month: String,
    pub kota: AreaCounts,
    pub kecamatan: Vec<AreaCounts>,
    /// False when the month had more cases than one answer reads.
    pub complete: bool,
}

/// The month's counts for the kota, each kecamatan and each kelurahan of the
/// tree (zeros included), from the cases received in it.
pub fn compute(
    tree: &Jurisdictions,
    calendar: &WorkingCalendar,
    month: &str,
    cases: &[Case],
    complete: bool,
) -> PublicStats {
    let mut tallies: BTreeMap<JurisdictionPath, Tally> = BTreeMap::new();
    let mut kota = Tally::default();
    for case in cases {
        kota.add(case, calendar);
        let area = PublicCase::of(case).area;
        for depth in [2, 3] {
            if let Some(path) = area.ancestor_at(depth) {
                tallies.entry(path).or_default().add(case, calendar);
            }
        }
    }
    let counts_of = |node: &Node, kelurahan: Option<Vec<AreaCounts>>| AreaCounts {
        path: node.path.to_string(),
        name: place_label(tree, &node.path),
        counts: Counts::from(tallies.get(&node.path).unwrap_or(&Tally::default())),
        kelurahan,
    };
    let kecamatan = tree
        .kecamatan()
        .map(|kec| {
            let kelurahan = tree
                .kelurahan_of(&kec.path)
                .into_iter()
                .map(|kel| counts_of(kel, None))
                .collect();
            counts_of(kec, Some(kelurahan))
        })
        .collect();
    PublicStats {
        month: month.to_owned(),
        kota: AreaCounts {
            path: tree.kota().path.to_string(),
            name: tree.kota().name.clone(),
            counts: Counts::from(&kota),
            kelurahan: None,
        },
        kecamatan,
        complete,
    }
}

pub async fn stats(state: &AppState, req: &Request) -> Response<Body> {
    answer(stats_of(state, req).await)
}

async fn stats_of(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let (month, cases, complete) = month_cases(state, req, Vec::new()).await?;
    ok(&compute(
        &state.tree,
        &state.sla.calendar,
        &month.label(),
        &cases,
        complete,
    ))
}

/// A resolved case in the public list.
#[derive(Debug, Serialize)]
pub struct ResolvedCase {
    pub ticket: String,
    pub kind: &'static str,
    pub category: Option<String>,
    pub area: String,
    /// "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan".
    pub area_name: String,
    pub received_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub status: &'static str,
    /// What the official wrote for the public, long numbers masked.
    pub public_summary: Option<String>,
    /// Only when an official made it public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<PublicLocation>,
    /// The photo an official made public (a redirect to the file), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
}

impl ResolvedCase {
    fn of(tree: &Jurisdictions, req: &Request, case: &PublicCase) -> Self {
        Self {
            ticket: case.ticket.to_string(),
            kind: case.kind.as_str(),
            category: case.category.clone(),
            area: case.area.to_string(),
            area_name: place_label(tree, &case.area),
            received_at: case.created_at,
            resolved_at: case.resolved_at,
            status: case.status.as_str(),
            public_summary: case.summary.clone(),
            location: case.location,
            photo_url: photo_url(req, case),
        }
    }
}

#[derive(Serialize)]
struct ResolvedList {
    month: String,
    cases: Vec<ResolvedCase>,
    complete: bool,
}

pub async fn cases(state: &AppState, req: &Request) -> Response<Body> {
    answer(cases_of(state, req).await)
}

async fn cases_of(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let (month, cases, complete) = month_cases(state, req, vec![Status::Resolved, Status::Closed]).await?;
    let cases = cases
        .iter()
        .filter(|c| is_resolved(c))
        .map(|c| ResolvedCase::of(&state.tree, req, &PublicCase::of(c)))
        .collect();
    ok(&ResolvedList {
        month: month.label(),
        cases,
        complete,
    })
}

fn answer(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        if err.status().is_server_error() {
            tracing::error!(code = err.code(), "public request failed");
        }
        err.into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_bound_in_the_city_time_zone() {
        let wib = FixedOffset::east_opt(7 * 3600).unwrap();
        let (since, until) = Month::parse("2026-11").unwrap().bounds(wib);
        assert_eq!(since.to_rfc3339(), "2026-10-31T17:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-11-30T16:59:59.999+00:00");
        let (_, until) = Month::parse("2026-12").unwrap().bounds(wib);
        assert_eq!(until.to_rfc3339(), "2026-12-31T16:59:59.999+00:00");
        for bad in [
            "2026-13",
            "2026-1",
            "26-11",
            "2026/11",
            "",
            "2026-11-01",
            "+2026-11",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }
}
