//! Directives: `.globl`, `.exception_callback`, `.map`, `.ctx` (SPEC §2), shared by both syntaxes.

use unwind_kernel::{MapType, ProgType};
use unwind_program::GlobalArg;

use crate::cursor::{Cursor, Directive, PResult};
use crate::diagnostic::AsmError;
use crate::lexer::Kind;

/// Directives LLVM's output carries that mean nothing here.
const IGNORED: [&str; 10] = [
    ".text", ".section", ".p2align", ".type", ".size", ".file", ".addrsig", ".align", ".data",
    ".local",
];

pub(crate) fn parse(c: &mut Cursor) -> PResult<Directive> {
    let name_tok = c.next().expect("caller saw a directive");
    let name = name_tok.text.as_str();
    if IGNORED.contains(&name) {
        c.pos = c.line.tokens.len();
        return Ok(Directive::Ignored);
    }
    let d = match name {
        ".globl" | ".global" => {
            let name = c.ident("a function name")?.text.clone();
            let mut args = Vec::new();
            if c.eat("(") && !c.eat(")") {
                loop {
                    args.push(global_arg(c)?);
                    if c.eat(")") {
                        break;
                    }
                    c.expect(",")?;
                }
            }
            // `void` after the arguments: BTF's void return (an `int` otherwise).
            let returns_void = c
                .peek()
                .is_some_and(|t| t.kind == Kind::Ident && t.text == "void");
            if returns_void {
                c.next();
            }
            Directive::Globl {
                name,
                args,
                returns_void,
            }
        }
        ".exception_callback" => {
            Directive::ExceptionCallback(c.ident("a function name")?.text.clone())
        }
        // LLVM's own `.loc FILENO LINE COL ...` refers to `.file` numbers and has no source
        // text: nothing to keep.
        ".loc" if c.peek().is_some_and(|t| t.kind == Kind::Number) => {
            c.pos = c.line.tokens.len();
            Directive::Ignored
        }
        ".loc" => {
            let file = c.string("a quoted file name (.loc \"prog.c\" LINE:COLUMN \"text\")")?;
            let line = c.int_in("line number", 0, u32::MAX as i128)? as u32;
            c.expect(":")?;
            let column = c.int_in("column", 0, u32::MAX as i128)? as u32;
            let text = c.string("the quoted source text")?;
            Directive::Loc(unwind_program::SourceLine {
                pc: 0,
                text,
                file,
                line,
                column,
            })
        }
        ".ctx" => {
            let t = c.ident("a program type")?;
            let mut name = t.text.clone();
            // Section-style names such as `cgroup/skb`.
            if c.peek_is("/") {
                c.next();
                name.push('/');
                name.push_str(&c.ident("a program type")?.text);
            }
            let ty = ProgType::from_name(&name)
                .ok_or_else(|| c.error_at(t, AsmError::UnknownProgType { name: name.clone() }))?;
            Directive::Ctx(ty)
        }
        ".map" => {
            let name = c.ident("a map name")?.text.clone();
            let t = c.ident("a map type")?;
            let map_type = MapType::from_name(&t.text).ok_or_else(|| {
                c.error_at(
                    t,
                    AsmError::UnknownMapType {
                        name: t.text.clone(),
                    },
                )
            })?;
            let (mut key, mut value, mut entries) = (None, None, None);
            while !c.at_end() {
                let k = c.ident("key=, value= or max_entries=")?;
                c.expect("=")?;
                let v = c.int_in(&format!("{} size", k.text), 0, u32::MAX as i128)? as u32;
                let slot = match k.text.as_str() {
                    "key" | "key_size" => &mut key,
                    "value" | "value_size" => &mut value,
                    "max_entries" | "entries" => &mut entries,
                    other => {
                        return Err(c.error_at(
                            k,
                            crate::diagnostic::expected(
                                "key=, value= or max_entries=",
                                format!("'{other}'"),
                            ),
                        ))
                    }
                };
                *slot = Some(v);
            }
            let missing = |what: &str| c.expected(&format!("{what}=N"));
            Directive::Map {
                name,
                map_type,
                key_size: key.ok_or_else(|| missing("key"))?,
                value_size: value.ok_or_else(|| missing("value"))?,
                max_entries: entries.ok_or_else(|| missing("max_entries"))?,
            }
        }
        _ => {
            return Err(c.error_at(
                name_tok,
                AsmError::UnknownDirective {
                    name: name.to_string(),
                },
            ))
        }
    };
    c.expect_end()?;
    Ok(d)
}

fn global_arg(c: &mut Cursor) -> PResult<GlobalArg> {
    let t = c.peek().filter(|t| t.kind == Kind::Ident);
    let Some(t) = t else {
        return Err(c.expected(&unwind_program::names::list(GlobalArg::NAMES)));
    };
    c.next();
    // `mem:N` is three tokens, its size checked here with a position; the words go through
    // `GlobalArg`'s names (the alias rule).
    if unwind_program::names::matches(&t.text, "mem") {
        c.expect(":")?;
        let n = c.int_in("memory size", 1, u32::MAX as i128)?;
        return Ok(GlobalArg::Mem(n as u32));
    }
    t.text.parse::<GlobalArg>().map_err(|_| {
        c.error_at(
            t,
            AsmError::UnknownArgType {
                found: t.text.clone(),
            },
        )
    })
}
