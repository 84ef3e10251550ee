//! `bpf_trace_printk`'s formatting, with the kernel's rules (`bpf_bprintf_prepare`): at most
//! three arguments; conversions `%d %i %u %x %X` with optional `l`/`ll`, `%c`, `%s`, `%p`
//! (`%px`, `%pK`) and `%%`; optional `0`, `-`, `+`, space flags and a width; no precision.
//! Without `l` an argument is 32 bits. Anything else makes the helper fail with -EINVAL and
//! print nothing. Pointers print as 16 hex digits (as `%px` does); a `%s` whose pointer cannot
//! be read prints nothing for that conversion.

/// The kernel's output buffer size (`BPF_TRACE_PRINTK_SIZE`); longer output is cut.
pub const OUTPUT_MAX: usize = 1023;

/// Formats `fmt` (up to its NUL) with `args`; `read_str` reads a NUL-terminated string.
pub fn format(
    fmt: &[u8],
    args: [u64; 3],
    read_str: &dyn Fn(u64) -> Option<Vec<u8>>,
) -> Result<String, &'static str> {
    let end = fmt.iter().position(|&b| b == 0).unwrap_or(fmt.len());
    let fmt = &fmt[..end];
    let mut out = String::new();
    let mut n = 0usize;
    let mut i = 0usize;
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    while i < fmt.len() {
        let c = fmt[i];
        if !(c.is_ascii_graphic() || c.is_ascii_whitespace()) {
            return Err("the format has a non-printable character");
        }
        if c != b'%' {
            out.push(c as char);
            i += 1;
            continue;
        }
        if at(i + 1) == b'%' {
            out.push('%');
            i += 2;
            continue;
        }
        if n >= 3 {
            return Err("more than three conversions");
        }
        i += 1;
        let (mut zero, mut left, mut plus, mut space) = (false, false, false, false);
        loop {
            match at(i) {
                b'0' => zero = true,
                b'-' => left = true,
                b'+' => plus = true,
                b' ' => space = true,
                _ => break,
            }
            i += 1;
        }
        let mut width = 0usize;
        if (b'1'..=b'9').contains(&at(i)) {
            while at(i).is_ascii_digit() {
                width = width * 10 + (at(i) - b'0') as usize;
                i += 1;
            }
        }
        let arg = args[n];
        n += 1;
        let body = match at(i) {
            b'p' => {
                i += 1;
                if matches!(at(i), b'x' | b'K') {
                    i += 1;
                }
                pad(&format!("{arg:016x}"), width, left)
            }
            b'c' => {
                i += 1;
                pad(&((arg as u8) as char).to_string(), width, left)
            }
            b's' => {
                i += 1;
                let s = read_str(arg)
                    .map(|s| String::from_utf8_lossy(&s).into_owned())
                    .unwrap_or_default();
                pad(&s, width, left)
            }
            _ => {
                let mut long = false;
                if at(i) == b'l' {
                    long = true;
                    i += 1;
                    if at(i) == b'l' {
                        i += 1;
                    }
                }
                let conv = at(i);
                i += 1;
                let v = if long { arg } else { arg as u32 as u64 };
                match conv {
                    b'd' | b'i' => {
                        let sv = if long {
                            v as i64
                        } else {
                            v as u32 as i32 as i64
                        };
                        let sign = if sv < 0 {
                            "-"
                        } else if plus {
                            "+"
                        } else if space {
                            " "
                        } else {
                            ""
                        };
                        let digits = sv.unsigned_abs().to_string();
                        pad_number(sign, &digits, width, zero, left)
                    }
                    b'u' => pad_number("", &v.to_string(), width, zero, left),
                    b'x' => pad_number("", &format!("{v:x}"), width, zero, left),
                    b'X' => pad_number("", &format!("{v:X}"), width, zero, left),
                    _ => return Err("unsupported conversion"),
                }
            }
        };
        out.push_str(&body);
    }
    if out.len() > OUTPUT_MAX {
        let mut cut = OUTPUT_MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    Ok(out)
}

fn pad(body: &str, width: usize, left: bool) -> String {
    if left {
        format!("{body:<width$}")
    } else {
        format!("{body:>width$}")
    }
}

fn pad_number(sign: &str, digits: &str, width: usize, zero: bool, left: bool) -> String {
    let len = sign.len() + digits.len();
    if len >= width {
        return format!("{sign}{digits}");
    }
    let fill = width - len;
    if left {
        format!("{sign}{digits}{}", " ".repeat(fill))
    } else if zero {
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{sign}{digits}", " ".repeat(fill))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, args: [u64; 3]) -> Result<String, &'static str> {
        let mut b = fmt.as_bytes().to_vec();
        b.push(0);
        format(&b, args, &|p| (p == 7).then(|| b"hi".to_vec()))
    }

    #[test]
    fn conversions_like_the_kernel() {
        assert_eq!(f("%d %u %x", [-1i64 as u64, 5, 255]).unwrap(), "-1 5 ff");
        assert_eq!(
            f("%lld %llu %llx", [-2i64 as u64, u64::MAX, 1 << 40]).unwrap(),
            "-2 18446744073709551615 10000000000"
        );
        // Without `l` the argument is 32 bits.
        assert_eq!(f("%d", [0xffff_ffff_0000_0005, 0, 0]).unwrap(), "5");
        assert_eq!(f("%s!", [7, 0, 0]).unwrap(), "hi!");
        assert_eq!(f("%s!", [8, 0, 0]).unwrap(), "!");
        assert_eq!(f("%p", [0x1234, 0, 0]).unwrap(), "0000000000001234");
        assert_eq!(f("100%%", [0, 0, 0]).unwrap(), "100%");
        assert_eq!(f("%05d|%-4u|%+d", [42, 7, 3]).unwrap(), "00042|7   |+3");
        assert_eq!(f("%c", [b'A' as u64, 0, 0]).unwrap(), "A");
        assert_eq!(f("%4x|%-3c|", [0xab, b'z' as u64, 0]).unwrap(), "  ab|z  |");
    }

    #[test]
    fn refusals_like_the_kernel() {
        assert!(f("%d %d %d %d", [0; 3]).is_err());
        assert!(f("%f", [0; 3]).is_err());
        assert!(f("%.2d", [0; 3]).is_err());
        assert!(f("\x01", [0; 3]).is_err());
    }
}
