//! The execution loop: one pass over pre-decoded instructions, shared by the fast path (no
//! breakpoints, no recording: nothing is allocated per instruction) and the stepper (which
//! runs it one instruction at a time with the undo log on). Arithmetic follows RFC 9669
//! exactly; the rarer instructions (atomics, calls, exits, legacy packet loads, map loads,
//! may_goto) leave the loop for [`Machine::slow`].

use crate::decode::{Op, K};
use crate::fault::FaultKind;
use crate::frames::FrameKind;
use crate::machine::{Machine, Status, CODE_REGION, MAP_REGION_BASE};
use crate::memory::{addr, offset_of, region_of};

/// Why the loop returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The program exited or faulted (see the status).
    Ended,
    /// The next instruction has a breakpoint.
    Breakpoint,
    /// The requested number of instructions ran.
    Steps,
}

impl Machine {
    /// Runs to the end (exit, fault or budget) on the fast path.
    pub fn run(&mut self) {
        self.run_loop::<false>(u64::MAX, &[]);
    }

    /// Runs at most `steps` instructions. With `BP`, stops before an instruction whose pc is
    /// set in `bps` (except the first one, so a run can leave a breakpoint).
    pub(crate) fn run_loop<const BP: bool>(&mut self, steps: u64, bps: &[bool]) -> Stop {
        if self.status != Status::Running {
            return Stop::Ended;
        }
        let prep = self.prep.clone();
        let ops: &[Op] = &prep.ops;
        let budget = self.config.budget;
        let stop_at = self.insns.saturating_add(steps);
        let mut pc = self.pc;
        let mut first = true;
        loop {
            if BP && !first && bps.get(pc).copied().unwrap_or(false) {
                self.pc = pc;
                return Stop::Breakpoint;
            }
            first = false;
            if self.insns >= stop_at {
                self.pc = pc;
                return Stop::Steps;
            }
            if self.insns >= budget {
                self.fault(pc, FaultKind::Budget { limit: budget });
                return Stop::Ended;
            }
            self.insns += 1;
            let op = ops[pc];
            let cur = pc;
            pc += 1;
            let d = op.dst as usize;
            let s = op.src as usize;
            macro_rules! fault {
                ($k:expr) => {{
                    self.fault(cur, $k);
                    return Stop::Ended;
                }};
            }
            macro_rules! tryf {
                ($e:expr) => {
                    match $e {
                        Ok(v) => v,
                        Err(k) => fault!(k),
                    }
                };
            }
            macro_rules! jump {
                ($cond:expr) => {
                    if $cond {
                        pc = op.off as usize;
                    }
                };
            }
            macro_rules! ea {
                ($r:expr) => {
                    self.regs[$r].wrapping_add(op.off as i64 as u64)
                };
            }
            let imm = op.imm as u64;
            match op.kind {
                K::Add64I => self.regs[d] = self.regs[d].wrapping_add(imm),
                K::Add64R => self.regs[d] = self.regs[d].wrapping_add(self.regs[s]),
                K::Sub64I => self.regs[d] = self.regs[d].wrapping_sub(imm),
                K::Sub64R => self.regs[d] = self.regs[d].wrapping_sub(self.regs[s]),
                K::Mul64I => self.regs[d] = self.regs[d].wrapping_mul(imm),
                K::Mul64R => self.regs[d] = self.regs[d].wrapping_mul(self.regs[s]),
                K::Div64I => self.regs[d] = div64(self.regs[d], imm),
                K::Div64R => self.regs[d] = div64(self.regs[d], self.regs[s]),
                K::Sdiv64I => self.regs[d] = sdiv64(self.regs[d], imm),
                K::Sdiv64R => self.regs[d] = sdiv64(self.regs[d], self.regs[s]),
                K::Or64I => self.regs[d] |= imm,
                K::Or64R => self.regs[d] |= self.regs[s],
                K::And64I => self.regs[d] &= imm,
                K::And64R => self.regs[d] &= self.regs[s],
                K::Lsh64I => self.regs[d] = self.regs[d].wrapping_shl(imm as u32),
                K::Lsh64R => self.regs[d] = self.regs[d].wrapping_shl(self.regs[s] as u32),
                K::Rsh64I => self.regs[d] = self.regs[d].wrapping_shr(imm as u32),
                K::Rsh64R => self.regs[d] = self.regs[d].wrapping_shr(self.regs[s] as u32),
                K::Mod64I => self.regs[d] = mod64(self.regs[d], imm),
                K::Mod64R => self.regs[d] = mod64(self.regs[d], self.regs[s]),
                K::Smod64I => self.regs[d] = smod64(self.regs[d], imm),
                K::Smod64R => self.regs[d] = smod64(self.regs[d], self.regs[s]),
                K::Xor64I => self.regs[d] ^= imm,
                K::Xor64R => self.regs[d] ^= self.regs[s],
                K::Mov64I => self.regs[d] = imm,
                K::Mov64R => self.regs[d] = self.regs[s],
                K::Arsh64I => self.regs[d] = (self.regs[d] as i64).wrapping_shr(imm as u32) as u64,
                K::Arsh64R => {
                    self.regs[d] = (self.regs[d] as i64).wrapping_shr(self.regs[s] as u32) as u64
                }
                K::Add32I => self.regs[d] = w(self.regs[d]).wrapping_add(imm as u32) as u64,
                K::Add32R => self.regs[d] = w(self.regs[d]).wrapping_add(w(self.regs[s])) as u64,
                K::Sub32I => self.regs[d] = w(self.regs[d]).wrapping_sub(imm as u32) as u64,
                K::Sub32R => self.regs[d] = w(self.regs[d]).wrapping_sub(w(self.regs[s])) as u64,
                K::Mul32I => self.regs[d] = w(self.regs[d]).wrapping_mul(imm as u32) as u64,
                K::Mul32R => self.regs[d] = w(self.regs[d]).wrapping_mul(w(self.regs[s])) as u64,
                K::Div32I => self.regs[d] = div32(self.regs[d], imm),
                K::Div32R => self.regs[d] = div32(self.regs[d], self.regs[s]),
                K::Sdiv32I => self.regs[d] = sdiv32(self.regs[d], imm),
                K::Sdiv32R => self.regs[d] = sdiv32(self.regs[d], self.regs[s]),
                K::Or32I => self.regs[d] = (w(self.regs[d]) | imm as u32) as u64,
                K::Or32R => self.regs[d] = (w(self.regs[d]) | w(self.regs[s])) as u64,
                K::And32I => self.regs[d] = (w(self.regs[d]) & imm as u32) as u64,
                K::And32R => self.regs[d] = (w(self.regs[d]) & w(self.regs[s])) as u64,
                K::Lsh32I => self.regs[d] = w(self.regs[d]).wrapping_shl(imm as u32) as u64,
                K::Lsh32R => {
                    self.regs[d] = w(self.regs[d]).wrapping_shl(self.regs[s] as u32) as u64
                }
                K::Rsh32I => self.regs[d] = w(self.regs[d]).wrapping_shr(imm as u32) as u64,
                K::Rsh32R => {
                    self.regs[d] = w(self.regs[d]).wrapping_shr(self.regs[s] as u32) as u64
                }
                K::Mod32I => self.regs[d] = mod32(self.regs[d], imm),
                K::Mod32R => self.regs[d] = mod32(self.regs[d], self.regs[s]),
                K::Smod32I => self.regs[d] = smod32(self.regs[d], imm),
                K::Smod32R => self.regs[d] = smod32(self.regs[d], self.regs[s]),
                K::Xor32I => self.regs[d] = (w(self.regs[d]) ^ imm as u32) as u64,
                K::Xor32R => self.regs[d] = (w(self.regs[d]) ^ w(self.regs[s])) as u64,
                K::Mov32I => self.regs[d] = imm as u32 as u64,
                K::Mov32R => self.regs[d] = w(self.regs[s]) as u64,
                K::Arsh32I => {
                    self.regs[d] = (self.regs[d] as i32).wrapping_shr(imm as u32) as u32 as u64
                }
                K::Arsh32R => {
                    self.regs[d] =
                        (self.regs[d] as i32).wrapping_shr(self.regs[s] as u32) as u32 as u64
                }
                K::Neg64 => self.regs[d] = self.regs[d].wrapping_neg(),
                K::Neg32 => self.regs[d] = w(self.regs[d]).wrapping_neg() as u64,
                K::MovSx64 => self.regs[d] = sign_extend(self.regs[s], op.aux),
                K::MovSx32 => self.regs[d] = sign_extend(self.regs[s], op.aux) as u32 as u64,
                K::Le => self.regs[d] = truncate(self.regs[d], op.aux),
                K::Be | K::Bswap => self.regs[d] = bswap(self.regs[d], op.aux),
                K::LdImm64 => {
                    self.regs[d] = imm;
                    pc += 1;
                }
                K::LdxB => self.regs[d] = tryf!(self.load(ea!(s), 1)),
                K::LdxH => self.regs[d] = tryf!(self.load(ea!(s), 2)),
                K::LdxW => self.regs[d] = tryf!(self.load(ea!(s), 4)),
                K::LdxDW => self.regs[d] = tryf!(self.load(ea!(s), 8)),
                K::LdxSB => self.regs[d] = tryf!(self.load(ea!(s), 1)) as i8 as i64 as u64,
                K::LdxSH => self.regs[d] = tryf!(self.load(ea!(s), 2)) as i16 as i64 as u64,
                K::LdxSW => self.regs[d] = tryf!(self.load(ea!(s), 4)) as i32 as i64 as u64,
                K::StB => tryf!(self.write_bytes(ea!(d), &[imm as u8])),
                K::StH => tryf!(self.write_bytes(ea!(d), &(imm as u16).to_le_bytes())),
                K::StW => tryf!(self.write_bytes(ea!(d), &(imm as u32).to_le_bytes())),
                K::StDW => tryf!(self.write_bytes(ea!(d), &imm.to_le_bytes())),
                K::StxB => tryf!(self.write_bytes(ea!(d), &[self.regs[s] as u8])),
                K::StxH => tryf!(self.write_bytes(ea!(d), &(self.regs[s] as u16).to_le_bytes())),
                K::StxW => tryf!(self.write_bytes(ea!(d), &(self.regs[s] as u32).to_le_bytes())),
                K::StxDW => tryf!(self.write_bytes(ea!(d), &self.regs[s].to_le_bytes())),
                K::Ja => pc = op.off as usize,
                K::JeqI => jump!(self.regs[d] == imm),
                K::JeqR => jump!(self.regs[d] == self.regs[s]),
                K::JneI => jump!(self.regs[d] != imm),
                K::JneR => jump!(self.regs[d] != self.regs[s]),
                K::JgtI => jump!(self.regs[d] > imm),
                K::JgtR => jump!(self.regs[d] > self.regs[s]),
                K::JgeI => jump!(self.regs[d] >= imm),
                K::JgeR => jump!(self.regs[d] >= self.regs[s]),
                K::JltI => jump!(self.regs[d] < imm),
                K::JltR => jump!(self.regs[d] < self.regs[s]),
                K::JleI => jump!(self.regs[d] <= imm),
                K::JleR => jump!(self.regs[d] <= self.regs[s]),
                K::JsgtI => jump!((self.regs[d] as i64) > op.imm),
                K::JsgtR => jump!((self.regs[d] as i64) > self.regs[s] as i64),
                K::JsgeI => jump!((self.regs[d] as i64) >= op.imm),
                K::JsgeR => jump!((self.regs[d] as i64) >= self.regs[s] as i64),
                K::JsltI => jump!((self.regs[d] as i64) < op.imm),
                K::JsltR => jump!((self.regs[d] as i64) < self.regs[s] as i64),
                K::JsleI => jump!((self.regs[d] as i64) <= op.imm),
                K::JsleR => jump!((self.regs[d] as i64) <= self.regs[s] as i64),
                K::JsetI => jump!(self.regs[d] & imm != 0),
                K::JsetR => jump!(self.regs[d] & self.regs[s] != 0),
                K::Jeq32I => jump!(w(self.regs[d]) == imm as u32),
                K::Jeq32R => jump!(w(self.regs[d]) == w(self.regs[s])),
                K::Jne32I => jump!(w(self.regs[d]) != imm as u32),
                K::Jne32R => jump!(w(self.regs[d]) != w(self.regs[s])),
                K::Jgt32I => jump!(w(self.regs[d]) > imm as u32),
                K::Jgt32R => jump!(w(self.regs[d]) > w(self.regs[s])),
                K::Jge32I => jump!(w(self.regs[d]) >= imm as u32),
                K::Jge32R => jump!(w(self.regs[d]) >= w(self.regs[s])),
                K::Jlt32I => jump!(w(self.regs[d]) < imm as u32),
                K::Jlt32R => jump!(w(self.regs[d]) < w(self.regs[s])),
                K::Jle32I => jump!(w(self.regs[d]) <= imm as u32),
                K::Jle32R => jump!(w(self.regs[d]) <= w(self.regs[s])),
                K::Jsgt32I => jump!((self.regs[d] as i32) > op.imm as i32),
                K::Jsgt32R => jump!((self.regs[d] as i32) > self.regs[s] as i32),
                K::Jsge32I => jump!((self.regs[d] as i32) >= op.imm as i32),
                K::Jsge32R => jump!((self.regs[d] as i32) >= self.regs[s] as i32),
                K::Jslt32I => jump!((self.regs[d] as i32) < (op.imm as i32)),
                K::Jslt32R => jump!((self.regs[d] as i32) < (self.regs[s] as i32)),
                K::Jsle32I => jump!((self.regs[d] as i32) <= op.imm as i32),
                K::Jsle32R => jump!((self.regs[d] as i32) <= self.regs[s] as i32),
                K::Jset32I => jump!(w(self.regs[d]) & imm as u32 != 0),
                K::Jset32R => jump!(w(self.regs[d]) & w(self.regs[s]) != 0),
                K::BadTarget => fault!(FaultKind::BadJump { target: op.imm }),
                K::WritesFp => fault!(FaultKind::FramePointerWrite),
                K::FellOff => {
                    // Reached only by falling through from the last instruction.
                    self.insns -= 1;
                    self.fault(cur.saturating_sub(1), FaultKind::FellOff);
                    return Stop::Ended;
                }
                K::Invalid | K::Unsupported => fault!(self.invalid_reason(cur)),
                K::LdMap
                | K::LdMapValue
                | K::LdAbs
                | K::LdInd
                | K::Atomic
                | K::MayGoto
                | K::CallHelper
                | K::CallKfunc
                | K::CallLocal
                | K::Callx
                | K::Exit => {
                    self.pc = pc;
                    if let Err(k) = self.slow(cur, op) {
                        fault!(k);
                    }
                    if self.status != Status::Running {
                        return Stop::Ended;
                    }
                    pc = self.pc;
                }
            }
        }
    }

    #[cold]
    fn invalid_reason(&self, pc: usize) -> FaultKind {
        match self.prep.slots.get(pc) {
            Some(unwind_isa::Slot::Invalid(e)) => FaultKind::InvalidInsn {
                reason: e.to_string(),
            },
            Some(unwind_isa::Slot::Imm64Tail) => FaultKind::InvalidInsn {
                reason: "the second half of an ld_imm64 is not an instruction".into(),
            },
            Some(unwind_isa::Slot::Insn(i)) => FaultKind::Unsupported {
                what: match i {
                    unwind_isa::Insn::AddrSpaceCast { .. } => {
                        "addr_space_cast: arenas are not modelled".into()
                    }
                    _ => "ld_imm64 of a kernel symbol (BPF_PSEUDO_BTF_ID) is not modelled".into(),
                },
            },
            None => FaultKind::FellOff,
        }
    }

    /// The instructions that leave the loop. `self.pc` is the next pc on entry; they may
    /// change it (calls, exits) or end the run.
    fn slow(&mut self, cur: usize, op: Op) -> Result<(), FaultKind> {
        let d = op.dst as usize;
        let s = op.src as usize;
        match op.kind {
            K::LdMap => {
                let map = op.imm as u32;
                self.check_map_index(map)?;
                self.regs[d] = addr(MAP_REGION_BASE + map, 0);
                self.pc += 1;
            }
            K::LdMapValue => {
                let map = op.imm as u32;
                self.check_map_index(map)?;
                let region = self
                    .array_elem(map, 0)
                    .ok_or_else(|| FaultKind::Unsupported {
                        what: format!(
                            "a direct value load needs an array map; map {map} is {}",
                            self.kernel.maps[map as usize].def.map_type
                        ),
                    })?;
                self.regs[d] = addr(region, op.off as u32);
                self.pc += 1;
            }
            K::LdAbs | K::LdInd => {
                let base = if op.kind == K::LdInd {
                    self.regs[s] as u32 as i64
                } else {
                    0
                };
                let off = base + op.imm;
                let size = op.aux as usize;
                let packet = (self.packet_region != 0)
                    .then(|| &self.mem.regions[self.packet_region as usize].data);
                let Some(packet) = packet else {
                    return Err(FaultKind::Unsupported {
                        what: "legacy packet loads (LD_ABS/LD_IND) need a program type with a packet (socket, tc, cgroup_skb, ...)".into(),
                    });
                };
                if off < 0 || off as usize + size > packet.len() {
                    // The kernel ends the program with 0 when the load is out of bounds.
                    self.finish(cur, 0);
                    return Ok(());
                }
                let b = &packet[off as usize..off as usize + size];
                self.regs[0] = b.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
            }
            K::Atomic => self.atomic(op)?,
            K::MayGoto => {
                let i = self.frames.len() - 1;
                let mut f = self.frames[i];
                if f.may_goto_left == 0 {
                    self.pc = op.off as usize;
                } else {
                    f.may_goto_left -= 1;
                    self.set_frame(i, f);
                }
            }
            K::CallHelper => self.call_helper(cur, op.imm)?,
            K::CallKfunc => self.call_kfunc(cur, op.imm as i32)?,
            K::CallLocal => self.call_local(cur, op.off as usize, FrameKind::Call)?,
            K::Callx => {
                let v = self.regs[d];
                if region_of(v) == CODE_REGION {
                    let target = offset_of(v);
                    if target < 0 || self.prep.func_starting_at(target as usize).is_none() {
                        return Err(FaultKind::BadJump { target });
                    }
                    self.call_local(cur, target as usize, FrameKind::Call)?;
                } else {
                    // uBPF's convention, used by the conformance suite: the register holds a
                    // helper id.
                    self.call_helper(cur, v as i64)?;
                }
            }
            K::Exit => self.exit(cur),
            _ => unreachable!("not a slow-path kind: {:?}", op.kind),
        }
        Ok(())
    }

    fn check_map_index(&self, map: u32) -> Result<(), FaultKind> {
        if (map as usize) < self.kernel.maps.len() {
            Ok(())
        } else {
            Err(FaultKind::InvalidInsn {
                reason: format!(
                    "map {map} does not exist (the program declares {})",
                    self.kernel.maps.len()
                ),
            })
        }
    }

    fn atomic(&mut self, op: Op) -> Result<(), FaultKind> {
        let d = op.dst as usize;
        let s = op.src as usize;
        let size = op.aux as u32;
        let a = self.regs[d].wrapping_add(op.off as i64 as u64);
        let old = self.load(a, size)?;
        let src = self.regs[s];
        let fetch = op.imm & 1 != 0;
        let new = match op.imm & !1 {
            0x00 => old.wrapping_add(src),
            0x40 => old | src,
            0x50 => old & src,
            0xa0 => old ^ src,
            0xe0 => src,
            _ => {
                // cmpxchg: compare with R0 (its low half for the 32-bit form); R0 gets the old value.
                let expected = if size == 4 {
                    self.regs[0] as u32 as u64
                } else {
                    self.regs[0]
                };
                let new = if old == expected { src } else { old };
                if new != old {
                    self.write_sized(a, new, size)?;
                }
                self.regs[0] = old;
                return Ok(());
            }
        };
        self.write_sized(a, new, size)?;
        if fetch {
            self.regs[s] = old;
        }
        Ok(())
    }

    fn write_sized(&mut self, a: u64, v: u64, size: u32) -> Result<(), FaultKind> {
        if size == 4 {
            self.write_bytes(a, &(v as u32).to_le_bytes())
        } else {
            self.write_bytes(a, &v.to_le_bytes())
        }
    }

    /// A bpf-to-bpf call (or a callback invocation) to the function starting at `target`.
    pub(crate) fn call_local(
        &mut self,
        cur: usize,
        target: usize,
        kind: FrameKind,
    ) -> Result<(), FaultKind> {
        let function = self
            .prep
            .func_starting_at(target)
            .ok_or(FaultKind::BadJump {
                target: target as i64,
            })?;
        self.push_frame(function, kind, Some(cur), cur + 1)?;
        let name = self.prep.funcs[function].name.clone();
        let depth = self.frames.len() - 1;
        self.call_event(
            cur,
            crate::events::EventKind::Call {
                function: name,
                depth,
            },
        );
        self.pc = target;
        Ok(())
    }

    /// `exit`: the end of the program, a return to the caller, or the next iteration of a
    /// `bpf_loop` callback.
    fn exit(&mut self, cur: usize) {
        let frame = *self.frames.last().expect("a running program has a frame");
        match frame.kind {
            FrameKind::Main | FrameKind::ExceptionCallback => self.finish(cur, self.regs[0]),
            FrameKind::Call => {
                self.pop_frame(true);
                self.return_event(cur, &frame);
                self.pc = frame.return_pc;
            }
            FrameKind::LoopCallback { index, count, ctx } => {
                let r0 = self.regs[0];
                self.pop_frame(true);
                self.return_event(cur, &frame);
                if r0 == 0 && index + 1 < count {
                    // The next iteration: a fresh invocation of the callback.
                    let start = self.prep.funcs[frame.function].start;
                    let call_site = frame.call_site.unwrap_or(cur);
                    let next = FrameKind::LoopCallback {
                        index: index + 1,
                        count,
                        ctx,
                    };
                    self.push_frame(frame.function, next, Some(call_site), frame.return_pc)
                        .expect("the frame just popped fits again");
                    let function = self.prep.funcs[frame.function].name.clone();
                    self.call_event(
                        call_site,
                        crate::events::EventKind::Call {
                            function,
                            depth: frame.depth,
                        },
                    );
                    self.regs[1] = index + 1;
                    self.regs[2] = ctx;
                    self.regs[3] = 0;
                    self.regs[4] = 0;
                    self.regs[5] = 0;
                    self.pc = start;
                } else {
                    // bpf_loop returns the number of iterations made.
                    self.regs[0] = if r0 != 0 { index + 1 } else { count };
                    self.pc = frame.return_pc;
                }
            }
        }
    }

    fn return_event(&mut self, cur: usize, frame: &crate::frames::Frame) {
        let function = self.prep.funcs[frame.function].name.clone();
        let value = self.regs[0];
        self.call_event(
            cur,
            crate::events::EventKind::Return {
                function,
                depth: frame.depth,
                value,
            },
        );
    }
}

#[inline(always)]
fn w(v: u64) -> u32 {
    v as u32
}

/// Unsigned division; by zero gives 0.
#[inline(always)]
pub fn div64(a: u64, b: u64) -> u64 {
    a.checked_div(b).unwrap_or(0)
}

/// Signed division; by zero gives 0; `INT_MIN / -1` wraps to `INT_MIN`.
#[inline(always)]
pub fn sdiv64(a: u64, b: u64) -> u64 {
    if b == 0 {
        0
    } else {
        (a as i64).wrapping_div(b as i64) as u64
    }
}

/// Unsigned modulo; by zero leaves the dividend.
#[inline(always)]
pub fn mod64(a: u64, b: u64) -> u64 {
    a.checked_rem(b).unwrap_or(a)
}

/// Signed modulo (the sign of the dividend); by zero leaves the dividend; `INT_MIN % -1` is 0.
#[inline(always)]
pub fn smod64(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        (a as i64).wrapping_rem(b as i64) as u64
    }
}

#[inline(always)]
pub fn div32(a: u64, b: u64) -> u64 {
    (a as u32).checked_div(b as u32).unwrap_or(0) as u64
}

#[inline(always)]
pub fn sdiv32(a: u64, b: u64) -> u64 {
    if b as u32 == 0 {
        0
    } else {
        (a as i32).wrapping_div(b as i32) as u32 as u64
    }
}

/// 32-bit modulo by zero leaves dst's low half, zero-extended.
#[inline(always)]
pub fn mod32(a: u64, b: u64) -> u64 {
    (a as u32).checked_rem(b as u32).unwrap_or(a as u32) as u64
}

#[inline(always)]
pub fn smod32(a: u64, b: u64) -> u64 {
    if b as u32 == 0 {
        a as u32 as u64
    } else {
        (a as i32).wrapping_rem(b as i32) as u32 as u64
    }
}

/// Sign-extends the low `bits` (8, 16 or 32) bits.
#[inline(always)]
pub fn sign_extend(v: u64, bits: u8) -> u64 {
    match bits {
        8 => v as i8 as i64 as u64,
        16 => v as i16 as i64 as u64,
        _ => v as i32 as i64 as u64,
    }
}

/// `le16`/`le32`/`le64` on a little-endian BPF machine: keep the low bits.
#[inline(always)]
pub fn truncate(v: u64, bits: u8) -> u64 {
    match bits {
        16 => v as u16 as u64,
        32 => v as u32 as u64,
        _ => v,
    }
}

/// `be*` and `bswap*`: reverse the bytes of the low `bits` bits, zero-extended.
#[inline(always)]
pub fn bswap(v: u64, bits: u8) -> u64 {
    match bits {
        16 => (v as u16).swap_bytes() as u64,
        32 => (v as u32).swap_bytes() as u64,
        _ => v.swap_bytes(),
    }
}
