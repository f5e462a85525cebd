//! Baseline: the smallest function that uses DynamoDB. It builds its client
//! from `aws-config` at cold start, as the functions do, and writes one item
//! per invocation (to `TABLE_NAME`).

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{run, service_fn, Body, Error, Request, RequestExt, Response};

// The runtime the functions use, so the comparison is of the work alone.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = std::env::var("TABLE_NAME")?;
    let (client, table) = (&client, table.as_str());
    run(service_fn(move |request: Request| async move {
        let id = request.lambda_context().request_id;
        client
            .put_item()
            .table_name(table)
            .item("PK", AttributeValue::S(format!("BASELINE#{id}")))
            .item("SK", AttributeValue::S("BASELINE".to_owned()))
            .send()
            .await?;
        Response::builder()
            .status(200)
            .body(Body::from("stored"))
            .map_err(Error::from)
    }))
    .await
}
