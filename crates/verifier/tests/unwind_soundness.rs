//! Cleanup soundness: for random programs with acquisitions, releases, calls and throws that
//! the verifier accepts in `cleanup`, `cleanup-v2` or `runtime`, every run on random inputs
//! ends with no leaked and no doubly released resource, and every release is of a resource
//! that run acquired (whether or not the program threw, and whoever released it: the
//! program, the unwinder from a frame descriptor, or the run-time table).
//!
//! Programs come from a random generator (`ProgGen`, driven by a seed) that writes assembly
//! text:
//!
//! - acquisitions of the six resource kinds (`bpf_obj_new`, `bpf_ringbuf_reserve`,
//!   `bpf_sk_lookup_tcp`, `bpf_task_from_pid`, `bpf_cgroup_from_id`, and in the fifth of the
//!   programs that are `syscall` programs instead of `tc`, `bpf_cpumask_create` instead of the
//!   socket lookup), each stored in a stack
//!   slot (fp-8..fp-32) or a callee-saved register (R6-R9), often with a second copy in
//!   another of those locations, sometimes checked for NULL at once, sometimes moved;
//! - pointers moved 8 bytes (or a variable 0 or 8) into their resource (`r6 += 8`) across a
//!   throw or a call, and moved back before the release;
//! - releases after a NULL check, from either copy (`bpf_ringbuf_submit` or `_discard`);
//! - branches on the inputs (ctx bytes, `bpf_get_prandom_u32`) whose arms acquire and release
//!   their own resources;
//! - "forks": the two arms of a branch put different things (resources of different kinds,
//!   NULL, a non-zero scalar, other data, nothing) in overlapping locations, a common body runs
//!   (with throws and calls), and a discriminator spilled on each arm picks the right release
//!   afterwards. These are the conflicting uses of a slot that `cleanup` must refuse (or merge
//!   soundly) and `cleanup-v2` must resolve; with copies on one arm only they are the case of
//!   a second copy skipped by the descriptor merge (path A: object in fp-8 and r6, path B:
//!   socket in r6);
//! - a release call shared by two acquisitions of one kind (the input picks which one it
//!   releases, a discriminator releases the other later, with throws in between);
//! - conditional `bpf_throw`s, in the main program and in callees;
//! - calls to static and global subprograms (up to four frames deep), each with its own
//!   resources, called while the caller holds some;
//! - scalars, NULL and other data written to free locations, and stack slots left
//!   uninitialised, so descriptors meet markers;
//! - statements the verifier must refuse (a throw while the only copy of a reference is in
//!   R0-R5, a release on one path only, a second release, the last copy overwritten);
//! - bounded loops around any of these;
//! - static functions that take a resource from their caller (in R2, or by a pointer to the
//!   caller's stack slot, and release it or hand it on), static functions that acquire one and return it, and static functions
//!   that store one in a stack slot of their caller (through a pointer; at once, so that both
//!   frames hold it while the callee may throw, or at the end), and global functions that
//!   take 8 bytes of their caller's stack as memory (`mem:8`) and write a scalar there or
//!   read it;
//! - RCU read sections and spin locks, with throws inside (which must be refused);
//! - sometimes a custom exception callback (which may allocate and free, or leak).
//!
//! Each program is verified in each of the three modes (log level 0, no recorded states); an
//! accepted one is run (the program `unwind_verifier::runnable` gives: cleanup-v2's rewrite
//! and the `bpf_throw` trampoline, with the verifier's descriptors, or the run-time table for
//! `runtime`) on `RUNS` random worlds, and the run's events are checked.
//!
//! `UNWIND_UNWIND_SOUNDNESS_CASES=N` sets the number of generated programs (default 1500);
//! `UNWIND_UNWIND_SOUNDNESS_SEED=S` the first seed (program k uses seed S + k, so a failure
//! prints the seed that reproduces it with `UNWIND_UNWIND_SOUNDNESS_CASES=1`);
//! `UNWIND_UNWIND_SOUNDNESS_SKIP_KNOWN=1` leaves out the constructs of the two open bugs it
//! found (see the focused tests at the end), to look for others; `UNWIND_UNWIND_SOUNDNESS_DEBUG=1`
//! prints the most common rejection messages per mode (to tune
//! the generator; `=2` also the first program refused with each message),
//! `UNWIND_UNWIND_SOUNDNESS_SHOW=N` the first N programs. The counts (accepted per mode, runs, runs that threw, runs in which the
//! unwinder or the run-time table released something) are printed with `--nocapture`.
//!
//! A violation is minimised (instructions removed while the program still assembles, is
//! accepted in that mode and still violates the property on that world) and reported with the
//! original program, the minimised one, the world and the events.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Instant;

use unwind_program::Program;
use unwind_verifier::{Mode, Options};
use unwind_vm::{Config, EventKind, Machine, ReleasedBy, Status, Unwinding, World};

/// Runs per accepted program and mode, each on its own random world.
const RUNS: u64 = 4;

/// The modes under test.
const MODES: [(Mode, &str); 3] = [
    (Mode::Cleanup, "cleanup"),
    (Mode::CleanupV2, "cleanup-v2"),
    (Mode::Runtime, "runtime"),
];

// ---------------------------------------------------------------------------------------------
// Randomness

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6a09_e667_f3bc_c909)
    }

    /// splitmix64
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

    /// True with probability `pct`/100.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
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
    /// Global functions that also take 8 bytes of memory (a pointer into the caller's stack).
    global_mem: Vec<bool>,
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
    /// `UNWIND_UNWIND_SOUNDNESS_SKIP_KNOWN`: no constructs of the known open bugs.
    skip_known: bool,
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
            let mut f = FnGen {
                p: self,
                out: String::new(),
                index,
                busy: [false; 8],
                budget,
                forks: 0,
                in_loop: false,
                sharing: false,
            };
            f.line(&format!("{name}:"));
            f.prologue();
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
            if f.p.global_mem[index] {
                // 8 bytes of the caller's stack, as memory: written (a scalar over whatever
                // was there) or read
                let skip = f.label();
                f.line("*(u64 *)(r10 - 96) = r2");
                f.line("r1 = r2");
                f.line(&format!("if r1 == 0 goto {skip}"));
                if f.rng().chance(60) {
                    f.line("*(u64 *)(r1 + 0) = 7");
                } else {
                    f.line("r0 = *(u64 *)(r1 + 0)");
                }
                f.line(&format!("{skip}:"));
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
            if self.global_mem[index] {
                self.globls.push(format!(".globl {name}(ctx, mem:8)"));
            } else if self.global[index] {
                self.globls.push(format!(".globl {name}(ctx)"));
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

    /// A call to a function with a higher index; one that takes a resource gets one of
    /// `owned` of its kind (which it releases: the caller forgets it) or NULL.
    fn call(&mut self, owned: &mut Vec<Held>) -> bool {
        let n = self.p.nfuncs;
        if self.index >= n {
            return false;
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
        if self.p.global_mem[callee] {
            // one of our location slots, whatever it holds, or a zeroed scratch slot
            if self.rng().chance(60) {
                let loc = self.rng().below(4);
                self.line("r2 = r10");
                self.line(&format!("r2 += -{}", 8 * (loc + 1)));
            } else {
                self.line("*(u64 *)(r10 - 104) = 0");
                self.line("r2 = r10");
                self.line("r2 += -104");
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
                        if h.kind != Kind::Sock && !self.p.skip_known {
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
                43..=57 => self.throw(),
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
                95..=97 => self.junk(),
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
        if self.rng().chance(30) {
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

    /// A bounded loop (1 to 3 iterations, the counter spilled at fp-80) around a block.
    fn looped(&mut self, depth: u32) {
        let n = 1 + self.rng().below(3);
        let head = self.label();
        self.in_loop = true;
        self.line("*(u64 *)(r10 - 80) = 0");
        self.line(&format!("{head}:"));
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
fn program_text(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let syscall = rng.chance(20);
    let kinds: &'static [Kind] = if syscall { &SYSCALL_KINDS } else { &TC_KINDS };
    let nfuncs = rng.pick(&[0, 1, 2, 2, 3, 3, 4]);
    let global: Vec<bool> = (0..=nfuncs).map(|i| i > 0 && rng.chance(35)).collect();
    let global_mem: Vec<bool> = (0..=nfuncs)
        .map(|i| global[i] && rng.chance(40) && !skip_known())
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
        global_mem,
        kinds,
        skip_known: skip_known(),
        takes,
        takes_ptr,
        gives,
        puts,
        risky,
    };
    let budget = 6 + p.rng.below(10) as i32;
    let mut main = FnGen {
        p: &mut p,
        out: String::new(),
        index: 0,
        busy: [false; 8],
        budget,
        forks: 0,
        in_loop: false,
        sharing: false,
    };
    main.prologue();
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

fn world(seed: u64) -> World {
    let mut rng = Rng::new(seed.rotate_left(17) ^ 0x5555);
    let mut ctx = String::new();
    for _ in 0..16 {
        let b = rng.next() as u8;
        // small values often, so branches on the input go both ways
        let b = if rng.chance(70) { b % 6 } else { b };
        write!(ctx, "{b:02x}").unwrap();
    }
    let mut w = World {
        ctx: Some(ctx),
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
struct Outcome {
    threw: bool,
    /// Resources released by the unwinder or the run-time table.
    unwound: usize,
}

fn options(mode: Mode) -> Options {
    Options {
        log_level: 0,
        mode,
        record_states: false,
        ..Options::default()
    }
}

/// What to run for an accepted program: the program and its unwinding.
fn prepare(program: &Program, mode: Mode) -> Result<Option<(Program, Unwinding)>, String> {
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

fn run(program: &Program, unwinding: &Unwinding, world: &World) -> Machine {
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
fn check(m: &Machine) -> Result<Outcome, String> {
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

/// Assembles, verifies in `mode`, runs on `world`: `Some(violation)` when accepted and the
/// property fails.
fn violation(text: &str, mode: Mode, world: &World) -> Option<String> {
    let program = unwind_asm::assemble(text).program?;
    let (runnable, unwinding) = match prepare(&program, mode) {
        Ok(Some(x)) => x,
        Ok(None) => return None,
        Err(e) => return Some(e),
    };
    let m = Machine::new(
        &runnable,
        world,
        Config {
            budget: 200_000,
            unwinding,
            ..Config::default()
        },
    )
    .ok()
    .map(|mut m| {
        m.run();
        m
    })?;
    check(&m).err()
}

/// Removes lines (directives, labels and instructions) while the program still violates the
/// property in `mode` on `world` in the same way (`violation_class`).
fn minimise(text: &str, mode: Mode, name: &str, world: &World, class: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut chunk = (lines.len() / 2).max(1);
    loop {
        let mut changed = false;
        let mut i = 0;
        while i < lines.len() {
            let end = (i + chunk).min(lines.len());
            let mut candidate = lines.clone();
            candidate.drain(i..end);
            let t = candidate.join("\n") + "\n";
            let same = violation(&t, mode, world)
                .is_some_and(|why| violation_class(name, &t, &why) == class);
            if same {
                lines = candidate;
                changed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !changed {
            break;
        }
        if !changed {
            chunk = (chunk / 2).max(1);
        }
    }
    lines.join("\n") + "\n"
}

fn report(text: &str, mode: Mode, name: &str, world: &World, seed: u64, why: &str) -> String {
    let small = minimise(text, mode, name, world, &violation_class(name, text, why));
    let mut s = format!(
        "accepted in {name} but unsound (seed {seed}): {why}\n\nminimised program:\n{small}\n"
    );
    if let Some(program) = unwind_asm::assemble(&small).program {
        if let Ok(Some((runnable, unwinding))) = prepare(&program, mode) {
            let m = run(&runnable, &unwinding, world);
            s += &format!(
                "minimised violation: {}\nevents:\n",
                check(&m).err().unwrap_or_default()
            );
            for e in &m.kernel.events {
                s += &format!("  {}\n", e.describe());
            }
        }
    }
    s += &format!(
        "\nworld: {}\n\noriginal program:\n{text}",
        serde_json::to_string(world).unwrap()
    );
    s
}

/// A violation's class: the mode, whether the program moves a pointer into its resource or
/// gives a global function its stack as memory (the two bugs found so far), and the reason with numbers, locations, functions and resource kinds blanked out.
fn violation_class(mode: &str, text: &str, why: &str) -> String {
    let mut reason = String::new();
    let mut last = ' ';
    for c in why.chars() {
        let c = if c.is_ascii_hexdigit() && (last.is_ascii_digit() || last == '#' || last == 'x')
            || c.is_ascii_digit()
        {
            '#'
        } else {
            c
        };
        if !(c == '#' && last == '#') {
            reason.push(c);
        }
        last = c;
    }
    // the release function, then the kind of resource
    if let Some(at) = reason.find("fault: bpf_") {
        if let Some(colon) = reason[at + 7..].find(':') {
            reason.replace_range(at + 7..at + 7 + colon, "RELEASE");
        }
    }
    for kind in [
        "ringbuf_record",
        "cgroup",
        "task",
        "object",
        "socket",
        "cpumask",
    ] {
        reason = reason.replace(kind, "KIND");
    }
    for (from, to) in [
        ("an KIND", "a KIND"),
        ("fp-#", "LOC"),
        ("r#", "LOC"),
        ("(main)", "(F)"),
        ("(f#)", "(F)"),
        ("(g#)", "(F)"),
    ] {
        reason = reason.replace(from, to);
    }
    let mut tags = String::new();
    if text.contains("r1 += 8") || text.contains("r1 += r2") {
        tags += "[pointer moved into its resource] ";
    }
    if text.contains("mem:8)") {
        tags += "[global function given caller's stack as mem] ";
    }
    format!("{mode}: {tags}{reason}")
}

/// `UNWIND_UNWIND_SOUNDNESS_STRICT=1`: the known open class (cleanup-v2 and aliasing
/// references) fails the test too.
fn strict() -> bool {
    std::env::var("UNWIND_UNWIND_SOUNDNESS_STRICT").is_ok_and(|v| v == "1")
}

/// Whether the run held two references to one object at once (the simulated kernel gives the
/// same pointer for the same task, cgroup or socket, as the kernel does).
fn aliased(m: &Machine) -> bool {
    let mut live: BTreeMap<u64, u32> = BTreeMap::new();
    for e in &m.kernel.events {
        match &e.kind {
            EventKind::Acquire { resource, .. } => {
                let n = live.entry(resource.addr).or_default();
                if *n > 0 {
                    return true;
                }
                *n += 1;
            }
            EventKind::Release { resource, .. } => {
                if let Some(n) = live.get_mut(&resource.addr) {
                    *n = n.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    false
}

/// `UNWIND_UNWIND_SOUNDNESS_SKIP_KNOWN=1` leaves out the constructs of the open bugs this
/// test found (pointers moved into their resource across a throw; global functions given
/// their caller's stack as memory), so that it can look for others. Announced when used.
fn skip_known() -> bool {
    std::env::var("UNWIND_UNWIND_SOUNDNESS_SKIP_KNOWN").is_ok_and(|v| v == "1")
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[derive(Default)]
struct Counts {
    accepted: u64,
    runs: u64,
    threw: u64,
    threw_and_released: u64,
    unwinder_releases: u64,
    /// Programs with a run that violated the property.
    violations: u64,
    /// Programs with a run that violated it in the known open class: cleanup-v2 with two
    /// live references to one object of the world (the same pointer).
    known_alias: u64,
    rejections: BTreeMap<String, u64>,
}

#[test]
fn accepted_programs_release_exactly_what_they_acquire() {
    let cases = env_u64("UNWIND_UNWIND_SOUNDNESS_CASES").unwrap_or(1500);
    let first = env_u64("UNWIND_UNWIND_SOUNDNESS_SEED").unwrap_or(0x0dd5_eed0);
    let debug = std::env::var("UNWIND_UNWIND_SOUNDNESS_DEBUG").is_ok();
    let debug_programs = env_u64("UNWIND_UNWIND_SOUNDNESS_DEBUG") == Some(2);
    let show = env_u64("UNWIND_UNWIND_SOUNDNESS_SHOW").unwrap_or(0);
    let start = Instant::now();
    let mut counts: Vec<Counts> = MODES.iter().map(|_| Counts::default()).collect();
    let mut v2_only = 0u64;
    // violations by class (mode, kind of program, what went wrong), with the number of
    // programs and a minimised report for the first of each class
    let mut failures: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut known_alias_report: Option<String> = None;
    for k in 0..cases {
        let seed = first.wrapping_add(k);
        let text = program_text(seed);
        if k < show {
            eprintln!("---- seed {seed}\n{text}");
        }
        let asm = unwind_asm::assemble(&text);
        let program = asm
            .program
            .unwrap_or_else(|| panic!("does not assemble:\n{text}\n{:?}", asm.diagnostics));
        let mut accepted_in = [false; 3];
        for (mi, &(mode, name)) in MODES.iter().enumerate() {
            let c = &mut counts[mi];
            let verdict = unwind_verifier::verify(&program, &options(mode));
            if !verdict.accepted {
                if debug {
                    let msg = verdict.errors.first().map_or(String::new(), |e| {
                        e.message
                            .chars()
                            .map(|c| if c.is_ascii_digit() { '#' } else { c })
                            .collect()
                    });
                    let n = c.rejections.entry(msg.clone()).or_default();
                    *n += 1;
                    if *n == 1 && debug_programs {
                        eprintln!("---- {name} rejects seed {seed}: {msg}\n{text}");
                    }
                }
                continue;
            }
            accepted_in[mi] = true;
            c.accepted += 1;
            let r = unwind_verifier::runnable(&program, &verdict, mode)
                .unwrap_or_else(|e| panic!("runnable in {name}: {e}\n{text}"));
            assert!(
                r.unwinding != Unwinding::DiscardFrames,
                "{name} without descriptors"
            );
            let unwinding = r.unwinding;
            for i in 0..RUNS {
                let w = world(seed.wrapping_mul(RUNS).wrapping_add(i));
                let m = run(&r.program, &unwinding, &w);
                c.runs += 1;
                match check(&m) {
                    Ok(o) => {
                        c.threw += u64::from(o.threw);
                        c.threw_and_released += u64::from(o.threw && o.unwound > 0);
                        c.unwinder_releases += o.unwound as u64;
                    }
                    Err(why) if mode == Mode::CleanupV2 && aliased(&m) && !strict() => {
                        // The open hole the aliasing kernel exposed (see
                        // `cleanup_v2_tells_aliasing_references_apart_by_identity`): counted and
                        // shown, not failed, unless UNWIND_UNWIND_SOUNDNESS_STRICT=1.
                        c.known_alias += 1;
                        if known_alias_report.is_none() {
                            known_alias_report = Some(format!("seed {seed}: {why}\n{text}"));
                        }
                        break;
                    }
                    Err(why) => {
                        c.violations += 1;
                        let class = violation_class(name, &text, &why);
                        match failures.get_mut(&class) {
                            Some((n, _)) => *n += 1,
                            None => {
                                let r = if failures.len() < 8 {
                                    report(&text, mode, name, &w, seed, &why)
                                } else {
                                    format!("(not minimised) seed {seed}: {why}")
                                };
                                failures.insert(class, (1, r));
                            }
                        }
                        break;
                    }
                }
            }
        }
        v2_only += u64::from(accepted_in[1] && !accepted_in[0]);
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!("unwind soundness: {cases} programs generated (seeds {first}..), {secs:.1} s");
    if skip_known() {
        eprintln!(
            "  NOTE: UNWIND_UNWIND_SOUNDNESS_SKIP_KNOWN=1: no pointers moved into their \
             resource, no global functions given their caller's stack as memory"
        );
    }
    for (c, (_, name)) in counts.iter().zip(MODES) {
        eprintln!(
            "  {name:>10}: {} accepted, {} runs, {} threw, {} threw with >=1 resource released \
             by unwinding ({} such releases), {} programs violated the property",
            c.accepted, c.runs, c.threw, c.threw_and_released, c.unwinder_releases, c.violations
        );
        if debug {
            let mut top: Vec<_> = c.rejections.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1));
            for (msg, n) in top.into_iter().take(12) {
                eprintln!("      {n:>7} rejected: {msg}");
            }
        }
    }
    eprintln!("  accepted in cleanup-v2 but not in cleanup: {v2_only}");
    if let Some(first) = &known_alias_report {
        let n: u64 = counts.iter().map(|c| c.known_alias).sum();
        eprintln!(
            "  KNOWN OPEN x{n}: cleanup-v2 with two live references to one world object \
             (tells them apart by identity; UNWIND_UNWIND_SOUNDNESS_STRICT=1 fails on it); \
             the first:\n{first}"
        );
    }
    for (class, (n, _)) in &failures {
        eprintln!("  VIOLATION x{n}: {class}");
    }
    let reports: Vec<&str> = failures.values().map(|(_, r)| r.as_str()).collect();
    assert!(
        failures.is_empty(),
        "{} kinds of violation; the first program of each:\n\n{}",
        failures.len(),
        reports.join("\n\n========\n\n")
    );
}

/// Each program must be refused in `mode`, or run cleanly on every input in `ctxs`.
fn assert_sound(text: &str, ctxs: &[&str]) {
    for (mode, name) in MODES {
        for ctx in ctxs {
            let w = World {
                ctx: Some((*ctx).into()),
                ..World::default()
            };
            if let Some(why) = violation(text, mode, &w) {
                panic!("accepted in {name} but unsound with ctx {ctx}: {why}\n{text}");
            }
        }
    }
}

/// Found by the property: a referenced pointer moved into its resource (`r6 += 8`) at a
/// throw. The descriptor names the location as holding the resource, and the unwinder hands
/// `resource + 8` to the release function (the interpreter faults: not a live resource; a
/// kernel would release a bad pointer). The verifier must refuse it (a release function
/// wants the resource's own address: "R1 must have zero offset when passed to release
/// func"), or the descriptor must carry the offset.
#[test]
fn a_pointer_into_a_resource_at_a_throw() {
    // in a callee-saved register
    assert_sound(
        ".ctx tc
        r7 = r1
        r1 = 1
        call bpf_cgroup_from_id
        if r0 == 0 goto out
        r6 = r0
        r6 += 8
        r2 = *(u32 *)(r7 + 0)
        if r2 != 0 goto no_throw
        r1 = 1
        call bpf_throw
    no_throw:
        r6 -= 8
        r1 = r6
        call bpf_cgroup_release
    out:
        r0 = 0
        exit
    ",
        &["00", "01"],
    );
    // in a stack slot
    assert_sound(
        ".ctx tc
        r7 = r1
        r1 = 16
        call bpf_obj_new
        if r0 == 0 goto out
        r0 += 8
        *(u64 *)(r10 - 8) = r0
        r2 = *(u32 *)(r7 + 0)
        if r2 != 0 goto no_throw
        r1 = 1
        call bpf_throw
    no_throw:
        r1 = *(u64 *)(r10 - 8)
        r1 -= 8
        call bpf_obj_drop
    out:
        r0 = 0
        exit
    ",
        &["00", "01"],
    );
}

/// Found by the property: a global function given a pointer to its caller's stack as memory
/// (`mem:8`) may write there, over a referenced pointer the caller spilled. The verifier
/// keeps the slot as the object (the kernel turns a spilled pointer in memory given to be
/// written into an unknown scalar, `check_stack_range_initialized`'s clobber, so the program
/// would leak and be refused): the program's own release gets 7 (every mode), and a throw in
/// the callee makes the unwinder release fp-8 = 7 (the cleanup modes).
#[test]
fn a_global_function_writes_over_a_spilled_resource() {
    let text = |throw: bool| {
        format!(
            ".ctx tc
        .globl g(mem:8)
            r1 = 16
            call bpf_obj_new
            if r0 == 0 goto out
            *(u64 *)(r10 - 8) = r0
            r1 = r10
            r1 += -8
            call g
            r1 = *(u64 *)(r10 - 8)
            call bpf_obj_drop
        out:
            r0 = 0
            exit
        g:
            if r1 == 0 goto g_out
            *(u64 *)(r1 + 0) = 7
            {}
        g_out:
            r0 = 0
            exit
        ",
            if throw { "r1 = 1\n call bpf_throw" } else { "" }
        )
    };
    assert_sound(&text(false), &["00"]);
    assert_sound(&text(true), &["00"]);
}

/// The bug the property caught before the fix of the merge rules (a second copy of a
/// resource was skipped): path A holds a cgroup in fp-32 and a copy in r9, path B a task in
/// r9; the merged descriptor said "fp-32: cgroup, r9: task", so a throw on path A released the
/// cgroup and then handed it to `bpf_task_release`. Now `cleanup` refuses the merge and
/// `cleanup-v2` gives each acquisition its own slot.
#[test]
fn a_copy_in_a_register_another_path_uses_for_another_kind() {
    assert_sound(
        ".ctx tc
        r6 = r1
        r2 = *(u32 *)(r6 + 8)
        if r2 & 1 goto b
        r1 = 1
        call bpf_cgroup_from_id
        *(u64 *)(r10 - 32) = r0
        r9 = r0
        goto j
    b:
        r1 = 1
        call bpf_task_from_pid
        r9 = r0
    j:
        r1 = 0
        call bpf_throw
        r0 = 0
        exit
    ",
        &["0000000000000000", "0000000000000000 01"],
    );
}

/// Found by the property once the simulated kernel aliased (issue 12, "a kernel that aliases";
/// class 5, "conflicts between references that may be the same object"): `cgroup 2` acquired
/// twice is one pointer in r9 and r6; one of them is released on each arm. cleanup-v2 gives
/// the two conflicting acquisitions their own slots (fp-80, fp-88) and, at the shared release,
/// clears the slot whose pointer equals R1: both do, so it clears the wrong one on one arm,
/// and at the throw the reference still held is not released (a leak). Only objects distinct
/// by construction (allocations) may be told apart by identity. Open: the fix belongs to
/// cleanup-v2's rewrite.
#[test]
#[ignore = "open: cleanup-v2 tells aliasing references apart by identity (issue 12, class 5)"]
fn cleanup_v2_tells_aliasing_references_apart_by_identity() {
    let text = ".ctx tc
*(u64 *)(r10 - 72) = r1
r1 = 2
call bpf_cgroup_from_id
r9 = r0
r1 = 2
call bpf_cgroup_from_id
r6 = r0
r1 = *(u64 *)(r10 - 72)
r2 = *(u32 *)(r1 + 8)
if r2 != 1 goto l2
r1 = r9
goto l3
l2:
r1 = r6
l3:
if r1 == 0 goto l4
call bpf_cgroup_release
l4:
r1 = *(u64 *)(r10 - 72)
call bpf_throw
exit
";
    let w = World {
        cgroups: vec![1, 2],
        ctx: Some("0000000000000000".into()),
        ..World::default()
    };
    if let Some(why) = violation(text, Mode::CleanupV2, &w) {
        panic!("accepted in cleanup-v2 but unsound: {why}\n{text}");
    }
}
