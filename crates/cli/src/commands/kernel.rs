//! `--compare-kernel`: the running kernel's verdict (and return value) beside Unwind's, from
//! `unwind_witness`. Unwind's `upstream` mode is the one to compare: the running kernel is
//! upstream Linux.

use serde_json::{json, Value};
use unwind_program::Program;
use unwind_verifier::{Mode, Verdict};
use unwind_witness::{
    first_divergence, verify_in_kernel, Divergence, KernelOptions, KernelVerdict, RunInput,
};

/// Both sides, ready to print.
pub struct Comparison {
    mode: Mode,
    release: String,
    ours_accepted: bool,
    our_error: Option<String>,
    kernel: Result<KernelVerdict, String>,
    divergence: Option<Divergence>,
    /// Unwind's return value for the same input (`run --compare-kernel`).
    our_retval: Option<u64>,
}

/// Asks the running kernel about `program`; with `run`, also test-runs it on that input
/// and keeps Unwind's return value for it beside the kernel's.
pub fn compare(
    program: &Program,
    verdict: &Verdict,
    mode: Mode,
    run: Option<(RunInput, Option<u64>)>,
) -> Comparison {
    let (input, our_retval) = match run {
        Some((input, r)) => (Some(input), r),
        None => (None, None),
    };
    // Both explorations at level 2, where the kernel prints every path (at level 1 it keeps
    // only the failing one, and nothing of an accepted program).
    let opts = KernelOptions {
        log_level: 2,
        run: input,
        ..KernelOptions::default()
    };
    let kernel = verify_in_kernel(program, &opts).map_err(|e| e.to_string());
    let ours = unwind_verifier::verify(
        program,
        &unwind_verifier::Options {
            log_level: 2,
            mode,
            record_states: false,
            ..unwind_verifier::Options::default()
        },
    );
    let divergence = match &kernel {
        Ok(k) if !k.log_truncated => first_divergence(&ours.log, &k.log),
        _ => None,
    };
    Comparison {
        mode,
        release: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into()),
        ours_accepted: verdict.accepted,
        our_error: verdict.errors.first().map(|e| e.message.clone()),
        kernel,
        divergence,
        our_retval,
    }
}

fn verdict_word(accepted: bool) -> &'static str {
    if accepted {
        "accepted"
    } else {
        "rejected"
    }
}

impl Comparison {
    pub fn text(&self) -> String {
        let mut out = String::new();
        let k = match &self.kernel {
            Ok(k) => k,
            Err(e) => return format!("kernel: {e}\n"),
        };
        let with = |e: Option<&str>| e.map(|e| format!(": {e}")).unwrap_or_default();
        out += &format!(
            "kernel (Linux {}, the running kernel): {}{}\n",
            self.release,
            verdict_word(k.accepted),
            with(k.first_error())
        );
        out += &format!(
            "unwind ({}): {}{}\n",
            self.mode,
            verdict_word(self.ours_accepted),
            with(self.our_error.as_deref())
        );
        out += if k.accepted == self.ours_accepted {
            "the verdicts agree\n"
        } else {
            "the verdicts differ\n"
        };
        if k.log_truncated {
            out += "the kernel's level-2 log was longer than its 16 MiB buffer: where the explorations part is not known\n";
        }
        if let Some(d) = &self.divergence {
            let pc =
                |p: Option<usize>| p.map_or("(its log ends)".to_string(), |p| format!("pc {p}"));
            out += &format!(
                "the explorations part at instruction {} of the level-2 logs: unwind {}, kernel {}\n",
                d.step + 1,
                pc(d.ours),
                pc(d.kernel)
            );
        }
        if let Some(run) = &k.run {
            match run {
                Ok(r) => out += &format!("kernel test run: R0 = {r}\n"),
                Err(e) => out += &format!("kernel test run failed: {e}\n"),
            }
            if let (Ok(r), Some(ours)) = (run, self.our_retval) {
                // BPF_PROG_TEST_RUN reports R0's low 32 bits
                out += if u64::from(*r) == ours & 0xffff_ffff {
                    "the return values agree\n"
                } else {
                    "the return values differ\n"
                };
            }
        }
        if !matches!(self.mode, Mode::Upstream) {
            out += &format!(
                "note: the running kernel is upstream Linux; compare with --mode upstream (this was {})\n",
                self.mode
            );
        }
        out
    }

    pub fn json(&self) -> Value {
        match &self.kernel {
            Err(e) => json!({ "compared": false, "why": e }),
            Ok(k) => json!({
                "compared": true,
                "release": self.release,
                "accepted": k.accepted,
                "error": k.first_error(),
                "errno": k.errno,
                "log": k.log,
                "agree": k.accepted == self.ours_accepted,
                "divergence": self.divergence.as_ref().map(|d| json!({
                    "step": d.step, "unwind_pc": d.ours, "kernel_pc": d.kernel,
                })),
                "retval": k.run.as_ref().map(|r| match r {
                    Ok(v) => json!(v),
                    Err(e) => json!({ "error": e }),
                }),
            }),
        }
    }
}
