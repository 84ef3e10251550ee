//! A source assembled and verified: the verifier's own verdict, or why there is none; and
//! [`Verification`], the same verdict kept for a host that reads it in pieces (a summary, a
//! range of log lines, the states of a range of pcs), as a page does with a 75 MB level-2 log.

use serde::{Deserialize, Serialize};
use unwind_asm::{Diagnostic, Syntax};
use unwind_verifier::{
    FrameDescriptor, FunctionFacts, Loaded, Mode, PcState, Rewrite, Stats, Verdict, VerifyError,
    COMPLEXITY_LIMIT,
};

use crate::progress::{verifier_observer, Error, Observer};

/// Options as JS passes them: `{ syntax?, mode?, logLevel?, budget? }`. Unknown fields are
/// misuse.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    #[serde(default)]
    pub syntax: Option<String>,
    /// Default `cleanup`.
    #[serde(default)]
    pub mode: Option<String>,
    /// 0, 1 (errors, the failing path and the summary; the default) or 2 (every instruction).
    #[serde(default)]
    pub log_level: Option<u32>,
    /// The most instructions the verifier processes (default and maximum: the kernel's
    /// complexity limit, [`COMPLEXITY_LIMIT`]); over it, the kernel's `BPF program is too
    /// large` rejection.
    #[serde(default)]
    pub budget: Option<u64>,
    /// The log buffer's size in bytes, as `bpf_attr.log_size` (from [`MIN_LOG_SIZE`] to
    /// [`MAX_LOG_SIZE`], the kernel's range; default: no limit, the whole log). A log that
    /// does not fit (with the kernel's closing NUL) keeps its last `log_size - 1` bytes (the
    /// kernel's rotating log, its default since 6.4), and the load fails as the kernel's does
    /// with `ENOSPC`: not accepted, one more error saying how large the log was.
    #[serde(default)]
    pub log_size: Option<u32>,
}

pub use unwind_verifier::{MAX_LOG_SIZE, MIN_LOG_SIZE};

/// What `verify` returns. When the source does not assemble, `assembled` is false, the
/// `diagnostics` say why and the verdict is the empty one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct VerifyReport {
    pub assembled: bool,
    pub syntax: Syntax,
    pub diagnostics: Vec<Diagnostic>,
    pub mode: Mode,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Assembles and verifies `source`. `Err` only for misuse (an unknown option value).
pub fn verify(source: &str, options: &VerifyOptions) -> Result<VerifyReport, String> {
    match verify_with(source, options, None) {
        Ok(v) => Ok(v.report),
        Err(e) => Err(e.to_string()),
    }
}

/// Assembles and verifies `source`, reporting progress to `observer` (every
/// [`VERIFY_STRIDE`](crate::progress::VERIFY_STRIDE) processed instructions). `Err` for
/// misuse, or [`Error::Cancelled`] when the observer stopped the verifier.
pub fn verify_with(
    source: &str,
    options: &VerifyOptions,
    observer: Option<Observer>,
) -> Result<Verification, Error> {
    let syntax = crate::syntax_option(options.syntax.as_deref())?;
    let mode = crate::mode_option(options.mode.as_deref())?;
    let log_level = options.log_level.unwrap_or(1);
    if log_level > 2 {
        return Err(Error::Options(format!(
            "unknown log level {log_level}: expected 0, 1 or 2"
        )));
    }
    let budget = options.budget.unwrap_or(COMPLEXITY_LIMIT);
    if budget > COMPLEXITY_LIMIT {
        return Err(Error::Options(format!(
            "budget {budget} is over the verifier's limit of {COMPLEXITY_LIMIT} instructions"
        )));
    }
    if let Some(size) = options.log_size {
        if !(MIN_LOG_SIZE..=MAX_LOG_SIZE).contains(&size) {
            return Err(Error::Options(format!(
                "log size {size} is outside the kernel's range of {MIN_LOG_SIZE} to {MAX_LOG_SIZE} bytes"
            )));
        }
    }
    let assembly = unwind_asm::assemble_with(source, &unwind_asm::Options { syntax });
    let verdict = match &assembly.program {
        Some(program) => {
            let opts = unwind_verifier::Options {
                log_level,
                mode,
                budget,
                ..unwind_verifier::Options::default()
            };
            match observer {
                None => unwind_verifier::verify(program, &opts),
                Some(observer) => {
                    unwind_verifier::verify_with(program, &opts, &mut verifier_observer(observer))
                        .map_err(|_| Error::Cancelled)?
                }
            }
        }
        None => Verdict::default(),
    };
    let mut verdict = verdict;
    if let (Some(size), Some(program)) = (options.log_size, &assembly.program) {
        verdict.fit_log(size as usize, &program.spans);
    }
    Ok(Verification::new(VerifyReport {
        assembled: assembly.program.is_some(),
        syntax: assembly.syntax,
        diagnostics: assembly.diagnostics,
        mode,
        verdict,
    }))
}

/// A verification kept for reading in pieces: the report and where each line of its log
/// ends, so that a range of lines costs only those lines.
#[derive(Clone, Debug)]
pub struct Verification {
    report: VerifyReport,
    /// The byte offset of the end of each log line (its `\n`, or the end of the text).
    line_ends: Vec<usize>,
    error_log_line: Option<usize>,
}

/// [`VerifyReport`] without the log and the states, with their sizes and where the log
/// states the error (JS: `VerifySummary`).
#[derive(Clone, Debug, Serialize)]
pub struct VerifySummary<'a> {
    pub assembled: bool,
    pub syntax: Syntax,
    pub diagnostics: &'a [Diagnostic],
    pub mode: Mode,
    pub accepted: bool,
    pub errors: &'a [VerifyError],
    pub functions: &'a [FunctionFacts],
    pub stats: &'a Stats,
    pub frame_descriptors: &'a [FrameDescriptor],
    pub rewrite: &'a Option<Rewrite>,
    pub loaded: &'a Option<Loaded>,
    /// Lines of the log.
    pub log_lines: usize,
    /// Bytes of the log (UTF-8).
    pub log_bytes: usize,
    /// The 0-based line of the log that states the (first) error, if there is one.
    pub error_log_line: Option<usize>,
    /// Entries of the per-pc states (pcs with a recorded state).
    pub states_count: usize,
}

impl Verification {
    /// Indexes the report's log.
    pub fn new(report: VerifyReport) -> Verification {
        let log = &report.verdict.log;
        let mut line_ends: Vec<usize> = log.match_indices('\n').map(|(i, _)| i).collect();
        if !log.is_empty() && !log.ends_with('\n') {
            line_ends.push(log.len());
        }
        let mut v = Verification {
            report,
            line_ends,
            error_log_line: None,
        };
        v.error_log_line = v.find_error_line();
        v
    }

    /// The line stating the first error: the verifier writes it after the path that led to it
    /// (then only the summary follows), so the search goes backwards from the end.
    /// cleanup-v2 may add a note after the message in the error (not in the log).
    fn find_error_line(&self) -> Option<usize> {
        let message = self.report.verdict.errors.first()?.message.as_str();
        let first = message.lines().next().unwrap_or(message);
        (0..self.line_count()).rev().find(|&i| {
            let line = self.line(i);
            line == first || (!line.is_empty() && first.starts_with(line))
        })
    }

    pub fn report(&self) -> &VerifyReport {
        &self.report
    }

    pub fn into_report(self) -> VerifyReport {
        self.report
    }

    /// The whole log.
    pub fn log(&self) -> &str {
        &self.report.verdict.log
    }

    pub fn line_count(&self) -> usize {
        self.line_ends.len()
    }

    fn line(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.line_ends[i - 1] + 1 };
        &self.report.verdict.log[start..self.line_ends[i]]
    }

    /// Lines `[from, to)` of the log, clamped to the lines there are, without their `\n`.
    pub fn log_lines(&self, from: usize, to: usize) -> Vec<&str> {
        let to = to.min(self.line_count());
        (from.min(to)..to).map(|i| self.line(i)).collect()
    }

    /// The 0-based line of the log that states the (first) error.
    pub fn error_log_line(&self) -> Option<usize> {
        self.error_log_line
    }

    /// The recorded states of the pcs in `[from_pc, to_pc)`.
    pub fn states(&self, from_pc: usize, to_pc: usize) -> &[PcState] {
        let states = &self.report.verdict.states;
        let start = states.partition_point(|s| s.pc < from_pc);
        let end = states.partition_point(|s| s.pc < to_pc).max(start);
        &states[start..end]
    }

    pub fn summary(&self) -> VerifySummary<'_> {
        let r = &self.report;
        let v = &r.verdict;
        VerifySummary {
            assembled: r.assembled,
            syntax: r.syntax,
            diagnostics: &r.diagnostics,
            mode: r.mode,
            accepted: v.accepted,
            errors: &v.errors,
            functions: &v.functions,
            stats: &v.stats,
            frame_descriptors: &v.frame_descriptors,
            rewrite: &v.rewrite,
            loaded: &v.loaded,
            log_lines: self.line_count(),
            log_bytes: v.log.len(),
            error_log_line: self.error_log_line,
            states_count: v.states.len(),
        }
    }
}
