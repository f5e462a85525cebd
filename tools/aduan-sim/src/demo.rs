//! `make demo`: one complaint from the first message to the next morning's
//! digest, through the running stack, printing each step. Every step checks
//! what it expects and stops with the reason when the stack answers
//! otherwise, so the demo doubles as an end-to-end check.

use std::io::Write;

use chrono::{Duration, FixedOffset, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{print, ticket_in, BotMessage, Content, Sim, SimError};

const LURAH: &str = "lurah-garegeh";
const CAMAT: &str = "camat-mks";
const KELURAHAN: &str = "Garegeh";

/// What the demo did, for whoever ran it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ticket: String,
    /// Messages the bot sent the citizen.
    pub replies: usize,
    /// Escalation and digest messages SNS got during the run.
    pub escalations: usize,
    pub digests: usize,
}

/// Plays the scenario as a citizen with the number `citizen` (use a new one
/// per run: a number with an open case would be adding to it).
pub async fn run(sim: &Sim, citizen: &str, out: &mut dyn Write) -> Result<Outcome, SimError> {
    let mut demo = Demo {
        sim,
        citizen,
        out,
        step: 0,
        replies: 0,
    };
    demo.play().await
}

/// A citizen number unlikely to have been used by an earlier run.
pub fn fresh_citizen() -> String {
    format!(
        "628{:010}",
        Utc::now().timestamp_micros().rem_euclid(10_000_000_000)
    )
}

struct Demo<'a> {
    sim: &'a Sim,
    citizen: &'a str,
    out: &'a mut dyn Write,
    step: usize,
    replies: usize,
}

impl Demo<'_> {
    async fn play(&mut self) -> Result<Outcome, SimError> {
        let published_before = self.sim.published().await?.len();

        self.heading("A citizen reports a problem without naming the kelurahan");
        let text =
            "Jalan berlubang besar di depan SD, sudah seminggu belum diperbaiki. Bahaya untuk anak-anak.";
        let replies = self.say(Content::Text(text.into()), text).await?;
        let Some(list) = replies.iter().find(|m| !m.choices.is_empty()) else {
            return Err(unexpected(
                "the bot to ask for the kelurahan with a list",
                &replies,
            ));
        };
        self.line(&format!(
            "the bot offers {} kelurahan to choose from",
            list.choices.len()
        ));

        self.heading(&format!("The citizen picks {KELURAHAN} from the list"));
        self.choose(KELURAHAN).await?;
        let inbox = self.sim.inbox(self.citizen).await?;
        let Some(ticket) = ticket_in(&inbox) else {
            return Err(unexpected("a ticket number in the bot's replies", &inbox));
        };
        self.line(&format!("the case is {ticket}"));

        self.heading("The citizen adds a photo");
        let photo = self
            .say(
                Content::Photo {
                    caption: Some("Ini fotonya, lubangnya makin lebar".into()),
                },
                "[photo] Ini fotonya, lubangnya makin lebar",
            )
            .await?;
        if !photo.is_empty() {
            return Err(unexpected("no reply to a follow-up photo", &photo));
        }

        self.heading("The lurah of Garegeh finds it in the queue");
        let page = self
            .sim
            .official_ok(LURAH, Method::GET, "/cases?status=received", None)
            .await?;
        self.print(&print::case_list(&page));
        let listed = page["cases"]
            .as_array()
            .is_some_and(|cases| cases.iter().any(|c| c["ticket"] == json!(ticket)));
        if !listed {
            return Err(SimError::Unexpected(format!(
                "{ticket} is not in {LURAH}'s queue of received cases"
            )));
        }
        let detail = self.case(LURAH, &ticket).await?;
        if detail.to_string().contains(self.citizen) {
            return Err(SimError::Unexpected(
                "the API showed an official the reporter's number".into(),
            ));
        }
        self.line("the reporter appears only as a pseudonym: the number is not in the response");

        self.heading("The lurah checks it and accepts it (verify)");
        self.act(LURAH, &ticket, "verify", &[]).await?;
        self.citizen_reads().await?;

        self.heading("The lurah escalates it to the kecamatan: it needs heavy equipment");
        let escalations_before = self.published("escalation").await?.len();
        let escalated = self
            .sim
            .official_ok(
                LURAH,
                Method::POST,
                &format!("/cases/{ticket}/escalations"),
                Some(&json!({"to": "kecamatan", "reason": "Perlu alat berat dari kecamatan"})),
            )
            .await?;
        self.line(&format!(
            "escalated to {}; publish {}",
            escalated["case"]["level"].as_str().unwrap_or("?"),
            escalated["publish"].as_str().unwrap_or("?")
        ));
        let escalations: Vec<Value> = self.published("escalation").await?.split_off(escalations_before);
        if escalations.is_empty() {
            return Err(SimError::Unexpected(
                "the escalation was not published to SNS".into(),
            ));
        }
        self.line("what the camat's SMS and email subscriptions get:");
        self.print(&print::published(&escalations));
        self.citizen_reads().await?;

        self.heading("The camat starts the work, then marks it resolved");
        self.act(CAMAT, &ticket, "start", &[]).await?;
        self.citizen_reads().await?;
        self.act(
            CAMAT,
            &ticket,
            "resolve",
            &[("note", "Lubang sudah ditambal dan diaspal oleh tim kecamatan")],
        )
        .await?;
        let asked = self.citizen_reads().await?;
        if !asked.iter().any(|m| !m.choices.is_empty()) {
            return Err(unexpected("the citizen to be asked whether it is solved", &asked));
        }

        self.heading("The citizen confirms it is solved and rates the service");
        self.choose("Ya").await?;
        self.choose("5").await?;
        let closed = self.case(CAMAT, &ticket).await?;
        if closed["case"]["status"] != json!("closed") {
            return Err(SimError::Unexpected(format!(
                "{ticket} should be closed after the citizen's confirmation, it is {}",
                closed["case"]["status"]
            )));
        }

        self.heading("The next morning at 07:00 WIB, the daily digest goes out");
        let wib = FixedOffset::east_opt(7 * 3600).expect("a valid offset");
        let tomorrow = (Utc::now().with_timezone(&wib) + Duration::days(1)).date_naive();
        let at = format!("{tomorrow}T07:00:00+07:00");
        let digests_before = self.published("digest").await?.len();
        let summary = self.sim.job("daily-digest", Some(&at)).await?;
        self.line(&format!("daily-digest at {at}: {summary}"));
        let all_digests = self.published("digest").await?;
        let new_digests = all_digests.len() - digests_before;
        // Attributes end in "/" so that subscriptions filter on prefixes.
        let jurisdiction = format!("{}/", closed["case"]["jurisdiction"].as_str().unwrap_or_default());
        // The digests of the case's kelurahan and of the levels above it.
        let ours = |digests: &[Value]| -> Vec<Value> {
            digests
                .iter()
                .filter(|d| {
                    d["attributes"]["jurisdiction"]
                        .as_str()
                        .is_some_and(|j| jurisdiction.starts_with(j))
                })
                .cloned()
                .collect()
        };
        let shown = if new_digests > 0 {
            ours(&all_digests[digests_before..])
        } else {
            self.line(&format!(
                "the digest due at {at} had already gone out (once a day, for the day before); as it was sent:"
            ));
            ours(&all_digests)
        };
        if shown.is_empty() {
            return Err(SimError::Unexpected(format!(
                "no digest was published for {jurisdiction} or the levels above it"
            )));
        }
        self.print(&print::published(&shown));

        self.heading("The SLA sweep finds nothing overdue");
        let sweep = self.sim.job("sla-sweep", None).await?;
        self.line(&format!("sla-sweep: {sweep}"));

        let published = self.sim.published().await?.len() - published_before;
        self.line("");
        self.line(&format!(
            "Done: {ticket} went from a WhatsApp message to closed with a rating; the citizen got {} messages, SNS {} (escalation and digests).",
            self.replies, published
        ));
        Ok(Outcome {
            ticket,
            replies: self.replies,
            escalations: escalations.len(),
            digests: new_digests,
        })
    }

    async fn say(&mut self, content: Content, shown: &str) -> Result<Vec<BotMessage>, SimError> {
        self.line(&format!("citizen {} -> bot: {shown}", self.citizen));
        let replies = self.sim.citizen(self.citizen, content).await?;
        self.show(&replies);
        Ok(replies)
    }

    async fn choose(&mut self, wanted: &str) -> Result<Vec<BotMessage>, SimError> {
        self.line(&format!("citizen {} -> bot: [{wanted}]", self.citizen));
        let replies = self.sim.choose(self.citizen, wanted).await?;
        self.show(&replies);
        Ok(replies)
    }

    async fn act(
        &mut self,
        official: &str,
        ticket: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<(), SimError> {
        let done = self.sim.act(official, ticket, action, fields).await?;
        self.line(&format!(
            "{official}: {action} -> {} (version {}); citizen notified: {}",
            done["case"]["status"].as_str().unwrap_or("?"),
            done["case"]["version"],
            done["notification"]["delivery"].as_str().unwrap_or("no")
        ));
        Ok(())
    }

    async fn case(&mut self, official: &str, ticket: &str) -> Result<Value, SimError> {
        let detail = self
            .sim
            .official_ok(official, Method::GET, &format!("/cases/{ticket}"), None)
            .await?;
        self.print(&print::case_detail(&detail));
        Ok(detail)
    }

    /// What the bot sent the citizen since the last look.
    async fn citizen_reads(&mut self) -> Result<Vec<BotMessage>, SimError> {
        let inbox = self.sim.inbox(self.citizen).await?;
        let new = inbox.get(self.replies..).unwrap_or_default().to_vec();
        self.show(&new);
        Ok(new)
    }

    async fn published(&self, topic: &str) -> Result<Vec<Value>, SimError> {
        Ok(self
            .sim
            .published()
            .await?
            .into_iter()
            .filter(|m| m["topic"] == json!(topic))
            .collect())
    }

    fn show(&mut self, messages: &[BotMessage]) {
        self.replies += messages.len();
        let text = print::bot_messages(self.citizen, messages);
        self.print(&text);
    }

    fn heading(&mut self, title: &str) {
        self.step += 1;
        let _ = writeln!(self.out, "\n== {}. {title}", self.step);
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "  {text}");
    }

    fn print(&mut self, text: &str) {
        let _ = write!(self.out, "{text}");
    }
}

fn unexpected(wanted: &str, got: &[BotMessage]) -> SimError {
    let texts: Vec<&str> = got.iter().map(|m| m.text.as_str()).collect();
    SimError::Unexpected(format!("expected {wanted}; the bot sent {texts:?}"))
}
