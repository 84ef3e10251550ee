//! The table of live resources: every reference, lock and RCU section a program holds, with
//! who acquired it where. The catalogue's [`ResourceKind`]s are releasable references; spin
//! locks and RCU read sections are held states that no unwinder may release (SPEC §3).

use serde::Serialize;
use unwind_kernel::ResourceKind;

/// What is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", untagged)]
pub enum Held {
    Resource(ResourceKind),
    Lock(LockKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockKind {
    SpinLock,
    RcuReadLock,
    /// `bpf_preempt_disable` (one per call; they nest).
    PreemptDisabled,
    /// `bpf_local_irq_save`, keyed by the address of its flags slot.
    IrqSaved,
}

impl Held {
    pub fn name(self) -> &'static str {
        match self {
            Held::Resource(k) => k.name(),
            Held::Lock(LockKind::SpinLock) => "spin_lock",
            Held::Lock(LockKind::RcuReadLock) => "rcu_read_lock",
            Held::Lock(LockKind::PreemptDisabled) => "preempt_disabled",
            Held::Lock(LockKind::IrqSaved) => "irq_saved",
        }
    }
}

/// A live resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// Unique within a run, from 1.
    pub id: u32,
    #[serde(rename = "type")]
    pub held: Held,
    /// The pointer the program got (for a lock: the lock's address; for RCU: 0).
    #[serde(serialize_with = "crate::events::u64_str")]
    pub addr: u64,
    /// The pc of the acquiring call, and the depth of the frame that made it.
    pub acquired_pc: usize,
    pub frame: usize,
    /// The acquiring function.
    pub function: &'static str,
    /// The memory region behind the pointer (0 for none).
    #[serde(skip)]
    pub region: u32,
}

/// A resource as events name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    pub id: u32,
    #[serde(rename = "type")]
    pub held: Held,
    /// The pointer the program got (as [`Resource::addr`]; a decimal string in JSON).
    #[serde(serialize_with = "crate::events::u64_str")]
    pub addr: u64,
    pub acquired_pc: usize,
    pub frame: usize,
    /// For an object of the world (a task, cgroup or socket, which the kernel refcounts): its
    /// reference count just after the event, the world's own reference included (so 1 when
    /// the program holds none, 3 after two acquisitions of it). `None` for allocations
    /// (objects, ringbuf records, cpumasks) and held states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refcount: Option<u32>,
}

impl ResourceRef {
    /// `object#2`.
    pub fn label(&self) -> String {
        format!("{}#{}", self.held.name(), self.id)
    }
}

impl Resource {
    pub fn as_ref(&self) -> ResourceRef {
        ResourceRef {
            id: self.id,
            held: self.held,
            addr: self.addr,
            acquired_pc: self.acquired_pc,
            frame: self.frame,
            refcount: None,
        }
    }
}

/// A refcounted object of the world that acquisitions alias: acquiring it again gives the same
/// pointer (the same region) with its count raised, as the kernel's `bpf_task_from_pid`,
/// `bpf_cgroup_from_id` and socket lookups do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelObject {
    /// A task, by pid.
    Task(u32),
    /// A cgroup, by id.
    Cgroup(u64),
    /// A socket, by its index in the world's socket table.
    Socket(usize),
}

impl KernelObject {
    /// The references the world holds on each of its objects before a run (the kernel's own:
    /// a task is referenced by its pid, a cgroup by its hierarchy, a socket by its table). A
    /// count above it at the end is the program's leak; a release below it is a fault.
    pub const WORLD_REFS: u32 = 1;
}
