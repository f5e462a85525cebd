//! The corpus of citizens' messages (`tests/corpus/messages.tsv`), read the
//! way the desk reads them: accuracy per category, printed with the misses
//! (`cargo test -p aduan-shared --test corpus -- --nocapture`), and a floor
//! per category below which the test fails. The figures and the known
//! misses are in docs/conversation.md.

use std::collections::BTreeMap;

use aduan_shared::conversation::{Command, TicketArg};
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::language::Vocabulary;

/// The corpus the vocabulary was tuned on, and messages written after it
/// (never tuned on), reported apart as well.
const CORPUS: &str = include_str!("corpus/messages.tsv");
const FRESH: &str = include_str!("corpus/fresh.tsv");

/// The lowest accuracy each category (both files together) may fall to: a
/// little under what was measured (docs/conversation.md), so that a change
/// to the vocabulary or the matcher that loses messages fails here.
const FLOORS: &[(&str, f64)] = &[
    ("kind", 0.88),
    ("kel", 0.92),
    ("landmark", 0.95),
    ("greeting", 0.93),
    ("status", 0.95),
    ("answer", 0.95),
];

struct Row<'c> {
    file: &'c str,
    line: usize,
    category: &'c str,
    expected: Vec<(&'c str, &'c str)>,
    message: &'c str,
}

fn rows(file: &'static str, corpus: &'static str) -> Vec<Row<'static>> {
    corpus
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(i, line)| {
            let mut columns = line.splitn(3, '\t');
            let (Some(category), Some(expected), Some(message)) =
                (columns.next(), columns.next(), columns.next())
            else {
                panic!("line {}: not category<TAB>expected<TAB>message", i + 1)
            };
            let expected = expected
                .split(' ')
                .map(|pair| {
                    pair.split_once('=')
                        .unwrap_or_else(|| panic!("line {}: {pair:?} is not key=value", i + 1))
                })
                .collect();
            Row {
                file,
                line: i + 1,
                category,
                expected,
                message,
            }
        })
        .collect()
}

/// What the desk reads for `key` in `message`.
fn read(key: &str, message: &str) -> String {
    let vocabulary = Vocabulary::shipped();
    let reading = vocabulary.read(message);
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    match key {
        "kind" => reading.kind().as_str().to_owned(),
        "kel" => Jurisdictions::bukittinggi()
            .match_kelurahan(message, None)
            .found()
            .map_or("-".to_owned(), |node| node.slug().to_owned()),
        "greeting" => yes_no(reading.is_greeting_only()),
        // `STATUS`, `CEK` and `STATUS ADU-0042` typed as commands count; a
        // command with no ticket it can read ("cek laporan") is answered with
        // an example of a ticket, not the status.
        "status" => yes_no(
            matches!(
                Command::parse(message),
                Some(Command::StatusAll | Command::Status(TicketArg::Valid(_)))
            ) || reading.asks_status(),
        ),
        "answer" => match reading.yes_or_no() {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unclear",
        }
        .to_owned(),
        other => panic!("unknown key {other:?}"),
    }
}

/// Right and total per category, and the misses.
fn score(rows: &[Row<'static>]) -> (BTreeMap<&'static str, (usize, usize)>, Vec<String>) {
    let mut tally: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for row in rows {
        let wrong: Vec<String> = row
            .expected
            .iter()
            .filter_map(|(key, want)| {
                let got = read(key, row.message);
                (got != *want).then(|| format!("{key}: {got} (expected {want})"))
            })
            .collect();
        let entry = tally.entry(row.category).or_default();
        entry.1 += 1;
        if wrong.is_empty() {
            entry.0 += 1;
        } else {
            misses.push(format!(
                "{}:{} [{}] {:?}: {}",
                row.file,
                row.line,
                row.category,
                row.message,
                wrong.join(", ")
            ));
        }
    }
    (tally, misses)
}

fn print(title: &str, tally: &BTreeMap<&str, (usize, usize)>, misses: &[String]) {
    println!("{title}\ncategory   right/total  accuracy");
    for (category, (right, total)) in tally {
        println!(
            "{category:<10} {right:>5}/{total:<5}  {:.1}%",
            100.0 * *right as f64 / *total as f64
        );
    }
    println!("misses:");
    for miss in misses {
        println!("  {miss}");
    }
}

#[test]
fn the_corpus_is_read_as_citizens_meant_it() {
    let (tuned, fresh) = (rows("messages.tsv", CORPUS), rows("fresh.tsv", FRESH));
    let (fresh_tally, fresh_misses) = score(&fresh);
    print("fresh.tsv (never tuned on)", &fresh_tally, &fresh_misses);
    let all: Vec<Row<'static>> = tuned.into_iter().chain(fresh).collect();
    assert!(all.len() >= 200, "the corpus has {} messages", all.len());
    let (tally, misses) = score(&all);
    print("\nboth files", &tally, &misses);
    for (category, floor) in FLOORS {
        let (right, total) = tally
            .get(category)
            .copied()
            .unwrap_or_else(|| panic!("no {category} rows"));
        let accuracy = right as f64 / total as f64;
        assert!(
            accuracy >= *floor,
            "{category}: {:.1}% is below the floor of {:.1}%",
            100.0 * accuracy,
            100.0 * floor
        );
    }
    assert_eq!(tally.len(), FLOORS.len(), "every category has a floor");
}
