//! The daily digest run: one publish per node to `DIGEST_TOPIC_ARN`, each
//! recorded so a re-run of the day sends nothing twice.
//!
//! Reads: the day's digest records (one query) and the RWs and RTs each
//! kelurahan keeps (one query per kelurahan, a few at a time: they get
//! digests too), and only if some node is still to send, the open cases (the `OPEN` partition), the day's lifecycle
//! events (`DAY#<date>`) and, by BatchGetItem, the cases those events refer to
//! that are no longer open. Never a Scan, and nothing of closed history.

use std::collections::HashSet;

use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, UnitPath};
use aduan_shared::notify::digest::{build_reports, digest_nodes, DigestInput, DigestReport};
use aduan_shared::store::StoreError;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;

use crate::App;

/// How long one node's claim lasts if the run dies before recording it.
const CLAIM_LEASE_MINUTES: i64 = 10;
const OPEN_PAGE: usize = 500;
/// Nodes whose digest is claimed, published and recorded at once: well under
/// SNS's publish rate, and few enough requests in flight for a 128 MB function.
const PUBLISH_CONCURRENCY: usize = 8;
/// Kelurahan whose RWs and RTs are read at once.
const UNIT_READS_IN_FLIGHT: usize = 8;

enum NodeOutcome {
    Published {
        quiet: bool,
    },
    /// Sent, or being sent, by a concurrent run.
    ClaimedElsewhere,
    Failed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DigestSummary {
    pub job: &'static str,
    pub day: String,
    pub nodes: usize,
    /// Published now.
    pub published: usize,
    /// Of those, quiet (no SMS).
    pub quiet: usize,
    /// Sent by an earlier run (or being sent by a concurrent one).
    pub skipped: usize,
    /// Publish failures; a re-run of the day sends these.
    pub failed: usize,
    pub open_cases_read: usize,
    pub events_read: usize,
}

impl App {
    pub async fn daily_digest(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<DigestSummary, StoreError> {
        let (sent, units) = tokio::try_join!(self.store.digests_sent(day), self.kept_units())?;
        let nodes = digest_nodes(&self.tree, &units);
        let mut summary = DigestSummary {
            job: "daily-digest",
            day: day.to_string(),
            nodes: nodes.len(),
            ..Default::default()
        };
        if nodes.iter().all(|n| sent.contains(&n.path)) {
            summary.skipped = nodes.len();
            return Ok(summary);
        }

        // Independent reads: made at once.
        let (open, events) = tokio::try_join!(self.all_open_cases(), self.store.day_events(day))?;
        let open_ids: HashSet<&CaseId> = open.iter().map(|c| &c.id).collect();
        let missing: Vec<CaseId> = events
            .iter()
            .map(|(id, _)| id)
            .filter(|id| !open_ids.contains(id))
            .cloned()
            .collect();
        let closed = self.store.cases_by_ids(&missing).await?;
        summary.open_cases_read = open.len();
        summary.events_read = events.len();

        let reports = build_reports(
            &self.tree,
            DigestInput {
                day,
                as_of: now,
                open: &open,
                events: &events,
                closed: &closed,
                units: &units,
            },
        );
        let offset = self.policy.sla.calendar.offset();
        let (already, unsent): (Vec<DigestReport>, Vec<DigestReport>) =
            reports.into_iter().partition(|r| sent.contains(&r.node));
        summary.skipped += already.len();
        // Each node's claim, publish and record are independent of the
        // others': a city's nodes go out a few at a time, not in a row.
        let outcomes: Vec<Result<NodeOutcome, StoreError>> = stream::iter(unsent)
            .map(|report| self.send_node_digest(day, report, now, offset))
            .buffer_unordered(PUBLISH_CONCURRENCY)
            .collect()
            .await;
        for outcome in outcomes {
            match outcome? {
                NodeOutcome::Published { quiet } => {
                    summary.published += 1;
                    summary.quiet += usize::from(quiet);
                }
                NodeOutcome::ClaimedElsewhere => summary.skipped += 1,
                NodeOutcome::Failed => summary.failed += 1,
            }
        }
        tracing::info!(?summary, "daily digest");
        Ok(summary)
    }

    /// Claims the node's digest for the day, publishes it and records it; on
    /// a failed publish, releases the claim so a re-run sends it.
    async fn send_node_digest(
        &self,
        day: NaiveDate,
        report: DigestReport,
        now: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Result<NodeOutcome, StoreError> {
        if !self
            .store
            .claim_digest(day, &report.node, now, Duration::minutes(CLAIM_LEASE_MINUTES))
            .await?
        {
            return Ok(NodeOutcome::ClaimedElsewhere);
        }
        let message = report.message(offset);
        match self.sns.publish(&self.digest_topic_arn, &message).await {
            Ok(message_id) => {
                self.store
                    .mark_digest_sent(day, &report.node, &message_id, report.quiet(), now)
                    .await?;
                Ok(NodeOutcome::Published {
                    quiet: report.quiet(),
                })
            }
            Err(error) => {
                tracing::error!(node = %report.node, %error, "digest publish failed");
                self.store.release_digest(day, &report.node).await?;
                Ok(NodeOutcome::Failed)
            }
        }
    }

    /// Every kelurahan's RWs and RTs.
    async fn kept_units(&self) -> Result<Vec<UnitPath>, StoreError> {
        // Owned paths: a future borrowing the tree's nodes through the
        // closure would not be `Send` for every lifetime (tokio::spawn).
        let kelurahan: Vec<JurisdictionPath> = self.tree.all_kelurahan().map(|k| k.path.clone()).collect();
        let lists: Vec<_> = stream::iter(kelurahan)
            .map(|path| async move { self.store.units(&path).await })
            .buffer_unordered(UNIT_READS_IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(lists.into_iter().flatten().map(|unit| unit.path).collect())
    }

    async fn all_open_cases(&self) -> Result<Vec<Case>, StoreError> {
        let mut open = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.store.open_cases(None, OPEN_PAGE, cursor.as_ref()).await?;
            open.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(open),
            }
        }
    }
}
