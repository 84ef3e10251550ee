//! The ctx rules against the running kernel (docs/fidelity.md): for each program type with a
//! rule in the catalogue, every ctx access at every aligned offset of its structure (and a
//! little past it) and every size, as a load, a sign-extending load and a store of an
//! immediate, is verified by Unwind (`upstream` mode) and by the kernel, and the verdicts
//! must agree, the refusals with the kernel's error line. The only differences allowed are
//! the kernel pointers the model does not give out, which Unwind refuses ("the kernel gives a
//! pointer here that Unwind does not model"). Where bpf() is not permitted, it says it could
//! not compare and passes. By default the offsets are those of whole words (every size
//! there, 6,616 accesses); `UNWIND_CTX_RULES_ALL=1` probes every byte offset too
//! (11,896).

use unwind_verifier::{Mode, Options};
use unwind_witness::{verify_in_kernel, KernelOptions, WitnessError};

/// (`.ctx` name, bytes to probe): the structure's size and one word past it.
const TYPES: &[(&str, u32)] = &[
    ("socket", 196),
    ("tc", 196),
    ("tc_action", 196),
    ("cgroup_skb", 196),
    ("lwt_in", 196),
    ("lwt_out", 196),
    ("lwt_xmit", 196),
    ("sk_skb", 196),
    ("flow_dissector", 196),
    ("xdp", 28),
    ("cgroup_sock", 84),
    ("sock_ops", 228),
    ("cgroup_sysctl", 12),
    ("kprobe", 172),
    ("perf_event", 188),
    ("raw_tp", 100),
    ("tracepoint", 64),
];

/// Every probe of one program type: its text and what it does.
fn probes(prog: &str, bytes: u32, stride: u32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for off in (0..bytes).step_by(stride as usize) {
        for size in [1u32, 2, 4, 8] {
            if off % size != 0 {
                continue;
            }
            let bits = size * 8;
            let mut ops = vec![format!("r2 = *(u{bits} *)(r1 + {off})")];
            if size < 8 {
                ops.push(format!("r2 = *(s{bits} *)(r1 + {off})"));
            }
            if off % 4 == 0 {
                ops.push(format!("*(u{bits} *)(r1 + {off}) = 0"));
            }
            for op in ops {
                // r0 = 1 suits every type's return range
                out.push((format!(".ctx {prog}\nr6 = r1\n{op}\nr0 = 1\nexit\n"), op));
            }
        }
    }
    out
}

#[test]
fn every_ctx_access_against_the_running_kernel() {
    let opts = KernelOptions {
        log_level: 1,
        ..KernelOptions::default()
    };
    let mut compared = 0;
    let mut unmodelled = 0;
    let mut differ = Vec::new();
    let stride = if std::env::var_os("UNWIND_CTX_RULES_ALL").is_some() {
        1
    } else {
        4
    };
    for &(prog, bytes) in TYPES {
        for (text, op) in probes(prog, bytes, stride) {
            let program = unwind_asm::assemble(&text)
                .program
                .unwrap_or_else(|| panic!("does not assemble:\n{text}"));
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
                Err(WitnessError::NotPermitted(e)) | Err(WitnessError::Setup { error: e, .. })
                    if compared == 0 =>
                {
                    eprintln!("could not compare with the running kernel: {e}");
                    return;
                }
                Err(WitnessError::Unsupported) => {
                    eprintln!("could not compare with the running kernel: not Linux");
                    return;
                }
                Err(e) => panic!("{prog}: {op}: {e}"),
            };
            compared += 1;
            let our_error = ours.errors.first().map(|e| e.message.as_str());
            if our_error.is_some_and(|e| e.contains("that Unwind does not model"))
                && kernel.accepted
            {
                unmodelled += 1;
                continue;
            }
            let agree = match (ours.accepted, kernel.accepted) {
                (true, true) => true,
                // both refuse: with the kernel's error line (when it printed one)
                (false, false) => kernel
                    .first_error()
                    .is_none_or(|k| our_error.is_some_and(|o| o == k)),
                _ => false,
            };
            if !agree {
                differ.push(format!(
                    "{prog}: {op}: unwind {:?}, kernel {:?}",
                    our_error.unwrap_or("accepts"),
                    kernel.first_error().unwrap_or("accepts")
                ));
            }
        }
    }
    eprintln!(
        "ctx rules: {compared} accesses compared, {} differ, {unmodelled} are kernel pointers \
         Unwind does not model",
        differ.len()
    );
    assert!(
        differ.is_empty(),
        "{} ctx accesses differ from the running kernel:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
