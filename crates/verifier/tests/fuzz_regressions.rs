//! What the fuzz targets (fuzz/, docs/fuzzing.md) found, one test each: the verifier's verdict
//! and how `runnable` loads what it accepted, run in the interpreter.

use unwind_verifier::{runnable, verify, Mode, Options};
use unwind_vm::{Config, Machine, Status, World};

fn run_accepted(source: &str, mode: Mode) -> Status {
    let program = unwind_asm::assemble(source).program.expect("assembles");
    let verdict = verify(
        &program,
        &Options {
            mode,
            ..Options::default()
        },
    );
    assert!(verdict.accepted, "{mode}: {:?}", verdict.errors);
    let r = runnable(&program, &verdict, mode).expect("loads");
    let config = Config {
        unwinding: r.unwinding,
        ..Config::default()
    };
    let mut m = Machine::new(&r.program, &World::default(), config).expect("world");
    m.run();
    m.status
}

/// fuzz target `verify`: a program without `.ctx` is verified as a socket filter, which may
/// read `__sk_buff` fields through R1, but was run as the interpreter's `raw` default, whose R1
/// is the input memory (NULL without one): an accepted program faulted. It now runs as the
/// type it was verified as.
#[test]
fn a_program_without_ctx_runs_as_the_socket_filter_it_was_verified_as() {
    let source = "r2 = *(u32 *)(r1 + 0)\nr0 = r2\nexit\n";
    for mode in Mode::ALL {
        match run_accepted(source, mode) {
            // skb->len of the default 64-byte test-run frame, less the Ethernet header
            Status::Exited { return_value } => assert_eq!(return_value, 50, "{mode}"),
            other => panic!("{mode}: {other:?}"),
        }
    }
}
