//! A source assembled and verified: the verifier's own verdict, or why there is none.

use serde::{Deserialize, Serialize};
use unwind_asm::{Diagnostic, Syntax};
use unwind_verifier::{Mode, Verdict};

/// Options as JS passes them: `{ syntax?, mode?, logLevel? }`. Unknown fields are misuse.
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
}

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
    let syntax = crate::syntax_option(options.syntax.as_deref())?;
    let mode = crate::mode_option(options.mode.as_deref())?;
    let log_level = options.log_level.unwrap_or(1);
    if log_level > 2 {
        return Err(format!("unknown log level {log_level}: expected 0, 1 or 2"));
    }
    let assembly = unwind_asm::assemble_with(source, &unwind_asm::Options { syntax });
    let verdict = match &assembly.program {
        Some(program) => unwind_verifier::verify(
            program,
            &unwind_verifier::Options {
                log_level,
                mode,
                ..unwind_verifier::Options::default()
            },
        ),
        None => Verdict::default(),
    };
    Ok(VerifyReport {
        assembled: assembly.program.is_some(),
        syntax: assembly.syntax,
        diagnostics: assembly.diagnostics,
        mode,
        verdict,
    })
}
