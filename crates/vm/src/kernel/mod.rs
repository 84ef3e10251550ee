//! The simulated kernel: what each helper and kfunc of the catalogue does. Behaviour is
//! chosen by the catalogue entry a call resolves to (`unwind_kernel::FUNCS`), so there is one
//! list of functions; this module only adds their effects on the machine and the world.

mod maps;
pub mod printk;

use unwind_kernel::{helper_by_id, helper_name, kfunc_by_btf_id, Func, ResourceKind};

use crate::events::{EventKind, ReleasedBy};
use crate::fault::FaultKind;
use crate::frames::FrameKind;
use crate::machine::{prog_type_of, HelperTable, Machine, Unwinding, CODE_REGION};
use crate::memory::{addr, offset_of, region_of, Region, RegionKind};
use crate::resources::{Held, KernelObject, LockKind, Resource};
use crate::world::Protocol;

pub use maps::{errno, E2BIG, EEXIST, EINVAL, ENOENT, ENOMEM};

/// The most iterations `bpf_loop` accepts (the kernel's `BPF_MAX_LOOPS`).
pub const BPF_MAX_LOOPS: u64 = 1 << 23;

/// `struct bpf_sock`'s size and the offsets the model fills in (include/uapi/linux/bpf.h).
pub(crate) const BPF_SOCK_SIZE: usize = 80;

/// The conformance suite's helper 5.
pub const CONFORMANCE_UNWIND: i64 = 5;

impl Machine {
    /// `call N`: a helper, from the configured table.
    #[inline]
    pub(crate) fn call_helper(&mut self, pc: usize, id: i64) -> Result<(), FaultKind> {
        if self.config.helpers == HelperTable::Conformance {
            if id != CONFORMANCE_UNWIND {
                return Err(FaultKind::UnknownHelper { id, name: None });
            }
            let v = self.regs[1];
            if v == 0 {
                self.finish(pc, 0);
            } else {
                self.regs[0] = v;
            }
            return Ok(());
        }
        self.call_kernel_helper(pc, id)
    }

    /// `call N` with the catalogue entry resolved at decode time (`index` into `FUNCS`, or -1).
    #[inline]
    pub(crate) fn call_helper_at(
        &mut self,
        pc: usize,
        id: i64,
        index: i32,
    ) -> Result<(), FaultKind> {
        match unwind_kernel::FUNCS.get(index as usize) {
            Some(func) if index >= 0 && self.config.helpers == HelperTable::Kernel => {
                self.call_func(pc, func)
            }
            _ => self.call_helper(pc, id),
        }
    }

    /// The helpers whose whole effect is R0 from R1 (and the clock or the PRNG): the loop
    /// calls them without leaving its registers. `None`: take the general path.
    #[inline(always)]
    pub(crate) fn pure_helper(&mut self, id: i64, r1: u64, insns: u64) -> Option<u64> {
        match (self.config.helpers, id) {
            (HelperTable::Conformance, CONFORMANCE_UNWIND) if r1 != 0 => Some(r1),
            (HelperTable::Kernel, 5) => Some(self.facts.ktime_start_ns.wrapping_add(insns)),
            (HelperTable::Kernel, 7) => Some(self.prandom() as u64),
            (HelperTable::Kernel, 8) => Some(0),
            _ => None,
        }
    }

    #[inline(never)]
    fn call_kernel_helper(&mut self, pc: usize, id: i64) -> Result<(), FaultKind> {
        let func =
            i32::try_from(id)
                .ok()
                .and_then(helper_by_id)
                .ok_or(FaultKind::UnknownHelper {
                    id,
                    name: i32::try_from(id).ok().and_then(helper_name),
                })?;
        self.call_func(pc, func)
    }

    /// `call` of a kfunc by BTF id.
    pub(crate) fn call_kfunc(&mut self, pc: usize, btf_id: i32) -> Result<(), FaultKind> {
        let func = kfunc_by_btf_id(btf_id).ok_or(FaultKind::UnknownKfunc { btf_id })?;
        self.call_func(pc, func)
    }

    pub(crate) fn call_func(&mut self, pc: usize, func: &'static Func) -> Result<(), FaultKind> {
        let prog_type = prog_type_of(&self.prep.program);
        if !func.allowed_in(prog_type) {
            return Err(FaultKind::NotAllowed {
                function: func.name,
                prog_type: prog_type.name(),
            });
        }
        let name = func.name;
        let [_, r1, r2, r3, r4, r5, ..] = self.regs;
        let r0 = match name {
            "bpf_map_lookup_elem" => {
                let m = self.map_arg(name, r1)?;
                self.map_lookup(m, r2)?
            }
            "bpf_map_update_elem" => {
                let m = self.map_arg(name, r1)?;
                self.map_update(m, r2, r3, r4)?
            }
            "bpf_map_delete_elem" => {
                let m = self.map_arg(name, r1)?;
                self.map_delete(m, r2)?
            }
            // A deterministic clock: it advances 1 ns per instruction executed.
            "bpf_ktime_get_ns" => self.facts.ktime_start_ns.wrapping_add(self.insns),
            "bpf_get_prandom_u32" => self.prandom() as u64,
            "bpf_get_smp_processor_id" => 0,
            "bpf_get_current_pid_tgid" => {
                let pid = self.facts.current_pid as u64;
                pid << 32 | pid
            }
            "bpf_trace_printk" => self.trace_printk(pc, r1, r2, [r3, r4, r5])?,
            "bpf_sk_lookup_tcp" | "bpf_sk_lookup_udp" => {
                let proto = if name == "bpf_sk_lookup_tcp" {
                    Protocol::Tcp
                } else {
                    Protocol::Udp
                };
                self.sk_lookup(pc, func, proto, r2, r3, r5)?
            }
            "bpf_ringbuf_reserve" => {
                let m = self.map_arg(name, r1)?;
                let too_big = r2 > crate::machine::MAX_REGION_SIZE as u64;
                if r3 != 0 || r2 == 0 || too_big || !self.ringbuf_take(m, r2) {
                    0
                } else {
                    let data = vec![0; r2 as usize];
                    let kind = RegionKind::RingbufRecord { map: m };
                    self.acquire(pc, func, kind, None, data, true)
                }
            }
            "bpf_obj_new" | "bpf_percpu_obj_new" => {
                if r1 == 0 || r1 > self.facts.max_alloc as u64 {
                    0
                } else if name == "bpf_obj_new" {
                    let data = vec![0; r1 as usize];
                    self.acquire(pc, func, RegionKind::Object, None, data, true)
                } else {
                    // Its address is a handle: the bytes are per CPU, behind bpf_this_cpu_ptr.
                    self.acquire(pc, func, RegionKind::PercpuObject, None, Vec::new(), false)
                }
            }
            "bpf_task_from_pid" => {
                if self.facts.tasks.contains(&(r1 as u32)) && r1 <= u32::MAX as u64 {
                    // The model's task_struct: pid and tgid.
                    let mut data = vec![0u8; 16];
                    data[..4].copy_from_slice(&(r1 as u32).to_le_bytes());
                    data[4..8].copy_from_slice(&(r1 as u32).to_le_bytes());
                    let task = Some(KernelObject::Task(r1 as u32));
                    self.acquire(pc, func, RegionKind::Task, task, data, false)
                } else {
                    0
                }
            }
            "bpf_cgroup_from_id" => {
                if self.facts.cgroups.contains(&r1) {
                    let cgroup = Some(KernelObject::Cgroup(r1));
                    let data = r1.to_le_bytes().to_vec();
                    self.acquire(pc, func, RegionKind::Cgroup, cgroup, data, false)
                } else {
                    0
                }
            }
            "bpf_cpumask_create" => {
                self.acquire(pc, func, RegionKind::Cpumask, None, vec![0; 16], true)
            }
            "bpf_spin_lock" => {
                self.spin_lock(pc, func, r1)?;
                0
            }
            "bpf_spin_unlock" => {
                self.spin_unlock(pc, func, r1)?;
                0
            }
            "bpf_rcu_read_lock" => {
                self.hold_section(pc, func, LockKind::RcuReadLock, 0)?;
                0
            }
            "bpf_preempt_disable" => {
                self.hold_section(pc, func, LockKind::PreemptDisabled, 0)?;
                0
            }
            "bpf_preempt_enable" => {
                self.end_section(pc, func, LockKind::PreemptDisabled, None)?;
                0
            }
            "bpf_local_irq_save" => {
                // The saved flags: what x86's pushf would give with IF set.
                self.write_bytes(r1, &0x246u64.to_le_bytes())?;
                self.hold_section(pc, func, LockKind::IrqSaved, r1)?;
                0
            }
            "bpf_local_irq_restore" => {
                self.mem.read_bytes(r1, 8)?;
                self.end_section(pc, func, LockKind::IrqSaved, Some(r1))?;
                0
            }
            "bpf_rcu_read_unlock" => {
                self.end_section(pc, func, LockKind::RcuReadLock, None)?;
                0
            }
            "bpf_loop" => return self.bpf_loop(pc, func, r1, r2, r3, r4),
            // No program is ever loaded into a prog array here, so every slot is empty and the
            // call falls through, as the kernel's does for an empty slot or an index past the
            // end (`JMP_TAIL_CALL`: `goto out`, R0 untouched).
            "bpf_tail_call" => {
                let m = self.map_arg(name, r2).map_err(|_| FaultKind::BadArgument {
                    function: name,
                    reason: format!("R2 ({r2:#x}) is not a map"),
                })?;
                let def = &self.kernel.maps[m as usize].def;
                if def.map_type != unwind_kernel::MapType::ProgArray {
                    return Err(FaultKind::BadArgument {
                        function: name,
                        reason: format!("R2 is a {} map, not a prog_array", def.map_type),
                    });
                }
                self.regs[0]
            }
            // Timers: no time passes during a run, so a timer never fires; the calls check
            // their arguments and succeed.
            "bpf_timer_init" | "bpf_timer_start" | "bpf_timer_cancel" => {
                self.mem.read_bytes(r1, 16)?;
                0
            }
            "bpf_timer_set_callback" => {
                self.mem.read_bytes(r1, 16)?;
                self.callback_target(func, r2)?;
                0
            }
            "bpf_throw" => {
                // A throw that cannot unwind faults itself, at the frame where it stopped.
                self.throw(pc, r1);
                return Ok(());
            }
            _ => match func.effect {
                unwind_kernel::Effect::Release(kind) => {
                    self.release(pc, func, kind, r1)?;
                    0
                }
                _ => {
                    return Err(FaultKind::UnknownHelper {
                        id: match func.kind {
                            unwind_kernel::FuncKind::Helper(i)
                            | unwind_kernel::FuncKind::Kfunc(i) => i as i64,
                        },
                        name: Some(name),
                    })
                }
            },
        };
        self.regs[0] = r0;
        Ok(())
    }

    /// A new reference; returns the pointer. An allocation (`object` is `None`: objects,
    /// ringbuf records, cpumasks) gets a fresh region. A world object gets the region it got
    /// the first time (built from `data` then): the same pointer, its count one higher.
    fn acquire(
        &mut self,
        pc: usize,
        func: &'static Func,
        kind: RegionKind,
        object: Option<KernelObject>,
        data: Vec<u8>,
        writable: bool,
    ) -> u64 {
        let unwind_kernel::Effect::Acquire(resource) = func.effect else {
            unreachable!("{} acquires", func.name)
        };
        if self.kernel.resources.len() >= self.config.max_resources {
            return 0;
        }
        let existing = object.and_then(|o| {
            let mut known = self.kernel.objects.iter();
            known.find(|&&(k, _)| k == o).map(|&(_, region)| region)
        });
        let region = match existing {
            Some(region) => {
                if !self.mem.regions[region as usize].live {
                    self.set_live(region, true);
                }
                region
            }
            None => {
                if !self.can_allocate(data.len()) {
                    return 0;
                }
                let region = self.add_region(Region::new(kind, data, writable));
                if let Some(o) = object {
                    self.kernel.objects.push((o, region));
                }
                region
            }
        };
        let a = addr(region, 0);
        self.add_resource(pc, func.name, Held::Resource(resource), a, region);
        a
    }

    pub(crate) fn add_resource(
        &mut self,
        pc: usize,
        function: &'static str,
        held: Held,
        a: u64,
        region: u32,
    ) {
        let id = self.kernel.next_resource;
        self.kernel.next_resource += 1;
        let r = Resource {
            id,
            held,
            addr: a,
            acquired_pc: pc,
            frame: self.frames.len().saturating_sub(1),
            function,
            region,
        };
        self.kernel.resources.push(r);
        let resource = self.resource_ref(self.kernel.resources.last().expect("just pushed"));
        if matches!(held, Held::Resource(_))
            && matches!(self.config.unwinding, Unwinding::RuntimeTable)
        {
            self.table_record(id);
        }
        self.event(pc, EventKind::Acquire { function, resource });
    }

    /// Removes a live resource (and unmaps its memory), with its release event.
    pub(crate) fn remove_resource(
        &mut self,
        pc: usize,
        function: &'static str,
        index: usize,
        by: ReleasedBy,
    ) -> Resource {
        self.remove_resource_at(pc, function, index, by, None)
    }

    /// As [`Machine::remove_resource`], naming the frame and location the unwinder found it in.
    pub(crate) fn remove_resource_at(
        &mut self,
        pc: usize,
        function: &'static str,
        index: usize,
        by: ReleasedBy,
        found: Option<(usize, String)>,
    ) -> Resource {
        let r = self.kernel.resources.remove(index);
        // A world object's memory stays mapped while the program holds another reference.
        if r.region != 0 && !self.kernel.resources.iter().any(|o| o.region == r.region) {
            self.set_live(r.region, false);
        }
        // The runtime table forgets what the program (or an unwinder) released.
        if by != ReleasedBy::RuntimeTable
            && matches!(r.held, Held::Resource(_))
            && matches!(self.config.unwinding, Unwinding::RuntimeTable)
        {
            self.table_forget(r.id);
        }
        let (depth, location) = match found {
            Some((d, l)) => (Some(d), Some(l)),
            None => (None, None),
        };
        self.event(
            pc,
            EventKind::Release {
                function,
                resource: self.resource_ref(&r),
                by,
                depth,
                location,
            },
        );
        r
    }

    /// The `runtime` mode: records an acquisition in the run-time table.
    fn table_record(&mut self, id: u32) {
        self.kernel.runtime_table.push(id);
        self.kernel.runtime_table_ops += 1;
    }

    /// The `runtime` mode: removes a released resource from the run-time table (searched from
    /// the newest, where a release usually finds it).
    pub(crate) fn table_forget(&mut self, id: u32) {
        if let Some(index) = self.kernel.runtime_table.iter().rposition(|&x| x == id) {
            self.kernel.runtime_table.remove(index);
            self.kernel.runtime_table_ops += 1;
        }
    }

    /// A release by the program: drops one reference to what `ptr` points to (for a world
    /// object held more than once, the newest acquisition's: the references are the same
    /// pointer, as in the kernel). A pointer to something this program released already is a
    /// `double_release` fault (for a world object: a count that would drop below the world's
    /// own); anything else it does not hold is `release_not_held`.
    fn release(
        &mut self,
        pc: usize,
        func: &'static Func,
        kind: ResourceKind,
        ptr: u64,
    ) -> Result<(), FaultKind> {
        let held = Held::Resource(kind);
        if let Some(index) = self
            .kernel
            .resources
            .iter()
            .rposition(|r| r.held == held && r.addr == ptr)
        {
            self.remove_resource(pc, func.name, index, ReleasedBy::Program);
            return Ok(());
        }
        let function = func.name;
        let region = self
            .mem
            .region(region_of(ptr))
            .filter(|r| releasable_as(r.kind, kind));
        if let Some(region) = region {
            let at_base = offset_of(ptr) == 0;
            let what = region.kind.describe();
            if at_base && !region.live {
                let refcount = self
                    .refcount(region_of(ptr))
                    .map(|n| {
                        format!(
                            ": its count is back to the world's {n}, which this program does not own"
                        )
                    })
                    .unwrap_or_default();
                return Err(FaultKind::DoubleRelease {
                    function,
                    addr: ptr,
                    reason: format!("{what} at {ptr:#x} was already released{refcount}"),
                });
            }
            if !at_base
                && self
                    .kernel
                    .resources
                    .iter()
                    .any(|r| r.region == region_of(ptr))
            {
                return Err(FaultKind::ReleaseNotHeld {
                    function,
                    addr: ptr,
                    reason: format!(
                        "R1 ({ptr:#x}) points {} bytes into {what}, not at its start",
                        offset_of(ptr)
                    ),
                });
            }
        }
        Err(FaultKind::ReleaseNotHeld {
            function,
            addr: ptr,
            reason: format!("R1 ({ptr:#x}) is not a live {} reference", kind.name()),
        })
    }

    fn prandom(&mut self) -> u32 {
        // splitmix64: a fixed, portable sequence for a given seed.
        self.kernel.prng = self.kernel.prng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.kernel.prng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as u32
    }

    fn trace_printk(
        &mut self,
        pc: usize,
        fmt_ptr: u64,
        size: u64,
        args: [u64; 3],
    ) -> Result<u64, FaultKind> {
        if size == 0 || size > u32::MAX as u64 {
            return Ok(errno(EINVAL));
        }
        let fmt = self.mem.read_bytes(fmt_ptr, size as u32)?;
        // The kernel requires the format to end with its NUL inside `size`.
        if fmt.last() != Some(&0) {
            return Ok(errno(EINVAL));
        }
        let mem = &self.mem;
        let read_str = |p: u64| -> Option<Vec<u8>> {
            let r = mem.region(region_of(p)).filter(|r| r.live)?;
            let off = usize::try_from(offset_of(p)).ok()?;
            let rest = r.data.get(off..)?;
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            Some(rest[..end].to_vec())
        };
        match printk::format(&fmt, args, &read_str) {
            Ok(text) => {
                let n = text.len() as u64;
                if self.kernel.trace_bytes as usize + text.len() <= self.config.max_trace_bytes {
                    self.kernel.trace_bytes += text.len() as u32;
                    self.kernel
                        .trace
                        .push(crate::machine::TraceLine { pc, text });
                } else {
                    self.kernel.trace_dropped = self.kernel.trace_dropped.saturating_add(1);
                }
                Ok(n)
            }
            Err(_) => Ok(errno(EINVAL)),
        }
    }

    fn sk_lookup(
        &mut self,
        pc: usize,
        func: &'static Func,
        proto: Protocol,
        tuple: u64,
        size: u64,
        flags: u64,
    ) -> Result<u64, FaultKind> {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
        if flags != 0 || !(size == 12 || size == 36) {
            return Ok(0);
        }
        let t = self.mem.read_bytes(tuple, size as u32)?;
        let (src, dst) = if size == 12 {
            let ip = |o: usize| IpAddr::V4(Ipv4Addr::new(t[o], t[o + 1], t[o + 2], t[o + 3]));
            let port = |o: usize| u16::from_be_bytes([t[o], t[o + 1]]);
            (
                SocketAddr::new(ip(0), port(8)),
                SocketAddr::new(ip(4), port(10)),
            )
        } else {
            let ip = |o: usize| {
                let b: [u8; 16] = t[o..o + 16].try_into().expect("16 bytes");
                IpAddr::V6(Ipv6Addr::from(b))
            };
            let port = |o: usize| u16::from_be_bytes([t[o], t[o + 1]]);
            (
                SocketAddr::new(ip(0), port(32)),
                SocketAddr::new(ip(16), port(34)),
            )
        };
        let found = self.facts.sockets.iter().position(|s| {
            s.protocol == proto
                && s.local.port() == dst.port()
                && (s.local.ip().is_unspecified() || s.local.ip() == dst.ip())
                && s.remote.map_or(true, |r| r == src)
        });
        let Some(index) = found else {
            return Ok(0);
        };
        let s = self.facts.sockets[index];
        // struct bpf_sock: family @4, type @8, protocol @12, src_ip4 @24, src_ip6 @28,
        // src_port @44 (host order), dst_port @48 (network order), dst_ip4 @52, dst_ip6 @56.
        let mut b = vec![0u8; BPF_SOCK_SIZE];
        let (family, ty, protocol): (u32, u32, u32) = match (s.local.is_ipv4(), proto) {
            (true, Protocol::Tcp) => (2, 1, 6),
            (true, Protocol::Udp) => (2, 2, 17),
            (false, Protocol::Tcp) => (10, 1, 6),
            (false, Protocol::Udp) => (10, 2, 17),
        };
        b[4..8].copy_from_slice(&family.to_le_bytes());
        b[8..12].copy_from_slice(&ty.to_le_bytes());
        b[12..16].copy_from_slice(&protocol.to_le_bytes());
        match s.local.ip() {
            IpAddr::V4(ip) => b[24..28].copy_from_slice(&ip.octets()),
            IpAddr::V6(ip) => b[28..44].copy_from_slice(&ip.octets()),
        }
        b[44..48].copy_from_slice(&(s.local.port() as u32).to_le_bytes());
        if let Some(r) = s.remote {
            b[48..50].copy_from_slice(&r.port().to_be_bytes());
            match r.ip() {
                IpAddr::V4(ip) => b[52..56].copy_from_slice(&ip.octets()),
                IpAddr::V6(ip) => b[56..72].copy_from_slice(&ip.octets()),
            }
        }
        let socket = Some(KernelObject::Socket(index));
        Ok(self.acquire(pc, func, RegionKind::Socket, socket, b, false))
    }

    /// Enters an RCU, preemption-disabled or IRQ-disabled section (a held "lock" that a leak
    /// check reports if the program never leaves it).
    fn hold_section(
        &mut self,
        pc: usize,
        func: &'static Func,
        kind: LockKind,
        addr: u64,
    ) -> Result<(), FaultKind> {
        if self.kernel.resources.len() >= self.config.max_resources {
            return Err(FaultKind::BadArgument {
                function: func.name,
                reason: format!(
                    "more than {} resources and sections held at once",
                    self.config.max_resources
                ),
            });
        }
        self.add_resource(pc, func.name, Held::Lock(kind), addr, 0);
        Ok(())
    }

    /// Leaves the newest section of `kind` (IRQ sections: the newest must be the one saved at
    /// `addr`, as restores go in the reverse order of saves).
    fn end_section(
        &mut self,
        pc: usize,
        func: &'static Func,
        kind: LockKind,
        addr: Option<u64>,
    ) -> Result<(), FaultKind> {
        let index = self
            .kernel
            .resources
            .iter()
            .rposition(|r| r.held == Held::Lock(kind))
            .ok_or_else(|| FaultKind::BadArgument {
                function: func.name,
                reason: format!("no {} section is open", Held::Lock(kind).name()),
            })?;
        if let Some(addr) = addr {
            let newest = self.kernel.resources[index].addr;
            if newest != addr {
                return Err(FaultKind::BadArgument {
                    function: func.name,
                    reason: format!(
                        "IRQ flags at {addr:#x} restored out of order (the newest were saved at {newest:#x})"
                    ),
                });
            }
        }
        self.remove_resource(pc, func.name, index, ReleasedBy::Program);
        Ok(())
    }

    fn spin_lock(&mut self, pc: usize, func: &'static Func, ptr: u64) -> Result<(), FaultKind> {
        self.lock_arg(func, ptr)?;
        if let Some(held) = self
            .kernel
            .resources
            .iter()
            .find(|r| r.held == Held::Lock(LockKind::SpinLock))
        {
            return Err(FaultKind::BadArgument {
                function: func.name,
                reason: format!(
                    "deadlock: a spin lock taken at pc {} is still held",
                    held.acquired_pc
                ),
            });
        }
        self.write_bytes(ptr, &1u32.to_le_bytes())?;
        self.add_resource(pc, func.name, Held::Lock(LockKind::SpinLock), ptr, 0);
        Ok(())
    }

    fn spin_unlock(&mut self, pc: usize, func: &'static Func, ptr: u64) -> Result<(), FaultKind> {
        self.lock_arg(func, ptr)?;
        let index = self
            .kernel
            .resources
            .iter()
            .position(|r| r.held == Held::Lock(LockKind::SpinLock) && r.addr == ptr)
            .ok_or_else(|| FaultKind::BadArgument {
                function: func.name,
                reason: format!("the lock at {ptr:#x} is not held"),
            })?;
        self.write_bytes(ptr, &0u32.to_le_bytes())?;
        self.remove_resource(pc, func.name, index, ReleasedBy::Program);
        Ok(())
    }

    /// A `struct bpf_spin_lock` (4 bytes) inside a map value.
    fn lock_arg(&self, func: &'static Func, ptr: u64) -> Result<(), FaultKind> {
        self.mem.read(ptr, 4)?;
        match self.mem.region(region_of(ptr)).map(|r| r.kind) {
            Some(RegionKind::MapValue { .. }) => Ok(()),
            _ => Err(FaultKind::BadArgument {
                function: func.name,
                reason: format!("R1 ({ptr:#x}) does not point into a map value"),
            }),
        }
    }

    /// The start of the function a callback argument (`r2 = my_callback`) names.
    fn callback_target(&self, func: &'static Func, addr: u64) -> Result<usize, FaultKind> {
        let target = offset_of(addr);
        if region_of(addr) != CODE_REGION
            || target < 0
            || self.prep.func_starting_at(target as usize).is_none()
        {
            return Err(FaultKind::BadArgument {
                function: func.name,
                reason: format!(
                    "R2 ({addr:#x}) is not a function (load one with `r2 = my_callback`)"
                ),
            });
        }
        Ok(target as usize)
    }

    fn bpf_loop(
        &mut self,
        pc: usize,
        func: &'static Func,
        count: u64,
        callback: u64,
        ctx: u64,
        flags: u64,
    ) -> Result<(), FaultKind> {
        if flags != 0 {
            self.regs[0] = errno(EINVAL);
            return Ok(());
        }
        if count > BPF_MAX_LOOPS {
            self.regs[0] = errno(E2BIG);
            return Ok(());
        }
        let target = self.callback_target(func, callback)?;
        if count == 0 {
            self.regs[0] = 0;
            return Ok(());
        }
        self.call_local(
            pc,
            target,
            FrameKind::LoopCallback {
                index: 0,
                count,
                ctx,
            },
        )?;
        self.regs[1] = 0;
        self.regs[2] = ctx;
        self.regs[3] = 0;
        self.regs[4] = 0;
        self.regs[5] = 0;
        Ok(())
    }
}

/// Whether a region of `region` kind is what a release of `kind` takes.
fn releasable_as(region: RegionKind, kind: ResourceKind) -> bool {
    matches!(
        (region, kind),
        (RegionKind::Object, ResourceKind::Object)
            | (RegionKind::PercpuObject, ResourceKind::PercpuObject)
            | (
                RegionKind::RingbufRecord { .. },
                ResourceKind::RingbufRecord
            )
            | (RegionKind::Socket, ResourceKind::Socket)
            | (RegionKind::Task, ResourceKind::Task)
            | (RegionKind::Cgroup, ResourceKind::Cgroup)
            | (RegionKind::Cpumask, ResourceKind::Cpumask)
    )
}
