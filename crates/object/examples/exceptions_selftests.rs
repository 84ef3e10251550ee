//! The kernel's exceptions selftests loaded from their objects: `cargo run -p unwind-object
//! --example exceptions_selftests -- OBJDIR SELFTESTS` with OBJDIR holding exceptions.o and
//! exceptions_fail.o (compiled as scripts/kselftests.sh's generator compiles the verifier
//! selftests) and SELFTESTS the kernel's tools/testing/selftests/bpf. exceptions_fail.c's
//! programs carry their expectation in BTF (`__failure`/`__success` are decl tags);
//! exceptions.c's return values are prog_tests/exceptions.c's `RUN_SUCCESS(prog, value)`.
use unwind_object::btf::kind;
use unwind_verifier::{verify, Mode, Options};

fn main() {
    let mut args = std::env::args().skip(1);
    let objdir = args.next().expect("the objects folder");
    let selftests = args.next().expect("tools/testing/selftests/bpf");
    let mode = args
        .next()
        .map(|m| m.parse::<Mode>().expect("a mode"))
        .unwrap_or(Mode::Upstream);
    let opts = Options {
        log_level: 1,
        mode,
        ..Options::default()
    };
    // exceptions_fail.c: the expected verdict from the decl tags.
    let bytes = std::fs::read(format!("{objdir}/exceptions_fail.o")).expect("exceptions_fail.o");
    let obj = unwind_object::load(&bytes).expect("loads");
    let btf = obj.btf.as_ref().expect("BTF");
    let (mut total, mut agree) = (0, 0);
    for p in &obj.programs {
        let Some((id, _)) = btf.find(kind::FUNC, &p.name) else {
            continue;
        };
        let tags: Vec<&str> = btf.decl_tags(id).map(|(_, t)| t).collect();
        let expect_accept = if tags.contains(&"comment:test_expect_failure") {
            false
        } else if tags.contains(&"comment:test_expect_success") {
            true
        } else {
            continue;
        };
        let msgs: Vec<&str> = tags
            .iter()
            .filter_map(|t| t.strip_prefix("comment:test_expect_msg="))
            // `__msg()` puts a counter before the message: `N=message`.
            .map(|m| m.split_once('=').map_or(m, |(_, m)| m))
            .collect();
        total += 1;
        let Ok(program) = &p.program else {
            println!(
                "exceptions_fail / {}: not loaded: {}",
                p.name,
                p.program.as_ref().unwrap_err()
            );
            continue;
        };
        let v = verify(program, &opts);
        let msg_ok = msgs.iter().all(|m| v.log.contains(m));
        if v.accepted == expect_accept {
            agree += 1;
        }
        if v.accepted != expect_accept || !msg_ok {
            println!(
                "exceptions_fail / {}: expected {}, got {}{} ({:?})",
                p.name,
                if expect_accept { "accept" } else { "reject" },
                if v.accepted { "accept" } else { "reject" },
                if msg_ok { "" } else { ", message missing" },
                msgs
            );
        }
    }
    println!("exceptions_fail.c: {agree} of {total} verdicts as the kernel's");
    // exceptions.c: accepted, and the return value of prog_tests/exceptions.c.
    let table = std::fs::read_to_string(format!("{selftests}/prog_tests/exceptions.c"))
        .expect("prog_tests/exceptions.c");
    let bytes = std::fs::read(format!("{objdir}/exceptions.o")).expect("exceptions.o");
    let obj = unwind_object::load(&bytes).expect("loads");
    let (mut total, mut ok) = (0, 0);
    for line in table.lines() {
        let Some(rest) = line.trim().strip_prefix("RUN_SUCCESS(") else {
            continue;
        };
        let Some((name, value)) = rest.trim_end_matches(");").split_once(", ") else {
            continue;
        };
        let Ok(expected) = value.trim().parse::<i64>() else {
            continue;
        };
        total += 1;
        let Ok(p) = obj.program(name) else {
            println!("exceptions / {name}: not in exceptions.o (another object)");
            continue;
        };
        let program = match &p.program {
            Ok(p) => p,
            Err(e) => {
                println!("exceptions / {name}: not loaded: {e}");
                continue;
            }
        };
        let v = verify(program, &opts);
        if !v.accepted {
            println!(
                "exceptions / {name}: rejected: {:?}",
                v.errors.first().map(|e| &e.message)
            );
            continue;
        }
        let runnable = unwind_verifier::runnable(program, &v, mode).expect("runnable");
        let config = unwind_vm::Config {
            unwinding: runnable.unwinding,
            ..unwind_vm::Config::default()
        };
        let got = unwind_vm::Machine::new(&runnable.program, &unwind_vm::World::default(), config)
            .map(|mut m| {
                m.run();
                m.status
            });
        match got {
            Ok(unwind_vm::Status::Exited { return_value }) if return_value as i64 == expected => {
                ok += 1
            }
            other => println!("exceptions / {name}: expected {expected}, got {other:?}"),
        }
    }
    println!("exceptions.c: {ok} of {total} ran to the kernel's return value");
}
