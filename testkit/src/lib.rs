//! Test support shared by the functions' tests. Everything here talks real
//! protocols: API Gateway HTTP API (payload 2.0) event JSON, DynamoDB on the
//! local emulator (`make test` starts it), and a stand-in for the one service
//! tests cannot reach, WhatsApp's send API, which records what it receives.

pub mod counting;
pub mod events;
pub mod faults;
pub mod logs;
pub mod retention;
pub mod runtime_api;
pub mod seed;
pub mod sns;
pub mod standin;

use aduan_shared::store::schema;

/// The SDK configuration for the local emulator: the one the functions
/// build ([`aduan_shared::config::lambda_sdk_config`]), from the variables
/// `make test` sets.
pub async fn sdk_config() -> aws_config::SdkConfig {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: run the tests with `make test`, which starts the local AWS emulator"
    );
    aduan_shared::config::lambda_sdk_config(&aduan_shared::config::Env::from_process())
}

/// A name no other test run uses (`t-<name>-<ulid>`), for a test's own
/// table, topic or queue.
pub fn unique(name: &str) -> String {
    format!("t-{name}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// Creates a table of its own for one test, so tests run in parallel.
pub async fn fresh_table(sdk: &aws_config::SdkConfig, test: &str) -> String {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let table = unique(test);
    schema::create_table(&client, &table)
        .await
        .expect("create test table");
    table
}

/// Creates a media bucket of its own for one test (created as `bootstrap.py`
/// creates the stack's: in the SDK's region).
pub async fn fresh_bucket(sdk: &aws_config::SdkConfig, test: &str) -> String {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let test: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(30)
        .collect();
    let bucket = format!("m-{test}-{}", ulid::Ulid::new().to_string().to_lowercase());
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    client
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region.as_str()))
                .build(),
        )
        .send()
        .await
        .expect("create test bucket");
    bucket
}

/// Every item of `table`, read with a Scan (tests only: the functions
/// never scan).
pub async fn scan_table(
    sdk: &aws_config::SdkConfig,
    table: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let (mut items, mut start) = (Vec::new(), None);
    loop {
        let out = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan the test table");
        items.extend(out.items().iter().cloned());
        match out.last_evaluated_key {
            Some(key) => start = Some(key),
            None => return items,
        }
    }
}

/// Every item of `table` as text, to check that no item anywhere holds a
/// value.
pub async fn whole_table(sdk: &aws_config::SdkConfig, table: &str) -> Vec<String> {
    let items = scan_table(sdk, table).await;
    items.iter().map(|i| format!("{i:?}")).collect()
}

/// The keys of every object in `bucket` (a test's few: one listing).
pub async fn bucket_keys(sdk: &aws_config::SdkConfig, bucket: &str) -> Vec<String> {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(true)
        .build();
    let out = aws_sdk_s3::Client::from_conf(config)
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("list the test bucket");
    out.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// Two fixed, valid 32-byte keys (base64) for tests.
pub const TEST_HMAC_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const TEST_CONTACT_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

/// The foundation's variables for a function under test, on `table`.
pub fn base_env(table: &str) -> Vec<(String, String)> {
    [
        ("TABLE_NAME", table),
        (
            "ESCALATION_TOPIC_ARN",
            "arn:aws:sns:ap-southeast-3:123456789012:escalations",
        ),
        (
            "DIGEST_TOPIC_ARN",
            "arn:aws:sns:ap-southeast-3:123456789012:digests",
        ),
        ("REPORTER_HMAC_KEY", TEST_HMAC_KEY),
        ("CONTACT_ENCRYPTION_KEY", TEST_CONTACT_KEY),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}
