//! Items a digest and an SLA sweep read as the table grows from the same
//! open and recent cases to many old, closed ones: it must stay flat (the
//! digest reads the sparse `OPEN` and `DAY#…` partitions, never the queue).

use std::collections::HashMap;

use aduan_shared::domain::case::CaseId;
use aduan_shared::domain::ticket::{Ticket, TicketPrefix};
use aduan_shared::store::keys;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use serde_json::Value;

use crate::proxy::{Exchange, Service};
use crate::{scenario, Settings, Stack};

#[derive(Debug, Clone)]
pub struct Point {
    pub cases: usize,
    pub digest_read: usize,
    pub digest_requests: usize,
    pub sweep_read: usize,
    pub sweep_requests: usize,
}

/// Items DynamoDB read for these requests (a Query's `ScannedCount`
/// counts items read before its filter).
fn items_read(exchanges: &[Exchange]) -> usize {
    exchanges
        .iter()
        .filter(|e| e.service == Service::DynamoDb)
        .map(|e| {
            let response: Value = serde_json::from_slice(&e.response).unwrap_or_default();
            match e.operation.as_str() {
                "Query" | "Scan" => response["ScannedCount"].as_u64().unwrap_or(0) as usize,
                "GetItem" => usize::from(response.get("Item").is_some()),
                "BatchGetItem" => response["Responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(_, items)| items.as_array().map_or(0, Vec::len))
                    .sum(),
                _ => 0,
            }
        })
        .sum()
}

fn dynamodb_requests(exchanges: &[Exchange]) -> usize {
    exchanges
        .iter()
        .filter(|e| e.service == Service::DynamoDb)
        .count()
}

pub async fn run(stack: &Stack, settings: &Settings) -> Result<Vec<Point>, String> {
    let table = stack.table("bench-growth").await;
    seed_open_cases(stack, settings, &table, "growth").await?;
    let template = open_case(stack, &table).await?;

    let digest = stack.serve(settings, "aduan-digest", &table).await?;
    let api = &digest.api;
    let today = scenario::city_today();
    let mut cases = settings.open_cases;
    let mut points = Vec::new();
    for &target in &settings.growth {
        fill(stack, &table, &template, cases, target).await?;
        cases = cases.max(target);
        forget_digests(stack, &table, today).await?;
        stack.recorder.take();
        api.invoke(&scenario::daily_digest(today)).await.response();
        let digest_exchanges = stack.recorder.take();
        api.invoke(&scenario::sla_sweep()).await.response();
        let sweep_exchanges = stack.recorder.take();
        points.push(Point {
            cases,
            digest_read: items_read(&digest_exchanges),
            digest_requests: dynamodb_requests(&digest_exchanges),
            sweep_read: items_read(&sweep_exchanges),
            sweep_requests: dynamodb_requests(&sweep_exchanges),
        });
        eprintln!(
            "  {cases} cases: digest read {} items",
            points.last().expect("pushed").digest_read
        );
    }
    digest.finish().await;
    crate::delete_table(stack, &table).await;
    Ok(points)
}

/// The open cases the digest rows and this section share: complaints
/// opened today through the webhook.
pub async fn seed_open_cases(
    stack: &Stack,
    settings: &Settings,
    table: &str,
    tag: &str,
) -> Result<(), String> {
    let webhook = stack.serve(settings, "aduan-webhook", table).await?;
    for i in 1..=settings.open_cases {
        let answer = webhook.api.invoke(&scenario::new_complaint(i, tag)).await;
        if answer.response()["statusCode"] != 200 {
            return Err(format!("seeding case {i}: {:?}", answer.outcome));
        }
    }
    webhook.finish().await;
    Ok(())
}

async fn open_case(stack: &Stack, table: &str) -> Result<HashMap<String, AttributeValue>, String> {
    let index = keys::BY_TIME;
    stack
        .dynamodb
        .query()
        .table_name(table)
        .index_name(index.name)
        .key_condition_expression("#pk = :open")
        .expression_attribute_names("#pk", index.pk)
        .expression_attribute_values(":open", AttributeValue::S(keys::OPEN_CASES.to_owned()))
        .limit(1)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?
        .items
        .and_then(|items| items.into_iter().next())
        .ok_or_else(|| "no open case to copy".to_owned())
}

/// Adds closed cases from a year ago, copies of `template` out of the open
/// and recent partitions, written directly (not through the proxies) in
/// batches of 25.
async fn fill(
    stack: &Stack,
    table: &str,
    template: &HashMap<String, AttributeValue>,
    from: usize,
    to: usize,
) -> Result<(), String> {
    let a_year_ago = chrono::Utc::now() - chrono::Days::new(365);
    let prefix = TicketPrefix::default();
    let items: Vec<WriteRequest> = (from..to)
        .map(|n| {
            let mut item = template.clone();
            item.remove(keys::BY_TIME.pk);
            item.remove(keys::BY_TIME.sk);
            let created = a_year_ago + chrono::Duration::milliseconds(n as i64);
            let ticket = Ticket::new(&prefix, 100_000 + n as u64).expect("a ticket");
            item.insert(
                keys::PK.to_owned(),
                AttributeValue::S(keys::case_pk(&CaseId::new(created))),
            );
            item.insert(
                keys::BY_KOTA.sk.to_owned(),
                AttributeValue::S(keys::queue_sk(created, &ticket)),
            );
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .expect("an item");
            WriteRequest::builder().put_request(put).build()
        })
        .collect();
    let mut batches = tokio::task::JoinSet::new();
    for chunk in items.chunks(25) {
        let (client, table, chunk) = (stack.dynamodb.clone(), table.to_owned(), chunk.to_vec());
        batches.spawn(async move { write_batch(&client, &table, chunk).await });
        // A few in flight: the emulator serves one at a time anyway.
        while batches.len() >= 4 {
            batches
                .join_next()
                .await
                .expect("a task")
                .map_err(|e| e.to_string())??;
        }
    }
    while let Some(done) = batches.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// Forgets the day's digests already sent, so each run does the full work
/// (directly at the emulator: not part of any measurement).
pub async fn forget_digests(stack: &Stack, table: &str, day: chrono::NaiveDate) -> Result<(), String> {
    let pk = AttributeValue::S(keys::digest_pk(day));
    let items = stack
        .dynamodb
        .query()
        .table_name(table)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", keys::PK)
        .expression_attribute_values(":pk", pk)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?
        .items
        .unwrap_or_default();
    let deletes: Vec<WriteRequest> = items
        .into_iter()
        .map(|item| {
            let key: HashMap<_, _> = item
                .into_iter()
                .filter(|(k, _)| k == keys::PK || k == keys::SK)
                .collect();
            let delete = DeleteRequest::builder()
                .set_key(Some(key))
                .build()
                .expect("a key");
            WriteRequest::builder().delete_request(delete).build()
        })
        .collect();
    for chunk in deletes.chunks(25) {
        write_batch(&stack.dynamodb, table, chunk.to_vec()).await?;
    }
    Ok(())
}

/// One BatchWriteItem of at most 25 requests, repeated until none is left
/// unprocessed.
async fn write_batch(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    mut pending: Vec<WriteRequest>,
) -> Result<(), String> {
    while !pending.is_empty() {
        pending = client
            .batch_write_item()
            .request_items(table, pending)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?
            .unprocessed_items
            .and_then(|mut u| u.remove(table))
            .unwrap_or_default();
    }
    Ok(())
}
