//! `aduan-admin`: see the crate docs and `aduan-admin help`.

use std::path::Path;
use std::process::ExitCode;

use aduan_admin::{parse_args, run, AdminError, Command, Topics};
use aduan_shared::domain::jurisdiction::Jurisdictions;

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
