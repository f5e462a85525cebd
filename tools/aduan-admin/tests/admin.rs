//! The admin command against the local emulator: the subscriptions it makes
//! carry the filter policies, and those policies pick the right messages.

use std::collections::BTreeMap;

use aduan_admin::{digest_filter_policy, escalation_filter_policy, parse_args, run, Command, Topics};
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::notify::{SnsMessage, SnsPublisher};
use aduan_testkit::sns::fresh_topic;
use aduan_testkit::unique;
use serde_json::json;

async fn topic(sdk: &aws_config::SdkConfig, name: &str) -> String {
    fresh_topic(sdk, &unique(name)).await.unwrap()
}

fn args(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn message(jurisdiction: &str, kind: &str, level: &str, quiet: Option<bool>) -> SnsMessage {
    let mut attributes = BTreeMap::new();
    attributes.insert("jurisdiction".to_owned(), format!("{jurisdiction}/"));
    attributes.insert("type".to_owned(), kind.to_owned());
    attributes.insert("level".to_owned(), level.to_owned());
    if let Some(q) = quiet {
        attributes.insert("quiet".to_owned(), q.to_string());
    }
    SnsMessage {
        subject: "s".into(),
        default: format!("{kind} {jurisdiction} {level} {quiet:?}"),
        sms: "sms".into(),
        email: "email".into(),
        attributes,
    }
}

const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
const MKS: &str = "bukittinggi/mandiangin-koto-selayan";

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_list_unsubscribe_and_the_policies_filter() {
    let sdk = aduan_testkit::sdk_config().await;
    let sns = aws_sdk_sns::Client::new(&sdk);
    let topics = Topics {
        digests: topic(&sdk, "digests").await,
        escalations: topic(&sdk, "escalations").await,
    };
    let tree = Jurisdictions::bukittinggi();
    let command = parse_args(
        &args(&format!(
            "subscribe --jurisdiction {GAREGEH} --sms 0812-3456-7801"
        )),
        tree,
    )
    .unwrap();
    let Command::Subscribe(sub) = command.clone() else {
        panic!()
    };
    let out = run(&sns, &topics, command).await.unwrap();
    assert_eq!(out.len(), 2, "{out:?}");

    let listed = aduan_admin::list(&sns, &topics).await.unwrap();
    assert_eq!(listed.len(), 2);
    let digest = listed.iter().find(|l| l.topic == "digests").unwrap();
    assert_eq!(digest.protocol, "sms");
    assert_eq!(digest.endpoint, "+6281234567801");
    assert_eq!(digest.filter_policy.as_ref(), Some(&digest_filter_policy(&sub)));
    assert_eq!(digest.filter_policy.as_ref().unwrap()["quiet"], json!(["false"]));
    let escalation = listed.iter().find(|l| l.topic == "escalations").unwrap();
    assert_eq!(
        escalation.filter_policy.as_ref(),
        Some(&escalation_filter_policy(&sub))
    );

    // `list --jurisdiction` finds them by their node; another node's list is empty.
    let mine = run(
        &sns,
        &topics,
        parse_args(&args(&format!("list --jurisdiction {GAREGEH}")), tree).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    let other = run(
        &sns,
        &topics,
        parse_args(&args("list --jurisdiction bukittinggi/guguk-panjang"), tree).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(other, vec!["no subscriptions".to_owned()]);

    // The same policies on SQS queues: what would reach this official.
    let mut queues = Vec::new();
    let kec_sub = match parse_args(
        &args(&format!(
            "subscribe --jurisdiction {MKS} --email camat@example.go.id --level kecamatan"
        )),
        tree,
    )
    .unwrap()
    {
        Command::Subscribe(s) => s,
        _ => panic!(),
    };
    for (topic_arn, policy) in [
        (&topics.digests, digest_filter_policy(&sub)),
        (&topics.escalations, escalation_filter_policy(&sub)),
        (&topics.digests, digest_filter_policy(&kec_sub)),
        (&topics.escalations, escalation_filter_policy(&kec_sub)),
    ] {
        let url = aduan_testkit::sns::subscribed_queue(&sdk, topic_arn, &unique("q"), Some(&policy))
            .await
            .unwrap();
        queues.push(url);
    }
    let publisher = SnsPublisher::new(sns.clone());
    for (topic_arn, m) in [
        (
            &topics.digests,
            message(GAREGEH, "digest", "kelurahan", Some(false)),
        ),
        (
            &topics.digests,
            message(GAREGEH, "digest", "kelurahan", Some(true)),
        ),
        (
            &topics.digests,
            message(
                "bukittinggi/mandiangin-koto-selayan/garegeh-baru",
                "digest",
                "kelurahan",
                Some(false),
            ),
        ),
        (&topics.digests, message(MKS, "digest", "kecamatan", Some(false))),
        (
            &topics.escalations,
            message(GAREGEH, "escalation", "kecamatan", None),
        ),
        (
            &topics.escalations,
            message(&format!("{GAREGEH}/rw-01"), "escalation", "kelurahan", None),
        ),
        (
            &topics.escalations,
            message(
                "bukittinggi/aur-birugo-tigo-baleh/birugo",
                "escalation",
                "kecamatan",
                None,
            ),
        ),
    ] {
        publisher.publish(topic_arn, &m).await.unwrap();
    }
    let mut received = Vec::new();
    for url in &queues {
        let mut bodies: Vec<String> = aduan_testkit::sns::drain(&sdk, url)
            .await
            .unwrap()
            .iter()
            .map(|envelope| envelope["Message"].as_str().unwrap().to_owned())
            .collect();
        bodies.sort();
        received.push(bodies);
    }
    assert_eq!(
        received,
        vec![
            // Garegeh SMS digests: its own, not quiet; not "garegeh-baru".
            vec![format!("digest {GAREGEH} kelurahan Some(false)")],
            // Garegeh escalations: its own and below, any level.
            vec![
                format!("escalation {GAREGEH} kecamatan None"),
                format!("escalation {GAREGEH}/rw-01 kelurahan None"),
            ],
            // The camat by email: the kecamatan digest only.
            vec![format!("digest {MKS} kecamatan Some(false)")],
            // ... and escalations to the kecamatan level within it.
            vec![format!("escalation {GAREGEH} kecamatan None")],
        ]
    );

    for l in &listed {
        run(
            &sns,
            &topics,
            parse_args(&args(&format!("unsubscribe {}", l.arn)), tree).unwrap(),
        )
        .await
        .unwrap();
    }
    let left = aduan_admin::list(&sns, &topics).await.unwrap();
    assert!(left.iter().all(|l| l.protocol == "sqs"), "{left:?}");
}

/// `units`: an RW and its RTs added, listed (the number never printed),
/// imported from a file (a bad one refused whole, with its lines), and an
/// RW with RTs refused removal.
#[tokio::test]
async fn units_add_list_import_and_remove() {
    use aduan_admin::units::{self, UnitsCommand};
    use aduan_shared::domain::reporter::{ContactCipher, Key32};
    use aduan_shared::domain::sla::WorkingCalendar;
    use aduan_shared::store::Store;

    let sdk = aduan_testkit::sdk_config().await;
    let table = aduan_testkit::fresh_table(&sdk, "admin-units").await;
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table,
        WorkingCalendar::default(),
    );
    let contacts = ContactCipher::new(Key32::from_bytes([3; 32]), []);
    let tree = Jurisdictions::bukittinggi();
    let run_units = |line: &str| {
        let command = units::parse(&args(line), tree);
        let (store, contacts) = (&store, &contacts);
        async move { units::run(store, contacts, command?).await }
    };

    assert!(units::parse(&args(&format!("add {GAREGEH}/rw-1 --head X")), tree).is_err());
    assert!(units::parse(&args(&format!("list {MKS}")), tree).is_err());
    assert!(matches!(
        units::parse(&args(&format!("remove {GAREGEH}/rw-03")), tree),
        Ok(UnitsCommand::Remove(_))
    ));
    run_units(&format!("add {GAREGEH}/rw-03 --head Sari"))
        .await
        .unwrap();
    run_units(&format!(
        "add {GAREGEH}/rw-03/rt-01 --head Amir --whatsapp 0812-9999-5555"
    ))
    .await
    .unwrap();

    let dir = std::env::temp_dir().join(aduan_testkit::unique("units-csv"));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    std::fs::write(&good, "rw,rt,head_name,head_whatsapp\n3,2,Budi,\n4,,Rosna,\n").unwrap();
    let out = run_units(&format!("import {GAREGEH} {}", good.display()))
        .await
        .unwrap();
    assert_eq!(out, [format!("{GAREGEH}: 2 added, 0 changed")]);
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "rw,rt,head_name,head_whatsapp\n5,1,Eko,\n").unwrap();
    let err = run_units(&format!("import {GAREGEH} {}", bad.display()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("line 2: RW 05"), "{err}");

    let listed = run_units(&format!("list {GAREGEH}")).await.unwrap();
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(
        listed[1].contains("RT 01 / RW 03") && listed[1].contains("WhatsApp kept"),
        "{listed:?}"
    );
    assert!(listed.iter().all(|l| !l.contains("99995555")), "{listed:?}");

    let err = run_units(&format!("remove {GAREGEH}/rw-03")).await.unwrap_err();
    assert!(err.to_string().contains("still has RTs"), "{err}");
    run_units(&format!("remove {GAREGEH}/rw-04")).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `officials`: added (the code printed once, the number masked), the same
/// number refused, listed by scope, removed with every copy; each act in
/// the tool's audit.
#[tokio::test]
async fn officials_add_list_and_remove() {
    use aduan_admin::officials::{self, Officials, OfficialsCommand};
    use aduan_shared::domain::audit::AuditRetention;
    use aduan_shared::domain::reporter::{ContactCipher, Key32, ReporterHasher, ReporterKeys};
    use aduan_shared::domain::sla::WorkingCalendar;
    use aduan_shared::store::Store;

    let sdk = aduan_testkit::sdk_config().await;
    let table = aduan_testkit::fresh_table(&sdk, "admin-officials").await;
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table.clone(),
        WorkingCalendar::default(),
    );
    let keys = ReporterKeys {
        hasher: ReporterHasher::new(Key32::from_bytes([4; 32])),
        contacts: ContactCipher::new(Key32::from_bytes([3; 32]), []),
    };
    let tree = Jurisdictions::bukittinggi();
    let tool = Officials {
        store: &store,
        keys: &keys,
        tree,
        retention: AuditRetention::default(),
    };
    let run_officials = |line: &str| {
        let command = officials::parse(&args(line), tree);
        let tool = &tool;
        async move { tool.run(command?, chrono::Utc::now()).await }
    };

    assert!(officials::parse(
        &args("add --name X --whatsapp 0812 --scope bukittinggi --role viewer"),
        tree
    )
    .is_err());
    assert!(officials::parse(
        &args(&format!(
            "add --name X --whatsapp 081299995555 --scope {MKS}/nowhere --role viewer"
        )),
        tree
    )
    .is_err());
    assert!(officials::parse(
        &args("add --name X --whatsapp 081299995555 --scope bukittinggi --role root"),
        tree
    )
    .is_err());
    assert!(officials::parse(&args("remove nope"), tree).is_err());
    let chosen = |line: &str| match officials::parse(&args(line), tree) {
        Ok(OfficialsCommand::Add(new)) => (new.notify_below, new.digest_by_whatsapp),
        other => panic!("{line}: {other:?}"),
    };
    let line = format!("add --name X --whatsapp 081299995555 --scope {MKS} --role viewer");
    assert_eq!(chosen(&line), (false, false));
    assert_eq!(chosen(&format!("{line} --digest-by-whatsapp")), (false, true));
    assert_eq!(
        chosen(&format!("{line} --digest-by-whatsapp --notify-below")),
        (true, true)
    );
    assert!(matches!(
        officials::parse(&args(&format!("list --scope {GAREGEH}/rw-03")), tree),
        Ok(OfficialsCommand::List(_))
    ));

    let out = run_officials(&format!(
        "add --name Amir --whatsapp 0812-9999-5555 --scope {GAREGEH}/rw-03 --role officer --notify-below"
    ))
    .await
    .unwrap();
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(
        out[0].contains("+62812****5555") && out[0].contains("awaiting the code"),
        "{out:?}"
    );
    let code: String = out[1].chars().filter(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{out:?}");
    let id = out[0].split_whitespace().nth(1).unwrap().to_owned();
    assert!(id.starts_with("wa-"), "{out:?}");

    let err = run_officials(&format!(
        "add --name Lain --whatsapp +6281299995555 --scope {MKS} --role viewer"
    ))
    .await
    .unwrap_err();
    assert!(err.to_string().contains("registered already"), "{err}");
    run_officials(&format!(
        "add --name Camat --whatsapp 081311112222 --scope {MKS} --role admin"
    ))
    .await
    .unwrap();

    let listed = run_officials(&format!("list --scope {GAREGEH}")).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].starts_with(&id), "{listed:?}");
    let everyone = run_officials("list").await.unwrap();
    assert_eq!(everyone.len(), 2, "{everyone:?}");
    assert!(
        everyone
            .iter()
            .all(|l| !l.contains("99995555") && !l.contains(&code)),
        "{everyone:?}"
    );

    // Changed in place: the role and the morning digest, no new code.
    assert!(officials::parse(&args(&format!("set {id}")), tree).is_err());
    assert!(officials::parse(&args(&format!("set {id} --digest-by-whatsapp maybe")), tree).is_err());
    assert!(officials::parse(&args(&format!("set {id} --whatsapp 081299990000")), tree).is_err());
    let out = run_officials(&format!("set {id} --role viewer --digest-by-whatsapp yes"))
        .await
        .unwrap();
    assert!(
        out[0].starts_with("changed") && out[0].contains("viewer"),
        "{out:?}"
    );
    let stored = store
        .official(&aduan_shared::domain::official::OfficialId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.digest_by_whatsapp && stored.notify_below, "{stored:?}");
    let again = run_officials(&format!("set {id} --role viewer")).await.unwrap();
    assert!(again[0].starts_with("unchanged"), "{again:?}");

    let out = run_officials(&format!("remove {id}")).await.unwrap();
    assert_eq!(out, [format!("removed {id} (Amir)")]);
    assert!(run_officials(&format!("remove {id}")).await.is_err());
    let items = aduan_testkit::scan_table(&sdk, &table).await;
    let left: Vec<String> = items
        .iter()
        .map(|i| format!("{i:?}"))
        .filter(|text| text.contains(&id) && !text.contains("AUDIT#"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let audit = items
        .iter()
        .filter(|i| i["PK"].as_s().unwrap() == "AUDIT#OFFICIAL#aduan-admin")
        .count();
    assert_eq!(audit, 4, "two added, one changed, one removed");
}
