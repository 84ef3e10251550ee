//! The soundness property of `crates/verifier/tests/soundness.rs` as a fuzz target: its
//! grammar of well-formed programs (bounded loops, static calls, spills and fills, map
//! lookups, acquisitions and releases, `bpf_loop` callbacks, spin locks, RCU sections), driven
//! by the fuzzer's bytes through `arbitrary` instead of proptest's strategies, with the same
//! ranges. Each program is verified in every mode (with `allow_uninit_stack` off); what a mode
//! accepts is loaded with `runnable` (cleanup-v2's rewrite, the trampoline, the descriptors)
//! and run on a world from the fuzzer's seed: it must end without a fault, without reading a
//! register or stack byte never written, and with nothing held (docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use unwind_verifier::Mode;

#[path = "../../crates/verifier/tests/support/soundness_grammar.rs"]
mod grammar;
use grammar::*;

/// `lo..hi` (half open), as proptest's ranges.
fn range<T>(u: &mut Unstructured, lo: T, hi: T) -> Result<T>
where
    T: libfuzzer_sys::arbitrary::unstructured::Int + std::ops::Sub<Output = T> + From<u8>,
{
    u.int_in_range(lo..=hi - T::from(1))
}

fn range_i32(u: &mut Unstructured, lo: i32, hi: i32) -> Result<i32> {
    u.int_in_range(lo..=hi - 1)
}

fn range_i16(u: &mut Unstructured, lo: i16, hi: i16) -> Result<i16> {
    u.int_in_range(lo..=hi - 1)
}

/// True with probability about `p`.
fn weighted(u: &mut Unstructured, p: f64) -> Result<bool> {
    Ok(f64::from(u.arbitrary::<u8>()?) < p * 256.0)
}

/// An index into `weights`, chosen with those weights.
fn pick(u: &mut Unstructured, weights: &[u32]) -> Result<usize> {
    let total: u32 = weights.iter().sum();
    let mut x = u.int_in_range(0..=total - 1)?;
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return Ok(i);
        }
        x -= w;
    }
    Ok(weights.len() - 1)
}

fn res(u: &mut Unstructured) -> Result<Res> {
    Ok(match range(u, 0u8, 3)? {
        0 => Res::Obj {
            size: [8, 16, 24, 64][range(u, 0u8, 4)? as usize],
        },
        1 => Res::Ringbuf {
            size: [8, 16, 32][range(u, 0u8, 3)? as usize],
            submit: u.arbitrary()?,
        },
        _ => Res::Task {
            pid_from_input: u.arbitrary()?,
        },
    })
}

fn release(u: &mut Unstructured) -> Result<Release> {
    Ok(match pick(u, &[6, 1, 2, 1, 1])? {
        0 => Release::Always,
        1 => Release::Never,
        2 => Release::InBranch(range(u, 0u8, 8)?),
        3 => Release::Twice,
        _ => Release::UseAfter,
    })
}

fn leaf(u: &mut Unstructured) -> Result<Stmt> {
    Ok(
        match pick(u, &[2, 3, 3, 3, 1, 3, 3, 1, 1, 2, 1, 2, 1, 1, 1])? {
            0 => Stmt::Input(range(u, 0u8, 2)?),
            1 => Stmt::Alu(range(u, 0u8, 7)?, range_i32(u, -8, 64)?),
            2 => Stmt::Spill {
                size: range(u, 0u8, 4)?,
                off: range(u, 1u8, 9)?,
                src: range(u, 0u8, 3)?,
            },
            3 => Stmt::Fill {
                size: range(u, 0u8, 4)?,
                off: range(u, 1u8, 9)?,
                dst: range(u, 0u8, 2)?,
            },
            4 => Stmt::EarlyExit {
                cond: range(u, 0u8, 8)?,
                imm: range_i32(u, -4, 40)?,
            },
            5 => {
                let hash = u.arbitrary()?;
                let key_input = u.arbitrary()?;
                let check = weighted(u, 0.9)?;
                let off = if pick(u, &[6, 1])? == 0 {
                    range_i16(u, 0, 8)?
                } else {
                    range_i16(u, -2, 10)?
                };
                Stmt::Lookup {
                    hash,
                    key_input,
                    check,
                    off: off * 2,
                    var: weighted(u, 0.3)?,
                    write: u.arbitrary()?,
                }
            }
            6 => Stmt::Block {
                res: res(u)?,
                check: weighted(u, 0.9)?,
                use_off: if u.arbitrary()? {
                    Some(if pick(u, &[4, 1])? == 0 {
                        range(u, 0u8, 2)?
                    } else {
                        range(u, 0u8, 9)?
                    })
                } else {
                    None
                },
                release: release(u)?,
            },
            7 => Stmt::Hold {
                res: res(u)?,
                check: weighted(u, 0.85)?,
            },
            8 => Stmt::Drop8 {
                res: res(u)?,
                check: weighted(u, 0.85)?,
            },
            9 => Stmt::Call {
                f: range(u, 0u8, 6)?,
                arg: range(u, 0u8, 4)?,
            },
            10 => Stmt::Clobbered {
                rewrite: weighted(u, 0.7)?,
            },
            11 => Stmt::BpfLoop {
                n: range(u, 0u8, 5)?,
                cb: range(u, 0u8, 5)?,
            },
            12 => Stmt::Lock {
                off: if pick(u, &[4, 1])? == 0 {
                    0
                } else {
                    range(u, 1u8, 4)?
                },
                release: release(u)?,
            },
            13 => Stmt::Rcu {
                release: release(u)?,
            },
            _ => Stmt::PacketLoad {
                ind: u.arbitrary()?,
                off: range(u, 0u8, 72)?,
            },
        },
    )
}

/// Up to `n - 1` statements.
fn vec_of(
    u: &mut Unstructured,
    lo: usize,
    hi: usize,
    mut f: impl FnMut(&mut Unstructured) -> Result<Stmt>,
) -> Result<Vec<Stmt>> {
    let n = u.int_in_range(lo..=hi - 1)?;
    (0..n).map(|_| f(u)).collect()
}

/// A statement at nesting `depth` (branches and loops down to depth 2, as the property's
/// `prop_recursive(2, ..)`).
fn stmt(u: &mut Unstructured, depth: u32) -> Result<Stmt> {
    if depth >= 2 || pick(u, &[3, 1])? == 0 {
        return leaf(u);
    }
    Ok(if pick(u, &[3, 1])? == 0 {
        Stmt::Branch {
            cond: range(u, 0u8, 8)?,
            imm: range_i32(u, -4, 40)?,
            then: vec_of(u, 0, 5, |u| stmt(u, depth + 1))?,
            els: vec_of(u, 0, 3, |u| stmt(u, depth + 1))?,
        }
    } else {
        Stmt::Loop {
            n: range(u, 1u8, 6)?,
            body: vec_of(u, 1, 5, leaf)?,
        }
    })
}

fn stmts(u: &mut Unstructured) -> Result<Vec<Stmt>> {
    vec_of(u, 1, 10, |u| stmt(u, 0))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((seed, init, body)) = (|| -> Result<_> {
        Ok((
            u.arbitrary::<u64>()?,
            weighted(&mut u, 0.75)?,
            stmts(&mut u)?,
        ))
    })() else {
        return;
    };
    let text = program_text(&body, init);
    let asm = unwind_asm::assemble(&text);
    let program = asm
        .program
        .unwrap_or_else(|| panic!("does not assemble:\n{text}\n{:?}", asm.diagnostics));
    for mode in Mode::ALL {
        let opts = unwind_verifier::Options {
            log_level: 0,
            mode,
            allow_uninit_stack: false,
            record_states: false,
            ..unwind_verifier::Options::default()
        };
        let verdict = unwind_verifier::verify(&program, &opts);
        if !verdict.accepted {
            continue;
        }
        let loaded = unwind_verifier::runnable(&program, &verdict, mode)
            .unwrap_or_else(|e| panic!("{mode}: accepted but cannot be loaded: {e}\n{text}"));
        for k in 0..2u64 {
            let w = world(seed.wrapping_add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            if let Err(e) = run_checked(&loaded.program, &w, loaded.unwinding.clone()) {
                panic!("{mode}: accepted but unsafe: {e}\nworld: {w:?}\n{text}");
            }
        }
    }
});
