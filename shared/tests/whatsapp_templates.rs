//! docs/whatsapp-templates.md is what a city submits to Meta: it must list
//! exactly the templates the code sends, each with the parameters in the
//! order the code fills them, its buttons and its variable.

use aduan_shared::notify::templates::{Param, TemplateKind, NOTE_CHARS};

const DOC: &str = include_str!("../../docs/whatsapp-templates.md");
/// Meta's limit on a template's body, parameters filled in.
const META_BODY_CHARS: usize = 1024;

fn param_name(param: Param) -> &'static str {
    match param {
        Param::Ticket => "ticket",
        Param::Office => "office",
        Param::Note => "note",
    }
}

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

#[test]
fn every_template_the_code_sends_is_documented_as_it_fills_it() {
    for kind in TemplateKind::ALL {
        let name = kind.default_name();
        let section = section(name);
        let params: Vec<&str> = kind.params().iter().map(|p| param_name(*p)).collect();
        let listed = params
            .iter()
            .map(|p| format!("`{p}`"))
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
        let longest = body.chars().count()
            + kind
                .params()
                .iter()
                .map(|p| match p {
                    Param::Note => NOTE_CHARS,
                    Param::Office => 80,
                    Param::Ticket => 18,
                })
                .sum::<usize>();
        assert!(
            longest <= META_BODY_CHARS,
            "{name}: up to {longest} characters filled in"
        );
        let buttons = kind.buttons();
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
            DOC.contains(&format!("| `{name}` | `{}` |", kind.variable())),
            "{name}: its variable in the table"
        );
    }
}

#[test]
fn the_page_lists_no_template_the_code_does_not_send() {
    let documented: Vec<&str> = DOC
        .lines()
        .filter_map(|line| line.strip_prefix("## `")?.strip_suffix('`'))
        .collect();
    let sent: Vec<&str> = TemplateKind::ALL.iter().map(|k| k.default_name()).collect();
    assert_eq!(documented, sent);
}
