//! The running kernel's verdicts beside Unwind's `upstream` verdicts (the kernel this machine
//! runs is upstream Linux) on the playground's examples. Where bpf() is not permitted the
//! test says it could not compare and passes.

use std::path::Path;

use unwind_verifier::{Mode, Options};
use unwind_witness::{verify_in_kernel, KernelOptions, WitnessError};

fn examples() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("static/examples")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "s").then(|| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_examples_verdicts_against_the_running_kernel() {
    let mut compared = 0;
    let mut disagree = Vec::new();
    for (name, text) in examples() {
        let program = unwind_asm::assemble(&text)
            .program
            .unwrap_or_else(|| panic!("{name} assembles"));
        let ours = unwind_verifier::verify(
            &program,
            &Options {
                mode: Mode::Upstream,
                ..Options::default()
            },
        );
        match verify_in_kernel(&program, &KernelOptions::default()) {
            Ok(kernel) => {
                compared += 1;
                let our_error = ours.errors.first().map(|e| e.message.as_str());
                eprintln!(
                    "{name}: unwind {}{}, kernel {}{}",
                    if ours.accepted { "accepts" } else { "refuses" },
                    our_error.map(|e| format!(" ({e})")).unwrap_or_default(),
                    if kernel.accepted {
                        "accepts"
                    } else {
                        "refuses"
                    },
                    kernel
                        .first_error()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                );
                if ours.accepted != kernel.accepted {
                    disagree.push(name.clone());
                } else if let (Some(a), Some(b)) = (our_error, kernel.first_error()) {
                    // The kernel's message, as Unwind's upstream mode words it.
                    if !b.contains(a) && !a.contains(b) {
                        disagree.push(format!("{name}: '{a}' against the kernel's '{b}'"));
                    }
                }
            }
            Err(WitnessError::NotPermitted(e)) => {
                eprintln!("could not compare with the running kernel: {e}");
                return;
            }
            Err(e) => eprintln!("{name}: {e}"),
        }
    }
    eprintln!("{compared} examples compared");
    assert!(compared > 0, "no example could be given to the kernel");
    assert!(
        disagree.is_empty(),
        "Unwind's upstream mode and the running kernel disagree on {disagree:?}"
    );
}
