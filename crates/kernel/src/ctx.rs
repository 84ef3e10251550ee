//! Context layouts: the structure R1 points to at program entry, at the kernel's offsets
//! (`struct __sk_buff` and `struct xdp_md` in `include/uapi/linux/bpf.h`).

use serde::Serialize;

use crate::ProgType;

/// What a context field holds, beyond its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A plain number.
    Scalar,
    /// Loads give a pointer to the first packet byte (`data`).
    PacketData,
    /// Loads give a pointer one past the last packet byte (`data_end`).
    PacketEnd,
    /// Loads give a pointer to the metadata before the packet (`data_meta`).
    PacketMeta,
    /// A kernel pointer: `sk` (a socket, NULL in the model's runs) or one the model does not
    /// give out (`flow_keys`, the netfilter ctx's fields).
    Pointer,
}

/// One field of a context structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CtxField {
    pub name: &'static str,
    pub offset: u32,
    /// Size in bytes of the whole field (an array counts once).
    pub size: u32,
    /// Size of one element: the widest access the kernel allows at once.
    pub elem_size: u32,
    pub kind: FieldKind,
}

impl CtxField {
    pub const fn end(&self) -> u32 {
        self.offset + self.size
    }
}

/// A context structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CtxLayout {
    pub name: &'static str,
    pub size: u32,
    pub fields: &'static [CtxField],
}

impl CtxLayout {
    /// The field that contains byte `offset`.
    pub fn field_at(&self, offset: u32) -> Option<&'static CtxField> {
        self.fields
            .iter()
            .find(|f| (f.offset..f.end()).contains(&offset))
    }

    pub fn field(&self, name: &str) -> Option<&'static CtxField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const fn f(name: &'static str, offset: u32, size: u32, kind: FieldKind) -> CtxField {
    CtxField {
        name,
        offset,
        size,
        elem_size: size,
        kind,
    }
}

const fn arr(name: &'static str, offset: u32, count: u32, elem: u32) -> CtxField {
    CtxField {
        name,
        offset,
        size: count * elem,
        elem_size: elem,
        kind: FieldKind::Scalar,
    }
}

use FieldKind::{PacketData, PacketEnd, PacketMeta, Pointer, Scalar};

/// `struct __sk_buff` (192 bytes). A `static`, not a `const`: one copy of the table however
/// many crates refer to it (as a `const` it was in the wasm module twice).
pub static SK_BUFF: CtxLayout = CtxLayout {
    name: "__sk_buff",
    size: 192,
    fields: &[
        f("len", 0, 4, Scalar),
        f("pkt_type", 4, 4, Scalar),
        f("mark", 8, 4, Scalar),
        f("queue_mapping", 12, 4, Scalar),
        f("protocol", 16, 4, Scalar),
        f("vlan_present", 20, 4, Scalar),
        f("vlan_tci", 24, 4, Scalar),
        f("vlan_proto", 28, 4, Scalar),
        f("priority", 32, 4, Scalar),
        f("ingress_ifindex", 36, 4, Scalar),
        f("ifindex", 40, 4, Scalar),
        f("tc_index", 44, 4, Scalar),
        arr("cb", 48, 5, 4),
        f("hash", 68, 4, Scalar),
        f("tc_classid", 72, 4, Scalar),
        f("data", 76, 4, PacketData),
        f("data_end", 80, 4, PacketEnd),
        f("napi_id", 84, 4, Scalar),
        f("family", 88, 4, Scalar),
        f("remote_ip4", 92, 4, Scalar),
        f("local_ip4", 96, 4, Scalar),
        arr("remote_ip6", 100, 4, 4),
        arr("local_ip6", 116, 4, 4),
        f("remote_port", 132, 4, Scalar),
        f("local_port", 136, 4, Scalar),
        f("data_meta", 140, 4, PacketMeta),
        f("flow_keys", 144, 8, Pointer),
        f("tstamp", 152, 8, Scalar),
        f("wire_len", 160, 4, Scalar),
        f("gso_segs", 164, 4, Scalar),
        f("sk", 168, 8, Pointer),
        f("gso_size", 176, 4, Scalar),
        f("tstamp_type", 180, 1, Scalar),
        f("hwtstamp", 184, 8, Scalar),
    ],
};

/// `struct xdp_md` (24 bytes).
pub static XDP_MD: CtxLayout = CtxLayout {
    name: "xdp_md",
    size: 24,
    fields: &[
        f("data", 0, 4, PacketData),
        f("data_end", 4, 4, PacketEnd),
        f("data_meta", 8, 4, PacketMeta),
        f("ingress_ifindex", 12, 4, Scalar),
        f("rx_queue_index", 16, 4, Scalar),
        f("egress_ifindex", 20, 4, Scalar),
    ],
};

/// `struct bpf_sock` (80 bytes): the ctx of `cgroup_sock` programs and what a socket
/// pointer points to.
pub static BPF_SOCK: CtxLayout = CtxLayout {
    name: "bpf_sock",
    size: 80,
    fields: &[
        f("bound_dev_if", 0, 4, Scalar),
        f("family", 4, 4, Scalar),
        f("type", 8, 4, Scalar),
        f("protocol", 12, 4, Scalar),
        f("mark", 16, 4, Scalar),
        f("priority", 20, 4, Scalar),
        f("src_ip4", 24, 4, Scalar),
        arr("src_ip6", 28, 4, 4),
        f("src_port", 44, 4, Scalar),
        // a __be16, then 2 bytes of padding
        f("dst_port", 48, 2, Scalar),
        f("dst_ip4", 52, 4, Scalar),
        arr("dst_ip6", 56, 4, 4),
        f("state", 72, 4, Scalar),
        f("rx_queue_mapping", 76, 4, Scalar),
    ],
};

/// `struct bpf_sock_ops` (224 bytes): the ctx of `sock_ops` programs.
pub static BPF_SOCK_OPS: CtxLayout = CtxLayout {
    name: "bpf_sock_ops",
    size: 224,
    fields: &[
        f("op", 0, 4, Scalar),
        // a union of args[4], reply and replylong[4]
        arr("args", 4, 4, 4),
        f("family", 20, 4, Scalar),
        f("remote_ip4", 24, 4, Scalar),
        f("local_ip4", 28, 4, Scalar),
        arr("remote_ip6", 32, 4, 4),
        arr("local_ip6", 48, 4, 4),
        f("remote_port", 64, 4, Scalar),
        f("local_port", 68, 4, Scalar),
        f("is_fullsock", 72, 4, Scalar),
        f("snd_cwnd", 76, 4, Scalar),
        f("srtt_us", 80, 4, Scalar),
        f("bpf_sock_ops_cb_flags", 84, 4, Scalar),
        f("state", 88, 4, Scalar),
        f("rtt_min", 92, 4, Scalar),
        f("snd_ssthresh", 96, 4, Scalar),
        f("rcv_nxt", 100, 4, Scalar),
        f("snd_nxt", 104, 4, Scalar),
        f("snd_una", 108, 4, Scalar),
        f("mss_cache", 112, 4, Scalar),
        f("ecn_flags", 116, 4, Scalar),
        f("rate_delivered", 120, 4, Scalar),
        f("rate_interval_us", 124, 4, Scalar),
        f("packets_out", 128, 4, Scalar),
        f("retrans_out", 132, 4, Scalar),
        f("total_retrans", 136, 4, Scalar),
        f("segs_in", 140, 4, Scalar),
        f("data_segs_in", 144, 4, Scalar),
        f("segs_out", 148, 4, Scalar),
        f("data_segs_out", 152, 4, Scalar),
        f("lost_out", 156, 4, Scalar),
        f("sacked_out", 160, 4, Scalar),
        f("sk_txhash", 164, 4, Scalar),
        f("bytes_received", 168, 8, Scalar),
        f("bytes_acked", 176, 8, Scalar),
        f("sk", 184, 8, Pointer),
        f("skb_data", 192, 8, Pointer),
        f("skb_data_end", 200, 8, Pointer),
        f("skb_len", 208, 4, Scalar),
        f("skb_tcp_flags", 212, 4, Scalar),
        f("skb_hwtstamp", 216, 8, Scalar),
    ],
};

/// `struct bpf_sysctl` (8 bytes): the ctx of `cgroup_sysctl` programs.
pub static BPF_SYSCTL: CtxLayout = CtxLayout {
    name: "bpf_sysctl",
    size: 8,
    fields: &[f("write", 0, 4, Scalar), f("file_pos", 4, 4, Scalar)],
};

/// `struct bpf_nf_ctx` (16 bytes, net/netfilter/nf_bpf_link.c): two BTF pointers, which
/// the model does not give out (the verifier refuses their loads as unmodelled).
pub static BPF_NF_CTX: CtxLayout = CtxLayout {
    name: "bpf_nf_ctx",
    size: 16,
    fields: &[f("state", 0, 8, Pointer), f("skb", 8, 8, Pointer)],
};

impl ProgType {
    /// The context layout the model knows for this program type.
    pub fn ctx_layout(self) -> Option<&'static CtxLayout> {
        match self {
            ProgType::SocketFilter
            | ProgType::SchedCls
            | ProgType::SchedAct
            | ProgType::CgroupSkb
            | ProgType::LwtIn
            | ProgType::LwtOut
            | ProgType::LwtXmit
            | ProgType::LwtSeg6local
            | ProgType::SkSkb => Some(&SK_BUFF),
            ProgType::Xdp => Some(&XDP_MD),
            ProgType::CgroupSock => Some(&BPF_SOCK),
            ProgType::CgroupSysctl => Some(&BPF_SYSCTL),
            ProgType::SockOps => Some(&BPF_SOCK_OPS),
            _ => None,
        }
    }

    /// The size of the ctx in bytes: the verifier checks ctx accesses against it and the
    /// interpreter's ctx (for `raw`, its input memory) is at least this long, zero-filled, so
    /// every access the verifier accepts is in bounds at run time. Types with a layout have
    /// its size; `netfilter` that of `struct bpf_nf_ctx`; the others are opaque buffers as
    /// long as the kernel's rule lets a program read: `raw` 4,096 bytes, `kprobe` 168
    /// (`struct pt_regs` on x86-64), `perf_event` 184 (`struct bpf_perf_event_data`),
    /// `tracepoint` 8,192 (`PERF_MAX_TRACE_SIZE`), raw tracepoints 96 (12 arguments), the
    /// rest 512 (a tracing record).
    pub fn ctx_size(self) -> u32 {
        if let Some(layout) = self.ctx_layout() {
            return layout.size;
        }
        match self {
            ProgType::Raw => 4096,
            ProgType::Netfilter => BPF_NF_CTX.size,
            ProgType::Kprobe => 168,
            // `struct bpf_perf_event_data`: pt_regs, sample_period, addr
            ProgType::PerfEvent => 184,
            // PERF_MAX_TRACE_SIZE
            ProgType::Tracepoint => 8192,
            // 12 u64 arguments, "the largest tracepoint in the kernel"
            ProgType::RawTracepoint | ProgType::RawTracepointWritable => 96,
            _ => 512,
        }
    }

    /// Whether a test run gives this program type a packet (the kernel's
    /// `BPF_PROG_TEST_RUN` with packet data).
    pub fn has_packet(self) -> bool {
        self.ctx_layout()
            .is_some_and(|l| std::ptr::eq(l, &SK_BUFF) || std::ptr::eq(l, &XDP_MD))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_sorted_and_do_not_overlap() {
        for layout in [
            &SK_BUFF,
            &XDP_MD,
            &BPF_SOCK,
            &BPF_SOCK_OPS,
            &BPF_SYSCTL,
            &BPF_NF_CTX,
        ] {
            let mut end = 0;
            for field in layout.fields {
                assert!(field.offset >= end, "{}.{}", layout.name, field.name);
                assert_eq!(field.size % field.elem_size, 0);
                end = field.end();
            }
            assert!(end <= layout.size);
        }
    }

    #[test]
    fn kernel_offsets() {
        // SPEC §2: `len` at 0, `mark` at 8, `protocol` at 16; data/data_end as in the UAPI.
        assert_eq!(SK_BUFF.field("len").unwrap().offset, 0);
        assert_eq!(SK_BUFF.field("mark").unwrap().offset, 8);
        assert_eq!(SK_BUFF.field("protocol").unwrap().offset, 16);
        assert_eq!(SK_BUFF.field("data").unwrap().offset, 76);
        assert_eq!(SK_BUFF.field("data_end").unwrap().offset, 80);
        assert_eq!(SK_BUFF.field_at(50).unwrap().name, "cb");
        assert_eq!(XDP_MD.field("data_end").unwrap().offset, 4);
        assert_eq!(ProgType::SchedCls.ctx_layout().unwrap().size, 192);
        assert!(ProgType::Tracepoint.ctx_layout().is_none());
    }
}
