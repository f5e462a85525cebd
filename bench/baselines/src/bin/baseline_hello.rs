//! Baseline: the smallest `lambda_http` function, a hello world.

use lambda_http::{run, service_fn, Body, Error, Request, Response};

// The runtime the functions use, so the comparison is of the work alone.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(|_request: Request| async {
        Response::builder()
            .status(200)
            .body(Body::from("hello"))
            .map_err(Error::from)
    }))
    .await
}
