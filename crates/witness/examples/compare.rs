//! Unwind's `upstream` verdicts against the running kernel's on every `.s` file under the
//! given directories: `cargo run -p unwind-witness --example compare -- DIR...`. Prints each
//! disagreement (verdict, or the error line when both refuse) and the totals
//! (docs/fidelity.md).

use std::path::{Path, PathBuf};

use unwind_verifier::{Mode, Options};
use unwind_witness::{verify_in_kernel, KernelOptions, WitnessError};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "s") {
            out.push(p);
        }
    }
}

fn main() {
    let mut all = Vec::new();
    for dir in std::env::args().skip(1) {
        files(Path::new(&dir), &mut all);
    }
    all.sort();
    let (mut compared, mut agree, mut same_error, mut both_refuse) = (0, 0, 0, 0);
    let mut not_comparable = std::collections::BTreeMap::<String, u32>::new();
    let opts = KernelOptions {
        log_level: 1,
        ..KernelOptions::default()
    };
    for path in &all {
        if std::env::var_os("COMPARE_VERBOSE").is_some() {
            eprintln!("{}", path.display());
        }
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let Some(program) = unwind_asm::assemble(&text).program else {
            continue;
        };
        let ours = unwind_verifier::verify(
            &program,
            &Options {
                mode: Mode::Upstream,
                log_level: 0,
                record_states: false,
                ..Options::default()
            },
        );
        let kernel = match verify_in_kernel(&program, &opts) {
            Ok(k) => k,
            Err(WitnessError::NotPermitted(e)) => {
                eprintln!("bpf() is not permitted here: {e}");
                std::process::exit(2);
            }
            Err(e) => {
                let why = e.to_string();
                let class = why.split(": ").last().unwrap_or(&why).to_string();
                *not_comparable.entry(class).or_default() += 1;
                continue;
            }
        };
        compared += 1;
        let name = path.display();
        if ours.accepted != kernel.accepted {
            println!(
                "{name}: unwind {} ({}), kernel {} ({})",
                if ours.accepted { "accepts" } else { "refuses" },
                ours.errors.first().map_or("", |e| e.message.as_str()),
                if kernel.accepted {
                    "accepts"
                } else {
                    "refuses"
                },
                kernel.first_error().unwrap_or("")
            );
            continue;
        }
        agree += 1;
        if !ours.accepted {
            both_refuse += 1;
            let a = ours.errors.first().map_or("", |e| e.message.as_str());
            let b = kernel.first_error().unwrap_or("");
            if b.contains(a) || a.contains(b) {
                same_error += 1;
            } else {
                println!("{name}: both refuse: unwind '{a}', kernel '{b}'");
            }
        }
    }
    println!(
        "{} files; {compared} compared: {agree} verdicts agree ({:.1}%), {same_error} of {both_refuse} refusals with the kernel's error line",
        all.len(),
        100.0 * agree as f64 / compared.max(1) as f64
    );
    for (why, n) in not_comparable {
        println!("  not compared x{n}: {why}");
    }
}
