//! The throwing soundness property's generator and checker, shared by
//! `crates/verifier/tests/unwind_soundness.rs` (seeded) and the fuzz target
//! `fuzz/fuzz_targets/unwind_soundness.rs` (the fuzzer's bytes as the generator's choices):
//! what the programs hold is described in the test's module documentation.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use unwind_program::Program;
use unwind_verifier::{Mode, Options};
use unwind_vm::{Config, EventKind, Machine, ReleasedBy, Status, Unwinding, World};

/// The modes under test.
pub const MODES: [(Mode, &str); 3] = [
    (Mode::Cleanup, "cleanup"),
    (Mode::CleanupV2, "cleanup-v2"),
    (Mode::Runtime, "runtime"),
];

// ---------------------------------------------------------------------------------------------
// Randomness

/// The generator's choices: from a seed (splitmix64), or from a fuzzer's bytes first (each
/// choice reads as few bytes as it needs, so a mutated byte changes one choice), then from a
/// seed derived from them once they run out.
#[derive(Clone)]
pub struct Rng {
    state: u64,
    bytes: Vec<u8>,
    pos: usize,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed ^ 0x6a09_e667_f3bc_c909,
            bytes: Vec::new(),
            pos: 0,
        }
    }

    /// Choices read from `bytes` while they last.
    pub fn from_bytes(bytes: &[u8]) -> Rng {
        // FNV-1a: the same bytes give the same program after they run out
        let seed = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Rng {
            bytes: bytes.to_vec(),
            ..Rng::new(seed)
        }
    }

    /// `n` bytes of the input as a little-endian number, if that many are left.
    fn take(&mut self, n: usize) -> Option<u64> {
        let b = self.bytes.get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(b.iter().rev().fold(0u64, |x, &b| (x << 8) | u64::from(b)))
    }

    /// splitmix64
    pub fn next(&mut self) -> u64 {
        if let Some(x) = self.take(8) {
            return x;
        }
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        let width = if n <= 0x100 {
            1
        } else if n <= 0x1_0000 {
            2
        } else {
            8
        };
        match self.take(width) {
            Some(x) => x % n,
            None => self.next() % n,
        }
    }

    /// True with probability `pct`/100.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// The generator

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Obj,
    Ringbuf,
    Sock,
    Task,
    Cgroup,
    Cpumask,
}

/// The kinds a `tc` program acquires (`bpf_cpumask_create` is for tracing, struct_ops and
/// syscall programs only).
const TC_KINDS: [Kind; 5] = [
    Kind::Obj,
    Kind::Ringbuf,
    Kind::Sock,
    Kind::Task,
    Kind::Cgroup,
];

/// The kinds a `syscall` program acquires (socket lookups are for packet programs).
const SYSCALL_KINDS: [Kind; 5] = [
    Kind::Obj,
    Kind::Ringbuf,
    Kind::Task,
    Kind::Cgroup,
    Kind::Cpumask,
];

/// Locations (0..8): fp-8, fp-16, fp-24, fp-32, R6, R7, R8, R9.
///
/// Stack layout of every function: fp-8..fp-32 locations, fp-40 and fp-48 discriminators of
/// nested forks, fp-64..fp-53 the socket lookup tuple, fp-72 the ctx pointer, fp-80 a loop
/// counter, fp-88 a shared release's discriminator, fp-96 the caller's slot a function fills,
/// fp-104 a scratch slot for a function to fill, fp-112 and fp-120 a spin lock's key and value.
const DISC_SLOTS: [u32; 2] = [40, 48];

fn store_r0(loc: usize) -> String {
    if loc < 4 {
        format!("*(u64 *)(r10 - {}) = r0", 8 * (loc + 1))
    } else {
        format!("r{} = r0", loc + 2)
    }
}

fn store_r1(loc: usize) -> String {
    store_r0(loc).replace("r0", "r1")
}

fn load_r1(loc: usize) -> String {
    if loc < 4 {
        format!("r1 = *(u64 *)(r10 - {})", 8 * (loc + 1))
    } else {
        format!("r1 = r{}", loc + 2)
    }
}

/// A resource the code holds, in one or more locations.
#[derive(Clone, Debug)]
struct Held {
    kind: Kind,
    locs: Vec<usize>,
}

/// The whole program: functions are generated on demand and appended after main.
struct ProgGen {
    rng: Rng,
    label: usize,
    /// Text of the functions other than main, and their `.globl` lines.
    funcs: Vec<String>,
    globls: Vec<String>,
    /// Function names by index (1..); main is 0.
    names: Vec<String>,
    /// Maximum function index (functions call only higher indices: no recursion).
    nfuncs: usize,
    /// Which functions have been generated.
    generated: BTreeSet<usize>,
    global: Vec<bool>,
    /// The arguments of global functions after their `ctx` (R2, R3): memory (a pointer to N
    /// bytes, maybe NULL, often into the caller's stack) and scalars.
    gargs: Vec<Vec<GArg>>,
    /// Static functions that borrow a resource of this kind from their caller: R2 points to
    /// the caller's stack slot; they move it into their own frame (clearing the caller's slot,
    /// or not), run a body that may throw, and move it back.
    borrows: Vec<Option<Kind>>,
    /// A `tc` program (direct packet access and legacy packet loads; `syscall` otherwise).
    tc: bool,
    /// Functions that start with a legacy packet load (accepted when no frame holds anything).
    ld_first: Vec<bool>,
    /// Static functions that take a resource of this kind from their caller in R2 (or NULL)
    /// and release it (or pass it on).
    takes: Vec<Option<Kind>>,
    /// Those of them that take it by pointer (R2 points to the caller's stack slot).
    takes_ptr: Vec<bool>,
    /// Static functions that acquire a resource of this kind and return it (or NULL).
    gives: Vec<Option<Kind>>,
    /// Static functions that acquire a resource of this kind and store it through R3 into a
    /// stack slot of their caller (`true`: right away, so both frames hold it while the body
    /// runs and may throw; `false`: at the end).
    puts: Vec<Option<(Kind, bool)>>,
    /// The kinds of resource this program's type can acquire.
    kinds: &'static [Kind],
    /// Whether `risky` statements are generated.
    risky: bool,
}

/// One function being written.
struct FnGen<'a> {
    p: &'a mut ProgGen,
    out: String,
    index: usize,
    /// Locations the enclosing code relies on (a held resource, a fork's contents).
    busy: [bool; 8],
    /// Statements left for this function.
    budget: i32,
    forks: usize,
    /// Inside a loop (its counter is at fp-80).
    in_loop: bool,
    /// Inside a shared release (its discriminator is at fp-88).
    sharing: bool,
    /// A `bpf_loop` callback (throws there are refused: they are rare).
    in_callback: bool,
}

/// An argument of a global function after its `ctx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GArg {
    Mem(u32),
    Scalar,
}

impl<'a> FnGen<'a> {
    fn new(p: &'a mut ProgGen, index: usize, budget: i32) -> FnGen<'a> {
        FnGen {
            p,
            out: String::new(),
            index,
            busy: [false; 8],
            budget,
            forks: 0,
            in_loop: false,
            sharing: false,
            in_callback: false,
        }
    }
}

impl ProgGen {
    fn label(&mut self) -> String {
        self.label += 1;
        format!("l{}", self.label)
    }

    /// Generates function `index` (if not done yet) and returns its name.
    fn function(&mut self, index: usize) -> String {
        if self.generated.insert(index) {
            let name = self.names[index].clone();
            let budget = 3 + self.rng.below(6) as i32;
            let mut f = FnGen::new(self, index, budget);
            f.line(&format!("{name}:"));
            f.prologue();
            if f.p.ld_first[index] {
                f.legacy_load(None);
            }
            let mut owned = Vec::new();
            if let Some(kind) = f.p.gives[index] {
                // acquired here, held across the body (which may throw), returned in R0
                let loc = f.rng().below(8) as usize;
                f.acquire_via(kind);
                f.line(&store_r0(loc));
                f.busy[loc] = true;
                f.block(0);
                f.line(&load_r1(loc).replace("r1 = ", "r0 = "));
                f.line("exit");
                let text = f.out;
                self.funcs.push(text);
                return self.names[index].clone();
            }
            if let Some((kind, early)) = f.p.puts[index] {
                // acquired here, stored in the caller's slot that R3 points to
                f.line("*(u64 *)(r10 - 96) = r3");
                let loc = f.rng().below(8) as usize;
                f.acquire_via(kind);
                f.line(&store_r0(loc));
                f.busy[loc] = true;
                if early {
                    f.line("r1 = *(u64 *)(r10 - 96)");
                    f.line("*(u64 *)(r1 + 0) = r0");
                }
                f.block(0);
                f.line("r1 = *(u64 *)(r10 - 96)");
                f.line(&load_r1(loc).replace("r1 = ", "r0 = "));
                f.line("*(u64 *)(r1 + 0) = r0");
                f.line("r0 = 0");
                f.line("exit");
                let text = f.out;
                self.funcs.push(text);
                return self.names[index].clone();
            }
            if f.p.borrows[index].is_some() {
                // the caller's resource (or NULL), moved into this frame (the caller's slot
                // cleared, or not: then both frames hold it), a body that may throw, and back
                f.line("// @borrow");
                f.line("*(u64 *)(r10 - 96) = r2");
                let loc = f.rng().below(8) as usize;
                f.line("r0 = *(u64 *)(r2 + 0)");
                f.line(&store_r0(loc));
                if f.rng().chance(60) {
                    f.line("*(u64 *)(r2 + 0) = 0");
                }
                f.busy[loc] = true;
                f.block(0);
                f.line("r1 = *(u64 *)(r10 - 96)");
                f.line(&load_r1(loc).replace("r1 = ", "r0 = "));
                f.line("*(u64 *)(r1 + 0) = r0");
                f.line("r0 = 0");
                f.line("exit");
                let text = f.out;
                self.funcs.push(text);
                return self.names[index].clone();
            }
            let gargs = f.p.gargs[index].clone();
            for (i, a) in gargs.iter().enumerate() {
                let slot = if *a == GArg::Scalar { 128 } else { 96 };
                f.line(&format!("*(u64 *)(r10 - {slot}) = r{}", i + 2));
            }
            for a in &gargs {
                match *a {
                    GArg::Mem(n) => {
                        // N bytes of the caller's stack (or NULL), as memory: written (a
                        // scalar over whatever was there) or read
                        let skip = f.label();
                        f.line("r1 = *(u64 *)(r10 - 96)");
                        f.line(&format!("if r1 == 0 goto {skip}"));
                        for off in (0..n).step_by(8) {
                            if f.rng().chance(60) {
                                f.line(&format!("*(u64 *)(r1 + {off}) = 7"));
                            } else {
                                f.line(&format!("r0 = *(u64 *)(r1 + {off})"));
                            }
                        }
                        f.line(&format!("{skip}:"));
                    }
                    GArg::Scalar => {
                        // a throw on the scalar's value
                        let skip = f.label();
                        let cookie = f.rng().below(4);
                        f.line("// @globl-scalar");
                        f.line("r1 = *(u64 *)(r10 - 128)");
                        f.line(&format!("if r1 > 2 goto {skip}"));
                        if f.rng().chance(60) {
                            f.line(&format!("r1 = {cookie}"));
                            f.line("call bpf_throw");
                        } else {
                            f.line("r0 = *(u64 *)(r10 - 72)");
                            f.line("r0 = *(u32 *)(r0 + 8)");
                        }
                        f.line(&format!("{skip}:"));
                    }
                }
            }
            if let Some(kind) = f.p.takes[index] {
                // the caller's resource (or NULL), kept in one of this frame's locations
                let loc = f.rng().below(8) as usize;
                if f.p.takes_ptr[index] {
                    f.line("r0 = *(u64 *)(r2 + 0)");
                } else {
                    f.line("r0 = r2");
                }
                f.line(&store_r0(loc));
                f.busy[loc] = true;
                owned.push(Held {
                    kind,
                    locs: vec![loc],
                });
            }
            f.block_with(0, owned);
            f.line("r0 = 0");
            f.line("exit");
            let text = f.out;
            if self.global[index] {
                let mut args = String::from("ctx");
                for a in &self.gargs[index] {
                    match a {
                        GArg::Mem(n) => write!(args, ", mem:{n}").unwrap(),
                        GArg::Scalar => args.push_str(", scalar"),
                    }
                }
                self.globls.push(format!(".globl {name}({args})"));
            }
            self.funcs.push(text);
        }
        self.names[index].clone()
    }
}

impl FnGen<'_> {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn rng(&mut self) -> &mut Rng {
        &mut self.p.rng
    }

    fn label(&mut self) -> String {
        self.p.label()
    }

    fn prologue(&mut self) {
        self.line("*(u64 *)(r10 - 72) = r1");
        // Stack slots zeroed (or not: then they are uninitialised markers), registers
        // zeroed or not (not initialised markers).
        for loc in 0..8 {
            let pct = if loc < 4 { 60 } else { 30 };
            if self.rng().chance(pct) {
                if loc < 4 {
                    self.line(&format!("*(u64 *)(r10 - {}) = 0", 8 * (loc + 1)));
                } else {
                    self.line(&format!("r{} = 0", loc + 2));
                }
            }
        }
    }

    fn free_locs(&self) -> Vec<usize> {
        (0..8).filter(|&l| !self.busy[l]).collect()
    }

    fn pick_free(&mut self) -> Option<usize> {
        let free = self.free_locs();
        if free.is_empty() {
            None
        } else {
            Some(self.rng().pick(&free))
        }
    }

    /// The acquisition: the pointer (or NULL) in R0.
    fn acquire_call(&mut self, kind: Kind) {
        match kind {
            Kind::Obj => {
                let size = self.rng().pick(&[8, 16]);
                self.line(&format!("r1 = {size}"));
                self.line("call bpf_obj_new");
            }
            Kind::Ringbuf => {
                let size = self.rng().pick(&[8, 16, 64]);
                self.line("r1 = map[rb] ll");
                self.line(&format!("r2 = {size}"));
                self.line("r3 = 0");
                self.line("call bpf_ringbuf_reserve");
            }
            Kind::Sock => {
                self.line("*(u64 *)(r10 - 64) = 0");
                self.line("*(u32 *)(r10 - 56) = 0");
                self.line("r1 = *(u64 *)(r10 - 72)");
                self.line("r2 = r10");
                self.line("r2 += -64");
                self.line("r3 = 12");
                self.line("r4 = 0");
                self.line("r5 = 0");
                self.line("call bpf_sk_lookup_tcp");
            }
            Kind::Task => {
                if self.rng().chance(50) {
                    self.line("r1 = *(u64 *)(r10 - 72)");
                    self.line("r1 = *(u32 *)(r1 + 8)");
                    self.line("r1 &= 3");
                } else {
                    self.line("r1 = 1");
                }
                self.line("call bpf_task_from_pid");
            }
            Kind::Cgroup => {
                let id = self.rng().pick(&[1, 1, 2]);
                self.line(&format!("r1 = {id}"));
                self.line("call bpf_cgroup_from_id");
            }
            Kind::Cpumask => self.line("call bpf_cpumask_create"),
        }
    }

    /// An acquisition of `kind` into R0: the function itself, or a call to a static function
    /// that acquires one and returns it.
    fn acquire_via(&mut self, kind: Kind) {
        let givers = self.givers(Some(kind));
        if !givers.is_empty() && self.rng().chance(50) {
            let callee = self.rng().pick(&givers);
            let name = self.p.function(callee);
            self.line("r1 = *(u64 *)(r10 - 72)");
            self.line(&format!("call {name}"));
        } else {
            self.acquire_call(kind);
        }
    }

    /// Functions this one may call that return a resource (of `kind`).
    fn givers(&self, kind: Option<Kind>) -> Vec<usize> {
        (self.index + 1..=self.p.nfuncs)
            .filter(|&j| {
                self.p.gives[j].is_some() && kind.map_or(true, |k| self.p.gives[j] == Some(k))
            })
            .collect()
    }

    /// A kind to acquire: often one a callee returns.
    fn pick_kind(&mut self) -> Kind {
        let givers = self.givers(None);
        if !givers.is_empty() && self.rng().chance(40) {
            let j = self.rng().pick(&givers);
            self.p.gives[j].expect("a giver")
        } else {
            let kinds = self.p.kinds;
            self.rng().pick(kinds)
        }
    }

    /// Acquires a resource into one or two free locations (a copy).
    fn acquire(&mut self, kind: Option<Kind>) -> Option<Held> {
        let first = self.pick_free()?;
        let kind = kind.unwrap_or_else(|| self.pick_kind());
        self.acquire_via(kind);
        let mut locs = vec![first];
        self.busy[first] = true;
        if self.rng().chance(35) {
            if let Some(second) = self.pick_free() {
                locs.push(second);
                self.busy[second] = true;
            }
        }
        for &l in &locs {
            self.line(&store_r0(l));
        }
        if self.rng().chance(25) {
            // checked at once: a use on the non-NULL path
            let skip = self.label();
            self.line(&format!("if r0 == 0 goto {skip}"));
            match kind {
                Kind::Obj | Kind::Ringbuf => self.line("*(u64 *)(r0 + 0) = 1"),
                Kind::Sock | Kind::Task => self.line("r2 = *(u32 *)(r0 + 0)"),
                Kind::Cgroup | Kind::Cpumask => {}
            }
            self.line(&format!("{skip}:"));
        }
        Some(Held { kind, locs })
    }

    /// Releases a held resource (after a NULL check), from one of its copies; frees its
    /// locations.
    fn release(&mut self, h: &Held) {
        let from = self.rng().pick(&h.locs);
        let skip = self.label();
        self.line(&load_r1(from));
        self.line(&format!("if r1 == 0 goto {skip}"));
        self.release_call(h.kind);
        self.line(&format!("{skip}:"));
        for &l in &h.locs {
            self.busy[l] = false;
        }
    }

    /// The release function of `kind` on R1.
    fn release_call(&mut self, kind: Kind) {
        match kind {
            Kind::Obj => self.line("call bpf_obj_drop"),
            Kind::Ringbuf => {
                self.line("r2 = 0");
                if self.rng().chance(50) {
                    self.line("call bpf_ringbuf_submit");
                } else {
                    self.line("call bpf_ringbuf_discard");
                }
            }
            Kind::Sock => self.line("call bpf_sk_release"),
            Kind::Task => self.line("call bpf_task_release"),
            Kind::Cgroup => self.line("call bpf_cgroup_release"),
            Kind::Cpumask => self.line("call bpf_cpumask_release"),
        }
    }

    /// Releases `h`, or hands it to a function that takes its kind (and releases it there).
    fn release_or_transfer(&mut self, h: &Held) {
        let takers: Vec<usize> = (self.index + 1..=self.p.nfuncs)
            .filter(|&j| self.p.takes[j] == Some(h.kind))
            .collect();
        if takers.is_empty() || self.rng().chance(50) {
            self.release(h);
            return;
        }
        let callee = self.rng().pick(&takers);
        let name = self.p.function(callee);
        self.line("r1 = *(u64 *)(r10 - 72)");
        self.pass(callee, Some(h));
        self.line(&format!("call {name}"));
        for &l in &h.locs {
            self.busy[l] = false;
        }
    }

    /// R2 for a function that takes a resource: `h` (or NULL), by value, or for one that takes
    /// it by pointer, a pointer to a stack slot of ours that holds it (a copy in the scratch
    /// slot fp-104 when it is only in registers).
    fn pass(&mut self, callee: usize, h: Option<&Held>) {
        if !self.p.takes_ptr[callee] {
            match h {
                Some(h) => {
                    let from = self.rng().pick(&h.locs);
                    self.line(&load_r1(from).replace("r1 = ", "r2 = "));
                }
                None => self.line("r2 = 0"),
            }
            return;
        }
        let slot = h.and_then(|h| {
            let slots: Vec<usize> = h.locs.iter().copied().filter(|&l| l < 4).collect();
            (!slots.is_empty()).then_some(slots)
        });
        match (h, slot) {
            (_, Some(slots)) => {
                let l = self.rng().pick(&slots);
                self.line("r2 = r10");
                self.line(&format!("r2 += -{}", 8 * (l + 1)));
            }
            (Some(h), None) => {
                self.line(&load_r1(h.locs[0]).replace("r1 = ", "r0 = "));
                self.line("*(u64 *)(r10 - 104) = r0");
                self.line("r2 = r10");
                self.line("r2 += -104");
            }
            (None, None) => {
                self.line("*(u64 *)(r10 - 104) = 0");
                self.line("r2 = r10");
                self.line("r2 += -104");
            }
        }
    }

    /// A condition on the inputs: jumps to `target` when it holds. Uses R0-R2 only.
    fn cond_jump(&mut self, target: &str) {
        match self.rng().below(3) {
            0 | 1 => {
                let off = self.rng().pick(&[0, 8]);
                let (op, imm) = self.rng().pick(&[
                    ("==", 0),
                    ("!=", 1),
                    (">", 3),
                    ("<", 2),
                    ("&", 1),
                    ("s>", 4),
                ]);
                self.line("r1 = *(u64 *)(r10 - 72)");
                self.line(&format!("r2 = *(u32 *)(r1 + {off})"));
                self.line(&format!("if r2 {op} {imm} goto {target}"));
            }
            _ => {
                self.line("call bpf_get_prandom_u32");
                self.line("r0 &= 3");
                let imm = self.rng().below(3);
                self.line(&format!("if r0 > {imm} goto {target}"));
            }
        }
    }

    fn throw(&mut self) {
        if self.in_callback {
            // refused in a callback (`check_max_stack_depth_subprog`): rare
            if self.rng().chance(95) {
                return;
            }
            self.line("// @cb-throw");
        }
        let cookie = self.rng().below(4);
        if self.rng().chance(4) {
            // unconditional: the rest of the block is dead on this path
            self.line(&format!("r1 = {cookie}"));
            self.line("call bpf_throw");
            return;
        }
        let skip = self.label();
        self.cond_jump(&skip);
        self.line(&format!("r1 = {cookie}"));
        self.line("call bpf_throw");
        self.line(&format!("{skip}:"));
    }

    /// R`r` for a global function's `mem:N` argument: one of our location slots at an
    /// aligned offset (whatever they hold: a spilled resource there is clobbered, so the
    /// program leaks and is refused), a misaligned one, a zeroed scratch slot, NULL, or
    /// (refused) the ctx.
    fn mem_arg(&mut self, r: usize, n: u32) {
        match self.rng().below(100) {
            0..=44 => {
                let top = if n == 8 { 4 } else { 3 };
                let l = self.rng().below(top) + u64::from(n / 8);
                self.line(&format!("r{r} = r10"));
                self.line(&format!("r{r} += -{}", 8 * l));
            }
            45..=59 => {
                self.line("// @call-mem-off");
                self.line(&format!("r{r} = r10"));
                self.line(&format!("r{r} += -{}", 4 + n));
            }
            60..=74 => {
                self.line("// @call-mem-null");
                self.line(&format!("r{r} = 0"));
            }
            75..=96 => {
                self.line("*(u64 *)(r10 - 104) = 0");
                if n == 16 {
                    self.line("*(u64 *)(r10 - 112) = 0");
                }
                self.line(&format!("r{r} = r10"));
                self.line(&format!("r{r} += -{}", 96 + n));
            }
            _ => {
                self.line("// @call-mem-ctx");
                self.line(&format!("r{r} = *(u64 *)(r10 - 72)"));
            }
        }
    }

    /// A call to a function with a higher index; one that takes a resource gets one of
    /// `owned` of its kind (which it releases: the caller forgets it) or NULL.
    fn call(&mut self, owned: &mut Vec<Held>) -> bool {
        let n = self.p.nfuncs;
        if self.index >= n {
            return false;
        }
        if self.in_callback {
            // a callee that may throw makes the callback's call refused: not too often
            if self.rng().chance(75) {
                return true;
            }
            self.line("// @cb-call");
        }
        let span = (n - self.index) as u64;
        let mut callee = self.index + 1 + self.rng().below(span) as usize;
        // often one that takes a resource this block owns
        let takers: Vec<usize> = (self.index + 1..=n)
            .filter(|&j| owned.iter().any(|h| self.p.takes[j] == Some(h.kind)))
            .collect();
        if !takers.is_empty() && self.rng().chance(60) {
            callee = self.rng().pick(&takers);
        }
        // holding nothing here: often one that starts with a legacy packet load
        let loads: Vec<usize> = (self.index + 1..=n)
            .filter(|&j| self.p.ld_first[j])
            .collect();
        let holding = self.busy.iter().any(|&b| b);
        if !loads.is_empty() && !holding && self.rng().chance(50) {
            callee = self.rng().pick(&loads);
        } else if self.p.ld_first[callee] && (holding || self.index > 0) {
            // (refused while anything is held: mostly avoided)
            let others: Vec<usize> = (self.index + 1..=n)
                .filter(|&j| !self.p.ld_first[j])
                .collect();
            if others.is_empty() {
                return false;
            }
            callee = self.rng().pick(&others);
        }
        let name = self.p.function(callee);
        if let Some(kind) = self.p.takes[callee] {
            if !owned.iter().any(|h| h.kind == kind) && self.rng().chance(50) {
                // acquire one for it
                if let Some(loc) = self.pick_free() {
                    self.acquire_via(kind);
                    self.line(&store_r0(loc));
                    self.busy[loc] = true;
                    owned.push(Held {
                        kind,
                        locs: vec![loc],
                    });
                }
            }
        }
        self.line("r1 = *(u64 *)(r10 - 72)");
        let gargs = self.p.gargs[callee].clone();
        for (i, a) in gargs.iter().enumerate() {
            let r = i + 2;
            match *a {
                GArg::Mem(n) => self.mem_arg(r, n),
                GArg::Scalar => match self.rng().below(25) {
                    0..=17 => {
                        let v = self.rng().below(6);
                        self.line("// @call-scalar");
                        self.line(&format!("r{r} = {v}"));
                    }
                    18..=23 => {
                        self.line("// @call-scalar");
                        self.line(&format!("r{r} = *(u32 *)(r1 + 8)"));
                    }
                    _ => {
                        // refused: not a scalar
                        self.line("// @call-scalar-ptr");
                        self.line(&format!("r{r} = r10"));
                    }
                },
            }
        }
        if self.p.global[callee] {
            match self.rng().below(100) {
                // refused: the ctx moved, or NULL
                0..=1 => {
                    self.line("// @call-ctx-off");
                    self.line("r1 += 8");
                }
                2 => {
                    self.line("// @call-ctx-null");
                    self.line("r1 = 0");
                }
                _ => {}
            }
        }
        if let Some(kind) = self.p.borrows[callee] {
            // a stack slot of ours with a resource of that kind (acquired for it if need be)
            let mut slots: Vec<usize> = owned
                .iter()
                .filter(|h| h.kind == kind)
                .flat_map(|h| h.locs.iter().copied().filter(|&l| l < 4))
                .collect();
            if slots.is_empty() {
                if let Some(loc) = (0..4).find(|&l| !self.busy[l]) {
                    self.acquire_via(kind);
                    self.line(&store_r0(loc));
                    self.busy[loc] = true;
                    owned.push(Held {
                        kind,
                        locs: vec![loc],
                    });
                    slots.push(loc);
                }
                self.line("r1 = *(u64 *)(r10 - 72)");
            }
            match slots.first() {
                Some(_) => {
                    let l = self.rng().pick(&slots);
                    self.line("r2 = r10");
                    self.line(&format!("r2 += -{}", 8 * (l + 1)));
                }
                None => {
                    self.line("*(u64 *)(r10 - 104) = 0");
                    self.line("r2 = r10");
                    self.line("r2 += -104");
                }
            }
        }
        let mut put = None;
        if let Some((kind, _)) = self.p.puts[callee] {
            // a free stack slot of ours for it to fill (or a scratch one it may overwrite)
            let slots: Vec<usize> = (0..4).filter(|&l| !self.busy[l]).collect();
            if slots.is_empty() {
                self.line("*(u64 *)(r10 - 104) = 0");
                self.line("r3 = r10");
                self.line("r3 += -104");
                put = Some((kind, None));
            } else {
                let loc = self.rng().pick(&slots);
                self.line("r3 = r10");
                self.line(&format!("r3 += -{}", 8 * (loc + 1)));
                self.busy[loc] = true;
                put = Some((kind, Some(loc)));
            }
        }
        if let Some(kind) = self.p.takes[callee] {
            let mine: Vec<usize> = (0..owned.len())
                .filter(|&i| owned[i].kind == kind)
                .collect();
            if !mine.is_empty() && self.rng().chance(85) {
                let i = self.rng().pick(&mine);
                let h = owned.remove(i);
                self.pass(callee, Some(&h));
                for &l in &h.locs {
                    self.busy[l] = false;
                }
            } else {
                self.pass(callee, None);
            }
        }
        self.line(&format!("call {name}"));
        match put {
            Some((kind, Some(loc))) => owned.push(Held {
                kind,
                locs: vec![loc],
            }),
            Some((kind, None)) => {
                self.line("r1 = *(u64 *)(r10 - 104)");
                let skip = self.label();
                self.line(&format!("if r1 == 0 goto {skip}"));
                self.release_call(kind);
                self.line(&format!("{skip}:"));
            }
            None => {}
        }
        if let Some(kind) = self.p.gives[callee] {
            // what it returns is ours now
            match self.pick_free() {
                Some(loc) => {
                    self.line(&store_r0(loc));
                    self.busy[loc] = true;
                    owned.push(Held {
                        kind,
                        locs: vec![loc],
                    });
                }
                None => {
                    self.line("r1 = r0");
                    let skip = self.label();
                    self.line(&format!("if r1 == 0 goto {skip}"));
                    self.release_call(kind);
                    self.line(&format!("{skip}:"));
                }
            }
        }
        true
    }

    /// Statements the verifier must refuse (or, in `runtime`, handle): a throw while the
    /// only copy of a reference is in R0, a release on one path only, a second release, the
    /// last copy overwritten.
    fn risky(&mut self, owned: &mut Vec<Held>) {
        match self.rng().below(4) {
            0 => {
                let Some(loc) = self.pick_free() else {
                    return;
                };
                let kinds = self.p.kinds;
                let kind = self.rng().pick(kinds);
                self.acquire_call(kind);
                let skip = self.label();
                self.line(&format!("if r0 == 0 goto {skip}"));
                self.line("r6 = r0");
                self.line("call bpf_get_prandom_u32");
                self.line("r0 &= 1");
                self.line(&format!("if r0 == 0 goto {skip}"));
                self.line("r1 = 1");
                self.line("call bpf_throw");
                self.line(&format!("{skip}:"));
                // (R6 may have been busy: then this is also an overwrite)
                self.line("r0 = r6");
                self.line(&store_r0(loc));
                self.busy[loc] = true;
                owned.push(Held {
                    kind,
                    locs: vec![loc],
                });
            }
            _ if owned.is_empty() => {}
            1 => {
                let i = self.rng().below(owned.len() as u64) as usize;
                let h = owned.remove(i);
                let skip = self.label();
                self.cond_jump(&skip);
                self.release(&h);
                self.line(&format!("{skip}:"));
            }
            2 => {
                let i = self.rng().below(owned.len() as u64) as usize;
                let h = owned.remove(i);
                self.release(&h);
                self.release(&h);
            }
            _ => {
                let i = self.rng().below(owned.len() as u64) as usize;
                let h = owned.remove(i);
                for &l in &h.locs {
                    self.busy[l] = false;
                    self.line("r0 = 0");
                    self.line(&store_r0(l));
                }
            }
        }
    }

    /// Something that is not a resource in a free location: NULL, a non-zero scalar, other
    /// data (part of a slot), an unknown scalar.
    fn junk(&mut self) {
        let Some(loc) = self.pick_free() else {
            return;
        };
        let what = self.rng().below(4);
        if loc < 4 {
            let off = 8 * (loc + 1);
            match what {
                0 => self.line(&format!("*(u64 *)(r10 - {off}) = 0")),
                1 => self.line(&format!("*(u64 *)(r10 - {off}) = 7")),
                2 => self.line(&format!("*(u32 *)(r10 - {off}) = 5")),
                _ => {
                    self.line("call bpf_get_prandom_u32");
                    self.line(&format!("*(u64 *)(r10 - {off}) = r0"));
                }
            }
        } else {
            let r = loc + 2;
            match what {
                0 => self.line(&format!("r{r} = 0")),
                1 | 2 => self.line(&format!("r{r} = 7")),
                _ => {
                    self.line("call bpf_get_prandom_u32");
                    self.line(&format!("r{r} = r0"));
                }
            }
        }
    }

    /// Moves one copy of a held resource 8 bytes into it, or 0 or 8 bytes (a variable offset),
    /// after a NULL check; runs a throw or a call; and moves it back (or copies another copy
    /// over it): at the throw a location holds a pointer into the resource, not the resource's
    /// own address.
    fn displace(&mut self, h: &Held) {
        let loc = self.rng().pick(&h.locs);
        let other = h.locs.iter().copied().find(|&l| l != loc);
        let skip = self.label();
        self.line(&load_r1(loc));
        self.line(&format!("if r1 == 0 goto {skip}"));
        // a variable offset (0 or 8) only when another copy can put the pointer back
        let var = other.is_some() && self.rng().chance(40);
        if var {
            self.line("r2 = *(u64 *)(r10 - 72)");
            self.line("r2 = *(u32 *)(r2 + 8)");
            self.line("r2 &= 8");
            self.line("r1 += r2");
        } else {
            self.line("r1 += 8");
        }
        self.line(&store_r1(loc));
        let mut got = Vec::new();
        if self.rng().chance(50) || !self.call(&mut got) {
            self.throw();
        }
        for h in got {
            self.release(&h);
        }
        match other {
            Some(o) if var || self.rng().chance(30) => self.line(&load_r1(o)),
            _ => {
                self.line(&load_r1(loc));
                self.line("r1 -= 8");
            }
        }
        self.line(&store_r1(loc));
        self.line(&format!("{skip}:"));
    }

    /// Copies a held resource to another free location, or moves it (the old location then
    /// gets NULL or a scalar, in all 8 bytes or in half of them).
    fn copy_or_move(&mut self, h: &mut Held) {
        let Some(to) = self.pick_free() else {
            return;
        };
        let from = self.rng().pick(&h.locs);
        self.line(&load_r1(from).replace("r1 = ", "r0 = "));
        self.line(&store_r0(to));
        self.busy[to] = true;
        h.locs.push(to);
        if h.locs.len() > 1 && self.rng().chance(50) {
            let i = self.rng().below(h.locs.len() as u64 - 1) as usize;
            let old = h.locs.remove(i);
            self.busy[old] = false;
            let v = self.rng().pick(&[0, 9]);
            if old < 4 && self.rng().chance(30) {
                // half of the slot: what is left is not a pointer
                self.line(&format!("*(u32 *)(r10 - {}) = {v}", 8 * (old + 1)));
            } else if old < 4 {
                self.line(&format!("*(u64 *)(r10 - {}) = {v}", 8 * (old + 1)));
            } else {
                self.line(&format!("r{} = {v}", old + 2));
            }
        }
    }

    /// A sequence of statements that leaves `busy` as it found it: what it acquires it
    /// releases (in its own order) before it ends.
    fn block(&mut self, depth: u32) {
        self.block_with(depth, Vec::new());
    }

    /// `block`, owning `owned` from the start.
    fn block_with(&mut self, depth: u32, mut owned: Vec<Held>) {
        let n = 1 + self.rng().below(if depth == 0 { 6 } else { 4 });
        for _ in 0..n {
            if self.budget <= 0 {
                break;
            }
            self.budget -= 1;
            let r = self.rng().below(100);
            match r {
                0..=24 => {
                    if owned.len() < 3 {
                        if let Some(h) = self.acquire(None) {
                            owned.push(h);
                        }
                    }
                }
                25..=36 => {
                    if !owned.is_empty() {
                        let i = self.rng().below(owned.len() as u64) as usize;
                        let h = owned.remove(i);
                        self.release(&h);
                    }
                }
                41..=42 => {
                    if !owned.is_empty() {
                        let i = self.rng().below(owned.len() as u64) as usize;
                        let h = owned[i].clone();
                        if h.kind != Kind::Sock {
                            self.displace(&h);
                        }
                    }
                }
                37..=40 => {
                    if !owned.is_empty() {
                        let i = self.rng().below(owned.len() as u64) as usize;
                        let mut h = owned[i].clone();
                        self.copy_or_move(&mut h);
                        owned[i] = h;
                    }
                }
                43..=54 => self.throw(),
                58..=70 => {
                    if !self.call(&mut owned) {
                        self.throw();
                    }
                }
                71..=76 => {
                    if depth < 3 {
                        self.branch(depth);
                    }
                }
                77..=80 => {
                    if depth < 3 && !self.in_loop {
                        self.looped(depth);
                    }
                }
                81..=89 => {
                    if depth < 3 && self.forks < DISC_SLOTS.len() {
                        self.fork(depth);
                    }
                }
                90..=93 => {
                    if depth < 3 && !self.sharing {
                        self.shared_release(depth, &mut owned);
                    }
                }
                94 => {
                    if depth < 3 {
                        self.critical(depth);
                    }
                }
                95 => self.junk(),
                55 | 56 | 96 => {
                    // (refused while a caller holds a reference: rarer in callees)
                    let pct = if self.index > 0 || self.in_callback {
                        25
                    } else {
                        70
                    };
                    if self.p.tc && self.rng().chance(pct) {
                        self.legacy_load(None);
                    } else if self.p.tc {
                        self.packet();
                    } else {
                        self.junk();
                    }
                }
                57 | 97 => {
                    if !self.in_callback && depth < 3 && self.rng().chance(70) {
                        let outer = owned.clone();
                        self.bpf_loop(&outer);
                    } else if !self.in_callback {
                        self.timer();
                    }
                }
                _ => {
                    if self.p.risky {
                        self.risky(&mut owned);
                    }
                }
            }
        }
        while !owned.is_empty() {
            let i = self.rng().below(owned.len() as u64) as usize;
            let h = owned.remove(i);
            self.release(&h);
        }
    }

    /// Two resources of one kind, one of them (picked by the input) released by a single
    /// release call; a body; then the other one, by the discriminator at fp-88. After the
    /// first release each location holds a resource on one path and a dead pointer on the
    /// other: a conflict that makes both acquisitions `cleanup-v2`'s, and a release site
    /// shared by two of them.
    fn shared_release(&mut self, depth: u32, owned: &mut Vec<Held>) {
        if owned.is_empty() {
            return;
        }
        let i = self.rng().below(owned.len() as u64) as usize;
        let kind = owned[i].kind;
        let others: Vec<usize> = (0..owned.len())
            .filter(|&j| j != i && owned[j].kind == kind)
            .collect();
        let b = if others.is_empty() {
            match self.acquire(Some(kind)) {
                Some(h) => h,
                None => return,
            }
        } else {
            let j = self.rng().pick(&others);
            owned.remove(j)
        };
        let i = (0..owned.len())
            .find(|&j| owned[j].kind == kind)
            .expect("still there");
        let a = owned.remove(i);
        self.sharing = true;
        let (pick_b, join, skip) = (self.label(), self.label(), self.label());
        self.cond_jump(&pick_b);
        self.line("*(u64 *)(r10 - 88) = 0");
        let from_a = self.rng().pick(&a.locs);
        self.line(&load_r1(from_a));
        self.line(&format!("goto {join}"));
        self.line(&format!("{pick_b}:"));
        self.line("*(u64 *)(r10 - 88) = 1");
        let from_b = self.rng().pick(&b.locs);
        self.line(&load_r1(from_b));
        self.line(&format!("{join}:"));
        self.line(&format!("if r1 == 0 goto {skip}"));
        self.release_call(kind);
        self.line(&format!("{skip}:"));
        self.block(depth + 1);
        let (rel_a, end) = (self.label(), self.label());
        self.line("r1 = *(u64 *)(r10 - 88)");
        self.line(&format!("if r1 == 1 goto {rel_a}"));
        self.release(&b);
        self.line(&format!("goto {end}"));
        self.line(&format!("{rel_a}:"));
        self.release(&a);
        self.line(&format!("{end}:"));
        self.sharing = false;
    }

    /// An RCU read section around a block, or a spin lock around a store or a throw: a throw
    /// in either must be refused (in every mode).
    fn critical(&mut self, depth: u32) {
        if self.rng().chance(50) {
            self.line("call bpf_rcu_read_lock");
            if self.p.tc && self.rng().chance(25) {
                // refused (`check_resource_leak`: "cannot be used inside
                // bpf_rcu_read_lock-ed region")
                self.legacy_load(Some("ld_abs-rcu"));
            }
            self.block(depth + 1);
            self.line("call bpf_rcu_read_unlock");
            return;
        }
        let skip = self.label();
        self.line("*(u32 *)(r10 - 112) = 0");
        self.line("r2 = r10");
        self.line("r2 += -112");
        self.line("r1 = map[a] ll");
        self.line("call bpf_map_lookup_elem");
        self.line(&format!("if r0 == 0 goto {skip}"));
        self.line("*(u64 *)(r10 - 120) = r0");
        self.line("r1 = r0");
        self.line("call bpf_spin_lock");
        if self.p.tc && self.rng().chance(20) {
            // refused: "cannot be used inside bpf_spin_lock-ed region"
            self.legacy_load(Some("ld_abs-lock"));
        } else if self.rng().chance(30) {
            let cookie = self.rng().below(4);
            let no_throw = self.label();
            self.line("r1 = *(u64 *)(r10 - 72)");
            self.line("r2 = *(u32 *)(r1 + 0)");
            self.line(&format!("if r2 > 2 goto {no_throw}"));
            self.line(&format!("r1 = {cookie}"));
            self.line("call bpf_throw");
            self.line(&format!("{no_throw}:"));
        } else {
            self.line("r1 = *(u64 *)(r10 - 120)");
            self.line("*(u32 *)(r1 + 8) = 1");
        }
        self.line("r1 = *(u64 *)(r10 - 120)");
        self.line("call bpf_spin_unlock");
        self.line(&format!("{skip}:"));
    }

    /// A legacy packet load (`LD_ABS` or `LD_IND`, R6 the ctx): refused while a reference is
    /// held (it may end the program: an out-of-bounds load returns 0), in an RCU read section
    /// or under a spin lock; sometimes a throw on what it loaded.
    fn legacy_load(&mut self, mark: Option<&str>) {
        // (a marked one is to be refused anyway; otherwise only when this frame holds nothing)
        if self.busy[4] || mark.is_none() && self.busy.iter().any(|&b| b) {
            return;
        }
        if let Some(m) = mark {
            self.line(&format!("// @{m}"));
        }
        self.line("r6 = *(u64 *)(r10 - 72)");
        let size = self.rng().pick(&["u8", "u16", "u32"]);
        let off = self.rng().pick(&[0, 2, 12, 14, 30, 60]);
        if self.rng().chance(60) {
            self.line("// @ld_abs");
            self.line(&format!("r0 = *({size} *)skb[{off}]"));
        } else {
            self.line("// @ld_ind");
            self.line("r1 = *(u32 *)(r6 + 8)");
            self.line("r1 &= 15");
            self.line(&format!("r0 = *({size} *)skb[r1 + {off}]"));
        }
        if self.index > 0 {
            self.line("// @ld_abs-sub");
        }
        if self.rng().chance(30) {
            let skip = self.label();
            let cookie = self.rng().below(4);
            self.line(&format!("if r0 != 0 goto {skip}"));
            self.line(&format!("r1 = {cookie}"));
            self.line("call bpf_throw");
            self.line(&format!("{skip}:"));
        }
    }

    /// Direct packet access: data and data_end from the `__sk_buff`, a bounds check (or, to be
    /// refused, none), loads and a store, the packet pointer sometimes kept in a free location
    /// across a throw.
    fn packet(&mut self) {
        let n = self.rng().pick(&[1u32, 2, 4, 8, 14]);
        let skip = self.label();
        self.line("r1 = *(u64 *)(r10 - 72)");
        self.line("r2 = *(u32 *)(r1 + 76)");
        self.line("r3 = *(u32 *)(r1 + 80)");
        self.line("r4 = r2");
        self.line(&format!("r4 += {n}"));
        if self.rng().chance(8) {
            self.line("// @pkt-unchecked");
        } else {
            self.line("// @pkt");
            self.line(&format!("if r4 > r3 goto {skip}"));
        }
        let k = self.rng().below(u64::from(n));
        self.line(&format!("r0 = *(u8 *)(r2 + {k})"));
        if self.rng().chance(30) {
            self.line("*(u8 *)(r2 + 0) = r0");
        }
        if let Some(loc) = self.pick_free().filter(|_| self.rng().chance(40)) {
            self.line("// @pkt-spill");
            self.line("r0 = r2");
            self.line(&store_r0(loc));
            self.throw();
            self.line(&load_r1(loc));
            self.line(&format!("r0 = *(u8 *)(r1 + {k})"));
        }
        let cookie = self.rng().below(4);
        self.line(&format!("if r0 != 0 goto {skip}"));
        if self.rng().chance(50) {
            self.line(&format!("r1 = {cookie}"));
            self.line("call bpf_throw");
        }
        self.line(&format!("{skip}:"));
    }

    /// A `bpf_loop` call (1 or 2 iterations) whose callback gets a pointer to our ctx slot
    /// (fp-72) and runs a block of its own: resources acquired and released there, branches,
    /// calls, and (refused in every mode) rarely a throw.
    fn bpf_loop(&mut self, outer: &[Held]) {
        // a resource of ours in a stack slot, which the callback reads through its ctx pointer
        let slots: Vec<(Kind, usize)> = outer
            .iter()
            .flat_map(|h| h.locs.iter().filter(|&&l| l < 4).map(|&l| (h.kind, l)))
            .collect();
        let reach = if !slots.is_empty() && self.rng().chance(60) {
            Some(self.rng().pick(&slots))
        } else {
            None
        };
        let name = format!("cb{}", self.label());
        let n = 1 + self.rng().below(2);
        let budget = 2 + self.rng().below(4) as i32;
        let index = self.index;
        let mut cb = FnGen::new(&mut *self.p, index, budget);
        cb.in_callback = true;
        cb.line(&format!("{name}:"));
        // the ctx, read through the pointer to the caller's stack
        cb.line("r1 = *(u64 *)(r2 + 0)");
        if let Some((_, loc)) = reach {
            cb.line(&format!("r3 = *(u64 *)(r2 + {})", 72 - 8 * (loc + 1)));
        }
        cb.prologue();
        if let Some((kind, _)) = reach {
            // the caller's resource: used (after a NULL check), or (refused: the caller
            // releases it too, and the callback may run twice) released
            let skip = cb.label();
            cb.line(&format!("if r3 == 0 goto {skip}"));
            if cb.rng().chance(20) {
                cb.line("// @cb-outer-release");
                cb.line("r1 = r3");
                cb.release_call(kind);
            } else {
                cb.line("// @cb-outer-use");
                match kind {
                    Kind::Obj | Kind::Ringbuf => cb.line("r0 = *(u64 *)(r3 + 0)"),
                    Kind::Sock | Kind::Task => cb.line("r0 = *(u32 *)(r3 + 0)"),
                    Kind::Cgroup | Kind::Cpumask => {}
                }
            }
            cb.line(&format!("{skip}:"));
        }
        if cb.rng().chance(40) {
            // a static function of its own (which calls nothing and rarely throws), called
            // while the callback holds a resource or not
            let helper = format!("cbf{}", cb.label());
            let budget = 2 + cb.rng().below(3) as i32;
            let last = cb.p.nfuncs;
            let mut h = FnGen::new(&mut *cb.p, last, budget);
            h.in_callback = true;
            h.line(&format!("{helper}:"));
            h.prologue();
            h.block(0);
            h.line("r0 = 0");
            h.line("exit");
            let text = h.out;
            cb.p.funcs.push(text);
            let held = if cb.rng().chance(50) {
                cb.acquire(None)
            } else {
                None
            };
            cb.line("// @cb-static-call");
            cb.line("r1 = *(u64 *)(r10 - 72)");
            cb.line(&format!("call {helper}"));
            if let Some(held) = held {
                cb.release(&held);
            }
        }
        cb.block(0);
        let ret = cb.rng().pick(&[0, 0, 0, 1]);
        cb.line(&format!("r0 = {ret}"));
        cb.line("exit");
        let text = cb.out;
        self.p.funcs.push(text);
        self.line("// @bpf_loop");
        self.line(&format!("r1 = {n}"));
        self.line(&format!("r2 = {name}"));
        self.line("r3 = r10");
        self.line("r3 += -72");
        self.line("r4 = 0");
        self.line("call bpf_loop");
    }

    /// A timer in the map `t`'s value: initialised, given a callback (verified on its own as
    /// an async callback; it allocates and frees an object, and rarely throws: refused), and
    /// started. The simulated kernel never fires it.
    fn timer(&mut self) {
        let name = format!("tcb{}", self.label());
        let (skip, out, keep) = (self.label(), self.label(), self.label());
        let mut cb = format!(
            "{name}:\nr1 = 8\ncall bpf_obj_new\nif r0 == 0 goto {out}\n*(u64 *)(r10 - 8) = r0\n\
             call bpf_get_prandom_u32\nr0 &= 1\nif r0 == 0 goto {keep}\n"
        );
        if self.rng().chance(10) {
            cb.push_str("// @timer-throw\nr1 = 1\ncall bpf_throw\n");
        }
        write!(
            cb,
            "{keep}:\nr1 = *(u64 *)(r10 - 8)\ncall bpf_obj_drop\n{out}:\nr0 = 0\nexit\n"
        )
        .unwrap();
        self.p.funcs.push(cb);
        for l in [
            "// @timer",
            "*(u32 *)(r10 - 112) = 0",
            "r2 = r10",
            "r2 += -112",
            "r1 = map[t] ll",
            "call bpf_map_lookup_elem",
        ] {
            self.line(l);
        }
        self.line(&format!("if r0 == 0 goto {skip}"));
        for l in [
            "*(u64 *)(r10 - 120) = r0",
            "r1 = r0",
            "r1 += 8",
            "r2 = map[t] ll",
            "r3 = 0",
            "call bpf_timer_init",
            "r1 = *(u64 *)(r10 - 120)",
            "r1 += 8",
        ] {
            self.line(l);
        }
        self.line(&format!("r2 = {name}"));
        for l in [
            "call bpf_timer_set_callback",
            "r1 = *(u64 *)(r10 - 120)",
            "r1 += 8",
            "r2 = 1000",
            "r3 = 0",
            "call bpf_timer_start",
        ] {
            self.line(l);
        }
        self.line(&format!("{skip}:"));
    }

    /// A bounded loop (1 to 3 iterations, the counter spilled at fp-80) around a block.
    fn looped(&mut self, depth: u32) {
        let n = 1 + self.rng().below(3);
        let head = self.label();
        self.in_loop = true;
        self.line("*(u64 *)(r10 - 80) = 0");
        self.line(&format!("{head}:"));
        if self.index > 0 && self.rng().chance(50) {
            self.line("// @loop-throw-callee");
            self.throw();
        }
        if self.rng().chance(20) {
            let mut got = Vec::new();
            if self.call(&mut got) {
                self.line("// @loop-call");
            }
            for h in got {
                self.release(&h);
            }
        }
        self.block(depth + 1);
        self.line("r1 = *(u64 *)(r10 - 80)");
        self.line("r1 += 1");
        self.line("*(u64 *)(r10 - 80) = r1");
        self.line(&format!("if r1 < {n} goto {head}"));
        self.in_loop = false;
    }

    /// `if cond { block } else { block }`.
    fn branch(&mut self, depth: u32) {
        let els = self.label();
        let end = self.label();
        self.cond_jump(&els);
        self.block(depth + 1);
        self.line(&format!("goto {end}"));
        self.line(&format!("{els}:"));
        if self.rng().chance(70) {
            self.block(depth + 1);
        }
        self.line(&format!("{end}:"));
    }

    /// One arm of a fork: a resource in one or two locations (taken from `prefer` first, to
    /// overlap the other arm's), or NULL / a scalar / nothing in some.
    fn arm(&mut self, prefer: &[usize], free: &[usize]) -> (Option<Held>, Vec<usize>) {
        let mut pool: Vec<usize> = free.to_vec();
        let mut take = |rng: &mut Rng| -> Option<usize> {
            let from_prefer: Vec<usize> = prefer
                .iter()
                .copied()
                .filter(|l| pool.contains(l))
                .collect();
            let l = if !from_prefer.is_empty() && rng.chance(70) {
                rng.pick(&from_prefer)
            } else if !pool.is_empty() {
                rng.pick(&pool)
            } else {
                return None;
            };
            pool.retain(|&x| x != l);
            Some(l)
        };
        let mut locs = Vec::new();
        if let Some(l) = take(self.rng()) {
            locs.push(l);
        }
        if self.rng().chance(45) {
            if let Some(l) = take(self.rng()) {
                locs.push(l);
            }
        }
        if locs.is_empty() {
            return (None, locs);
        }
        match self.rng().below(10) {
            0..=6 => {
                let kind = self.pick_kind();
                self.acquire_via(kind);
                for &l in &locs {
                    self.line(&store_r0(l));
                }
                (
                    Some(Held {
                        kind,
                        locs: locs.clone(),
                    }),
                    locs,
                )
            }
            7 => {
                for &l in &locs {
                    self.line("r0 = 0");
                    self.line(&store_r0(l));
                }
                (None, locs)
            }
            8 => {
                for &l in &locs {
                    self.line("r0 = 3");
                    self.line(&store_r0(l));
                }
                (None, locs)
            }
            _ => (None, Vec::new()),
        }
    }

    /// Two arms put different things in overlapping locations; a common body; then the
    /// discriminator spilled by each arm picks the release.
    fn fork(&mut self, depth: u32) {
        let free = self.free_locs();
        if free.len() < 2 {
            return;
        }
        let disc = DISC_SLOTS[self.forks];
        self.forks += 1;
        let arm_b = self.label();
        let join = self.label();
        self.cond_jump(&arm_b);
        self.line(&format!("*(u64 *)(r10 - {disc}) = 0"));
        let (held_a, locs_a) = self.arm(&[], &free);
        self.line(&format!("goto {join}"));
        self.line(&format!("{arm_b}:"));
        self.line(&format!("*(u64 *)(r10 - {disc}) = 1"));
        let (held_b, locs_b) = self.arm(&locs_a, &free);
        self.line(&format!("{join}:"));
        let before = self.busy;
        for &l in locs_a.iter().chain(&locs_b) {
            self.busy[l] = true;
        }
        self.block(depth + 1);
        let rel_b = self.label();
        let end = self.label();
        self.line(&format!("r1 = *(u64 *)(r10 - {disc})"));
        self.line(&format!("if r1 == 1 goto {rel_b}"));
        if let Some(h) = &held_a {
            self.release_or_transfer(h);
        }
        self.line(&format!("goto {end}"));
        self.line(&format!("{rel_b}:"));
        if let Some(h) = &held_b {
            self.release_or_transfer(h);
        }
        self.line(&format!("{end}:"));
        // after the releases: nothing of the fork may be released again by an unwinder
        if self.rng().chance(40) {
            self.throw();
        }
        self.busy = before;
        self.forks -= 1;
    }
}

/// The program of `seed`, as assembly text.
pub fn program_text(seed: u64) -> String {
    program_text_from(Rng::new(seed))
}

/// The program `rng`'s choices make, as assembly text.
pub fn program_text_from(mut rng: Rng) -> String {
    let syscall = rng.chance(20);
    let kinds: &'static [Kind] = if syscall { &SYSCALL_KINDS } else { &TC_KINDS };
    let nfuncs = rng.pick(&[0, 1, 2, 2, 3, 3, 4]);
    let global: Vec<bool> = (0..=nfuncs).map(|i| i > 0 && rng.chance(35)).collect();
    let gargs: Vec<Vec<GArg>> = (0..=nfuncs)
        .map(|i| {
            if !global[i] {
                return Vec::new();
            }
            let mem = GArg::Mem(rng.pick(&[8, 8, 16]));
            match rng.below(10) {
                0..=2 => Vec::new(),
                3..=4 => vec![mem],
                5..=6 => vec![GArg::Scalar],
                7..=8 => vec![mem, GArg::Scalar],
                _ => vec![GArg::Scalar, mem],
            }
        })
        .collect();
    let names: Vec<String> = (0..=nfuncs)
        .map(|i| {
            if global[i] {
                format!("g{i}")
            } else {
                format!("f{i}")
            }
        })
        .collect();
    let takes: Vec<Option<Kind>> = (0..=nfuncs)
        .map(|i| (i > 0 && !global[i] && rng.chance(55)).then(|| rng.pick(kinds)))
        .collect();
    let takes_ptr: Vec<bool> = (0..=nfuncs)
        .map(|i| takes[i].is_some() && rng.chance(50))
        .collect();
    let gives: Vec<Option<Kind>> = (0..=nfuncs)
        .map(|i| {
            (i > 0 && !global[i] && takes[i].is_none() && rng.chance(50)).then(|| rng.pick(kinds))
        })
        .collect();
    let puts: Vec<Option<(Kind, bool)>> = (0..=nfuncs)
        .map(|i| {
            (i > 0 && !global[i] && takes[i].is_none() && gives[i].is_none() && rng.chance(50))
                .then(|| (rng.pick(kinds), rng.chance(50)))
        })
        .collect();
    let borrows: Vec<Option<Kind>> = (0..=nfuncs)
        .map(|i| {
            (i > 0
                && !global[i]
                && takes[i].is_none()
                && gives[i].is_none()
                && puts[i].is_none()
                && rng.chance(50))
            .then(|| rng.pick(kinds))
        })
        .collect();
    let ld_first: Vec<bool> = (0..=nfuncs)
        .map(|i| {
            // (R1-R5 are clobbered by the load: only functions whose one argument is the ctx)
            i > 0
                && !syscall
                && takes[i].is_none()
                && puts[i].is_none()
                && borrows[i].is_none()
                && gargs[i].is_empty()
                && rng.chance(8)
        })
        .collect();
    let risky = rng.chance(30);
    let mut p = ProgGen {
        rng,
        label: 0,
        funcs: Vec::new(),
        globls: Vec::new(),
        names,
        nfuncs,
        generated: BTreeSet::new(),
        global,
        gargs,
        borrows,
        tc: !syscall,
        ld_first,
        kinds,
        takes,
        takes_ptr,
        gives,
        puts,
        risky,
    };
    let budget = 6 + p.rng.below(10) as i32;
    let mut main = FnGen::new(&mut p, 0, budget);
    main.prologue();
    if main.p.tc && main.rng().chance(15) {
        // nothing is held yet: a legacy load here is accepted
        main.legacy_load(None);
    }
    if main.rng().chance(10) {
        // a call while nothing is held (a callee's legacy loads are accepted then)
        let mut got = Vec::new();
        main.call(&mut got);
        for h in got {
            main.release(&h);
        }
    }
    main.block(0);
    main.line("r0 = 0");
    main.line("exit");
    let main_text = main.out;
    let callback = p.rng.chance(20);
    let mut text = String::new();
    text.push_str(if syscall {
        ".ctx syscall\n"
    } else {
        ".ctx tc\n"
    });
    text.push_str(".map rb ringbuf key=0 value=0 max_entries=4096\n");
    text.push_str(".map a array key=4 value=16 max_entries=4\n");
    text.push_str(".map t array key=4 value=24 max_entries=1\n");
    for g in &p.globls {
        text.push_str(g);
        text.push('\n');
    }
    if callback {
        text.push_str(".globl on_exception(scalar)\n.exception_callback on_exception\n");
    }
    text.push_str(&main_text);
    for f in &p.funcs {
        text.push_str(f);
    }
    if callback {
        // returns the cookie's low bit; or allocates and frees an object first; or (refused)
        // leaks it
        text.push_str(match p.rng.below(5) {
            0..=2 => "on_exception:\nr0 = r1\nr0 &= 1\nexit\n",
            3 => "on_exception:\nr1 = 8\ncall bpf_obj_new\nif r0 == 0 goto cb_out\nr1 = r0\ncall bpf_obj_drop\ncb_out:\nr0 = 0\nexit\n",
            _ => "on_exception:\nr1 = 8\ncall bpf_obj_new\nr0 = 0\nexit\n",
        });
    }
    text
}

pub fn world(seed: u64) -> World {
    let mut rng = Rng::new(seed.rotate_left(17) ^ 0x5555);
    let mut ctx = String::new();
    for _ in 0..16 {
        let b = rng.next() as u8;
        // small values often, so branches on the input go both ways
        let b = if rng.chance(70) { b % 6 } else { b };
        write!(ctx, "{b:02x}").unwrap();
    }
    // the packet: often too short for some legacy loads (which then end the program)
    let len = rng.pick(&[0usize, 4, 14, 16, 34, 64, 64]);
    let packet: String = (0..len)
        .map(|_| format!("{:02x}", rng.next() as u8 % 4))
        .collect();
    let mut w = World {
        ctx: Some(ctx),
        packet: Some(packet),
        prandom_seed: rng.next(),
        ..World::default()
    };
    w.tasks.clear();
    for pid in 0..4u32 {
        if rng.chance(70) {
            w.tasks.push(unwind_vm::world::Task {
                pid,
                comm: format!("t{pid}"),
            });
        }
    }
    w.cgroups = match rng.below(4) {
        0 => vec![],
        1 => vec![1],
        _ => vec![1, 2],
    };
    if rng.chance(75) {
        w.sockets.push(unwind_vm::world::Socket {
            protocol: unwind_vm::world::Protocol::Tcp,
            local: "0.0.0.0:0".into(),
            remote: None,
        });
    }
    if rng.chance(20) {
        w.max_alloc = 8;
    }
    w
}

// ---------------------------------------------------------------------------------------------
// Running and checking

#[derive(Default)]
pub struct Outcome {
    pub threw: bool,
    /// Resources released by the unwinder or the run-time table.
    pub unwound: usize,
}

pub fn options(mode: Mode) -> Options {
    Options {
        log_level: 0,
        mode,
        record_states: false,
        ..Options::default()
    }
}

/// What to run for an accepted program: the program and its unwinding.
pub fn prepare(program: &Program, mode: Mode) -> Result<Option<(Program, Unwinding)>, String> {
    let verdict = unwind_verifier::verify(program, &options(mode));
    if !verdict.accepted {
        return Ok(None);
    }
    let r =
        unwind_verifier::runnable(program, &verdict, mode).map_err(|e| format!("runnable: {e}"))?;
    if r.unwinding == Unwinding::DiscardFrames {
        return Err("a cleanup mode without descriptors".into());
    }
    Ok(Some((r.program, r.unwinding)))
}

pub fn run(program: &Program, unwinding: &Unwinding, world: &World) -> Machine {
    let mut m = Machine::new(
        program,
        world,
        Config {
            budget: 200_000,
            unwinding: unwinding.clone(),
            ..Config::default()
        },
    )
    .expect("the world fits the program");
    m.run();
    m
}

/// The property on one run's events.
pub fn check(m: &Machine) -> Result<Outcome, String> {
    let mut out = Outcome::default();
    let mut acquired = BTreeMap::new();
    let mut released = BTreeSet::new();
    if m.kernel.events_dropped > 0 {
        return Err(format!("{} events dropped", m.kernel.events_dropped));
    }
    for e in &m.kernel.events {
        match &e.kind {
            EventKind::Acquire { resource, .. } => {
                let again = acquired.insert(resource.id, resource.held).is_some();
                if again {
                    return Err(format!(
                        "pc {}: resource id {} acquired twice",
                        e.pc, resource.id
                    ));
                }
            }
            EventKind::Release { resource, by, .. } => {
                if acquired.get(&resource.id) != Some(&resource.held) {
                    return Err(format!(
                        "pc {}: release of {} that this run did not acquire",
                        e.pc,
                        resource.label()
                    ));
                }
                if !released.insert(resource.id) {
                    return Err(format!("pc {}: {} released twice", e.pc, resource.label()));
                }
                if *by != ReleasedBy::Program {
                    out.unwound += 1;
                }
            }
            EventKind::Throw { .. } => out.threw = true,
            EventKind::Leak { .. } => return Err(format!("leak: {}", e.describe())),
            EventKind::Fault { .. } => return Err(format!("fault: {}", e.describe())),
            _ => {}
        }
    }
    match &m.status {
        Status::Exited { .. } => {}
        other => return Err(format!("ended as {other:?}")),
    }
    let never: Vec<String> = acquired
        .keys()
        .filter(|id| !released.contains(id))
        .map(|id| format!("#{id}"))
        .collect();
    if !never.is_empty() {
        return Err(format!("acquired, never released: {}", never.join(", ")));
    }
    if !m.kernel.resources.is_empty() {
        return Err(format!(
            "{} resources still held at the end",
            m.kernel.resources.len()
        ));
    }
    Ok(out)
}
