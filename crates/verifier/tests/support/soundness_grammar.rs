//! The soundness property's grammar of well-formed programs (`Stmt`), its printer
//! (`program_text`), its worlds and the checked run (`run_checked`), shared by the proptest
//! property (`tests/soundness.rs`, proptest strategies) and the fuzz target
//! (`fuzz/fuzz_targets/soundness.rs`, `arbitrary`), which include this file by path.
#![allow(dead_code)]

use std::fmt::Write as _;

use unwind_isa::{CallTarget, Insn, Operand, Slot};
use unwind_vm::memory::{offset_of, region_of, RegionKind};
use unwind_vm::{Config, Status, Stopped, Unwinding, Vm, World};

#[derive(Clone, Debug)]
pub(crate) enum Release {
    Always,
    Never,
    InBranch(u8),
    Twice,
    UseAfter,
}

#[derive(Clone, Debug)]
pub(crate) enum Res {
    Obj { size: u8 },
    Ringbuf { size: u8, submit: bool },
    Task { pid_from_input: bool },
}

#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    /// `r6 = *(u32 *)(ctx + off)`: an input from the ctx (its pointer is spilled at fp-72).
    Input(u8),
    /// `r6 op= imm`
    Alu(u8, i32),
    /// `*(size *)(r10 - off) = r6|r8|imm`
    Spill {
        size: u8,
        off: u8,
        src: u8,
    },
    /// `r6|r8 = *(size *)(r10 - off)`
    Fill {
        size: u8,
        off: u8,
        dst: u8,
    },
    Branch {
        cond: u8,
        imm: i32,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    /// A counted loop in R7 around `body`.
    Loop {
        n: u8,
        body: Vec<Stmt>,
    },
    /// `if r6 cond imm goto end`
    EarlyExit {
        cond: u8,
        imm: i32,
    },
    Lookup {
        hash: bool,
        key_input: bool,
        check: bool,
        off: i16,
        var: bool,
        write: bool,
    },
    /// Acquire into R9, use and release in one block.
    Block {
        res: Res,
        check: bool,
        use_off: Option<u8>,
        release: Release,
    },
    /// Acquire into R8 (released by a later `Drop8`, maybe).
    Hold {
        res: Res,
        check: bool,
    },
    Drop8 {
        res: Res,
        check: bool,
    },
    /// A static call: `f` picks the callee, `arg` what R1 holds.
    Call {
        f: u8,
        arg: u8,
    },
    /// Reads a register a call clobbered (R2), sometimes after writing it again.
    Clobbered {
        rewrite: bool,
    },
    /// `bpf_loop(n, cb, fp-56, 0)` with the counter at fp-56 zeroed first; `n` 0 means a count
    /// from the input (only for the callback that leaves the counter alone).
    BpfLoop {
        n: u8,
        cb: u8,
    },
    /// `bpf_spin_lock` on an array value at offset `off`, a store while held, and the unlock
    /// as `release` says (twice: a second unlock; use-after: a helper call while held).
    Lock {
        off: u8,
        release: Release,
    },
    /// An RCU read section, ended as `release` says.
    Rcu {
        release: Release,
    },
    /// A legacy packet load into R6: `LD_ABS` at `off`, or `LD_IND` at R6 + `off` (R6 saved at
    /// fp-80 while R6 holds the ctx); out of bounds, the program ends with 0 (`bpf_gen_ld_abs`).
    PacketLoad {
        ind: bool,
        off: u8,
    },
}

pub(crate) const CONDS: [&str; 8] = ["==", "!=", ">", ">=", "<", "<=", "s>", "s<"];
pub(crate) const ALUS: [&str; 7] = ["+=", "-=", "&=", "|=", "^=", ">>=", "*="];
pub(crate) const SIZES: [(&str, u8); 4] = [("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)];

pub(crate) struct Gen {
    out: String,
    label: usize,
    used: [bool; 6],
    used_cb: [bool; 5],
}

impl Gen {
    fn label(&mut self) -> String {
        self.label += 1;
        format!("l{}", self.label)
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn acquire(&mut self, res: &Res) {
        match res {
            Res::Obj { size } => {
                self.line(&format!("r1 = {size}"));
                self.line("call bpf_obj_new");
            }
            Res::Ringbuf { size, .. } => {
                self.line("r1 = map[rb] ll");
                self.line(&format!("r2 = {size}"));
                self.line("r3 = 0");
                self.line("call bpf_ringbuf_reserve");
            }
            Res::Task { pid_from_input } => {
                if *pid_from_input {
                    self.line("r1 = r6");
                    self.line("r1 &= 3");
                } else {
                    self.line("r1 = 1");
                }
                self.line("call bpf_task_from_pid");
            }
        }
    }

    /// Releases the pointer in R1.
    fn release(&mut self, res: &Res) {
        match res {
            Res::Obj { .. } => self.line("call bpf_obj_drop"),
            Res::Ringbuf { submit, .. } => {
                self.line("r2 = 0");
                self.line(if *submit {
                    "call bpf_ringbuf_submit"
                } else {
                    "call bpf_ringbuf_discard"
                });
            }
            Res::Task { .. } => self.line("call bpf_task_release"),
        }
    }

    fn use_ptr(&mut self, res: &Res, reg: &str, off: u8) {
        match res {
            Res::Task { .. } => self.line(&format!("r0 = *(u32 *)({reg} + {})", off * 4)),
            _ => self.line(&format!("*(u64 *)({reg} + {}) = r6", off * 8)),
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Input(i) => {
                self.line("r1 = *(u64 *)(r10 - 72)");
                self.line(&format!("r6 = *(u32 *)(r1 + {})", [0, 8][*i as usize]));
            }
            Stmt::Alu(op, imm) => {
                let imm = if *op == 5 { imm.rem_euclid(64) } else { *imm };
                self.line(&format!("r6 {} {imm}", ALUS[*op as usize]));
            }
            Stmt::Spill { size, off, src } => {
                let (name, bytes) = SIZES[*size as usize];
                let off = *off as usize * 8 - (8 - bytes as usize) * (*off as usize % 2);
                match src {
                    0 => self.line(&format!("*({name} *)(r10 - {off}) = r6")),
                    1 => self.line(&format!("*(u64 *)(r10 - {}) = r8", off.div_ceil(8) * 8)),
                    _ => self.line(&format!("*({name} *)(r10 - {off}) = 7")),
                }
            }
            Stmt::Fill { size, off, dst } => {
                let (name, bytes) = SIZES[*size as usize];
                let off = *off as usize * 8 - (8 - bytes as usize) * (*off as usize % 2);
                if *dst == 0 {
                    self.line(&format!("r6 = *({name} *)(r10 - {off})"));
                } else {
                    self.line(&format!("r8 = *(u64 *)(r10 - {})", off.div_ceil(8) * 8));
                }
            }
            Stmt::Branch {
                cond,
                imm,
                then,
                els,
            } => {
                let l_else = self.label();
                let l_end = self.label();
                self.line(&format!(
                    "if r6 {} {imm} goto {l_else}",
                    CONDS[*cond as usize]
                ));
                for s in then {
                    self.stmt(s);
                }
                self.line(&format!("goto {l_end}"));
                self.line(&format!("{l_else}:"));
                for s in els {
                    self.stmt(s);
                }
                self.line(&format!("{l_end}:"));
            }
            Stmt::Loop { n, body } => {
                let head = self.label();
                self.line("r7 = 0");
                self.line(&format!("{head}:"));
                for s in body {
                    self.stmt(s);
                }
                self.line("r7 += 1");
                self.line(&format!("if r7 < {n} goto {head}"));
            }
            Stmt::EarlyExit { cond, imm } => {
                self.line(&format!("if r6 {} {imm} goto end", CONDS[*cond as usize]));
            }
            Stmt::Lookup {
                hash,
                key_input,
                check,
                off,
                var,
                write,
            } => {
                let skip = self.label();
                if *key_input {
                    self.line("r1 = r6");
                    self.line("r1 &= 3");
                    self.line("*(u32 *)(r10 - 4) = r1");
                } else {
                    self.line("*(u32 *)(r10 - 4) = 1");
                }
                self.line("r2 = r10");
                self.line("r2 += -4");
                self.line(if *hash {
                    "r1 = map[h] ll"
                } else {
                    "r1 = map[a] ll"
                });
                self.line("call bpf_map_lookup_elem");
                if *check {
                    self.line(&format!("if r0 == 0 goto {skip}"));
                }
                if *var {
                    self.line("r1 = r6");
                    self.line("r1 &= 7");
                    self.line("r0 += r1");
                }
                if *write {
                    self.line(&format!("*(u16 *)(r0 + {off}) = r6"));
                } else {
                    self.line(&format!("r6 = *(u16 *)(r0 + {off})"));
                }
                self.line(&format!("{skip}:"));
            }
            Stmt::Block {
                res,
                check,
                use_off,
                release,
            } => {
                let skip = self.label();
                self.acquire(res);
                if *check {
                    self.line(&format!("if r0 == 0 goto {skip}"));
                }
                self.line("r9 = r0");
                if let Some(off) = use_off {
                    self.use_ptr(res, "r9", *off);
                }
                match release {
                    Release::Always => {
                        self.line("r1 = r9");
                        self.release(res);
                    }
                    Release::Never => {}
                    Release::InBranch(c) => {
                        let l = self.label();
                        self.line(&format!("if r6 {} 3 goto {l}", CONDS[*c as usize]));
                        self.line("r1 = r9");
                        self.release(res);
                        self.line(&format!("{l}:"));
                    }
                    Release::Twice => {
                        self.line("r1 = r9");
                        self.release(res);
                        self.line("r1 = r9");
                        self.release(res);
                    }
                    Release::UseAfter => {
                        self.line("r1 = r9");
                        self.release(res);
                        self.use_ptr(res, "r9", 0);
                    }
                }
                self.line(&format!("{skip}:"));
            }
            Stmt::Hold { res, check } => {
                let skip = self.label();
                self.acquire(res);
                if *check {
                    self.line(&format!("if r0 == 0 goto {skip}"));
                }
                self.line("r8 = r0");
                self.line(&format!("{skip}:"));
            }
            Stmt::Drop8 { res, check } => {
                let skip = self.label();
                if *check {
                    self.line(&format!("if r8 == 0 goto {skip}"));
                }
                self.line("r1 = r8");
                self.release(res);
                self.line("r8 = 0");
                self.line(&format!("{skip}:"));
            }
            Stmt::Call { f, arg } => {
                self.used[*f as usize] = true;
                // f1 dereferences its argument: give it a pointer most of the time
                let arg = if *f == 1 && *arg == 0 { 1 } else { *arg };
                if *f == 5 {
                    // f5 loads from the packet: the ctx in R1, the index in R2
                    self.line("r1 = *(u64 *)(r10 - 72)");
                    self.line("r2 = r6");
                    self.line("call f5");
                    self.line("r6 = r0");
                    return;
                }
                match arg {
                    0 => self.line("r1 = r6"),
                    1 => {
                        self.line("r1 = r10");
                        self.line("r1 += -16");
                    }
                    2 => {
                        self.line("r1 = r10");
                        self.line("r1 += -64");
                    }
                    _ => self.line("r1 = r8"),
                }
                self.line(&format!("call f{f}"));
                self.line("r6 = r0");
            }
            Stmt::BpfLoop { n, cb } => {
                self.used_cb[*cb as usize] = true;
                self.line("*(u64 *)(r10 - 56) = 0");
                if *n == 0 && *cb == 2 {
                    self.line("r1 = r6");
                    self.line("r1 &= 7");
                } else {
                    self.line(&format!("r1 = {}", n.max(&1)));
                }
                self.line(&format!("r2 = cb{cb}"));
                self.line("r3 = r10");
                self.line("r3 += -56");
                self.line("r4 = 0");
                self.line("call bpf_loop");
            }
            Stmt::Lock { off, release } => {
                let off = [0, 4, 12, 14][*off as usize];
                let skip = self.label();
                self.line("*(u32 *)(r10 - 4) = 0");
                self.line("r2 = r10");
                self.line("r2 += -4");
                self.line("r1 = map[a] ll");
                self.line("call bpf_map_lookup_elem");
                self.line(&format!("if r0 == 0 goto {skip}"));
                self.line("r9 = r0");
                self.line("r1 = r9");
                self.line(&format!("r1 += {off}"));
                self.line("call bpf_spin_lock");
                self.line("*(u32 *)(r9 + 8) = r6");
                let unlock = |g: &mut Gen| {
                    g.line("r1 = r9");
                    g.line(&format!("r1 += {off}"));
                    g.line("call bpf_spin_unlock");
                };
                match release {
                    Release::Always => unlock(self),
                    Release::Never => {}
                    Release::InBranch(c) => {
                        let l = self.label();
                        self.line(&format!("if r6 {} 3 goto {l}", CONDS[*c as usize]));
                        unlock(self);
                        self.line(&format!("{l}:"));
                    }
                    Release::Twice => {
                        unlock(self);
                        unlock(self);
                    }
                    Release::UseAfter => {
                        self.line("call bpf_get_prandom_u32");
                        unlock(self);
                    }
                }
                self.line(&format!("{skip}:"));
            }
            Stmt::Rcu { release } => {
                self.line("call bpf_rcu_read_lock");
                match release {
                    Release::Always | Release::UseAfter => self.line("call bpf_rcu_read_unlock"),
                    Release::Never => {}
                    Release::InBranch(c) => {
                        let l = self.label();
                        self.line(&format!("if r6 {} 3 goto {l}", CONDS[*c as usize]));
                        self.line("call bpf_rcu_read_unlock");
                        self.line(&format!("{l}:"));
                    }
                    Release::Twice => {
                        self.line("call bpf_rcu_read_unlock");
                        self.line("call bpf_rcu_read_unlock");
                    }
                }
            }
            Stmt::PacketLoad { ind, off } => {
                let (name, _) = SIZES[(*off % 3) as usize];
                self.line("*(u64 *)(r10 - 80) = r6");
                self.line("r6 = *(u64 *)(r10 - 72)");
                if *ind {
                    self.line("r2 = *(u64 *)(r10 - 80)");
                    self.line(&format!("r0 = *({name} *)skb[r2 + {off}]"));
                } else {
                    self.line(&format!("r0 = *({name} *)skb[{off}]"));
                }
                self.line("r6 = r0");
            }
            Stmt::Clobbered { rewrite } => {
                self.line("r1 = 1");
                self.line("call bpf_get_prandom_u32");
                if *rewrite {
                    self.line("r2 = r0");
                }
                self.line("r6 = r2");
            }
        }
    }
}

/// The static functions; `f1` reads the caller's stack through R1, `f3` holds an object for
/// a while, `f4` calls `f0`, `f5` loads a packet byte at R2 (the ctx in R1) and returns 1, or 0
/// from its load's failure path.
pub(crate) const FUNCS: [&str; 6] = [
    "f0:\nr0 = r1\nr0 += 1\nexit\n",
    "f1:\nr0 = *(u64 *)(r1 + 0)\nexit\n",
    "f2:\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\n*(u32 *)(r10 - 12) = 9\nr0 = *(u32 *)(r10 - 12)\nexit\n",
    "f3:\nr1 = 16\ncall bpf_obj_new\nif r0 == 0 goto f3_out\n*(u64 *)(r0 + 8) = 5\nr1 = r0\ncall bpf_obj_drop\nf3_out:\nr0 = 0\nexit\n",
    "f4:\nr6 = r1\nr1 = 3\ncall f0\nr0 += 1\nexit\n",
    "f5:\nr6 = r1\nr0 = *(u8 *)skb[r2 + 0]\nr0 = 1\nexit\n",
];

/// `bpf_loop` callbacks: a counter used unchecked as a map value offset (safe for the first
/// iterations only), the same with a bounds check, one that only reads its ctx, one that
/// allocates and frees an object (or leaks it on one iteration), and one that loads a packet
/// byte at 60 + its index (the ctx read back from the caller's fp-72), out of bounds from the
/// fifth iteration on, when the load's failure path returns 0 from the callback.
pub(crate) const CALLBACKS: [&str; 5] = [
    "cb0:\nr6 = *(u64 *)(r2 + 0)\nr6 += 4\n*(u64 *)(r2 + 0) = r6\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[a] ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto cb0_out\nr0 += r6\n*(u32 *)(r0 + 0) = 1\ncb0_out:\nr0 = 0\nexit\n",
    "cb1:\nr6 = *(u64 *)(r2 + 0)\nr6 += 4\n*(u64 *)(r2 + 0) = r6\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[a] ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto cb1_out\nif r6 > 12 goto cb1_out\nr0 += r6\n*(u32 *)(r0 + 0) = 1\ncb1_out:\nr0 = 0\nexit\n",
    "cb2:\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n",
    "cb3:\nr6 = r1\nr1 = 8\ncall bpf_obj_new\nif r0 == 0 goto cb3_out\nif r6 == 2 goto cb3_out\nr1 = r0\ncall bpf_obj_drop\ncb3_out:\nr0 = 0\nexit\n",
    "cb4:\nr6 = *(u64 *)(r2 - 16)\nr0 = *(u8 *)skb[r1 + 60]\nr0 = 0\nexit\n",
];

pub(crate) fn program_text(body: &[Stmt], init: bool) -> String {
    let mut g = Gen {
        out: String::new(),
        label: 0,
        used: [false; 6],
        used_cb: [false; 5],
    };
    g.line(".ctx tc");
    g.line(".map a array key=4 value=16 max_entries=4");
    g.line(".map h hash key=4 value=16 max_entries=4");
    g.line(".map rb ringbuf key=0 value=0 max_entries=4096");
    g.line("*(u64 *)(r10 - 72) = r1");
    g.line("r6 = *(u32 *)(r1 + 0)");
    g.line("r8 = 0");
    if init {
        for off in (8..=64).step_by(8) {
            g.line(&format!("*(u64 *)(r10 - {off}) = r8"));
        }
    }
    for s in body {
        g.stmt(s);
    }
    g.line("end:");
    g.line("r0 = 0");
    g.line("exit");
    if g.used[4] {
        g.used[0] = true;
    }
    for (i, f) in FUNCS.iter().enumerate() {
        if g.used[i] {
            g.out.push_str(f);
        }
    }
    for (i, f) in CALLBACKS.iter().enumerate() {
        if g.used_cb[i] {
            g.out.push_str(f);
        }
    }
    g.out
}

pub(crate) fn world(seed: u64) -> World {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut ctx = String::new();
    for _ in 0..16 {
        let b = next() as u8;
        // small values often, so branches on the input go both ways
        let b = if next() % 2 == 0 { b % 8 } else { b };
        write!(ctx, "{b:02x}").unwrap();
    }
    let mut w = World {
        ctx: Some(ctx),
        prandom_seed: next(),
        ..World::default()
    };
    w.tasks.clear();
    for pid in 0..4u32 {
        if next() % 2 == 0 {
            w.tasks.push(unwind_vm::world::Task {
                pid,
                comm: format!("t{pid}"),
            });
        }
    }
    if next() % 4 == 0 {
        w.max_alloc = 8;
    }
    let mut entries = Vec::new();
    for k in 0..4u32 {
        if next() % 2 == 0 {
            entries.push(unwind_vm::world::MapEntry {
                key: format!("{:08x}", k.swap_bytes()),
                value: "00".repeat(16),
            });
        }
    }
    w.maps.insert("h".into(), entries);
    w
}

/// Registers each instruction reads (helpers and kfuncs: their catalogue arguments).
pub(crate) fn reads(insn: &Insn) -> Vec<u8> {
    let op = |o: &Operand| match o {
        Operand::Reg(r) => vec![r.index()],
        Operand::Imm(_) => vec![],
    };
    match insn {
        Insn::Alu {
            op: aop, dst, src, ..
        } => {
            let mut v = op(src);
            if *aop != unwind_isa::AluOp::Mov {
                v.push(dst.index());
            }
            v
        }
        Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => vec![dst.index()],
        Insn::MovSx { src, .. } | Insn::AddrSpaceCast { src, .. } => vec![src.index()],
        Insn::LdImm64 { .. } | Insn::Ja { .. } | Insn::Gotol { .. } | Insn::MayGoto { .. } => {
            vec![]
        }
        Insn::LdAbs { .. } => vec![6],
        Insn::LdInd { src, .. } => vec![6, src.index()],
        Insn::Load { src, .. } => vec![src.index()],
        Insn::StoreImm { dst, .. } => vec![dst.index()],
        Insn::StoreReg { dst, src, .. } => vec![dst.index(), src.index()],
        Insn::Atomic { dst, src, op, .. } => {
            let mut v = vec![dst.index(), src.index()];
            if *op == unwind_isa::AtomicOp::Cmpxchg {
                v.push(0);
            }
            v
        }
        Insn::Jump { dst, src, .. } => {
            let mut v = op(src);
            v.push(dst.index());
            v
        }
        Insn::Call(CallTarget::Helper(id)) => {
            let n = unwind_kernel::helper_by_id(*id).map_or(0, |f| f.args.len());
            (1..=n as u8).collect()
        }
        Insn::Call(CallTarget::Kfunc(id)) => {
            let n = unwind_kernel::kfunc_by_btf_id(*id).map_or(0, |f| f.args.len());
            (1..=n as u8).collect()
        }
        Insn::Call(CallTarget::Local(_)) => vec![],
        Insn::Callx { reg } => vec![reg.index()],
        Insn::Exit => vec![0],
    }
}

/// Runs `program` on `world`, tracking written registers; `Err` describes a violation.
pub(crate) fn run_checked(
    program: &unwind_program::Program,
    world: &World,
    unwinding: Unwinding,
) -> Result<(), String> {
    let slots = program.decode();
    let config = Config {
        budget: 1_000_000,
        unwinding,
        ..Config::default()
    };
    let mut vm = Vm::new(program, world, config).map_err(|e| format!("world: {e}"))?;
    vm.set_recording(false);
    // written registers, one mask per frame
    let mut masks: Vec<u16> = vec![1 << 1 | 1 << 10];
    loop {
        let m = vm.machine();
        let pc = m.pc;
        let depth = m.frames.len();
        let Some(Slot::Insn(insn)) = slots.get(pc).cloned() else {
            return Err(format!("pc {pc} is not an instruction"));
        };
        let mask = *masks.last().unwrap();
        for r in reads(&insn) {
            if mask & (1 << r) == 0 {
                return Err(format!("pc {pc}: reads R{r}, never written"));
            }
        }
        // stack bytes read by a load must have been written
        if let Insn::Load { size, src, off, .. }
        | Insn::Atomic {
            size,
            dst: src,
            off,
            ..
        } = insn
        {
            let addr = m.regs[src.index() as usize].wrapping_add(off as i64 as u64);
            let id = region_of(addr) as usize;
            if let Some(region) = m.mem.regions.get(id) {
                if matches!(region.kind, RegionKind::Stack { .. }) {
                    let o = offset_of(addr);
                    let n = size.bytes() as i64;
                    if o >= 0 && o + n <= region.written.len() as i64 {
                        let w = &region.written[o as usize..(o + n) as usize];
                        if w.contains(&0) {
                            return Err(format!(
                                "pc {pc}: reads stack bytes never written (offset {o}, {n} bytes)"
                            ));
                        }
                    }
                }
            }
        }
        let stopped = vm.step();
        let m = vm.machine();
        if let Status::Faulted { fault } = &m.status {
            return Err(format!("pc {}: fault: {}", fault.pc, fault.kind));
        }
        let new_depth = m.frames.len();
        let top = masks.last_mut().unwrap();
        match insn {
            Insn::Call(CallTarget::Local(_)) if new_depth > depth => {
                let callee = (*top & 0b11_1110) | 1 << 10;
                masks.push(callee);
            }
            // a helper that runs a callback (bpf_loop): R1 (the index), R2 (its ctx), R10
            Insn::Call(_) if new_depth > depth => masks.push(1 << 1 | 1 << 2 | 1 << 10),
            Insn::Call(_) => {
                *top &= !0b11_1110;
                *top |= 1;
            }
            // a callback's exit that starts its next iteration (an `exit`, or a packet load's
            // failure path: a hidden exit with R0 = 0)
            Insn::Exit if new_depth == depth && depth > 1 => *top = 1 << 1 | 1 << 2 | 1 << 10,
            Insn::LdAbs { .. } | Insn::LdInd { .. }
                if new_depth == depth && depth > 1 && m.pc != pc + 1 =>
            {
                *top = 1 << 1 | 1 << 2 | 1 << 10
            }
            Insn::LdAbs { .. } | Insn::LdInd { .. } | Insn::Exit if new_depth < depth => {
                masks.pop();
                let top = masks.last_mut().unwrap();
                *top &= !0b11_1110;
                *top |= 1;
            }
            Insn::Alu { dst, .. }
            | Insn::Neg { dst, .. }
            | Insn::MovSx { dst, .. }
            | Insn::AddrSpaceCast { dst, .. }
            | Insn::Endian { dst, .. }
            | Insn::LdImm64 { dst, .. }
            | Insn::Load { dst, .. } => *top |= 1 << dst.index(),
            // bpf_gen_ld_abs: R0 written, R1-R5 clobbered (a helper call)
            Insn::LdAbs { .. } | Insn::LdInd { .. } => {
                *top &= !0b11_1110;
                *top |= 1;
            }
            Insn::Atomic { op, fetch, src, .. } => {
                if op == unwind_isa::AtomicOp::Cmpxchg {
                    *top |= 1;
                } else if fetch {
                    *top |= 1 << src.index();
                }
            }
            _ => {}
        }
        if stopped == Stopped::Ended {
            break;
        }
    }
    let m = vm.machine();
    match &m.status {
        Status::Exited { .. } => {}
        other => return Err(format!("ended as {other:?}")),
    }
    if !m.kernel.resources.is_empty() {
        let held: Vec<String> = m
            .kernel
            .resources
            .iter()
            .map(|r| format!("{} from pc {}", r.held.name(), r.acquired_pc))
            .collect();
        return Err(format!("leaked at exit: {}", held.join(", ")));
    }
    Ok(())
}
