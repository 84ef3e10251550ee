//! The functions the simulated kernel models: SPEC §3, with kernel names, ids and argument order.
//! Both the verifier and the interpreter read this table; nothing else defines a function.

use serde::Serialize;

use crate::ProgType;

/// A kind of resource a program can hold: a referenced pointer that must be released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Socket,
    Object,
    RingbufRecord,
    Task,
    Cgroup,
    Cpumask,
    /// A per-CPU object (`bpf_percpu_obj_new`): reachable only through `bpf_this_cpu_ptr` /
    /// `bpf_per_cpu_ptr`, never dereferenced directly.
    PercpuObject,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::Socket,
        ResourceKind::Object,
        ResourceKind::RingbufRecord,
        ResourceKind::Task,
        ResourceKind::Cgroup,
        ResourceKind::Cpumask,
        ResourceKind::PercpuObject,
    ];

    /// The name used in logs, JSON and the page.
    pub const fn name(self) -> &'static str {
        match self {
            ResourceKind::Socket => "socket",
            ResourceKind::Object => "object",
            ResourceKind::RingbufRecord => "ringbuf_record",
            ResourceKind::Task => "task",
            ResourceKind::Cgroup => "cgroup",
            ResourceKind::Cpumask => "cpumask",
            ResourceKind::PercpuObject => "percpu_object",
        }
    }

    /// Whether every acquisition of this kind makes a new object, so that two live references
    /// of it are never the same object. Lookups (a socket, a task by pid, a cgroup by id) are
    /// not: the kernel hands out the same object twice, with its count raised.
    pub const fn distinct_by_construction(self) -> bool {
        match self {
            ResourceKind::Object
            | ResourceKind::RingbufRecord
            | ResourceKind::Cpumask
            | ResourceKind::PercpuObject => true,
            ResourceKind::Socket | ResourceKind::Task | ResourceKind::Cgroup => false,
        }
    }

    /// The function the unwinder calls to release a resource of this kind.
    pub const fn release_function(self) -> &'static str {
        match self {
            ResourceKind::Socket => "bpf_sk_release",
            ResourceKind::Object => "bpf_obj_drop",
            // A record abandoned by an exception is discarded, not submitted.
            ResourceKind::RingbufRecord => "bpf_ringbuf_discard",
            ResourceKind::Task => "bpf_task_release",
            ResourceKind::Cgroup => "bpf_cgroup_release",
            ResourceKind::Cpumask => "bpf_cpumask_release",
            ResourceKind::PercpuObject => "bpf_percpu_obj_drop",
        }
    }
}

/// How a function is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum FuncKind {
    /// `call N` with src 0.
    Helper(i32),
    /// `call` with src 2 and this BTF id (ours: the simulated kernel's BTF).
    Kfunc(i32),
}

/// What an argument register must hold (a simplification of the kernel's `bpf_arg_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgKind {
    /// `ARG_ANYTHING`: any initialised value.
    Anything,
    /// A scalar.
    Scalar,
    /// `ARG_CONST_SIZE`: a known constant greater than zero, the size of the previous memory argument.
    ConstSize,
    /// `ARG_CONST_SIZE_OR_ZERO`.
    ConstSizeOrZero,
    /// A known constant, the allocation size (`bpf_obj_new`, `bpf_ringbuf_reserve`).
    ConstAllocSize,
    /// Must be the constant 0 (reserved flags).
    ConstZero,
    /// `ARG_CONST_MAP_PTR`.
    MapPtr,
    /// `ARG_PTR_TO_MAP_KEY`: readable memory of the map's key size.
    MapKey,
    /// `ARG_PTR_TO_MAP_VALUE`: readable memory of the map's value size.
    MapValue,
    /// `ARG_PTR_TO_CTX`.
    Ctx,
    /// `ARG_PTR_TO_MEM | MEM_RDONLY`: readable memory whose size is the next argument.
    ReadableMem,
    /// `ARG_PTR_TO_MEM`: writable memory whose size is the next argument.
    WritableMem,
    /// `ARG_PTR_TO_SPIN_LOCK`: a `struct bpf_spin_lock` inside a map value.
    SpinLock,
    /// `ARG_PTR_TO_FUNC`: a callback loaded with `rN = my_cb`.
    Callback,
    /// `ARG_PTR_TO_STACK_OR_NULL`: the callback's context.
    StackOrNull,
    /// `OBJ_RELEASE`: a referenced pointer of this kind, which the call releases.
    Release(ResourceKind),
    /// `__irq_flag`: a pointer to an 8-byte stack slot that holds the saved IRQ flags.
    IrqFlag,
    /// `ARG_PTR_TO_TIMER`: a `struct bpf_timer` (16 bytes) inside a map value.
    Timer,
}

/// What a function leaves in R0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetKind {
    Void,
    Scalar,
    /// `RET_PTR_TO_MAP_VALUE_OR_NULL`.
    MapValueOrNull,
    /// A new reference of this kind, or NULL (`KF_ACQUIRE | KF_RET_NULL`, `RET_PTR_TO_*_OR_NULL`).
    AcquiredOrNull(ResourceKind),
    /// Never returns (`bpf_throw`).
    Never,
}

/// The state change a call makes besides its return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    None,
    /// Acquires a reference (the return value).
    Acquire(ResourceKind),
    /// Releases the reference passed in the `Release` argument.
    Release(ResourceKind),
    SpinLock,
    SpinUnlock,
    RcuReadLock,
    RcuReadUnlock,
    /// `bpf_preempt_disable` / `bpf_preempt_enable` (nest; counted).
    PreemptDisable,
    PreemptEnable,
    /// `bpf_local_irq_save(&flags)` / `bpf_local_irq_restore(&flags)`: the flags live in a
    /// stack slot; restores go in the reverse order of saves.
    IrqSave,
    IrqRestore,
    /// Calls the callback argument repeatedly.
    Loop,
    /// Sets the callback a timer calls later, in its own context (an async callback).
    TimerCallback,
    /// Throws an exception with R1 as the cookie.
    Throw,
    /// `bpf_tail_call(ctx, prog_array, index)`: jumps to the program in the slot, which
    /// returns in the caller's place; an empty slot falls through.
    TailCall,
}

/// One modelled kernel function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Func {
    pub name: &'static str,
    pub kind: FuncKind,
    pub args: &'static [ArgKind],
    pub ret: RetKind,
    pub effect: Effect,
    /// Program types that may call it; `None` means every type.
    #[serde(skip)]
    pub prog_types: Option<&'static [ProgType]>,
}

impl Func {
    pub const fn is_kfunc(&self) -> bool {
        matches!(self.kind, FuncKind::Kfunc(_))
    }

    pub fn allowed_in(&self, prog: ProgType) -> bool {
        self.prog_types.is_none_or(|types| types.contains(&prog))
    }
}

/// BTF ids of our simulated kernel start here (real ids depend on the kernel build).
pub const KFUNC_BTF_ID_BASE: i32 = 70000;

const CPUMASK_PROG_TYPES: &[ProgType] =
    &[ProgType::Tracing, ProgType::StructOps, ProgType::Syscall];

use ArgKind as A;
use ResourceKind as R;

const fn helper(
    name: &'static str,
    id: i32,
    args: &'static [ArgKind],
    ret: RetKind,
    effect: Effect,
) -> Func {
    Func {
        name,
        kind: FuncKind::Helper(id),
        args,
        ret,
        effect,
        prog_types: None,
    }
}

const fn kfunc(
    name: &'static str,
    index: i32,
    args: &'static [ArgKind],
    ret: RetKind,
    effect: Effect,
) -> Func {
    Func {
        name,
        kind: FuncKind::Kfunc(KFUNC_BTF_ID_BASE + index),
        args,
        ret,
        effect,
        prog_types: None,
    }
}

/// The catalogue. Order is irrelevant; names and ids are unique (checked by a test). A
/// `static`: as a `const`, parts of it were copied into every crate that reads it.
pub static FUNCS: &[Func] = &[
    helper(
        "bpf_map_lookup_elem",
        1,
        &[A::MapPtr, A::MapKey],
        RetKind::MapValueOrNull,
        Effect::None,
    ),
    helper(
        "bpf_map_update_elem",
        2,
        &[A::MapPtr, A::MapKey, A::MapValue, A::Anything],
        RetKind::Scalar,
        Effect::None,
    ),
    helper(
        "bpf_map_delete_elem",
        3,
        &[A::MapPtr, A::MapKey],
        RetKind::Scalar,
        Effect::None,
    ),
    helper("bpf_ktime_get_ns", 5, &[], RetKind::Scalar, Effect::None),
    helper(
        "bpf_trace_printk",
        6,
        &[
            A::ReadableMem,
            A::ConstSize,
            A::Anything,
            A::Anything,
            A::Anything,
        ],
        RetKind::Scalar,
        Effect::None,
    ),
    helper("bpf_get_prandom_u32", 7, &[], RetKind::Scalar, Effect::None),
    helper(
        "bpf_get_smp_processor_id",
        8,
        &[],
        RetKind::Scalar,
        Effect::None,
    ),
    helper(
        "bpf_get_current_pid_tgid",
        14,
        &[],
        RetKind::Scalar,
        Effect::None,
    ),
    helper(
        "bpf_sk_lookup_tcp",
        84,
        &[
            A::Ctx,
            A::ReadableMem,
            A::ConstSize,
            A::Anything,
            A::Anything,
        ],
        RetKind::AcquiredOrNull(R::Socket),
        Effect::Acquire(R::Socket),
    ),
    helper(
        "bpf_sk_lookup_udp",
        85,
        &[
            A::Ctx,
            A::ReadableMem,
            A::ConstSize,
            A::Anything,
            A::Anything,
        ],
        RetKind::AcquiredOrNull(R::Socket),
        Effect::Acquire(R::Socket),
    ),
    helper(
        "bpf_sk_release",
        86,
        &[A::Release(R::Socket)],
        RetKind::Scalar,
        Effect::Release(R::Socket),
    ),
    helper(
        "bpf_spin_lock",
        93,
        &[A::SpinLock],
        RetKind::Void,
        Effect::SpinLock,
    ),
    helper(
        "bpf_spin_unlock",
        94,
        &[A::SpinLock],
        RetKind::Void,
        Effect::SpinUnlock,
    ),
    helper(
        "bpf_ringbuf_reserve",
        131,
        &[A::MapPtr, A::ConstAllocSize, A::ConstZero],
        RetKind::AcquiredOrNull(R::RingbufRecord),
        Effect::Acquire(R::RingbufRecord),
    ),
    helper(
        "bpf_ringbuf_submit",
        132,
        &[A::Release(R::RingbufRecord), A::Anything],
        RetKind::Void,
        Effect::Release(R::RingbufRecord),
    ),
    helper(
        "bpf_ringbuf_discard",
        133,
        &[A::Release(R::RingbufRecord), A::Anything],
        RetKind::Void,
        Effect::Release(R::RingbufRecord),
    ),
    helper(
        "bpf_timer_init",
        169,
        &[A::Timer, A::MapPtr, A::Scalar],
        RetKind::Scalar,
        Effect::None,
    ),
    helper(
        "bpf_timer_set_callback",
        170,
        &[A::Timer, A::Callback],
        RetKind::Scalar,
        Effect::TimerCallback,
    ),
    helper(
        "bpf_timer_start",
        171,
        &[A::Timer, A::Scalar, A::Scalar],
        RetKind::Scalar,
        Effect::None,
    ),
    helper(
        "bpf_timer_cancel",
        172,
        &[A::Timer],
        RetKind::Scalar,
        Effect::None,
    ),
    helper(
        "bpf_tail_call",
        12,
        &[A::Ctx, A::MapPtr, A::Anything],
        RetKind::Void,
        Effect::TailCall,
    ),
    helper(
        "bpf_loop",
        181,
        &[A::Scalar, A::Callback, A::StackOrNull, A::ConstZero],
        RetKind::Scalar,
        Effect::Loop,
    ),
    kfunc(
        "bpf_obj_new",
        1,
        &[A::ConstAllocSize],
        RetKind::AcquiredOrNull(R::Object),
        Effect::Acquire(R::Object),
    ),
    kfunc(
        "bpf_obj_drop",
        2,
        &[A::Release(R::Object)],
        RetKind::Void,
        Effect::Release(R::Object),
    ),
    kfunc(
        "bpf_percpu_obj_new",
        16,
        &[A::ConstAllocSize],
        RetKind::AcquiredOrNull(R::PercpuObject),
        Effect::Acquire(R::PercpuObject),
    ),
    kfunc(
        "bpf_percpu_obj_drop",
        17,
        &[A::Release(R::PercpuObject)],
        RetKind::Void,
        Effect::Release(R::PercpuObject),
    ),
    kfunc(
        "bpf_task_from_pid",
        3,
        &[A::Scalar],
        RetKind::AcquiredOrNull(R::Task),
        Effect::Acquire(R::Task),
    ),
    kfunc(
        "bpf_task_release",
        4,
        &[A::Release(R::Task)],
        RetKind::Void,
        Effect::Release(R::Task),
    ),
    kfunc(
        "bpf_cgroup_from_id",
        5,
        &[A::Scalar],
        RetKind::AcquiredOrNull(R::Cgroup),
        Effect::Acquire(R::Cgroup),
    ),
    kfunc(
        "bpf_cgroup_release",
        6,
        &[A::Release(R::Cgroup)],
        RetKind::Void,
        Effect::Release(R::Cgroup),
    ),
    Func {
        prog_types: Some(CPUMASK_PROG_TYPES),
        ..kfunc(
            "bpf_cpumask_create",
            7,
            &[],
            RetKind::AcquiredOrNull(R::Cpumask),
            Effect::Acquire(R::Cpumask),
        )
    },
    Func {
        prog_types: Some(CPUMASK_PROG_TYPES),
        ..kfunc(
            "bpf_cpumask_release",
            8,
            &[A::Release(R::Cpumask)],
            RetKind::Void,
            Effect::Release(R::Cpumask),
        )
    },
    kfunc(
        "bpf_rcu_read_lock",
        9,
        &[],
        RetKind::Void,
        Effect::RcuReadLock,
    ),
    kfunc(
        "bpf_rcu_read_unlock",
        10,
        &[],
        RetKind::Void,
        Effect::RcuReadUnlock,
    ),
    kfunc(
        "bpf_preempt_disable",
        12,
        &[],
        RetKind::Void,
        Effect::PreemptDisable,
    ),
    kfunc(
        "bpf_preempt_enable",
        13,
        &[],
        RetKind::Void,
        Effect::PreemptEnable,
    ),
    kfunc(
        "bpf_local_irq_save",
        14,
        &[A::IrqFlag],
        RetKind::Void,
        Effect::IrqSave,
    ),
    kfunc(
        "bpf_local_irq_restore",
        15,
        &[A::IrqFlag],
        RetKind::Void,
        Effect::IrqRestore,
    ),
    kfunc("bpf_throw", 11, &[A::Scalar], RetKind::Never, Effect::Throw),
];

/// A function name resolved for a `call` instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CallRef {
    /// A helper: modelled (in [`FUNCS`]) or only known by its UAPI id.
    Helper {
        id: i32,
    },
    Kfunc {
        btf_id: i32,
    },
}

/// Looks a modelled function up by name.
pub fn func_by_name(name: &str) -> Option<&'static Func> {
    FUNCS.iter().find(|f| f.name == name)
}

/// Looks a modelled helper up by id.
pub fn helper_by_id(id: i32) -> Option<&'static Func> {
    FUNCS.iter().find(|f| f.kind == FuncKind::Helper(id))
}

/// Looks a modelled kfunc up by BTF id.
pub fn kfunc_by_btf_id(btf_id: i32) -> Option<&'static Func> {
    FUNCS.iter().find(|f| f.kind == FuncKind::Kfunc(btf_id))
}

/// The UAPI name of any helper id (`bpf_map_lookup_elem` for 1), modelled or not.
pub fn helper_name(id: i32) -> Option<&'static str> {
    usize::try_from(id)
        .ok()
        .filter(|&i| i > 0)
        .and_then(|i| crate::helper_ids::HELPER_NAMES.get(i))
        .copied()
}

/// Resolves a name written after `call`: any UAPI helper name, or a catalogue kfunc.
pub fn resolve_call_name(name: &str) -> Option<CallRef> {
    if let Some(f) = func_by_name(name) {
        return Some(match f.kind {
            FuncKind::Helper(id) => CallRef::Helper { id },
            FuncKind::Kfunc(btf_id) => CallRef::Kfunc { btf_id },
        });
    }
    crate::helper_ids::HELPER_NAMES
        .iter()
        .position(|&n| n == name)
        .filter(|&i| i > 0)
        .map(|i| CallRef::Helper { id: i as i32 })
}

/// The kfuncs the catalogue models under bpf_experimental.h's macro names
/// (`bpf_obj_new(size)`), with the kernel's `_impl` functions the macros call with a BTF type
/// id and a NULL `meta`.
const KFUNC_IMPLS: [(&str, &str); 4] = [
    ("bpf_obj_new", "bpf_obj_new_impl"),
    ("bpf_obj_drop", "bpf_obj_drop_impl"),
    ("bpf_percpu_obj_new", "bpf_percpu_obj_new_impl"),
    ("bpf_percpu_obj_drop", "bpf_percpu_obj_drop_impl"),
];

/// The kernel's name of the catalogue's kfunc `name` (the `_impl` function behind a macro).
pub fn kfunc_kernel_name(name: &'static str) -> &'static str {
    KFUNC_IMPLS
        .iter()
        .find(|(model, _)| *model == name)
        .map_or(name, |(_, kernel)| kernel)
}

/// The catalogue's name of the kernel's kfunc `name` (the macro's, for an `_impl` function).
pub fn kfunc_model_name(name: &str) -> &str {
    KFUNC_IMPLS
        .iter()
        .find(|(_, kernel)| *kernel == name)
        .map_or(name, |(model, _)| model)
}

/// The name printed for a kfunc call, as the kernel log does (`kernel-function` when unknown).
pub fn kfunc_name(btf_id: i32) -> Option<&'static str> {
    kfunc_by_btf_id(btf_id).map(|f| f.name)
}

/// Every name a `call` can be written with, for editors' completion.
pub fn call_names() -> impl Iterator<Item = &'static str> {
    crate::helper_ids::HELPER_NAMES
        .iter()
        .skip(1)
        .copied()
        .chain(FUNCS.iter().filter(|f| f.is_kfunc()).map(|f| f.name))
}
