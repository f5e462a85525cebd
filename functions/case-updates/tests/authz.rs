//! The authorization matrix of docs/security.md, as a table: every route x
//! role x a scope that covers the case or does not. Out of scope must look
//! exactly like a ticket that does not exist, so guessing tickets in
//! sequence learns nothing.

mod support;

use serde_json::{json, Value};
use support::*;

/// Scopes that cover a case in Garegeh (the kelurahan, its kecamatan, the
/// city) and scopes that do not (a sibling kelurahan, another kecamatan, an
/// agency the case was never routed to).
const IN_SCOPE: [&str; 3] = [KEL_GAREGEH, KEC_MKS, "bukittinggi"];
const OUT_OF_SCOPE: [&str; 3] = [KEL_PUHUN_TEMBOK, KEC_GUGUK, "bukittinggi/dinas/pupr"];
const ROLES: [&str; 3] = ["viewer", "officer", "admin"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Route {
    List,
    Get,
    Act,
    Message,
    Escalate,
    Stats,
}

const ROUTES: [Route; 6] = [
    Route::List,
    Route::Get,
    Route::Act,
    Route::Message,
    Route::Escalate,
    Route::Stats,
];

impl Route {
    fn writes(self) -> bool {
        matches!(self, Route::Act | Route::Message | Route::Escalate)
    }

    async fn call(self, app: &App, who: &Caller, ticket: &str) -> Response {
        match self {
            Route::List => app.get(who, "/cases").await,
            Route::Get => app.get(who, &format!("/cases/{ticket}")).await,
            Route::Act => {
                app.act(
                    who,
                    ticket,
                    json!({"action": "note", "note": "dicek", "version": 1}),
                )
                .await
            }
            Route::Message => {
                app.post(who, &format!("/cases/{ticket}/messages"), json!({"text": "halo"}))
                    .await
            }
            Route::Escalate => {
                app.post(who, &format!("/cases/{ticket}/escalations"), json!({}))
                    .await
            }
            Route::Stats => app.get(who, "/stats").await,
        }
    }
}

fn tickets_listed(r: &Response) -> Vec<String> {
    r.body["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("not a queue: {}", r.text))
        .iter()
        .map(|c| c["ticket"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_route_role_and_scope() {
    let app = App::new("authz").await;
    // A fresh case per cell that writes, so each cell sees version 1.
    let mut next = 1;
    let mut cells = 0;
    for route in ROUTES {
        for role in ROLES {
            for (scope, in_scope) in IN_SCOPE
                .iter()
                .map(|s| (*s, true))
                .chain(OUT_OF_SCOPE.iter().map(|s| (*s, false)))
            {
                let n = next;
                let case = app.seed(n, KEL_GAREGEH).await;
                let ticket = case.ticket.to_string();
                next += 1;
                let who = caller(scope, role);
                let missing = format!("ADU-{:04}", 9000 + next);
                let r = route.call(&app, &who, &ticket).await;
                let cell = format!("{route:?} as {role} in {scope}");
                cells += 1;
                match route {
                    Route::List => {
                        assert_eq!(r.status, 200, "{cell}: {}", r.text);
                        assert_eq!(tickets_listed(&r).contains(&ticket), in_scope, "{cell}");
                    }
                    Route::Stats => {
                        assert_eq!(r.status, 200, "{cell}: {}", r.text);
                        // Every case seeded so far is in Garegeh.
                        let expected = if in_scope { next - 1 } else { 0 };
                        assert_eq!(r.body["total"], json!(expected), "{cell}");
                    }
                    _ if route.writes() && role == "viewer" => {
                        // Read-only whatever the ticket: not even existence is told.
                        assert_eq!((r.status, r.code()), (403, "forbidden"), "{cell}");
                        let other = route.call(&app, &who, &missing).await;
                        assert_eq!(other.text, r.text, "{cell}");
                    }
                    _ if in_scope => assert_eq!(r.status, 200, "{cell}: {}", r.text),
                    _ => {
                        let not_there = route.call(&app, &who, &missing).await;
                        assert_eq!((r.status, r.code()), (404, "not_found"), "{cell}");
                        assert_eq!(r.text, not_there.text, "{cell}");
                    }
                }
                if route.writes() {
                    // A message leaves the case as it is: what changes is what was sent.
                    let changed = if route == Route::Message {
                        app.whatsapp
                            .received()
                            .iter()
                            .any(|s| s.body["to"] == number_of(n))
                    } else {
                        app.store().case(&case.id).await.unwrap().unwrap().version > 1
                    };
                    assert_eq!(changed, in_scope && role != "viewer", "{cell}");
                }
            }
        }
    }
    assert_eq!(cells, ROUTES.len() * ROLES.len() * 6);
}

#[tokio::test]
async fn guessing_tickets_in_sequence_tells_nothing() {
    let app = App::new("guess").await;
    // Cases 1..=12 exist, alternately in Garegeh and in Kayu Kubu.
    for n in 1..=12 {
        let area = if n % 2 == 0 { KEL_KAYU_KUBU } else { KEL_GAREGEH };
        app.seed(n, area).await;
    }
    let outsider = caller(KEL_KAYU_KUBU, "officer");
    let reference = |path: &str, body: Option<Value>| {
        let (path, body) = (path.to_owned(), body);
        let app = &app;
        let outsider = &outsider;
        async move {
            match body {
                Some(body) => app.post(outsider, &path, body).await,
                None => app.get(outsider, &path).await,
            }
        }
    };
    let nonexistent = reference("/cases/ADU-9999", None).await;
    let nonexistent_act = reference(
        "/cases/ADU-9999/actions",
        Some(json!({"action": "verify", "version": 1})),
    )
    .await;
    assert_eq!(nonexistent.status, 404);
    // Tickets 1..=20 in every spelling a guesser would try: the odd ones
    // (Garegeh) and the ones past 12 (nonexistent) answer byte for byte alike.
    for n in (1..=20).filter(|n| n % 2 == 1 || *n > 12) {
        for spelling in [format!("ADU-{n:04}"), format!("adu{n}"), format!("ADU-{n}")] {
            let r = reference(&format!("/cases/{spelling}"), None).await;
            assert_eq!(r.text, nonexistent.text, "{spelling}");
            let r = reference(
                &format!("/cases/{spelling}/actions"),
                Some(json!({"action": "verify", "version": 1})),
            )
            .await;
            assert_eq!(r.text, nonexistent_act.text, "{spelling}");
        }
    }
    // Their own cases they do see.
    for n in (2..=12).step_by(2) {
        assert_eq!(reference(&format!("/cases/ADU-{n:04}"), None).await.status, 200);
    }
    // The queue cannot be pointed at someone else's area either.
    let r = app
        .get(&outsider, &format!("/cases?jurisdiction={KEL_GAREGEH}"))
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    assert_eq!(r.body["error"]["field"], "jurisdiction");
}
