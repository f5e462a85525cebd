//! A panic's message never reaches the logs: the functions' panic hook logs
//! where it happened only. (Its own test binary: the hook is process-wide.)

#[test]
fn a_panic_logs_its_place_not_its_message() {
    let (logs, _guard) = aduan_testkit::logs::Logs::capture();
    aduan_shared::panics::install_redacting_hook();
    let number = "6281299990000";
    let outcome = std::panic::catch_unwind(|| {
        panic!("could not reply to {number}");
    });
    let _ = std::panic::take_hook();
    assert!(outcome.is_err());
    let text = logs.text();
    assert!(text.contains("panicked"), "{text}");
    assert!(text.contains("panic_hook.rs"), "{text}");
    assert!(!text.contains(number), "{text}");
}
