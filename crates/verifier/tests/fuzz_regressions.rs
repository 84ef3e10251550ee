//! What the fuzz targets (fuzz/, docs/fuzzing.md) found, one test each: the verifier's verdict
//! and how `runnable` loads what it accepted, run in the interpreter.

use unwind_verifier::{runnable, verify, Mode, Options};
use unwind_vm::{Config, Machine, Status, World};

fn run_accepted(source: &str, mode: Mode) -> Status {
    run_accepted_in(source, mode, &World::default())
}

fn run_accepted_in(source: &str, mode: Mode, world: &World) -> Status {
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
    let mut m = Machine::new(&r.program, world, config).expect("world");
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

/// Issue 12: a `raw` program is verified against a 4,096-byte ctx, but ran on only the input
/// bytes given (R1 NULL without any), so an accepted read past them faulted. The input is now
/// zero-filled to the ctx size the verifier checked; R2 is still the length given.
#[test]
fn a_raw_program_gets_the_ctx_size_it_was_verified_against() {
    let source = ".ctx raw\nr0 = *(u32 *)(r1 + 100)\nr2 = *(u32 *)(r1 + 4092)\nr0 += r2\n\
                  r2 = *(u8 *)(r1 + 0)\nr0 += r2\nexit\n";
    for ctx in [None, Some("00000000"), Some("07")] {
        let world = World {
            ctx: ctx.map(String::from),
            ..World::default()
        };
        for mode in Mode::ALL {
            match run_accepted_in(source, mode, &world) {
                Status::Exited { return_value } => {
                    assert_eq!(
                        return_value,
                        u64::from(ctx == Some("07")) * 7,
                        "{mode} {ctx:?}"
                    )
                }
                other => panic!("{mode} {ctx:?}: {other:?}"),
            }
        }
    }
}

/// The same class for the opaque ctx of other types: the verifier allows reads up to 512
/// bytes (tracepoint, tracing records) or 168 (kprobe's `pt_regs`), the interpreter gave them
/// 64 bytes. They now get `ProgType::ctx_size`, the size the verifier checks against.
#[test]
fn opaque_ctx_types_get_the_ctx_size_they_were_verified_against() {
    for (ctx, off) in [("tracepoint", 504), ("kprobe", 160), ("perf_event", 160)] {
        let source = format!(".ctx {ctx}\nr0 = *(u64 *)(r1 + {off})\nr0 = 0\nexit\n");
        for mode in Mode::ALL {
            match run_accepted(&source, mode) {
                Status::Exited { return_value } => assert_eq!(return_value, 0, "{mode} {ctx}"),
                other => panic!("{mode} {ctx}: {other:?}"),
            }
        }
    }
}

/// The same class through a global function's `ctx` argument: the callee is verified with R1
/// at the ctx's start, so a caller passing a moved ctx pointer let it read past the ctx (an
/// accepted program faulted). Refused now, as the kernel's `check_func_arg_reg_off` does.
#[test]
fn a_global_function_gets_its_ctx_argument_at_the_ctx_start() {
    let callee = ".ctx raw\n.globl f(ctx)\n{}\ncall f\nr0 = 0\nexit\nf:\nr0 = *(u32 *)(r1 + 4092)\nr0 = 0\nexit\n";
    for (moved, error) in [
        (
            "r1 += 8",
            "dereference of modified ctx ptr R1 off=8 disallowed",
        ),
        (
            "r2 = *(u32 *)(r1 + 0)\nr2 &= 4\nr1 += r2",
            "variable ctx access var_off=(0x0; 0x4) disallowed",
        ),
    ] {
        let program = unwind_asm::assemble(&callee.replace("{}", moved))
            .program
            .expect("assembles");
        for mode in Mode::ALL {
            let verdict = verify(
                &program,
                &Options {
                    mode,
                    ..Options::default()
                },
            );
            assert!(!verdict.accepted, "{mode}: {moved}");
            // `btf_check_func_arg_match` logs what is wrong; `check_func_call` refuses.
            assert!(verdict.log.contains(error), "{mode}: {}", verdict.log);
            assert!(
                verdict
                    .errors
                    .iter()
                    .any(|e| e.message.contains("Caller passes invalid args into func#1")),
                "{mode}: {:?}",
                verdict.errors
            );
        }
    }
    // At the start again, it is accepted and runs.
    let source = callee.replace("{}", "r1 += 8\nr1 += -8");
    for mode in Mode::ALL {
        assert!(matches!(
            run_accepted(&source, mode),
            Status::Exited { return_value: 0 }
        ));
    }
}
