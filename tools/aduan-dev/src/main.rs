//! `make dev` (infra/local/dev.sh runs it with the emulator's environment):
//! serves the whole system on 127.0.0.1:3000 (`ADUAN_DEV_PORT`) until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};

use aduan_dev::issuer::OFFICIALS;
use aduan_dev::{Options, DEV_APP_SECRET, DEV_NUMBER, DEV_NUMBER_KECAMATAN};

#[tokio::main]
async fn main() -> Result<(), aduan_dev::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let port = match std::env::var("ADUAN_DEV_PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("ADUAN_DEV_PORT must be a port number, got {port:?}"))?,
        Err(_) => 3000,
    };
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        return Err(
            "AWS_ENDPOINT_URL is not set: run `make dev`, which starts the local AWS emulator".into(),
        );
    }
    let template = std::env::var_os("ADUAN_TEMPLATE").map_or_else(aduan_dev::default_template, Into::into);
    let server = aduan_dev::start(Options {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        template,
        console: std::env::var_os("ADUAN_CONSOLE_DIR").map_or_else(aduan_dev::default_console, Into::into),
        env: std::env::vars().collect(),
        sdk: aduan_shared::config::aws_sdk_config().await,
    })
    .await?;

    let base = server.base_url();
    let var = |key: &str| server.var(key).unwrap_or("(not set)").to_owned();
    println!();
    println!("Aduan is running locally");
    println!("  AWS emulator       {}", var("AWS_ENDPOINT_URL"));
    println!("  table              {}", var("TABLE_NAME"));
    for (key, value) in server.env.iter().filter(|(k, _)| k.ends_with("_TOPIC_ARN")) {
        println!(
            "  {:<18} {value}",
            key.trim_end_matches("_ARN").to_lowercase().replace('_', " ")
        );
    }
    println!("  API                {base}");
    println!("  console            {base}/console/  (sign in as one of the officials below)");
    println!(
        "  webhook            {base}/webhook  (Meta; sign with app secret {DEV_APP_SECRET:?}, phone_number_id {DEV_NUMBER} serves {DEV_NUMBER_KECAMATAN})"
    );
    println!(
        "  WhatsApp stand-in  {}  (what it received: GET {base}/dev/whatsapp)",
        server.standin.base_url
    );
    println!("  scheduled jobs     POST {base}/dev/jobs  {{\"job\":\"daily-digest\"}} or {{\"job\":\"sla-sweep\"}}");
    println!();
    println!("Routes (template.yaml):");
    for route in &server.routes.0 {
        let auth = route
            .authorizer
            .as_deref()
            .map_or("open".to_owned(), |a| format!("JWT ({a})"));
        println!("  {:<36} {:<20} {auth}", route.key(), route.binary);
    }
    println!();
    println!(
        "Officials (issuer {}, audience {}):",
        server.issuer.issuer,
        aduan_dev::issuer::AUDIENCE
    );
    for official in OFFICIALS {
        println!("  {:<14} {:<8} {}", official.id, official.role, official.scope);
    }
    println!();
    println!("  TOKEN=$(curl -s -X POST {base}/dev/token -d '{{\"official\":\"lurah-garegeh\"}}' | sed -E 's/.*\"id_token\":\"([^\"]+)\".*/\\1/')");
    println!("  curl -H \"Authorization: Bearer $TOKEN\" {base}/cases");
    println!();
    println!("Play a citizen and officials: `make demo` (a whole case), or target/debug/aduan-sim help.");
    println!("Ctrl-C stops everything.");

    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}
