//! A ticket as a citizen or an official types it, and the commands around it.
#![no_main]

use aduan_shared::conversation::Command;
use aduan_shared::domain::ticket::{Ticket, TicketPrefix};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ticket) = Ticket::parse(text) {
        // A parsed ticket is canonical: it reads back as itself, by number too.
        let again = Ticket::parse(ticket.as_str()).expect("a canonical ticket parses");
        assert_eq!(again, ticket);
        let prefix = TicketPrefix::parse(ticket.as_str().split('-').next().unwrap_or_default())
            .expect("a ticket's prefix parses");
        assert_eq!(Ticket::new(&prefix, ticket.number()), Ok(ticket));
    }
    let _ = TicketPrefix::parse(text);
    let _ = Command::parse(text);
});
