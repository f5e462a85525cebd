//! `aduan-sim`: play a citizen, officials and the schedules against
//! `make dev`. `aduan-sim help` lists the commands.

use std::process::ExitCode;

use aduan_sim::print::{self, text};
use aduan_sim::{demo, Content, Sim, SimError, DEFAULT_API, DEFAULT_APP_SECRET, DEFAULT_NUMBER_ID};
use reqwest::Method;
use serde_json::{json, Value};

const USAGE: &str = "\
aduan-sim: play both sides against the local stack (`make dev`)

A citizen on WhatsApp (signed as Meta signs; the bot's replies are shown):
  aduan-sim citizen NUMBER say TEXT...          e.g. citizen 6281234567890 say Lampu jalan mati
  aduan-sim citizen NUMBER choose TITLE|N       answer the last list or buttons
  aduan-sim citizen NUMBER photo [CAPTION...]
  aduan-sim citizen NUMBER location LAT LON
  aduan-sim citizen NUMBER inbox                everything the bot sent NUMBER
Officials on the API (ids from `aduan-sim officials`):
  aduan-sim officials
  aduan-sim official ID cases [QUERY]           e.g. status=received&level=kelurahan
  aduan-sim official ID show TICKET
  aduan-sim official ID act TICKET ACTION [KEY=VALUE...]   e.g. act ADU-0001 resolve note=\"Sudah ditambal\"
  aduan-sim official ID reply TICKET TEXT...
  aduan-sim official ID escalate TICKET [to=LEVEL] [reason=TEXT]
The schedules and SNS:
  aduan-sim job daily-digest|sla-sweep [AT]     AT: RFC 3339, e.g. 2026-12-01T07:00:00+07:00
  aduan-sim sns [TOPIC]                         what SNS published (SMS and email texts)
  aduan-sim demo                                a whole case, step by step (`make demo`)

Environment: ADUAN_API (default http://127.0.0.1:3000), ADUAN_APP_SECRET and
ADUAN_NUMBER_ID (default: make dev's).";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let sim = Sim::new(
        &var("ADUAN_API", DEFAULT_API),
        &var("ADUAN_APP_SECRET", DEFAULT_APP_SECRET),
        &var("ADUAN_NUMBER_ID", DEFAULT_NUMBER_ID),
    );
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match run(&sim, &words).await {
        Ok(Some(output)) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("aduan-sim: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The command's output, or `None` when the words are not a command.
async fn run(sim: &Sim, words: &[&str]) -> Result<Option<String>, SimError> {
    let output = match words {
        ["citizen", number, "say", text @ ..] if !text.is_empty() => {
            let replies = sim.citizen(number, Content::Text(text.join(" "))).await?;
            print::bot_messages(number, &replies)
        }
        ["citizen", number, "choose", wanted @ ..] if !wanted.is_empty() => {
            let replies = sim.choose(number, &wanted.join(" ")).await?;
            print::bot_messages(number, &replies)
        }
        ["citizen", number, "photo", caption @ ..] => {
            let caption = (!caption.is_empty()).then(|| caption.join(" "));
            let replies = sim.citizen(number, Content::Photo { caption }).await?;
            print::bot_messages(number, &replies)
        }
        ["citizen", number, "location", latitude, longitude] => {
            let (Ok(latitude), Ok(longitude)) = (latitude.parse(), longitude.parse()) else {
                return Ok(None);
            };
            let replies = sim
                .citizen(number, Content::Location { latitude, longitude })
                .await?;
            print::bot_messages(number, &replies)
        }
        ["citizen", number, "inbox"] => print::bot_messages(number, &sim.inbox(number).await?),
        ["officials"] => sim
            .officials()
            .await?
            .iter()
            .map(|o| {
                format!(
                    "  {:<14} {:<8} {}\n",
                    text(&o["official"]),
                    text(&o["role"]),
                    text(&o["scope"])
                )
            })
            .collect(),
        ["official", id, "cases", query @ ..] if query.len() <= 1 => {
            let path = match query.first() {
                Some(query) => format!("/cases?{query}"),
                None => "/cases".to_owned(),
            };
            print::case_list(&sim.official_ok(id, Method::GET, &path, None).await?)
        }
        ["official", id, "show", ticket] => print::case_detail(
            &sim.official_ok(id, Method::GET, &format!("/cases/{ticket}"), None)
                .await?,
        ),
        ["official", id, "act", ticket, action, fields @ ..] => {
            let Some(fields) = key_values(fields) else {
                return Ok(None);
            };
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let done = sim.act(id, ticket, action, &fields).await?;
            format!(
                "  {ticket}: {} (version {}); citizen notified: {}\n",
                text(&done["case"]["status"]),
                done["case"]["version"],
                text(&done["notification"]["delivery"])
            )
        }
        ["official", id, "reply", ticket, words @ ..] if !words.is_empty() => {
            let body = json!({"text": words.join(" ")});
            let sent = sim
                .official_ok(
                    id,
                    Method::POST,
                    &format!("/cases/{ticket}/messages"),
                    Some(&body),
                )
                .await?;
            format!("  {sent}\n")
        }
        ["official", id, "escalate", ticket, fields @ ..] => {
            let Some(fields) = key_values(fields) else {
                return Ok(None);
            };
            let body: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_owned(), json!(v)))
                .collect();
            let done = sim
                .official_ok(
                    id,
                    Method::POST,
                    &format!("/cases/{ticket}/escalations"),
                    Some(&Value::Object(body)),
                )
                .await?;
            format!(
                "  {ticket}: at {} level; publish {}\n",
                text(&done["case"]["level"]),
                text(&done["publish"])
            )
        }
        ["job", job] => format!("  {}\n", sim.job(job, None).await?),
        ["job", job, at] => format!("  {}\n", sim.job(job, Some(at)).await?),
        ["sns"] => print::published(&sim.published().await?),
        ["sns", topic] => {
            let published: Vec<Value> = sim
                .published()
                .await?
                .into_iter()
                .filter(|m| m["topic"] == json!(topic))
                .collect();
            print::published(&published)
        }
        ["help" | "--help" | "-h"] => format!("{USAGE}\n"),
        ["demo"] => {
            let mut stdout = std::io::stdout();
            demo::run(sim, &demo::fresh_citizen(), &mut stdout).await?;
            String::new()
        }
        _ => return Ok(None),
    };
    Ok(Some(output))
}

/// `KEY=VALUE` words; a value may continue over the following words
/// without `=` (`note=Sudah ditambal` as two shell words).
fn key_values<'a>(words: &[&'a str]) -> Option<Vec<(&'a str, String)>> {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for word in words {
        match word.split_once('=') {
            Some((key, value)) if !key.is_empty() => pairs.push((key, value.to_owned())),
            _ => {
                let (_, value) = pairs.last_mut()?;
                value.push(' ');
                value.push_str(word);
            }
        }
    }
    Some(pairs)
}
