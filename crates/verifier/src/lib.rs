//! A BPF verifier in the kernel's style (Linux 6.12 semantics, written anew): path-sensitive
//! abstract interpretation with tnums and signed/unsigned 64/32-bit bounds, pointer types,
//! stack slot kinds, reference tracking, spin locks and RCU sections, static and global
//! subprograms, `bpf_loop` callbacks, state pruning and the 1,000,000-instruction limit, and a
//! log in the kernel's format.
//!
//! ```
//! let program = unwind_asm::assemble("r0 = 0\nexit\n").program.unwrap();
//! let verdict = unwind_verifier::verify(&program, &unwind_verifier::Options::default());
//! assert!(verdict.accepted);
//! ```

pub mod bounds;
mod check;
pub mod log;
mod prune;
mod rewrite;
mod runnable;
pub mod state;
mod subprog;
pub mod tnum;
pub mod verdict;

use serde::Serialize;
use unwind_program::{Linkage, Program};

pub use check::{Reject, COMPLEXITY_LIMIT};
pub use runnable::{runnable, Runnable};
pub use verdict::{
    DedicatedSlot, DescriptorSlot, FrameDescriptor, FunctionFacts, Loaded, PcState, Rewrite, Stats,
    Verdict, VerifyError,
};

/// How exceptions are treated (SPEC §4). Named as `docs/names.md` lists (`--mode`, the JS
/// `mode` option, JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    Legacy,
    Upstream,
    #[default]
    Cleanup,
    CleanupV2,
    Runtime,
}

impl Mode {
    /// Every mode, in the order of [`Mode::NAMES`].
    pub const ALL: [Mode; 5] = [
        Mode::Legacy,
        Mode::Upstream,
        Mode::Cleanup,
        Mode::CleanupV2,
        Mode::Runtime,
    ];
    /// The canonical names (what JSON prints).
    pub const NAMES: &'static [&'static str] =
        &["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Mode {
    type Err = unwind_program::names::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spellings: Vec<(&str, Mode)> = Self::NAMES.iter().copied().zip(Self::ALL).collect();
        unwind_program::names::lookup("mode", s, &spellings, Self::NAMES)
    }
}

impl Serialize for Mode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        unwind_program::names::serialize(self, s)
    }
}

impl<'de> serde::Deserialize<'de> for Mode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        unwind_program::names::deserialize(d)
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    /// 0: errors only; 1: the failing path and the summary; 2: every instruction and state.
    pub log_level: u32,
    pub mode: Mode,
    /// A privileged load (CAP_PERFMON) may read stack bytes never written
    /// (`allow_uninit_stack`); off, such reads are refused.
    pub allow_uninit_stack: bool,
    /// Keep the states seen at each pc for the verdict.
    pub record_states: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            log_level: 1,
            mode: Mode::default(),
            allow_uninit_stack: true,
            record_states: true,
        }
    }
}

/// Verifies a program.
pub fn verify(program: &Program, opts: &Options) -> Verdict {
    let mut verdict = if opts.mode == Mode::CleanupV2 {
        rewrite::verify_cleanup_v2(program, opts)
    } else {
        verify_pass(program, opts, check::V2Pass::default()).0
    };
    verdict.loaded = loaded(program, &verdict, opts.mode);
    verdict
}

/// In the cleanup modes, the program as it is loaded: the rewrite, then every `bpf_throw`
/// routed through the hidden trampoline.
fn loaded(program: &Program, verdict: &Verdict, mode: Mode) -> Option<Loaded> {
    if !verdict.accepted || !matches!(mode, Mode::Cleanup | Mode::CleanupV2) {
        return None;
    }
    let r = runnable(program, verdict, mode).ok()?;
    let f = r
        .program
        .functions
        .iter()
        .find(|f| f.name == unwind_stackmap::TRAMPOLINE_NAME)?;
    Some(Loaded {
        trampoline: FunctionFacts::of(&r.program, f, 0, true),
        disassembly: unwind_program::disasm::disassemble(
            &r.program,
            unwind_program::disasm::Style::Source,
        ),
    })
}

/// One verification of `program`, with what cleanup-v2 gives it and learns from it.
fn verify_pass(program: &Program, opts: &Options, v2: check::V2Pass) -> (Verdict, check::V2Pass) {
    let mut env = check::Env::new(program, opts);
    env.v2 = v2;
    let result = run(&mut env);
    let mut errors = Vec::new();
    if let Err(e) = &result {
        env.log.error(&e.msg);
        let span = program.spans.get(e.pc).copied().unwrap_or_default();
        errors.push(VerifyError {
            pc: e.pc,
            line: span.line,
            column: span.column,
            message: e.msg.clone(),
        });
    }
    if env.log.level > 0 || result.is_err() {
        let line = format!(
            "processed {} insns (limit {}) max_states_per_insn {} total_states {} peak_states {} mark_read {}",
            env.insn_processed.min(COMPLEXITY_LIMIT + 1),
            COMPLEXITY_LIMIT,
            env.max_states_per_insn,
            env.total_states,
            env.peak_states,
            0
        );
        env.log.error(&line);
    }
    let functions = program
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let might_throw = env.might_throw.get(i).copied().unwrap_or(false);
            FunctionFacts::of(program, f, env.facts[i].stack_depth, might_throw)
        })
        .collect();
    let states = env
        .pc_states
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(pc, s)| PcState {
            pc,
            states: s.clone(),
        })
        .collect();
    let verdict = Verdict {
        accepted: result.is_ok(),
        errors,
        log: std::mem::take(&mut env.log.buf),
        states,
        functions,
        stats: Stats {
            insns_processed: env.insn_processed,
            max_states_per_insn: env.max_states_per_insn,
            total_states: env.total_states,
            peak_states: env.peak_states,
        },
        frame_descriptors: env
            .descs
            .descs
            .values()
            .map(|d| FrameDescriptor::from_desc(d, program))
            .collect(),
        desc_table: std::mem::take(&mut env.descs),
        rewrite: None,
        loaded: None,
    };
    (verdict, env.v2)
}

fn run(env: &mut check::Env<'_>) -> Result<(), Reject> {
    env.check_cfg()?;
    env.check_exception_callback()?;
    if env.log.level >= 2 {
        for (i, f) in env.prog.functions.iter().enumerate() {
            env.log.line(&format!("func#{i} @{}", f.start));
        }
    }
    let st = env.initial_state(0);
    env.do_check(st, 0)?;
    let n = env.prog.functions.len();
    for sp in 1..n {
        let f = &env.prog.functions[sp];
        if f.linkage != Linkage::Global && !f.is_exception_callback {
            continue;
        }
        let name = f.name.clone();
        let start = f.start;
        env.log.line(&format!("Validating {name}() func#{sp}..."));
        env.cur_parent = None;
        let st = env.initial_state(sp);
        env.do_check(st, start)?;
        env.log.line(&format!(
            "Func#{sp} ('{name}') is safe for any args that match its prototype"
        ));
    }
    env.check_stack_depth()?;
    Ok(())
}
