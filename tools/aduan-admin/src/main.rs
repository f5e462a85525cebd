//! `aduan-admin`: see the crate docs and `aduan-admin help`.

use std::path::Path;
use std::process::ExitCode;

use aduan_admin::{parse_args, run, AdminError, Command, Topics};
use aduan_shared::config::{Env, Secrets, CONTACT_ENCRYPTION_KEY};
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::reporter::{ContactCipher, Key32};
use aduan_shared::domain::sla::WorkingCalendar;
use aduan_shared::store::Store;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match main_inner(&args).await {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("aduan-admin: {err}");
            ExitCode::from(match err {
                AdminError::Usage(_) => 2,
                _ => 1,
            })
        }
    }
}

async fn main_inner(args: &[String]) -> Result<Vec<String>, AdminError> {
    let tree = match std::env::var("JURISDICTIONS_FILE")
        .ok()
        .filter(|f| !f.trim().is_empty())
    {
        Some(file) => {
            Jurisdictions::load(Path::new(&file)).map_err(|e| AdminError::Invalid(e.to_string()))?
        }
        None => Jurisdictions::bukittinggi().clone(),
    };
    if let Some(("units", rest)) = args.split_first().map(|(c, rest)| (c.as_str(), rest)) {
        return units(rest, &tree).await;
    }
    let command = parse_args(args, &tree)?;
    if command == Command::Help {
        return Ok(vec![aduan_admin::USAGE.to_owned()]);
    }
    let topics = Topics::from_env()?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let client = aws_sdk_sns::Client::new(&sdk);
    run(&client, &topics, command).await
}

/// `units …`: the table and the contact key, from the environment as the
/// functions read them (the key as a value or an SSM parameter).
async fn units(args: &[String], tree: &Jurisdictions) -> Result<Vec<String>, AdminError> {
    let command = aduan_admin::units::parse(args, tree)?;
    let env = Env::from_process();
    let table = env
        .optional("TABLE_NAME")
        .ok_or(AdminError::MissingEnv { name: "TABLE_NAME" })?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let secrets = Secrets::resolve_from_ssm(&env, &[CONTACT_ENCRYPTION_KEY], &[], &sdk)
        .await
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let key = secrets
        .parse_required(CONTACT_ENCRYPTION_KEY, Key32::from_base64)
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table,
        WorkingCalendar::default(),
    );
    aduan_admin::units::run(&store, &ContactCipher::new(key, []), command).await
}
