//! `unwind run FILE [--mode M] [--unverified] [--ctx HEX] [--budget N] [--world FILE.json]
//! [--json]`: verify a program, then run it in the interpreter and print r0, the trace output
//! and every event. `--unverified` skips the verifier (a note on standard error says so).
//!
//! Exit codes (SPEC §6): 0 ran to the end (normally or through the exception callback),
//! 1 rejected by the verifier, 3 runtime fault, 2 unusable input.

use std::ffi::OsString;
use std::path::PathBuf;

use serde::Serialize;
use unwind_program::disasm::{format_insn, Style};
use unwind_verifier::{Mode, Runnable};
use unwind_vm::{Config, Event, EventKind, Fault, Machine, Status, TraceLine, Unwinding, World};

use super::Output;
use crate::args::{ArgsError, Command, Input, Topic};
use crate::options::{self, named, number, Opt, Spec, MODE_VALUES};

/// Exit code: the program faulted at run time.
pub const EXIT_FAULT: u8 = 3;

/// Exit code: the verifier rejected the program.
pub const EXIT_REJECTED: u8 = 1;

/// The note printed by `--unverified`.
pub const UNVERIFIED_NOTE: &str = "note: --unverified: running the program without verification";

/// The note printed when an unverified program threw in a cleanup mode: the descriptors come
/// from the verifier, so without it the frames are discarded as upstream does.
pub const DISCARDED_FRAMES_NOTE: &str = "note: bpf_throw discarded the frames as upstream does: \
     without the verifier there are no frame descriptors, so what the frames held is reported \
     as leaked";

/// `unwind run`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    pub input: Input,
    pub ctx: Option<String>,
    pub budget: Option<u64>,
    pub world: Option<PathBuf>,
    pub json: bool,
    /// The exceptions mode the verifier checks with.
    pub mode: Mode,
    /// Skip the verifier.
    pub unverified: bool,
    /// Also load and test-run the program in the running kernel (`--compare-kernel`).
    pub compare_kernel: bool,
    /// For an object file: the program to run (needed when it has several).
    pub prog: Option<String>,
}

const BUDGET_VALUES: &str = "a positive number of instructions";

/// Parses `run`'s arguments.
pub fn parse(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let options = [
        Opt::flag("--json", |a: &mut RunArgs| a.json = true),
        Opt::flag("--unverified", |a| a.unverified = true),
        Opt::flag("--compare-kernel", |a| a.compare_kernel = true),
        Opt::value("--prog", "a program name", |a, v| {
            a.prog = Some(v.to_string());
            Some(())
        }),
        Opt::value("--mode", MODE_VALUES.as_str(), |a, v| {
            a.mode = named(v)?;
            Some(())
        }),
        Opt::value("--ctx", "hex bytes", |a, v| {
            a.ctx = Some(v.to_string());
            Some(())
        }),
        Opt::value("--world", "a JSON file", |a, v| {
            a.world = Some(PathBuf::from(v));
            Some(())
        }),
        Opt::value("--budget", BUDGET_VALUES, |a, v| {
            a.budget = Some(number(v, 1, u64::MAX)?);
            Some(())
        }),
    ];
    let spec = Spec {
        command: "run",
        topic: Topic::Run,
        options: &options,
        finish: |mut a, file| {
            a.input = Input::from_arg(file);
            Command::Run(a)
        },
    };
    let defaults = RunArgs {
        input: Input::Stdin,
        ctx: None,
        budget: None,
        world: None,
        json: false,
        mode: Mode::default(),
        unverified: false,
        compare_kernel: false,
        prog: None,
    };
    options::parse(&spec, defaults, rest)
}

pub const USAGE: &str = "\
Usage: unwind run FILE [--mode M] [--unverified] [--ctx HEX] [--budget N] [--world FILE.json] [--json]
                 [--compare-kernel] [--prog NAME]

Assembles FILE ('-' for standard input), verifies it, and runs it in the interpreter against the
simulated kernel; prints r0, the bpf_trace_printk output and every event (acquire, release, call,
return, throw, unwind_frame, exception_callback, exit, leak, fault). A rejected program is not
run: its errors are printed and the exit code is 1. FILE may be a BPF object file: then it
runs the program --prog names (or the object's only program).

Packet programs (socket, tc, cgroup_skb, xdp, ...) run on 64 zero bytes of packet, with len,
data and data_end set as the kernel's test run sets them.

Options:
  --mode M           exceptions mode: legacy, upstream (a throw discards the frames and
                     reports what they held as leaked), cleanup (default; the unwinder releases
                     what the verifier's frame descriptors name), cleanup-v2 (the same, on the
                     program rewritten with a slot per conflicting acquisition), runtime (a
                     throw releases what the run-time table holds)
  --unverified       run without verifying (everything the verifier would refuse then shows up
                     as a runtime fault, a leak or a wrong result)
  --ctx HEX          the ctx bytes (shorter is zero-filled to the ctx size, longer is an error);
                     for `raw` programs the input memory (R1 points to it, R2 is its length;
                     zero-filled to the 4096 bytes the verifier checks, a longer one is kept)
  --budget N         stop with a fault after N instructions (default 50000000)
  --world FILE       the simulated world as JSON (tasks, cgroups, sockets, maps, ctx, packet,
                     mem, prandom_seed, ktime_start_ns, max_alloc, current_pid)
  --prog NAME        for an object file: the program to run
  --json             print one JSON object: verified, accepted, errors, return_value, events,
                     leaks, fault, instructions, trace_output, runtime_table_ops, and the
                     verifier's mode, frame_descriptors, functions, rewrite and loaded
  --compare-kernel   also load the program into the running kernel (Linux, root or CAP_BPF;
                     nothing is attached) and test-run it once (BPF_PROG_TEST_RUN) on the same
                     packet (packet programs) or ctx (syscall programs); print both verdicts and
                     both return values (JSON: a \"kernel\" field). What the simulated world
                     holds besides (tasks, maps, prandom) the kernel does not share
  -h, --help         print this help

Exit codes: 0 ran to the end (normally or through the exception callback), 1 rejected by the
verifier, 3 runtime fault, 2 unusable input.
";

/// Runs the program in `bytes` (the contents of `args.input`).
pub fn run(args: &RunArgs, bytes: &[u8]) -> Output {
    let name = args.input.to_string();
    let object_source;
    let mut initial_data = Vec::new();
    let (source, program) = if unwind_object::is_elf(bytes) {
        match super::object_program(&name, bytes, args.prog.as_deref()) {
            Ok(run) => {
                object_source = run.source;
                initial_data = run.initial_data;
                (object_source.as_str(), run.program)
            }
            Err(output) => return output,
        }
    } else {
        match super::assemble_source(&name, bytes) {
            Ok(assembled) => assembled,
            Err(output) => return output,
        }
    };
    let mut notes = String::new();
    let mut verified = false;
    let mut exceptions = None;
    let mut kernel_verdict = None;
    let original = program.clone();
    let runnable = if args.unverified {
        notes += UNVERIFIED_NOTE;
        notes.push('\n');
        Runnable::unverified(program, args.mode)
    } else {
        let verdict = unwind_verifier::verify(
            &program,
            &unwind_verifier::Options {
                log_level: 0,
                mode: args.mode,
                record_states: false,
                ..unwind_verifier::Options::default()
            },
        );
        if !verdict.accepted {
            return rejected(args, &name, source, verdict);
        }
        verified = true;
        // cleanup-v2's rewrite and the trampoline: the program the kernel would run.
        let runnable = match unwind_verifier::runnable(&program, &verdict, args.mode) {
            Ok(r) => r,
            Err(e) => return Output::unusable(format_args!("{name}: {e}")),
        };
        if args.compare_kernel {
            kernel_verdict = Some(verdict.clone());
        }
        exceptions = Some(ExceptionFacts::new(args.mode, verdict));
        runnable
    };
    let mut world = match &args.world {
        None => World::default(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match World::from_json(&text) {
                Ok(w) => w,
                Err(e) => {
                    return Output::unusable(format_args!("{}: invalid world: {e}", path.display()))
                }
            },
            Err(e) => return Output::unusable(format_args!("cannot read {}: {e}", path.display())),
        },
    };
    if let Some(ctx) = &args.ctx {
        world.ctx = Some(ctx.clone());
    }
    // An object's .data and .rodata, unless the world says otherwise for that map.
    for (map, value) in initial_data {
        world
            .maps
            .entry(map)
            .or_insert_with(|| vec![unwind_vm::world::MapEntry::global_data(&value)]);
    }
    let config = Config {
        budget: args.budget.unwrap_or(unwind_vm::DEFAULT_BUDGET),
        unwinding: runnable.unwinding,
        ..Config::default()
    };
    let mut machine = match Machine::new(&runnable.program, &world, config) {
        Ok(m) => m,
        Err(e) => return Output::unusable(format_args!("{name}: {e}")),
    };
    machine.run();
    let threw = machine
        .kernel
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Throw { .. }));
    let leaked = machine
        .kernel
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Leak { .. }));
    if threw && leaked && !verified && matches!(args.mode, Mode::Cleanup | Mode::CleanupV2) {
        notes += DISCARDED_FRAMES_NOTE;
        notes.push('\n');
    }
    let mut report = RunReport::new(&machine);
    report.verified = verified;
    report.accepted = verified.then_some(true);
    report.exceptions = exceptions;
    let code = match machine.status {
        Status::Faulted { .. } => EXIT_FAULT,
        _ => super::EXIT_OK,
    };
    let kernel = kernel_verdict.map(|verdict| {
        let our_r0 = match machine.status {
            Status::Exited { return_value } => Some(return_value),
            _ => None,
        };
        let input = kernel_input(&original, &world);
        super::kernel::compare(&original, &verdict, args.mode, Some((input, our_r0)))
    });
    let stdout = if args.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if let (Some(k), Some(map)) = (&kernel, value.as_object_mut()) {
            map.insert("kernel".into(), k.json());
        }
        let mut s = serde_json::to_string_pretty(&value)
            .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
        s.push('\n');
        s
    } else {
        let mut s = text_report(&report, &machine, source);
        if let Some(k) = &kernel {
            s += &k.text();
        }
        s
    };
    Output {
        stdout,
        stderr: notes,
        code,
    }
}

/// What `BPF_PROG_TEST_RUN` is given for the run the interpreter made: packet programs get
/// the world's packet (64 zero bytes by default, as here), `syscall` programs the ctx bytes.
fn kernel_input(program: &unwind_program::Program, world: &World) -> unwind_witness::RunInput {
    let hex = |h: &Option<String>| h.as_deref().and_then(|h| unwind_vm::parse_hex("", h).ok());
    let t = program
        .prog_type
        .unwrap_or(unwind_kernel::ProgType::SocketFilter);
    if t == unwind_kernel::ProgType::Syscall {
        let mut ctx = hex(&world.ctx).unwrap_or_default();
        ctx.resize(t.ctx_size() as usize, 0);
        unwind_witness::RunInput {
            data: Vec::new(),
            ctx: Some(ctx),
        }
    } else {
        unwind_witness::RunInput {
            data: hex(&world.packet).unwrap_or_else(|| vec![0; 64]),
            ctx: None,
        }
    }
}

/// The verifier's errors: on standard output with their source lines (or as JSON), exit 1.
fn rejected(args: &RunArgs, name: &str, source: &str, verdict: unwind_verifier::Verdict) -> Output {
    let errors = &verdict.errors;
    let stdout = if args.json {
        let errors: Vec<_> = errors
            .iter()
            .map(|e| serde_json::json!({"pc": e.pc, "line": e.line, "message": e.message}))
            .collect();
        let mut doc = serde_json::json!({
            "verified": true,
            "accepted": false,
            "errors": errors,
            "return_value": null,
            "events": [],
            "leaks": [],
            "fault": null,
            "instructions": 0,
            "trace_output": [],
        });
        // What the verifier had found about exceptions when it stopped.
        if let (Some(doc), Ok(serde_json::Value::Object(facts))) = (
            doc.as_object_mut(),
            serde_json::to_value(ExceptionFacts::new(args.mode, verdict)),
        ) {
            doc.extend(facts);
        }
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    } else {
        let mut s = format!("{name}: rejected by the verifier (not run):\n");
        for e in errors {
            s += &format!("  pc {} (line {}): {}\n", e.pc, e.line, e.message);
            if let Some(text) = source.lines().nth(e.line.saturating_sub(1) as usize) {
                s += &format!("  {} | {}\n", e.line, text.trim_end());
            }
        }
        s
    };
    Output {
        stdout,
        stderr: String::new(),
        code: EXIT_REJECTED,
    }
}

/// `run --json`.
#[derive(Serialize)]
struct RunReport<'a> {
    /// Whether the verifier checked (and accepted) the program.
    verified: bool,
    /// True when verified and accepted; null with `--unverified`.
    accepted: Option<bool>,
    errors: [(); 0],
    /// r0 at the end, as a decimal string; null after a fault.
    return_value: Option<String>,
    events: &'a [Event],
    leaks: Vec<&'a Event>,
    fault: Option<&'a Fault>,
    instructions: u64,
    trace_output: &'a [TraceLine],
    /// Events and trace lines not kept because the logs are bounded.
    events_dropped: u32,
    trace_dropped: u32,
    /// `--mode runtime`: operations on the run-time table (a record per acquisition, a
    /// removal per release), paid whether or not the program throws. 0 in the other modes.
    runtime_table_ops: u64,
    /// What the verifier said about exceptions, beside the run's fields as SPEC §6 has them
    /// (absent with `--unverified`): the frame descriptors, the functions (might throw,
    /// callee-saved registers), cleanup-v2's rewrite and the program as loaded (the pcs of
    /// `events` are its pcs in the cleanup modes).
    #[serde(flatten)]
    exceptions: Option<ExceptionFacts>,
}

/// The exception parts of the verdict, in `run --json`.
#[derive(Serialize)]
struct ExceptionFacts {
    mode: Mode,
    frame_descriptors: Vec<unwind_verifier::FrameDescriptor>,
    functions: Vec<unwind_verifier::FunctionFacts>,
    rewrite: Option<unwind_verifier::Rewrite>,
    loaded: Option<unwind_verifier::Loaded>,
}

impl ExceptionFacts {
    fn new(mode: Mode, verdict: unwind_verifier::Verdict) -> ExceptionFacts {
        ExceptionFacts {
            mode,
            frame_descriptors: verdict.frame_descriptors,
            functions: verdict.functions,
            rewrite: verdict.rewrite,
            loaded: verdict.loaded,
        }
    }
}

impl<'a> RunReport<'a> {
    fn new(m: &'a Machine) -> RunReport<'a> {
        let events = &m.kernel.events[..];
        RunReport {
            verified: false,
            accepted: None,
            errors: [],
            return_value: match &m.status {
                Status::Exited { return_value } => Some(return_value.to_string()),
                _ => None,
            },
            events,
            leaks: events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Leak { .. }))
                .collect(),
            fault: match &m.status {
                Status::Faulted { fault } => Some(fault),
                _ => None,
            },
            instructions: m.insns,
            trace_output: &m.kernel.trace,
            events_dropped: m.kernel.events_dropped,
            trace_dropped: m.kernel.trace_dropped,
            runtime_table_ops: m.kernel.runtime_table_ops,
            exceptions: None,
        }
    }
}

fn text_report(r: &RunReport, m: &Machine, source: &str) -> String {
    let mut out = String::new();
    match &m.status {
        Status::Exited { return_value } => {
            out += &format!(
                "r0 = {return_value} ({return_value:#x}; as s64: {})\n",
                *return_value as i64
            )
        }
        Status::Faulted { fault } => {
            out += &format!(
                "fault at pc {} (line {}): {}\n",
                fault.pc, fault.line, fault.message
            );
            let insn = format_insn(&m.prep.program, fault.pc, Style::Source);
            out += &format!("  instruction: {insn}\n");
            if let Some(text) = source.lines().nth(fault.line.saturating_sub(1) as usize) {
                out += &format!("  {} | {}\n", fault.line, text.trim_end());
            }
        }
        Status::Running => out += "still running\n",
    }
    if !r.trace_output.is_empty() {
        out += "trace output:\n";
        for line in r.trace_output {
            for l in line.text.trim_end_matches('\n').split('\n') {
                out += &format!("  {l}\n");
            }
        }
    }
    if !r.events.is_empty() {
        out += "events:\n";
        for e in r.events {
            out += &format!("  {}\n", e.describe());
        }
    }
    if r.events_dropped > 0 || r.trace_dropped > 0 {
        out += &format!(
            "not kept (the logs are bounded): {} events, {} trace lines\n",
            r.events_dropped, r.trace_dropped
        );
    }
    if !r.leaks.is_empty() {
        out += &format!("leaks: {}\n", r.leaks.len());
    }
    out += &format!("instructions: {}\n", m.insns);
    if matches!(m.config.unwinding, Unwinding::RuntimeTable) {
        out += &format!("runtime table operations: {}\n", m.kernel.runtime_table_ops);
    }
    out
}
