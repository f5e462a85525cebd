//! The daily digest run: one publish per node to `DIGEST_TOPIC_ARN`, each
//! recorded so a re-run of the day sends nothing twice.
//!
//! Reads: the day's digest records (one query), and only if some node is
//! still to send, the open cases (the `OPEN` partition), the day's lifecycle
//! events (`DAY#<date>`) and, by BatchGetItem, the cases those events refer to
//! that are no longer open. Never a Scan, and nothing of closed history.

use std::collections::HashSet;

use aduan_shared::domain::case::{Case, CaseId};
use aduan_shared::notify::digest::{build_reports, DigestInput};
use aduan_shared::store::StoreError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::App;

/// How long one node's claim lasts if the run dies before recording it.
const CLAIM_LEASE_MINUTES: i64 = 10;
const OPEN_PAGE: usize = 500;

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
        let nodes = aduan_shared::notify::digest::digest_nodes(&self.tree);
        let mut summary = DigestSummary {
            job: "daily-digest",
            day: day.to_string(),
            nodes: nodes.len(),
            ..Default::default()
        };
        let sent = self.store.digests_sent(day).await?;
        if nodes.iter().all(|n| sent.contains(&n.path)) {
            summary.skipped = nodes.len();
            return Ok(summary);
        }

        let open = self.all_open_cases().await?;
        let events = self.store.day_events(day).await?;
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
            },
        );
        let offset = self.policy.sla.calendar.offset();
        for report in reports {
            if sent.contains(&report.node) {
                summary.skipped += 1;
                continue;
            }
            if !self
                .store
                .claim_digest(day, &report.node, now, Duration::minutes(CLAIM_LEASE_MINUTES))
                .await?
            {
                summary.skipped += 1;
                continue;
            }
            let message = report.message(offset);
            match self.sns.publish(&self.digest_topic_arn, &message).await {
                Ok(message_id) => {
                    self.store
                        .mark_digest_sent(day, &report.node, &message_id, report.quiet(), now)
                        .await?;
                    summary.published += 1;
                    if report.quiet() {
                        summary.quiet += 1;
                    }
                }
                Err(error) => {
                    tracing::error!(node = %report.node, %error, "digest publish failed");
                    self.store.release_digest(day, &report.node).await?;
                    summary.failed += 1;
                }
            }
        }
        tracing::info!(?summary, "daily digest");
        Ok(summary)
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
