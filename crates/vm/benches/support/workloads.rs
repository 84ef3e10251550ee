// Exception workloads for the unwinding benches, `include!`d by crates/vm/benches/unwinding.rs
// and crates/verifier/benches/modes.rs (include_str! paths are relative to this file).

/// runtime-tracking.s with `n` iterations: allocate and drop an object per iteration; the
/// throw at the end is not taken on the default packet.
fn no_throw_loop(n: u32) -> String {
    let src = include_str!("../../../../static/examples/runtime-tracking.s");
    src.replace("if r7 < 10 goto loop", &format!("if r7 < {n} goto loop"))
}

/// Three frames, each holding `k` objects in stack slots fp-8.. and calling the next; the
/// innermost throws. Every object is dropped by the unwinder (or the table).
fn nested_throw(k: usize) -> String {
    let mut s = String::from(".ctx tc\n");
    for level in 0..3 {
        if level > 0 {
            s += &format!("level{level}:\n");
        }
        for i in 1..=k {
            s += &format!(
                "r1 = 16\ncall bpf_obj_new\n*(u64 *)(r10 - {}) = r0\n",
                8 * i
            );
        }
        if level < 2 {
            s += &format!("call level{}\n", level + 1);
        } else {
            s += "r1 = 5\ncall bpf_throw\n";
        }
        for i in 1..=k {
            s += &format!(
                "r1 = *(u64 *)(r10 - {})\nif r1 == 0 goto skip{level}_{i}\ncall bpf_obj_drop\nskip{level}_{i}:\n",
                8 * i
            );
        }
        s += "r0 = 0\nexit\n";
    }
    s
}
