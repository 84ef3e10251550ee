//! Printing programs back as text: in source style (pseudo-C with labels and directives, which
//! assembles back to the same bytes) and in the kernel verifier log's style
//! (`kernel/bpf/disasm.c`: `7: (15) if r0 == 0x0 goto pc+10`).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::{GlobalArg, Linkage, Program};
use unwind_isa::{AtomicOp, CallTarget, Endian, Imm64Kind, Insn, Operand, Reg, Size, Slot, Width};
use unwind_kernel::{helper_name, kfunc_name};

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Plain pseudo-C with labels and directives; assembles back to the same bytes.
    Source,
    /// The kernel verifier log's style: `7: (15) if r0 == 0x0 goto pc+10`.
    Log,
}

impl Style {
    /// Every style, in the order of [`Style::NAMES`].
    pub const ALL: [Style; 2] = [Style::Source, Style::Log];
    /// The canonical names (`unwind disasm --style`).
    pub const NAMES: &'static [&'static str] = &["source", "log"];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl std::fmt::Display for Style {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Style {
    type Err = crate::names::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spellings: Vec<(&str, Style)> = Self::NAMES.iter().copied().zip(Self::ALL).collect();
        crate::names::lookup("style", s, &spellings, Self::NAMES)
    }
}

impl serde::Serialize for Style {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::names::serialize(self, s)
    }
}

impl<'de> serde::Deserialize<'de> for Style {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::names::deserialize(d)
    }
}

/// Disassembles a whole program. Source style starts with the program's directives and puts
/// a label before every function and jump target; log style is one `pc: (op) insn` line per
/// instruction.
pub fn disassemble(program: &Program, style: Style) -> String {
    disassemble_with_notes(program, style, |_| None)
}

/// [`disassemble`], with a `// note` after the instructions `note` has one for (what a rewrite
/// inserted, for example). The notes are comments: the text still re-assembles.
pub fn disassemble_with_notes(
    program: &Program,
    style: Style,
    note: impl Fn(usize) -> Option<String>,
) -> String {
    disassemble_with_comments(program, style, |_| None, note)
}

/// [`disassemble_with_notes`], with comment lines `before` gives before an instruction (after
/// its labels): in source style `// line` for each line of it, in log style `; line`.
///
/// A program's C source lines (`line_info`, from an object file or `.loc`) are printed before
/// the instructions they start at: in source style as `.loc "file" LINE:COLUMN "text"`, every
/// record, so that the text assembles back to the same line info; in log style as `; text @
/// file:line`, as the kernel's log prints them, leaving out a record that repeats the line of
/// the one before it in the same function (clang often splits one line into several).
pub fn disassemble_with_comments(
    program: &Program,
    style: Style,
    before: impl Fn(usize) -> Option<String>,
    note: impl Fn(usize) -> Option<String>,
) -> String {
    let names = LabelNames::new(program);
    let mut out = String::new();
    let decoded = program.decode();
    if style == Style::Source {
        write_directives(program, &names, &mut out);
    }
    let log_lines = log_line_notes(program);
    let mut records = program.line_info.iter().peekable();
    for (pc, slot) in decoded.iter().enumerate() {
        match style {
            Style::Source => {
                for label in names.at(pc) {
                    let _ = writeln!(out, "{label}:");
                }
                while let Some(l) = records.next_if(|l| l.pc <= pc) {
                    let _ = writeln!(
                        out,
                        "\t.loc {} {}:{} {}",
                        quoted(&l.file),
                        l.line,
                        l.column,
                        quoted(&l.text)
                    );
                }
                if let (Some(c), Slot::Insn(_)) = (before(pc), slot) {
                    for line in c.lines() {
                        let _ = writeln!(out, "\t// {line}");
                    }
                }
                match slot {
                    Slot::Insn(insn) => {
                        let text = source_text(program, &names, pc, insn);
                        let _ = match note(pc) {
                            Some(n) => writeln!(out, "\t{text}\t\t// {n}"),
                            None => writeln!(out, "\t{text}"),
                        };
                    }
                    Slot::Imm64Tail => {}
                    Slot::Invalid(e) => {
                        let _ = writeln!(out, "\t// invalid instruction {pc}: {e}");
                    }
                }
            }
            Style::Log => {
                if let (Some(l), Slot::Insn(_)) = (&log_lines[pc], slot) {
                    let _ = writeln!(out, "; {l}");
                }
                if let (Some(c), Slot::Insn(_)) = (before(pc), slot) {
                    for line in c.lines() {
                        let _ = writeln!(out, "; {line}");
                    }
                }
                if let Some(line) = log_line(program, pc, slot) {
                    let _ = match note(pc) {
                        Some(n) => writeln!(out, "{line}\t; {n}"),
                        None => writeln!(out, "{line}"),
                    };
                }
            }
        }
    }
    if style == Style::Source {
        for label in names.at(decoded.len()) {
            let _ = writeln!(out, "{label}:");
        }
    }
    out
}

/// `s` in double quotes, its `\\`, `"` and line breaks escaped (what the assembler's strings
/// read).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            // A line break would end the directive's line.
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `text @ file:line` line before each pc in log style: at the instruction a `line_info`
/// record starts at, unless it names the same file and line as the record before it in the
/// same function.
fn log_line_notes(program: &Program) -> Vec<Option<String>> {
    let mut out = vec![None; program.slots.len()];
    let mut prev: Option<(&str, u32)> = None;
    let mut records = program.line_info.iter().peekable();
    for (pc, slot) in out.iter_mut().enumerate() {
        if program.function_starting_at(pc).is_some() {
            prev = None;
        }
        while records.next_if(|l| l.pc < pc).is_some() {}
        let Some(l) = records.peek().filter(|l| l.pc == pc) else {
            continue;
        };
        if prev == Some((l.file.as_str(), l.line)) {
            continue;
        }
        prev = Some((l.file.as_str(), l.line));
        *slot = Some(l.log_text());
    }
    out
}

/// One instruction at `pc`. In log style it has the `pc: (op) ` prefix; in source style it is
/// the bare instruction text, with jump and call targets printed as labels where the program
/// has them. Source style looks at the whole program to name labels: to print many
/// instructions, make one [`Disassembler`] instead.
pub fn format_insn(program: &Program, pc: usize, style: Style) -> String {
    match style {
        Style::Source => Disassembler::new(program).insn(pc, style),
        // Log style needs no label names: no whole-program pass.
        Style::Log => {
            let slot = match program.slots.get(pc..).map(unwind_isa::Insn::decode) {
                Some(Ok(insn)) => Slot::Insn(insn),
                Some(Err(e)) => Slot::Invalid(e),
                None => return String::new(),
            };
            log_line(program, pc, &slot).unwrap_or_default()
        }
    }
}

/// Prints single instructions of one program, naming labels once for all of them.
pub struct Disassembler<'a> {
    program: &'a Program,
    names: LabelNames,
}

impl<'a> Disassembler<'a> {
    pub fn new(program: &'a Program) -> Self {
        Self {
            program,
            names: LabelNames::new(program),
        }
    }

    /// The instruction at `pc`, as [`format_insn`] prints it.
    pub fn insn(&self, pc: usize, style: Style) -> String {
        let decoded = self.program.slots.get(pc..).map(unwind_isa::Insn::decode);
        let slot = match decoded {
            Some(Ok(insn)) => Slot::Insn(insn),
            Some(Err(e)) => Slot::Invalid(e),
            None => return String::new(),
        };
        match style {
            Style::Source => match slot {
                Slot::Insn(insn) => source_text(self.program, &self.names, pc, &insn),
                Slot::Invalid(e) => format!("// invalid instruction: {e}"),
                Slot::Imm64Tail => String::new(),
            },
            Style::Log => log_line(self.program, pc, &slot).unwrap_or_default(),
        }
    }
}

/// The kernel log's text of one instruction, without the `pc: (op) ` prefix.
pub fn log_text(program: &Program, pc: usize, insn: &Insn) -> String {
    kernel_text(program, pc, insn)
}

fn write_directives(program: &Program, names: &LabelNames, out: &mut String) {
    if let Some(t) = program.prog_type {
        let _ = writeln!(out, ".ctx {}", t.name());
    }
    for m in &program.maps {
        let _ = writeln!(
            out,
            ".map {} {} key={} value={} max_entries={}",
            m.name,
            m.map_type.name(),
            m.key_size,
            m.value_size,
            m.max_entries
        );
    }
    for f in &program.functions {
        if f.linkage == Linkage::Global {
            let args: Vec<String> = f.args.iter().map(GlobalArg::to_string).collect();
            let void = if f.returns_void { " void" } else { "" };
            if args.is_empty() && !f.returns_void {
                let _ = writeln!(out, ".globl {}", names.function(f));
            } else {
                let _ = writeln!(
                    out,
                    ".globl {}({}){void}",
                    names.function(f),
                    args.join(", ")
                );
            }
        }
        if f.is_exception_callback {
            let _ = writeln!(out, ".exception_callback {}", names.function(f));
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
}

/// Label names for source-style output: the program's own labels, function names, and
/// generated `L<pc>` names for jump targets that have none.
struct LabelNames {
    /// Looked up by pc, never walked in order.
    by_pc: HashMap<usize, Vec<String>>,
    /// A function whose own name cannot be a label (an object's symbol `2`, `r1`): the
    /// generated label its directives name instead, by its start.
    renamed: HashMap<usize, String>,
}

/// Whether the assembler reads `name` as a label: an identifier that is not a register.
fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    let starts = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let register = name.len() > 1
        && matches!(name.as_bytes()[0], b'r' | b'w')
        && name[1..].bytes().all(|b| b.is_ascii_digit());
    starts && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') && !register
}

impl LabelNames {
    fn new(program: &Program) -> Self {
        let mut by_pc: HashMap<usize, Vec<String>> = HashMap::new();
        let mut used: HashSet<String> = HashSet::new();
        for l in &program.labels {
            by_pc.entry(l.pc).or_default().push(l.name.clone());
            used.insert(l.name.clone());
        }
        let decoded = program.decode();
        // A label can only stand before a whole instruction (not inside an ld_imm64).
        let labelable = |pc: usize| {
            pc == decoded.len() || !matches!(decoded.get(pc), Some(Slot::Imm64Tail) | None)
        };
        let mut renamed = HashMap::new();
        for f in &program.functions {
            if !labelable(f.start) {
                continue;
            }
            let entry = by_pc.entry(f.start).or_default();
            let mut name = f.name.clone();
            if !is_label_name(&name) {
                name = format!("func{}", f.start);
                while used.contains(&name) {
                    name.push('_');
                }
                renamed.insert(f.start, name.clone());
            }
            if (f.start != 0 || renamed.contains_key(&f.start))
                && !entry.contains(&name)
                && !used.contains(&name)
            {
                entry.insert(0, name.clone());
                used.insert(name);
            }
            if entry.is_empty() {
                by_pc.remove(&f.start);
            }
        }
        let len = program.slots.len();
        for (pc, slot) in decoded.iter().enumerate() {
            let Slot::Insn(insn) = slot else { continue };
            let Some(t) = insn.jump_target(pc).or_else(|| insn.function_target(pc)) else {
                continue;
            };
            let Ok(t) = usize::try_from(t) else { continue };
            if t >= len || by_pc.contains_key(&t) || !labelable(t) {
                continue;
            }
            let mut name = format!("L{t}");
            while used.contains(&name) {
                name.push('_');
            }
            used.insert(name.clone());
            by_pc.insert(t, vec![name]);
        }
        Self { by_pc, renamed }
    }

    /// The label a function's directives name.
    fn function<'a>(&'a self, f: &'a crate::Function) -> &'a str {
        self.renamed.get(&f.start).map_or(&f.name, String::as_str)
    }

    fn at(&self, pc: usize) -> &[String] {
        self.by_pc.get(&pc).map_or(&[], |v| v.as_slice())
    }

    fn first(&self, pc: i64) -> Option<&str> {
        let pc = usize::try_from(pc).ok()?;
        self.by_pc.get(&pc)?.first().map(String::as_str)
    }
}

fn reg(r: Reg, w: Width) -> String {
    match w {
        Width::W32 => format!("w{}", r.index()),
        Width::W64 => format!("r{}", r.index()),
    }
}

fn operand(op: Operand, w: Width) -> String {
    match op {
        Operand::Reg(r) => reg(r, w),
        Operand::Imm(i) => i.to_string(),
    }
}

/// `(r1 + 4)` in source style, `(r1 +4)` in log style.
fn addr(base: Reg, off: i16, log: bool) -> String {
    match (log, off < 0) {
        (true, _) => format!("({base} {off:+})"),
        (false, true) => format!("({base} - {})", -(off as i32)),
        (false, false) => format!("({base} + {off})"),
    }
}

fn rel(off: i64) -> String {
    format!("{off:+}")
}

fn source_text(program: &Program, names: &LabelNames, pc: usize, insn: &Insn) -> String {
    let target = |rel_off: i64| -> String {
        names
            .first(pc as i64 + 1 + rel_off)
            .map_or_else(|| rel(rel_off), str::to_string)
    };
    match *insn {
        Insn::Alu {
            width,
            op,
            dst,
            src,
        } => {
            format!(
                "{} {} {}",
                reg(dst, width),
                op.symbol(),
                operand(src, width)
            )
        }
        Insn::Neg { width, dst } => format!("{} = -{}", reg(dst, width), reg(dst, width)),
        Insn::MovSx {
            width,
            dst,
            src,
            from_bits,
        } => {
            format!("{} = (s{from_bits}){}", reg(dst, width), reg(src, width))
        }
        Insn::AddrSpaceCast {
            dst,
            src,
            dst_as,
            src_as,
        } => {
            format!("{dst} = addr_space_cast({src}, {dst_as}, {src_as})")
        }
        Insn::Endian { kind, bits, dst } => format!("{dst} = {}{bits} {dst}", endian_name(kind)),
        Insn::LdImm64 { dst, kind, imm } => {
            let lo = imm as u32;
            let hi = (imm >> 32) as u32;
            let map_name = |idx: u32| {
                program
                    .maps
                    .get(idx as usize)
                    .map_or_else(|| idx.to_string(), |m| m.name.clone())
            };
            let plus = |off: u32| {
                if off == 0 {
                    String::new()
                } else {
                    format!(" + {off}")
                }
            };
            match kind {
                Imm64Kind::Imm => format!("{dst} = {imm:#x} ll"),
                Imm64Kind::MapFd => format!("{dst} = map[{}] ll", map_name(lo)),
                Imm64Kind::MapValue => {
                    format!("{dst} = map_value[{}]{} ll", map_name(lo), plus(hi))
                }
                Imm64Kind::Func => match names.first(pc as i64 + 1 + lo as i32 as i64) {
                    Some(name) => format!("{dst} = {name}"),
                    None => format!("{dst} = func({:+}) ll", lo as i32),
                },
                Imm64Kind::BtfId => format!("{dst} = btf_id({lo}) ll"),
                Imm64Kind::MapIdx => format!("{dst} = map_idx({lo}) ll"),
                Imm64Kind::MapIdxValue => format!("{dst} = map_idx_value({lo}){} ll", plus(hi)),
            }
        }
        Insn::LdAbs { .. } => plain_memory_text(insn, false),
        Insn::LdInd { size, src, imm } => {
            if imm == 0 {
                format!("r0 = *({} *)skb[{src}]", size.c_type(false))
            } else {
                format!("r0 = *({} *)skb[{src} + {imm}]", size.c_type(false))
            }
        }
        Insn::Load { .. } | Insn::StoreImm { .. } | Insn::StoreReg { .. } => {
            plain_memory_text(insn, false)
        }
        Insn::Atomic {
            size,
            op,
            fetch,
            dst,
            off,
            src,
        } => {
            let w = if size == Size::W {
                Width::W32
            } else {
                Width::W64
            };
            let sz = size.c_type(false);
            let a = addr(dst, off, false);
            let inner = &a[1..a.len() - 1];
            match (op, fetch) {
                (AtomicOp::Xchg, _) => {
                    let f = if w == Width::W32 {
                        "xchg32_32"
                    } else {
                        "xchg_64"
                    };
                    format!("{} = {f}({inner}, {})", reg(src, w), reg(src, w))
                }
                (AtomicOp::Cmpxchg, _) => {
                    let f = if w == Width::W32 {
                        "cmpxchg32_32"
                    } else {
                        "cmpxchg_64"
                    };
                    let r0 = reg(Reg::R0, w);
                    format!("{r0} = {f}({inner}, {r0}, {})", reg(src, w))
                }
                (_, true) => format!(
                    "{} = atomic_fetch_{}(({sz} *){a}, {})",
                    reg(src, w),
                    op.name(),
                    reg(src, w)
                ),
                (_, false) => format!("lock *({sz} *){a} {} {}", atomic_symbol(op), reg(src, w)),
            }
        }
        Insn::Ja { off } => format!("goto {}", target(off as i64)),
        Insn::Gotol { imm } => format!("gotol {}", target(imm as i64)),
        Insn::MayGoto { off } => format!("may_goto {}", target(off as i64)),
        Insn::Jump {
            width,
            op,
            dst,
            src,
            off,
        } => format!(
            "if {} {} {} goto {}",
            reg(dst, width),
            op.symbol(),
            operand(src, width),
            target(off as i64)
        ),
        Insn::Call(CallTarget::Helper(id)) => match helper_name(id) {
            Some(name) => format!("call {name}"),
            None if id >= 0 => format!("call {id}"),
            None => format!("call helper({id})"),
        },
        Insn::Call(CallTarget::Local(imm)) => format!("call {}", target(imm as i64)),
        Insn::Call(CallTarget::Kfunc(id)) => match kfunc_name(id) {
            Some(name) => format!("call {name}"),
            None => format!("call kfunc({id})"),
        },
        Insn::Callx { reg } => format!("callx {reg}"),
        Insn::Exit => "exit".to_string(),
    }
}

/// Loads, stores and `LD_ABS`, which both styles print alike but for the offset's spacing:
/// `(r1 + 4)` in source style, `(r1 +4)` in the log's.
fn plain_memory_text(insn: &Insn, log: bool) -> String {
    match *insn {
        Insn::LdAbs { size, imm } => format!("r0 = *({} *)skb[{imm}]", size.c_type(false)),
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        } => format!(
            "{dst} = *({} *){}",
            size.c_type(signed),
            addr(src, off, log)
        ),
        Insn::StoreImm {
            size,
            dst,
            off,
            imm,
        } => format!("*({} *){} = {imm}", size.c_type(false), addr(dst, off, log)),
        Insn::StoreReg {
            size,
            dst,
            off,
            src,
        } => format!("*({} *){} = {src}", size.c_type(false), addr(dst, off, log)),
        _ => unreachable!("only loads and stores"),
    }
}

fn endian_name(kind: Endian) -> &'static str {
    match kind {
        Endian::Le => "le",
        Endian::Be => "be",
        Endian::Swap => "bswap",
    }
}

fn atomic_symbol(op: AtomicOp) -> &'static str {
    match op {
        AtomicOp::Add => "+=",
        AtomicOp::And => "&=",
        AtomicOp::Or => "|=",
        AtomicOp::Xor => "^=",
        AtomicOp::Xchg | AtomicOp::Cmpxchg => "=",
    }
}

fn log_line(program: &Program, pc: usize, slot: &Slot) -> Option<String> {
    let code = program.slots.get(pc)?.code;
    match slot {
        Slot::Insn(insn) => Some(format!(
            "{pc}: ({code:02x}) {}",
            kernel_text(program, pc, insn)
        )),
        Slot::Imm64Tail => None,
        Slot::Invalid(e) => Some(format!("{pc}: ({code:02x}) invalid: {e}")),
    }
}

/// The text `print_bpf_insn()` prints for an instruction.
fn kernel_text(program: &Program, pc: usize, insn: &Insn) -> String {
    match *insn {
        // The kernel prints an ALU32 shift or move as `w`, but a byte swap always as `r`.
        Insn::Alu {
            width,
            op,
            dst,
            src,
        } => {
            format!(
                "{} {} {}",
                reg(dst, width),
                op.symbol(),
                operand(src, width)
            )
        }
        Insn::Endian { kind, bits, dst } => format!("{dst} = {}{bits} {dst}", endian_name(kind)),
        Insn::LdImm64 { dst, kind, imm } => {
            let lo = imm as u32;
            match kind {
                // The kernel prints an address; a relative form can be pasted back.
                Imm64Kind::Func => format!("{dst} = func({:+})", lo as i32),
                Imm64Kind::Imm => format!("{dst} = {imm:#x}"),
                // The kernel prints the resolved address; we have none, so print the source.
                _ => {
                    let names = LabelNames {
                        by_pc: HashMap::new(),
                        renamed: HashMap::new(),
                    };
                    let text = source_text(program, &names, pc, insn);
                    text.trim_end_matches(" ll").to_string()
                }
            }
        }
        Insn::LdAbs { .. } => plain_memory_text(insn, true),
        Insn::LdInd { size, src, imm } => {
            format!("r0 = *({} *)skb[{src} + {imm}]", size.c_type(false))
        }
        Insn::Load { .. } | Insn::StoreImm { .. } | Insn::StoreReg { .. } => {
            plain_memory_text(insn, true)
        }
        Insn::Atomic {
            size,
            op,
            fetch,
            dst,
            off,
            src,
        } => {
            let sz = size.c_type(false);
            let a = addr(dst, off, true);
            let bits = if size == Size::DW { "64" } else { "" };
            match (op, fetch) {
                (AtomicOp::Cmpxchg, _) => {
                    format!("r0 = atomic{bits}_cmpxchg(({sz} *){a}, r0, {src})")
                }
                (AtomicOp::Xchg, _) => format!("{src} = atomic{bits}_xchg(({sz} *){a}, {src})"),
                (_, true) => format!(
                    "{src} = atomic{bits}_fetch_{}(({sz} *){a}, {src})",
                    op.name()
                ),
                (_, false) => format!("lock *({sz} *){a} {} {src}", atomic_symbol(op)),
            }
        }
        Insn::Ja { off } => format!("goto pc{off:+}"),
        Insn::Gotol { imm } => format!("gotol pc{imm:+}"),
        Insn::MayGoto { off } => format!("may_goto pc{off:+}"),
        Insn::Jump {
            width,
            op,
            dst,
            src,
            off,
        } => {
            let rhs = match src {
                Operand::Reg(r) => reg(r, width),
                Operand::Imm(i) => format!("{:#x}", i as u32),
            };
            format!(
                "if {} {} {rhs} goto pc{off:+}",
                reg(dst, width),
                op.symbol()
            )
        }
        Insn::Call(CallTarget::Helper(id)) => {
            format!("call {}#{id}", helper_name(id).unwrap_or("unknown"))
        }
        Insn::Call(CallTarget::Local(imm)) => format!("call pc{imm:+}"),
        Insn::Call(CallTarget::Kfunc(id)) => {
            format!("call {}#{id}", kfunc_name(id).unwrap_or("kernel-function"))
        }
        _ => {
            // Neg, movsx, addr_space_cast, callx and exit print the same in both styles.
            let names = LabelNames {
                by_pc: HashMap::new(),
                renamed: HashMap::new(),
            };
            source_text(program, &names, pc, insn)
        }
    }
}
