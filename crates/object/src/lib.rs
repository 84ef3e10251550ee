//! Loads a clang-built BPF object file (64-bit little-endian ELF, `EM_BPF`) into the same
//! [`Program`] the assembler builds, one per program of the object, as libbpf would load it:
//!
//! - every function of a program section (`SEC("tc")`, `SEC("xdp")`, `SEC("tp/...")`, ...) is
//!   a program, its type from libbpf's section table ([`prog_type_of_section`]);
//! - the `.text` functions it calls (or takes the address of, or names as its exception
//!   callback) are appended after it, calls and `BPF_PSEUDO_FUNC` loads relocated to them;
//! - maps come from the BTF-defined `.maps` section, the legacy `maps` section and the global
//!   data sections (`.data`, `.rodata`, `.bss`, as single-entry array maps); `ld_imm64`
//!   references become the map's index (`BPF_PSEUDO_MAP_FD`) or a pointer into its value
//!   (`BPF_PSEUDO_MAP_VALUE` with the offset), as the assembler's `.map` references do;
//! - calls to `__ksym` externs are resolved by name against the kernel catalogue (kfuncs);
//! - BTF gives the functions' linkage and global functions' argument kinds (with the
//!   `arg:ctx` decl tag), the `exception_callback:NAME` decl tag, and
//!   `.BTF.ext`'s `line_info` gives each instruction its C source line.
//!
//! Malformed input gives an [`ObjectError`]; nothing panics.

pub mod btf;
mod disasm;
mod sections;

use std::collections::HashMap;

use object::elf::{
    FileHeader64, EM_BPF, SHF_EXECINSTR, SHN_UNDEF, SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_SYMTAB,
    STB_GLOBAL, STT_FUNC, STT_SECTION,
};
use object::read::elf::{FileHeader, Rel, SectionHeader, Sym};
use object::LittleEndian as LE;
use unwind_isa::RawInsn;
use unwind_kernel::{resolve_call_name, CallRef, MapType, ProgType};
use unwind_program::{FunctionDecl, GlobalArg, MapDef, Program, SourceLine, Span};

pub use btf::{Btf, BtfError, BtfExt, LineInfo};
pub use disasm::{main_file, source_text};
pub use sections::prog_type_of_section;

/// What is wrong with an object file, or with one of its programs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    #[error("not an ELF file (it does not start with \\x7fELF)")]
    NotElf,
    #[error("truncated ELF header ({len} bytes)")]
    TruncatedHeader { len: usize },
    #[error("ELF class {class}: expected 64-bit (2)")]
    WrongClass { class: u8 },
    #[error("ELF data encoding {encoding}: expected little-endian (1)")]
    WrongEndian { encoding: u8 },
    #[error("ELF machine {machine}: expected EM_BPF (247)")]
    WrongMachine { machine: u16 },
    #[error("malformed ELF ({what}): {reason}")]
    Elf { what: String, reason: String },
    #[error("section {section}: {what} refers to section {index}, which does not exist")]
    BadSectionIndex {
        section: String,
        what: &'static str,
        index: usize,
    },
    #[error("section {section}: size {size} is not a whole number of 8-byte instructions")]
    BadCodeSize { section: String, size: usize },
    #[error("section {section}: function {name} (bytes {start}..{end}) lies outside the section")]
    BadFunction {
        section: String,
        name: String,
        start: u64,
        end: u64,
    },
    #[error("relocation {index} of section {section}: offset {offset} is outside the section or not at an instruction")]
    RelocationOutOfRange {
        section: String,
        index: usize,
        offset: u64,
    },
    #[error("relocation {index} of section {section}: symbol {symbol} does not exist")]
    BadSymbol {
        section: String,
        index: usize,
        symbol: usize,
    },
    #[error("relocation {index} of section {section} (instruction {insn}): {reason}")]
    BadRelocation {
        section: String,
        index: usize,
        insn: usize,
        reason: String,
    },
    #[error("section {section}, instruction {insn}: {reason}")]
    BadCall {
        section: String,
        insn: usize,
        reason: String,
    },
    #[error("{0}")]
    Btf(#[from] BtfError),
    #[error("map {name}: {reason}")]
    BadMap { name: String, reason: String },
    #[error("section {section}: libbpf knows no program type for this section name")]
    UnknownSection { section: String },
    #[error("call to extern {name}: no such kfunc in the catalogue")]
    UnknownKfunc { name: String },
    #[error("function {function}, argument {index}: {reason}")]
    UnsupportedArg {
        function: String,
        index: usize,
        reason: String,
    },
    #[error("exception callback {name}: {reason}")]
    BadExceptionCallback { name: String, reason: String },
    #[error("{what} is not supported")]
    Unsupported { what: String },
    #[error("the object has no program named {name}")]
    NoSuchProgram { name: String },
}

fn elf_err(what: impl Into<String>) -> impl FnOnce(object::Error) -> ObjectError {
    let what = what.into();
    move |e| ObjectError::Elf {
        what,
        reason: e.to_string(),
    }
}

/// One program of an object.
#[derive(Clone, Debug)]
pub struct ObjectProgram {
    /// The entry function's name.
    pub name: String,
    /// Its ELF section (`tc`, `?tc`, `tp/syscalls/...`).
    pub section: String,
    pub prog_type: Option<ProgType>,
    /// The loaded program, or why this program could not be loaded (the others may be). Its
    /// `line_info` holds the `.BTF.ext` line records (the verifier log prints them as the
    /// kernel does, `; text @ file:line`), and each instruction's span is its C line and column.
    pub program: Result<Program, ObjectError>,
}

/// A loaded object: its programs (in section and symbol order) and its maps (every program
/// sees all of them, by index).
#[derive(Clone, Debug)]
pub struct Object {
    pub programs: Vec<ObjectProgram>,
    pub maps: Vec<MapDef>,
    /// The `license` section's string, if any.
    pub license: Option<String>,
    /// The initial contents of the global-data maps (`.data`, `.rodata`, ...; not `.bss`,
    /// which starts zeroed), by map name: the value of each one's single entry, key 0. The
    /// interpreter's maps start zeroed; a run gives it these (in its world's `maps`) as
    /// libbpf does when it creates the maps.
    pub initial_data: Vec<(String, Vec<u8>)>,
    /// The object's `.BTF`, if any (its decl tags carry, for example, the selftests'
    /// `comment:test_expect_*` expectations).
    pub btf: Option<Btf>,
}

impl Object {
    /// The program named `name` (its entry function).
    pub fn program(&self, name: &str) -> Result<&ObjectProgram, ObjectError> {
        self.programs
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ObjectError::NoSuchProgram {
                name: name.to_string(),
            })
    }
}

/// Whether the bytes start with the ELF magic.
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// A symbol, with what the loader needs of it.
#[derive(Clone, Debug)]
struct Symbol {
    name: String,
    /// `None` for an undefined (extern) symbol.
    section: Option<usize>,
    value: u64,
    size: u64,
    kind: u8,
    global: bool,
}

/// A function of a code section, in instructions.
#[derive(Clone, Debug)]
struct FuncSym {
    name: String,
    section: usize,
    start: usize,
    end: usize,
    global: bool,
}

#[derive(Clone, Debug)]
struct CodeSection {
    name: String,
    insns: Vec<RawInsn>,
    /// By instruction index: (relocation index, symbol index).
    relocs: HashMap<usize, (usize, usize)>,
    lines: HashMap<usize, LineInfo>,
    /// By instruction index: the local type of a `BPF_CORE_TYPE_ID_LOCAL` relocation.
    type_ids: HashMap<usize, u32>,
}

/// The program being built: its slots, where each came from (section, instruction), where
/// each placed function starts, and the functions in the order they were placed.
#[derive(Default)]
struct Placement {
    slots: Vec<RawInsn>,
    origin: Vec<(usize, usize)>,
    placed: HashMap<(usize, usize), usize>,
    order: Vec<FuncSym>,
}

impl Placement {
    /// The first pc of `f`, appending it when it is not placed yet.
    fn place(&mut self, code: &HashMap<usize, CodeSection>, f: &FuncSym) -> usize {
        if let Some(&pc) = self.placed.get(&(f.section, f.start)) {
            return pc;
        }
        let base = self.slots.len();
        if let Some(sec) = code.get(&f.section) {
            self.slots.extend_from_slice(&sec.insns[f.start..f.end]);
            self.origin.extend((f.start..f.end).map(|i| (f.section, i)));
        }
        self.placed.insert((f.section, f.start), base);
        self.order.push(f.clone());
        base
    }
}

struct Loader {
    code: HashMap<usize, CodeSection>,
    section_names: Vec<String>,
    symbols: Vec<Symbol>,
    funcs: Vec<FuncSym>,
    maps: Vec<MapDef>,
    /// (section, byte offset) of a map's symbol → map index (BTF and legacy maps).
    map_at: HashMap<(usize, u64), usize>,
    /// Data section → its array map.
    data_map: HashMap<usize, usize>,
    btf: Option<Btf>,
    text: Option<usize>,
}

/// Loads an object file.
pub fn load(data: &[u8]) -> Result<Object, ObjectError> {
    if data.len() < 4 || !is_elf(data) {
        return Err(if data.len() < 4 && b"\x7fELF".starts_with(data) {
            ObjectError::TruncatedHeader { len: data.len() }
        } else {
            ObjectError::NotElf
        });
    }
    if data.len() < 64 {
        return Err(ObjectError::TruncatedHeader { len: data.len() });
    }
    if data[4] != 2 {
        return Err(ObjectError::WrongClass { class: data[4] });
    }
    if data[5] != 1 {
        return Err(ObjectError::WrongEndian { encoding: data[5] });
    }
    let machine = u16::from_le_bytes([data[18], data[19]]);
    if machine != EM_BPF {
        return Err(ObjectError::WrongMachine { machine });
    }
    let header = FileHeader64::<LE>::parse(data).map_err(elf_err("file header"))?;
    let endian = header.endian().map_err(elf_err("file header"))?;
    let sections = header
        .sections(endian, data)
        .map_err(elf_err("section headers"))?;
    let mut names = Vec::with_capacity(sections.len());
    for (i, s) in sections.iter().enumerate() {
        let name = sections
            .section_name(endian, s)
            .map_err(elf_err(format!("name of section {i}")))?;
        names.push(String::from_utf8_lossy(name).into_owned());
    }
    let section_data = |i: usize| -> Result<&[u8], ObjectError> {
        let s = sections.section(object::SectionIndex(i)).map_err(|_| {
            ObjectError::BadSectionIndex {
                section: "(file header)".to_string(),
                what: "a reference",
                index: i,
            }
        })?;
        if s.sh_type(endian) == SHT_NOBITS {
            return Ok(&[]);
        }
        s.data(endian, data)
            .map_err(elf_err(format!("contents of section {}", names[i])))
    };

    // BTF first: the maps and the functions need it.
    let btf_index = names.iter().position(|n| n == ".BTF");
    let btf = match btf_index {
        Some(i) => Some(Btf::parse(section_data(i)?)?),
        None => None,
    };
    let ext = match (names.iter().position(|n| n == ".BTF.ext"), &btf) {
        (Some(i), Some(btf)) => Some(BtfExt::parse(section_data(i)?, btf)?),
        _ => None,
    };

    // Symbols.
    let symtab = sections
        .symbols(endian, data, SHT_SYMTAB)
        .map_err(elf_err("symbol table"))?;
    let mut symbols = Vec::with_capacity(symtab.len());
    for (i, sym) in symtab.iter().enumerate() {
        let name = symtab
            .symbol_name(endian, sym)
            .map_err(elf_err(format!("name of symbol {i}")))?;
        let shndx = sym.st_shndx(endian);
        let section = if shndx == SHN_UNDEF || shndx as usize >= sections.len() {
            // SHN_ABS, SHN_COMMON and the other reserved indexes: not in a section.
            if shndx != SHN_UNDEF && shndx < object::elf::SHN_LORESERVE {
                return Err(ObjectError::BadSectionIndex {
                    section: ".symtab".to_string(),
                    what: "a symbol",
                    index: shndx as usize,
                });
            }
            None
        } else {
            Some(shndx as usize)
        };
        symbols.push(Symbol {
            name: String::from_utf8_lossy(name).into_owned(),
            section,
            value: sym.st_value(endian),
            size: sym.st_size(endian),
            kind: sym.st_type(),
            global: sym.st_bind() == STB_GLOBAL,
        });
    }

    // Code sections.
    let mut code = HashMap::new();
    for (i, s) in sections.iter().enumerate() {
        if s.sh_type(endian) != SHT_PROGBITS
            || s.sh_flags(endian) & u64::from(SHF_EXECINSTR) == 0
            || s.sh_size(endian) == 0
        {
            continue;
        }
        let bytes = section_data(i)?;
        let insns = unwind_isa::slots_from_bytes(bytes).map_err(|_| ObjectError::BadCodeSize {
            section: names[i].clone(),
            size: bytes.len(),
        })?;
        let lines = ext
            .as_ref()
            .and_then(|e| e.line_info.get(&names[i]))
            .map(|l| l.iter().map(|l| (l.insn, l.clone())).collect())
            .unwrap_or_default();
        let type_ids = ext
            .as_ref()
            .and_then(|e| e.core_relo.get(&names[i]))
            .map(|r| {
                r.iter()
                    .filter(|r| r.kind == btf::CORE_TYPE_ID_LOCAL)
                    .map(|r| (r.insn, r.type_id))
                    .collect()
            })
            .unwrap_or_default();
        code.insert(
            i,
            CodeSection {
                name: names[i].clone(),
                insns,
                relocs: HashMap::new(),
                lines,
                type_ids,
            },
        );
    }

    // Relocations of code sections.
    for (ri, s) in sections.iter().enumerate() {
        if s.sh_type(endian) != SHT_REL {
            continue;
        }
        let target = s.sh_info(endian) as usize;
        if target >= sections.len() {
            return Err(ObjectError::BadSectionIndex {
                section: names[ri].clone(),
                what: "sh_info",
                index: target,
            });
        }
        let Some(sec) = code.get_mut(&target) else {
            continue; // relocations of debug sections
        };
        let Some((rels, _)) = s
            .rel(endian, data)
            .map_err(elf_err(format!("relocations in {}", names[ri])))?
        else {
            continue;
        };
        for (index, rel) in rels.iter().enumerate() {
            let offset = rel.r_offset(endian);
            let insn = (offset / 8) as usize;
            if offset % 8 != 0 || insn >= sec.insns.len() {
                return Err(ObjectError::RelocationOutOfRange {
                    section: sec.name.clone(),
                    index,
                    offset,
                });
            }
            let sym = rel.r_sym(endian) as usize;
            if sym >= symbols.len() {
                return Err(ObjectError::BadSymbol {
                    section: sec.name.clone(),
                    index,
                    symbol: sym,
                });
            }
            sec.relocs.insert(insn, (index, sym));
        }
    }

    // Functions of code sections.
    let mut funcs = Vec::new();
    for s in &symbols {
        let Some(sec) = s.section.and_then(|i| code.get(&i).map(|c| (i, c))) else {
            continue;
        };
        if s.kind != STT_FUNC {
            continue;
        }
        let (i, c) = sec;
        let end = s.value.checked_add(s.size);
        let bad = || ObjectError::BadFunction {
            section: c.name.clone(),
            name: s.name.clone(),
            start: s.value,
            end: end.unwrap_or(u64::MAX),
        };
        let end = end.ok_or_else(bad)?;
        if s.value % 8 != 0 || end % 8 != 0 || end / 8 > c.insns.len() as u64 || end <= s.value {
            return Err(bad());
        }
        funcs.push(FuncSym {
            name: s.name.clone(),
            section: i,
            start: (s.value / 8) as usize,
            end: (end / 8) as usize,
            global: s.global,
        });
    }
    funcs.sort_by_key(|f| (f.section, f.start));

    let mut loader = Loader {
        code,
        section_names: names.clone(),
        symbols,
        funcs,
        maps: Vec::new(),
        map_at: HashMap::new(),
        data_map: HashMap::new(),
        btf,
        text: names.iter().position(|n| n == ".text"),
    };

    // Maps: legacy, BTF-defined, then global data (libbpf's order).
    let mut initial_data = Vec::new();
    if let Some(i) = names.iter().position(|n| n == "maps") {
        loader.legacy_maps(i, section_data(i)?)?;
    }
    if let Some(i) = names.iter().position(|n| n == ".maps") {
        loader.btf_maps(i)?;
    }
    for (i, s) in sections.iter().enumerate() {
        let n = &names[i];
        let is_data = [".data", ".rodata", ".bss"]
            .iter()
            .any(|p| n == p || n.starts_with(&format!("{p}.")));
        let ty = s.sh_type(endian);
        if !is_data || (ty != SHT_PROGBITS && ty != SHT_NOBITS) || s.sh_size(endian) == 0 {
            continue;
        }
        let size = u32::try_from(s.sh_size(endian)).map_err(|_| ObjectError::BadMap {
            name: n.clone(),
            reason: "the section is larger than 4 GiB".to_string(),
        })?;
        let mut name = n.trim_start_matches('.').to_string();
        while loader.maps.iter().any(|m| m.name == name) {
            name.push('_');
        }
        if ty == SHT_PROGBITS {
            let bytes = section_data(i)?;
            if bytes.iter().any(|&b| b != 0) {
                initial_data.push((name.clone(), bytes.to_vec()));
            }
        }
        loader.data_map.insert(i, loader.maps.len());
        loader.maps.push(MapDef {
            name,
            map_type: MapType::Array,
            key_size: 4,
            value_size: size,
            max_entries: 1,
            span: Span::default(),
        });
    }

    let license = names
        .iter()
        .position(|n| n == "license")
        .and_then(|i| section_data(i).ok())
        .map(|d| {
            let end = d.iter().position(|&b| b == 0).unwrap_or(d.len());
            String::from_utf8_lossy(&d[..end]).into_owned()
        });

    // Programs: the functions of every code section but .text.
    let mut programs = Vec::new();
    let entries: Vec<FuncSym> = loader
        .funcs
        .iter()
        .filter(|f| Some(f.section) != loader.text)
        .cloned()
        .collect();
    for entry in entries {
        let section = loader.section_names[entry.section].clone();
        let prog_type = prog_type_of_section(&section);
        let program = match prog_type {
            None => Err(ObjectError::UnknownSection {
                section: section.clone(),
            }),
            Some(t) => loader.build(&entry, t),
        };
        programs.push(ObjectProgram {
            name: entry.name.clone(),
            section,
            prog_type,
            program,
        });
    }
    Ok(Object {
        programs,
        maps: loader.maps,
        license,
        initial_data,
        btf: loader.btf,
    })
}

fn u32_le(d: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        d.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn map_type(name: &str, n: u32) -> Result<MapType, ObjectError> {
    n.checked_sub(1)
        .and_then(|i| MapType::ALL.get(i as usize).copied())
        .ok_or_else(|| ObjectError::BadMap {
            name: name.to_string(),
            reason: format!("unknown map type {n}"),
        })
}

/// The ctx structs of the program types (`btf_get_prog_ctx_type`): a global function's
/// pointer argument to one of them is its ctx.
const CTX_STRUCTS: &[&str] = &[
    "__sk_buff",
    "xdp_md",
    "bpf_sock",
    "bpf_sock_addr",
    "bpf_sock_ops",
    "sk_msg_md",
    "sk_reuseport_md",
    "bpf_sk_lookup",
    "pt_regs",
    "user_pt_regs",
    "bpf_user_pt_regs_t",
    "bpf_perf_event_data",
    "bpf_raw_tracepoint_args",
    "bpf_sysctl",
    "bpf_sockopt",
    "bpf_nf_ctx",
    "bpf_cgroup_dev_ctx",
    "bpf_flow_keys",
];

/// What BTF says of a function.
#[derive(Default)]
struct FuncBtf {
    global: Option<bool>,
    args: Vec<GlobalArg>,
    returns_void: bool,
    exception_callback: Option<String>,
}

impl Loader {
    fn legacy_maps(&mut self, section: usize, data: &[u8]) -> Result<(), ObjectError> {
        let mut syms: Vec<&Symbol> = self
            .symbols
            .iter()
            .filter(|s| s.section == Some(section) && s.kind != STT_SECTION && !s.name.is_empty())
            .collect();
        syms.sort_by_key(|s| s.value);
        for s in syms {
            let at = |i: usize| {
                usize::try_from(s.value)
                    .ok()
                    .and_then(|v| u32_le(data, v.checked_add(4 * i)?))
                    .ok_or_else(|| ObjectError::BadMap {
                        name: s.name.clone(),
                        reason: format!(
                            "struct bpf_map_def at byte {} runs past the maps section ({} bytes)",
                            s.value,
                            data.len()
                        ),
                    })
            };
            let def = MapDef {
                name: s.name.clone(),
                map_type: map_type(&s.name, at(0)?)?,
                key_size: at(1)?,
                value_size: at(2)?,
                max_entries: at(3)?,
                span: Span::default(),
            };
            self.map_at.insert((section, s.value), self.maps.len());
            self.maps.push(def);
        }
        Ok(())
    }

    fn btf_maps(&mut self, section: usize) -> Result<(), ObjectError> {
        let Some(btf) = &self.btf else {
            return Err(ObjectError::BadMap {
                name: ".maps".to_string(),
                reason: "the object has a .maps section but no .BTF".to_string(),
            });
        };
        let Some((_, datasec)) = btf.find(btf::kind::DATASEC, ".maps") else {
            return Err(ObjectError::BadMap {
                name: ".maps".to_string(),
                reason: "BTF has no DATASEC .maps".to_string(),
            });
        };
        let mut syms: Vec<&Symbol> = self
            .symbols
            .iter()
            .filter(|s| s.section == Some(section) && s.kind != STT_SECTION && !s.name.is_empty())
            .collect();
        syms.sort_by_key(|s| s.value);
        for s in syms {
            let bad = |reason: String| ObjectError::BadMap {
                name: s.name.clone(),
                reason,
            };
            let var = datasec
                .members
                .iter()
                .filter_map(|m| btf.get(m.type_id))
                .find(|v| v.kind == btf::kind::VAR && v.name == s.name)
                .ok_or_else(|| bad("no variable of that name in BTF's .maps".to_string()))?;
            let st = btf.skip_modifiers(var.size_or_type)?;
            let st = btf
                .get(st)
                .filter(|t| t.kind == btf::kind::STRUCT)
                .ok_or_else(|| bad("its BTF type is not a struct".to_string()))?;
            let (mut ty, mut key, mut value, mut entries) = (None, None, None, None);
            for m in &st.members {
                // `__uint(name, N)` is `int (*name)[N]`; `__type(name, T)` is `T *name`.
                let ptr = btf.skip_modifiers(m.type_id)?;
                let pointee = match btf.get(ptr) {
                    Some(t) if t.kind == btf::kind::PTR => btf.skip_modifiers(t.size_or_type)?,
                    _ => continue,
                };
                let uint =
                    || -> Option<u32> { btf.get(pointee).and_then(|t| t.array).map(|(_, n)| n) };
                let size = || -> Result<Option<u32>, ObjectError> {
                    Ok(btf.size_of(pointee)?.and_then(|n| u32::try_from(n).ok()))
                };
                match m.name.as_str() {
                    "type" => ty = uint(),
                    "max_entries" => entries = uint(),
                    "key_size" => key = uint(),
                    "value_size" => value = uint(),
                    "key" => key = size()?,
                    "value" => value = size()?,
                    _ => {}
                }
            }
            let ty = ty.ok_or_else(|| bad("no __uint(type, ...)".to_string()))?;
            let map_type = map_type(&s.name, ty)?;
            self.map_at.insert((section, s.value), self.maps.len());
            self.maps.push(MapDef {
                name: s.name.clone(),
                map_type,
                key_size: key.unwrap_or(0),
                value_size: value.unwrap_or(0),
                max_entries: entries.unwrap_or(0),
                span: Span::default(),
            });
        }
        Ok(())
    }

    /// What BTF says of the function `name` (its argument kinds only with `args`: a
    /// program's entry takes its ctx, whatever BTF says).
    fn func_btf(&self, name: &str, args: bool) -> Result<FuncBtf, ObjectError> {
        let Some(btf) = &self.btf else {
            return Ok(FuncBtf::default());
        };
        let Some((id, func)) = btf.find(btf::kind::FUNC, name) else {
            return Ok(FuncBtf::default());
        };
        let mut out = FuncBtf {
            global: Some(func.vlen == 1),
            ..FuncBtf::default()
        };
        for (idx, tag) in btf.decl_tags(id) {
            if let (-1, Some(cb)) = (idx, tag.strip_prefix("exception_callback:")) {
                if let Some(first) = &out.exception_callback {
                    // The kernel's verifier refuses such a program with this message
                    // (`find_exception_callback_insn_off`); a Program has one callback.
                    return Err(ObjectError::BadExceptionCallback {
                        name: cb.to_string(),
                        reason: format!(
                            "multiple exception callback tags for main subprogram ({name} names {first} and {cb})"
                        ),
                    });
                }
                out.exception_callback = Some(cb.to_string());
            }
        }
        let proto = btf
            .get(func.size_or_type)
            .filter(|t| t.kind == btf::kind::FUNC_PROTO);
        let Some(proto) = proto else {
            return Ok(out);
        };
        // A pointer or struct return is not told apart from an integer one (the kernel refuses
        // it: "Global function NAME() doesn't return scalar"; docs/objects.md).
        out.returns_void = proto.size_or_type == 0;
        if out.global != Some(true) || !args {
            return Ok(out);
        }
        for (i, p) in proto.members.iter().enumerate() {
            let unsupported = |reason: String| ObjectError::UnsupportedArg {
                function: name.to_string(),
                index: i,
                reason,
            };
            let tags: Vec<&str> = btf
                .decl_tags(id)
                .filter(|&(c, _)| c == i as i32)
                .map(|(_, t)| t)
                .collect();
            if tags.contains(&"arg:ctx") {
                out.args.push(GlobalArg::Ctx);
                continue;
            }
            // `arg:nonnull`, `arg:trusted`, `arg:arena`, ...: the Program's argument kinds
            // (what `.globl` can say) have no such kind, and a nullable `mem` would make the
            // verifier refuse what the kernel accepts.
            if let Some(t) = tags.iter().find(|t| t.starts_with("arg:")) {
                return Err(unsupported(format!(
                    "the decl tag {t} has no argument kind in Unwind's Program yet"
                )));
            }
            let t = btf.skip_modifiers(p.type_id)?;
            let ty = btf.get(t).map(|t| t.kind);
            let arg = match ty {
                Some(btf::kind::INT | btf::kind::ENUM | btf::kind::ENUM64) => GlobalArg::Scalar,
                Some(btf::kind::PTR) => {
                    let pointee = btf.skip_modifiers(btf.get(t).map_or(0, |t| t.size_or_type))?;
                    let pt = btf.get(pointee);
                    if pt.is_some_and(|pt| {
                        matches!(pt.kind, btf::kind::STRUCT | btf::kind::FWD)
                            && CTX_STRUCTS.contains(&pt.name.as_str())
                    }) {
                        GlobalArg::Ctx
                    } else {
                        match btf.size_of(pointee)? {
                            Some(n) if n > 0 && n <= u32::MAX as u64 => GlobalArg::Mem(n as u32),
                            _ => {
                                return Err(unsupported(
                                    "a pointer to a type of unknown size".to_string(),
                                ))
                            }
                        }
                    }
                }
                _ => return Err(unsupported("neither a scalar nor a pointer".to_string())),
            };
            out.args.push(arg);
        }
        Ok(out)
    }

    /// The function of `section` that contains instruction `insn`.
    fn func_containing(&self, section: usize, insn: usize) -> Option<&FuncSym> {
        self.funcs
            .iter()
            .find(|f| f.section == section && (f.start..f.end).contains(&insn))
    }

    /// Builds one program: the entry function, then the `.text` functions it reaches.
    fn build(&self, entry: &FuncSym, prog_type: ProgType) -> Result<Program, ObjectError> {
        let mut pl = Placement::default();
        let mut decls: Vec<FunctionDecl> = Vec::new();
        // Functions that call bpf_obj_new_impl: their type-id loads become sizes.
        let mut allocating: Vec<FuncSym> = Vec::new();
        pl.place(&self.code, entry);
        let entry_btf = self.func_btf(&entry.name, false)?;
        let mut exception_cb = None;
        if let Some(cb) = &entry_btf.exception_callback {
            let f = self.funcs.iter().find(|f| &f.name == cb).ok_or_else(|| {
                ObjectError::BadExceptionCallback {
                    name: cb.clone(),
                    reason: "no function of that name".to_string(),
                }
            })?;
            if Some(f.section) != self.text {
                return Err(ObjectError::BadExceptionCallback {
                    name: cb.clone(),
                    reason: "not a .text function".to_string(),
                });
            }
            let pc = pl.place(&self.code, f);
            exception_cb = Some(pc);
        }

        let mut i = 0;
        while i < pl.order.len() {
            let f = pl.order[i].clone();
            let base = pl.placed[&(f.section, f.start)];
            let sec = &self.code[&f.section];
            let mut k = f.start;
            while k < f.end {
                let pc = base + (k - f.start);
                let insn = sec.insns[k];
                let reloc = sec.relocs.get(&k).copied();
                let bad_reloc = |index: usize, reason: String| ObjectError::BadRelocation {
                    section: sec.name.clone(),
                    index,
                    insn: k,
                    reason,
                };
                match insn.code {
                    // call
                    0x85 => {
                        let target = match reloc {
                            Some((index, sym)) => {
                                let s = &self.symbols[sym];
                                match s.section {
                                    None => {
                                        let name = unwind_kernel::kfunc_model_name(&s.name);
                                        if name != s.name && name.ends_with("_new") {
                                            allocating.push(f.clone());
                                        }
                                        let (src, imm) = match resolve_call_name(name) {
                                            Some(CallRef::Kfunc { btf_id }) => (2, btf_id),
                                            Some(CallRef::Helper { id }) => (0, id),
                                            None => {
                                                return Err(ObjectError::UnknownKfunc {
                                                    name: s.name.clone(),
                                                })
                                            }
                                        };
                                        pl.slots[pc].src = src;
                                        pl.slots[pc].imm = imm;
                                        pl.slots[pc].off = 0;
                                        None
                                    }
                                    Some(ts) if self.code.contains_key(&ts) => {
                                        if insn.src != 1 {
                                            return Err(bad_reloc(
                                                index,
                                                "a call to a function that is not a bpf-to-bpf call".into(),
                                            ));
                                        }
                                        let t = (s.value / 8) as i64 + insn.imm as i64 + 1;
                                        Some((index, ts, t))
                                    }
                                    Some(_) => {
                                        return Err(bad_reloc(
                                            index,
                                            format!("a call to {}, which is not code", s.name),
                                        ))
                                    }
                                }
                            }
                            None if insn.src == 1 => {
                                Some((usize::MAX, f.section, k as i64 + insn.imm as i64 + 1))
                            }
                            None => None,
                        };
                        if let Some((index, ts, t)) = target {
                            let tpc = self.resolve_target(&mut pl, ts, t, &sec.name, k, index)?;
                            pl.slots[pc].imm = (tpc as i64 - pc as i64 - 1) as i32;
                        }
                        k += 1;
                    }
                    // ld_imm64
                    0x18 => {
                        if k + 1 >= f.end {
                            return Err(ObjectError::BadCall {
                                section: sec.name.clone(),
                                insn: k,
                                reason: "ld_imm64 without its second slot".to_string(),
                            });
                        }
                        if let Some((index, sym)) = reloc {
                            let s = &self.symbols[sym];
                            match s.section {
                                None => {
                                    return Err(ObjectError::Unsupported {
                                        what: format!(
                                            "a reference to the extern variable {} (instruction {k} of {})",
                                            s.name, sec.name
                                        ),
                                    })
                                }
                                Some(ts) if self.code.contains_key(&ts) => {
                                    let t = (s.value as i64).wrapping_add(insn.imm as i64) / 8;
                                    let tpc = self.resolve_target(&mut pl, ts, t, &sec.name, k, index)?;
                                    pl.slots[pc].src = 4;
                                    pl.slots[pc].imm = (tpc as i64 - pc as i64 - 1) as i32;
                                }
                                Some(ts) => {
                                    if let Some(&m) = self.map_at.get(&(ts, s.value)) {
                                        pl.slots[pc].src = 1;
                                        pl.slots[pc].imm = m as i32;
                                        pl.slots[pc + 1].imm = 0;
                                    } else if let Some(&m) = self.data_map.get(&ts) {
                                        let off = (if s.kind == STT_SECTION { 0 } else { s.value } as i64)
                                            .wrapping_add(insn.imm as i64);
                                        pl.slots[pc].src = 2;
                                        pl.slots[pc].imm = m as i32;
                                        pl.slots[pc + 1].imm = off as i32;
                                    } else {
                                        return Err(bad_reloc(
                                            index,
                                            format!(
                                                "{} is neither a map, global data nor code",
                                                if s.name.is_empty() { &self.section_names[ts] } else { &s.name }
                                            ),
                                        ));
                                    }
                                }
                            }
                        } else if insn.src == 4 {
                            let t = k as i64 + insn.imm as i64 + 1;
                            let tpc = self.resolve_target(
                                &mut pl,
                                f.section,
                                t,
                                &sec.name,
                                k,
                                usize::MAX,
                            )?;
                            pl.slots[pc].imm = (tpc as i64 - pc as i64 - 1) as i32;
                        }
                        k += 2;
                    }
                    _ => k += 1,
                }
            }
            i += 1;
        }

        // `bpf_obj_new(type)` passes `bpf_core_type_id_local(type)`; the catalogue's
        // bpf_obj_new takes the size: each type-id load of a function that allocates loads
        // the type's size instead.
        for f in &allocating {
            let base = pl.placed[&(f.section, f.start)];
            let sec = &self.code[&f.section];
            for (&k, &type_id) in &sec.type_ids {
                if !(f.start..f.end).contains(&k) {
                    continue;
                }
                let size = self
                    .btf
                    .as_ref()
                    .map(|b| b.size_of(type_id))
                    .transpose()?
                    .flatten()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| ObjectError::Unsupported {
                        what: format!(
                            "bpf_obj_new of BTF type {type_id}, whose size is unknown (instruction {k} of {})",
                            sec.name
                        ),
                    })?;
                let pc = base + (k - f.start);
                pl.slots[pc].imm = size;
                if pl.slots[pc].code == 0x18 && pc + 1 < pl.slots.len() {
                    pl.slots[pc + 1].imm = 0;
                }
            }
        }

        // Declarations: every placed function, with its BTF.
        for f in &pl.order {
            let pc = pl.placed[&(f.section, f.start)];
            let fb = self.func_btf(&f.name, pc != 0)?;
            let global = fb.global.unwrap_or(f.global);
            decls.push(FunctionDecl {
                name: f.name.clone(),
                pc,
                global: pc != 0 && global,
                args: if global { fb.args } else { Vec::new() },
                returns_void: fb.returns_void,
                is_exception_callback: Some(pc) == exception_cb,
            });
        }

        // Spans and lines: each instruction takes the last line record of its function.
        let mut spans = Vec::with_capacity(pl.slots.len());
        let mut line_info = Vec::new();
        let mut current = Span::default();
        let starts: std::collections::HashSet<usize> = pl.placed.values().copied().collect();
        let mut in_imm64 = false;
        for (pc, &(s, k)) in pl.origin.iter().enumerate() {
            if starts.contains(&pc) {
                current = Span::default();
            }
            // The second slot of an ld_imm64 is no instruction: the kernel refuses a record
            // there ("Invalid insn code at line_info[N].insn_off").
            let tail = in_imm64;
            in_imm64 = !tail && pl.slots[pc].code == 0x18;
            if let Some(l) = self.code[&s].lines.get(&k) {
                if tail {
                    return Err(ObjectError::Elf {
                        what: ".BTF.ext line_info".to_string(),
                        reason: format!(
                            "a record points into the middle of the ld_imm64 at instruction {}",
                            pc - 1
                        ),
                    });
                }
                current = Span::new(l.line, l.column.max(1), l.column.max(1));
                line_info.push(SourceLine {
                    pc,
                    text: l.text.clone(),
                    file: l.file.clone(),
                    line: l.line,
                    column: l.column,
                });
            }
            spans.push(current);
        }
        let mut program = Program::new(
            pl.slots,
            spans,
            &decls,
            self.maps.clone(),
            Some(prog_type),
            Vec::new(),
        );
        program.line_info = line_info;
        Ok(program)
    }

    /// The pc of instruction `t` of section `ts` in the program being built, placing its
    /// function (a `.text` function, or one of the entry's own section) when it is not yet.
    fn resolve_target(
        &self,
        pl: &mut Placement,
        ts: usize,
        t: i64,
        from: &str,
        k: usize,
        index: usize,
    ) -> Result<usize, ObjectError> {
        let err = |reason: String| {
            if index == usize::MAX {
                ObjectError::BadCall {
                    section: from.to_string(),
                    insn: k,
                    reason,
                }
            } else {
                ObjectError::BadRelocation {
                    section: from.to_string(),
                    index,
                    insn: k,
                    reason,
                }
            }
        };
        let t = usize::try_from(t)
            .map_err(|_| err(format!("target instruction {t} is before the section")))?;
        let f = self.func_containing(ts, t).ok_or_else(|| {
            err(format!(
                "target instruction {t} of {} is in no function",
                self.section_names[ts]
            ))
        })?;
        let in_own = pl.placed.contains_key(&(f.section, f.start));
        if !in_own && Some(ts) != self.text {
            return Err(err(format!(
                "target {} is in another program's section {}",
                f.name, self.section_names[ts]
            )));
        }
        let base = pl.place(&self.code, f);
        Ok(base + (t - f.start))
    }
}
