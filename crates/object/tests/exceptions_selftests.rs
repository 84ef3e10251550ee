//! The kernel's exceptions selftests, compiled from the kernel's sources as the kselftests
//! generator compiles the verifier selftests (its cache: Debian's linux-source-6.12, clang-19,
//! the generated headers and vmlinux.h), loaded from ELF: exceptions_fail.c's programs get the
//! verdicts and messages their `__failure`/`__msg` decl tags (read from BTF) expect, and
//! exceptions.c's programs return what prog_tests/exceptions.c's `RUN_SUCCESS(prog, value)`
//! expects, in `upstream` mode (today's kernel), but for the differences listed here. Without
//! the cache the test prints a note and passes. The sources are GPL-2.0: nothing of them is
//! committed, they are compiled into Cargo's temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use unwind_object::btf::kind;
use unwind_verifier::{verify, Mode, Options};

fn first_dir(parent: &Path, prefix: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(parent)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    dirs.sort();
    dirs.into_iter().next()
}

/// Compiles exceptions.c and exceptions_fail.c; `None` (with the reason) without the cache.
fn compile() -> Result<(PathBuf, PathBuf), String> {
    let cache = std::env::var_os("KSELFTESTS_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kselftests")))
        .ok_or("no HOME")?;
    let src = first_dir(&cache.join("src"), "linux-source-").ok_or("no kernel sources")?;
    let build = first_dir(&cache.join("build"), "").ok_or("no build folder")?;
    let selftests = src.join("tools/testing/selftests/bpf");
    let vmlinux = build.join("vmlinux");
    let toolroot = cache.join("toolroot");
    let clang = toolroot.join("usr/lib/llvm-19/bin/clang");
    for p in [&selftests, &vmlinux.join("vmlinux.h"), &clang] {
        if !p.exists() {
            return Err(format!("{} is missing", p.display()));
        }
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("exceptions-selftests");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let lib = |p: &str| toolroot.join(p).display().to_string();
    let ld = [
        lib("usr/lib/x86_64-linux-gnu"),
        lib("lib/x86_64-linux-gnu"),
        lib("usr/lib/llvm-19/lib"),
    ]
    .join(":");
    for f in ["exceptions", "exceptions_fail"] {
        let status = Command::new(&clang)
            .env("LD_LIBRARY_PATH", &ld)
            .args([
                "-g",
                "-O2",
                "--target=bpf",
                "-mcpu=v4",
                "-w",
                "-D__TARGET_ARCH_x86",
            ])
            .args(["-mlittle-endian", "-DENABLE_ATOMICS_TESTS"])
            .arg(format!("-I{}", build.join("include").display()))
            .arg(format!("-I{}", selftests.display()))
            .arg(format!("-I{}", src.join("tools/include/uapi").display()))
            .arg(format!("-I{}", src.join("tools/include").display()))
            .arg(format!("-I{}", vmlinux.display()))
            .args(["-idirafter", &lib("usr/include/x86_64-linux-gnu")])
            .args([
                "-idirafter",
                &lib("usr/include"),
                "-idirafter",
                "/usr/include",
            ])
            .arg("-c")
            .arg(selftests.join(format!("progs/{f}.c")))
            .arg("-o")
            .arg(out.join(format!("{f}.o")))
            .status()
            .map_err(|e| format!("clang: {e}"))?;
        if !status.success() {
            return Err(format!("clang failed on {f}.c"));
        }
    }
    Ok((out, selftests))
}

fn opts() -> Options {
    Options {
        log_level: 1,
        mode: Mode::Upstream,
        ..Options::default()
    }
}

#[test]
fn exceptions_selftests_from_elf() {
    let (out, selftests) = match compile() {
        Ok(dirs) => dirs,
        Err(why) => {
            println!("note: the exceptions selftests are not checked: {why}");
            return;
        }
    };

    // exceptions_fail.c: each program's expectation is in BTF.
    let bytes = std::fs::read(out.join("exceptions_fail.o")).unwrap();
    let obj = unwind_object::load(&bytes).expect("exceptions_fail.o loads");
    let btf = obj.btf.as_ref().expect("BTF");
    let mut differences = Vec::new();
    let mut checked = 0;
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
        checked += 1;
        // `__msg()` writes `comment:test_expect_msg=N=message`.
        let messages: Vec<&str> = tags
            .iter()
            .filter_map(|t| t.strip_prefix("comment:test_expect_msg="))
            .map(|m| m.split_once('=').map_or(m, |(_, m)| m))
            .collect();
        let program = match &p.program {
            Ok(program) => program,
            // What a Program cannot hold (two exception callbacks) is refused at load, with
            // the message the kernel's verifier refuses it with: the same verdict.
            Err(e) if !expect_accept && messages.iter().all(|m| e.to_string().contains(m)) => {
                continue;
            }
            Err(e) => {
                differences.push(format!("{}: not loaded: {e}", p.name));
                continue;
            }
        };
        let v = verify(program, &opts());
        let missing: Vec<&str> = messages
            .into_iter()
            .filter(|m| !v.log.contains(m))
            .collect();
        if v.accepted != expect_accept || !missing.is_empty() {
            differences.push(format!(
                "{}: accepted {}, messages missing {missing:?}",
                p.name, v.accepted
            ));
        }
    }
    println!("exceptions_fail.c: {checked} programs, differences: {differences:#?}");
    assert_eq!(checked, 22);
    // The differences known today (docs/objects.md).
    let known = [
        "reject_exception_cb_type_1: accepted true",
        "reject_with_rbtree_add_throw: not loaded: call to extern bpf_rbtree_add_impl",
    ];
    assert_eq!(differences.len(), known.len(), "{differences:#?}");
    for (d, k) in differences.iter().zip(known) {
        assert!(d.starts_with(k), "{d} (expected {k})");
    }

    // exceptions.c: the return values of prog_tests/exceptions.c.
    let table = std::fs::read_to_string(selftests.join("prog_tests/exceptions.c")).unwrap();
    let bytes = std::fs::read(out.join("exceptions.o")).unwrap();
    let obj = unwind_object::load(&bytes).expect("exceptions.o loads");
    let mut differences = Vec::new();
    let mut ran = 0;
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
        let Ok(p) = obj.program(name) else {
            continue; // exception_ext*: programs of another object
        };
        let program = p.program.as_ref().expect("loads");
        let v = verify(program, &opts());
        assert!(v.accepted, "{name}: {:?}", v.errors);
        let runnable = unwind_verifier::runnable(program, &v, Mode::Upstream).unwrap();
        let config = unwind_vm::Config {
            unwinding: runnable.unwinding,
            ..unwind_vm::Config::default()
        };
        // prog_tests/exceptions.c runs each with `pkt_v4` (test_progs.c) as the packet: its
        // Ethernet protocol (IPv4) is what exception_throw_unwind_1 throws on.
        let world = unwind_vm::World {
            packet: Some(pkt_v4()),
            ..unwind_vm::World::default()
        };
        let mut m = unwind_vm::Machine::new(&runnable.program, &world, config).unwrap();
        m.run();
        ran += 1;
        match m.status {
            unwind_vm::Status::Exited { return_value } if return_value as i64 == expected => {}
            other => differences.push(format!("{name}: expected {expected}, got {other:?}")),
        }
    }
    println!("exceptions.c: {ran} programs run, differences: {differences:#?}");
    assert_eq!(ran, 38);
    // exception_tail_call's subprogram tail-calls a program that throws 16, which returns to
    // its caller (16 + 8); Unwind's bpf_tail_call always falls through (no program arrays yet).
    assert_eq!(differences.len(), 1, "{differences:#?}");
    assert!(differences[0].starts_with("exception_tail_call: expected 24"));
}

/// test_progs.c's `pkt_v4` in hex: an Ethernet header (no addresses, `h_proto` ETH_P_IP), an
/// IPv4 header with only `ihl = 5`, `protocol = IPPROTO_TCP` and `tot_len = htons(123)` set
/// (`MAGIC_BYTES`), and a TCP header with `urg_ptr = 123` and `doff = 5`.
fn pkt_v4() -> String {
    let mut p = [0u8; 54];
    p[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    p[14] = 5; // ihl (version not set)
    p[16..18].copy_from_slice(&123u16.to_be_bytes()); // tot_len
    p[23] = 6; // protocol
    p[34 + 12] = 5 << 4; // doff
    p[34 + 18..34 + 20].copy_from_slice(&123u16.to_le_bytes()); // urg_ptr, host order
    p.iter().map(|b| format!("{b:02x}")).collect()
}
