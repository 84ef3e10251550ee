//! The BPF conformance suite's `.data` files: parsing, and running one case with the suite's
//! conventions (helper table with `unwind` as helper 5; R1 = the `-- mem` bytes, R2 = their
//! length). Assembling the `-- asm` section (uBPF dialect) is the caller's job, so this crate
//! stays independent of the assembler.

use unwind_isa::RawInsn;
use unwind_program::Program;

use crate::fault::Fault;
use crate::machine::{Config, HelperTable, Machine, Status};
use crate::world::World;

/// One `.data` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Case {
    /// The `-- asm` section, with the other lines blanked so line numbers are the file's.
    pub asm: Option<String>,
    /// The `-- raw` section's instruction words.
    pub raw: Option<Vec<RawInsn>>,
    /// The `-- mem` bytes.
    pub mem: Option<Vec<u8>>,
    /// The expected R0.
    pub result: Option<u64>,
}

impl Case {
    pub fn parse(text: &str) -> Result<Case, String> {
        let mut case = Case::default();
        let mut section = String::new();
        let mut asm = String::new();
        let mut has_asm = false;
        let mut raw = Vec::new();
        let mut mem = Vec::new();
        let mut has_mem = false;
        for (i, line) in text.lines().enumerate() {
            if let Some(name) = line.strip_prefix("--") {
                section = name.trim().to_string();
                has_asm |= section == "asm";
                has_mem |= section == "mem";
                asm.push('\n');
                continue;
            }
            let content = line.split('#').next().unwrap_or("").trim();
            match section.as_str() {
                "asm" => asm.push_str(line),
                "raw" if !content.is_empty() => {
                    let digits = content.trim_start_matches("0x");
                    let word = u64::from_str_radix(digits, 16)
                        .map_err(|_| format!("line {}: invalid raw word '{content}'", i + 1))?;
                    raw.push(RawInsn::from_word(word));
                }
                "mem" => {
                    for tok in content.split_whitespace() {
                        mem.push(
                            u8::from_str_radix(tok, 16)
                                .map_err(|_| format!("line {}: invalid mem byte '{tok}'", i + 1))?,
                        );
                    }
                }
                "result" if !content.is_empty() => {
                    case.result =
                        Some(parse_number(content).ok_or_else(|| {
                            format!("line {}: invalid result '{content}'", i + 1)
                        })?);
                }
                _ => {}
            }
            asm.push('\n');
        }
        case.asm = has_asm.then_some(asm);
        case.raw = (!raw.is_empty()).then_some(raw);
        case.mem = has_mem.then_some(mem);
        Ok(case)
    }
}

/// `0x2a`, `42` or `-1`.
pub fn parse_number(s: &str) -> Option<u64> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(neg) = s.strip_prefix('-') {
        neg.parse::<u64>().ok().map(|v| v.wrapping_neg())
    } else {
        s.parse().ok()
    }
}

/// How a case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Returned(u64),
    Faulted(Fault),
}

/// Runs a case's program with the suite's conventions.
pub fn run_case(program: &Program, case: &Case, budget: u64) -> Outcome {
    let world = World {
        mem: case
            .mem
            .as_ref()
            .filter(|m| !m.is_empty())
            .map(|m| m.iter().map(|b| format!("{b:02x}")).collect()),
        ..World::default()
    };
    let config = Config {
        budget,
        helpers: HelperTable::Conformance,
        ..Config::default()
    };
    let mut program = program.clone();
    program.prog_type = None; // raw: R1/R2 are the input memory
    match Machine::new(&program, &world, config) {
        Ok(mut m) => {
            m.run_loop(u64::MAX, None);
            match m.status {
                Status::Exited { return_value } => Outcome::Returned(return_value),
                Status::Faulted { fault } => Outcome::Faulted(fault),
                Status::Running => unreachable!("a full run ends"),
            }
        }
        Err(e) => Outcome::Faulted(Fault::new(
            0,
            0,
            crate::fault::FaultKind::InvalidInsn {
                reason: e.to_string(),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections() {
        let text = "# c\n-- asm\nmov %r0, 1\nexit\n-- mem\n00 01\n02\n-- result\n0x1\n-- raw\n0x00000001000000b7\n";
        let c = Case::parse(text).unwrap();
        assert_eq!(c.result, Some(1));
        assert_eq!(c.mem, Some(vec![0, 1, 2]));
        assert_eq!(c.raw.as_ref().unwrap()[0], RawInsn::new(0xb7, 0, 0, 0, 1));
        let asm = c.asm.unwrap();
        assert_eq!(asm.lines().nth(2), Some("mov %r0, 1"));
        assert_eq!(parse_number("-1"), Some(u64::MAX));
    }
}
