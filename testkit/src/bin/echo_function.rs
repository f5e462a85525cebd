//! A minimal Lambda function for the local Runtime API's tests: answers
//! `{"echo": x}` with `x`, `{"fail": "why"}` with an error, and
//! `{"exit": code}` by exiting mid-invocation. With `ECHO_INIT_ERROR` set it
//! reports an init error instead of polling, as a runtime does when its
//! configuration is unusable.

use std::io::{Read, Write};

use lambda_http::lambda_runtime::{self, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    if let Ok(message) = std::env::var("ECHO_INIT_ERROR") {
        report_init_error(&message)?;
        std::process::exit(1);
    }
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        let payload = event.payload;
        if let Some(code) = payload["exit"].as_i64() {
            std::process::exit(code as i32);
        }
        if let Some(why) = payload["fail"].as_str() {
            return Err(Error::from(why.to_owned()));
        }
        Ok::<_, Error>(payload["echo"].clone())
    }))
    .await
}

fn report_init_error(message: &str) -> std::io::Result<()> {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(std::io::Error::other)?;
    let body = serde_json::json!({"errorMessage": message, "errorType": "Runtime.ConfigError"}).to_string();
    let mut stream = std::net::TcpStream::connect(&api)?;
    write!(
        stream,
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nhost: {api}\r\n\
         lambda-runtime-function-error-type: Runtime.ConfigError\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.read_to_end(&mut Vec::new())?;
    Ok(())
}
