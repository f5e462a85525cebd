//! `GET /stats`: for the caller's scope and a period (cases created in it):
//! counts by status, kind, kelurahan and week (by status, for the console's
//! chart), cases resolved, and the median time to verify and to resolve. Index queries only: the scope's queue for the
//! cases, the day partitions of lifecycle events for the times.

use std::collections::{BTreeMap, HashMap};

use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::domain::disposition::Closure;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::timeline::{EventBody, TimelineEvent};
use aduan_shared::store::QueueQuery;
use chrono::{DateTime, Datelike, Days, Duration, FixedOffset, NaiveDate, Utc};
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use super::{ok, parse_time};
use crate::auth::Official;
use crate::error::ApiError;
use crate::names::place_label;
use crate::state::AppState;

pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 366;
/// Bound on the cases one report reads (100 per page).
const MAX_PAGES: usize = 200;
/// Cases without a kelurahan yet.
pub const UNASSIGNED: &str = "unassigned";

#[derive(Debug, Serialize, PartialEq)]
pub struct Stats {
    pub scope: String,
    /// "Kecamatan Mandiangin Koto Selayan".
    pub scope_name: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub total: u64,
    pub by_status: BTreeMap<&'static str, u64>,
    pub by_kind: BTreeMap<&'static str, u64>,
    /// By kelurahan path; `unassigned` for cases whose kelurahan is not known yet.
    pub by_kelurahan: BTreeMap<String, u64>,
    /// The name of each kelurahan of `by_kelurahan` ("Kelurahan Garegeh,
    /// Kecamatan Mandiangin Koto Selayan"); none for `unassigned`.
    pub kelurahan_names: BTreeMap<String, String>,
    /// By the local date of the Monday of the week each case was created
    /// (`2026-11-23`), then by status; statuses without cases left out.
    pub by_week: BTreeMap<NaiveDate, BTreeMap<&'static str, u64>>,
    /// Closed cases by how they ended: `resolved`, `duplicate`,
    /// `outside_authority`, `no_further_action` (all four always present).
    pub by_closure: BTreeMap<&'static str, u64>,
    /// Cases resolved: resolved, or closed as resolved (not a duplicate,
    /// outside the city's authority or with no further action).
    pub resolved: u64,
    pub median_hours_to_verify: Option<f64>,
    pub median_hours_to_resolve: Option<f64>,
}

/// The period asked for: `since` and `until` (dates or times), by default
/// the last 30 days, at most a year.
pub fn period(
    offset: FixedOffset,
    params: &QueryMap,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let get = |name: &str| params.first(name).map(str::trim).filter(|v| !v.is_empty());
    let until = get("until")
        .map(|raw| parse_time(offset, "until", raw, true))
        .transpose()?
        .unwrap_or(now);
    let since = get("since")
        .map(|raw| parse_time(offset, "since", raw, false))
        .transpose()?
        .unwrap_or_else(|| {
            until
                .checked_sub_signed(Duration::days(DEFAULT_DAYS))
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        });
    if since > until {
        return Err(ApiError::invalid("since", "after until"));
    }
    if until - since > Duration::days(MAX_DAYS) {
        return Err(ApiError::invalid(
            "since",
            format!("a period of at most {MAX_DAYS} days"),
        ));
    }

    Ok((since, until))
}

pub async fn stats(
    state: &AppState,
    official: &Official,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let (since, until) = period(state.sla.calendar.offset(), &req.query_string_parameters(), now)?;

    let mut query = QueueQuery::new(official.queue_scope(&official.scope));
    query.since = Some(since);
    query.until = Some(until);
    query.limit = 100;
    let mut cases = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = state.store.queue(&query).await?;
        cases.extend(page.items.into_iter().filter(|c| c.is_within(&official.scope)));
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }

    // Lifecycle events from the first day of the period to today: a case
    // created in the period may be verified or resolved after it.
    let calendar = &state.sla.calendar;
    let mut events = Vec::new();
    if !cases.is_empty() {
        let mut day = calendar.local_date(since);
        let last = calendar.local_date(now.max(since));
        while day <= last {
            events.extend(state.store.day_events(day).await?);
            day = day + Days::new(1);
        }
    }
    ok(&compute(
        &state.tree,
        &official.scope,
        since,
        until,
        calendar.offset(),
        &cases,
        &events,
    ))
}

/// The report, from the cases of the period and the lifecycle events since.
pub fn compute(
    tree: &Jurisdictions,
    scope: &JurisdictionPath,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    offset: FixedOffset,
    cases: &[Case],
    events: &[(CaseId, TimelineEvent)],
) -> Stats {
    let mut by_status: BTreeMap<&'static str, u64> = Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut by_kind: BTreeMap<&'static str, u64> = CaseKind::ALL.iter().map(|k| (k.as_str(), 0)).collect();
    let mut by_closure: BTreeMap<&'static str, u64> = Closure::NAMES.iter().map(|c| (*c, 0)).collect();
    let mut by_kelurahan = BTreeMap::new();
    let mut kelurahan_names = BTreeMap::new();
    let mut by_week: BTreeMap<NaiveDate, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut created: HashMap<&CaseId, DateTime<Utc>> = HashMap::new();
    for case in cases {
        *by_status.entry(case.status.as_str()).or_default() += 1;
        *by_kind.entry(case.kind.as_str()).or_default() += 1;
        if case.status == Status::Closed {
            // Closed before closures were recorded: resolved, the only way then.
            let closure = case
                .closed_as
                .as_ref()
                .map_or(Closure::Resolved.as_str(), Closure::as_str);
            *by_closure.entry(closure).or_default() += 1;
        }
        let kelurahan = match case.jurisdiction.as_ref().and_then(|j| j.ancestor_at(3)) {
            Some(path) => {
                kelurahan_names
                    .entry(path.to_string())
                    .or_insert_with(|| place_label(tree, &path));
                path.to_string()
            }
            None => UNASSIGNED.to_owned(),
        };
        *by_kelurahan.entry(kelurahan).or_default() += 1;
        *by_week
            .entry(week_of(case.created_at, offset))
            .or_default()
            .entry(case.status.as_str())
            .or_default() += 1;
        created.insert(&case.id, case.created_at);
    }
    // The first time each case reached verified and resolved.
    let mut first: HashMap<(&CaseId, Status), DateTime<Utc>> = HashMap::new();
    for (case_id, event) in events {
        if let EventBody::StatusChanged { to, .. } = &event.body {
            if matches!(to, Status::Verified | Status::Resolved) && created.contains_key(case_id) {
                first
                    .entry((case_id, *to))
                    .and_modify(|at| *at = (*at).min(event.at))
                    .or_insert(event.at);
            }
        }
    }
    let hours_to = |status: Status| {
        let durations: Vec<f64> = first
            .iter()
            .filter(|((_, s), _)| *s == status)
            .map(|((id, _), at)| (*at - created[id]).num_seconds() as f64 / 3600.0)
            .collect();
        median(durations)
    };
    Stats {
        scope: scope.to_string(),
        scope_name: place_label(tree, scope),
        since,
        until,
        total: cases.len() as u64,
        resolved: by_status[Status::Resolved.as_str()] + by_closure[Closure::Resolved.as_str()],
        by_closure,
        by_status,
        by_kind,
        by_kelurahan,
        kelurahan_names,
        by_week,
        median_hours_to_verify: hours_to(Status::Verified),
        median_hours_to_resolve: hours_to(Status::Resolved),
    }
}

/// The Monday (local date) of the week `at` falls in.
fn week_of(at: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    let day = at.with_timezone(&offset).date_naive();
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The median, rounded to a tenth of an hour.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let m = if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn weeks_start_on_the_local_monday() {
        let wib = FixedOffset::east_opt(7 * 3600).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        // Sunday 23:30 WIB is still the week before; Monday 00:30 WIB (Sunday in UTC) is not.
        assert_eq!(
            week_of(at("2026-11-22T23:30:00+07:00"), wib),
            monday - Days::new(7)
        );
        assert_eq!(week_of(at("2026-11-23T00:30:00+07:00"), wib), monday);
        assert_eq!(week_of(at("2026-11-29T23:59:00+07:00"), wib), monday);
    }
}
