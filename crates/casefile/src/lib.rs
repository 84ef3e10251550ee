//! The case-file grammar shared by Unwind's file-driven suites (`crates/verifier/tests/cases`,
//! `crates/cli/tests/exceptions`), in the manner of Cranelift's filetests: the verdict is
//! stated per mode in header comments, and an expected error is written on the source line it
//! is about.
//!
//! ```text
//! ; kernel: progs/exceptions_fail.c reject_with_reference
//! ; legacy, upstream: reject
//! ; cleanup: accept retval=0 releases=1
//! ; log: a text the log prints, in order, not about one line
//! .ctx tc
//!     r1 = 16
//!     call bpf_obj_new
//!     call bpf_throw   ; log: Unreleased reference id=1 alloc_insn=1
//!                      ;^ error: bpf_throw would lead to reference leak
//! ```
//!
//! Every directive is a comment that starts with `;` (which the assembler drops, like `//`
//! and `#`, so annotations never change the program):
//!
//! * Header lines (comment-only lines): `; MODES: VERDICT` where MODES is `all` or a
//!   comma-separated list of mode names and VERDICT is `accept [key=N ...]` or
//!   `reject ["message" ...]`; `; kernel: TEXT`, `; ctx: HEX`, `; log-level: N`, and
//!   `; log[(MODES)]: TEXT` (texts found in the log in the order written).
//! * Line annotations: a trailing comment on a code line, `; error[(MODES)]: TEXT` (the
//!   verifier rejects with an error whose message contains TEXT and whose line is this line)
//!   or `; log[(MODES)]: TEXT` (a non-instruction log line printed after this line's
//!   instruction contains TEXT). More annotations for the same line follow on comment-only
//!   lines starting `;^`. An unscoped annotation applies to every mode that rejects (`error`)
//!   or to every mode stated (`log`).
//!
//! Other comments are prose; a `;` comment that looks like a directive (`; word:` or
//! `; word(...):`) with an unknown word is an error, and so is a `//` line in the old
//! `// expect:` style, so that a typo never silently drops an expectation.
//!
//! [`check_verify`] compares one mode's verifier outcome with the file; the harnesses add
//! what only they can check (the run of `accept` keys).

use std::collections::BTreeMap;

/// The exception modes, in the order the suites report them.
pub const MODES: [&str; 5] = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];

/// What a case file says about one mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept(Run),
    /// Rejected; the messages (header form, optional) must each appear in an error or a
    /// non-instruction log line, anywhere.
    Reject(Vec<String>),
}

/// The run expectations of `accept key=N ...`; `None` when the key is not given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// The return value as `return_value` prints it: decimal u64 (negative values wrap).
    pub retval: Option<u64>,
    pub releases: Option<usize>,
    pub leaks: Option<usize>,
    pub throws: Option<usize>,
    pub table_ops: Option<u64>,
}

impl Run {
    /// Whether any key was given.
    pub fn is_empty(&self) -> bool {
        *self == Run::default()
    }
}

/// A mode's verdict and the line that states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stated {
    pub verdict: Verdict,
    pub line: u32,
}

/// The kind of a text expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The error itself: its message contains the text, its line is the annotated line.
    Error,
    /// A line of the log.
    Log,
}

/// A text expectation: a line annotation (`about` = the code line) or a header `log:`
/// (`about` = `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub kind: Kind,
    pub text: String,
    /// The modes it is scoped to; `None` when unscoped.
    pub modes: Option<Vec<String>>,
    /// The code line it is about, for a line annotation.
    pub about: Option<u32>,
    /// Where it is written.
    pub line: u32,
}

/// A parsed case file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFile {
    /// Mode name -> verdict, for every mode stated.
    pub modes: BTreeMap<String, Stated>,
    pub kernel: Option<String>,
    pub ctx: Option<String>,
    pub log_level: Option<u32>,
    /// Header `log:` texts and line annotations, in the order written.
    pub expectations: Vec<Expectation>,
}

/// A malformed case file, with the line at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown mode {mode:?}")]
    UnknownMode { line: u32, mode: String },
    #[error("mode {mode} stated twice")]
    Duplicate { line: u32, mode: String },
    #[error("{key} stated twice")]
    DuplicateKey { line: u32, key: String },
    #[error("bad verdict: {reason}")]
    BadVerdict { line: u32, reason: String },
    #[error("bad {key}: {value:?}")]
    BadValue {
        line: u32,
        key: String,
        value: String,
    },
    #[error("unknown directive {key:?}")]
    UnknownDirective { line: u32, key: String },
    #[error("{key} is a line annotation; write it after an instruction")]
    ErrorInHeader { line: u32, key: String },
    #[error("{key} belongs in the header, on a comment-only line")]
    HeaderOnLine { line: u32, key: String },
    #[error("`;^` continues a line annotation, but no code line precedes it")]
    DanglingContinuation { line: u32 },
    #[error("old-style directive {text:?}; write `; MODE: VERDICT` (see README.md)")]
    OldStyle { line: u32, text: String },
    #[error("an empty {key} text")]
    EmptyText { line: u32, key: String },
    #[error("error annotation for {mode}, which is expected to accept")]
    ErrorForAccept { line: u32, mode: String },
    #[error("annotation scoped to {mode}, which no verdict line states")]
    UnstatedMode { line: u32, mode: String },
    #[error("an unscoped error annotation, but no mode rejects")]
    NoRejectingMode { line: u32 },
    #[error("{mode} rejects, but no error annotation or message says why")]
    RejectWithoutReason { line: u32, mode: String },
    #[error("no verdict line (`; MODE: accept|reject`)")]
    NoVerdict,
}

impl ParseError {
    /// The line at fault (0 for the whole file).
    pub fn line(&self) -> u32 {
        use ParseError::*;
        match self {
            UnknownMode { line, .. }
            | Duplicate { line, .. }
            | DuplicateKey { line, .. }
            | BadVerdict { line, .. }
            | BadValue { line, .. }
            | UnknownDirective { line, .. }
            | ErrorInHeader { line, .. }
            | HeaderOnLine { line, .. }
            | DanglingContinuation { line }
            | OldStyle { line, .. }
            | EmptyText { line, .. }
            | ErrorForAccept { line, .. }
            | UnstatedMode { line, .. }
            | NoRejectingMode { line }
            | RejectWithoutReason { line, .. } => *line,
            NoVerdict => 0,
        }
    }
}

/// Where the assembler's comment starts on a line: the first `;`, `//` or `#` (except the
/// `name#123` of a pasted verifier log, which the lexer keeps as tokens). Returns the code
/// part and the comment (from its first character).
pub fn split_comment(line: &str) -> (&str, Option<&str>) {
    let b = line.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'#'
            && i > 0
            && ident(b[i - 1])
            && (b.get(i + 1).is_some_and(u8::is_ascii_digit)
                || (b.get(i + 1) == Some(&b'-') && b.get(i + 2).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
            continue;
        }
        if c == b'#' || c == b';' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
            return (&line[..i], Some(&line[i..]));
        }
        i += 1;
    }
    (line, None)
}

/// A directive's key, scope and value: `word(a, b): value`.
fn directive(body: &str) -> Option<(&str, Option<&str>, &str)> {
    let body = body.trim_start();
    let end = body
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ','))
        .unwrap_or(body.len());
    let word = &body[..end];
    if word.is_empty() || !word.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let rest = &body[end..];
    // A comma-separated list of modes may have spaces after the commas.
    if word.ends_with(',') || rest.starts_with(", ") {
        let colon = body.find(':')?;
        let list = &body[..colon];
        if list.split(',').all(|m| {
            !m.trim().is_empty()
                && m.trim()
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c == b'-' || c.is_ascii_digit())
        }) {
            return Some((list, None, &body[colon + 1..]));
        }
        return None;
    }
    if let Some(r) = rest.strip_prefix('(') {
        let close = r.find(')')?;
        let after = r[close + 1..].strip_prefix(':')?;
        return Some((word, Some(&r[..close]), after));
    }
    let value = rest.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with(' ') || value.starts_with('\t')) {
        return None;
    }
    Some((word, None, value))
}

fn mode_list(list: &str, line: u32) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    for m in list.split(',') {
        let m = m.trim();
        if m == "all" {
            out.extend(MODES.iter().map(|m| m.to_string()));
        } else if MODES.contains(&m) {
            out.push(m.to_string());
        } else {
            return Err(ParseError::UnknownMode {
                line,
                mode: m.to_string(),
            });
        }
    }
    Ok(out)
}

/// Parses `accept key=N ...` or `reject ["message" ...]`.
pub fn parse_verdict(text: &str) -> Result<Verdict, String> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("reject") {
        let mut msgs = Vec::new();
        let mut rest = rest.trim();
        while !rest.is_empty() {
            let Some(r) = rest.strip_prefix('"') else {
                return Err(format!("expected a quoted message, found {rest:?}"));
            };
            let Some(end) = r.find('"') else {
                return Err(format!("unterminated message in {text:?}"));
            };
            msgs.push(r[..end].to_string());
            rest = r[end + 1..].trim();
        }
        return Ok(Verdict::Reject(msgs));
    }
    if let Some(rest) = text.strip_prefix("accept") {
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return Err(format!("expected accept or reject, found {text:?}"));
        }
        let mut run = Run::default();
        for tok in rest.split_whitespace() {
            let Some((k, v)) = tok.split_once('=') else {
                return Err(format!("expected key=value, found {tok:?}"));
            };
            let n = || {
                v.parse::<usize>()
                    .map_err(|_| format!("{k}: not a count: {v:?}"))
            };
            let dup = match k {
                "retval" => {
                    let r = v
                        .parse::<i64>()
                        .map(|x| x as u64)
                        .or_else(|_| v.parse::<u64>())
                        .map_err(|_| format!("retval: not a number: {v:?}"))?;
                    run.retval.replace(r).is_some()
                }
                "releases" => run.releases.replace(n()?).is_some(),
                "leaks" => run.leaks.replace(n()?).is_some(),
                "throws" => run.throws.replace(n()?).is_some(),
                "table_ops" => run.table_ops.replace(n()? as u64).is_some(),
                _ => return Err(format!("unknown key {k:?}")),
            };
            if dup {
                return Err(format!("{k} given twice"));
            }
        }
        return Ok(Verdict::Accept(run));
    }
    Err(format!("expected accept or reject, found {text:?}"))
}

/// Parses a case file.
pub fn parse(src: &str) -> Result<CaseFile, ParseError> {
    let mut case = CaseFile::default();
    let mut last_code: Option<u32> = None;
    for (i, raw) in src.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (code, comment) = split_comment(raw);
        let is_code = !code.trim().is_empty();
        if is_code {
            last_code = Some(line);
        }
        let Some(comment) = comment else { continue };
        if let Some(rest) = comment.strip_prefix("//") {
            let t = rest.trim_start();
            if !is_code
                && ["expect:", "expect-msg:", "mode:", "log-level:"]
                    .iter()
                    .any(|p| t.starts_with(p))
            {
                return Err(ParseError::OldStyle {
                    line,
                    text: raw.trim().to_string(),
                });
            }
            continue;
        }
        let Some(body) = comment.strip_prefix(';') else {
            continue;
        };
        let (body, about) = if let Some(b) = body.strip_prefix('^') {
            if is_code {
                return Err(ParseError::DanglingContinuation { line });
            }
            match last_code {
                Some(l) => (b, Some(l)),
                None => return Err(ParseError::DanglingContinuation { line }),
            }
        } else if is_code {
            (body, Some(line))
        } else {
            (body, None)
        };
        let Some((key, scope, value)) = directive(body) else {
            continue;
        };
        let value = value.trim();
        let text_of = |key: &str| {
            if value.is_empty() {
                Err(ParseError::EmptyText {
                    line,
                    key: key.to_string(),
                })
            } else {
                Ok(value.to_string())
            }
        };
        let scope = scope.map(|s| mode_list(s, line)).transpose()?;
        match key {
            "error" | "log" => {
                let kind = if key == "error" {
                    Kind::Error
                } else {
                    Kind::Log
                };
                if kind == Kind::Error && about.is_none() {
                    return Err(ParseError::ErrorInHeader {
                        line,
                        key: key.into(),
                    });
                }
                case.expectations.push(Expectation {
                    kind,
                    text: text_of(key)?,
                    modes: scope,
                    about,
                    line,
                });
            }
            "kernel" | "ctx" | "log-level" => {
                if about.is_some() {
                    return Err(ParseError::HeaderOnLine {
                        line,
                        key: key.into(),
                    });
                }
                let v = text_of(key)?;
                let dup = match key {
                    "kernel" => case.kernel.replace(v).is_some(),
                    "ctx" => case.ctx.replace(v).is_some(),
                    _ => {
                        let n = v.parse().map_err(|_| ParseError::BadValue {
                            line,
                            key: key.into(),
                            value: v.clone(),
                        })?;
                        case.log_level.replace(n).is_some()
                    }
                };
                if dup {
                    return Err(ParseError::DuplicateKey {
                        line,
                        key: key.into(),
                    });
                }
            }
            list if list == "all"
                || list.contains(',')
                || list.split(',').any(|m| MODES.contains(&m.trim())) =>
            {
                if about.is_some() {
                    return Err(ParseError::HeaderOnLine {
                        line,
                        key: key.into(),
                    });
                }
                if scope.is_some() {
                    return Err(ParseError::UnknownDirective {
                        line,
                        key: key.into(),
                    });
                }
                let modes = mode_list(list, line)?;
                let verdict = parse_verdict(value)
                    .map_err(|reason| ParseError::BadVerdict { line, reason })?;
                for m in modes {
                    let stated = Stated {
                        verdict: verdict.clone(),
                        line,
                    };
                    if case.modes.insert(m.clone(), stated).is_some() {
                        return Err(ParseError::Duplicate { line, mode: m });
                    }
                }
            }
            _ => {
                return Err(ParseError::UnknownDirective {
                    line,
                    key: key.into(),
                })
            }
        }
    }
    validate(&case)?;
    Ok(case)
}

fn validate(case: &CaseFile) -> Result<(), ParseError> {
    if case.modes.is_empty() {
        return Err(ParseError::NoVerdict);
    }
    for e in &case.expectations {
        if let Some(ms) = &e.modes {
            for m in ms {
                match case.modes.get(m) {
                    None => {
                        return Err(ParseError::UnstatedMode {
                            line: e.line,
                            mode: m.clone(),
                        })
                    }
                    Some(s) if e.kind == Kind::Error && matches!(s.verdict, Verdict::Accept(_)) => {
                        return Err(ParseError::ErrorForAccept {
                            line: e.line,
                            mode: m.clone(),
                        })
                    }
                    _ => {}
                }
            }
        } else if e.kind == Kind::Error
            && !case
                .modes
                .values()
                .any(|s| matches!(s.verdict, Verdict::Reject(_)))
        {
            return Err(ParseError::NoRejectingMode { line: e.line });
        }
    }
    for (m, s) in &case.modes {
        if let Verdict::Reject(msgs) = &s.verdict {
            if msgs.is_empty() && case.errors_for(m).next().is_none() {
                return Err(ParseError::RejectWithoutReason {
                    line: s.line,
                    mode: m.clone(),
                });
            }
        }
    }
    Ok(())
}

impl CaseFile {
    /// The stated modes, in [`MODES`] order.
    pub fn stated_modes(&self) -> impl Iterator<Item = (&'static str, &Stated)> {
        MODES
            .iter()
            .filter_map(|m| self.modes.get(*m).map(|s| (*m, s)))
    }

    /// Whether an expectation applies in `mode`.
    pub fn applies(&self, e: &Expectation, mode: &str) -> bool {
        match &e.modes {
            Some(ms) => ms.iter().any(|m| m == mode),
            None => match e.kind {
                Kind::Log => self.modes.contains_key(mode),
                Kind::Error => matches!(
                    self.modes.get(mode).map(|s| &s.verdict),
                    Some(Verdict::Reject(_))
                ),
            },
        }
    }

    /// The `error` annotations that apply in `mode`.
    pub fn errors_for<'a>(&'a self, mode: &'a str) -> impl Iterator<Item = &'a Expectation> {
        self.expectations
            .iter()
            .filter(move |e| e.kind == Kind::Error && self.applies(e, mode))
    }
}

/// One error of a verifier outcome.
#[derive(Clone, Debug)]
pub struct ErrorAt {
    pub pc: usize,
    pub line: u32,
    pub message: String,
}

/// What the verifier said in one mode, however the harness got it.
pub struct Outcome<'a> {
    pub accepted: bool,
    pub errors: Vec<ErrorAt>,
    pub log: &'a str,
    /// The source line of each pc (the assembler's spans).
    pub lines: Vec<u32>,
}

/// A mismatch, at the case-file line it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub line: u32,
    pub message: String,
}

/// The pc a log line is about (`12: (85) call ...` or `12: R1=...`), or `None` for a message.
fn log_pc(l: &str) -> Option<usize> {
    let digits = l.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && l[digits..].starts_with(':') {
        l[..digits].parse().ok()
    } else {
        None
    }
}

/// Checks one mode's verifier outcome against the file: the verdict, every `error`
/// annotation (an error at its line containing the text), every line `log` annotation (a
/// message line printed after that line's instruction; several on one line are found in the
/// order written, and an `error` written after them on the same line must be printed after
/// them too), the header `log` texts (found in the whole log in the order written), and a
/// header `reject "message"` (in an error or a message line, anywhere).
pub fn check_verify(case: &CaseFile, mode: &str, out: &Outcome) -> Vec<Failure> {
    let mut bad = Vec::new();
    let Some(stated) = case.modes.get(mode) else {
        return vec![Failure {
            line: 0,
            message: format!("{mode} is not stated in the file"),
        }];
    };
    let fail =
        |bad: &mut Vec<Failure>, line: u32, m: String| bad.push(Failure { line, message: m });
    let first_error = out.errors.first().map(|e| (e.line, e.message.as_str()));
    match (&stated.verdict, out.accepted) {
        (Verdict::Accept(_), false) => {
            fail(
                &mut bad,
                stated.line,
                format!("expected accept, got reject: {first_error:?}"),
            );
            return bad;
        }
        (Verdict::Reject(_), true) => {
            fail(&mut bad, stated.line, "expected reject, got accept".into());
            return bad;
        }
        _ => {}
    }
    // The message lines of the log, each with the pc of the instruction line before it.
    let mut messages: Vec<(Option<usize>, &str)> = Vec::new();
    let mut pc = None;
    for l in out.log.lines() {
        match log_pc(l) {
            Some(p) => pc = Some(p),
            None => messages.push((pc, l)),
        }
    }
    let line_of = |pc: Option<usize>| pc.and_then(|p| out.lines.get(p).copied());
    if let Verdict::Reject(msgs) = &stated.verdict {
        for m in msgs {
            let found = out.errors.iter().any(|e| e.message.contains(m.as_str()))
                || messages.iter().any(|(_, l)| l.contains(m.as_str()));
            if !found {
                fail(
                    &mut bad,
                    stated.line,
                    format!("message {m:?} not found; errors: {:?}", out.errors),
                );
            }
        }
    }
    // Header log texts, in order, anywhere in the log.
    let mut pos = 0;
    // Per annotated line: the index into `messages` after the last text found.
    let mut line_pos: BTreeMap<u32, usize> = BTreeMap::new();
    for e in case.expectations.iter().filter(|e| case.applies(e, mode)) {
        match (e.kind, e.about) {
            (Kind::Log, None) => match out.log[pos..].find(e.text.as_str()) {
                Some(i) => pos += i + e.text.len(),
                None => fail(
                    &mut bad,
                    e.line,
                    format!(
                        "log text {:?} not in the log (after the texts before it):\n{}",
                        e.text, out.log
                    ),
                ),
            },
            (Kind::Log, Some(about)) => {
                let from = line_pos.get(&about).copied().unwrap_or(0);
                let hit = messages.iter().enumerate().skip(from).find(|(_, (pc, l))| {
                    line_of(*pc) == Some(about) && l.contains(e.text.as_str())
                });
                match hit {
                    Some((i, _)) => {
                        line_pos.insert(about, i + 1);
                    }
                    None => fail(
                        &mut bad,
                        e.line,
                        format!(
                            "log text {:?} not printed after line {about}'s instruction{}:\n{}",
                            e.text,
                            if from > 0 {
                                " (after the texts before it)"
                            } else {
                                ""
                            },
                            out.log
                        ),
                    ),
                }
            }
            (Kind::Error, about) => {
                let about = about.unwrap_or(e.line);
                let ok = out
                    .errors
                    .iter()
                    .any(|x| x.line == about && x.message.contains(e.text.as_str()));
                if !ok {
                    fail(
                        &mut bad,
                        e.line,
                        format!(
                            "expected an error containing {:?} at line {about}; errors: {:?}",
                            e.text, out.errors
                        ),
                    );
                } else if let Some(&from) = line_pos.get(&about) {
                    // Written after log texts of the same line: printed after them.
                    let after = messages
                        .iter()
                        .skip(from)
                        .any(|(_, l)| l.contains(e.text.as_str()));
                    if !after {
                        fail(
                            &mut bad,
                            e.line,
                            format!(
                                "error {:?} not printed after the log texts before it:\n{}",
                                e.text, out.log
                            ),
                        );
                    }
                }
            }
        }
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(
            parse_verdict(r#"reject "a b" "c""#),
            Ok(Verdict::Reject(vec!["a b".into(), "c".into()]))
        );
        assert_eq!(
            parse_verdict("accept retval=-1 releases=2"),
            Ok(Verdict::Accept(Run {
                retval: Some(u64::MAX),
                releases: Some(2),
                ..Run::default()
            }))
        );
        assert_eq!(parse_verdict("accept"), Ok(Verdict::Accept(Run::default())));
        assert_eq!(parse_verdict("reject"), Ok(Verdict::Reject(vec![])));
        assert!(parse_verdict("accept retval=1 frees=2").is_err());
        assert!(parse_verdict("accept retval=1 retval=2").is_err());
        assert!(parse_verdict("accepted").is_err());
    }

    #[test]
    fn a_file() {
        let src = "; kernel: k\n; legacy, upstream: reject\n; all: accept retval=0\n";
        assert_eq!(
            parse(src),
            Err(ParseError::Duplicate {
                line: 3,
                mode: "legacy".into()
            })
        );
        let src = "\
; kernel: k
; legacy, upstream: reject
; cleanup: accept retval=0 releases=1
; log(cleanup): header text
; A prose comment: with a colon.
.ctx tc
\tcall bpf_throw\t; log: L1
\t\t\t;^ error(upstream): E1
\tr0 = 0 ; error(legacy): E2
\texit
";
        let c = parse(src).unwrap();
        assert_eq!(c.kernel.as_deref(), Some("k"));
        assert_eq!(c.modes.len(), 3);
        assert_eq!(c.modes["cleanup"].line, 3);
        let e: Vec<_> = c
            .expectations
            .iter()
            .map(|e| (e.kind, e.text.as_str(), e.about, e.line))
            .collect();
        assert_eq!(
            e,
            [
                (Kind::Log, "header text", None, 4),
                (Kind::Log, "L1", Some(7), 7),
                (Kind::Error, "E1", Some(7), 8),
                (Kind::Error, "E2", Some(9), 9),
            ]
        );
        assert_eq!(c.errors_for("upstream").count(), 1);
        assert_eq!(c.errors_for("cleanup").count(), 0);
    }

    #[test]
    fn errors_name_their_line() {
        let cases: &[(&str, u32)] = &[
            ("; all: reject\nexit ; error: x\n; chekc: y\n", 3),
            ("; all: reject\n; error: x\n", 2),
            ("; cleanup: accept\nexit ; error: x\n", 2),
            ("; cleanup: reject\nexit\n", 1),
            ("; clean: accept\n", 1),
            ("// expect: accept\nexit\n", 1),
            (";^ error: x\n; all: reject\n", 1),
            ("; cleanup: reject\nexit ; error(legacy): x\n", 2),
            ("; log-level: two\n", 1),
        ];
        for (src, line) in cases {
            let e = parse(src).unwrap_err();
            assert_eq!(e.line(), *line, "{src:?}: {e}");
        }
        assert_eq!(parse("exit\n"), Err(ParseError::NoVerdict));
    }

    #[test]
    fn comments_as_the_assembler_sees_them() {
        assert_eq!(split_comment("call f#12 ; x"), ("call f#12 ", Some("; x")));
        assert_eq!(
            split_comment("r0 = 0 // a ; b"),
            ("r0 = 0 ", Some("// a ; b"))
        );
        assert_eq!(split_comment("# x"), ("", Some("# x")));
        assert_eq!(split_comment("exit"), ("exit", None));
    }

    #[test]
    fn checking() {
        let src = "; all: reject\ncall f ; log: A\n;^ log: B\n;^ error: C\nexit\n";
        let c = parse(src).unwrap();
        let log = "0: (85) call f\nA\nB\nC\n";
        let out = Outcome {
            accepted: false,
            errors: vec![ErrorAt {
                pc: 0,
                line: 2,
                message: "C".into(),
            }],
            log,
            lines: vec![2, 5],
        };
        assert_eq!(check_verify(&c, "upstream", &out), []);
        let swapped = Outcome {
            log: "0: (85) call f\nB\nA\nC\n",
            ..out
        };
        let bad = check_verify(&c, "upstream", &swapped);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].line, 3);
    }
}
