//! The [`Program`]: what the assembler produces and the verifier and the interpreter consume.
//! Instructions are kept as slots (pc = slot index, as in the kernel, so `ld_imm64` takes two
//! pcs), with a source span per slot, the functions (main, static, global, hidden), the maps,
//! the program type and the exception callback.

pub mod disasm;
pub mod names;
mod patch;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unwind_isa::{decode_program, Insn, RawInsn, Slot};
use unwind_kernel::{MapType, ProgType};

pub use patch::{NewFunction, Patch, PatchError, PcMap};

/// Where an instruction or a declaration came from: 1-based line and column, and the column
/// just past its end on the same line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
}

impl Span {
    pub const fn new(line: u32, column: u32, end_column: u32) -> Self {
        Self {
            line,
            column,
            end_column,
        }
    }
}

/// How a function is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Linkage {
    /// The program's entry, at pc 0.
    Main,
    /// Verified in its caller's context.
    Static,
    /// Verified on its own and "assumed valid" at call sites (`.globl`).
    Global,
    /// Added by the toolchain, not written by the user (the throw trampoline, the default
    /// exception callback).
    Hidden,
}

/// The type of a global function's argument (the kernel reads these from BTF).
///
/// Named `scalar`, `ctx` and `mem:N` (as `.globl f(ctx, mem:16)` writes them). In JSON it
/// stays the tagged object the CLI has always printed (`{"kind": "mem", "size": 16}`);
/// deserializing also takes the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GlobalArg {
    Scalar,
    Ctx,
    /// A pointer to this many bytes, maybe NULL.
    Mem(u32),
}

impl Linkage {
    /// Every linkage, in the order of [`Linkage::NAMES`].
    pub const ALL: [Linkage; 4] = [
        Linkage::Main,
        Linkage::Static,
        Linkage::Global,
        Linkage::Hidden,
    ];
    /// The canonical names.
    pub const NAMES: &'static [&'static str] = &["main", "static", "global", "hidden"];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl fmt::Display for Linkage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Linkage {
    type Err = names::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spellings: Vec<(&str, Linkage)> = Self::NAMES.iter().copied().zip(Self::ALL).collect();
        names::lookup("linkage", s, &spellings, Self::NAMES)
    }
}

impl Serialize for Linkage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        names::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Linkage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        names::deserialize(d)
    }
}

impl GlobalArg {
    /// The canonical names (`N` is the size in bytes, at least 1).
    pub const NAMES: &'static [&'static str] = &["scalar", "ctx", "mem:N"];
}

impl fmt::Display for GlobalArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GlobalArg::Scalar => f.write_str("scalar"),
            GlobalArg::Ctx => f.write_str("ctx"),
            GlobalArg::Mem(n) => write!(f, "mem:{n}"),
        }
    }
}

impl FromStr for GlobalArg {
    type Err = names::UnknownName;

    /// `scalar`, `ctx` or `mem:N` with N from 1 to `u32::MAX` (the alias rule applies to the
    /// word).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || names::UnknownName {
            concept: "argument kind",
            value: s.to_string(),
            expected: Self::NAMES,
        };
        if let Some((word, size)) = s.split_once(':') {
            if !names::matches(word.trim(), "mem") {
                return Err(unknown());
            }
            return match size.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(GlobalArg::Mem(n)),
                _ => Err(unknown()),
            };
        }
        names::lookup(
            "argument kind",
            s,
            &[("scalar", GlobalArg::Scalar), ("ctx", GlobalArg::Ctx)],
            Self::NAMES,
        )
        .map_err(|_| unknown())
    }
}

/// [`GlobalArg`]'s JSON form: the tagged object `unwind asm --json` has always printed
/// (`{"kind": "mem", "size": 16}`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "size")]
enum TaggedArg {
    Scalar,
    Ctx,
    Mem(u32),
}

impl Serialize for GlobalArg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            GlobalArg::Scalar => TaggedArg::Scalar,
            GlobalArg::Ctx => TaggedArg::Ctx,
            GlobalArg::Mem(n) => TaggedArg::Mem(n),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for GlobalArg {
    /// The tagged object or the name (`"mem:16"`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Name(String),
            Tagged(TaggedArg),
        }
        match Repr::deserialize(d)? {
            Repr::Name(name) => name.parse().map_err(serde::de::Error::custom),
            Repr::Tagged(TaggedArg::Scalar) => Ok(GlobalArg::Scalar),
            Repr::Tagged(TaggedArg::Ctx) => Ok(GlobalArg::Ctx),
            Repr::Tagged(TaggedArg::Mem(n)) => Ok(GlobalArg::Mem(n)),
        }
    }
}

/// A function: a contiguous range of pcs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Function {
    pub name: String,
    /// First pc.
    pub start: usize,
    /// One past the last pc.
    pub end: usize,
    pub linkage: Linkage,
    /// Declared arguments of a global function.
    pub args: Vec<GlobalArg>,
    /// A global function declared `void` (BTF's return type; `int` otherwise).
    pub returns_void: bool,
    /// Whether `.exception_callback` names it.
    pub is_exception_callback: bool,
}

impl Function {
    pub fn contains(&self, pc: usize) -> bool {
        (self.start..self.end).contains(&pc)
    }
}

/// A map declared with `.map`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MapDef {
    pub name: String,
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
    /// For a ringbuf: its size in bytes.
    pub max_entries: u32,
    pub span: Span,
}

/// A name for a pc (a label), kept so the disassembler can print the source's names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub name: String,
    pub pc: usize,
}

/// A C source line of the program (a BTF `line_info` record of an object file): it covers the
/// instructions from `pc` up to the next record's. The verifier log prints it as the kernel's
/// `verbose_linfo()` does, `; text @ file:line`, before the first instruction it covers that
/// the log shows after another record's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SourceLine {
    pub pc: usize,
    /// The source text as clang stores it (leading blanks kept).
    pub text: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl SourceLine {
    /// `text @ file:line`, the text's leading blanks trimmed and the file's folders left out,
    /// as the kernel's log prints it after `; `.
    pub fn log_text(&self) -> String {
        let file = self.file.rsplit('/').next().unwrap_or(&self.file);
        format!("{} @ {}:{}", self.text.trim(), file, self.line)
    }
}

/// An assembled program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Program {
    /// The bytecode, one entry per 8-byte slot.
    pub slots: Vec<RawInsn>,
    /// Source span of each slot (both slots of an `ld_imm64` share one). Programs made from
    /// bytecode have line = slot index + 1 and column 1.
    pub spans: Vec<Span>,
    /// Sorted by `start`; together they cover every pc.
    pub functions: Vec<Function>,
    pub maps: Vec<MapDef>,
    /// From `.ctx`; `None` when the source does not say.
    pub prog_type: Option<ProgType>,
    /// Labels in pc order.
    pub labels: Vec<Label>,
    /// The C source lines of a program loaded from an object file, sorted by pc (empty for
    /// assembled programs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub line_info: Vec<SourceLine>,
}

/// What the assembler knows about a function besides where it starts.
#[derive(Clone, Debug, Default)]
pub struct FunctionDecl {
    pub name: String,
    pub pc: usize,
    pub global: bool,
    pub args: Vec<GlobalArg>,
    pub returns_void: bool,
    pub is_exception_callback: bool,
}

impl Program {
    /// Builds a program from bytecode alone: functions start at pc 0 and at every in-range
    /// target of a local call or a function-address load.
    pub fn from_slots(slots: Vec<RawInsn>) -> Program {
        let spans = (0..slots.len())
            .map(|i| Span::new(i as u32 + 1, 1, 1))
            .collect();
        Program::new(slots, spans, &[], Vec::new(), None, Vec::new())
    }

    /// Builds a program and computes its functions from the bytecode and the declarations.
    pub fn new(
        slots: Vec<RawInsn>,
        spans: Vec<Span>,
        decls: &[FunctionDecl],
        maps: Vec<MapDef>,
        prog_type: Option<ProgType>,
        labels: Vec<Label>,
    ) -> Program {
        let mut starts = function_starts(&slots);
        for d in decls {
            if d.pc < slots.len() {
                starts.insert(d.pc);
            }
        }
        let starts: Vec<usize> = starts.into_iter().collect();
        // Maps, not scans: a hostile source may declare many functions and labels.
        let decl_at: std::collections::HashMap<usize, &FunctionDecl> =
            decls.iter().rev().map(|d| (d.pc, d)).collect();
        let label_at: std::collections::HashMap<usize, &Label> =
            labels.iter().rev().map(|l| (l.pc, l)).collect();
        let functions = starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = starts.get(i + 1).copied().unwrap_or(slots.len());
                let decl = decl_at.get(&start).copied();
                let label = label_at.get(&start).copied();
                let name = decl
                    .map(|d| d.name.clone())
                    .or_else(|| label.map(|l| l.name.clone()))
                    .unwrap_or_else(|| {
                        if start == 0 {
                            "main".to_string()
                        } else {
                            format!("func_{start}")
                        }
                    });
                let linkage = if start == 0 {
                    Linkage::Main
                } else if decl.is_some_and(|d| d.global) {
                    Linkage::Global
                } else {
                    Linkage::Static
                };
                Function {
                    name,
                    start,
                    end,
                    linkage,
                    args: decl.map(|d| d.args.clone()).unwrap_or_default(),
                    returns_void: decl.is_some_and(|d| d.returns_void),
                    is_exception_callback: decl.is_some_and(|d| d.is_exception_callback),
                }
            })
            .collect();
        Program {
            slots,
            spans,
            functions,
            maps,
            prog_type,
            labels,
            line_info: Vec::new(),
        }
    }

    /// The index in `line_info` of the record covering `pc`: the last one starting at or
    /// before it (the kernel's `find_linfo()`).
    pub fn line_info_index(&self, pc: usize) -> Option<usize> {
        self.line_info
            .partition_point(|l| l.pc <= pc)
            .checked_sub(1)
    }

    /// Decodes every slot.
    pub fn decode(&self) -> Vec<Slot> {
        decode_program(&self.slots)
    }

    /// The instruction at `pc`, if one starts there and decodes.
    pub fn insn(&self, pc: usize) -> Option<Insn> {
        Insn::decode(self.slots.get(pc..)?).ok()
    }

    /// The function containing `pc` (a binary search: functions are sorted and contiguous).
    pub fn function_at(&self, pc: usize) -> Option<&Function> {
        self.function_index_at(pc).map(|i| &self.functions[i])
    }

    /// The index of the function containing `pc`.
    pub fn function_index_at(&self, pc: usize) -> Option<usize> {
        let i = self
            .functions
            .partition_point(|f| f.start <= pc)
            .checked_sub(1)?;
        self.functions[i].contains(pc).then_some(i)
    }

    /// The index of the function that starts at `pc`.
    pub fn function_starting_at(&self, pc: usize) -> Option<usize> {
        self.function_index_at(pc)
            .filter(|&i| self.functions[i].start == pc)
    }

    /// The label naming `pc`, if any (the first one declared; labels are in pc order).
    pub fn label_at(&self, pc: usize) -> Option<&str> {
        let i = self.labels.partition_point(|l| l.pc < pc);
        self.labels
            .get(i)
            .filter(|l| l.pc == pc)
            .map(|l| l.name.as_str())
    }

    /// The exception callback named by `.exception_callback`.
    pub fn exception_callback(&self) -> Option<&Function> {
        self.functions.iter().find(|f| f.is_exception_callback)
    }

    /// The callee-saved registers R6..R9 (index 0..4) that a function's prologue saves: those
    /// its instructions mention as `dst` or `src`, the x86 JIT's `detect_reg_usage()` that the
    /// RFC mirrors in `check_subprogs()` (patch 08).
    pub fn callee_saved_used(&self, function: &Function) -> [bool; 4] {
        let mut used = [false; 4];
        let end = function.end.min(self.slots.len());
        for slot in &self.slots[function.start.min(end)..end] {
            for r in [slot.dst, slot.src] {
                if (6..=9).contains(&r) {
                    used[usize::from(r - 6)] = true;
                }
            }
        }
        used
    }

    /// The bytecode as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        unwind_isa::slots_to_bytes(&self.slots)
    }
}

/// pc 0 and every in-range target of a local call or a `BPF_PSEUDO_FUNC` load.
pub fn function_starts(slots: &[RawInsn]) -> BTreeSet<usize> {
    let mut starts = BTreeSet::new();
    if !slots.is_empty() {
        starts.insert(0);
    }
    for (pc, slot) in decode_program(slots).iter().enumerate() {
        if let Slot::Insn(insn) = slot {
            if let Some(t) = insn.function_target(pc) {
                if let Ok(t) = usize::try_from(t) {
                    if t < slots.len() {
                        starts.insert(t);
                    }
                }
            }
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_isa::CallTarget;

    #[test]
    fn functions_start_at_call_targets() {
        let insns = [Insn::Call(CallTarget::Local(1)), Insn::Exit, Insn::Exit];
        let p = Program::from_slots(unwind_isa::encode_program(&insns));
        let f: Vec<_> = p
            .functions
            .iter()
            .map(|f| (f.start, f.end, f.linkage))
            .collect();
        assert_eq!(f, vec![(0, 2, Linkage::Main), (2, 3, Linkage::Static)]);
        assert_eq!(p.functions[1].name, "func_2");
    }

    #[test]
    fn callee_saved_registers_are_the_ones_mentioned() {
        use unwind_isa::{AluOp, Operand, Reg, Width};
        let mov = |dst: u8, src: u8| Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::new(dst).unwrap(),
            src: Operand::Reg(Reg::new(src).unwrap()),
        };
        let insns = [
            mov(6, 1),
            Insn::Call(CallTarget::Local(1)),
            Insn::Exit,
            mov(0, 9),
            Insn::Exit,
        ];
        let p = Program::from_slots(unwind_isa::encode_program(&insns));
        assert_eq!(
            p.callee_saved_used(&p.functions[0]),
            [true, false, false, false]
        );
        assert_eq!(
            p.callee_saved_used(&p.functions[1]),
            [false, false, false, true]
        );
    }
}
