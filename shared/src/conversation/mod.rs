//! What to do with a citizen's message, given what the desk remembers about
//! them: a pure decision ([`decide`]), then a pure plan of what to write and
//! what to answer ([`plan::plan`]), both made without I/O so they are tested
//! without AWS. The webhook reads, writes the plan once, then replies.

mod command;
pub mod limits;
pub mod official;
pub mod plan;
pub mod replies;
mod reporter;

use serde::{Deserialize, Serialize};

pub use command::{Command, TicketArg};
pub use reporter::{kept_by_others, resolve, Reporter, Resolved};

use crate::domain::case::CaseId;
use crate::domain::jurisdiction::{
    choose_by_number, JurisdictionPath, Jurisdictions, Node, NodeKind, NodeMatch,
};
use crate::domain::kind::CaseKind;
use crate::domain::language::Vocabulary;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{MessageContent, TimelineEvent};
use crate::texts::Texts;
use crate::whatsapp::outbound::Outbound;
use crate::whatsapp::InboundBody;

/// The case a citizen's next message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    pub id: CaseId,
    pub ticket: Ticket,
}

/// A question we asked and are waiting for an answer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Awaiting {
    /// Which kecamatan the open case is in (the number serves several).
    Kecamatan,
    /// Which kelurahan of this kecamatan the open case is in.
    Kelurahan { kecamatan: JurisdictionPath },
    /// Whether the resolved case is really solved.
    Confirmation { case: OpenCase },
    /// A 1–5 rating of how the case was handled.
    Rating { case: OpenCase },
    /// Whether a message sent to an old or resolved open case adds to it or
    /// is a new report. The message is held here until the answer, then
    /// goes on the case chosen; `before` is the question this one set aside.
    NewOrAddition {
        case: OpenCase,
        held: Box<TimelineEvent>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Box<Awaiting>>,
    },
}

impl Awaiting {
    /// The reporter is asked `next` while `current` waits: it replaces
    /// `current`, except a message held for "new or addition?", which stays
    /// held with `next` behind it, asked once that is answered.
    pub fn asked(current: Option<Awaiting>, next: Awaiting) -> Awaiting {
        match current {
            Some(Awaiting::NewOrAddition { case, held, .. }) => Awaiting::NewOrAddition {
                case,
                held,
                before: Some(Box::new(next)),
            },
            _ => next,
        }
    }
}

/// What the desk remembers about the sender.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<'a> {
    pub open_case: Option<&'a OpenCase>,
    pub awaiting: Option<&'a Awaiting>,
}

impl<'a> State<'a> {
    /// The state a reporter's record holds (none for a first message).
    pub fn of(reporter: Option<&'a Reporter>) -> Self {
        Self {
            open_case: reporter.and_then(|r| r.open_case.as_ref()),
            awaiting: reporter.and_then(|r| r.awaiting.as_ref()),
        }
    }
}

/// What does not change between messages.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub tree: &'a Jurisdictions,
    pub texts: &'a Texts,
    /// The words citizens' messages are read with.
    pub vocabulary: &'a Vocabulary,
    /// The kecamatan the receiving number serves, if it serves one.
    pub receiving_kecamatan: Option<&'a JurisdictionPath>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Open a case with this message as its first content; `question` asks
    /// for the kelurahan when the text did not name one.
    Open {
        kind: CaseKind,
        description: String,
        jurisdiction: Option<JurisdictionPath>,
        home: JurisdictionPath,
        question: Option<(Outbound, Awaiting)>,
    },
    /// Add the message to the open case; optionally reply or ask again.
    Append {
        effect: Effect,
        reply: Option<Outbound>,
        awaiting: Option<Awaiting>,
    },
    /// A command, answered from what the store holds (`BARU <text>` is an
    /// `Open` instead).
    Command(Command),
    /// Answer without touching any case.
    Reply(Outbound),
    /// The message held for "new or addition?" goes first on the case
    /// `then` opens or adds to ([`Awaiting::NewOrAddition`]).
    Held {
        held: Box<TimelineEvent>,
        then: Box<Decision>,
    },
}

impl Decision {
    /// Whether it opens a case (and so counts against the limits on new
    /// reports).
    pub fn opens_case(&self) -> bool {
        match self {
            Decision::Open { .. } => true,
            Decision::Held { then, .. } => then.opens_case(),
            _ => false,
        }
    }
}

/// What an appended message changes on its case, beyond the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Nothing,
    /// The kelurahan (or a node below it) is now known.
    SetArea(JurisdictionPath),
    /// The citizen answered "is it solved?".
    Confirm {
        case: OpenCase,
        solved: bool,
    },
    Rate {
        case: OpenCase,
        rating: u8,
    },
    /// The citizen answered "is it solved?" with neither yes nor no: asked
    /// again, and the wait for their answer starts again (the sweep closes
    /// a resolved case only for no answer).
    AskedAgain {
        case: OpenCase,
    },
}

/// Row and button ids: ours, echoed back by WhatsApp when tapped.
mod ids {
    pub const KECAMATAN_ROW: &str = "kec:";
    pub const KELURAHAN_ROW: &str = "kel:";
    pub const SOLVED_YES: &str = "solved:yes";
    pub const SOLVED_NO: &str = "solved:no";
    pub const RATE_ROW: &str = "rate:";
    pub const ERASE_YES: &str = "erase:yes";
    pub const ERASE_NO: &str = "erase:no";
    pub const ADDITION: &str = "add:case";
    pub const NEW_REPORT: &str = "add:new";
}
use ids::{KECAMATAN_ROW, KELURAHAN_ROW, RATE_ROW, SOLVED_NO, SOLVED_YES};

/// Typed answers shorter than this while we wait for a location are taken as
/// a failed attempt at naming it (asked again); longer ones are more detail.
const SHORT_ANSWER: usize = 40;

/// How much of a message is read for its kind, place, greeting or answer:
/// a citizen says those first, and reading all of a 65,536-character
/// message (what WhatsApp allows) would cost seconds of the webhook's CPU.
/// The case keeps the whole text.
const READ_CHARS: usize = 1_000;

/// The part of `text` that is read: its first [`READ_CHARS`] characters.
pub(crate) fn readable(text: &str) -> &str {
    text.char_indices()
        .nth(READ_CHARS)
        .map_or(text, |(end, _)| &text[..end])
}

pub fn decide(body: &InboundBody, state: State<'_>, ctx: Context<'_>) -> Decision {
    if let Some(decision) = decide_held(body, state, ctx) {
        return decision;
    }
    let text = match body {
        InboundBody::Choice { id, title } => return decide_choice(id, title, state, ctx),
        InboundBody::Content(content) => content.words(),
    };
    let typed = text.filter(|_| matches!(body, InboundBody::Content(MessageContent::Text { .. })));
    match typed.and_then(Command::parse) {
        // A new report right away, whatever case is open.
        Some(Command::New(Some(report))) => return open(&report, ctx),
        Some(command) => return Decision::Command(command),
        None => {}
    }
    let typed = typed.map(|text| (text, readable(text)));
    let reading = typed.map(|(_, head)| ctx.vocabulary.read(head));
    // Before the awaited answer: "sudah sampai mana laporan saya" holds a
    // "sudah" that is no answer to "is it solved?".
    if reading.as_ref().is_some_and(|r| r.asks_status()) {
        return Decision::Command(Command::StatusAll);
    }
    if let (Some(awaiting), Some((_, head))) = (state.awaiting, typed) {
        if let Some(decision) = decide_typed_answer(awaiting, head, state, ctx) {
            return decision;
        }
    }
    let unsupported = matches!(body, InboundBody::Content(MessageContent::Unsupported { .. }));
    match state.open_case {
        Some(_) => Decision::Append {
            effect: Effect::Nothing,
            reply: unsupported.then(|| Outbound::text(&ctx.texts.unsupported)),
            awaiting: state.awaiting.cloned(),
        },
        // Something we cannot read (a reaction, a contact card) starts no case.
        None if unsupported => Decision::Reply(Outbound::text(&ctx.texts.unsupported)),
        // A greeting alone is answered; the report that follows opens the case.
        None if reading.as_ref().is_some_and(|r| r.is_greeting_only()) => {
            Decision::Reply(Outbound::text(&ctx.texts.welcome))
        }
        None => open(text.unwrap_or_default(), ctx),
    }
}

/// The answer to "new report or addition?", or what comes instead: the
/// held message goes on a new case for `BARU` or the new-report button
/// (or when the case it was meant for closed meanwhile), else on the open
/// case, with this message read as it would be without the question.
/// Other commands (and the status asked in words) are answered as always
/// while the question waits: `None`.
fn decide_held(body: &InboundBody, state: State<'_>, ctx: Context<'_>) -> Option<Decision> {
    let Some(Awaiting::NewOrAddition { held, before, .. }) = state.awaiting else {
        return None;
    };
    let command = match body {
        InboundBody::Content(MessageContent::Text { body }) => Command::parse(body),
        _ => None,
    };
    let then = match (body, command) {
        (_, Some(Command::New(Some(report)))) => open(&report, ctx),
        (_, Some(Command::New(None))) => open(held_text(held), ctx),
        (_, Some(_)) => return None,
        (InboundBody::Choice { id, .. }, _) if id == ids::NEW_REPORT => open(held_text(held), ctx),
        _ if state.open_case.is_none() => open(held_text(held), ctx),
        (InboundBody::Choice { id, .. }, _) if id == ids::ADDITION => {
            let ticket = &state.open_case?.ticket;
            let thanks = crate::texts::render(&ctx.texts.followup_received, &[("ticket", ticket.as_str())]);
            Decision::Append {
                effect: Effect::Nothing,
                reply: Some(Outbound::text(thanks)),
                awaiting: before.as_deref().cloned(),
            }
        }
        _ => decide(
            body,
            State {
                awaiting: before.as_deref(),
                ..state
            },
            ctx,
        ),
    };
    matches!(then, Decision::Open { .. } | Decision::Append { .. }).then(|| Decision::Held {
        held: held.clone(),
        then: Box::new(then),
    })
}

/// What a held message says in words: its text, or a file's caption.
fn held_text(held: &TimelineEvent) -> &str {
    match &held.body {
        crate::domain::timeline::EventBody::Message { content, .. } => content.words().unwrap_or_default(),
        _ => "",
    }
}

/// A new case from `text`. The description is the text as the citizen wrote
/// it, greeting included (officials read the citizen's own words); the kind
/// is read without the greeting. A kelurahan of another kecamatan than the
/// number's, named outright, is where the report goes.
fn open(text: &str, ctx: Context<'_>) -> Decision {
    let home = ctx.tree.home_for(ctx.receiving_kecamatan);
    let head = readable(text);
    let found = ctx
        .tree
        .match_kelurahan(head, ctx.receiving_kecamatan)
        .found()
        .or_else(|| {
            ctx.receiving_kecamatan?;
            ctx.tree.match_kelurahan(head, None).found()
        });
    let question = match found {
        Some(_) => None,
        None => Some(location_question(ctx, ctx.receiving_kecamatan, None)),
    };
    Decision::Open {
        kind: ctx.vocabulary.read(head).kind(),
        description: text.trim().to_owned(),
        jurisdiction: found.map(|node| node.path.clone()),
        home,
        question,
    }
}

/// The list that asks where: the kelurahan of one kecamatan, or first the
/// kecamatan when the number serves several. `prefix` goes before the
/// question (e.g. "not recognised").
pub fn location_question(
    ctx: Context<'_>,
    kecamatan: Option<&JurisdictionPath>,
    prefix: Option<&str>,
) -> (Outbound, Awaiting) {
    let texts = ctx.texts;
    let with_prefix = |question: &str| match prefix {
        Some(p) => format!("{p}\n{question}"),
        None => question.to_owned(),
    };
    match kecamatan {
        Some(kec) => {
            let rows = ctx
                .tree
                .kelurahan_of(kec)
                .into_iter()
                .map(|n| (format!("{KELURAHAN_ROW}{}", n.path), n.name.clone()))
                .collect();
            (
                list_or_text(&with_prefix(&texts.ask_kelurahan), &texts.list_button, rows),
                Awaiting::Kelurahan {
                    kecamatan: kec.clone(),
                },
            )
        }
        None => {
            let rows = ctx
                .tree
                .kecamatan()
                .map(|n| (format!("{KECAMATAN_ROW}{}", n.path), n.name.clone()))
                .collect();
            (
                list_or_text(
                    &with_prefix(&texts.ask_kecamatan),
                    &texts.list_button_kecamatan,
                    rows,
                ),
                Awaiting::Kecamatan,
            )
        }
    }
}

/// A list when it fits WhatsApp's 10 rows; a numbered text otherwise (a
/// typed name or number answers both).
fn list_or_text(body: &str, button: &str, rows: Vec<(String, String)>) -> Outbound {
    let numbered = || {
        let mut text = body.to_owned();
        for (n, (_, name)) in rows.iter().enumerate() {
            text.push_str(&format!("\n{}. {name}", n + 1));
        }
        Outbound::text(text)
    };
    Outbound::list(body, button, rows.clone()).unwrap_or_else(|_| numbered())
}

fn decide_choice(id: &str, title: &str, state: State<'_>, ctx: Context<'_>) -> Decision {
    let append = |effect, reply, awaiting| Decision::Append {
        effect,
        reply,
        awaiting,
    };
    let texts = ctx.texts;
    // Whatever the desk waits for: the answer to `HAPUS DATA`.
    match id {
        ids::ERASE_YES => return Decision::Command(Command::EraseConfirmed),
        ids::ERASE_NO => return Decision::Reply(Outbound::text(&texts.erase_cancelled)),
        _ => {}
    }
    if let (Some(kec), Some(_)) = (
        row_node(id, KECAMATAN_ROW, NodeKind::Kecamatan, ctx),
        state.open_case,
    ) {
        let (question, awaiting) = location_question(ctx, Some(&kec.path), None);
        return append(Effect::Nothing, Some(question), Some(awaiting));
    }
    if let (Some(node), Some(case)) = (
        row_node(id, KELURAHAN_ROW, NodeKind::Kelurahan, ctx),
        state.open_case,
    ) {
        return area_set(node, case, ctx);
    }
    match (id, state.awaiting) {
        (SOLVED_YES | SOLVED_NO, Some(Awaiting::Confirmation { case })) => {
            confirmation(case.clone(), id == SOLVED_YES, ctx)
        }
        (rate, Some(Awaiting::Rating { case })) if rate.starts_with(RATE_ROW) => {
            match rate[RATE_ROW.len()..].parse::<u8>() {
                Ok(rating @ 1..=5) => rating_given(case.clone(), rating, ctx),
                _ => Decision::Reply(Outbound::text(&texts.help)),
            }
        }
        // A quick-reply button of a template comes back with its text.
        (_, Some(Awaiting::Confirmation { case })) => {
            let read = |text: &str| ctx.vocabulary.read(text).yes_or_no();
            match read(title).or_else(|| read(id)) {
                Some(solved) => confirmation(case.clone(), solved, ctx),
                None => confirm_again(case, ctx),
            }
        }
        // A tap on an old message: keep what it said, change nothing.
        _ => match state.open_case {
            Some(_) => append(Effect::Nothing, None, state.awaiting.cloned()),
            None => Decision::Reply(Outbound::text(&texts.help)),
        },
    }
}

/// The node a tapped row names, if it is of the kind its list offers: a
/// kecamatan for `kec:`, a kelurahan for `kel:`. The id comes back from the
/// citizen's side and can be written by hand, so a path to the kota, a
/// kecamatan or an agency (`kel:bukittinggi/dinas/pupr`) is no answer. A
/// kelurahan of another kecamatan's list is one, as its name typed would be.
fn row_node<'t>(id: &str, row: &str, kind: NodeKind, ctx: Context<'t>) -> Option<&'t Node> {
    let path = JurisdictionPath::parse(id.strip_prefix(row)?).ok()?;
    ctx.tree.node(&path).filter(|node| node.kind == kind)
}

fn decide_typed_answer(
    awaiting: &Awaiting,
    text: &str,
    state: State<'_>,
    ctx: Context<'_>,
) -> Option<Decision> {
    match awaiting {
        // Judged on the whole message; an unclear one is asked again.
        Awaiting::Confirmation { case } => Some(match ctx.vocabulary.read(text).yes_or_no() {
            Some(solved) => confirmation(case.clone(), solved, ctx),
            None => confirm_again(case, ctx),
        }),
        Awaiting::Rating { case } => {
            let rating = text.trim().trim_end_matches(['.', '!']).parse::<u8>().ok()?;
            (1..=5)
                .contains(&rating)
                .then(|| rating_given(case.clone(), rating, ctx))
        }
        Awaiting::Kelurahan { kecamatan } => {
            let case = state.open_case?;
            let options = ctx.tree.kelurahan_of(kecamatan);
            let chosen = choose_by_number(&options, text)
                .or_else(|| ctx.tree.match_kelurahan(text, Some(kecamatan)).found())
                // A kelurahan of another kecamatan, named outright, is an answer too.
                .or_else(|| ctx.tree.match_kelurahan(text, None).found());
            match chosen {
                Some(node) => Some(area_set(node, case, ctx)),
                None => ask_again(text, Some(kecamatan), ctx),
            }
        }
        // Read in `decide_held`, before anything else.
        Awaiting::NewOrAddition { .. } => None,
        Awaiting::Kecamatan => {
            let case = state.open_case?;
            if let Some(node) = ctx.tree.match_kelurahan(text, None).found() {
                return Some(area_set(node, case, ctx));
            }
            let options: Vec<&Node> = ctx.tree.kecamatan().collect();
            let kec = choose_by_number(&options, text).or_else(|| match ctx.tree.match_kecamatan(text) {
                NodeMatch::Found(node) => Some(node),
                _ => None,
            });
            match kec {
                Some(kec) => {
                    let (question, awaiting) = location_question(ctx, Some(&kec.path), None);
                    Some(Decision::Append {
                        effect: Effect::Nothing,
                        reply: Some(question),
                        awaiting: Some(awaiting),
                    })
                }
                None => ask_again(text, None, ctx),
            }
        }
    }
}

/// A short unrecognised answer gets the question again; a long one is
/// further detail about the report, kept without asking.
fn ask_again(text: &str, kecamatan: Option<&JurisdictionPath>, ctx: Context<'_>) -> Option<Decision> {
    if text.chars().count() > SHORT_ANSWER {
        return None;
    }
    let (question, awaiting) = location_question(ctx, kecamatan, Some(&ctx.texts.not_recognised));
    Some(Decision::Append {
        effect: Effect::Nothing,
        reply: Some(question),
        awaiting: Some(awaiting),
    })
}

fn area_set(node: &Node, case: &OpenCase, ctx: Context<'_>) -> Decision {
    Decision::Append {
        effect: Effect::SetArea(node.path.clone()),
        reply: Some(Outbound::text(replies::kelurahan_set(ctx, &case.ticket, node))),
        awaiting: None,
    }
}

fn confirmation(case: OpenCase, solved: bool, ctx: Context<'_>) -> Decision {
    let texts = ctx.texts;
    let reply = if solved {
        replies::rating_question(texts, &case.ticket)
    } else {
        Outbound::text(crate::texts::render(
            &texts.confirm_no,
            &[("ticket", case.ticket.as_str())],
        ))
    };
    let awaiting = solved.then(|| Awaiting::Rating { case: case.clone() });
    Decision::Append {
        effect: Effect::Confirm { case, solved },
        reply: Some(reply),
        awaiting,
    }
}

fn rating_given(case: OpenCase, rating: u8, ctx: Context<'_>) -> Decision {
    let thanks = crate::texts::render(&ctx.texts.rating_thanks, &[("rating", &rating.to_string())]);
    Decision::Append {
        effect: Effect::Rate { case, rating },
        reply: Some(Outbound::text(thanks)),
        awaiting: None,
    }
}

/// "Is it solved?" again, with its buttons, after an answer that said
/// neither: never swallowed, never taken for a yes.
fn confirm_again(case: &OpenCase, ctx: Context<'_>) -> Decision {
    Decision::Append {
        effect: Effect::AskedAgain { case: case.clone() },
        reply: Some(replies::confirm_again(ctx.texts, &case.ticket)),
        awaiting: Some(Awaiting::Confirmation { case: case.clone() }),
    }
}

#[cfg(test)]
mod tests;
