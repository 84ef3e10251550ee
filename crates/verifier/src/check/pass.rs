//! One verification pass: the checks before exploration, the main program's paths, then each
//! global function and the exception callback on their own, the stack depths; and the verdict
//! made from what the pass recorded.

use unwind_program::{Linkage, Program};

use super::{Env, Observer, Reject};
use crate::cleanup_v2::Pass;
use crate::{Cancelled, FrameDescriptor, FunctionFacts, Options, PcState, Verdict, VerifyError};

/// One verification of `program`, with what cleanup-v2 gives it and learns from it; `Err`
/// when the observer stopped it.
pub(crate) fn verify_pass(
    program: &Program,
    opts: &Options,
    v2: Pass,
    observer: Observer,
) -> Result<(Verdict, Pass), Cancelled> {
    // The observer's borrow, shortened to the pass's (an unsizing coercion).
    let observer = observer.map(|o| o as &mut dyn FnMut(_) -> _);
    let mut env = Env::new(program, opts, v2, observer);
    let result = env.run();
    if env.watch.cancelled {
        return Err(Cancelled);
    }
    Ok(env.into_verdict(result))
}

impl Env<'_> {
    fn run(&mut self) -> Result<(), Reject> {
        self.check_btf_func_returns()?;
        self.check_cfg()?;
        self.check_exception_callback()?;
        if self.log.level >= 2 {
            for (i, f) in self.input.prog.functions.iter().enumerate() {
                self.log.line(&format!("func#{i} @{}", f.start));
            }
        }
        let st = self.initial_state(0);
        self.do_check(st, 0)?;
        let n = self.input.prog.functions.len();
        for sp in 1..n {
            let f = &self.input.prog.functions[sp];
            if f.linkage != Linkage::Global && !f.is_exception_callback {
                continue;
            }
            let name = f.name.clone();
            let start = f.start;
            self.log.line(&format!("Validating {name}() func#{sp}..."));
            self.paths.cur_parent = None;
            let st = self.initial_state(sp);
            self.do_check(st, start)?;
            if self.input.opts.mode == crate::Mode::Legacy {
                // v6.7 did not name the function yet
                self.log.line(&format!(
                    "Func#{sp} is safe for any args that match its prototype"
                ));
            } else {
                self.log.line(&format!(
                    "Func#{sp} ('{name}') is safe for any args that match its prototype"
                ));
            }
        }
        self.check_stack_depth()?;
        self.check_throw_in_callbacks()?;
        Ok(())
    }

    /// `check_btf_func`: a subprogram that may return abnormally (an `LD_ABS`/`LD_IND`, whose
    /// failure path returns 0, or a `bpf_tail_call`, whose target's result is returned) must
    /// return an integer in BTF; here, a global function declared `void`.
    fn check_btf_func_returns(&mut self) -> Result<(), Reject> {
        const TAIL_CALL: i32 = 12;
        let prog = self.input.prog;
        for f in prog.functions.iter().skip(1) {
            if !f.returns_void {
                continue;
            }
            for pc in f.start..f.end {
                let msg = match self.input.insns.get(pc).copied().flatten() {
                    Some(unwind_isa::Insn::LdAbs { .. } | unwind_isa::Insn::LdInd { .. }) => {
                        "LD_ABS is only allowed in functions that return 'int'."
                    }
                    Some(unwind_isa::Insn::Call(unwind_isa::CallTarget::Helper(TAIL_CALL))) => {
                        "tail_call is only allowed in functions that return 'int'."
                    }
                    _ => continue,
                };
                self.paths.cur_pc = f.start;
                return self.reject(msg);
            }
        }
        Ok(())
    }

    /// The verdict on `result`, and the cleanup-v2 pass with what it learned.
    fn into_verdict(mut self, result: Result<(), Reject>) -> (Verdict, Pass) {
        let program = self.input.prog;
        let mut errors = Vec::new();
        if let Err(e) = &result {
            self.log.error(&e.msg);
            let span = program.spans.get(e.pc).copied().unwrap_or_default();
            errors.push(VerifyError {
                pc: e.pc,
                line: span.line,
                column: span.column,
                message: e.msg.clone(),
            });
        }
        if self.log.level & 4 != 0 {
            // `print_verification_stats` at BPF_LOG_STATS: each subprogram's stack_depth
            let depths: Vec<String> = self
                .record
                .facts
                .iter()
                .map(|f| f.stack_depth.to_string())
                .collect();
            self.log.error(&format!("stack depth {}", depths.join("+")));
        }
        let stats = &self.stats;
        if self.log.level > 0 || result.is_err() {
            // The limit is the budget: the kernel's complexity limit unless a host asked for
            // less (then the log reads as if the kernel's limit were that).
            let budget = self.watch.budget();
            let line = format!(
                "processed {} insns (limit {}) max_states_per_insn {} total_states {} peak_states {} mark_read {}",
                stats.insns_processed.min(budget + 1),
                budget,
                stats.max_states_per_insn,
                stats.total_states,
                stats.peak_states,
                0
            );
            self.log.error(&line);
        }
        let record = &mut self.record;
        let functions = program
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let might_throw = self.input.might_throw.get(i).copied().unwrap_or(false);
                FunctionFacts::of(program, f, record.facts[i].stack_depth, might_throw)
            })
            .collect();
        let states = record
            .pc_states
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(pc, s)| PcState {
                pc,
                states: s.iter().map(|(text, _)| text.clone()).collect(),
                origins: s.iter().map(|(_, from)| from.clone()).collect(),
            })
            .collect();
        let verdict = Verdict {
            accepted: result.is_ok(),
            errors,
            log: std::mem::take(&mut self.log.buf),
            states,
            functions,
            stats: self.stats,
            frame_descriptors: record
                .descs
                .descs
                .values()
                .map(|d| FrameDescriptor::from_desc(d, program))
                .collect(),
            desc_table: std::mem::take(&mut record.descs),
            rewrite: None,
            loaded: None,
        };
        (verdict, self.v2)
    }
}
