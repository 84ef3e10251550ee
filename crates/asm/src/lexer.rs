//! Splits source text into lines of tokens, with comments removed and columns kept.

use crate::diagnostic::{AsmError, Diagnostic};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Names, mnemonics and registers: letters, digits, `_`, `.`, and a leading `%`.
    Ident,
    /// A number without sign: decimal or `0x` hexadecimal.
    Number,
    /// Operators and punctuation.
    Punct,
    /// A `"quoted"` string (`.loc`'s file and source text); the token's text is its content
    /// with `\"`, `\\`, `\n` and `\r` unescaped.
    Str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
    /// 1-based column of the first character.
    pub col: u32,
    /// Column just past the last character.
    pub end: u32,
}

impl Token {
    /// The token is this operator, punctuation or word (never a string holding that text).
    pub fn is(&self, text: &str) -> bool {
        self.kind != Kind::Str && self.text == text
    }
}

/// One source line with its tokens. `log_opcode` is the opcode byte of a pasted verifier-log
/// line (`12: (85) call ...`), whose prefix is not part of the tokens.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub number: u32,
    pub tokens: Vec<Token>,
    pub log_opcode: Option<u8>,
    /// Column just past the last token (for "found end of line" diagnostics).
    pub end_col: u32,
}

const PUNCTS: [&str; 30] = [
    "<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "==", "!=", ">=", "<=", "<<",
    ">>", "=", "<", ">", "&", "(", ")", "*", "+", "-", "[", "]", ",", ":", "/",
];

/// Longest line the lexer looks at; longer lines are an error rather than a slow path.
const MAX_LINE_CHARS: usize = 4096;

/// Replaces `/* ... */` comments with spaces, keeping line breaks so positions stay right. A
/// string (which ends at its closing quote or the line's end) is kept as it is: a C source
/// line in `.loc` may hold `/*`.
fn strip_block_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let mut in_comment = false;
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' if chars.peek().is_some_and(|&n| n != '\n') => {
                    out.push(chars.next().expect("peeked"));
                }
                '"' | '\n' => in_string = false,
                _ => {}
            }
        } else if in_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                out.push_str("  ");
                in_comment = false;
            } else {
                out.push(if c == '\n' { '\n' } else { ' ' });
            }
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            out.push_str("  ");
            in_comment = true;
        } else {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// Tokenizes every line. Lines that hold only comments or blanks are omitted.
pub(crate) fn lex(src: &str, diags: &mut Vec<Diagnostic>) -> Vec<Line> {
    let mut lines = Vec::new();
    lex_each(src, diags, |line, _| lines.push(line));
    lines
}

/// Tokenizes line by line, handing each line to `each` (with the diagnostics so far) and
/// dropping its tokens afterwards, so memory stays proportional to one line.
pub(crate) fn lex_each(
    src: &str,
    diags: &mut Vec<Diagnostic>,
    mut each: impl FnMut(Line, &mut Vec<Diagnostic>),
) {
    let text = strip_block_comments(src);
    for (i, raw) in text.lines().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let chars: Vec<char> = raw.chars().collect();
        if chars.len() > MAX_LINE_CHARS {
            diags.push(Diagnostic::new(
                number,
                MAX_LINE_CHARS as u32 + 1,
                chars.len() as u32 + 1,
                AsmError::OutOfRange {
                    what: "line length".into(),
                    value: chars.len().to_string(),
                    range: format!("at most {MAX_LINE_CHARS} characters"),
                },
            ));
            continue;
        }
        if let Some(line) = lex_line(number, &chars, diags) {
            each(line, diags);
        }
    }
}

/// `%` (uBPF registers) and `.` (directives, local labels) start a name only before a letter,
/// so that `%=` stays an operator.
fn is_ident_start(c: char, next: Option<char>) -> bool {
    c.is_ascii_alphabetic()
        || c == '_'
        || ((c == '%' || c == '.') && next.is_some_and(|n| n.is_ascii_alphabetic() || n == '_'))
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

fn lex_line(number: u32, chars: &[char], diags: &mut Vec<Diagnostic>) -> Option<Line> {
    let mut i = 0;
    let mut tokens = Vec::new();
    let log_opcode = log_prefix(chars, &mut i);
    while i < chars.len() {
        let c = chars[i];
        let col = i as u32 + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // `name#123` as the verifier log prints calls: keep `#` and the id as tokens.
        if c == '#'
            && i > 0
            && is_ident_char(chars[i - 1])
            && (chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                || (chars.get(i + 1) == Some(&'-')
                    && chars.get(i + 2).is_some_and(|d| d.is_ascii_digit())))
        {
            tokens.push(Token {
                kind: Kind::Punct,
                text: "#".to_string(),
                col,
                end: col + 1,
            });
            i += 1;
            continue;
        }
        if c == '"' {
            let (token, next) = string_token(number, chars, i, diags)?;
            tokens.push(token);
            i = next;
            continue;
        }
        // Comments: `//`, `#`, and `;` (the verifier log's state suffix) run to the end of line.
        if c == '#' || c == ';' || (c == '/' && chars.get(i + 1) == Some(&'/')) {
            break;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token {
                kind: Kind::Number,
                text: chars[start..i].iter().collect(),
                col,
                end: i as u32 + 1,
            });
            continue;
        }
        if is_ident_start(c, chars.get(i + 1).copied()) {
            let start = i;
            i += 1;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            tokens.push(Token {
                kind: Kind::Ident,
                text: chars[start..i].iter().collect(),
                col,
                end: i as u32 + 1,
            });
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(*p)) {
            let n = p.chars().count();
            tokens.push(Token {
                kind: Kind::Punct,
                text: p.to_string(),
                col,
                end: col + n as u32,
            });
            i += n;
            continue;
        }
        diags.push(Diagnostic::new(
            number,
            col,
            col + 1,
            crate::diagnostic::expected("an instruction", format!("unexpected character '{c}'")),
        ));
        return None;
    }
    if tokens.is_empty() {
        return None;
    }
    let end_col = tokens.last().map_or(1, |t| t.end);
    Some(Line {
        number,
        tokens,
        log_opcode,
        end_col,
    })
}

/// The string starting at `chars[start]` (a `"`) and the index after its closing quote; a
/// string without one is an error.
fn string_token(
    number: u32,
    chars: &[char],
    start: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Token, usize)> {
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                let token = Token {
                    kind: Kind::Str,
                    text,
                    col: start as u32 + 1,
                    end: i as u32 + 2,
                };
                return Some((token, i + 1));
            }
            '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | 'n' | 'r')) => {
                text.push(match chars[i + 1] {
                    'n' => '\n',
                    'r' => '\r',
                    c => c,
                });
                i += 2;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    diags.push(Diagnostic::new(
        number,
        start as u32 + 1,
        chars.len() as u32 + 1,
        crate::diagnostic::expected("a closing '\"'", "end of line"),
    ));
    None
}

/// Recognises a pasted kernel verifier-log prefix `12: (85) ` and skips it.
fn log_prefix(chars: &[char], i: &mut usize) -> Option<u8> {
    let mut j = 0;
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    let digits = j;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    if j == digits || chars.get(j) != Some(&':') {
        return None;
    }
    j += 1;
    while j < chars.len() && chars[j] == ' ' {
        j += 1;
    }
    if chars.get(j) != Some(&'(') || chars.get(j + 3) != Some(&')') {
        return None;
    }
    let hex: String = chars[j + 1..j + 3].iter().collect();
    let op = u8::from_str_radix(&hex, 16).ok()?;
    *i = j + 4;
    Some(op)
}
