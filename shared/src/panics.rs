//! A panic hook for the Lambda functions: a panic's message may hold any
//! value the failing code had at hand (a reporter's number among them), so
//! only where it happened is logged, never what it said.

/// Replaces the default hook (which prints the message to stderr, i.e. to
/// the logs). Call once in each function's `main`, after the log setup.
pub fn install_redacting_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panicked (message withheld: it may hold personal data)");
    }));
}
