//! A small writer for the program BTF the kernel needs to verify global functions and
//! exception callbacks (`FUNC`, `FUNC_PROTO`, `arg:ctx` and `exception_callback:` decl tags,
//! `func_info`). Layout: the kernel's `include/uapi/linux/btf.h`; reading BTF (vmlinux's, for
//! kfunc ids) is `unwind_object::btf`'s.

use std::collections::HashMap;

use unwind_object::btf::kind::{DECL_TAG, FUNC, FUNC_PROTO, INT, PTR, STRUCT};

const MAGIC: u16 = 0xeb9f;
const HEADER_LEN: usize = 24;

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
        self.push(name, INT, 0, bytes, &[(encoding << 24) | (bytes * 8)])
    }

    /// A pointer to `target` (0: `void *`).
    pub fn ptr(&mut self, target: u32) -> u32 {
        self.push("", PTR, 0, target, &[])
    }

    /// A struct of `bytes` bytes with no members (what a `mem:N` argument points to).
    pub fn opaque_struct(&mut self, name: &str, bytes: u32) -> u32 {
        self.push(name, STRUCT, 0, bytes, &[])
    }

    /// A function prototype: parameter types (named `a0`, `a1`, ...) and the return type.
    pub fn func_proto(&mut self, ret: u32, params: &[u32]) -> u32 {
        let mut extra = Vec::with_capacity(params.len() * 2);
        for (i, &p) in params.iter().enumerate() {
            extra.push(self.string(&format!("a{i}")));
            extra.push(p);
        }
        self.push("", FUNC_PROTO, params.len() as u32, ret, &extra)
    }

    pub fn func(&mut self, name: &str, proto: u32, linkage: FuncLinkage) -> u32 {
        self.push(name, FUNC, linkage as u32, proto, &[])
    }

    /// `__attribute__((btf_decl_tag(tag)))` on `target`, or on its parameter `component`.
    pub fn decl_tag(&mut self, tag: &str, target: u32, component: Option<u32>) -> u32 {
        let idx = component.map_or(u32::MAX, |c| c); // -1: the declaration itself
        self.push(tag, DECL_TAG, 0, target, &[idx])
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

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_object::btf::Btf;

    #[test]
    fn a_written_blob_reads_back_with_the_object_loaders_reader() {
        let mut w = BtfWriter::default();
        let int = w.int("int", 4, true);
        let u64_ = w.int("unsigned long long", 8, false);
        let mem = w.opaque_struct("mem_16", 16);
        let ptr = w.ptr(mem);
        let proto = w.func_proto(int, &[u64_, ptr]);
        let f = w.func("main", proto, FuncLinkage::Global);
        let cb = w.func("on_exception", proto, FuncLinkage::Static);
        w.decl_tag("exception_callback:on_exception", f, None);
        w.decl_tag("arg:ctx", cb, Some(0));
        let btf = Btf::parse(&w.finish()).expect("valid BTF");
        assert_eq!(btf.find(FUNC, "main").map(|(id, _)| id), Some(f));
        let (_, main) = btf.find(FUNC, "main").unwrap();
        assert_eq!(main.vlen, FuncLinkage::Global as u32);
        assert_eq!(btf.find(FUNC, "on_exception").map(|(id, _)| id), Some(cb));
        assert_eq!(btf.size_of(mem), Ok(Some(16)));
        assert_eq!(
            btf.decl_tags(f).collect::<Vec<_>>(),
            [(-1, "exception_callback:on_exception")]
        );
        assert_eq!(btf.decl_tags(cb).collect::<Vec<_>>(), [(0, "arg:ctx")]);
    }
}
