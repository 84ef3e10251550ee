//! A small reader of `.BTF` and `.BTF.ext` (Documentation/bpf/btf.rst): the types, the
//! strings, `func_info` and `line_info`. Every offset and count is checked against the section;
//! malformed input gives a [`BtfError`], never a panic, and type chains are followed with a
//! depth limit (BTF may contain loops).

use std::collections::HashMap;

/// What is wrong with a `.BTF` or `.BTF.ext` section.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BtfError {
    #[error("{section}: truncated: {what} at byte {offset} runs past the end ({len} bytes)")]
    Truncated {
        section: &'static str,
        what: &'static str,
        offset: usize,
        len: usize,
    },
    #[error("{section}: bad magic {magic:#06x} (expected 0xeb9f)")]
    BadMagic { section: &'static str, magic: u16 },
    #[error("{section}: unsupported version {version}")]
    BadVersion { section: &'static str, version: u8 },
    #[error("{section}: {what} (offset {offset}, length {length}) lies outside the section ({len} bytes)")]
    BadOffset {
        section: &'static str,
        what: &'static str,
        offset: u64,
        length: u64,
        len: usize,
    },
    #[error(
        ".BTF: string offset {offset} is outside the string table ({len} bytes) or not terminated"
    )]
    BadString { offset: u32, len: usize },
    #[error(".BTF: type {id} has unknown kind {kind}")]
    UnknownKind { id: u32, kind: u32 },
    #[error(".BTF: type {id} refers to type {target}, which does not exist ({count} types)")]
    BadTypeId { id: u32, target: u32, count: u32 },
    #[error(".BTF: the type chain from type {id} loops or is deeper than {limit}")]
    Loop { id: u32, limit: usize },
    #[error("{section}: {what}: count {count} is too large for the section")]
    HugeCount {
        section: &'static str,
        what: &'static str,
        count: u64,
    },
    #[error(".BTF.ext: {what} record size {size} is too small (at least {min})")]
    BadRecordSize {
        what: &'static str,
        size: u32,
        min: u32,
    },
}

/// The BTF kinds (`BTF_KIND_*`).
pub mod kind {
    pub const INT: u32 = 1;
    pub const PTR: u32 = 2;
    pub const ARRAY: u32 = 3;
    pub const STRUCT: u32 = 4;
    pub const UNION: u32 = 5;
    pub const ENUM: u32 = 6;
    pub const FWD: u32 = 7;
    pub const TYPEDEF: u32 = 8;
    pub const VOLATILE: u32 = 9;
    pub const CONST: u32 = 10;
    pub const RESTRICT: u32 = 11;
    pub const FUNC: u32 = 12;
    pub const FUNC_PROTO: u32 = 13;
    pub const VAR: u32 = 14;
    pub const DATASEC: u32 = 15;
    pub const FLOAT: u32 = 16;
    pub const DECL_TAG: u32 = 17;
    pub const TYPE_TAG: u32 = 18;
    pub const ENUM64: u32 = 19;
}

/// A member, parameter, enumerator or section variable: a name and a type (or value), and
/// for members and section variables an offset (bits for members, bytes for variables) and,
/// for variables, a size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub type_id: u32,
    pub offset: u32,
    pub size: u32,
}

/// One BTF type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    pub name: String,
    pub kind: u32,
    /// `vlen` (for FUNC: the linkage, 0 static, 1 global, 2 extern).
    pub vlen: u32,
    /// `size` or `type`, depending on the kind.
    pub size_or_type: u32,
    /// ARRAY: element type and number of elements.
    pub array: Option<(u32, u32)>,
    /// DECL_TAG: the component index (-1 for the declaration itself).
    pub component_idx: i32,
    pub members: Vec<Member>,
}

/// The most types a `.BTF` may declare (the kernel's `BTF_MAX_TYPE`).
const MAX_TYPES: u64 = 0x000f_ffff;
/// How deep a chain of modifiers, typedefs, pointers and arrays is followed.
pub const MAX_DEPTH: usize = 32;

/// A parsed `.BTF`: type 0 is `void`.
#[derive(Clone, Debug, Default)]
pub struct Btf {
    types: Vec<Type>,
    strings: Vec<u8>,
}

fn u16_at(data: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        data.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(data: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        data.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The sub-slice `[hdr_len + off, + len)` of a section, checked.
fn region<'a>(
    section: &'static str,
    data: &'a [u8],
    base: usize,
    off: u32,
    length: u32,
    what: &'static str,
) -> Result<&'a [u8], BtfError> {
    let bad = || BtfError::BadOffset {
        section,
        what,
        offset: off as u64,
        length: length as u64,
        len: data.len(),
    };
    let start = base.checked_add(off as usize).ok_or_else(bad)?;
    let end = start.checked_add(length as usize).ok_or_else(bad)?;
    data.get(start..end).ok_or_else(bad)
}

impl Btf {
    /// Parses a `.BTF` section.
    pub fn parse(data: &[u8]) -> Result<Btf, BtfError> {
        const S: &str = ".BTF";
        let trunc = |what, offset| BtfError::Truncated {
            section: S,
            what,
            offset,
            len: data.len(),
        };
        let magic = u16_at(data, 0).ok_or_else(|| trunc("header", 0))?;
        if magic != 0xeb9f {
            return Err(BtfError::BadMagic { section: S, magic });
        }
        let version = *data.get(2).ok_or_else(|| trunc("header", 2))?;
        if version != 1 {
            return Err(BtfError::BadVersion {
                section: S,
                version,
            });
        }
        let field = |i: usize| u32_at(data, 4 + 4 * i).ok_or_else(|| trunc("header", 4 + 4 * i));
        let hdr_len = field(0)?;
        let (type_off, type_len, str_off, str_len) = (field(1)?, field(2)?, field(3)?, field(4)?);
        if (hdr_len as usize) < 24 || hdr_len as usize > data.len() {
            return Err(BtfError::BadOffset {
                section: S,
                what: "header",
                offset: 0,
                length: hdr_len as u64,
                len: data.len(),
            });
        }
        let base = hdr_len as usize;
        let types_data = region(S, data, base, type_off, type_len, "type section")?;
        let strings = region(S, data, base, str_off, str_len, "string section")?.to_vec();
        let mut btf = Btf {
            types: vec![Type {
                name: String::new(),
                kind: 0,
                vlen: 0,
                size_or_type: 0,
                array: None,
                component_idx: -1,
                members: Vec::new(),
            }],
            strings,
        };
        let mut off = 0usize;
        while off < types_data.len() {
            let id = btf.types.len() as u32;
            if btf.types.len() as u64 > MAX_TYPES {
                return Err(BtfError::HugeCount {
                    section: S,
                    what: "types",
                    count: btf.types.len() as u64,
                });
            }
            let t = |o: usize| {
                u32_at(types_data, off + o).ok_or(BtfError::Truncated {
                    section: S,
                    what: "type",
                    offset: base + type_off as usize + off + o,
                    len: data.len(),
                })
            };
            let name_off = t(0)?;
            let info = t(4)?;
            let size_or_type = t(8)?;
            let vlen = info & 0xffff;
            let kind = (info >> 24) & 0x1f;
            off += 12;
            // The bytes after the common header, by kind.
            let per = match kind {
                kind::INT | kind::VAR | kind::DECL_TAG => 4,
                kind::ARRAY => 12,
                kind::STRUCT | kind::UNION | kind::DATASEC => 12 * vlen as usize,
                kind::ENUM | kind::FUNC_PROTO => 8 * vlen as usize,
                kind::ENUM64 => 12 * vlen as usize,
                kind::PTR
                | kind::FWD
                | kind::TYPEDEF
                | kind::VOLATILE
                | kind::CONST
                | kind::RESTRICT
                | kind::FUNC
                | kind::FLOAT
                | kind::TYPE_TAG => 0,
                _ => return Err(BtfError::UnknownKind { id, kind }),
            };
            if off + per > types_data.len() {
                return Err(BtfError::Truncated {
                    section: S,
                    what: "type data",
                    offset: base + type_off as usize + off,
                    len: data.len(),
                });
            }
            let rec = &types_data[off..off + per];
            let r = |o: usize| u32_at(rec, o).unwrap_or(0);
            let mut ty = Type {
                name: btf.string(name_off)?.to_string(),
                kind,
                vlen,
                size_or_type,
                array: None,
                component_idx: -1,
                members: Vec::new(),
            };
            match kind {
                kind::ARRAY => ty.array = Some((r(0), r(8))),
                kind::DECL_TAG => ty.component_idx = r(0) as i32,
                kind::STRUCT | kind::UNION | kind::DATASEC => {
                    for i in 0..vlen as usize {
                        let (a, b, c) = (r(12 * i), r(12 * i + 4), r(12 * i + 8));
                        let (name, type_id, offset, size) = if kind == kind::DATASEC {
                            (String::new(), a, b, c)
                        } else {
                            (btf.string(a)?.to_string(), b, c, 0)
                        };
                        ty.members.push(Member {
                            name,
                            type_id,
                            offset,
                            size,
                        });
                    }
                }
                kind::FUNC_PROTO => {
                    for i in 0..vlen as usize {
                        ty.members.push(Member {
                            name: btf.string(r(8 * i))?.to_string(),
                            type_id: r(8 * i + 4),
                            offset: 0,
                            size: 0,
                        });
                    }
                }
                _ => {}
            }
            off += per;
            btf.types.push(ty);
        }
        btf.check_references()?;
        Ok(btf)
    }

    /// Every type id a type mentions must exist.
    fn check_references(&self) -> Result<(), BtfError> {
        let count = self.types.len() as u32;
        for (id, t) in self.types.iter().enumerate() {
            let id = id as u32;
            let mut refs: Vec<u32> = Vec::new();
            match t.kind {
                kind::PTR
                | kind::TYPEDEF
                | kind::VOLATILE
                | kind::CONST
                | kind::RESTRICT
                | kind::FUNC
                | kind::VAR
                | kind::DECL_TAG
                | kind::TYPE_TAG
                | kind::FUNC_PROTO => refs.push(t.size_or_type),
                _ => {}
            }
            if let Some((elem, _)) = t.array {
                refs.push(elem);
            }
            if matches!(
                t.kind,
                kind::STRUCT | kind::UNION | kind::DATASEC | kind::FUNC_PROTO
            ) {
                refs.extend(t.members.iter().map(|m| m.type_id));
            }
            if let Some(&target) = refs.iter().find(|&&r| r >= count) {
                return Err(BtfError::BadTypeId { id, target, count });
            }
        }
        Ok(())
    }

    /// The string at `offset` of the string section.
    pub fn string(&self, offset: u32) -> Result<&str, BtfError> {
        let bad = || BtfError::BadString {
            offset,
            len: self.strings.len(),
        };
        let rest = self.strings.get(offset as usize..).ok_or_else(bad)?;
        let end = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
        std::str::from_utf8(&rest[..end]).map_err(|_| bad())
    }

    /// The type with this id (0 is void).
    pub fn get(&self, id: u32) -> Option<&Type> {
        self.types.get(id as usize)
    }

    /// All types, with their ids.
    pub fn types(&self) -> impl Iterator<Item = (u32, &Type)> {
        self.types.iter().enumerate().map(|(i, t)| (i as u32, t))
    }

    /// The first type of `kind` named `name`.
    pub fn find(&self, kind: u32, name: &str) -> Option<(u32, &Type)> {
        self.types().find(|(_, t)| t.kind == kind && t.name == name)
    }

    /// Follows typedefs and modifiers (const, volatile, restrict, type tags).
    pub fn skip_modifiers(&self, mut id: u32) -> Result<u32, BtfError> {
        for _ in 0..MAX_DEPTH {
            match self.get(id).map(|t| t.kind) {
                Some(
                    kind::TYPEDEF | kind::VOLATILE | kind::CONST | kind::RESTRICT | kind::TYPE_TAG,
                ) => id = self.types[id as usize].size_or_type,
                _ => return Ok(id),
            }
        }
        Err(BtfError::Loop {
            id,
            limit: MAX_DEPTH,
        })
    }

    /// The size in bytes of a type (`None` for void, functions and forward declarations).
    pub fn size_of(&self, id: u32) -> Result<Option<u64>, BtfError> {
        self.size_at_depth(id, 0)
    }

    fn size_at_depth(&self, id: u32, depth: usize) -> Result<Option<u64>, BtfError> {
        if depth > MAX_DEPTH {
            return Err(BtfError::Loop {
                id,
                limit: MAX_DEPTH,
            });
        }
        let id = self.skip_modifiers(id)?;
        let Some(t) = self.get(id) else {
            return Ok(None);
        };
        Ok(match t.kind {
            kind::INT
            | kind::STRUCT
            | kind::UNION
            | kind::ENUM
            | kind::ENUM64
            | kind::FLOAT
            | kind::DATASEC => Some(t.size_or_type as u64),
            kind::PTR => Some(8),
            kind::ARRAY => {
                let (elem, n) = t.array.unwrap_or((0, 0));
                self.size_at_depth(elem, depth + 1)?
                    .map(|s| s.saturating_mul(n as u64))
            }
            kind::VAR => self.size_at_depth(t.size_or_type, depth + 1)?,
            _ => None,
        })
    }

    /// The decl tags (`btf_decl_tag("...")`) on type `id`, with their component index.
    pub fn decl_tags(&self, id: u32) -> impl Iterator<Item = (i32, &str)> {
        self.types
            .iter()
            .filter(move |t| t.kind == kind::DECL_TAG && t.size_or_type == id)
            .map(|t| (t.component_idx, t.name.as_str()))
    }
}

/// One `line_info` record of `.BTF.ext`: the instruction (by index in its section), the file,
/// the line and column, and the source line's text (which clang stores in the string table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInfo {
    pub insn: usize,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub text: String,
}

/// One CO-RE relocation record of `.BTF.ext` (`struct bpf_core_relo`): the instruction (by
/// index in its section), the local type, the access string and the kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreRelo {
    pub insn: usize,
    pub type_id: u32,
    pub access: String,
    pub kind: u32,
}

/// `BPF_CORE_TYPE_ID_LOCAL`: the instruction loads the local BTF id of a type
/// (`bpf_core_type_id_local()`, what `bpf_obj_new()` passes).
pub const CORE_TYPE_ID_LOCAL: u32 = 6;

/// A parsed `.BTF.ext`: per section name, its `func_info` (instruction index, FUNC type id),
/// `line_info` and CO-RE relocations.
#[derive(Clone, Debug, Default)]
pub struct BtfExt {
    pub func_info: HashMap<String, Vec<(usize, u32)>>,
    pub line_info: HashMap<String, Vec<LineInfo>>,
    pub core_relo: HashMap<String, Vec<CoreRelo>>,
}

impl BtfExt {
    /// Parses a `.BTF.ext` section; strings are read from `btf`.
    pub fn parse(data: &[u8], btf: &Btf) -> Result<BtfExt, BtfError> {
        const S: &str = ".BTF.ext";
        let trunc = |what, offset| BtfError::Truncated {
            section: S,
            what,
            offset,
            len: data.len(),
        };
        let magic = u16_at(data, 0).ok_or_else(|| trunc("header", 0))?;
        if magic != 0xeb9f {
            return Err(BtfError::BadMagic { section: S, magic });
        }
        let version = *data.get(2).ok_or_else(|| trunc("header", 2))?;
        if version != 1 {
            return Err(BtfError::BadVersion {
                section: S,
                version,
            });
        }
        let hdr_len = u32_at(data, 4).ok_or_else(|| trunc("header", 4))?;
        if (hdr_len as usize) < 24 || hdr_len as usize > data.len() {
            return Err(BtfError::BadOffset {
                section: S,
                what: "header",
                offset: 0,
                length: hdr_len as u64,
                len: data.len(),
            });
        }
        let field = |i: usize| u32_at(data, 8 + 4 * i).ok_or_else(|| trunc("header", 8 + 4 * i));
        let base = hdr_len as usize;
        let func = region(S, data, base, field(0)?, field(1)?, "func_info")?;
        let line = region(S, data, base, field(2)?, field(3)?, "line_info")?;
        // core_relo_off and core_relo_len, in headers of 32 bytes or more.
        let core = if hdr_len >= 32 {
            region(S, data, base, field(4)?, field(5)?, "core_relo")?
        } else {
            &[]
        };
        let mut ext = BtfExt::default();
        for_each_record(core, "core_relo", 16, btf, |sec, rec| {
            let access = btf.string(u32_at(rec, 8).unwrap_or(0))?.to_string();
            ext.core_relo
                .entry(sec.to_string())
                .or_default()
                .push(CoreRelo {
                    insn: u32_at(rec, 0).unwrap_or(0) as usize / 8,
                    type_id: u32_at(rec, 4).unwrap_or(0),
                    access,
                    kind: u32_at(rec, 12).unwrap_or(0),
                });
            Ok(())
        })?;
        for_each_record(func, "func_info", 8, btf, |sec, rec| {
            let insn = u32_at(rec, 0).unwrap_or(0) as usize / 8;
            let type_id = u32_at(rec, 4).unwrap_or(0);
            ext.func_info
                .entry(sec.to_string())
                .or_default()
                .push((insn, type_id));
            Ok(())
        })?;
        for_each_record(line, "line_info", 16, btf, |sec, rec| {
            let insn = u32_at(rec, 0).unwrap_or(0) as usize / 8;
            let file = btf.string(u32_at(rec, 4).unwrap_or(0))?.to_string();
            let text = btf.string(u32_at(rec, 8).unwrap_or(0))?.to_string();
            let col = u32_at(rec, 12).unwrap_or(0);
            ext.line_info
                .entry(sec.to_string())
                .or_default()
                .push(LineInfo {
                    insn,
                    file,
                    line: col >> 10,
                    column: col & 0x3ff,
                    text,
                });
            Ok(())
        })?;
        Ok(ext)
    }
}

/// Walks a `func_info` or `line_info` block: a record size, then per section its name, a
/// count and the records.
fn for_each_record(
    data: &[u8],
    what: &'static str,
    min: u32,
    btf: &Btf,
    mut f: impl FnMut(&str, &[u8]) -> Result<(), BtfError>,
) -> Result<(), BtfError> {
    const S: &str = ".BTF.ext";
    if data.is_empty() {
        return Ok(());
    }
    let trunc = |offset| BtfError::Truncated {
        section: S,
        what,
        offset,
        len: data.len(),
    };
    let size = u32_at(data, 0).ok_or_else(|| trunc(0))?;
    if size < min {
        return Err(BtfError::BadRecordSize { what, size, min });
    }
    let mut off = 4usize;
    while off < data.len() {
        let name_off = u32_at(data, off).ok_or_else(|| trunc(off))?;
        let count = u32_at(data, off + 4).ok_or_else(|| trunc(off + 4))?;
        off += 8;
        let bytes = count as u64 * size as u64;
        if bytes > (data.len() - off.min(data.len())) as u64 {
            return Err(BtfError::HugeCount {
                section: S,
                what,
                count: count as u64,
            });
        }
        let sec = btf.string(name_off)?.to_string();
        for i in 0..count as usize {
            let start = off + i * size as usize;
            f(&sec, &data[start..start + size as usize])?;
        }
        off += bytes as usize;
    }
    Ok(())
}
