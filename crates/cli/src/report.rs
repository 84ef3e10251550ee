//! Rendering assembler diagnostics the way compilers do:
//!
//! ```text
//! prog.s:3:5: error: invalid register r11: expected r0..r10 or w0..w10
//! 3 |     r11 = 1
//!   |     ^~~
//! ```
//!
//! The first line is `FILE:LINE:COL: error: MESSAGE` (editors and CI annotators parse it); the
//! source line and a caret under the offending columns follow, when the line exists.

use unwind_asm::Diagnostic;

/// Renders every diagnostic, each ending with a newline.
pub fn render_all(file: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| render(file, source, d))
        .collect()
}

/// Renders one diagnostic: the headline, then the source line with a caret line under it.
pub fn render(file: &str, source: &str, diag: &Diagnostic) -> String {
    let mut out = format!("{file}:{diag}\n");
    if let Some(snippet) = snippet(source, diag.line, diag.column, diag.end_column) {
        out.push_str(&snippet);
    }
    out
}

/// The source line and its caret line, or `None` when the diagnostic points at no line.
fn snippet(source: &str, line: u32, column: u32, end_column: u32) -> Option<String> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let text = source.split('\n').nth(index)?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        // Nothing to point at (an empty file, say): the headline says it all.
        return None;
    }
    let chars: Vec<char> = text.chars().collect();

    // Columns are 1-based character positions; a point past the end sits just after the text.
    let len = chars.len();
    let start = (column.max(1) as usize - 1).min(len);
    let width = (end_column.saturating_sub(column) as usize)
        .min(len.saturating_sub(start))
        .max(1);

    // Keep tabs as tabs in the padding so the caret lines up however the terminal expands them.
    let pad: String = chars[..start]
        .iter()
        .map(|&c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    let marker = format!("^{}", "~".repeat(width - 1));
    Some(format!("{number} | {text}\n{gutter} | {pad}{marker}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_asm::AsmError;

    fn diag(line: u32, column: u32, end_column: u32) -> Diagnostic {
        Diagnostic::new(
            line,
            column,
            end_column,
            AsmError::InvalidRegister {
                found: "r11".into(),
            },
        )
    }

    #[test]
    fn caret_under_the_range() {
        let src = "r0 = 1\n    r11 = 1\nexit\n";
        let got = render("p.s", src, &diag(2, 5, 8));
        assert_eq!(
            got,
            "p.s:2:5: error: invalid register r11: expected r0..r10 or w0..w10\n2 |     r11 = 1\n  |     ^~~\n"
        );
    }

    #[test]
    fn tabs_are_kept_and_crlf_dropped() {
        let src = "\tr11 = 1\r\n";
        let got = render("p.s", src, &diag(1, 2, 5));
        assert!(got.ends_with("1 | \tr11 = 1\n  | \t^~~\n"), "{got:?}");
    }

    #[test]
    fn points_past_the_end_and_missing_lines() {
        let src = "r0 =";
        let got = render("p.s", src, &diag(1, 5, 5));
        assert!(got.ends_with("1 | r0 =\n  |     ^\n"), "{got:?}");
        let got = render("p.s", src, &diag(1, 40, 50));
        assert!(got.ends_with("1 | r0 =\n  |     ^\n"), "{got:?}");
        // No such line (or line 0): the headline alone.
        assert_eq!(render("p.s", src, &diag(7, 1, 1)).lines().count(), 1);
        assert_eq!(render("p.s", src, &diag(0, 0, 0)).lines().count(), 1);
        // An empty line has nothing under which to put a caret.
        assert_eq!(render("p.s", "", &diag(1, 1, 1)).lines().count(), 1);
    }
}
