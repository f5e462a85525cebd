//! `aduan-admin`: see the crate docs and `aduan-admin help`.

use std::path::Path;
use std::process::ExitCode;

use aduan_admin::citizen::Citizens;
use aduan_admin::officials::Officials;
use aduan_admin::{parse_args, run, AdminError, Command, Topics};
use aduan_shared::archive::MediaBucket;
use aduan_shared::config::media::MEDIA_BUCKET;
use aduan_shared::config::{audit, Env, Secrets, CONTACT_ENCRYPTION_KEY, REPORTER_HMAC_KEY};
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::reporter::{ContactCipher, Key32, ReporterHasher, ReporterKeys};
use aduan_shared::domain::sla::WorkingCalendar;
use aduan_shared::store::Store;
use aws_config::SdkConfig;

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
    match args.split_first().map(|(c, rest)| (c.as_str(), rest)) {
        Some(("units", rest)) => return units(rest, &tree).await,
        Some(("citizen", rest)) => return citizen(rest).await,
        Some(("officials", rest)) => return officials(rest, &tree).await,
        Some(("backfill", rest)) => return backfill(rest, &tree).await,
        _ => {}
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

/// `units …`: the table and the contact key that seals heads' numbers.
async fn units(args: &[String], tree: &Jurisdictions) -> Result<Vec<String>, AdminError> {
    let command = aduan_admin::units::parse(args, tree)?;
    let (store, [key], _) = table_and_keys(&Env::from_process(), [CONTACT_ENCRYPTION_KEY]).await?;
    aduan_admin::units::run(&store, &ContactCipher::new(key, []), command).await
}

/// `citizen …`: the table, the reporter key and the media bucket; the
/// question asked on the terminal.
async fn citizen(args: &[String]) -> Result<Vec<String>, AdminError> {
    let command = aduan_admin::citizen::parse(args)?;
    let env = Env::from_process();
    let (store, [key], sdk) = table_and_keys(&env, [REPORTER_HMAC_KEY]).await?;
    let hasher = ReporterHasher::new(key);
    let bucket = env
        .optional(MEDIA_BUCKET)
        .map(|name| MediaBucket::new(&sdk, name));
    let citizens = Citizens {
        store: &store,
        hasher: &hasher,
        bucket: bucket.as_ref(),
    };
    aduan_admin::citizen::run(&citizens, command, &mut ask, chrono::Utc::now()).await
}

/// `officials …`: the table, both reporter keys (the number sealed, and
/// hashed into the key its messages carry) and the audit's retention.
async fn officials(args: &[String], tree: &Jurisdictions) -> Result<Vec<String>, AdminError> {
    let command = aduan_admin::officials::parse(args, tree)?;
    let env = Env::from_process();
    let (store, [hmac, contact], _) =
        table_and_keys(&env, [REPORTER_HMAC_KEY, CONTACT_ENCRYPTION_KEY]).await?;
    let keys = ReporterKeys {
        hasher: ReporterHasher::new(hmac),
        contacts: ContactCipher::new(contact, []),
    };
    let officials = Officials {
        store: &store,
        keys: &keys,
        tree,
        retention: audit::retention(&env).map_err(|e| AdminError::Invalid(e.to_string()))?,
    };
    officials.run(command, chrono::Utc::now()).await
}

/// `backfill …`: the table alone.
async fn backfill(args: &[String], tree: &Jurisdictions) -> Result<Vec<String>, AdminError> {
    let command = aduan_admin::backfill::parse(args)?;
    let (store, [], _) = table_and_keys(&Env::from_process(), []).await?;
    aduan_admin::backfill::run(&store, tree, command).await
}

/// The table (`TABLE_NAME`) and the keys `names`, from the environment as
/// the functions read them (each as a value or an SSM parameter).
async fn table_and_keys<const N: usize>(
    env: &Env,
    names: [&'static str; N],
) -> Result<(Store, [Key32; N], SdkConfig), AdminError> {
    let table = env
        .optional("TABLE_NAME")
        .ok_or(AdminError::MissingEnv { name: "TABLE_NAME" })?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let secrets = Secrets::resolve_from_ssm(env, &names, &[], &sdk)
        .await
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let mut keys = Vec::with_capacity(N);
    for name in names {
        keys.push(
            secrets
                .parse_required(name, Key32::from_base64)
                .map_err(|e| AdminError::Invalid(e.to_string()))?,
        );
    }
    let keys: [Key32; N] = keys.try_into().unwrap_or_else(|_| unreachable!("one key a name"));
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table,
        WorkingCalendar::default(),
    );
    Ok((store, keys, sdk))
}

/// The question on stderr; only `yes` typed back confirms.
fn ask(question: &str) -> bool {
    eprint!("{question}\nType yes to go on: ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim().eq_ignore_ascii_case("yes")
}
