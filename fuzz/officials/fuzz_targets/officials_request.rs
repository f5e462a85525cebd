//! An official's request: the JSON bodies of the three POST routes and the
//! query strings of `GET /cases` and `GET /stats`, parsed as the handlers do
//! before any case is read (the checks are in `../check.rs`).
#![no_main]

#[path = "../check.rs"]
mod check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| check::check(data));
