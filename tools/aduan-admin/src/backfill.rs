//! `aduan-admin backfill`: fills in, from their timelines, what cases
//! written before a feature existed lack: the first-verified and
//! first-resolved times the public record's medians count, and the place
//! the citizen last shared, which suggested duplicates compare. Every case
//! is read through the kota's queue index (pages of 100, never a Scan), with
//! one BatchGetItem of the page's places and one Query of the timeline of
//! each case that lacks anything; only what is missing is written, each case
//! conditional on the version read. Safe to run again, and while the desk
//! works: a case changed meanwhile is counted and left for the next run.

use aduan_shared::domain::case::CaseId;
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::public_record::backfill_first_times;
use aduan_shared::domain::timeline::{EventBody, MessageContent};
use aduan_shared::store::{QueueQuery, QueueScope, Store, StoreError};

use crate::AdminError;

/// `backfill [--dry-run]`: with `--dry-run`, what would be written is
/// counted and nothing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backfill {
    pub dry_run: bool,
}

pub fn parse(args: &[String]) -> Result<Backfill, AdminError> {
    match args {
        [] => Ok(Backfill { dry_run: false }),
        [flag] if flag == "--dry-run" => Ok(Backfill { dry_run: true }),
        _ => Err(AdminError::Usage("backfill takes only --dry-run".to_owned())),
    }
}

/// What a run found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub cases: usize,
    pub timelines_read: usize,
    pub times_set: usize,
    pub places_recorded: usize,
    /// Changed by someone else between the read and the write.
    pub changed_meanwhile: usize,
}

pub async fn run(store: &Store, tree: &Jurisdictions, command: Backfill) -> Result<Vec<String>, AdminError> {
    let summary = backfill(store, tree, command).await.map_err(store_error)?;
    let would = |done: &str, would: &str| if command.dry_run { would } else { done }.to_owned();
    let cases = |n: usize| format!("{n} case{}", if n == 1 { "" } else { "s" });
    let mut lines = vec![
        format!(
            "read {} of {} and {} timeline{}",
            cases(summary.cases),
            tree.kota().path,
            summary.timelines_read,
            if summary.timelines_read == 1 { "" } else { "s" }
        ),
        format!(
            "{} the first-verified/first-resolved times of {}",
            would("set", "would set"),
            cases(summary.times_set)
        ),
        format!(
            "{} the shared place of {}",
            would("recorded", "would record"),
            cases(summary.places_recorded)
        ),
    ];
    if summary.changed_meanwhile > 0 {
        lines.push(format!(
            "{} changed while being read: run backfill again",
            cases(summary.changed_meanwhile)
        ));
    }
    Ok(lines)
}

pub async fn backfill(store: &Store, tree: &Jurisdictions, command: Backfill) -> Result<Summary, StoreError> {
    let mut summary = Summary::default();
    let mut query = QueueQuery::new(QueueScope::Area(tree.kota().path.clone()));
    query.limit = 100;
    loop {
        let page = store.queue(&query).await?;
        let ids: Vec<&CaseId> = page.items.iter().map(|c| &c.id).collect();
        let places = store.shared_locations(&ids).await?;
        for listed in &page.items {
            summary.cases += 1;
            let lacks_place = !places.contains_key(&listed.id);
            if listed.verified_at.is_some() && listed.resolved_at.is_some() && !lacks_place {
                continue;
            }
            let Some((mut case, timeline)) = store.case_with_timeline(&listed.id).await? else {
                continue;
            };
            summary.timelines_read += 1;
            if backfill_first_times(&mut case, &timeline) {
                summary.times_set += 1;
                if !command.dry_run {
                    match store.save_case(&mut case, &[], None).await {
                        Ok(()) => {}
                        Err(e) if e.is_conflict() => {
                            summary.times_set -= 1;
                            summary.changed_meanwhile += 1;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            let last_place = timeline.iter().rev().find(|e| {
                matches!(
                    e.body,
                    EventBody::Message {
                        content: MessageContent::Location { .. },
                        ..
                    }
                )
            });
            if let (true, Some(shared)) = (lacks_place, last_place) {
                let recorded = command.dry_run || store.record_shared_location(&case.id, shared).await?;
                summary.places_recorded += usize::from(recorded);
            }
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(summary),
        }
    }
}

fn store_error(e: StoreError) -> AdminError {
    AdminError::Invalid(format!("the table: {e}"))
}
