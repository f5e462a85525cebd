//! The local Runtime API against a real `lambda_runtime` function process.

use std::time::Duration;

use aduan_testkit::runtime_api::{Function, Invocation, Outcome, RuntimeApi};
use serde_json::{json, Value};

fn echo() -> Function {
    Function::new(env!("CARGO_BIN_EXE_echo-function"), "echo")
}

/// Submits all `events` at once; the answers in submission order.
async fn invoke_all(api: &RuntimeApi, events: Vec<Value>) -> Vec<Invocation> {
    let tasks: Vec<_> = events
        .into_iter()
        .map(|event| {
            let api = api.clone();
            tokio::spawn(async move { api.invoke(&event).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("invocation task"));
    }
    answers
}

#[tokio::test]
async fn hands_events_to_concurrent_processes_and_returns_each_answer_to_its_submitter() {
    let api = RuntimeApi::new();
    let processes = [
        api.start(&echo()).await.unwrap(),
        api.start(&echo()).await.unwrap(),
    ];
    for process in &processes {
        let cold = process.cold_start().await.expect("polls");
        assert!(cold > Duration::ZERO && cold < Duration::from_secs(30));
    }
    let events = (0..40).map(|i| json!({"echo": {"n": i}})).collect();
    let answers = invoke_all(&api, events).await;
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer.response(), &json!({"n": i}));
        assert!(answer.duration > Duration::ZERO);
    }
    // Both processes served: one busy process does not hold the queue.
    assert!(answers.iter().any(|a| a.process == 0));
    assert!(answers.iter().any(|a| a.process == 1));
    let rss = processes[0]
        .peak_rss_kib()
        .expect("a running process has a VmHWM");
    assert!(rss > 100, "{rss} KiB");
}

#[tokio::test]
async fn a_function_error_comes_back_as_an_error_and_the_process_keeps_serving() {
    let api = RuntimeApi::new();
    let process = api.start(&echo()).await.unwrap();
    let failed = api.invoke(&json!({"fail": "no such case"})).await;
    let Outcome::Error { error_type, body } = &failed.outcome else {
        panic!("{failed:?}");
    };
    assert!(error_type.is_some(), "{failed:?}");
    assert_eq!(body["errorMessage"], "no such case");
    assert_eq!(api.invoke(&json!({"echo": 1})).await.response(), &json!(1));
    drop(process);
}

#[tokio::test]
async fn a_process_that_dies_mid_invocation_loses_only_that_event() {
    let api = RuntimeApi::new();
    let dying = api.start(&echo()).await.unwrap();
    dying.cold_start().await.unwrap();
    let lost = api.invoke(&json!({"exit": 3})).await;
    assert_eq!(lost.outcome, Outcome::Lost);
    assert!(dying.exited().await.contains('3'));
    // The next event waits for a live process rather than the dead one.
    let replacement = api.start(&echo()).await.unwrap();
    assert_eq!(api.invoke(&json!({"echo": "ok"})).await.response(), "ok");
    assert_eq!(replacement.index(), 1);
}

#[tokio::test]
async fn an_init_error_ends_the_cold_start_with_the_report() {
    let api = RuntimeApi::new();
    let process = api
        .start(&echo().env([("ECHO_INIT_ERROR".to_owned(), "bad key".to_owned())]))
        .await
        .unwrap();
    let error = process.cold_start().await.expect_err("never polls");
    assert!(error.contains("bad key"), "{error}");
    assert_eq!(process.init_error().unwrap()["errorType"], "Runtime.ConfigError");
}

#[tokio::test]
async fn a_process_that_exits_before_polling_is_reported_with_its_output() {
    let api = RuntimeApi::new();
    let process = api
        .start(&Function::new("sh", "sh").env([("X".to_owned(), "1".to_owned())]))
        .await
        .unwrap();
    let error = process.cold_start().await.expect_err("sh without -c exits");
    assert!(error.contains("exited"), "{error}");
}
