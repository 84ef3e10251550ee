//! Second pass: gives every instruction its pc, resolves labels, calls, maps and directives,
//! and builds the [`Program`].

use std::collections::HashMap;

use unwind_isa::{CallTarget, Imm64Kind, Insn, RawInsn};
use unwind_kernel::{resolve_call_name, CallRef, ProgType};
use unwind_program::{FunctionDecl, Label, MapDef, Program, SourceLine, Span};

use crate::cursor::{Directive, Fixup, Pending, Stmt, Target};
use crate::diagnostic::{expected, AsmError, Diagnostic};
use crate::MAX_SLOTS;

fn diag(span: Span, err: AsmError) -> Diagnostic {
    Diagnostic::new(span.line, span.column, span.end_column, err)
}

struct Placed {
    pending: Pending,
    pc: usize,
}

/// Builds a program from parsed statements. Returns `None` when any error was found (all of
/// them are pushed to `diags`).
pub(crate) fn build(stmts: Vec<Stmt>, diags: &mut Vec<Diagnostic>) -> Option<Program> {
    let mut placed = Vec::new();
    let mut labels: HashMap<String, (usize, u32)> = HashMap::new();
    let mut label_list = Vec::new();
    let mut directives = Vec::new();
    // `.loc` records at the pc of the instruction after them, with the line they are on.
    let mut line_info: Vec<(SourceLine, Span)> = Vec::new();
    let mut pc = 0usize;
    for stmt in stmts {
        match stmt {
            Stmt::Label(name, span) => {
                if let Some(&(_, first_line)) = labels.get(&name) {
                    diags.push(diag(span, AsmError::DuplicateLabel { name, first_line }));
                } else {
                    labels.insert(name.clone(), (pc, span.line));
                    label_list.push(Label { name, pc });
                }
            }
            Stmt::Insn(p) => {
                let n = p.insn.slots();
                placed.push(Placed { pending: p, pc });
                pc += n;
            }
            Stmt::Directive(Directive::Loc(mut record), span) => {
                record.pc = pc;
                match line_info.last() {
                    Some((last, first)) if last.pc == pc => {
                        let first_line = first.line;
                        diags.push(diag(span, AsmError::DuplicateLoc { first_line }));
                    }
                    _ => line_info.push((record, span)),
                }
            }
            Stmt::Directive(d, span) => directives.push((d, span)),
        }
    }
    if let Some((last, span)) = line_info.last() {
        if last.pc == pc {
            diags.push(diag(*span, AsmError::LocAtEnd));
        }
    }
    let len = pc;
    if len > MAX_SLOTS {
        diags.push(Diagnostic::new(
            1,
            1,
            1,
            AsmError::ProgramTooLarge {
                count: len,
                limit: MAX_SLOTS,
            },
        ));
        return None;
    }

    // Maps and the other directives.
    let mut maps: Vec<MapDef> = Vec::new();
    let mut prog_type: Option<(ProgType, u32)> = None;
    let mut decls: Vec<FunctionDecl> = Vec::new();
    let mut decl_index: HashMap<usize, usize> = HashMap::new();
    let mut map_index: HashMap<String, usize> = HashMap::new();
    let decl_for = |decls: &mut Vec<FunctionDecl>,
                    decl_index: &mut HashMap<usize, usize>,
                    name: &str,
                    span: Span,
                    directive: &str,
                    diags: &mut Vec<Diagnostic>| {
        let Some(&(pc, _)) = labels.get(name) else {
            diags.push(diag(
                span,
                AsmError::DirectiveTargetMissing {
                    directive: directive.to_string(),
                    name: name.to_string(),
                },
            ));
            return None;
        };
        if let Some(&i) = decl_index.get(&pc) {
            return Some(i);
        }
        decls.push(FunctionDecl {
            name: name.to_string(),
            pc,
            ..FunctionDecl::default()
        });
        decl_index.insert(pc, decls.len() - 1);
        Some(decls.len() - 1)
    };
    for (d, span) in directives {
        match d {
            Directive::Map {
                name,
                map_type,
                key_size,
                value_size,
                max_entries,
            } => {
                if let Some(&first) = map_index.get(&name) {
                    diags.push(diag(
                        span,
                        AsmError::DuplicateMap {
                            name,
                            first_line: maps[first].span.line,
                        },
                    ));
                    continue;
                }
                map_index.insert(name.clone(), maps.len());
                maps.push(MapDef {
                    name,
                    map_type,
                    key_size,
                    value_size,
                    max_entries,
                    span,
                });
            }
            Directive::Ctx(t) => {
                if let Some((_, first_line)) = prog_type {
                    diags.push(diag(
                        span,
                        expected(
                            format!("one .ctx directive (the first is on line {first_line})"),
                            "a second one",
                        ),
                    ));
                } else {
                    prog_type = Some((t, span.line));
                }
            }
            Directive::Globl {
                name,
                args,
                returns_void,
            } => {
                if let Some(i) = decl_for(&mut decls, &mut decl_index, &name, span, ".globl", diags)
                {
                    decls[i].global = true;
                    decls[i].args = args;
                    decls[i].returns_void = returns_void;
                }
            }
            Directive::ExceptionCallback(name) => {
                if let Some(i) = decl_for(
                    &mut decls,
                    &mut decl_index,
                    &name,
                    span,
                    ".exception_callback",
                    diags,
                ) {
                    decls[i].is_exception_callback = true;
                }
            }
            Directive::Loc(_) | Directive::Ignored => {}
        }
    }

    // The uBPF dialect's quirk: a jump to `exit` with no such label goes to the first `exit`.
    let first_exit = placed
        .iter()
        .find(|p| p.pending.insn == Insn::Exit)
        .map(|p| p.pc);
    let resolve_label = |name: &str, span: Span| -> Result<usize, Diagnostic> {
        if let Some(&(pc, _)) = labels.get(name) {
            return Ok(pc);
        }
        if name == "exit" {
            if let Some(pc) = first_exit {
                return Ok(pc);
            }
        }
        Err(diag(
            span,
            AsmError::UndefinedLabel {
                name: name.to_string(),
            },
        ))
    };

    let mut slots: Vec<RawInsn> = Vec::with_capacity(len);
    let mut spans: Vec<Span> = Vec::with_capacity(len);
    for Placed { pending, pc } in placed {
        let Pending { insn, fixup, span } = pending;
        let resolved = match fixup {
            None => Ok(insn),
            Some(f) => resolve(insn, f, pc, span, &resolve_label, &map_index),
        };
        let insn = match resolved {
            Ok(i) => i,
            Err(d) => {
                diags.push(d);
                insn
            }
        };
        insn.encode_into(&mut slots);
        spans.extend(std::iter::repeat_n(span, insn.slots()));
    }
    if len == 0 && diags.is_empty() {
        diags.push(Diagnostic::new(1, 1, 1, AsmError::EmptyProgram));
    }
    if !diags.is_empty() {
        return None;
    }
    let mut program = Program::new(
        slots,
        spans,
        &decls,
        maps,
        prog_type.map(|(t, _)| t),
        label_list,
    );
    program.line_info = line_info.into_iter().map(|(record, _)| record).collect();
    Some(program)
}

fn relative(
    pc: usize,
    target: Target,
    resolve_label: &dyn Fn(&str, Span) -> Result<usize, Diagnostic>,
) -> Result<i64, Diagnostic> {
    match target {
        Target::Relative(n) => Ok(n),
        Target::Label(name, span) => {
            let t = resolve_label(&name, span)?;
            Ok(t as i64 - (pc as i64 + 1))
        }
    }
}

fn out_of_range(span: Span, what: &str, value: i64, lo: i64, hi: i64) -> Diagnostic {
    diag(
        span,
        AsmError::OutOfRange {
            what: what.to_string(),
            value: value.to_string(),
            range: format!("{lo}..={hi}"),
        },
    )
}

fn resolve(
    insn: Insn,
    fixup: Fixup,
    pc: usize,
    span: Span,
    resolve_label: &dyn Fn(&str, Span) -> Result<usize, Diagnostic>,
    maps: &HashMap<String, usize>,
) -> Result<Insn, Diagnostic> {
    let off16 = |rel: i64| -> Result<i16, Diagnostic> {
        i16::try_from(rel)
            .map_err(|_| out_of_range(span, "jump offset", rel, i16::MIN as i64, i16::MAX as i64))
    };
    let imm32 = |rel: i64, what: &str| -> Result<i32, Diagnostic> {
        i32::try_from(rel)
            .map_err(|_| out_of_range(span, what, rel, i32::MIN as i64, i32::MAX as i64))
    };
    Ok(match (insn, fixup) {
        (Insn::Ja { .. }, Fixup::Jump(t)) => Insn::Ja {
            off: off16(relative(pc, t, resolve_label)?)?,
        },
        (Insn::MayGoto { .. }, Fixup::Jump(t)) => Insn::MayGoto {
            off: off16(relative(pc, t, resolve_label)?)?,
        },
        (Insn::Gotol { .. }, Fixup::Jump(t)) => Insn::Gotol {
            imm: imm32(relative(pc, t, resolve_label)?, "jump offset")?,
        },
        (
            Insn::Jump {
                width,
                op,
                dst,
                src,
                ..
            },
            Fixup::Jump(t),
        ) => Insn::Jump {
            width,
            op,
            dst,
            src,
            off: off16(relative(pc, t, resolve_label)?)?,
        },
        (Insn::Call(_), Fixup::CallLocal(t)) => Insn::Call(CallTarget::Local(imm32(
            relative(pc, t, resolve_label)?,
            "call offset",
        )?)),
        (Insn::Call(_), Fixup::CallName(name, name_span)) => {
            if resolve_label(&name, name_span).is_ok() && name != "exit" {
                let rel = relative(pc, Target::Label(name, name_span), resolve_label)?;
                Insn::Call(CallTarget::Local(imm32(rel, "call offset")?))
            } else {
                match resolve_call_name(&name) {
                    Some(CallRef::Helper { id }) => Insn::Call(CallTarget::Helper(id)),
                    Some(CallRef::Kfunc { btf_id }) => Insn::Call(CallTarget::Kfunc(btf_id)),
                    None => return Err(diag(name_span, AsmError::UnknownFunction { name })),
                }
            }
        }
        (Insn::LdImm64 { dst, .. }, Fixup::FuncAddr(name, name_span)) => {
            let rel = relative(pc, Target::Label(name, name_span), resolve_label)?;
            Insn::LdImm64 {
                dst,
                kind: Imm64Kind::Func,
                imm: imm32(rel, "function offset")? as u32 as u64,
            }
        }
        (
            Insn::LdImm64 { dst, kind, .. },
            Fixup::Map {
                name,
                span: name_span,
                offset,
                ..
            },
        ) => {
            let idx = *maps
                .get(&name)
                .ok_or_else(|| diag(name_span, AsmError::UnknownMap { name }))?;
            Insn::LdImm64 {
                dst,
                kind,
                imm: idx as u64 | (offset as u32 as u64) << 32,
            }
        }
        (insn, _) => insn,
    })
}
