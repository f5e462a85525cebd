//! docs/whatsapp-templates.md is what a city submits to Meta: it must list
//! exactly the templates the code sends (the citizens' and the officials'
//! notice), each with the parameters in the order the code fills them, its
//! buttons and its variable.

use aduan_shared::notify::official_digest::{self, DigestParam};
use aduan_shared::notify::officials::{self, NoticeParam};
use aduan_shared::notify::templates::{Param, TemplateKind, NOTE_CHARS};

const DOC: &str = include_str!("../../docs/whatsapp-templates.md");
/// Meta's limit on a template's body, parameters filled in.
const META_BODY_CHARS: usize = 1024;

/// The section of the page headed with the template's name.
fn section(name: &str) -> &'static str {
    let heading = format!("## `{name}`\n");
    let start = DOC
        .find(&heading)
        .unwrap_or_else(|| panic!("no section for {name}"));
    let rest = &DOC[start + heading.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

fn body(section: &str) -> String {
    let start = section.find("```text\n").expect("a body") + "```text\n".len();
    let end = start + section[start..].find("```").expect("the body's end");
    section[start..end]
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// One template's section and its row in the variables' table: its
/// parameters in order (with the longest each may be filled with), its
/// buttons and its variable.
fn check(name: &str, params: &[(&str, usize)], buttons: &[&str], variable: &str) {
    let section = section(name);
    let listed = params
        .iter()
        .map(|(p, _)| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    assert!(
        section.contains(&format!("- Parameters: {listed}\n")),
        "{name}: parameters should read {listed}"
    );
    let body = body(section);
    for n in 1..=params.len() {
        assert_eq!(
            body.matches(&format!("{{{{{n}}}}}")).count(),
            1,
            "{name}: {{{{{n}}}}} once"
        );
    }
    assert!(
        !body.contains(&format!("{{{{{}}}}}", params.len() + 1)),
        "{name}: no extra parameter"
    );
    // Meta refuses a body that starts or ends with a parameter.
    assert!(
        !body.starts_with("{{") && !body.ends_with("}}"),
        "{name}: text around the parameters"
    );
    let longest = body.chars().count() + params.iter().map(|(_, max)| max).sum::<usize>();
    assert!(
        longest <= META_BODY_CHARS,
        "{name}: up to {longest} characters filled in"
    );
    if buttons.is_empty() {
        assert!(!section.contains("Buttons"), "{name}: no buttons in the code");
    } else {
        let listed = buttons
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            section.contains(&format!("- Buttons (quick reply): {listed}")),
            "{name}: buttons {listed}"
        );
    }
    assert!(
        DOC.contains(&format!("| `{name}` | `{variable}` |")),
        "{name}: its variable in the table"
    );
}

#[test]
fn every_template_the_code_sends_is_documented_as_it_fills_it() {
    for kind in TemplateKind::ALL {
        let params: Vec<(&str, usize)> = kind
            .params()
            .iter()
            .map(|p| match p {
                Param::Ticket => ("ticket", 18),
                Param::Office => ("office", 80),
                Param::Note => ("note", NOTE_CHARS),
            })
            .collect();
        check(kind.default_name(), &params, kind.buttons(), kind.variable());
        assert_eq!(
            section(kind.default_name()).contains("- Header: IMAGE"),
            kind.has_image_header(),
            "{}: its header",
            kind.default_name()
        );
    }
}

#[test]
fn the_officials_notice_is_documented_as_it_is_filled() {
    let params: Vec<(&str, usize)> = officials::PARAMS
        .iter()
        .map(|p| match p {
            NoticeParam::Ticket => ("ticket", 18),
            NoticeParam::Reason => ("reason", 120),
            NoticeParam::Kelurahan => ("kelurahan", 80),
            NoticeParam::Kind => ("kind", 20),
            NoticeParam::Category => ("category", 64),
            NoticeParam::Deadline => ("deadline", 20),
            NoticeParam::Text => ("text", officials::TEXT_CHARS),
            // Three tickets, then the GABUNG of two.
            NoticeParam::Similar => ("similar", officials::SIMILAR_SHOWN * 20 + 60),
        })
        .collect();
    let buttons: Vec<&str> = officials::BUTTONS.iter().map(|(label, _)| *label).collect();
    check(
        officials::DEFAULT_TEMPLATE,
        &params,
        &buttons,
        officials::TEMPLATE_VARIABLE,
    );
    for (_, action) in officials::BUTTONS {
        assert!(
            section(officials::DEFAULT_TEMPLATE).contains(&format!("`off:{action}:<ticket>`")),
            "the payload of {action}"
        );
    }
}

#[test]
fn the_officials_digest_is_documented_as_it_is_filled() {
    let params: Vec<(&str, usize)> = official_digest::PARAMS
        .iter()
        .map(|p| match p {
            DigestParam::Office => ("office", 80),
            DigestParam::Day => ("day", 10),
            DigestParam::New => ("new", 6),
            DigestParam::Open => ("open", 6),
            DigestParam::Overdue => ("overdue", 6),
            DigestParam::Resolved => ("resolved", 6),
            DigestParam::Urgent => ("urgent", 3 * 40),
        })
        .collect();
    check(
        official_digest::DEFAULT_TEMPLATE,
        &params,
        &[official_digest::BUTTON.0],
        official_digest::TEMPLATE_VARIABLE,
    );
    assert!(
        section(official_digest::DEFAULT_TEMPLATE)
            .contains(&format!("payload `{}`", official_digest::BUTTON.1)),
        "the payload of Daftar"
    );
}

#[test]
fn the_page_lists_no_template_the_code_does_not_send() {
    let documented: Vec<&str> = DOC
        .lines()
        .filter_map(|line| line.strip_prefix("## `")?.strip_suffix('`'))
        .collect();
    let mut sent: Vec<&str> = TemplateKind::ALL.iter().map(|k| k.default_name()).collect();
    sent.push(officials::DEFAULT_TEMPLATE);
    sent.push(official_digest::DEFAULT_TEMPLATE);
    assert_eq!(documented, sent);
}
