//! A differential test against the running kernel (docs/fidelity.md): seeded random programs
//! of the kind the verifier selftests exercise (ALU on 64 and 32 bits, forward branches on
//! registers and constants, stack spills and fills with uninitialised reads, ctx field loads
//! (plain and sign-extending) and stores (of registers and immediates) at any offset and size
//! in tc, socket, xdp, cgroup_skb and lwt_in programs, direct packet access with and without a bounds check, array map
//! lookups with and without a NULL check, pointer arithmetic), verified by Unwind in `upstream`
//! mode and by the kernel; programs both accept are test-run by both on the same packet.
//!
//! `UNWIND_DIFFERENTIAL_CASES=N` programs (default 200), `UNWIND_DIFFERENTIAL_SEED=S` the
//! first seed, `UNWIND_DIFFERENTIAL_SHOW=1` prints every disagreeing program. Fails when the
//! balanced agreement (the mean of the agreement on programs the kernel accepts and on those
//! it refuses) falls below `FLOOR`, or when a program both accept returns different values.
//! Where bpf() is not permitted, it says it could not compare and passes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use unwind_verifier::{Mode, Options};
use unwind_vm::{Config, Machine, Status, World};
use unwind_witness::{verify_in_kernel, KernelOptions, RunInput, WitnessError};

/// The balanced agreement this test holds Unwind to: the default 200 programs gave 100 % on
/// Linux 6.18.44 (2026-12-03, after issue 13's ctx rules and packet ranges), 20,000 gave
/// 99.9 % (docs/fidelity.md). The seeds are fixed, so a change that loses one more program
/// fails; raise it as the differences are fixed.
const FLOOR: f64 = 0.99;
/// The kernel the floor was measured on; on another one the verdicts may move a little either
/// way (the kernels differ), so a looser floor applies there and the test says so.
const MEASURED_ON: &str = "6.18.";
const FLOOR_ELSEWHERE: f64 = 0.85;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const ALU: [&str; 11] = [
    "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=",
];
const CMP: [&str; 10] = ["==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<="];
/// Scalar registers the generator writes (R6 holds the ctx, R10 is the frame pointer).
const REGS: [u8; 8] = [0, 1, 2, 3, 4, 5, 7, 8];

struct Gen {
    rng: Rng,
    out: String,
    label: usize,
    /// Registers written so far on every path (reads of others are refused: R?? !read_ok).
    init: [bool; 11],
    /// Those of them that hold pointers (ALU on them is mostly refused).
    ptr: [bool; 11],
    /// Stack slots (their offsets below the frame pointer) written with 8 bytes on every path.
    spilled: Vec<i64>,
    /// Those of them that hold a spilled pointer.
    spilled_ptr: Vec<i64>,
    /// The stack bytes some store before wrote (bit d: the byte at r10 - d).
    written: u128,
    /// Whether a load may read a byte no store wrote: the kernel's stack then holds whatever
    /// was there before (a privileged load may read it), Unwind's zero, so the two return
    /// values are not comparable.
    reads_unwritten: bool,
    /// The program type (`.ctx`).
    prog: &'static str,
}

/// The bits of the stack bytes `*(size *)(r10 - off)` covers.
fn stack_bytes(off: i64, size: u32) -> u128 {
    let mask = (1u128 << size) - 1;
    mask << (off - size as i64 + 1)
}

impl Gen {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn reg(&mut self) -> u8 {
        let any_kind = self.rng.chance(3);
        let written: Vec<u8> = REGS
            .iter()
            .copied()
            .filter(|&r| self.init[r as usize] && (any_kind || !self.ptr[r as usize]))
            .collect();
        // now and then a register never written, which both must refuse to read
        if written.is_empty() {
            // nothing to read yet: give one a value first
            let r = self.rng.pick(&REGS);
            let imm = self.imm();
            self.line(&format!("r{r} = {imm}"));
            self.init[r as usize] = true;
            self.ptr[r as usize] = false;
            r
        } else if self.rng.chance(1) {
            self.rng.pick(&REGS)
        } else {
            self.rng.pick(&written)
        }
    }

    fn imm(&mut self) -> i64 {
        match self.rng.below(6) {
            0 => 0,
            1 => self.rng.below(8) as i64,
            2 => -(self.rng.below(8) as i64) - 1,
            3 => self.rng.below(70_000) as i64,
            4 => i64::from(self.rng.next() as i32),
            _ => self
                .rng
                .pick(&[1, 2, 4, 8, 16, 32, 63, 64, 0x7fff_ffff, -0x8000_0000]),
        }
    }

    fn alu(&mut self) {
        let dst = self.reg();
        let op = self.rng.pick(&ALU);
        let w = if self.rng.chance(30) { "w" } else { "r" };
        if self.rng.chance(50) {
            let src = self.reg();
            self.line(&format!("{w}{dst} {op} {w}{src}"));
        } else {
            let imm = self.imm();
            self.line(&format!("{w}{dst} {op} {imm}"));
        }
        self.init[dst as usize] = true;
        // pointer +/- something stays a pointer (when it is allowed at all)
        self.ptr[dst as usize] &= w == "r" && (op == "+=" || op == "-=");
    }

    fn mov(&mut self) {
        let dst = self.rng.pick(&REGS);
        let imm = self.imm();
        self.line(&format!("r{dst} = {imm}"));
        self.init[dst as usize] = true;
        self.ptr[dst as usize] = false;
    }

    fn ctx_load(&mut self) {
        let dst = self.rng.pick(&REGS);
        let size = self.rng.pick(&[1u32, 2, 4, 4, 4, 4, 4, 8]);
        let xdp = self.prog == "xdp";
        let off = if self.rng.chance(92) {
            if xdp {
                self.rng.pick(&[0, 0, 4, 4, 8, 12, 16, 20])
            } else {
                self.rng.pick(&[
                    0, 0, 4, 8, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72,
                    76, 80, 84, 88, 92, 104, 132, 140, 144, 152, 160, 164, 168, 172, 176, 180, 184,
                ])
            }
        } else {
            self.rng.below(if xdp { 28 } else { 200 }) as i64
        };
        // now and then a store (of a register or, BPF_ST, an immediate) or a sign-extending
        // load, which the ctx rules check field by field
        if self.rng.chance(15) {
            let t = ["u8", "u16", "u32", "u64"][size.trailing_zeros() as usize];
            let scalars: Vec<u8> = REGS
                .iter()
                .copied()
                .filter(|&r| self.init[r as usize] && !self.ptr[r as usize])
                .collect();
            if self.rng.chance(50) && !scalars.is_empty() {
                let src = self.rng.pick(&scalars);
                self.line(&format!("*({t} *)(r6 + {off}) = r{src}"));
            } else {
                let v = self.imm();
                self.line(&format!("*({t} *)(r6 + {off}) = {v}"));
            }
            return;
        }
        let sx = size < 8 && self.rng.chance(10);
        let t = if sx {
            ["s8", "s16", "s32"][size.trailing_zeros() as usize]
        } else {
            ["u8", "u16", "u32", "u64"][size.trailing_zeros() as usize]
        };
        self.line(&format!("r{dst} = *({t} *)(r6 + {off})"));
        self.init[dst as usize] = true;
        // data, data_end, data_meta, sk
        self.ptr[dst as usize] = if xdp {
            matches!(off, 0 | 4 | 8)
        } else {
            matches!(off, 76 | 80 | 140 | 168)
        };
    }

    fn stack(&mut self) {
        let size = self.rng.pick(&[1u32, 2, 4, 8, 8, 8]);
        let t = ["u8", "u16", "u32", "u64"][size.trailing_zeros() as usize];
        let mut off = self.rng.pick(&[8, 16, 24, 32, 40, 64]);
        if self.rng.chance(4) {
            off -= 3; // misaligned
        }
        if self.rng.chance(50) || self.spilled.is_empty() {
            let src = self.reg();
            // a pointer is spilled whole (a narrower spill is refused: "invalid size of
            // register spill"), but now and then not
            let size = if self.ptr[src as usize] && self.rng.chance(95) {
                8
            } else {
                size
            };
            let t = ["u8", "u16", "u32", "u64"][size.trailing_zeros() as usize];
            self.line(&format!("*({t} *)(r10 - {off}) = r{src}"));
            self.written |= stack_bytes(off, size);
            self.spilled_ptr.retain(|&o| o != off);
            if size == 8 && !self.spilled.contains(&off) {
                self.spilled.push(off);
            }
            if size == 8 && self.ptr[src as usize] {
                self.spilled_ptr.push(off);
            }
        } else {
            // mostly a slot written on every path; now and then any
            if self.rng.chance(90) {
                off = self.rng.pick(&self.spilled.clone());
            }
            let dst = self.rng.pick(&REGS);
            self.line(&format!("r{dst} = *({t} *)(r10 - {off})"));
            let bytes = stack_bytes(off, size);
            self.reads_unwritten |= self.written & bytes != bytes;
            self.init[dst as usize] = true;
            self.ptr[dst as usize] = self.spilled_ptr.contains(&off);
        }
    }

    fn branch(&mut self, depth: u32) {
        let l = self.label;
        self.label += 1;
        let a = self.reg();
        let op = self.rng.pick(&CMP);
        let w = if self.rng.chance(25) { "w" } else { "r" };
        let rhs = if self.rng.chance(40) {
            format!("{w}{}", self.reg())
        } else {
            self.imm().to_string()
        };
        self.line(&format!("if {w}{a} {op} {rhs} goto l{l}"));
        let (init, ptr) = (self.init, self.ptr);
        let (spilled, spilled_ptr) = (self.spilled.clone(), self.spilled_ptr.clone());
        let n = 1 + self.rng.below(4) as u32;
        self.body(depth + 1, n);
        // after the join: written only if written on both arms, a pointer if one on either;
        // a slot spilled only if on both, holding a pointer if on either
        for i in 0..11 {
            self.init[i] &= init[i];
            self.ptr[i] |= ptr[i];
        }
        self.spilled.retain(|o| spilled.contains(o));
        self.spilled_ptr.extend(spilled_ptr);
        self.line(&format!("l{l}:"));
    }

    fn map_lookup(&mut self) {
        let l = self.label;
        self.label += 1;
        if self.rng.chance(90) {
            let key = self.rng.below(6);
            self.line(&format!("*(u32 *)(r10 - 4) = {key}"));
            self.written |= stack_bytes(4, 4);
        }
        self.line("r1 = map[a] ll");
        self.line("r2 = r10");
        self.line("r2 += -4");
        self.line("call bpf_map_lookup_elem");
        for r in 1..=5 {
            self.init[r] = false;
        }
        self.init[0] = true;
        let checked = self.rng.chance(92);
        if checked {
            self.line(&format!("if r0 == 0 goto l{l}"));
        }
        let off = self.rng.pick(&[0, 0, 4, 8, 8, 12, 14, 16, -4]);
        let size = self.rng.pick(&[1u32, 4, 8]);
        let t = ["u8", "u16", "u32", "u64"][size.trailing_zeros() as usize];
        if self.rng.chance(60) {
            self.line(&format!("r7 = *({t} *)(r0 + {off})"));
            self.init[7] = true;
        } else {
            let v = self.imm();
            self.line(&format!("*({t} *)(r0 + {off}) = {v}"));
        }
        self.line(&format!("l{l}:"));
        self.init[7] = false;
        self.line("r0 = 0");
        self.ptr[0] = false;
    }

    fn packet(&mut self) {
        let l = self.label;
        self.label += 1;
        let (data, end) = if self.prog == "xdp" { (0, 4) } else { (76, 80) };
        self.line(&format!("r2 = *(u32 *)(r6 + {data})"));
        self.line(&format!("r3 = *(u32 *)(r6 + {end})"));
        let len = self.rng.pick(&[1, 2, 4, 8, 14, 20, 64]);
        // in bounds mostly; at the end or past it now and then
        let at = if self.rng.chance(85) {
            self.rng.below(len as u64) as i64
        } else {
            self.rng.pick(&[len, len + 1])
        };
        self.line("r4 = r2");
        self.line(&format!("r4 += {len}"));
        if self.rng.chance(92) {
            // every form and direction (the fall-through is in bounds for the first four,
            // more often picked), pkt_end on either side, and a 32-bit compare that proves
            // nothing
            let check = self.rng.pick(&[
                "if r4 > r3 goto",
                "if r3 < r4 goto",
                "if r4 >= r3 goto",
                "if r3 <= r4 goto",
                "if r4 > r3 goto",
                "if r3 < r4 goto",
                "if r4 >= r3 goto",
                "if r3 <= r4 goto",
                "if r4 < r3 goto",
                "if r3 > r4 goto",
                "if r4 <= r3 goto",
                "if r3 >= r4 goto",
                "if w4 > w3 goto",
            ]);
            self.line(&format!("{check} l{l}"));
        }
        self.line(&format!("r0 = *(u8 *)(r2 + {at})"));
        self.line(&format!("l{l}:"));
        for r in [2, 3, 4] {
            self.init[r] = true;
            self.ptr[r] = true;
        }
        self.line("r0 = 0");
        self.init[0] = true;
        self.ptr[0] = false;
    }

    fn body(&mut self, depth: u32, n: u32) {
        for _ in 0..n {
            match self.rng.below(40) {
                0..=11 => self.alu(),
                12..=15 => self.mov(),
                16..=21 => self.ctx_load(),
                22..=27 => self.stack(),
                28..=33 if depth < 3 => self.branch(depth),
                34..=35 => self.map_lookup(),
                36..=38 => self.packet(),
                39 => {
                    // a pointer moved by a scalar
                    let r = self.reg();
                    self.line("r9 = r10");
                    self.line(&format!("r9 += r{r}"));
                    self.line("*(u64 *)(r9 - 8) = 0");
                }
                _ => self.alu(),
            }
        }
    }
}

/// A program, and whether its return value may be compared (see `Gen::reads_unwritten`).
fn program(seed: u64) -> (String, bool) {
    let mut g = Gen {
        rng: Rng(seed ^ 0x5bd1_e995),
        out: String::new(),
        label: 0,
        init: [false; 11],
        ptr: [false; 11],
        spilled: Vec::new(),
        spilled_ptr: Vec::new(),
        written: 0,
        reads_unwritten: false,
        prog: "tc",
    };
    g.init[1] = true;
    g.ptr[1] = true;
    g.init[10] = true;
    g.ptr[10] = true;
    // the packet program types the kernel's skb and xdp test runs take
    g.prog = g.rng.pick(&[
        "tc",
        "tc",
        "tc",
        "socket",
        "xdp",
        "xdp",
        "cgroup_skb",
        "lwt_in",
    ]);
    g.line(&format!(".ctx {}", g.prog));
    g.line(".map a array key=4 value=16 max_entries=4");
    g.line("r6 = r1");
    g.init[6] = true;
    let n = 3 + g.rng.below(12) as u32;
    g.body(0, n);
    // the return value: a constant, or (refused if never written) what R0 holds; never a
    // pointer, whose value the two kernels cannot share
    if g.rng.chance(90) || g.ptr[0] {
        // cgroup_skb returns 0 or 1 (check_return_code)
        let v = g.rng.below(if g.prog == "cgroup_skb" { 2 } else { 3 });
        g.line(&format!("r0 = {v}"));
    }
    g.line("exit");
    (g.out, !g.reads_unwritten)
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Unwind's return value for the kernel's test-run input (64 zero bytes of packet).
fn our_run(program: &unwind_program::Program, verdict: &unwind_verifier::Verdict) -> Option<u64> {
    let r = unwind_verifier::runnable(program, verdict, Mode::Upstream).ok()?;
    let mut m = Machine::new(
        &r.program,
        &World::default(),
        Config {
            budget: 1_000_000,
            unwinding: r.unwinding,
            ..Config::default()
        },
    )
    .ok()?;
    m.run();
    match m.status {
        Status::Exited { return_value } => Some(return_value),
        _ => None,
    }
}

#[test]
fn random_programs_against_the_running_kernel() {
    let cases = env_u64("UNWIND_DIFFERENTIAL_CASES").unwrap_or(200);
    let first = env_u64("UNWIND_DIFFERENTIAL_SEED").unwrap_or(0xd1ff);
    let show = std::env::var("UNWIND_DIFFERENTIAL_SHOW").is_ok();
    let opts = KernelOptions {
        log_level: 1,
        run: Some(RunInput {
            data: vec![0; 64],
            ctx: None,
        }),
        ..KernelOptions::default()
    };
    let (mut k_acc, mut k_acc_agree, mut k_rej, mut k_rej_agree) = (0u64, 0u64, 0u64, 0u64);
    let mut classes: BTreeMap<String, u64> = BTreeMap::new();
    // why both refused, to keep the generator's share of accepted programs up
    let mut refusals: BTreeMap<String, u64> = BTreeMap::new();
    let mut retval_differs = Vec::new();
    let mut not_compared = 0;
    for k in 0..cases {
        let seed = first + k;
        let (text, comparable) = program(seed);
        let program = unwind_asm::assemble(&text)
            .program
            .unwrap_or_else(|| panic!("seed {seed} does not assemble:\n{text}"));
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
                if k == 0 =>
            {
                eprintln!("could not compare with the running kernel: {e}");
                return;
            }
            Err(WitnessError::Unsupported) => {
                eprintln!("could not compare with the running kernel: not Linux");
                return;
            }
            Err(e) => {
                not_compared += 1;
                eprintln!("seed {seed}: {e}");
                continue;
            }
        };
        let normalise = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect()
        };
        if kernel.accepted {
            k_acc += 1;
            if ours.accepted {
                k_acc_agree += 1;
                let theirs = kernel.run.as_ref().and_then(|r| r.as_ref().ok()).copied();
                let mine = our_run(&program, &ours);
                if let (true, Some(t), Some(m)) = (comparable, theirs, mine) {
                    if u64::from(t) != m & 0xffff_ffff {
                        retval_differs
                            .push(format!("seed {seed}: kernel R0 {t}, unwind {m}\n{text}"));
                    }
                }
                continue;
            }
        } else {
            k_rej += 1;
            if !ours.accepted {
                k_rej_agree += 1;
                *refusals
                    .entry(kernel.first_error().map_or(String::new(), str::to_string))
                    .or_default() += 1;
                continue;
            }
        }
        let class = format!(
            "unwind {} / kernel {}",
            ours.errors
                .first()
                .map_or("accepts".to_string(), |e| normalise(&e.message)),
            kernel
                .first_error()
                .map_or("accepts".to_string(), normalise)
        );
        *classes.entry(class).or_default() += 1;
        if show {
            eprintln!(
                "---- seed {seed}: unwind {}, kernel {}\n{text}",
                ours.accepted, kernel.accepted
            );
        }
    }
    let compared = k_acc + k_rej;
    let rate = |a: u64, n: u64| if n == 0 { 1.0 } else { a as f64 / n as f64 };
    let balanced = (rate(k_acc_agree, k_acc) + rate(k_rej_agree, k_rej)) / 2.0;
    let mut summary = String::new();
    let _ = writeln!(
        summary,
        "differential: {compared} programs compared ({not_compared} not): kernel accepted {k_acc} \
         (Unwind agrees on {k_acc_agree}), refused {k_rej} (Unwind agrees on {k_rej_agree}); \
         balanced agreement {:.1}%, overall {:.1}%",
        100.0 * balanced,
        100.0 * rate(k_acc_agree + k_rej_agree, compared)
    );
    let mut top: Vec<_> = classes.into_iter().collect();
    top.sort_by_key(|c| std::cmp::Reverse(c.1));
    for (class, n) in top.iter().take(15) {
        let _ = writeln!(summary, "  {n:>6}  {class}");
    }
    if std::env::var_os("UNWIND_DIFFERENTIAL_DEBUG").is_some() {
        let mut top: Vec<_> = refusals.iter().collect();
        top.sort_by_key(|c| std::cmp::Reverse(*c.1));
        for (why, n) in top.iter().take(12) {
            let _ = writeln!(summary, "  both refuse x{n}: {why}");
        }
    }
    eprint!("{summary}");
    assert!(
        retval_differs.is_empty(),
        "{} programs both accept return different values; the first:\n{}",
        retval_differs.len(),
        retval_differs[0]
    );
    assert!(compared > 0, "nothing was compared");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let floor = if release.starts_with(MEASURED_ON) {
        FLOOR
    } else {
        eprintln!(
            "note: the floor was measured on Linux {MEASURED_ON}x; this is {}: floor {FLOOR_ELSEWHERE}",
            release.trim()
        );
        FLOOR_ELSEWHERE
    };
    assert!(
        balanced >= floor,
        "balanced agreement {:.1}% is below the floor {:.1}%\n{summary}",
        100.0 * balanced,
        100.0 * floor
    );
}
