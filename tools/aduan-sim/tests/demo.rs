//! `make demo` against the dev server, as `make test` runs it: the local
//! AWS emulator, a fresh table and topics of its own, an ephemeral port.

use std::net::{Ipv4Addr, SocketAddr};

use aduan_dev::{Options, DEV_APP_SECRET, DEV_NUMBER};
use aduan_sim::{demo, Sim};
use aduan_testkit::sns::fresh_topic;
use aduan_testkit::{base_env, fresh_table, sdk_config};

#[tokio::test]
async fn the_demo_plays_a_case_from_whatsapp_to_the_next_mornings_digest() {
    let sdk = sdk_config().await;
    let table = fresh_table(&sdk, "sim-demo").await;
    let mut env = base_env(&table);
    for (variable, topic) in [
        ("ESCALATION_TOPIC_ARN", "escalations"),
        ("DIGEST_TOPIC_ARN", "digests"),
    ] {
        let arn = fresh_topic(&sdk, &format!("{table}-{topic}")).await.unwrap();
        env.retain(|(k, _)| k != variable);
        env.push((variable.to_owned(), arn));
    }
    let dev = aduan_dev::start(Options {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        template: aduan_dev::default_template(),
        console: aduan_dev::default_console(),
        env,
        sdk,
    })
    .await
    .expect("the dev server starts");

    let sim = Sim::new(&dev.base_url(), DEV_APP_SECRET, DEV_NUMBER);
    let citizen = "6281299990001";
    let mut printed = Vec::new();
    let outcome = demo::run(&sim, citizen, &mut printed).await;
    let printed = String::from_utf8(printed).unwrap();
    let outcome = outcome.unwrap_or_else(|e| panic!("{e}\n--- the demo printed:\n{printed}"));

    assert_eq!(outcome.escalations, 1, "{printed}");
    assert!(outcome.digests >= 1, "{printed}");
    // Told: acknowledgement with the kelurahan list, kelurahan set,
    // verified, escalated, started, resolved (asked to confirm), the rating
    // question, thanks for the rating; nothing for the photo.
    assert_eq!(outcome.replies, 8, "{printed}");
    let texts = dev.standin.texts().join("\n");
    assert!(texts.contains(&outcome.ticket), "{texts}");
    for step in ["== 1.", "== 10.", "SMS:", "email:", "Done:"] {
        assert!(printed.contains(step), "{step} missing from:\n{printed}");
    }
    // The number reached WhatsApp only: never the officials' screens or SNS.
    let shown_to_officials = printed
        .lines()
        .filter(|l| !l.contains("citizen") && !l.contains("bot ->"));
    for line in shown_to_officials {
        assert!(!line.contains(citizen), "{line}");
    }
}
