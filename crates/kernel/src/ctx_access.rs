//! Which ctx accesses each program type allows, and what a load gives: the kernel's
//! `*_is_valid_access` callbacks (net/core/filter.c, net/netfilter/nf_bpf_link.c), which
//! `check_ctx_access` asks for every load, store (`BPF_STX` and, since Linux 6.3, `BPF_ST`)
//! into ctx. One table per program type over the shared `__sk_buff` rule
//! (`bpf_skb_is_valid_access`), and the `xdp_md`, `bpf_sock`, flow dissector and netfilter
//! rules; `bpf_sock`'s is also what a socket pointer's loads are checked with.

use crate::ctx::{
    CtxLayout, FieldKind, BPF_NF_CTX, BPF_SOCK, BPF_SOCK_OPS, BPF_SYSCTL, SK_BUFF, XDP_MD,
};
use crate::ProgType;

/// The kind of access, as the kernel's `bpf_access_type` and `bpf_insn_access_aux.is_ldsx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxOp {
    /// A load; `sign_extend` for `BPF_MEMSX` (refused on the packet pointer fields).
    Read { sign_extend: bool },
    /// A store of a register or an immediate: the kernel checks both alike.
    Write,
}

impl CtxOp {
    pub const READ: CtxOp = CtxOp::Read { sign_extend: false };

    fn write(self) -> bool {
        self == CtxOp::Write
    }

    fn ldsx(self) -> bool {
        self == CtxOp::Read { sign_extend: true }
    }
}

/// An allowed context access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxAccess {
    /// A number (or, for a store, any value the field may hold).
    Scalar,
    /// A pointer of this kind (packet data, end or metadata).
    Packet(FieldKind),
    /// `__sk_buff->sk`: the kernel's `PTR_TO_SOCK_COMMON_OR_NULL`.
    SockCommonOrNull,
    /// A kernel pointer the kernel gives out here and the model does not (`flow_keys`, the
    /// netfilter ctx's `state` and `skb`): the field's name.
    Unmodelled(&'static str),
}

/// Whether an access of `size` bytes at `off` is allowed, and what a load gives.
/// `None` means the kernel's "invalid bpf_context access".
pub fn ctx_access(prog: ProgType, off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    if size == 0 {
        return None;
    }
    if let Some(rules) = skb_rules(prog) {
        return skb_access(rules, off, size, op);
    }
    match prog {
        ProgType::Xdp => xdp_access(off, size, op),
        ProgType::FlowDissector => flow_dissector_access(off, size, op),
        ProgType::Netfilter => netfilter_access(off, size, op),
        ProgType::CgroupSock => sock_filter_access(off, size, op),
        ProgType::CgroupSysctl => sysctl_access(off, size, op),
        ProgType::SockOps => sock_ops_access(off, size, op),
        ProgType::Tracepoint => tracepoint_access(off, size, op),
        ProgType::PerfEvent => perf_event_access(off, size, op),
        ProgType::RawTracepointWritable if off == 0 => (size == 8 && !op.write())
            .then_some(CtxAccess::Unmodelled("the tracepoint's writable buffer")),
        _ => buffer_access(prog, off, size, op),
    }
}

/// One program type's view of `__sk_buff`: what its own callback decides before it hands
/// the access to `bpf_skb_is_valid_access`.
struct SkbRules {
    /// Fields refused whatever the access (`return false` on the field's whole range).
    denied: &'static [&'static str],
    /// The only fields a store may touch.
    writable: &'static [&'static str],
    /// Whether `data`, `data_end` (and `data_meta`, where not denied) give packet pointers.
    packet: bool,
    /// tc's own rule for `tstamp_type`: a one-byte read (`bpf_skb_is_valid_access` refuses it).
    tstamp_type_byte: bool,
}

/// The fields from `family` to `local_port` (`bpf_ctx_range_till(family, local_port)`).
const SOCKET_FIELDS: [&str; 7] = [
    "family",
    "remote_ip4",
    "local_ip4",
    "remote_ip6",
    "local_ip6",
    "remote_port",
    "local_port",
];

/// `sk_filter_is_valid_access`.
static SOCKET_FILTER: SkbRules = SkbRules {
    denied: &[
        "tc_classid",
        "data",
        "data_meta",
        "data_end",
        "family",
        "remote_ip4",
        "local_ip4",
        "remote_ip6",
        "local_ip6",
        "remote_port",
        "local_port",
        "tstamp",
        "wire_len",
        "hwtstamp",
    ],
    writable: &["cb"],
    packet: false,
    tstamp_type_byte: false,
};

/// `tc_cls_act_is_valid_access` (sched_cls and sched_act).
static TC: SkbRules = SkbRules {
    denied: &SOCKET_FIELDS,
    writable: &[
        "mark",
        "tc_index",
        "priority",
        "tc_classid",
        "cb",
        "tstamp",
        "queue_mapping",
    ],
    packet: true,
    tstamp_type_byte: true,
};

/// `cg_skb_is_valid_access`, for a program loaded with `CAP_BPF` (`bpf_capable()`), as the
/// model is: `data`, `data_end` and writing `tstamp` need it.
static CGROUP_SKB: SkbRules = SkbRules {
    denied: &["tc_classid", "data_meta", "wire_len"],
    writable: &["mark", "priority", "cb", "tstamp"],
    packet: true,
    tstamp_type_byte: false,
};

/// `lwt_is_valid_access` (lwt_in, lwt_out, lwt_xmit, lwt_seg6local).
static LWT: SkbRules = SkbRules {
    denied: &[
        "tc_classid",
        "family",
        "remote_ip4",
        "local_ip4",
        "remote_ip6",
        "local_ip6",
        "remote_port",
        "local_port",
        "data_meta",
        "tstamp",
        "wire_len",
        "hwtstamp",
    ],
    writable: &["mark", "priority", "cb"],
    packet: true,
    tstamp_type_byte: false,
};

/// `sk_skb_is_valid_access`: `mark` is refused even to read.
static SK_SKB: SkbRules = SkbRules {
    denied: &[
        "tc_classid",
        "data_meta",
        "tstamp",
        "wire_len",
        "hwtstamp",
        "mark",
    ],
    writable: &["tc_index", "priority"],
    packet: true,
    tstamp_type_byte: false,
};

fn skb_rules(prog: ProgType) -> Option<&'static SkbRules> {
    Some(match prog {
        ProgType::SocketFilter => &SOCKET_FILTER,
        ProgType::SchedCls | ProgType::SchedAct => &TC,
        ProgType::CgroupSkb => &CGROUP_SKB,
        ProgType::LwtIn | ProgType::LwtOut | ProgType::LwtXmit | ProgType::LwtSeg6local => &LWT,
        ProgType::SkSkb => &SK_SKB,
        _ => return None,
    })
}

/// The field of `layout` whose bytes contain `off` (the kernel's `bpf_ctx_range`), if any.
fn field_name(layout: &CtxLayout, off: i64) -> Option<&'static str> {
    u32::try_from(off)
        .ok()
        .and_then(|o| layout.field_at(o))
        .map(|f| f.name)
}

fn skb_access(rules: &SkbRules, off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    let name = field_name(&SK_BUFF, off);
    if let Some(n) = name {
        if rules.denied.contains(&n) {
            return None;
        }
    }
    if op.write() && !name.is_some_and(|n| rules.writable.contains(&n)) {
        return None;
    }
    if name == Some("tstamp_type") && rules.tstamp_type_byte {
        return (size == 1).then_some(CtxAccess::Scalar);
    }
    let ok = bpf_skb_is_valid_access(off, size, op)?;
    Some(match (ok, rules.packet) {
        (CtxAccess::Packet(_), false) => CtxAccess::Scalar,
        (a, _) => a,
    })
}

/// `bpf_skb_is_valid_access`: the rule every `__sk_buff` program type ends with.
fn bpf_skb_is_valid_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    const SIZE_DEFAULT: u32 = 4;
    if off < 0 || off >= SK_BUFF.size as i64 || off % size as i64 != 0 {
        return None;
    }
    // Offsets in no field (the padding after `tstamp_type`) are refused explicitly.
    let field = SK_BUFF.field_at(off as u32)?;
    let exact = |want: u32| (size == want).then_some(CtxAccess::Scalar);
    match field.name {
        // any width, within cb[0..4]
        "cb" => (off as u32 + size <= field.end()).then_some(CtxAccess::Scalar),
        "data" | "data_meta" | "data_end" => {
            (!op.ldsx() && size == SIZE_DEFAULT).then_some(CtxAccess::Packet(field.kind))
        }
        // no narrow loads of the addresses
        "remote_ip4" | "local_ip4" | "remote_ip6" | "local_ip6" => exact(SIZE_DEFAULT),
        "flow_keys" | "tstamp_type" => None,
        "hwtstamp" if op.write() => None,
        "hwtstamp" | "tstamp" => exact(8),
        "sk" => (!op.write() && size == 8).then_some(CtxAccess::SockCommonOrNull),
        // the default: whole 4-byte stores, loads of 1, 2 or 4 bytes
        _ if op.write() => exact(SIZE_DEFAULT),
        _ => narrow_ok(size, SIZE_DEFAULT).then_some(CtxAccess::Scalar),
    }
}

/// `bpf_ctx_narrow_access_ok`: a power of two no wider than the field (the offset's
/// alignment is checked before).
fn narrow_ok(size: u32, size_default: u32) -> bool {
    size <= size_default && size.is_power_of_two()
}

/// `xdp_is_valid_access` for a program that is neither offloaded (`bpf_prog_is_dev_bound`:
/// only those may write `rx_queue_index`) nor attached to a devmap (`BPF_XDP_DEVMAP`: only
/// those may read `egress_ifindex`); Unwind's programs have no attach type.
fn xdp_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    let name = field_name(&XDP_MD, off);
    if off == 20 || op.write() {
        return None;
    }
    let kind = XDP_MD.field_at(off as u32).map(|f| f.kind);
    let pointer = matches!(
        kind,
        Some(FieldKind::PacketData | FieldKind::PacketEnd | FieldKind::PacketMeta)
    );
    if pointer && op.ldsx() {
        return None;
    }
    // `__is_valid_xdp_access`: whole 4-byte loads only
    if off < 0 || off >= XDP_MD.size as i64 || off % size as i64 != 0 || size != 4 {
        return None;
    }
    name?;
    Some(match kind {
        Some(k) if pointer => CtxAccess::Packet(k),
        _ => CtxAccess::Scalar,
    })
}

/// `flow_dissector_is_valid_access`: `data`, `data_end` and `flow_keys`, read whole.
fn flow_dissector_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    if off < 0 || off >= SK_BUFF.size as i64 || op.write() {
        return None;
    }
    let field = SK_BUFF.field_at(off as u32)?;
    match field.name {
        "data" | "data_end" => (!op.ldsx() && size == 4).then_some(CtxAccess::Packet(field.kind)),
        "flow_keys" => (size == 8).then_some(CtxAccess::Unmodelled("flow_keys")),
        _ => None,
    }
}

/// `bpf_sock_is_valid_access`: whether a load of `size` bytes at `off` of a `struct bpf_sock`
/// is allowed (the kernel's `check_sock_access` for a socket pointer; writes are refused
/// before, "cannot write into sock"). With `common`, `bpf_sock_common_is_valid_access`:
/// a `sock_common` has no `type` to `priority`.
pub fn sock_access(off: i64, size: u32, common: bool) -> bool {
    const SIZE_DEFAULT: u32 = 4;
    if size == 0 || off < 0 || off >= BPF_SOCK.size as i64 || off % size as i64 != 0 {
        return false;
    }
    let Some(field) = BPF_SOCK.field_at(off as u32) else {
        return false; // the padding after dst_port
    };
    if common && matches!(field.name, "type" | "protocol" | "mark" | "priority") {
        return false;
    }
    match field.name {
        // narrow loads at the field's start (`case offsetof(...)`), or anywhere in the
        // address arrays (`bpf_ctx_range`)
        "state" | "family" | "type" | "protocol" | "src_port" | "rx_queue_mapping"
            if off as u32 == field.offset =>
        {
            narrow_ok(size, SIZE_DEFAULT)
        }
        "src_ip4" | "src_ip6" | "dst_ip4" | "dst_ip6" => narrow_ok(size, SIZE_DEFAULT),
        // a __be16 read as such, or as the 4-byte word it starts
        "dst_port" => narrow_ok(size, if size == SIZE_DEFAULT { 4 } else { 2 }),
        _ => size == SIZE_DEFAULT,
    }
}

/// `sock_filter_is_valid_access` for a `cgroup_sock` program loaded without an expected
/// attach type, which the kernel makes `BPF_CGROUP_INET_SOCK_CREATE`
/// (`bpf_prog_load_fixup_attach_type`): `bound_dev_if`, `mark` and `priority` may be
/// written, the source address and port (`*_POST_BIND` only) not even read, the rest read.
fn sock_filter_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    if !sock_access(off, size, false) {
        return None;
    }
    let name = field_name(&BPF_SOCK, off)?;
    match name {
        "bound_dev_if" | "mark" | "priority" => Some(CtxAccess::Scalar),
        "src_ip4" | "src_ip6" | "src_port" => None,
        _ => (!op.write()).then_some(CtxAccess::Scalar),
    }
}

/// `nf_is_valid_access`: `state` and `skb`, read whole (BTF pointers).
fn netfilter_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    if off < 0 || off >= BPF_NF_CTX.size as i64 || op.write() {
        return None;
    }
    let field = BPF_NF_CTX.field_at(off as u32)?;
    (size == field.size).then_some(CtxAccess::Unmodelled(field.name))
}

/// `sock_ops_is_valid_access`: whole 4-byte loads, 8-byte ones of the byte counters and
/// `skb_hwtstamp`, narrow ones at `skb_tcp_flags`' start; stores only to `reply` (`args[0]`) and
/// `sk_txhash`. `sk`, `skb_data` and `skb_data_end` are pointers the model does not give.
fn sock_ops_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    if off < 0 || off >= BPF_SOCK_OPS.size as i64 || off % size as i64 != 0 {
        return None;
    }
    let field = BPF_SOCK_OPS.field_at(off as u32)?;
    if op.write() {
        let ok = matches!(off, 4 | 164) && size == 4;
        return ok.then_some(CtxAccess::Scalar);
    }
    let exact = |want: u32| (size == want).then_some(CtxAccess::Scalar);
    match field.name {
        "bytes_received" | "bytes_acked" | "skb_hwtstamp" => exact(8),
        "sk" | "skb_data" | "skb_data_end" => {
            (size == 8).then_some(CtxAccess::Unmodelled(field.name))
        }
        // `case offsetof(...)`: narrow at the field's start only
        "skb_tcp_flags" if off as u32 == field.offset => {
            narrow_ok(size, 4).then_some(CtxAccess::Scalar)
        }
        _ => exact(4),
    }
}

/// `sysctl_is_valid_access` (kernel/bpf/cgroup.c): `write` read-only, `file_pos` written
/// whole; loads of either narrow.
fn sysctl_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    if off < 0 || off + size as i64 > BPF_SYSCTL.size as i64 || off % size as i64 != 0 {
        return None;
    }
    let ok = match (field_name(&BPF_SYSCTL, off)?, op) {
        ("write", CtxOp::Write) => false,
        ("file_pos", CtxOp::Write) => size == 4,
        _ => narrow_ok(size, 4),
    };
    ok.then_some(CtxAccess::Scalar)
}

/// `tp_prog_is_valid_access` (kernel/trace/bpf_trace.c): aligned loads from the record
/// after its first 8 bytes (the common fields), up to `PERF_MAX_TRACE_SIZE`.
fn tracepoint_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    let limit = ProgType::Tracepoint.ctx_size() as i64;
    let ok = (8..limit).contains(&off) && off % size as i64 == 0 && !op.write();
    ok.then_some(CtxAccess::Scalar)
}

/// `pe_prog_is_valid_access`: `struct bpf_perf_event_data`, the registers (x86-64's
/// `pt_regs`, 168 bytes) read as whole longs, `sample_period` and `addr` narrow too.
fn perf_event_access(off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    const REGS: i64 = 168;
    let limit = ProgType::PerfEvent.ctx_size() as i64;
    if off < 0 || off >= limit || op.write() || off % size as i64 != 0 {
        return None;
    }
    let ok = if off >= REGS {
        narrow_ok(size, 8)
    } else {
        size == 8
    };
    ok.then_some(CtxAccess::Scalar)
}

/// Types without a modelled layout: a read-only record (kprobe's `pt_regs`, raw tracepoint
/// arguments (`raw_tp_prog_is_valid_access`), tracing programs' arguments), writable only
/// for Unwind's own `raw`.
fn buffer_access(prog: ProgType, off: i64, size: u32, op: CtxOp) -> Option<CtxAccess> {
    let limit = prog.ctx_size() as i64;
    let ok = off >= 0 && off + size as i64 <= limit && off % size as i64 == 0;
    (ok && (!op.write() || prog == ProgType::Raw)).then_some(CtxAccess::Scalar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CtxOp::Write;
    const READ: CtxOp = CtxOp::READ;
    const LDSX: CtxOp = CtxOp::Read { sign_extend: true };

    fn off(name: &str) -> i64 {
        SK_BUFF.field(name).unwrap().offset as i64
    }

    #[test]
    fn socket_filters_refuse_packet_socket_and_time_fields() {
        // sk_filter_is_valid_access
        for f in [
            "data",
            "data_end",
            "tc_classid",
            "family",
            "local_port",
            "tstamp",
            "wire_len",
            "hwtstamp",
        ] {
            let size = if f.contains("tstamp") { 8 } else { 4 };
            assert_eq!(
                ctx_access(ProgType::SocketFilter, off(f), size, READ),
                None,
                "{f}"
            );
        }
        assert_eq!(
            ctx_access(ProgType::SocketFilter, 0, 4, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(
            ctx_access(ProgType::SocketFilter, off("mark"), 4, Write),
            None
        );
        assert_eq!(
            ctx_access(ProgType::SocketFilter, off("cb"), 4, Write),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(
            ctx_access(ProgType::SocketFilter, off("sk"), 8, READ),
            Some(CtxAccess::SockCommonOrNull)
        );
    }

    #[test]
    fn cb_takes_every_width_inside_the_array() {
        for (o, size, ok) in [
            (48, 1, true),
            (49, 1, true),
            (50, 2, true),
            (48, 8, true),
            (56, 8, true),
            (64, 8, false),
            (52, 8, false),
            (51, 2, false),
        ] {
            for op in [READ, Write] {
                assert_eq!(
                    ctx_access(ProgType::SchedCls, o, size, op).is_some(),
                    ok,
                    "cb at {o} size {size} {op:?}"
                );
            }
        }
    }

    #[test]
    fn tc_rules() {
        let tc = ProgType::SchedCls;
        assert_eq!(
            ctx_access(tc, off("data"), 4, READ),
            Some(CtxAccess::Packet(FieldKind::PacketData))
        );
        assert_eq!(ctx_access(tc, off("data"), 4, LDSX), None);
        assert_eq!(ctx_access(tc, off("data"), 2, READ), None);
        assert_eq!(ctx_access(tc, off("family"), 4, READ), None);
        assert_eq!(ctx_access(tc, off("remote_ip4"), 4, READ), None);
        assert_eq!(
            ctx_access(tc, off("tstamp_type"), 1, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(tc, off("tstamp_type"), 1, Write), None);
        assert_eq!(ctx_access(tc, 181, 1, READ), None, "padding");
        assert_eq!(
            ctx_access(tc, off("tstamp"), 8, Write),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(tc, off("tstamp"), 4, READ), None);
        assert_eq!(ctx_access(tc, off("hwtstamp"), 8, Write), None);
        assert_eq!(
            ctx_access(tc, off("hwtstamp"), 8, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(tc, off("sk") + 4, 4, READ), None);
        assert_eq!(ctx_access(tc, off("flow_keys"), 8, READ), None);
        assert_eq!(ctx_access(tc, off("mark"), 2, Write), None);
        assert_eq!(
            ctx_access(tc, off("mark") + 2, 2, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(tc, off("mark") + 1, 2, READ), None, "misaligned");
        assert_eq!(ctx_access(tc, off("len"), 8, READ), None);
        assert_eq!(
            ctx_access(tc, off("wire_len"), 2, LDSX),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(tc, off("len"), 4, Write), None);
    }

    #[test]
    fn cgroup_skb_reads_socket_fields_whole() {
        let t = ProgType::CgroupSkb;
        assert_eq!(
            ctx_access(t, off("remote_ip4"), 4, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(t, off("remote_ip4"), 2, READ), None);
        assert_eq!(
            ctx_access(t, off("remote_ip6") + 4, 4, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(
            ctx_access(t, off("remote_port"), 2, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(t, off("wire_len"), 4, READ), None);
        assert_eq!(ctx_access(t, off("data_meta"), 4, READ), None);
        assert_eq!(
            ctx_access(t, off("tstamp"), 8, Write),
            Some(CtxAccess::Scalar)
        );
    }

    #[test]
    fn lwt_and_sk_skb() {
        for t in [ProgType::LwtIn, ProgType::LwtOut, ProgType::LwtXmit] {
            assert_eq!(ctx_access(t, off("tc_classid"), 2, READ), None);
            assert_eq!(ctx_access(t, off("tc_classid"), 4, READ), None);
            assert_eq!(
                ctx_access(t, off("mark"), 4, Write),
                Some(CtxAccess::Scalar)
            );
            assert_eq!(ctx_access(t, off("tc_index"), 4, Write), None);
        }
        let s = ProgType::SkSkb;
        assert_eq!(ctx_access(s, off("mark"), 4, READ), None);
        assert_eq!(ctx_access(s, off("cb"), 4, Write), None);
        assert_eq!(
            ctx_access(s, off("tc_index"), 4, Write),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(
            ctx_access(s, off("family"), 4, READ),
            Some(CtxAccess::Scalar)
        );
    }

    #[test]
    fn xdp_loads_are_whole_words() {
        let x = ProgType::Xdp;
        assert_eq!(
            ctx_access(x, 0, 4, READ),
            Some(CtxAccess::Packet(FieldKind::PacketData))
        );
        assert_eq!(ctx_access(x, 0, 4, LDSX), None);
        assert_eq!(ctx_access(x, 12, 2, READ), None);
        assert_eq!(ctx_access(x, 12, 4, LDSX), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(x, 16, 8, READ), None);
        assert_eq!(
            ctx_access(x, 20, 4, READ),
            None,
            "egress_ifindex needs BPF_XDP_DEVMAP"
        );
        assert_eq!(ctx_access(x, 16, 4, Write), None);
        assert_eq!(ctx_access(x, 24, 4, READ), None);
    }

    #[test]
    fn bpf_sock_rules() {
        // bpf_sock_is_valid_access: narrow loads only at a field's start, dst_port as a
        // __be16 or the word it starts, the padding after it refused; with `common`
        // (bpf_sock_common_is_valid_access) no type to priority
        for (off, size, sock, common) in [
            (4, 1, true, true),
            (4, 2, true, true),
            (6, 2, false, false),
            (30, 2, true, true),
            (48, 2, true, true),
            (49, 1, true, true),
            (48, 4, true, true),
            (50, 2, false, false),
            (0, 2, false, false),
            (0, 8, false, false),
            (80, 4, false, false),
            (0, 4, true, true),
            (8, 4, true, false),
            (20, 4, true, false),
            (72, 4, true, true),
        ] {
            assert_eq!(sock_access(off, size, false), sock, "sock {off} {size}");
            assert_eq!(
                sock_access(off, size, true),
                common,
                "sock_common {off} {size}"
            );
        }
        let s = ProgType::CgroupSock;
        assert_eq!(ctx_access(s, 0, 4, Write), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(s, 16, 4, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(s, 4, 4, Write), None);
        assert_eq!(ctx_access(s, 4, 2, READ), Some(CtxAccess::Scalar));
        assert_eq!(
            ctx_access(s, 24, 4, READ),
            None,
            "src_ip4 is for INET4_POST_BIND"
        );
        assert_eq!(ctx_access(s, 44, 4, READ), None, "src_port too");
        assert_eq!(ctx_access(s, 72, 4, READ), Some(CtxAccess::Scalar));
    }

    #[test]
    fn sock_ops() {
        // compared with Linux 6.18 at every offset of the struct, loads of 1 to 8 bytes
        let t = ProgType::SockOps;
        assert_eq!(ctx_access(t, 20, 4, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 20, 2, READ), None);
        assert_eq!(ctx_access(t, 168, 8, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 168, 4, READ), None);
        assert_eq!(ctx_access(t, 212, 1, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 213, 1, READ), None);
        assert_eq!(ctx_access(t, 216, 8, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 224, 4, READ), None);
        assert_eq!(ctx_access(t, 4, 4, Write), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 164, 4, Write), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 8, 4, Write), None);
        assert!(matches!(
            ctx_access(t, 192, 8, READ),
            Some(CtxAccess::Unmodelled(_))
        ));
    }

    #[test]
    fn sysctl() {
        let t = ProgType::CgroupSysctl;
        assert_eq!(ctx_access(t, 0, 4, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 1, 1, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 6, 2, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 0, 8, READ), None);
        assert_eq!(ctx_access(t, 8, 4, READ), None);
        assert_eq!(ctx_access(t, 4, 4, Write), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(t, 4, 2, Write), None);
        assert_eq!(ctx_access(t, 0, 4, Write), None);
    }

    #[test]
    fn tracing_records() {
        // tp_prog_is_valid_access: not the first 8 bytes, up to PERF_MAX_TRACE_SIZE
        let tp = ProgType::Tracepoint;
        assert_eq!(ctx_access(tp, 0, 8, READ), None);
        assert_eq!(ctx_access(tp, 4, 4, READ), None);
        assert_eq!(ctx_access(tp, 8, 8, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(tp, 8188, 4, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(tp, 8192, 4, READ), None);
        assert_eq!(ctx_access(tp, 12, 8, READ), None, "misaligned");
        assert_eq!(ctx_access(tp, 16, 8, Write), None);
        // pe_prog_is_valid_access
        let pe = ProgType::PerfEvent;
        assert_eq!(ctx_access(pe, 0, 8, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(pe, 0, 4, READ), None, "the registers are longs");
        assert_eq!(ctx_access(pe, 168, 4, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(pe, 176, 8, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(pe, 184, 8, READ), None);
        // raw_tp_prog_is_valid_access: 12 arguments; the writable kind's buffer at 0
        let raw = ProgType::RawTracepoint;
        assert_eq!(ctx_access(raw, 88, 8, READ), Some(CtxAccess::Scalar));
        assert_eq!(ctx_access(raw, 96, 8, READ), None);
        assert_eq!(ctx_access(raw, 0, 8, Write), None);
        let w = ProgType::RawTracepointWritable;
        assert!(matches!(
            ctx_access(w, 0, 8, READ),
            Some(CtxAccess::Unmodelled(_))
        ));
        assert_eq!(ctx_access(w, 0, 4, READ), None);
        assert_eq!(ctx_access(w, 8, 4, READ), Some(CtxAccess::Scalar));
        // kprobe_prog_is_valid_access: pt_regs, read-only
        assert_eq!(
            ctx_access(ProgType::Kprobe, 160, 8, READ),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(ProgType::Kprobe, 164, 8, READ), None);
        assert_eq!(ctx_access(ProgType::Kprobe, 168, 4, READ), None);
    }

    #[test]
    fn flow_dissector_and_netfilter() {
        let f = ProgType::FlowDissector;
        assert_eq!(
            ctx_access(f, off("data"), 4, READ),
            Some(CtxAccess::Packet(FieldKind::PacketData))
        );
        assert_eq!(ctx_access(f, off("data"), 4, LDSX), None);
        assert_eq!(ctx_access(f, off("len"), 4, READ), None);
        assert_eq!(
            ctx_access(f, off("flow_keys"), 8, READ),
            Some(CtxAccess::Unmodelled("flow_keys"))
        );
        let n = ProgType::Netfilter;
        assert_eq!(
            ctx_access(n, 0, 8, READ),
            Some(CtxAccess::Unmodelled("state"))
        );
        assert_eq!(
            ctx_access(n, 8, 8, READ),
            Some(CtxAccess::Unmodelled("skb"))
        );
        assert_eq!(ctx_access(n, 0, 1, READ), None);
        assert_eq!(ctx_access(n, 8, 2, READ), None);
        assert_eq!(ctx_access(n, 16, 8, READ), None);
        assert_eq!(ctx_access(n, 0, 8, Write), None);
    }
}
