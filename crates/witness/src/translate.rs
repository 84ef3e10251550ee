//! What the kernel must be given to verify a [`Program`] as Unwind does: its program type,
//! its bytecode with map references and kfunc calls still to be patched with the kernel's
//! numbers (map fds, vmlinux BTF ids), the maps to create, and program BTF with a `func_info`
//! record per function (global functions' argument types, `arg:ctx` tags, the exception
//! callback's decl tag), as clang and libbpf would give it. Platform independent; the
//! syscalls are in `sys`.

use unwind_isa::RawInsn;
use unwind_kernel::{kfunc_name, ProgType};
use unwind_program::{GlobalArg, Linkage, MapDef, Program};

use crate::btf::{BtfWriter, FuncLinkage};

const LD_IMM64: u8 = 0x18;
const CALL: u8 = 0x85;
const MOV64_IMM: u8 = 0xb7;
const BPF_F_SLEEPABLE: u32 = 1 << 4;
const PSEUDO_MAP_FD: u8 = 1;
const PSEUDO_MAP_VALUE: u8 = 2;
const PSEUDO_BTF_ID: u8 = 3;
const PSEUDO_KFUNC_CALL: u8 = 2;
const PSEUDO_MAP_IDX: u8 = 5;
const PSEUDO_MAP_IDX_VALUE: u8 = 6;

/// Why a program cannot be compared with the kernel's verdict (yet): what the kernel would
/// need that this translation does not give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotComparable {
    /// A program type the kernel needs an attach target for, or Unwind's own `raw`.
    ProgType(ProgType),
    /// Spin locks and timers need map BTF (the kernel: "map '...' has to have BTF").
    NeedsMapBtf(&'static str),
    /// A kfunc whose kernel form this translation does not make.
    Kfunc {
        pc: usize,
        name: String,
        why: &'static str,
    },
    /// An `ld_imm64` of a kernel variable's address (Unwind's ids are its own).
    KernelVariable { pc: usize },
    /// A map reference to a map the program does not declare.
    UnknownMap { pc: usize, index: i32 },
}

impl std::fmt::Display for NotComparable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotComparable::ProgType(t) => {
                write!(
                    f,
                    "{t} programs need an attach target the comparison does not give"
                )
            }
            NotComparable::NeedsMapBtf(what) => write!(
                f,
                "{what} needs map BTF, which the comparison does not generate yet"
            ),
            NotComparable::Kfunc { pc, name, why } => write!(f, "pc {pc}: {name}: {why}"),
            NotComparable::KernelVariable { pc } => {
                write!(
                    f,
                    "pc {pc}: a kernel variable's address (ld_imm64 of a BTF id)"
                )
            }
            NotComparable::UnknownMap { pc, index } => {
                write!(f, "pc {pc}: map {index} is not declared")
            }
        }
    }
}

/// A program ready to be given to `BPF_PROG_LOAD`, but for the kernel's numbers.
#[derive(Clone, Debug)]
pub struct LoadRequest {
    pub prog_type: u32,
    /// `BPF_F_SLEEPABLE` for `syscall` programs, which the kernel loads only sleepable.
    pub prog_flags: u32,
    pub insns: Vec<RawInsn>,
    /// `(slot, map index)`: an `ld_imm64` whose imm becomes the map's fd.
    pub map_refs: Vec<(usize, usize)>,
    /// `(slot, vmlinux function name)`: a kfunc call whose imm becomes its BTF id.
    pub kfunc_refs: Vec<(usize, &'static str)>,
    pub maps: Vec<MapDef>,
    /// Program BTF, and `func_info` as `(insn_off, FUNC type id)`.
    pub btf: Vec<u8>,
    pub func_info: Vec<(u32, u32)>,
}

/// The request for `program`, or why it cannot be compared.
pub fn translate(program: &Program) -> Result<LoadRequest, NotComparable> {
    let t = program.prog_type.unwrap_or(ProgType::SocketFilter);
    let needs_target = matches!(
        t,
        ProgType::Tracing | ProgType::StructOps | ProgType::Ext | ProgType::Lsm | ProgType::Raw
    );
    let prog_type = t
        .uapi_id()
        .filter(|_| !needs_target)
        .ok_or(NotComparable::ProgType(t))?;
    let mut insns = program.slots.clone();
    let mut map_refs = Vec::new();
    let mut kfunc_refs = Vec::new();
    let mut btf = BtfWriter::default();
    let int = btf.int("int", 4, true);
    let u64_ = btf.int("unsigned long long", 8, false);
    let mut pc = 0;
    while pc < insns.len() {
        let insn = insns[pc];
        match (insn.code, insn.src) {
            (
                LD_IMM64,
                PSEUDO_MAP_FD | PSEUDO_MAP_VALUE | PSEUDO_MAP_IDX | PSEUDO_MAP_IDX_VALUE,
            ) => {
                let index = usize::try_from(insn.imm)
                    .ok()
                    .filter(|&i| i < program.maps.len())
                    .ok_or(NotComparable::UnknownMap {
                        pc,
                        index: insn.imm,
                    })?;
                insns[pc].src = if matches!(insn.src, PSEUDO_MAP_FD | PSEUDO_MAP_IDX) {
                    PSEUDO_MAP_FD
                } else {
                    PSEUDO_MAP_VALUE
                };
                map_refs.push((pc, index));
                pc += 2;
                continue;
            }
            (LD_IMM64, PSEUDO_BTF_ID) => return Err(NotComparable::KernelVariable { pc }),
            (LD_IMM64, _) => {
                pc += 2;
                continue;
            }
            (CALL, PSEUDO_KFUNC_CALL) => {
                let name = kfunc_name(insn.imm).ok_or_else(|| NotComparable::Kfunc {
                    pc,
                    name: format!("kfunc #{}", insn.imm),
                    why: "not in the catalogue",
                })?;
                let kernel = unwind_kernel::kfunc_kernel_name(name);
                if kernel != name && name.ends_with("_new") {
                    // r1 = size  becomes  r1 = the id of a program BTF struct of that size
                    let size = pc
                        .checked_sub(1)
                        .map(|p| insns[p])
                        .filter(|p| p.code == MOV64_IMM && p.dst == 1 && p.imm > 0)
                        .ok_or(NotComparable::Kfunc {
                            pc,
                            name: name.to_string(),
                            why: "the object's size is not set by `r1 = N` just before the call",
                        })?;
                    let id = btf.opaque_struct(&format!("obj_{}", size.imm), size.imm as u32);
                    insns[pc - 1].imm = id as i32;
                }
                kfunc_refs.push((pc, kernel));
            }
            (CALL, 0) => match unwind_kernel::helper_name(insn.imm) {
                Some("bpf_spin_lock" | "bpf_spin_unlock") => {
                    return Err(NotComparable::NeedsMapBtf("bpf_spin_lock"))
                }
                Some(n) if n.starts_with("bpf_timer_") => {
                    return Err(NotComparable::NeedsMapBtf("bpf_timer"))
                }
                _ => {}
            },
            _ => {}
        }
        pc += 1;
    }
    let callback = program
        .functions
        .iter()
        .find(|f| f.is_exception_callback)
        .map(|f| f.name.clone());
    let mut func_info = Vec::new();
    for f in &program.functions {
        let (proto, linkage) = match f.linkage {
            Linkage::Global => {
                let mut params = Vec::new();
                let mut ctx_args = Vec::new();
                for (i, arg) in f.args.iter().enumerate() {
                    params.push(match *arg {
                        GlobalArg::Scalar => u64_,
                        GlobalArg::Ctx => {
                            ctx_args.push(i as u32);
                            btf.ptr(0)
                        }
                        GlobalArg::Mem(n) => {
                            let target = btf.opaque_struct(&format!("mem_{n}"), n);
                            btf.ptr(target)
                        }
                    });
                }
                let ret = if f.returns_void { 0 } else { int };
                let proto = btf.func_proto(ret, &params);
                (Some((proto, ctx_args)), FuncLinkage::Global)
            }
            _ => (None, FuncLinkage::Static),
        };
        let (proto, ctx_args) = proto.unwrap_or_else(|| {
            let ctx = btf.ptr(0);
            (btf.func_proto(int, &[ctx]), Vec::new())
        });
        let linkage = if f.linkage == Linkage::Main {
            FuncLinkage::Global
        } else {
            linkage
        };
        let id = btf.func(&f.name, proto, linkage);
        for i in ctx_args {
            btf.decl_tag("arg:ctx", id, Some(i));
        }
        if f.linkage == Linkage::Main {
            if let Some(cb) = &callback {
                btf.decl_tag(&format!("exception_callback:{cb}"), id, None);
            }
        }
        func_info.push((f.start as u32, id));
    }
    Ok(LoadRequest {
        prog_type,
        prog_flags: if t == ProgType::Syscall {
            BPF_F_SLEEPABLE
        } else {
            0
        },
        insns,
        map_refs,
        kfunc_refs,
        maps: program.maps.clone(),
        btf: btf.finish(),
        func_info,
    })
}
