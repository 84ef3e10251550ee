//! Raw bytecode as text: hex bytes (`b7 00 00 00 01 00 00 00`, `b700000001000000`,
//! `0xb7, 0x00, ...`) or little-endian 64-bit words (`0x00000001000000b7`), 8 bytes per
//! instruction, any number of whole instructions per line.

use unwind_isa::{RawInsn, SLOT_SIZE};

use crate::diagnostic::{expected, AsmError, Diagnostic};

/// Strips `#`, `//` and `;` comments.
fn strip_comment(line: &str) -> &str {
    let mut end = line.len();
    for pat in ["#", "//", ";"] {
        if let Some(i) = line.find(pat) {
            end = end.min(i);
        }
    }
    &line[..end]
}

/// Whether a line, comments removed, is made only of hex groups (used by syntax detection).
pub(crate) fn looks_like_hex(line: &str) -> bool {
    let body = strip_comment(line).trim();
    !body.is_empty()
        && body
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .all(|w| {
                let digits = w
                    .strip_prefix("0x")
                    .or_else(|| w.strip_prefix("0X"))
                    .unwrap_or(w);
                !digits.is_empty()
                    && digits.len() % 2 == 0
                    && digits.chars().all(|c| c.is_ascii_hexdigit())
            })
}

/// Parses hex text into slots, with one diagnostic per bad line.
pub(crate) fn parse(src: &str, diags: &mut Vec<Diagnostic>) -> Vec<(RawInsn, u32)> {
    let mut slots = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let number = i as u32 + 1;
        let body = strip_comment(line);
        let mut bytes = Vec::new();
        let mut ok = true;
        let is_sep = |c: char| c.is_whitespace() || c == ',';
        let words = body.char_indices().filter_map(|(i, c)| {
            let starts = !is_sep(c) && body[..i].chars().next_back().is_none_or(is_sep);
            starts.then(|| {
                let rest = &body[i..];
                let end = rest.find(is_sep).unwrap_or(rest.len());
                (i, &rest[..end])
            })
        });
        for (start, word) in words {
            let column = body[..start].chars().count() as u32 + 1;
            let prefixed = word.starts_with("0x") || word.starts_with("0X");
            let digits = if prefixed { &word[2..] } else { word };
            if digits.is_empty()
                || !digits.chars().all(|c| c.is_ascii_hexdigit())
                || digits.len() % 2 != 0
            {
                diags.push(Diagnostic::new(
                    number,
                    column,
                    column + word.chars().count() as u32,
                    expected(
                        "hex bytes (two hex digits each) or a 0x-prefixed 64-bit word",
                        format!("'{word}'"),
                    ),
                ));
                ok = false;
                break;
            }
            if prefixed && digits.len() == 16 {
                // A 64-bit word, little-endian like the conformance suite's `-- raw` section.
                let w = u64::from_str_radix(digits, 16).expect("16 hex digits");
                bytes.extend_from_slice(&w.to_le_bytes());
            } else {
                for pair in digits.as_bytes().chunks(2) {
                    let s = std::str::from_utf8(pair).expect("ascii hex");
                    bytes.push(u8::from_str_radix(s, 16).expect("hex pair"));
                }
            }
        }
        if !ok || bytes.is_empty() {
            continue;
        }
        if bytes.len() % SLOT_SIZE != 0 {
            let end = body.trim_end().chars().count() as u32 + 1;
            diags.push(Diagnostic::new(
                number,
                1,
                end,
                AsmError::InvalidBytecode {
                    reason: format!(
                        "{} bytes on this line: expected a multiple of 8 (whole instructions)",
                        bytes.len()
                    ),
                },
            ));
            continue;
        }
        for chunk in bytes.chunks_exact(SLOT_SIZE) {
            slots.push((
                RawInsn::from_bytes(chunk.try_into().expect("8 bytes")),
                number,
            ));
        }
    }
    slots
}
