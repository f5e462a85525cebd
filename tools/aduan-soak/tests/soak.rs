//! The soak, small enough for `make test`: the same generator, runtime API,
//! function processes and checks as `make soak`, on 150 deliveries.

use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_soak::run::{default_bin_dir, run, Setup, APP_SECRET};
use aduan_soak::scenario::{Scenario, Shape};
use aduan_soak::{check, report};

#[tokio::test]
async fn a_small_storm_keeps_every_invariant() {
    let shape = Shape {
        seed: 7,
        deliveries: 150,
        citizens: 30,
        redelivery_percent: 20,
    };
    let setup = Setup {
        bin_dir: default_bin_dir(),
        sandboxes: 4,
        officials: 3,
        api_sandboxes: 1,
        sweeps: 2,
    };
    let scenario = Scenario::generate(shape, Jurisdictions::bukittinggi(), APP_SECRET.as_bytes());
    let run = run(scenario, &setup).await.expect("the run completes");
    let invariants = check::check(&run);
    println!("{}", report::render(&run, &setup, &invariants));
    let broken: Vec<_> = invariants.iter().filter(|i| !i.held).collect();
    assert!(broken.is_empty(), "broken invariants: {broken:#?}");
    // The checks saw real work, not an empty run.
    assert_eq!(run.observed.cases.len(), 30);
    assert!(run.work.iter().any(|w| !w.landed.is_empty()), "officials acted");
    assert!(run.sweeps.iter().any(|s| s.escalated > 0), "the sweeps escalated");
}
