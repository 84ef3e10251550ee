//! The assembler.
//!
//! [`assemble`] turns source text into a [`Program`]: the LLVM/kernel pseudo-C syntax (also
//! lines pasted from a kernel verifier log), the uBPF dialect of the BPF conformance suite, or
//! raw bytecode in hex. All errors of a file are reported, each with line and column; no input
//! makes it panic or hang. Printing a program back is `unwind_program::disasm`'s job, next to
//! the `Program` it prints, so that the verifier can print instructions without the parser.

mod builder;
mod cursor;
mod diagnostic;
mod directive;
mod hex;
mod lexer;
mod pseudo_c;
mod ubpf;

pub use diagnostic::{AsmError, Diagnostic};
pub use unwind_program::Program;

use serde::{Deserialize, Serialize};

/// The most slots a program may have (the kernel's `BPF_COMPLEXITY_LIMIT_INSNS`, which also
/// bounds a privileged program's length).
pub const MAX_SLOTS: usize = 1_000_000;

/// Which input syntax a file is written in. Named as `docs/names.md` lists: the same names
/// for `--syntax`, the `.syntax` directive and the JS `syntax` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// Detect from the text (the default).
    #[default]
    Auto,
    /// LLVM/kernel pseudo-C (`r0 = 1`, `if r1 > 5 goto l`).
    PseudoC,
    /// uBPF/rbpf (`mov %r0, 1`, `jne %r0, 15, fail`).
    Ubpf,
    /// Raw bytecode: hex, 8 bytes per instruction.
    Hex,
}

impl Syntax {
    /// Every syntax, in the order of [`Syntax::NAMES`].
    pub const ALL: [Syntax; 4] = [Syntax::Auto, Syntax::PseudoC, Syntax::Ubpf, Syntax::Hex];
    /// The canonical names (what JSON prints).
    pub const NAMES: &'static [&'static str] = &["auto", "pseudo_c", "ubpf", "hex"];
    /// The extra, historical spellings of pseudo-C, besides what the alias rule allows
    /// (`pseudo-c`, `PSEUDO_C`).
    pub const ALIASES: &'static [(&'static str, Syntax)] = &[
        ("pseudoc", Syntax::PseudoC),
        ("c", Syntax::PseudoC),
        ("llvm", Syntax::PseudoC),
    ];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl std::fmt::Display for Syntax {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Syntax {
    type Err = unwind_program::names::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spellings: Vec<(&str, Syntax)> = Self::NAMES
            .iter()
            .copied()
            .zip(Self::ALL)
            .chain(Self::ALIASES.iter().copied())
            .collect();
        unwind_program::names::lookup("syntax", s, &spellings, Self::NAMES)
    }
}

impl Serialize for Syntax {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        unwind_program::names::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Syntax {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        unwind_program::names::deserialize(d)
    }
}

/// Options of [`assemble_with`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub syntax: Syntax,
}

/// The result of assembling: a program when there were no errors, and every diagnostic.
#[derive(Clone, Debug)]
pub struct Assembly {
    pub program: Option<Program>,
    pub diagnostics: Vec<Diagnostic>,
    /// The syntax used (never `Auto`).
    pub syntax: Syntax,
}

/// Assembles with syntax detection.
pub fn assemble(source: &str) -> Assembly {
    assemble_with(source, &Options::default())
}

/// Assembles with the given options.
pub fn assemble_with(source: &str, options: &Options) -> Assembly {
    let mut diagnostics = Vec::new();
    let syntax = match options.syntax {
        Syntax::Auto => detect_syntax(source),
        s => s,
    };
    let program = if syntax == Syntax::Hex {
        assemble_hex(source, &mut diagnostics)
    } else {
        let mut stmts = Vec::new();
        lexer::lex_each(source, &mut diagnostics, |line, diagnostics| {
            parse_line(&line, syntax, &mut stmts, diagnostics);
        });
        builder::build(stmts, &mut diagnostics)
    };
    let diagnostics = sort_diagnostics(diagnostics);
    Assembly {
        program: if diagnostics.is_empty() {
            program
        } else {
            None
        },
        diagnostics,
        syntax,
    }
}

/// `diagnostics` by line and column, equal ones in their order: what `sort_by_key` does, as a
/// merge sort of its own. The standard library's stable sort would be the wasm module's only
/// instance of it (about 4 KB, 1.3 KB gzipped); this one is a few hundred bytes.
fn sort_diagnostics(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.len() < 2 {
        return diagnostics;
    }
    let key = |d: &Diagnostic| (d.line, d.column);
    let mut left = diagnostics;
    let right = sort_diagnostics(left.split_off(left.len() / 2));
    let left = sort_diagnostics(left);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        // Ties take the left one: the sort is stable.
        let next = if key(r) < key(l) {
            right.next()
        } else {
            left.next()
        };
        out.extend(next);
    }
    out.extend(left);
    out.extend(right);
    out
}

/// Picks the syntax of a file: a `.syntax` directive, else hex when every line is hex bytes,
/// else uBPF when the first instruction that tells them apart is a uBPF mnemonic.
pub fn detect_syntax(source: &str) -> Syntax {
    let mut hex_lines = 0;
    let mut other_lines = 0;
    let mut first_decisive = None;
    let mut sink = Vec::new();
    for line in source.lines().take(10_000) {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix(".syntax") {
            // Any name `--syntax` takes; `auto` (and an unknown name) leaves it to detection.
            match rest.split_whitespace().next().map(str::parse) {
                Some(Ok(Syntax::Auto)) | Some(Err(_)) | None => {}
                Some(Ok(syntax)) => return syntax,
            }
        }
        if hex::looks_like_hex(line) {
            hex_lines += 1;
            continue;
        }
        let lexed = lexer::lex(line, &mut sink);
        sink.clear();
        let Some(l) = lexed.first() else { continue };
        other_lines += 1;
        if first_decisive.is_none() {
            first_decisive = decisive(l);
        }
    }
    if hex_lines > 0 && other_lines == 0 {
        Syntax::Hex
    } else {
        first_decisive.unwrap_or(Syntax::PseudoC)
    }
}

/// Which syntax one line belongs to, when it tells.
fn decisive(line: &lexer::Line) -> Option<Syntax> {
    let mut toks = line.tokens.iter().peekable();
    // Skip a leading label.
    if line.tokens.len() >= 2 && line.tokens[1].is(":") {
        toks.next();
        toks.next();
    }
    let first = toks.next()?;
    let second = toks.next();
    if first.text.starts_with('.') || matches!(first.text.as_str(), "exit" | "call" | "callx") {
        return None;
    }
    if line.tokens.iter().any(|t| t.text.starts_with("%r")) {
        return Some(Syntax::Ubpf);
    }
    if first.is("lock") {
        return Some(if second.is_some_and(|t| t.is("*")) {
            Syntax::PseudoC
        } else {
            Syntax::Ubpf
        });
    }
    if ubpf::is_mnemonic(&first.text) && second.is_none_or(|t| !t.text.ends_with('=')) {
        return Some(Syntax::Ubpf);
    }
    Some(Syntax::PseudoC)
}

fn parse_line(
    line: &lexer::Line,
    syntax: Syntax,
    stmts: &mut Vec<cursor::Stmt>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut c = cursor::Cursor::new(line);
    // `name:` labels, possibly followed by an instruction on the same line.
    while c
        .peek()
        .is_some_and(|t| t.kind == lexer::Kind::Ident && !t.text.starts_with('%'))
        && c.peek_at(1).is_some_and(|t| t.is(":"))
    {
        let t = c.next().expect("peeked");
        c.next();
        stmts.push(cursor::Stmt::Label(
            t.text.clone(),
            unwind_program::Span::new(line.number, t.col, t.end),
        ));
    }
    if c.at_end() {
        return;
    }
    let col = c.col();
    if c.peek().is_some_and(|t| t.text.starts_with('.')) {
        if c.peek_is(".syntax") {
            return;
        }
        match directive::parse(&mut c) {
            Ok(d) => stmts.push(cursor::Stmt::Directive(d, c.span_from(col))),
            Err(d) => diagnostics.push(d),
        }
        return;
    }
    let parsed = match syntax {
        Syntax::Ubpf => ubpf::insn(&mut c),
        _ => pseudo_c::insn(&mut c, line.log_opcode),
    };
    match parsed {
        Ok((insn, fixup)) => stmts.push(cursor::Stmt::Insn(cursor::Pending {
            insn,
            fixup,
            span: c.span_from(col),
        })),
        Err(d) => diagnostics.push(d),
    }
}

fn assemble_hex(source: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<Program> {
    let parsed = hex::parse(source, diagnostics);
    if parsed.len() > MAX_SLOTS {
        diagnostics.push(Diagnostic::new(
            1,
            1,
            1,
            AsmError::ProgramTooLarge {
                count: parsed.len(),
                limit: MAX_SLOTS,
            },
        ));
        return None;
    }
    let slots: Vec<_> = parsed.iter().map(|(s, _)| *s).collect();
    // Every slot must decode: bytecode with invalid encodings is reported, not assembled.
    for (pc, slot) in unwind_isa::decode_program(&slots).into_iter().enumerate() {
        if let unwind_isa::Slot::Invalid(e) = slot {
            let line = parsed[pc].1;
            diagnostics.push(Diagnostic::new(
                line,
                1,
                1,
                AsmError::InvalidBytecode {
                    reason: format!("instruction {pc}: {e}"),
                },
            ));
        }
    }
    if slots.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::new(1, 1, 1, AsmError::EmptyProgram));
    }
    if !diagnostics.is_empty() {
        return None;
    }
    let mut program = Program::from_slots(slots);
    program.spans = parsed
        .iter()
        .map(|(_, line)| unwind_program::Span::new(*line, 1, 1))
        .collect();
    Some(program)
}

#[cfg(test)]
mod sort_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `sort_diagnostics` orders as the standard library's stable `sort_by_key` does.
        #[test]
        fn sort_diagnostics_is_a_stable_sort_by_line_and_column(
            keys in proptest::collection::vec((0u32..4, 0u32..3), 0..40)
        ) {
            let diagnostics: Vec<Diagnostic> = keys
                .iter()
                .enumerate()
                .map(|(i, &(line, column))| Diagnostic {
                    line,
                    column,
                    end_column: i as u32,
                    error: AsmError::EmptyProgram,
                })
                .collect();
            let mut expected = diagnostics.clone();
            expected.sort_by_key(|d| (d.line, d.column));
            prop_assert_eq!(sort_diagnostics(diagnostics), expected);
        }
    }
}
