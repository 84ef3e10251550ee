//! The machine: registers, frames, memory and the simulated kernel's state, how a run is set
//! up from a program and a world, and the state changes shared by the fast path and the
//! stepper (frames pushed and popped, faults, the end of a run).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use unwind_kernel::{CtxLayout, FieldKind, MapType, ProgType};
use unwind_program::{MapDef, Program};
pub use unwind_stackmap::Unwinding;

use crate::decode::Prepared;
use crate::events::{Event, EventKind};
use crate::fault::{Fault, FaultKind};
use crate::frames::{
    Frame, FrameKind, Pending, PendingFrames, MAX_FRAMES, MAY_GOTO_BUDGET, STACK_REGIONS,
};
use crate::memory::{addr, region_of, Memory, Region, RegionKind, STACK_SIZE};
use crate::resources::{KernelObject, Resource, ResourceRef};
use crate::world::{parse_hex, SocketAddrs, World, WorldError};

/// Region holding function addresses (`r2 = my_cb`).
pub const CODE_REGION: u32 = 1 + STACK_REGIONS as u32;
/// Map handles follow, one region per map.
pub const MAP_REGION_BASE: u32 = CODE_REGION + 1;

/// The packet a packet program gets when the world gives none (as the kernel selftests' runs).
pub const DEFAULT_PACKET_SIZE: usize = 64;
/// The largest map key or value, and the largest ringbuf record (the kernel's
/// `KMALLOC_MAX_SIZE` with 4 KiB pages): nothing a program declares can make a run allocate more
/// at once.
pub const MAX_REGION_SIZE: u32 = 4 << 20;
/// The most memory a run's regions may hold in all (64 MiB): past it, allocations fail as
/// they would under memory pressure (NULL, -ENOMEM), so no program can exhaust the host.
pub const MAX_RUN_MEMORY: u64 = 64 << 20;
/// Default instruction budget of a run.
pub const DEFAULT_BUDGET: u64 = 50_000_000;

/// Which helpers `call N` reaches. Named `kernel` and `conformance` (`docs/names.md`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HelperTable {
    /// The simulated kernel's catalogue.
    #[default]
    Kernel,
    /// The BPF conformance suite's: only helper 5, `unwind` (returns its argument; an argument
    /// of 0 stops the program, which returns 0).
    Conformance,
}

impl HelperTable {
    /// Every table, in the order of [`HelperTable::NAMES`].
    pub const ALL: [HelperTable; 2] = [HelperTable::Kernel, HelperTable::Conformance];
    /// The canonical names.
    pub const NAMES: &'static [&'static str] = &["kernel", "conformance"];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl std::fmt::Display for HelperTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for HelperTable {
    type Err = unwind_program::names::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spellings: Vec<(&str, HelperTable)> =
            Self::NAMES.iter().copied().zip(Self::ALL).collect();
        unwind_program::names::lookup("helper table", s, &spellings, Self::NAMES)
    }
}

impl Serialize for HelperTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        unwind_program::names::serialize(self, s)
    }
}

impl<'de> serde::Deserialize<'de> for HelperTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        unwind_program::names::deserialize(d)
    }
}

/// How a run is configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The most instructions a run executes before it faults with `budget`.
    pub budget: u64,
    pub helpers: HelperTable,
    /// `call`/`return` events are kept while the event log is shorter than this (so a
    /// call-heavy loop does not grow it without bound).
    pub max_call_events: usize,
    /// Other events are kept while the log is shorter than this, except exit, leak and fault,
    /// which are always kept (they are few).
    pub max_events: usize,
    /// `bpf_trace_printk` output kept, in bytes; later lines are counted, not kept.
    pub max_trace_bytes: usize,
    /// Live resources at once (locks and RCU sections included); past it acquisitions fail.
    pub max_resources: usize,
    /// What a throw releases (default: nothing, as upstream).
    pub unwinding: Unwinding,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            budget: DEFAULT_BUDGET,
            helpers: HelperTable::Kernel,
            max_call_events: 10_000,
            max_events: 100_000,
            max_trace_bytes: 1 << 20,
            max_resources: 65_536,
            unwinding: Unwinding::DiscardFrames,
        }
    }
}

/// Where a run is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Running,
    Exited {
        #[serde(serialize_with = "crate::events::u64_str")]
        return_value: u64,
    },
    Faulted {
        fault: Fault,
    },
}

/// A line of `bpf_trace_printk` output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceLine {
    pub pc: usize,
    pub text: String,
}

/// A map's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Store {
    /// Element regions, created when first looked up.
    Array {
        elems: BTreeMap<u32, u32>,
    },
    Hash {
        entries: BTreeMap<Vec<u8>, u32>,
    },
    Ringbuf {
        used: u32,
    },
    /// A map type the model does not implement: helpers on it fail with -EINVAL.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapState {
    pub def: MapDef,
    pub store: Store,
}

/// The facts of the world the helpers consult (read-only during a run).
#[derive(Clone, Debug, Default)]
pub struct WorldFacts {
    pub tasks: Vec<u32>,
    pub cgroups: Vec<u64>,
    pub sockets: Vec<SocketAddrs>,
    pub max_alloc: u32,
    pub ktime_start_ns: u64,
    pub current_pid: u32,
}

/// The simulated kernel's mutable state.
#[derive(Clone, Debug, Default)]
pub struct KernelState {
    pub prng: u64,
    /// Live resources, oldest first.
    pub resources: Vec<Resource>,
    pub next_resource: u32,
    pub maps: Vec<MapState>,
    pub trace: Vec<TraceLine>,
    /// Bytes of text in `trace`.
    pub trace_bytes: u32,
    pub events: Vec<Event>,
    /// Events and trace lines not kept because of the configured bounds.
    pub events_dropped: u32,
    pub trace_dropped: u32,
    /// The `runtime` mode's table: ids of the releasable resources acquired and not yet
    /// released, oldest first (empty in the other modes).
    pub runtime_table: Vec<u32>,
    /// Operations on that table: one per record (acquire) and one per removal (a release by
    /// the program, or by the table at a throw). Zero in the other modes.
    pub runtime_table_ops: u64,
    /// The world's refcounted objects the run has touched (in that order), and the region
    /// behind each: the same object is the same region (the same address) at every
    /// acquisition, live while the program holds a reference to it.
    pub objects: Vec<(KernelObject, u32)>,
}

/// The whole machine.
#[derive(Clone, Debug)]
pub struct Machine {
    pub prep: Arc<Prepared>,
    pub regs: [u64; 11],
    pub pc: usize,
    pub frames: Vec<Frame>,
    pub mem: Memory,
    /// Instructions executed.
    pub insns: u64,
    pub status: Status,
    pub kernel: KernelState,
    pub facts: Arc<WorldFacts>,
    pub config: Config,
    /// Frames of calls the execution loop made and has not written into `frames` yet (empty
    /// outside the loop).
    pub(crate) pending: PendingFrames,
    /// Region ids of the ctx and the packet (0 when there is none).
    pub ctx_region: u32,
    pub packet_region: u32,
    /// Region id of the test run's socket, `__sk_buff->sk` (0 when there is none).
    pub sk_region: u32,
    pub(crate) ctx_layout: Option<&'static CtxLayout>,
}

/// Length of the Ethernet header the kernel's skb test run pulls before L3 programs run.
const ETH_HLEN: usize = 14;

/// The packet a program sees from the frame a test run is given (`BPF_PROG_TEST_RUN`'s
/// `data_in`): tc and xdp programs see the whole frame; the other skb programs (socket,
/// cgroup_skb, lwt, ...) start at the network header, since `eth_type_trans` pulled the
/// Ethernet header and only tc pushes it back (`is_l2` in `bpf_prog_test_run_skb`).
fn test_run_packet(prog_type: ProgType, frame: &[u8]) -> Vec<u8> {
    let l2 = matches!(
        prog_type,
        ProgType::SchedCls | ProgType::SchedAct | ProgType::Xdp
    );
    if l2 || frame.len() < ETH_HLEN {
        frame.to_vec()
    } else {
        frame[ETH_HLEN..].to_vec()
    }
}

/// The ctx fields the kernel's test run fills in (when no ctx is given): for `__sk_buff`,
/// `len` (the packet's length), `pkt_type` and `protocol` as `eth_type_trans` computes them
/// on the loopback device, and `ifindex` 1 (loopback); for `xdp_md`, `ingress_ifindex` 1
/// (the loopback queue). `wire_len` stays 0: it reads `qdisc_skb_cb(skb)->pkt_len`, which
/// only `convert___skb_to_skb` sets, from a ctx given to the run.
fn test_run_ctx(
    prog_type: ProgType,
    layout: &CtxLayout,
    frame: &[u8],
    packet_len: usize,
    ctx: &mut [u8],
) {
    let mut set = |name: &str, v: u32| {
        if let Some(f) = layout.field(name) {
            let o = f.offset as usize;
            ctx[o..o + 4].copy_from_slice(&v.to_le_bytes());
        }
    };
    if prog_type == ProgType::Xdp {
        set("ingress_ifindex", LOOPBACK_IFINDEX);
        return;
    }
    set("len", packet_len as u32);
    set("ifindex", LOOPBACK_IFINDEX);
    if frame.len() >= ETH_HLEN {
        let dest = &frame[..6];
        // PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3 (lo's address is all zeros).
        let pkt_type = if dest[0] & 1 != 0 {
            if dest.iter().all(|&b| b == 0xff) {
                1
            } else {
                2
            }
        } else if dest.iter().any(|&b| b != 0) {
            3
        } else {
            0
        };
        set("pkt_type", pkt_type);
        let proto = u16::from_be_bytes([frame[12], frame[13]]);
        let proto = if proto >= 0x600 {
            proto
        } else if frame.get(14..16) == Some(&[0xff, 0xff]) {
            0x0001 // ETH_P_802_3
        } else {
            0x0004 // ETH_P_802_2
        };
        // A __be16 in a u32 field: network order in its low two bytes.
        set("protocol", u16::from_le_bytes(proto.to_be_bytes()) as u32);
    }
}

/// The socket `bpf_prog_test_run_skb` gives every skb (`skb->sk`), as a `struct bpf_sock`:
/// `sk_alloc(AF_UNSPEC)` and `sock_init_data(NULL, sk)` leave it unbound, `state` TCP_CLOSE
/// (7) and `rx_queue_mapping` -1 (none recorded); the rest is zero for the default packet.
fn test_run_socket() -> Vec<u8> {
    let mut sk = vec![0u8; crate::kernel::BPF_SOCK_SIZE];
    sk[72..76].copy_from_slice(&7u32.to_le_bytes());
    sk[76..80].copy_from_slice(&u32::MAX.to_le_bytes());
    sk
}

/// The loopback device's ifindex, where the kernel's test runs happen.
const LOOPBACK_IFINDEX: u32 = 1;

/// The program type a program runs as (`raw` when it does not say).
pub fn prog_type_of(program: &Program) -> ProgType {
    program.prog_type.unwrap_or(ProgType::Raw)
}

/// The panic of a `push_frame` that cannot fail (its only error is `CallDepth`), with the
/// message `.expect(what)` would print, without linking `FaultKind`'s derived `Debug` (and
/// the string escaping it brings) into the wasm module.
#[cold]
#[inline(never)]
pub(crate) fn frame_must_fit(what: &str, fault: FaultKind) -> ! {
    match fault {
        FaultKind::CallDepth { depth, max } => {
            panic!("{what}: CallDepth {{ depth: {depth}, max: {max} }}")
        }
        other => panic!("{what}: {other}"),
    }
}

impl Machine {
    /// Sets up a run: memory, the ctx (and packet), maps with the world's contents, the main
    /// frame, R1 (and R2 for raw input), R10.
    pub fn new(program: &Program, world: &World, config: Config) -> Result<Machine, WorldError> {
        Machine::with_prepared(Arc::new(Prepared::new(program)), world, config)
    }

    pub fn with_prepared(
        prep: Arc<Prepared>,
        world: &World,
        config: Config,
    ) -> Result<Machine, WorldError> {
        if prep.is_empty() {
            return Err(WorldError::EmptyProgram);
        }
        let program = &prep.program;
        let mut mem = Memory::default();
        mem.add(Region::opaque(RegionKind::Null));
        for depth in 0..STACK_REGIONS {
            let mut r = Region::new(
                RegionKind::Stack {
                    depth: depth as u32,
                },
                vec![0; STACK_SIZE as usize],
                true,
            );
            r.live = false;
            mem.add(r);
        }
        mem.add(Region::opaque(RegionKind::Code));
        for i in 0..program.maps.len() {
            mem.add(Region::opaque(RegionKind::MapHandle { map: i as u32 }));
        }

        let prog_type = prog_type_of(program);
        let mut regs = [0u64; 11];
        let mut ctx_region = 0;
        let mut packet_region = 0;
        let mut sk_region = 0;
        let layout = prog_type.ctx_layout();
        if prog_type == ProgType::Raw {
            // The raw input: R1 points to it, R2 is its length (the conformance convention).
            // The buffer is zero-filled to the ctx size the verifier checked accesses against
            // (`ProgType::ctx_size`), so an accepted program never reads past it; a longer
            // input is kept whole (only an unverified program can reach past the ctx size).
            let mut bytes = match world.mem.as_deref().or(world.ctx.as_deref()) {
                Some(hex) => parse_hex("mem", hex)?,
                None => Vec::new(),
            };
            let len = bytes.len() as u64;
            let size = (prog_type.ctx_size() as usize).max(bytes.len());
            bytes.resize(size, 0);
            let id = mem.add(Region::new(RegionKind::Input, bytes, true));
            regs[1] = addr(id, 0);
            regs[2] = len;
        } else {
            let size = prog_type.ctx_size() as usize;
            let mut ctx = vec![0u8; size];
            let given = world
                .ctx
                .as_deref()
                .map(|h| parse_hex("ctx", h))
                .transpose()?;
            if let Some(given) = &given {
                if given.len() > size {
                    return Err(WorldError::CtxTooLong {
                        given: given.len(),
                        size,
                        layout: layout.map_or("the ctx", |l| l.name),
                    });
                }
                ctx[..given.len()].copy_from_slice(given);
            }
            if prog_type.has_packet() {
                let frame = match world.packet.as_deref() {
                    Some(h) => parse_hex("packet", h)?,
                    None => vec![0; DEFAULT_PACKET_SIZE],
                };
                let packet = test_run_packet(prog_type, &frame);
                if given.is_none() {
                    if let Some(layout) = layout {
                        test_run_ctx(prog_type, layout, &frame, packet.len(), &mut ctx);
                    }
                }
                packet_region = mem.add(Region::new(RegionKind::Packet, packet, true));
            }
            if layout.is_some_and(|l| l.field("sk").is_some()) {
                sk_region = mem.add(Region::new(RegionKind::Socket, test_run_socket(), false));
            }
            let mut r = Region::new(RegionKind::Ctx, ctx, true);
            r.special_loads = layout.is_some();
            ctx_region = mem.add(r);
            regs[1] = addr(ctx_region, 0);
        }

        // Maps, with the world's initial contents.
        for def in &program.maps {
            if def.key_size > MAX_REGION_SIZE || def.value_size > MAX_REGION_SIZE {
                return Err(WorldError::BadMapEntry {
                    map: def.name.clone(),
                    reason: format!(
                        "key and value sizes must be at most {MAX_REGION_SIZE} bytes (the kernel's KMALLOC_MAX_SIZE)"
                    ),
                });
            }
        }
        let mut maps: Vec<MapState> = program
            .maps
            .iter()
            .map(|def| MapState {
                def: def.clone(),
                store: match def.map_type {
                    MapType::Array | MapType::PercpuArray => Store::Array {
                        elems: BTreeMap::new(),
                    },
                    MapType::Hash | MapType::PercpuHash | MapType::LruHash => Store::Hash {
                        entries: BTreeMap::new(),
                    },
                    MapType::Ringbuf => Store::Ringbuf { used: 0 },
                    _ => Store::Other,
                },
            })
            .collect();
        for (name, entries) in &world.maps {
            let index = maps
                .iter()
                .position(|m| &m.def.name == name)
                .ok_or_else(|| WorldError::UnknownMap(name.clone()))?;
            let bad = |reason: String| WorldError::BadMapEntry {
                map: name.clone(),
                reason,
            };
            for e in entries {
                let key = parse_hex(&format!("map '{name}' key"), &e.key)?;
                let value = parse_hex(&format!("map '{name}' value"), &e.value)?;
                let def = &maps[index].def;
                if key.len() != def.key_size as usize {
                    return Err(bad(format!(
                        "key {} is {} bytes, expected {}",
                        e.key,
                        key.len(),
                        def.key_size
                    )));
                }
                if value.len() > def.value_size as usize {
                    return Err(bad(format!(
                        "value is {} bytes, expected at most {}",
                        value.len(),
                        def.value_size
                    )));
                }
                let mut data = vec![0u8; def.value_size as usize];
                data[..value.len()].copy_from_slice(&value);
                let max = def.max_entries;
                let kind = RegionKind::MapValue { map: index as u32 };
                match &mut maps[index].store {
                    Store::Array { elems } => {
                        let mut b = [0u8; 4];
                        let n = key.len().min(4);
                        b[..n].copy_from_slice(&key[..n]);
                        let i = u32::from_le_bytes(b);
                        if i >= max {
                            return Err(bad(format!("index {i} is not below max_entries {max}")));
                        }
                        let id = mem.add(Region::new(kind, data, true));
                        elems.insert(i, id);
                    }
                    Store::Hash { entries } => {
                        if entries.len() as u32 >= max && !entries.contains_key(&key) {
                            return Err(bad(format!("more than max_entries {max} entries")));
                        }
                        let id = mem.add(Region::new(kind, data, true));
                        entries.insert(key, id);
                    }
                    _ => return Err(bad("only array and hash maps take initial entries".into())),
                }
            }
        }

        let facts = WorldFacts {
            tasks: world.tasks.iter().map(|t| t.pid).collect(),
            cgroups: world.cgroups.clone(),
            sockets: world.socket_addrs()?,
            max_alloc: world.max_alloc,
            ktime_start_ns: world.ktime_start_ns,
            current_pid: world.current_pid,
        };
        let mut m = Machine {
            regs,
            pc: 0,
            frames: Vec::with_capacity(MAX_FRAMES),
            mem,
            insns: 0,
            status: Status::Running,
            kernel: KernelState {
                prng: world.prandom_seed,
                resources: Vec::new(),
                next_resource: 1,
                maps,
                trace: Vec::new(),
                trace_bytes: 0,
                events: Vec::new(),
                events_dropped: 0,
                trace_dropped: 0,
                runtime_table: Vec::new(),
                runtime_table_ops: 0,
                objects: Vec::new(),
            },
            facts: Arc::new(facts),
            config,
            pending: PendingFrames::default(),
            ctx_region,
            packet_region,
            sk_region,
            ctx_layout: if ctx_region != 0 { layout } else { None },
            prep,
        };
        let main = m.prep.func_index(0);
        m.push_frame(main, FrameKind::Main, None, 0)
            .unwrap_or_else(|e| frame_must_fit("the first frame always fits", e));
        Ok(m)
    }

    pub fn line(&self, pc: usize) -> u32 {
        self.prep.line(pc)
    }

    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }

    /// Pushes a frame for `function` and points R10 at its stack top. Saves the caller's
    /// callee-saved registers the function uses (not for the main frame: it has no BPF caller).
    pub(crate) fn push_frame(
        &mut self,
        function: usize,
        kind: FrameKind,
        call_site: Option<usize>,
        return_pc: usize,
    ) -> Result<(), FaultKind> {
        let mut regs = self.regs;
        let pushed = self.push_frame_in(&mut regs, function, kind, call_site, return_pc);
        self.regs = regs;
        pushed
    }

    /// [`Machine::push_frame`] on registers held elsewhere (the execution loop's own copy,
    /// at least 11 of them).
    pub(crate) fn push_frame_in(
        &mut self,
        regs: &mut [u64],
        function: usize,
        kind: FrameKind,
        call_site: Option<usize>,
        return_pc: usize,
    ) -> Result<(), FaultKind> {
        let depth = self.frames.len();
        let trampoline = depth == MAX_FRAMES && self.prep.funcs[function].hidden;
        if depth >= MAX_FRAMES && !trampoline {
            return Err(FaultKind::CallDepth {
                depth,
                max: MAX_FRAMES,
            });
        }
        let region = 1 + depth as u32;
        self.mem.clear_stack(region);
        let saved_mask = match kind {
            FrameKind::Main => 0,
            _ => self.prep.funcs[function].callee_saved,
        };
        let mut saved = [0u64; 4];
        for (k, slot) in saved.iter_mut().enumerate() {
            if saved_mask & (1 << k) != 0 {
                *slot = regs[6 + k];
            }
        }
        self.frames.push(Frame {
            function,
            depth,
            kind,
            call_site,
            return_pc,
            saved_mask,
            saved,
            may_goto_left: MAY_GOTO_BUDGET,
            stack_region: region,
        });
        regs[10] = addr(region, STACK_SIZE);
        Ok(())
    }

    /// Pops the innermost frame: its prologue's saved registers go back into R6-R9 (its
    /// epilogue), its stack is no longer mapped, and R10 is the caller's again.
    pub(crate) fn pop_frame(&mut self, restore: bool) -> Frame {
        let mut regs = self.regs;
        let frame = self.pop_frame_in(&mut regs, restore);
        self.regs = regs;
        frame
    }

    /// [`Machine::pop_frame`] on registers held elsewhere (see [`Machine::push_frame_in`]).
    pub(crate) fn pop_frame_in(&mut self, regs: &mut [u64], restore: bool) -> Frame {
        let frame = self.frames.pop().expect("a frame to pop");
        if restore {
            for k in 0..4 {
                if let Some(v) = frame.saved_reg(k) {
                    regs[6 + k] = v;
                }
            }
        }
        let region = frame.stack_region;
        self.mem.regions[region as usize].live = false;
        if let Some(caller) = self.frames.last() {
            regs[10] = addr(caller.stack_region, STACK_SIZE);
        }
        frame
    }

    /// The common case of a bpf-to-bpf call, for the execution loop: the depth below the
    /// limit, no call event kept (the log is past `max_call_events`). Maps the callee's stack,
    /// keeps the frame pending (see [`PendingFrames`]), points R10 at the new stack and counts
    /// the dropped call event; returns the callee's first pc. `None` when the general path must
    /// run instead (nothing changed).
    #[inline(always)]
    pub(crate) fn push_call_fast(
        &mut self,
        r: &mut [u64; 16],
        cur: usize,
        function: usize,
        callee_saved: u8,
        start: usize,
    ) -> Option<usize> {
        let depth = self.frames.len() + self.pending.len;
        if depth >= MAX_FRAMES || self.kernel.events.len() < self.config.max_call_events {
            return None;
        }
        let region = 1 + depth as u32;
        self.mem.clear_stack(region);
        self.pending.push(Pending {
            function,
            call_site: cur,
            saved_mask: callee_saved,
            saved: [r[6], r[7], r[8], r[9]],
        });
        r[10] = addr(region, STACK_SIZE);
        // The call event is not kept: counted as dropped, as `call_event_room` does.
        self.kernel.events_dropped = self.kernel.events_dropped.saturating_add(1);
        Some(start)
    }

    /// The common case of `exit` from a bpf-to-bpf call, for the execution loop (the
    /// conditions of [`Machine::push_call_fast`]): what [`Machine::pop_frame_in`] and the
    /// return event's bookkeeping do, on a pending frame or a written one; returns the pc to
    /// continue at, `None` when the general path must run (nothing changed).
    #[inline(always)]
    pub(crate) fn pop_call_fast(&mut self, r: &mut [u64; 16]) -> Option<usize> {
        // A pending frame implies the conditions: it was pushed under them, and nothing that
        // could change them (the slow path) ran since, as that writes pending frames out.
        let (mask, saved, region, return_pc) = if let Some(p) = self.pending.pop() {
            let region = 1 + (self.frames.len() + self.pending.len) as u32;
            (p.saved_mask, p.saved, region, p.call_site + 1)
        } else {
            if self.kernel.events.len() < self.config.max_call_events {
                return None;
            }
            let n = self.frames.len();
            if n < 2 || self.frames[n - 1].kind != FrameKind::Call {
                return None;
            }
            let f = self.frames[n - 1];
            self.frames.truncate(n - 1);
            (f.saved_mask, f.saved, f.stack_region, f.return_pc)
        };
        for k in 0..4 {
            if mask & (1 << k) != 0 {
                r[6 + k] = saved[k];
            }
        }
        if let Some(stack) = self.mem.regions.get_mut(region as usize) {
            stack.live = false;
        }
        // The caller is one frame shallower: its stack is the region below.
        r[10] = addr(region - 1, STACK_SIZE);
        self.kernel.events_dropped = self.kernel.events_dropped.saturating_add(1);
        Some(return_pc)
    }

    /// Writes the execution loop's pending frames into `frames`.
    #[inline(always)]
    pub(crate) fn flush_pending(&mut self) {
        if self.pending.len != 0 {
            self.pending.flush(&mut self.frames);
        }
    }

    pub(crate) fn set_frame(&mut self, index: usize, frame: Frame) {
        self.frames[index] = frame;
    }

    /// Whether a `call`/`return` event is kept (else it is counted as dropped).
    pub(crate) fn call_event_room(&mut self) -> bool {
        let room = self.kernel.events.len() < self.config.max_call_events;
        if !room {
            self.kernel.events_dropped = self.kernel.events_dropped.saturating_add(1);
        }
        room
    }

    pub(crate) fn event(&mut self, pc: usize, kind: EventKind) {
        // Exit and fault happen once and leaks are bounded by the resource table: always kept.
        if !matches!(
            kind,
            EventKind::Exit { .. } | EventKind::Leak { .. } | EventKind::Fault { .. }
        ) && self.kernel.events.len() >= self.config.max_events
        {
            self.kernel.events_dropped = self.kernel.events_dropped.saturating_add(1);
            return;
        }
        let step = self.insns;
        self.kernel.events.push(Event { pc, step, kind });
    }

    /// Stops the run with a fault at `pc`.
    pub(crate) fn fault(&mut self, pc: usize, kind: FaultKind) {
        let fault = Fault::new(pc, self.line(pc), kind);
        self.pc = pc;
        self.event(
            pc,
            EventKind::Fault {
                message: fault.message.clone(),
            },
        );
        self.status = Status::Faulted { fault };
    }

    /// Ends the run normally: the exit event, then a leak event for everything still held.
    pub(crate) fn finish(&mut self, pc: usize, return_value: u64) {
        self.pc = pc;
        self.regs[0] = return_value;
        self.event(pc, EventKind::Exit { return_value });
        let leaks: Vec<_> = self
            .kernel
            .resources
            .iter()
            .map(|r| self.resource_ref(r))
            .collect();
        for resource in leaks {
            self.event(pc, EventKind::Leak { resource });
        }
        self.status = Status::Exited { return_value };
    }

    /// A resource as events name it, with the count of the world object behind it now.
    pub(crate) fn resource_ref(&self, r: &Resource) -> ResourceRef {
        ResourceRef {
            refcount: self.refcount(r.region),
            ..r.as_ref()
        }
    }

    /// The reference count of the world object behind `region` (the world's references plus
    /// the program's), or `None` when the region is not a world object.
    pub fn refcount(&self, region: u32) -> Option<u32> {
        if region == 0 || !self.kernel.objects.iter().any(|&(_, r)| r == region) {
            return None;
        }
        let held = self
            .kernel
            .resources
            .iter()
            .filter(|r| r.region == region)
            .count() as u32;
        Some(KernelObject::WORLD_REFS + held)
    }

    /// Whether `n` more bytes of regions fit in [`MAX_RUN_MEMORY`].
    pub(crate) fn can_allocate(&self, n: usize) -> bool {
        self.mem.bytes + n as u64 <= MAX_RUN_MEMORY
    }

    /// Adds a region.
    pub(crate) fn add_region(&mut self, region: Region) -> u32 {
        self.mem.add(region)
    }

    pub(crate) fn set_live(&mut self, region: u32, live: bool) {
        self.mem.regions[region as usize].live = live;
    }

    /// Writes bytes.
    #[inline(always)]
    pub(crate) fn write_bytes(&mut self, a: u64, bytes: &[u8]) -> Result<(), FaultKind> {
        if region_of(a) == self.ctx_region {
            self.check_ctx_write(a, bytes.len() as u32)?;
        }
        self.mem.write(a, bytes)
    }

    /// Loads `size` bytes, giving packet pointers for the ctx's pointer fields as the kernel's
    /// ctx rewriting does.
    #[inline(always)]
    pub(crate) fn load(&self, a: u64, size: u32) -> Result<u64, FaultKind> {
        let v = self.mem.read(a, size)?;
        if region_of(a) == self.ctx_region && self.ctx_layout.is_some() {
            return self.ctx_load(a, size, v);
        }
        Ok(v)
    }

    #[cold]
    fn ctx_load(&self, a: u64, size: u32, v: u64) -> Result<u64, FaultKind> {
        let Some(layout) = self.ctx_layout else {
            return Ok(v);
        };
        let off = crate::memory::offset_of(a) as u32;
        let Some(field) = layout.field_at(off) else {
            return Ok(v);
        };
        if field.kind == FieldKind::Scalar {
            return Ok(v);
        }
        if off != field.offset || size != field.size {
            return Err(FaultKind::CtxAccess {
                offset: off,
                size,
                reason: format!("{} must be read whole ({} bytes)", field.name, field.size),
            });
        }
        let pkt_len = self
            .mem
            .region(self.packet_region)
            .map_or(0, |r| r.data.len() as u32);
        Ok(match field.kind {
            FieldKind::PacketData | FieldKind::PacketMeta if self.packet_region != 0 => {
                addr(self.packet_region, 0)
            }
            FieldKind::PacketEnd if self.packet_region != 0 => addr(self.packet_region, pkt_len),
            FieldKind::Pointer if field.name == "sk" && self.sk_region != 0 => {
                addr(self.sk_region, 0)
            }
            _ => 0,
        })
    }

    fn check_ctx_write(&self, a: u64, size: u32) -> Result<(), FaultKind> {
        let Some(layout) = self.ctx_layout else {
            return Ok(());
        };
        let off = crate::memory::offset_of(a);
        if off < 0 {
            return Ok(()); // the bounds check reports it
        }
        let off = off as u32;
        for f in layout.fields {
            let overlaps = off < f.end() && f.offset < off + size;
            if overlaps && f.kind != FieldKind::Scalar {
                return Err(FaultKind::CtxAccess {
                    offset: off,
                    size,
                    reason: format!("{} is read-only", f.name),
                });
            }
        }
        Ok(())
    }

    /// The function a frame runs.
    pub fn frame_function(&self, frame: &Frame) -> &str {
        &self.prep.funcs[frame.function].name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unnecessary_literal_unwrap)] // `expect`'s message is what is compared
    fn frame_must_fit_panics_as_expect_would() {
        let fault = || FaultKind::CallDepth { depth: 8, max: 8 };
        let expected = std::panic::catch_unwind(|| {
            Err::<(), _>(fault()).expect("no frame is left");
        })
        .unwrap_err();
        let ours =
            std::panic::catch_unwind(|| frame_must_fit("no frame is left", fault())).unwrap_err();
        assert_eq!(
            ours.downcast_ref::<String>(),
            expected.downcast_ref::<String>()
        );
        assert!(ours.downcast_ref::<String>().is_some());
    }
}
