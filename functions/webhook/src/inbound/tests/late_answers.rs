//! The citizen's answer to "is it solved?" that comes after the case moved
//! on (issue 19, item 9): "not solved" reopens a case closed lately, and is
//! never answered "reopened" while the case stays as it is.

use super::*;

impl Harness {
    /// ADU-0001 asked "is it solved?", then `status` set on it `ago`.
    fn asked_then(&self, status: Status, ago: Duration) -> OpenCase {
        let tables = self.records.tables();
        let id = tables.tickets[&ticket("ADU-0001")].clone();
        let asked = OpenCase {
            id: id.clone(),
            ticket: ticket("ADU-0001"),
        };
        let reporter_id = self.reporter(CITIZEN).id;
        let awaiting = Awaiting::Confirmation { case: asked.clone() };
        self.records.change(move |tables| {
            let case = tables.cases.get_mut(&id).unwrap();
            case.status = status;
            case.updated_at = now() - ago;
            let reporter = tables.reporters.get_mut(&reporter_id).unwrap();
            reporter.awaiting = Some(awaiting);
            if !status.is_open() {
                // As the sweep leaves it: the pointer may stay or be gone.
                reporter.open_case = None;
            }
        });
        asked
    }
}

async fn reported() -> Harness {
    let d = Harness::new();
    d.send(
        CITIZEN,
        "wamid.1",
        "Got di depan SD 03 Garegeh tersumbat, air meluap ke jalan",
    )
    .await
    .unwrap();
    d
}

#[tokio::test]
async fn not_solved_after_the_sweep_closed_it_reopens_it_for_real() {
    let d = reported().await;
    let asked = d.asked_then(Status::Closed, Duration::days(2));
    let text = d.says(CITIZEN, "wamid.2", "belum pak, masih tergenang").await;
    assert_eq!(
        text,
        render(&Texts::shipped().confirm_no, &[("ticket", "ADU-0001")])
    );
    assert_eq!(d.status_of("ADU-0001"), Status::InProgress);
    assert_eq!(
        d.reporter(CITIZEN).open_case,
        Some(asked),
        "what follows joins it"
    );
}

#[tokio::test]
async fn not_solved_long_after_it_closed_asks_for_a_new_report() {
    let d = reported().await;
    d.asked_then(Status::Closed, Duration::days(30));
    let text = d.says(CITIZEN, "wamid.2", "blm").await;
    assert_eq!(
        text,
        render(&Texts::shipped().confirm_no_closed, &[("ticket", "ADU-0001")])
    );
    assert!(!text.contains("buka kembali"), "{text}");
    assert_eq!(d.status_of("ADU-0001"), Status::Closed);
}

#[tokio::test]
async fn not_solved_while_officials_already_work_on_it_says_so() {
    let d = reported().await;
    d.asked_then(Status::InProgress, Duration::hours(3));
    let text = d.says(CITIZEN, "wamid.2", "belum").await;
    assert_eq!(
        text,
        render(&Texts::shipped().confirm_no_open, &[("ticket", "ADU-0001")])
    );
    assert_eq!(d.status_of("ADU-0001"), Status::InProgress);
}

#[tokio::test]
async fn a_rejected_case_is_not_reopened_by_the_citizen() {
    let d = reported().await;
    d.asked_then(Status::Rejected, Duration::hours(3));
    let text = d.says(CITIZEN, "wamid.2", "tidak, belum diperbaiki").await;
    assert_eq!(
        text,
        render(&Texts::shipped().confirm_no_closed, &[("ticket", "ADU-0001")])
    );
    assert_eq!(d.status_of("ADU-0001"), Status::Rejected);
}

/// An answer that is neither yes nor no is asked again, and the wait for
/// the answer starts again: the sweep never closes the case "for no answer"
/// just after the citizen answered.
#[tokio::test]
async fn an_unclear_answer_restarts_the_wait_for_the_answer() {
    let d = reported().await;
    d.asked_then(Status::Resolved, Duration::days(2));
    let later = now() + Duration::days(2);
    let mut inbound = message(CITIZEN, "wamid.2", "tidak tahu pak, coba dicek lagi");
    inbound.sent_at = later;
    process(&d.records, &d.desk, &inbound, later).await.unwrap();
    let tables = d.records.tables();
    let case = &tables.cases[&tables.tickets[&ticket("ADU-0001")]];
    assert_eq!(case.status, Status::Resolved);
    assert_eq!(case.clock_started_at, later);
    assert!(
        case.due_at.is_some_and(|due| due > later + Duration::days(1)),
        "{:?}",
        case.due_at
    );
}
