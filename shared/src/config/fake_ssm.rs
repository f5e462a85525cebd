//! Test stand-ins for SSM Parameter Store, shared by the secrets' and the
//! common config's tests.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use super::ssm::{FetchedParameter, FetchedParameters, ParameterFetch, SSM_BATCH};

/// A stand-in for SSM: a fixed parameter store, recording each call.
#[derive(Default)]
pub(super) struct FakeSsm {
    pub(super) params: HashMap<String, (String, bool)>,
    pub(super) calls: Mutex<Vec<Vec<String>>>,
    pub(super) fail: bool,
}

impl FakeSsm {
    pub(super) fn with(params: &[(&str, &str)]) -> Self {
        Self {
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), (v.to_string(), true)))
                .collect(),
            ..Self::default()
        }
    }
}

impl ParameterFetch for &FakeSsm {
    fn get_parameters(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<FetchedParameters, String>> + Send {
        assert!(names.len() <= SSM_BATCH);
        self.calls.lock().unwrap().push(names.to_vec());
        let mut out = FetchedParameters::default();
        for n in names {
            match self.params.get(n) {
                Some((value, secure)) => {
                    out.found.insert(
                        n.clone(),
                        FetchedParameter {
                            value: value.clone(),
                            secure: *secure,
                        },
                    );
                }
                None => out.invalid.push(n.clone()),
            }
        }
        let result = if self.fail {
            Err("AccessDeniedException: not allowed".to_owned())
        } else {
            Ok(out)
        };
        async move { result }
    }
}

/// Fails the test if used: no `_PARAM`, no fetch.
pub(super) struct NoFetch;
impl ParameterFetch for NoFetch {
    async fn get_parameters(&self, _: &[String]) -> Result<FetchedParameters, String> {
        panic!("no SSM call expected")
    }
}

pub(super) fn block_on<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}
