//! `aduan-soak`: the full soak (see the crate's documentation). Needs the
//! local AWS stack (`make soak` starts it) and the function binaries built
//! beside it.

use std::process::ExitCode;

use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_soak::run::{default_bin_dir, run, Setup, APP_SECRET};
use aduan_soak::scenario::{Scenario, Shape};
use aduan_soak::{check, report};

const USAGE: &str = "usage: aduan-soak [--seed N] [--deliveries N] [--citizens N] [--redeliveries PERCENT]
                  [--sandboxes N] [--officials N] [--api-sandboxes N] [--sweeps N] [--bin-dir DIR]
defaults: seed 1, 3000 deliveries from 600 citizens, 20% redeliveries, 8 webhook sandboxes,
          4 officials on 2 case-updates sandboxes, 3 sweeps, the binaries beside this one";

fn parse() -> Result<(Shape, Setup), String> {
    let mut shape = Shape {
        seed: 1,
        deliveries: 3000,
        citizens: 600,
        redelivery_percent: 20,
    };
    let mut setup = Setup {
        bin_dir: default_bin_dir(),
        sandboxes: 8,
        officials: 4,
        api_sandboxes: 2,
        sweeps: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: {value:?} is not a number"))
        };
        match flag.as_str() {
            "--seed" => shape.seed = number()? as u64,
            "--deliveries" => shape.deliveries = number()?,
            "--citizens" => shape.citizens = number()?,
            "--redeliveries" => shape.redelivery_percent = number()?.min(90),
            "--sandboxes" => setup.sandboxes = number()?.max(1),
            "--officials" => setup.officials = number()?,
            "--api-sandboxes" => setup.api_sandboxes = number()?.max(1),
            "--sweeps" => setup.sweeps = number()?,
            "--bin-dir" => setup.bin_dir = value.into(),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if shape.originals() < shape.citizens.max(1) {
        return Err("fewer original messages than citizens".into());
    }
    Ok((shape, setup))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (shape, setup) = match parse() {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("aduan-soak: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let scenario = Scenario::generate(shape, Jurisdictions::bukittinggi(), APP_SECRET.as_bytes());
    let run = match run(scenario, &setup).await {
        Ok(run) => run,
        Err(e) => {
            eprintln!("aduan-soak: {e}");
            return ExitCode::FAILURE;
        }
    };
    let invariants = check::check(&run);
    print!("{}", report::render(&run, &setup, &invariants));
    if invariants.iter().all(|i| i.held) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
