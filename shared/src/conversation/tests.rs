use super::*;
use crate::domain::language::Vocabulary;
use crate::domain::timeline::MediaType;
use crate::whatsapp::outbound::Outbound;

fn tree() -> &'static Jurisdictions {
    Jurisdictions::bukittinggi()
}

fn path(p: &str) -> JurisdictionPath {
    JurisdictionPath::parse(p).unwrap()
}

const MKS: &str = "bukittinggi/mandiangin-koto-selayan";
const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

fn text(body: &str) -> InboundBody {
    InboundBody::Content(MessageContent::Text { body: body.into() })
}

fn choice(id: &str) -> InboundBody {
    InboundBody::Choice {
        id: id.into(),
        title: "x".into(),
    }
}

fn open_case() -> OpenCase {
    OpenCase {
        id: CaseId::parse("01KB0000000000000000000000").unwrap(),
        ticket: Ticket::parse("ADU-0042").unwrap(),
    }
}

fn with<'a>(texts: &'a Texts, kec: Option<&'a JurisdictionPath>) -> Context<'a> {
    Context {
        tree: tree(),
        texts,
        vocabulary: Vocabulary::shipped(),
        receiving_kecamatan: kec,
    }
}

#[test]
fn a_first_message_naming_its_kelurahan_opens_a_case_there() {
    let texts = Texts::shipped();
    let d = decide(
        &text("Saran: lampu jalan di kel. Garegeh mati"),
        State::default(),
        with(&texts, None),
    );
    let Decision::Open {
        kind,
        jurisdiction,
        home,
        question,
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(kind, CaseKind::Saran);
    assert_eq!(jurisdiction, Some(path(GAREGEH)));
    assert_eq!(home, path("bukittinggi"));
    assert_eq!(question, None);
}

#[test]
fn without_a_kelurahan_the_number_decides_what_is_asked() {
    let texts = Texts::shipped();
    let mks = path(MKS);
    // A number serving one kecamatan: one list of its kelurahan.
    let d = decide(
        &text("Jalan berlubang dekat masjid"),
        State::default(),
        with(&texts, Some(&mks)),
    );
    let Decision::Open {
        jurisdiction: None,
        home,
        question: Some((list, awaiting)),
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(home, mks);
    assert_eq!(
        awaiting,
        Awaiting::Kelurahan {
            kecamatan: mks.clone()
        }
    );
    let Outbound::List { rows, .. } = &list else {
        panic!("{list:?}")
    };
    assert_eq!(rows.len(), 9);
    // A number serving the whole kota: first the kecamatan.
    let d = decide(
        &text("Jalan berlubang dekat masjid"),
        State::default(),
        with(&texts, None),
    );
    let Decision::Open {
        question: Some((Outbound::List { rows, .. }, Awaiting::Kecamatan)),
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(rows.len(), 3);
}

#[test]
fn the_chosen_row_or_a_typed_name_or_number_sets_the_kelurahan() {
    let texts = Texts::shipped();
    let case = open_case();
    let mks = path(MKS);
    let awaiting = Awaiting::Kelurahan {
        kecamatan: mks.clone(),
    };
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&awaiting),
    };
    let ctx = with(&texts, Some(&mks));
    for answer in [choice(&format!("kel:{GAREGEH}")), text("garegeh"), text("3")] {
        let d = decide(&answer, state, ctx);
        let Decision::Append {
            effect: Effect::SetArea(p),
            reply: Some(reply),
            awaiting: None,
        } = d
        else {
            panic!("{d:?}")
        };
        assert_eq!(p, path(GAREGEH));
        assert!(reply.as_plain_text().contains("Kelurahan Garegeh"));
        assert!(!reply.as_plain_text().contains("termasuk"));
    }
    // Local spelling of a kelurahan of another kecamatan still counts, and
    // the reply says where it belongs.
    let d = decide(&text("Kubu Tanjuang"), state, ctx);
    let Decision::Append {
        effect: Effect::SetArea(p),
        reply: Some(reply),
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert!(p.as_str().ends_with("kubu-tanjung"));
    assert!(
        reply
            .as_plain_text()
            .contains("Kelurahan Kubu Tanjung termasuk Kecamatan Aur Birugo Tigo Baleh"),
        "{reply:?}"
    );
    // A short unknown answer: asked again; a long one: more detail, kept.
    let d = decide(&text("dekat pasar"), state, ctx);
    let Decision::Append {
        effect: Effect::Nothing,
        reply: Some(again),
        awaiting: Some(_),
    } = d
    else {
        panic!("{d:?}")
    };
    assert!(again.as_plain_text().starts_with(&texts.not_recognised));
    let long = "lubangnya sudah dua minggu dan makin besar setiap hujan turun";
    let d = decide(&text(long), state, ctx);
    assert!(
        matches!(
            d,
            Decision::Append {
                effect: Effect::Nothing,
                reply: None,
                awaiting: Some(_)
            }
        ),
        "{d:?}"
    );
}

#[test]
fn kecamatan_first_then_kelurahan() {
    let texts = Texts::shipped();
    let case = open_case();
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&Awaiting::Kecamatan),
    };
    let d = decide(
        &choice("kec:bukittinggi/guguk-panjang"),
        state,
        with(&texts, None),
    );
    let Decision::Append {
        effect: Effect::Nothing,
        reply: Some(Outbound::List { rows, .. }),
        awaiting: Some(a),
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(rows.len(), 7);
    assert_eq!(
        a,
        Awaiting::Kelurahan {
            kecamatan: path("bukittinggi/guguk-panjang")
        }
    );
    // Typed: "Guguak Panjang" (local spelling), or "2".
    for typed in ["Guguak Panjang", "2"] {
        let d = decide(&text(typed), state, with(&texts, None));
        assert!(
            matches!(
                d,
                Decision::Append {
                    awaiting: Some(Awaiting::Kelurahan { .. }),
                    ..
                }
            ),
            "{typed}: {d:?}"
        );
    }
}

/// docs/security.md, "List replies naming any node of the tree": a row id
/// comes back from the citizen's phone and can be written by hand. Only a
/// kelurahan sets the area, only a kecamatan asks for its kelurahan.
#[test]
fn a_row_naming_a_node_no_list_offers_changes_nothing() {
    let texts = Texts::shipped();
    let case = open_case();
    let mks = path(MKS);
    let awaiting = Awaiting::Kelurahan {
        kecamatan: mks.clone(),
    };
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&awaiting),
    };
    let ctx = with(&texts, Some(&mks));
    let unchanged = Decision::Append {
        effect: Effect::Nothing,
        reply: None,
        awaiting: Some(awaiting.clone()),
    };
    for forged in [
        "kel:bukittinggi",
        "kel:bukittinggi/dinas/pupr",
        &format!("kel:{MKS}"),
        "kec:bukittinggi",
        "kec:bukittinggi/dinas/dishub",
        &format!("kec:{GAREGEH}"),
    ] {
        assert!(tree().contains(&path(&forged[4..])), "{forged} is a real node");
        assert_eq!(decide(&choice(forged), state, ctx), unchanged, "{forged}");
    }
    // The rows the lists offer still answer, a kelurahan of another list too.
    let other = "bukittinggi/guguk-panjang/benteng-pasar-atas";
    assert!(matches!(
        decide(&choice(&format!("kel:{other}")), state, ctx),
        Decision::Append { effect: Effect::SetArea(p), .. } if p.as_str() == other
    ));
    assert!(matches!(
        decide(&choice(&format!("kec:{MKS}")), state, ctx),
        Decision::Append {
            awaiting: Some(Awaiting::Kelurahan { .. }),
            ..
        }
    ));
}

#[test]
fn follow_ups_join_the_open_case_without_a_reply() {
    let texts = Texts::shipped();
    let case = open_case();
    let state = State {
        open_case: Some(&case),
        awaiting: None,
    };
    let photo = InboundBody::Content(MessageContent::Media {
        media_type: MediaType::Image,
        media_id: "m1".into(),
        mime_type: Some("image/jpeg".into()),
        caption: None,
        url: None,
    });
    let location = InboundBody::Content(MessageContent::Location {
        latitude: -0.3,
        longitude: 100.4,
        name: None,
        address: None,
    });
    for body in [photo, location, text("tambahan: sudah 2 minggu")] {
        let d = decide(&body, state, with(&texts, None));
        assert_eq!(
            d,
            Decision::Append {
                effect: Effect::Nothing,
                reply: None,
                awaiting: None
            }
        );
    }
    let unsupported = InboundBody::Content(MessageContent::Unsupported {
        message_type: "contacts".into(),
    });
    let d = decide(&unsupported, state, with(&texts, None));
    assert!(matches!(d, Decision::Append { reply: Some(_), .. }));
    let d = decide(&unsupported, State::default(), with(&texts, None));
    assert!(
        matches!(d, Decision::Reply(_)),
        "an unreadable first message opens no case"
    );
}

#[test]
fn commands_are_recognised_before_anything_else() {
    let texts = Texts::shipped();
    let case = open_case();
    let awaiting = Awaiting::Kecamatan;
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&awaiting),
    };
    assert_eq!(
        decide(&text("STATUS"), state, with(&texts, None)),
        Decision::Command(Command::StatusAll)
    );
    assert_eq!(
        decide(&text("BARU"), State::default(), with(&texts, None)),
        Decision::Command(Command::New(None))
    );
}

#[test]
fn confirmation_and_rating() {
    let texts = Texts::shipped();
    let case = open_case();
    let asked = Awaiting::Confirmation { case: case.clone() };
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&asked),
    };
    let template_button = InboundBody::Choice {
        id: "Ya, sudah selesai".into(),
        title: "Ya, sudah selesai".into(),
    };
    for yes in [choice("solved:yes"), text("Ya, sudah"), template_button] {
        let d = decide(&yes, state, with(&texts, None));
        let Decision::Append {
            effect: Effect::Confirm { solved: true, .. },
            reply: Some(r),
            awaiting: Some(Awaiting::Rating { .. }),
        } = d
        else {
            panic!("{d:?}")
        };
        r.check_limits().unwrap();
    }
    for no in [choice("solved:no"), text("belum, masih rusak")] {
        let d = decide(&no, state, with(&texts, None));
        assert!(
            matches!(
                d,
                Decision::Append {
                    effect: Effect::Confirm { solved: false, .. },
                    awaiting: None,
                    ..
                }
            ),
            "{d:?}"
        );
    }
    let rating = Awaiting::Rating { case: case.clone() };
    let state = State {
        open_case: None,
        awaiting: Some(&rating),
    };
    for given in [choice("rate:4"), text("4")] {
        let d = decide(&given, state, with(&texts, None));
        assert!(
            matches!(
                d,
                Decision::Append {
                    effect: Effect::Rate { rating: 4, .. },
                    awaiting: None,
                    ..
                }
            ),
            "{d:?}"
        );
    }
    // Out of range: not a rating; with no open case it opens a new report.
    assert!(matches!(
        decide(&text("9"), state, with(&texts, None)),
        Decision::Open { .. }
    ));
    assert!(matches!(
        decide(&choice("rate:9"), state, with(&texts, None)),
        Decision::Reply(_)
    ));
}

#[test]
fn a_greeting_alone_is_welcomed_and_opens_no_case() {
    let texts = Texts::shipped();
    for greeting in ["Assalamualaikum pak", "selamat pagi", "halo min", "P", "pagi bu"] {
        assert_eq!(
            decide(&text(greeting), State::default(), with(&texts, None)),
            Decision::Reply(Outbound::text(&texts.welcome)),
            "{greeting:?}"
        );
    }
    // Before a report, the greeting stays in the description and has no say in the kind.
    let d = decide(
        &text("Assalamualaikum pak, apa kabar. Lampu jalan mati di Garegeh"),
        State::default(),
        with(&texts, None),
    );
    let Decision::Open {
        kind,
        description,
        jurisdiction,
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(kind, CaseKind::Pengaduan);
    assert_eq!(
        description,
        "Assalamualaikum pak, apa kabar. Lampu jalan mati di Garegeh"
    );
    assert_eq!(jurisdiction, Some(path(GAREGEH)));
}

#[test]
fn the_status_asked_in_words_is_the_status_command() {
    let texts = Texts::shipped();
    let case = open_case();
    let asked = Awaiting::Confirmation { case: case.clone() };
    for state in [
        State::default(),
        State {
            open_case: Some(&case),
            awaiting: Some(&asked),
        },
    ] {
        for words in [
            "statusnya gimana?",
            "sudah sampai mana laporan saya",
            "baa kaba laporan ambo",
        ] {
            assert_eq!(
                decide(&text(words), state, with(&texts, None)),
                Decision::Command(Command::StatusAll),
                "{words:?}"
            );
        }
    }
}

#[test]
fn an_unclear_answer_is_asked_again_with_the_buttons() {
    let texts = Texts::shipped();
    let case = open_case();
    let asked = Awaiting::Confirmation { case: case.clone() };
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&asked),
    };
    for unclear in [
        "belum sdh",
        "tidak tahu pak",
        "ada lagi, lampu jalan mati di birugo",
    ] {
        let d = decide(&text(unclear), state, with(&texts, None));
        assert_eq!(
            d,
            Decision::Append {
                effect: Effect::AskedAgain { case: case.clone() },
                reply: Some(replies::confirm_again(&texts, &case.ticket)),
                awaiting: Some(asked.clone()),
            },
            "{unclear:?}"
        );
    }
    for (answer, solved) in [
        ("sdh pak", true),
        ("alhamdulillah sudah", true),
        ("alun", false),
        ("masih rusak", false),
    ] {
        let d = decide(&text(answer), state, with(&texts, None));
        assert!(
            matches!(d, Decision::Append { effect: Effect::Confirm { solved: s, .. }, .. } if s == solved),
            "{answer:?}: {d:?}"
        );
    }
}

#[test]
fn a_kelurahan_of_another_kecamatan_is_where_the_report_goes() {
    let texts = Texts::shipped();
    let mks = path(MKS);
    let ctx = with(&texts, Some(&mks));
    let d = decide(&text("jalan berlubang di Birugo"), State::default(), ctx);
    let birugo = path("bukittinggi/aur-birugo-tigo-baleh/birugo");
    let Decision::Open {
        jurisdiction,
        question,
        home,
        ..
    } = d
    else {
        panic!("{d:?}")
    };
    assert_eq!(jurisdiction, Some(birugo.clone()));
    assert_eq!(question, None);
    assert_eq!(home, mks);
    let ticket = Ticket::parse("ADU-0042").unwrap();
    let ack = replies::acknowledge(ctx, &ticket, CaseKind::Pengaduan, Some(&birugo), None);
    let said = ack.as_plain_text();
    assert!(
        said.contains("Kelurahan Birugo termasuk Kecamatan Aur Birugo Tigo Baleh"),
        "{said}"
    );
    // Within the number's own kecamatan nothing more is said.
    let garegeh = replies::acknowledge(ctx, &ticket, CaseKind::Pengaduan, Some(&path(GAREGEH)), None);
    assert!(!garegeh.as_plain_text().contains("termasuk"));
}

/// Every interactive message the code can build, checked against WhatsApp's limits.
#[test]
fn every_interactive_message_is_within_whatsapps_limits() {
    let texts = Texts::shipped();
    let tree = tree();
    let mut built: Vec<Outbound> = Vec::new();
    let ctx = with(&texts, None);
    built.push(location_question(ctx, None, None).0);
    built.push(location_question(ctx, None, Some(&texts.not_recognised)).0);
    for kec in tree.kecamatan() {
        built.push(location_question(ctx, Some(&kec.path), None).0);
        built.push(location_question(ctx, Some(&kec.path), Some(&texts.not_recognised)).0);
    }
    let ticket = Ticket::parse("ADU-123456789").unwrap();
    for question in built.clone() {
        built.push(replies::acknowledge(
            ctx,
            &ticket,
            CaseKind::Pertanyaan,
            None,
            Some(&question),
        ));
    }
    built.push(replies::confirm_question(
        &texts,
        &ticket,
        &"catatan panjang ".repeat(100),
    ));
    built.push(replies::rating_question(&texts, &ticket));
    built.push(replies::confirm_again(&texts, &ticket));
    for message in &built {
        message
            .check_limits()
            .unwrap_or_else(|e| panic!("{e}: {message:?}"));
    }
    // Long names are shortened in titles and given whole in descriptions.
    let lists = built.iter().filter_map(|m| match m {
        Outbound::List { rows, .. } => Some(rows),
        _ => None,
    });
    let described: Vec<&str> = lists.flatten().filter_map(|r| r.description.as_deref()).collect();
    for long in ["Aur Tajungkang Tengah Sawah", "Bukit Cangang Kayu Ramang"] {
        assert!(described.contains(&long), "{long} not given whole");
    }
}

/// The first reply is short: with the ticket, the confidentiality line and
/// where the case went (or the question where it is), at most about 400
/// characters, for every kelurahan of the tree and every kind.
#[test]
fn the_first_reply_stays_short() {
    let texts = Texts::shipped();
    let ticket = Ticket::parse("ADU-123456").unwrap();
    for kind in CaseKind::ALL {
        for kelurahan in tree().all_kelurahan() {
            for kec in [None, Some(&path(MKS))] {
                let ack = replies::acknowledge(with(&texts, kec), &ticket, kind, Some(&kelurahan.path), None);
                let n = ack.as_plain_text().chars().count();
                assert!(n <= 400, "{kind} {}: {n} characters", kelurahan.name);
            }
        }
        let Decision::Open {
            question: Some((question, _)),
            ..
        } = decide(&text("lampu jalan mati"), State::default(), with(&texts, None))
        else {
            panic!("asks where")
        };
        let ack = replies::acknowledge(with(&texts, None), &ticket, kind, None, Some(&question));
        let body = match &ack {
            Outbound::List { body, .. } => body.clone(),
            other => other.as_plain_text(),
        };
        assert!(body.chars().count() <= 400, "{kind} asking: {body}");
    }
}

#[test]
fn the_lists_buttons_say_what_they_list() {
    let texts = Texts::shipped();
    let Decision::Open {
        question: Some((Outbound::List { button, .. }, _)),
        ..
    } = decide(&text("lampu jalan mati"), State::default(), with(&texts, None))
    else {
        panic!("a list of kecamatan")
    };
    assert_eq!(button, "Pilih kecamatan");
    let kec = path(MKS);
    let Decision::Open {
        question: Some((Outbound::List { button, .. }, _)),
        ..
    } = decide(
        &text("lampu jalan mati"),
        State::default(),
        with(&texts, Some(&kec)),
    )
    else {
        panic!("a list of kelurahan")
    };
    assert_eq!(button, "Pilih kelurahan");
}

/// A report as long as WhatsApp allows is read by its start: its place and
/// kind there decide, and the case keeps every character.
#[test]
fn a_long_report_is_read_by_its_start_and_kept_whole() {
    let texts = Texts::shipped();
    let long = format!(
        "Lampu jalan mati di Garegeh. {}",
        "Sudah lama sekali. ".repeat(3500)
    );
    assert!(long.chars().count() > 65_000);
    let Decision::Open {
        kind,
        description,
        jurisdiction,
        ..
    } = decide(&text(&long), State::default(), with(&texts, None))
    else {
        panic!("opens a case")
    };
    assert_eq!(kind, CaseKind::Pengaduan);
    assert_eq!(jurisdiction, Some(path(GAREGEH)));
    assert_eq!(description, long.trim());
    assert_eq!(readable(&long).chars().count(), 1_000);
    assert_eq!(readable("pendek"), "pendek");
}

/// The erasure's buttons are answered whatever the desk waits for: "is it
/// solved?" pending does not swallow a tap on "Ya, hapus data".
#[test]
fn the_erasure_buttons_are_answered_whatever_is_awaited() {
    let texts = Texts::shipped();
    let case = open_case();
    let asked = Awaiting::Confirmation { case: case.clone() };
    let state = State {
        open_case: Some(&case),
        awaiting: Some(&asked),
    };
    assert_eq!(
        decide(&choice("erase:yes"), state, with(&texts, None)),
        Decision::Command(Command::EraseConfirmed)
    );
    assert_eq!(
        decide(&choice("erase:no"), state, with(&texts, None)),
        Decision::Reply(Outbound::text(&texts.erase_cancelled))
    );
    assert_eq!(
        decide(&text("HAPUS DATA"), State::default(), with(&texts, None)),
        Decision::Command(Command::Erase)
    );
}
