//! BTF, both ways: a small writer for the program BTF the kernel needs to verify global
//! functions and exception callbacks (`FUNC`, `FUNC_PROTO`, `arg:ctx` and
//! `exception_callback:` decl tags, `func_info`), and a reader that finds a kernel function's
//! BTF id by name in `/sys/kernel/btf/vmlinux` (for kfunc calls). Layout: the kernel's
//! `include/uapi/linux/btf.h`.

use std::collections::HashMap;

const MAGIC: u16 = 0xeb9f;
const HEADER_LEN: usize = 24;

const KIND_INT: u32 = 1;
const KIND_PTR: u32 = 2;
const KIND_ARRAY: u32 = 3;
const KIND_STRUCT: u32 = 4;
const KIND_UNION: u32 = 5;
const KIND_ENUM: u32 = 6;
const KIND_FUNC: u32 = 12;
const KIND_FUNC_PROTO: u32 = 13;
const KIND_VAR: u32 = 14;
const KIND_DATASEC: u32 = 15;
const KIND_DECL_TAG: u32 = 17;
const KIND_ENUM64: u32 = 19;

/// `BTF_FUNC_STATIC` / `BTF_FUNC_GLOBAL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncLinkage {
    Static = 0,
    Global = 1,
}

/// A BTF blob under construction. Type ids start at 1 (0 is `void`).
#[derive(Debug)]
pub struct BtfWriter {
    types: Vec<u8>,
    strings: Vec<u8>,
    string_at: HashMap<String, u32>,
    next_id: u32,
}

impl Default for BtfWriter {
    fn default() -> Self {
        BtfWriter {
            types: Vec::new(),
            // offset 0 is the empty name
            strings: vec![0],
            string_at: HashMap::new(),
            next_id: 1,
        }
    }
}

impl BtfWriter {
    fn string(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&at) = self.string_at.get(s) {
            return at;
        }
        let at = self.strings.len() as u32;
        self.strings.extend_from_slice(s.as_bytes());
        self.strings.push(0);
        self.string_at.insert(s.to_string(), at);
        at
    }

    fn push(&mut self, name: &str, kind: u32, vlen: u32, size_or_type: u32, extra: &[u32]) -> u32 {
        let name = self.string(name);
        for word in [name, (kind << 24) | (vlen & 0xffff), size_or_type]
            .into_iter()
            .chain(extra.iter().copied())
        {
            self.types.extend_from_slice(&word.to_le_bytes());
        }
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// An integer of `bytes` bytes (`BTF_INT_SIGNED` when `signed`).
    pub fn int(&mut self, name: &str, bytes: u32, signed: bool) -> u32 {
        let encoding = u32::from(signed);
        self.push(name, KIND_INT, 0, bytes, &[(encoding << 24) | (bytes * 8)])
    }

    /// A pointer to `target` (0: `void *`).
    pub fn ptr(&mut self, target: u32) -> u32 {
        self.push("", KIND_PTR, 0, target, &[])
    }

    /// A struct of `bytes` bytes with no members (what a `mem:N` argument points to).
    pub fn opaque_struct(&mut self, name: &str, bytes: u32) -> u32 {
        self.push(name, KIND_STRUCT, 0, bytes, &[])
    }

    /// A function prototype: parameter types (named `a0`, `a1`, ...) and the return type.
    pub fn func_proto(&mut self, ret: u32, params: &[u32]) -> u32 {
        let mut extra = Vec::with_capacity(params.len() * 2);
        for (i, &p) in params.iter().enumerate() {
            extra.push(self.string(&format!("a{i}")));
            extra.push(p);
        }
        self.push("", KIND_FUNC_PROTO, params.len() as u32, ret, &extra)
    }

    pub fn func(&mut self, name: &str, proto: u32, linkage: FuncLinkage) -> u32 {
        self.push(name, KIND_FUNC, linkage as u32, proto, &[])
    }

    /// `__attribute__((btf_decl_tag(tag)))` on `target`, or on its parameter `component`.
    pub fn decl_tag(&mut self, tag: &str, target: u32, component: Option<u32>) -> u32 {
        let idx = component.map_or(u32::MAX, |c| c); // -1: the declaration itself
        self.push(tag, KIND_DECL_TAG, 0, target, &[idx])
    }

    /// The blob: header, types, strings.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.types.len() + self.strings.len());
        out.extend_from_slice(&MAGIC.to_le_bytes());
        out.push(1); // version
        out.push(0); // flags
        for word in [
            HEADER_LEN as u32,
            0,
            self.types.len() as u32,
            self.types.len() as u32,
            self.strings.len() as u32,
        ] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&self.types);
        out.extend_from_slice(&self.strings);
        out
    }
}

/// Why a BTF blob could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BtfReadError {
    /// Shorter than its header says, or not BTF at all.
    Malformed(&'static str),
    /// A type of a kind this reader does not know the size of.
    UnknownKind { id: u32, kind: u32 },
}

impl std::fmt::Display for BtfReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BtfReadError::Malformed(why) => write!(f, "malformed BTF: {why}"),
            BtfReadError::UnknownKind { id, kind } => {
                write!(f, "malformed BTF: type [{id}] has unknown kind {kind}")
            }
        }
    }
}

/// The ids of every `FUNC` in a BTF blob (vmlinux's), by name.
pub fn func_ids(blob: &[u8]) -> Result<HashMap<String, u32>, BtfReadError> {
    let u16_at = |at: usize| {
        blob.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        blob.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if u16_at(0) != Some(MAGIC) {
        return Err(BtfReadError::Malformed("no BTF magic"));
    }
    let header = |i: usize| u32_at(4 + 4 * i).ok_or(BtfReadError::Malformed("short header"));
    let hdr_len = header(0)? as usize;
    let (type_off, type_len) = (header(1)? as usize, header(2)? as usize);
    let (str_off, str_len) = (header(3)? as usize, header(4)? as usize);
    let section = |off: usize, len: usize| {
        hdr_len
            .checked_add(off)
            .and_then(|start| Some((start, start.checked_add(len)?)))
            .filter(|&(_, end)| end <= blob.len())
            .ok_or(BtfReadError::Malformed("a section past the end"))
    };
    let (types, types_end) = section(type_off, type_len)?;
    let (strs, strs_end) = section(str_off, str_len)?;
    let name = |off: u32| -> Option<&str> {
        let start = strs.checked_add(off as usize)?;
        let rest = blob.get(start..strs_end)?;
        let end = rest.iter().position(|&b| b == 0)?;
        std::str::from_utf8(&rest[..end]).ok()
    };
    let mut out = HashMap::new();
    let mut at = types;
    let mut id = 1u32;
    while at < types_end {
        let (name_off, info) = match (u32_at(at), u32_at(at + 4)) {
            (Some(n), Some(i)) => (n, i),
            _ => return Err(BtfReadError::Malformed("a type past the end")),
        };
        let kind = (info >> 24) & 0x1f;
        let vlen = (info & 0xffff) as usize;
        let extra = match kind {
            KIND_INT | KIND_VAR | KIND_DECL_TAG => 4,
            KIND_ARRAY => 12,
            KIND_STRUCT | KIND_UNION | KIND_DATASEC | KIND_ENUM64 => 12 * vlen,
            KIND_ENUM | KIND_FUNC_PROTO => 8 * vlen,
            KIND_PTR | 7..=11 | KIND_FUNC | 16 | 18 => 0,
            _ => return Err(BtfReadError::UnknownKind { id, kind }),
        };
        if kind == KIND_FUNC {
            if let Some(n) = name(name_off) {
                out.insert(n.to_string(), id);
            }
        }
        at += 12 + extra;
        id += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_blob_reads_back_its_functions() {
        let mut w = BtfWriter::default();
        let int = w.int("int", 4, true);
        let u64_ = w.int("unsigned long long", 8, false);
        let proto = w.func_proto(int, &[u64_]);
        let f = w.func("main", proto, FuncLinkage::Global);
        let cb = w.func("on_exception", proto, FuncLinkage::Global);
        w.decl_tag("exception_callback:on_exception", f, None);
        let blob = w.finish();
        let ids = func_ids(&blob).unwrap();
        assert_eq!(ids.get("main"), Some(&f));
        assert_eq!(ids.get("on_exception"), Some(&cb));
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn truncated_or_foreign_blobs_are_errors_not_panics() {
        let mut w = BtfWriter::default();
        let int = w.int("int", 4, true);
        let proto = w.func_proto(int, &[int, int]);
        w.func("f", proto, FuncLinkage::Static);
        let blob = w.finish();
        for len in 0..blob.len() {
            let _ = func_ids(&blob[..len]);
        }
        assert_eq!(
            func_ids(b"ELF\0\0\0\0\0"),
            Err(BtfReadError::Malformed("no BTF magic"))
        );
    }
}
