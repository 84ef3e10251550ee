//! A cursor over one line's tokens, and the statement forms both syntaxes parse into.

use unwind_isa::{Insn, Reg, Size, Width};
use unwind_program::{GlobalArg, Span};

use crate::diagnostic::{expected, AsmError, Diagnostic};
use crate::lexer::{Kind, Line, Token};

/// Where a jump or call goes before labels are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `+N` / `-N` / `pc+N`: relative to the next instruction.
    Relative(i64),
    Label(String, Span),
}

/// A part of an instruction that is filled in once every label and map is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fixup {
    /// The offset of a jump (or the imm of `gotol`).
    Jump(Target),
    /// `call NAME`: a label (bpf-to-bpf call) or a catalogue function.
    CallName(String, Span),
    /// `call local NAME` or `call +N`: a bpf-to-bpf call.
    CallLocal(Target),
    /// `rN = NAME`: the address of a function (`BPF_PSEUDO_FUNC`).
    FuncAddr(String, Span),
    /// `rN = map[NAME] ll` or `map_value[NAME] + OFF ll`.
    Map {
        name: String,
        span: Span,
        value: bool,
        offset: i32,
    },
}

/// One parsed instruction with what remains to be resolved.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub insn: Insn,
    pub fixup: Option<Fixup>,
    pub span: Span,
}

/// A directive.
#[derive(Clone, Debug)]
pub(crate) enum Directive {
    Globl {
        name: String,
        args: Vec<GlobalArg>,
        returns_void: bool,
    },
    ExceptionCallback(String),
    Map {
        name: String,
        map_type: unwind_kernel::MapType,
        key_size: u32,
        value_size: u32,
        max_entries: u32,
    },
    Ctx(unwind_kernel::ProgType),
    /// `.loc "file" LINE:COLUMN "text"`: the C source line of the instructions that follow
    /// (a BTF `line_info` record, as `unwind disasm` prints an object's).
    Loc(unwind_program::SourceLine),
    /// `.syntax NAME` is handled before parsing; other directives LLVM emits are ignored.
    Ignored,
}

/// What a line holds.
#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    Label(String, Span),
    Insn(Pending),
    Directive(Directive, Span),
}

pub(crate) type PResult<T> = Result<T, Diagnostic>;

pub(crate) struct Cursor<'a> {
    pub line: &'a Line,
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(line: &'a Line) -> Self {
        Self { line, pos: 0 }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.line.tokens.get(self.pos)
    }

    pub fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.line.tokens.get(self.pos + n)
    }

    pub fn peek_is(&self, text: &str) -> bool {
        self.peek().is_some_and(|t| t.is(text))
    }

    pub fn next(&mut self) -> Option<&'a Token> {
        let t = self.line.tokens.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.line.tokens.len()
    }

    /// Column where the next token starts (or the end of the line).
    pub fn col(&self) -> u32 {
        self.peek().map_or(self.line.end_col, |t| t.col)
    }

    pub fn span_from(&self, col: u32) -> Span {
        let end = if self.pos == 0 {
            col
        } else {
            self.line.tokens[self.pos - 1].end
        };
        Span::new(self.line.number, col, end.max(col))
    }

    pub fn describe_next(&self) -> String {
        match self.peek() {
            Some(t) => format!("'{}'", t.text),
            None => "end of line".to_string(),
        }
    }

    /// An error at the next token.
    pub fn error(&self, err: AsmError) -> Diagnostic {
        let (col, end) = self
            .peek()
            .map_or((self.line.end_col, self.line.end_col), |t| (t.col, t.end));
        Diagnostic::new(self.line.number, col, end, err)
    }

    pub fn error_at(&self, tok: &Token, err: AsmError) -> Diagnostic {
        Diagnostic::new(self.line.number, tok.col, tok.end, err)
    }

    pub fn expected(&self, what: &str) -> Diagnostic {
        self.error(expected(what, self.describe_next()))
    }

    pub fn expect(&mut self, text: &str) -> PResult<&'a Token> {
        if self.peek_is(text) {
            Ok(self.next().expect("peeked"))
        } else {
            Err(self.expected(&format!("'{text}'")))
        }
    }

    pub fn eat(&mut self, text: &str) -> bool {
        if self.peek_is(text) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn expect_end(&self) -> PResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.expected("end of line"))
        }
    }

    /// A `"quoted"` string's content.
    pub fn string(&mut self, what: &str) -> PResult<String> {
        match self.peek() {
            Some(t) if t.kind == Kind::Str => Ok(self.next().expect("peeked").text.clone()),
            _ => Err(self.expected(what)),
        }
    }

    pub fn ident(&mut self, what: &str) -> PResult<&'a Token> {
        match self.peek() {
            Some(t) if t.kind == Kind::Ident => Ok(self.next().expect("peeked")),
            _ => Err(self.expected(what)),
        }
    }

    /// A register `rN`/`wN` (also `%rN` in the uBPF dialect).
    pub fn reg(&mut self) -> PResult<(Reg, Width)> {
        let Some(t) = self.peek() else {
            return Err(self.expected("a register"));
        };
        match parse_reg(&t.text) {
            RegParse::Ok(r, w) => {
                self.pos += 1;
                Ok((r, w))
            }
            RegParse::BadNumber => Err(self.error(AsmError::InvalidRegister {
                found: t.text.clone(),
            })),
            RegParse::NotReg => Err(self.expected("a register")),
        }
    }

    /// Whether the next token is shaped like a register (`r12` is, though invalid).
    pub fn peek_reg_like(&self) -> bool {
        self.peek()
            .is_some_and(|t| !matches!(parse_reg(&t.text), RegParse::NotReg))
    }

    pub fn peek_reg(&self) -> Option<(Reg, Width)> {
        match parse_reg(&self.peek()?.text) {
            RegParse::Ok(r, w) => Some((r, w)),
            _ => None,
        }
    }

    /// A register of the given width.
    pub fn reg_of(&mut self, width: Width) -> PResult<Reg> {
        let tok = self.peek();
        let (r, w) = self.reg()?;
        if w != width {
            let tok = tok.expect("a register was parsed");
            return Err(self.error_at(
                tok,
                AsmError::WidthMismatch {
                    expected: format!("{}{}", width_prefix(width), r.index()),
                    found: tok.text.clone(),
                },
            ));
        }
        Ok(r)
    }

    /// A signed integer: optional `-`/`+` then a number. Returns the value as i128.
    pub fn int(&mut self) -> PResult<(i128, u32)> {
        let col = self.col();
        let neg = if self.eat("-") {
            true
        } else {
            self.eat("+");
            false
        };
        let Some(t) = self.peek() else {
            return Err(self.expected("a number"));
        };
        if t.kind != Kind::Number {
            return Err(self.expected("a number"));
        }
        let v = parse_number(&t.text).ok_or_else(|| {
            self.error(AsmError::InvalidNumber {
                found: t.text.clone(),
            })
        })?;
        self.pos += 1;
        Ok((if neg { -v } else { v }, col))
    }

    pub fn peek_int(&self) -> bool {
        match self.peek() {
            Some(t) if t.kind == Kind::Number => true,
            Some(t) if t.is("-") || t.is("+") => {
                self.peek_at(1).is_some_and(|n| n.kind == Kind::Number)
            }
            _ => false,
        }
    }

    /// An integer that must fit `lo..=hi`.
    pub fn int_in(&mut self, what: &str, lo: i128, hi: i128) -> PResult<i128> {
        let (v, col) = self.int()?;
        if v < lo || v > hi {
            return Err(Diagnostic::new(
                self.line.number,
                col,
                self.span_from(col).end_column,
                AsmError::OutOfRange {
                    what: what.to_string(),
                    value: v.to_string(),
                    range: format!("{lo}..={hi}"),
                },
            ));
        }
        Ok(v)
    }

    /// A 32-bit immediate: a signed value, or an unsigned one up to `u32::MAX` taken as its
    /// bit pattern (as LLVM does: `r1 = 0xffffffff` encodes imm -1).
    pub fn imm32(&mut self) -> PResult<i32> {
        let v = self.int_in("immediate", i32::MIN as i128, u32::MAX as i128)?;
        Ok(v as u32 as i32)
    }

    pub fn off16(&mut self) -> PResult<i16> {
        Ok(self.int_in("offset", i16::MIN as i128, i16::MAX as i128)? as i16)
    }
}

pub(crate) fn width_prefix(w: Width) -> char {
    match w {
        Width::W32 => 'w',
        Width::W64 => 'r',
    }
}

enum RegParse {
    Ok(Reg, Width),
    BadNumber,
    NotReg,
}

fn parse_reg(text: &str) -> RegParse {
    let t = text.strip_prefix('%').unwrap_or(text);
    let mut chars = t.chars();
    let width = match chars.next() {
        Some('r') => Width::W64,
        Some('w') => Width::W32,
        _ => return RegParse::NotReg,
    };
    let digits = chars.as_str();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return RegParse::NotReg;
    }
    match digits.parse::<u8>().ok().and_then(Reg::new) {
        Some(r) if digits.len() <= 2 => RegParse::Ok(r, width),
        _ => RegParse::BadNumber,
    }
}

/// Decimal or `0x` hexadecimal (also `0b` binary and `0o` octal), unsigned.
pub(crate) fn parse_number(text: &str) -> Option<i128> {
    let t = text.replace('_', "");
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = t.strip_prefix("0b") {
        (b, 2)
    } else if let Some(o) = t.strip_prefix("0o") {
        (o, 8)
    } else {
        (t.as_str(), 10)
    };
    if digits.is_empty() || digits.len() > 40 {
        return None;
    }
    u128::from_str_radix(digits, radix)
        .ok()
        .filter(|&v| v <= u64::MAX as u128)
        .map(|v| v as i128)
}

/// `u8`, `u16`, `u32`, `u64` (and `s8`.. for sign-extending loads): the size and signedness.
pub(crate) fn parse_size_type(text: &str) -> Option<(Size, bool)> {
    Some(match text {
        "u8" => (Size::B, false),
        "u16" => (Size::H, false),
        "u32" => (Size::W, false),
        "u64" => (Size::DW, false),
        "s8" => (Size::B, true),
        "s16" => (Size::H, true),
        "s32" => (Size::W, true),
        _ => return None,
    })
}
