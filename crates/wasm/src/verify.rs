//! The verifier's side of the JS API: assemble, verify, and convert the verdict to JS-shaped
//! data. Plain Rust, tested natively like [`crate::view`].

use serde::{Deserialize, Serialize};
use unwind_verifier::{Mode, Options as VerifyOptionsRs, Verdict};

use crate::view::{diagnostic_view, parse_syntax, syntax_name, DiagnosticView};

/// Options as JS passes them: `{ syntax?, mode?, logLevel? }`. Unknown fields are misuse.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    #[serde(default)]
    pub syntax: Option<String>,
    /// `legacy`, `upstream`, `cleanup` (the default), `cleanup-v2` or `runtime`.
    #[serde(default)]
    pub mode: Option<String>,
    /// 1 (errors, the failing path and the summary) or 2 (every instruction).
    #[serde(default)]
    pub log_level: Option<u32>,
}

/// One verifier error, at a pc and its source place.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerifyErrorView {
    pub pc: usize,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// The abstract states the verifier saw at one pc, in the log's notation.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PcStateView {
    pub pc: usize,
    pub states: Vec<String>,
}

/// Per-function facts.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FunctionFactsView {
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub linkage: &'static str,
    pub stack_depth: usize,
    pub callee_saved: Vec<String>,
    pub is_exception_callback: bool,
    /// It, or a function it calls, throws (the pre-pass).
    pub might_throw: bool,
}

fn function_view(f: unwind_verifier::FunctionFacts) -> FunctionFactsView {
    FunctionFactsView {
        name: f.name,
        start: f.start,
        end: f.end,
        linkage: match f.linkage {
            unwind_program::Linkage::Main => "main",
            unwind_program::Linkage::Static => "static",
            unwind_program::Linkage::Global => "global",
            unwind_program::Linkage::Hidden => "hidden",
        },
        stack_depth: f.stack_depth,
        callee_saved: f.callee_saved,
        is_exception_callback: f.is_exception_callback,
        might_throw: f.might_throw,
    }
}

/// The cleanup modes: the program as loaded, with the hidden `bpf_throw` trampoline.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LoadedView {
    pub disassembly: String,
    pub trampoline: FunctionFactsView,
}

/// One frame descriptor: where the unwinder finds which resource at a pc.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FrameDescriptorView {
    pub pc: usize,
    pub function: String,
    pub slots: Vec<DescriptorSlotView>,
    pub paths: usize,
    /// Every path that contributed, in merge order (the descriptor's merge history).
    pub history: Vec<ObservationView>,
}

/// What one path contributed to a descriptor.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ObservationView {
    /// The verifier's name for the path (e.g. "path through 7").
    pub path: String,
    /// Frame number on that path (0 = main).
    pub frame: u32,
    pub entries: Vec<EntryView>,
}

/// One location on one path: a resource, NULL, or a marker that cannot merge with one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    /// `fp-8`, `r6`.
    pub location: String,
    /// A resource type (`object`, `socket`, ...), `null`, `misc`, `uninit`, `non_zero_scalar`, `copy` or `interior`.
    pub content: String,
    /// The verifier's reference id, for a resource.
    pub ref_obj_id: Option<u32>,
    /// The kernel's register type name (`ptr_obj`, `scalar`, `?`), as the log prints it.
    pub kernel_type: &'static str,
}

/// cleanup-v2's rewritten program, when a conflict had to be resolved.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RewriteView {
    /// The rewritten program in source syntax.
    pub disassembly: String,
    pub dedicated: Vec<DedicatedSlotView>,
}

/// One conflicting acquisition and the stack slot it was given.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DedicatedSlotView {
    pub acquire_pc: usize,
    pub line: u32,
    pub acquired_by: String,
    pub function: String,
    pub slot: String,
    pub cleared_after: Vec<usize>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DescriptorSlotView {
    pub location: String,
    pub resource: String,
    pub release: String,
}

/// What `verify` returns. When the source does not assemble, `assembled` is false, the
/// `diagnostics` say why and the verdict fields are empty.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResult {
    pub assembled: bool,
    pub syntax: &'static str,
    pub diagnostics: Vec<DiagnosticView>,
    pub accepted: bool,
    pub mode: &'static str,
    pub errors: Vec<VerifyErrorView>,
    pub log: String,
    pub states: Vec<PcStateView>,
    pub functions: Vec<FunctionFactsView>,
    pub insns_processed: u64,
    pub total_states: usize,
    pub frame_descriptors: Vec<FrameDescriptorView>,
    /// cleanup-v2: the rewritten program (its pcs are the ones above), or `null`.
    pub rewrite: Option<RewriteView>,
    /// The cleanup modes, for an accepted program that throws: the program as loaded.
    pub loaded: Option<LoadedView>,
}

/// A descriptor's merge history, from the verifier's table.
pub fn history_view(desc: &unwind_stackmap::FrameDesc) -> Vec<ObservationView> {
    desc.history
        .iter()
        .map(|o| ObservationView {
            path: o.path.clone(),
            frame: o.frame,
            entries: o.entries.iter().map(entry_view).collect(),
        })
        .collect()
}

fn entry_view(e: &unwind_stackmap::Entry) -> EntryView {
    use unwind_stackmap::{Content, Unmergeable};
    let (content, ref_obj_id) = match e.content {
        Content::Resource {
            resource,
            ref_obj_id,
            ..
        } => (resource.name().to_string(), Some(ref_obj_id)),
        Content::Null => ("null".to_string(), None),
        Content::Unmergeable { why } => (
            match why {
                Unmergeable::Misc => "misc",
                Unmergeable::Uninit => "uninit",
                Unmergeable::NonZeroScalar => "non_zero_scalar",
                Unmergeable::Copy => "copy",
                Unmergeable::Interior => "interior",
            }
            .to_string(),
            None,
        ),
    };
    EntryView {
        location: e.location.to_string(),
        content,
        ref_obj_id,
        kernel_type: e.content.type_name(),
    }
}

pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Legacy => "legacy",
        Mode::Upstream => "upstream",
        Mode::Cleanup => "cleanup",
        Mode::CleanupV2 => "cleanup-v2",
        Mode::Runtime => "runtime",
    }
}

/// Assembles and verifies `source`. `Err` only for misuse (an unknown option value).
pub fn verify(source: &str, options: &VerifyOptions) -> Result<VerifyResult, String> {
    let syntax = match options.syntax.as_deref() {
        None => unwind_asm::Syntax::Auto,
        Some(name) => parse_syntax(name).ok_or_else(|| {
            format!("unknown syntax {name:?}: expected \"auto\", \"pseudo_c\", \"ubpf\" or \"hex\"")
        })?,
    };
    let mode = match options.mode.as_deref() {
        None => Mode::default(),
        Some(name) => name.parse::<Mode>().ok().ok_or_else(|| {
            format!(
                "unknown mode {name:?}: expected \"legacy\", \"upstream\", \"cleanup\", \"cleanup-v2\" or \"runtime\""
            )
        })?,
    };
    let log_level = options.log_level.unwrap_or(1);
    if log_level > 2 {
        return Err(format!("unknown log level {log_level}: expected 0, 1 or 2"));
    }
    let assembly = unwind_asm::assemble_with(source, &unwind_asm::Options { syntax });
    let mut result = VerifyResult {
        assembled: assembly.program.is_some(),
        syntax: syntax_name(assembly.syntax),
        diagnostics: assembly.diagnostics.iter().map(diagnostic_view).collect(),
        accepted: false,
        mode: mode_name(mode),
        errors: Vec::new(),
        log: String::new(),
        states: Vec::new(),
        functions: Vec::new(),
        insns_processed: 0,
        total_states: 0,
        frame_descriptors: Vec::new(),
        rewrite: None,
        loaded: None,
    };
    let Some(program) = assembly.program else {
        return Ok(result);
    };
    let opts = VerifyOptionsRs {
        log_level,
        mode,
        ..VerifyOptionsRs::default()
    };
    let verdict: Verdict = unwind_verifier::verify(&program, &opts);
    result.accepted = verdict.accepted;
    result.errors = verdict
        .errors
        .into_iter()
        .map(|e| VerifyErrorView {
            pc: e.pc,
            line: e.line,
            column: e.column,
            message: e.message,
        })
        .collect();
    result.log = verdict.log;
    result.states = verdict
        .states
        .into_iter()
        .map(|s| PcStateView {
            pc: s.pc,
            states: s.states,
        })
        .collect();
    result.functions = verdict.functions.into_iter().map(function_view).collect();
    result.loaded = verdict.loaded.map(|l| LoadedView {
        disassembly: l.disassembly,
        trampoline: function_view(l.trampoline),
    });
    let table = &verdict.desc_table;
    result.frame_descriptors = verdict
        .frame_descriptors
        .into_iter()
        .map(|d| FrameDescriptorView {
            history: table.get(d.pc).map(history_view).unwrap_or_default(),
            pc: d.pc,
            function: d.function,
            slots: d
                .slots
                .into_iter()
                .map(|s| DescriptorSlotView {
                    location: s.location,
                    resource: s.resource,
                    release: s.release,
                })
                .collect(),
            paths: d.paths,
        })
        .collect();
    result.rewrite = verdict.rewrite.map(|r| RewriteView {
        disassembly: r.disassembly,
        dedicated: r
            .dedicated
            .into_iter()
            .map(|d| DedicatedSlotView {
                acquire_pc: d.acquire_pc,
                line: d.line,
                acquired_by: d.acquired_by,
                function: d.function,
                slot: d.slot,
                cleared_after: d.cleared_after,
            })
            .collect(),
    });
    result.insns_processed = verdict.stats.insns_processed;
    result.total_states = verdict.stats.total_states;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, options: VerifyOptions) -> VerifyResult {
        verify(src, &options).expect("valid options")
    }

    #[test]
    fn accepted_program_has_a_log_and_states() {
        let r = run("r0 = 0\nexit\n", VerifyOptions::default());
        assert!(r.assembled && r.accepted, "{r:?}");
        assert_eq!(r.mode, "cleanup");
        assert!(
            r.log.contains("processed 2 insns (limit 1000000)"),
            "{}",
            r.log
        );
        assert!(r.errors.is_empty());
        assert_eq!(r.functions[0].name, "main");
    }

    #[test]
    fn rejected_program_has_errors_with_places() {
        // The kernel's message for a register read before it is written.
        let r = run("\n  r0 = r5\n  exit\n", VerifyOptions::default());
        assert!(r.assembled && !r.accepted);
        assert_eq!(r.errors.len(), 1);
        let e = &r.errors[0];
        assert_eq!((e.pc, e.line, e.column), (0, 2, 3));
        assert_eq!(e.message, "R5 !read_ok");
    }

    #[test]
    fn assembly_errors_come_back_as_diagnostics() {
        let r = run("frob\n", VerifyOptions::default());
        assert!(!r.assembled && !r.accepted);
        assert_eq!(r.diagnostics.len(), 1);
        assert!(r.log.is_empty());
    }

    #[test]
    fn options_are_checked() {
        let bad = |o: VerifyOptions| verify("exit", &o).unwrap_err();
        assert!(bad(VerifyOptions {
            mode: Some("strict".into()),
            ..Default::default()
        })
        .contains("unknown mode"));
        assert!(bad(VerifyOptions {
            log_level: Some(7),
            ..Default::default()
        })
        .contains("log level"));
        let r = run(
            "r0 = 0\nexit\n",
            VerifyOptions {
                mode: Some("legacy".into()),
                log_level: Some(2),
                ..Default::default()
            },
        );
        assert_eq!(r.mode, "legacy");
        assert!(r.log.contains("0: (b7) r0 = 0"), "{}", r.log);
    }

    #[test]
    fn misspelled_options_are_refused() {
        // What `options_from_js` does with the JS object: through serde_json, unknown fields fail.
        let bad = serde_json::json!({ "mdoe": "legacy" });
        let err = serde_json::from_value::<VerifyOptions>(bad).unwrap_err();
        assert!(err.to_string().contains("unknown field `mdoe`"), "{err}");
        let good = serde_json::json!({ "mode": "legacy", "logLevel": 2 });
        let o: VerifyOptions = serde_json::from_value(good).unwrap();
        assert_eq!(o.log_level, Some(2));
    }

    #[test]
    fn every_serialized_field_is_declared_in_the_typescript_types() {
        let r = run(
            ".ctx tc\nr1 = 16\ncall bpf_obj_new\nif r0 == 0 goto out\nr6 = r0\nr1 = 1\ncall bpf_throw\nr1 = r6\ncall bpf_obj_drop\nout:\nr0 = 0\nexit\n",
            VerifyOptions::default(),
        );
        assert_eq!(r.frame_descriptors.len(), 1, "{}", r.log);
        assert_eq!(r.frame_descriptors[0].slots[0].location, "r6");
        assert!(r.rewrite.is_none());
        let mut keys = Vec::new();
        collect_keys(&serde_json::to_value(&r).unwrap(), &mut keys);
        for key in keys {
            assert!(
                crate::TS_TYPES.contains(&format!(" {key}: ")),
                "field {key} is not declared in TS_TYPES"
            );
        }
    }

    #[test]
    fn descriptors_carry_their_merge_history() {
        // The object is acquired on one path only: the other contributes NULL in fp-8, and
        // the merged descriptor keeps the pointer (the RFC's "type vs NULL: the pointer wins").
        let r = run(
            ".ctx tc\nr6 = 0\n*(u64 *)(r10 - 8) = r6\nr2 = *(u32 *)(r1 + 0)\nif r2 > 10 goto t\nr1 = 16\ncall bpf_obj_new\n*(u64 *)(r10 - 8) = r0\nt:\nr1 = 1\ncall bpf_throw\nr0 = 0\nexit\n",
            VerifyOptions::default(),
        );
        assert!(r.accepted, "{}", r.log);
        let d = &r.frame_descriptors[0];
        assert_eq!(d.slots[0].location, "fp-8");
        assert_eq!(d.history.len(), d.paths);
        assert!(d.history.len() >= 2, "{d:?}");
        let contents: Vec<&str> = d
            .history
            .iter()
            .flat_map(|o| o.entries.iter().filter(|e| e.location == "fp-8"))
            .map(|e| e.content.as_str())
            .collect();
        assert!(contents.contains(&"object"), "{contents:?}");
        assert!(contents.contains(&"null"), "{contents:?}");
    }

    fn collect_keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.push(k.clone());
                    collect_keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect_keys(v, out)),
            _ => {}
        }
    }
}
