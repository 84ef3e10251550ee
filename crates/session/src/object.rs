//! A clang-built BPF object file opened for the page: each of its programs as the assembly
//! text the rest of the session takes (`unwind_program::disasm`'s source style, whose `.loc`
//! directives carry the C source lines), so that verifying, debugging, editing and sharing an
//! object's program are what they are for typed assembly. The text assembles back to the
//! object's bytes and line info exactly (`crates/object/tests/fixtures.rs`).

use std::collections::BTreeMap;

use serde::Serialize;
use unwind_program::disasm::{disassemble, Style};
use unwind_vm::world::MapEntry;

/// The largest object the session opens (the kernel's selftest objects are under 1 MB).
pub const MAX_OBJECT_BYTES: usize = 32 << 20;

/// What `open_object` returns. A file that is not a usable object is data (`error`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ObjectView {
    /// Why the file could not be read as a BPF object (then `programs` is empty).
    pub error: Option<String>,
    pub programs: Vec<ObjectProgramView>,
    /// The `license` section's string.
    pub license: Option<String>,
}

/// One program of the object.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ObjectProgramView {
    /// The entry function's name (libbpf's program name).
    pub name: String,
    /// Its ELF section (`tc`, `tp/syscalls/sys_enter_getpid`, ...).
    pub section: String,
    /// The program type libbpf gives the section, by its kernel name.
    pub prog_type: Option<&'static str>,
    /// The program as assembly text with its C lines (`None` when it could not be loaded).
    pub source: Option<String>,
    /// Why this program could not be loaded (the object's other programs still can be).
    pub error: Option<String>,
    /// The C file its line info names first, without folders (`prog.c`).
    pub c_file: Option<String>,
    /// The initial contents of the object's global-data maps (`.data`, `.rodata`), as the
    /// world's `maps` (key 0 of each): libbpf fills them when it creates the maps, so a run
    /// should start from them.
    pub world_maps: BTreeMap<String, Vec<MapEntry>>,
}

/// Opens the bytes of a BPF object file.
pub fn open_object(bytes: &[u8]) -> ObjectView {
    let failed = |error: String| ObjectView {
        error: Some(error),
        programs: Vec::new(),
        license: None,
    };
    if bytes.len() > MAX_OBJECT_BYTES {
        return failed(format!(
            "the file has {} bytes: expected a BPF object of at most {MAX_OBJECT_BYTES} bytes",
            bytes.len()
        ));
    }
    let object = match unwind_object::load(bytes) {
        Ok(object) => object,
        Err(e) => return failed(e.to_string()),
    };
    let world_maps: BTreeMap<String, Vec<MapEntry>> = object
        .initial_data
        .iter()
        .map(|(map, value)| (map.clone(), vec![MapEntry::global_data(value)]))
        .collect();
    let programs = object
        .programs
        .iter()
        .map(|p| {
            let (source, error, c_file) = match &p.program {
                Ok(program) => (
                    Some(disassemble(program, Style::Source)),
                    None,
                    unwind_object::main_file(program).map(str::to_string),
                ),
                Err(e) => (None, Some(e.to_string()), None),
            };
            ObjectProgramView {
                name: p.name.clone(),
                section: p.section.clone(),
                prog_type: p.prog_type.map(|t| t.name()),
                source,
                error,
                c_file,
                world_maps: world_maps.clone(),
            }
        })
        .collect();
    ObjectView {
        error: None,
        programs,
        license: object.license,
    }
}

/// [`open_object`]'s view as JSON text with camelCase field names (what the object module's
/// binding returns).
pub fn open_object_json(bytes: &[u8]) -> String {
    serde_json::to_string(&crate::CamelCase(&open_object(bytes))).unwrap_or_default()
}
