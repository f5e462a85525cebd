//! The daily digest run: one publish per node to `DIGEST_TOPIC_ARN`, and a
//! WhatsApp copy to each confirmed official registered at the node who chose
//! it (`digest_by_whatsapp`), each recorded so a re-run of the day sends
//! nothing twice.
//!
//! Reads: the day's digest records (one query), the registered officials
//! (one query of the `OFFICIALS` partition) and the RWs and RTs each
//! kelurahan keeps (one query per kelurahan, a few at a time: they get
//! digests too), and only if something is still to send, the open cases
//! (the `OPEN` partition), the day's lifecycle events (`DAY#<date>`) and, by
//! BatchGetItem, the cases those events refer to that are no longer open.
//! Never a Scan, and nothing of closed history.

use std::collections::HashSet;

use aduan_shared::domain::case::{Case, CaseId, Channel};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, UnitPath};
use aduan_shared::domain::official::Registration;
use aduan_shared::notify::digest::{build_reports, digest_nodes, DigestInput, DigestReport};
use aduan_shared::notify::official_digest::digest_message;
use aduan_shared::store::{DigestRecipient, SentDigests, StoreError};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;

use crate::App;

/// How long one node's claim lasts if the run dies before recording it.
const CLAIM_LEASE_MINUTES: i64 = 10;
const OPEN_PAGE: usize = 500;
/// Digests claimed, sent and recorded at once: well under SNS's publish
/// rate and WhatsApp's, and few enough requests in flight for a 128 MB
/// function.
const PUBLISH_CONCURRENCY: usize = 8;
/// Kelurahan whose RWs and RTs are read at once.
const UNIT_READS_IN_FLIGHT: usize = 8;

/// One digest of the day still to send. Owned: a future borrowing the
/// reports through the stream's closure would not be `Send` for every
/// lifetime (tokio::spawn).
enum Delivery {
    /// The node's publish to the digest topic.
    Topic(DigestReport),
    /// An official's copy on WhatsApp, from the number they confirmed through.
    WhatsApp {
        report: DigestReport,
        // Boxed: a registration is the larger part of the variant.
        official: Box<Registration>,
        channel: Channel,
    },
}

impl Delivery {
    fn recipient(&self) -> DigestRecipient<'_> {
        match self {
            Delivery::Topic(report) => DigestRecipient::Topic(&report.node),
            Delivery::WhatsApp { report, official, .. } => DigestRecipient::Official {
                node: &report.node,
                id: &official.id,
            },
        }
    }

    fn report(&self) -> &DigestReport {
        match self {
            Delivery::Topic(report) | Delivery::WhatsApp { report, .. } => report,
        }
    }
}

enum Outcome {
    Published {
        quiet: bool,
    },
    SentOnWhatsApp,
    /// Sent, or being sent, by a concurrent run.
    ClaimedElsewhere,
    Failed,
    FailedOnWhatsApp,
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
    /// Officials' copies sent on WhatsApp now.
    pub whatsapp_sent: usize,
    /// Officials' copies sent by an earlier run (or being sent).
    pub whatsapp_skipped: usize,
    /// Officials' copies not sent; a re-run of the day sends these.
    pub whatsapp_failed: usize,
    pub open_cases_read: usize,
    pub events_read: usize,
}

impl App {
    pub async fn daily_digest(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<DigestSummary, StoreError> {
        let kota = self.tree.kota().path.clone();
        let (sent, units, officials) = tokio::try_join!(
            self.store.digests_sent(day),
            self.kept_units(),
            self.store.officials_within(&kota)
        )?;
        let nodes = digest_nodes(&self.tree, &units);
        let mut summary = DigestSummary {
            job: "daily-digest",
            day: day.to_string(),
            nodes: nodes.len(),
            ..Default::default()
        };
        let wanting: Vec<(&Registration, &Channel)> = officials
            .iter()
            // Only an official registered at a node has a digest of their own.
            .filter(|official| nodes.iter().any(|n| n.path == official.scope))
            .filter_map(|official| {
                match official.whatsapp_digest_of(&official.scope) {
                    Some(channel) => Some((official, channel)),
                    None => {
                        if official.digest_by_whatsapp && official.is_confirmed() {
                            tracing::warn!(official = %official.id, "confirmed before the number it came through was kept: no WhatsApp digest");
                        }
                        None
                    }
                }
            })
            .collect();
        let (done, wanting): (Vec<_>, Vec<_>) = wanting
            .into_iter()
            .partition(|(official, _)| sent.officials.contains(&official.id));
        summary.whatsapp_skipped = done.len();
        if wanting.is_empty() && nodes.iter().all(|n| sent.nodes.contains(&n.path)) {
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
        summary.skipped += reports.iter().filter(|r| sent.nodes.contains(&r.node)).count();
        let deliveries = deliveries(reports, &sent, &wanting);
        let offset = self.policy.sla.calendar.offset();
        // Each digest's claim, send and record are independent of the
        // others': a city's digests go out a few at a time, not in a row.
        let outcomes: Vec<Result<Outcome, StoreError>> = stream::iter(deliveries)
            .map(|delivery| self.deliver(day, delivery, now, offset))
            .buffer_unordered(PUBLISH_CONCURRENCY)
            .collect()
            .await;
        for outcome in outcomes {
            match outcome? {
                Outcome::Published { quiet } => {
                    summary.published += 1;
                    summary.quiet += usize::from(quiet);
                }
                Outcome::SentOnWhatsApp => summary.whatsapp_sent += 1,
                Outcome::ClaimedElsewhere => summary.skipped += 1,
                Outcome::Failed => summary.failed += 1,
                Outcome::FailedOnWhatsApp => summary.whatsapp_failed += 1,
            }
        }
        tracing::info!(?summary, "daily digest");
        Ok(summary)
    }

    /// Claims one digest for the day, sends it and records it; on a failed
    /// send, releases the claim so a re-run sends it.
    async fn deliver(
        &self,
        day: NaiveDate,
        delivery: Delivery,
        now: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Result<Outcome, StoreError> {
        let to = delivery.recipient();
        let report = delivery.report();
        if !self
            .store
            .claim_digest(day, to, now, Duration::minutes(CLAIM_LEASE_MINUTES))
            .await?
        {
            return Ok(Outcome::ClaimedElsewhere);
        }
        let (sent, done, failed) = match &delivery {
            Delivery::Topic(_) => (
                self.sns
                    .publish(&self.digest_topic_arn, &report.message(offset))
                    .await
                    .map_err(|e| e.to_string()),
                Outcome::Published {
                    quiet: report.quiet(),
                },
                Outcome::Failed,
            ),
            Delivery::WhatsApp {
                official, channel, ..
            } => {
                let message = digest_message(&self.officials.texts, &self.officials.digest_template, report);
                (
                    self.officials
                        .send_to(official, channel, &message)
                        .await
                        .map_err(|e| e.to_string()),
                    Outcome::SentOnWhatsApp,
                    Outcome::FailedOnWhatsApp,
                )
            }
        };
        match sent {
            Ok(message_id) => {
                self.store
                    .mark_digest_sent(day, to, &message_id, report.quiet(), now)
                    .await?;
                Ok(done)
            }
            Err(error) => {
                tracing::error!(node = %report.node, ?to, %error, "digest not sent");
                self.store.release_digest(day, to).await?;
                Ok(failed)
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

/// What is still to send: each node's publish not sent yet, and a WhatsApp
/// copy for each official still `wanting` theirs, unless the node's day was
/// quiet (a message saying nothing is not worth its cost).
fn deliveries(
    reports: Vec<DigestReport>,
    sent: &SentDigests,
    wanting: &[(&Registration, &Channel)],
) -> Vec<Delivery> {
    let mut out = Vec::new();
    for report in reports {
        if !report.quiet() {
            out.extend(
                wanting
                    .iter()
                    .filter(|(official, _)| official.scope == report.node)
                    .map(|&(official, channel)| Delivery::WhatsApp {
                        report: report.clone(),
                        official: Box::new(official.clone()),
                        channel: channel.clone(),
                    }),
            );
        }
        if !sent.nodes.contains(&report.node) {
            out.push(Delivery::Topic(report));
        }
    }
    out
}
