//! SNS as a subscriber sees it: an SQS queue subscribed to a topic (with a
//! filter policy, as officials' subscriptions have), and what reached it.

use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::Value;

/// A step of the setup that failed, with the SDK's whole error.
#[derive(Debug, thiserror::Error)]
#[error("{step}: {message}")]
pub struct SnsSetupError {
    pub step: &'static str,
    pub message: String,
}

fn failed<E: std::error::Error>(step: &'static str) -> impl FnOnce(E) -> SnsSetupError {
    move |error| SnsSetupError {
        step,
        message: DisplayErrorContext(error).to_string(),
    }
}

/// Creates the topic `name` (a test's own: names are per test) and returns
/// its ARN.
pub async fn fresh_topic(sdk: &aws_config::SdkConfig, name: &str) -> Result<String, SnsSetupError> {
    Ok(aws_sdk_sns::Client::new(sdk)
        .create_topic()
        .name(name)
        .send()
        .await
        .map_err(failed("create topic"))?
        .topic_arn
        .unwrap_or_default())
}

/// Creates the queue `queue_name`, subscribes it to `topic_arn` (filtered by
/// `filter` when given) and returns its URL.
pub async fn subscribed_queue(
    sdk: &aws_config::SdkConfig,
    topic_arn: &str,
    queue_name: &str,
    filter: Option<&Value>,
) -> Result<String, SnsSetupError> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let url = sqs
        .create_queue()
        .queue_name(queue_name)
        .send()
        .await
        .map_err(failed("create queue"))?
        .queue_url
        .unwrap_or_default();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(failed("queue attributes"))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .unwrap_or_default();
    let mut subscribe = aws_sdk_sns::Client::new(sdk)
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(arn);
    if let Some(filter) = filter {
        subscribe = subscribe.attributes("FilterPolicy", filter.to_string());
    }
    subscribe.send().await.map_err(failed("subscribe"))?;
    Ok(url)
}

/// Every notification in the queue now (the emulator delivers
/// synchronously), removed from it: SNS's JSON envelopes (`Subject`,
/// `Message`, `MessageAttributes`, ...), oldest first.
pub async fn drain(sdk: &aws_config::SdkConfig, queue_url: &str) -> Result<Vec<Value>, SnsSetupError> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut out = Vec::new();
    loop {
        let got = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .map_err(failed("receive"))?;
        let messages = got.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(out);
        }
        for message in messages {
            let body = message.body.unwrap_or_default();
            out.push(serde_json::from_str(&body).unwrap_or(Value::String(body)));
            if let Some(handle) = message.receipt_handle {
                sqs.delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .map_err(failed("delete"))?;
            }
        }
    }
}
