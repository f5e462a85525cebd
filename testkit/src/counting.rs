//! Counts the DynamoDB requests a client really sends (after retries, one per
//! attempt), by operation, with an SDK interceptor: the figures the cost
//! targets are pinned on.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl RequestCounter {
    /// A DynamoDB client on `sdk` whose requests this counter counts.
    pub fn dynamodb_client(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    pub fn total(&self) -> usize {
        self.counts.lock().expect("not poisoned").values().sum()
    }

    pub fn by_operation(&self) -> BTreeMap<String, usize> {
        self.counts.lock().expect("not poisoned").clone()
    }

    pub fn reset(&self) {
        self.counts.lock().expect("not poisoned").clear();
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("unknown")
            .to_owned();
        *self
            .counts
            .lock()
            .expect("not poisoned")
            .entry(operation)
            .or_default() += 1;
        Ok(())
    }
}
