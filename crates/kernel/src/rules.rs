//! Per-program-type rules the verifier applies: which context fields may be read or written,
//! which return values are allowed, whether direct packet access and legacy packet loads are
//! available (the kernel's `*_is_valid_access`, `check_return_code`,
//! `may_access_direct_pkt_data` and `may_access_skb`).

use crate::{FieldKind, ProgType};

/// An allowed context access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxAccess {
    /// A number.
    Scalar,
    /// A pointer of this kind (packet data, end or metadata).
    Packet(FieldKind),
}

/// Whether an access of `size` bytes at `off` is allowed, and what a load gives.
/// `None` means the kernel's "invalid bpf_context access".
pub fn ctx_access(prog: ProgType, off: i64, size: u32, write: bool) -> Option<CtxAccess> {
    let Some(layout) = prog.ctx_layout() else {
        // Types without a modelled layout: a read-only buffer (tracepoint, kprobe, ... records).
        let limit = prog.ctx_size() as i64;
        let ok = off >= 0 && off + size as i64 <= limit && off % size as i64 == 0;
        return (ok && (!write || prog == ProgType::Raw)).then_some(CtxAccess::Scalar);
    };
    if off < 0 || off + size as i64 > layout.size as i64 {
        return None;
    }
    let field = layout.field_at(off as u32)?;
    let rel = off as u32 - field.offset;
    // an access stays inside one element of the field
    if rel % field.elem_size + size > field.elem_size {
        return None;
    }
    let name = field.name;
    match field.kind {
        FieldKind::PacketData | FieldKind::PacketEnd | FieldKind::PacketMeta => {
            if write || size != 4 || rel != 0 || !direct_packet_access(prog) {
                return None;
            }
            if field.kind == FieldKind::PacketMeta
                && !matches!(
                    prog,
                    ProgType::Xdp | ProgType::SchedCls | ProgType::SchedAct
                )
            {
                return None;
            }
            return Some(CtxAccess::Packet(field.kind));
        }
        FieldKind::Pointer => return None,
        FieldKind::Scalar => {}
    }
    if write {
        let writable: &[&str] = match prog {
            ProgType::SocketFilter => &["cb"],
            ProgType::SchedCls | ProgType::SchedAct => &[
                "mark",
                "tc_index",
                "priority",
                "cb",
                "tc_classid",
                "queue_mapping",
                "tstamp",
            ],
            ProgType::CgroupSkb => &["mark", "priority", "cb", "tstamp"],
            ProgType::LwtIn | ProgType::LwtOut | ProgType::LwtXmit | ProgType::LwtSeg6local => {
                &["mark", "priority", "cb"]
            }
            ProgType::SkSkb => &["mark", "priority", "tc_index", "cb"],
            _ => &[],
        };
        if !writable.contains(&name) || size != field.elem_size.min(4).max(size) {
            return None;
        }
        if size != field.elem_size && name != "cb" {
            return None;
        }
        return Some(CtxAccess::Scalar);
    }
    // reads: the whole field, or a narrower load of a plain number
    if size > field.elem_size {
        return None;
    }
    Some(CtxAccess::Scalar)
}

/// `may_access_direct_pkt_data` for reads.
pub fn direct_packet_access(prog: ProgType) -> bool {
    matches!(
        prog,
        ProgType::SchedCls
            | ProgType::SchedAct
            | ProgType::Xdp
            | ProgType::CgroupSkb
            | ProgType::LwtIn
            | ProgType::LwtOut
            | ProgType::LwtXmit
            | ProgType::LwtSeg6local
            | ProgType::SkSkb
            | ProgType::SkMsg
            | ProgType::FlowDissector
    )
}

/// Whether direct packet writes are allowed.
pub fn packet_writable(prog: ProgType) -> bool {
    matches!(
        prog,
        ProgType::SchedCls
            | ProgType::SchedAct
            | ProgType::Xdp
            | ProgType::LwtXmit
            | ProgType::SkSkb
            | ProgType::SkMsg
    )
}

/// `may_access_skb`: legacy `LD_ABS`/`LD_IND` packet loads.
pub fn legacy_packet_loads(prog: ProgType) -> bool {
    matches!(
        prog,
        ProgType::SocketFilter | ProgType::SchedCls | ProgType::SchedAct
    )
}

/// The range R0 must be in at program exit (`check_return_code`), when the type has one.
pub fn return_range(prog: ProgType) -> Option<(i32, i32)> {
    match prog {
        ProgType::CgroupSkb
        | ProgType::CgroupSock
        | ProgType::CgroupSockAddr
        | ProgType::SockOps
        | ProgType::CgroupDevice
        | ProgType::CgroupSysctl
        | ProgType::CgroupSockopt
        | ProgType::SkLookup
        | ProgType::Netfilter => Some((0, 1)),
        ProgType::Tracing => Some((0, 0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_filters_read_len_but_not_data() {
        assert_eq!(
            ctx_access(ProgType::SocketFilter, 0, 4, false),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(ProgType::SocketFilter, 76, 4, false), None);
        assert_eq!(
            ctx_access(ProgType::SchedCls, 76, 4, false),
            Some(CtxAccess::Packet(FieldKind::PacketData))
        );
        assert_eq!(ctx_access(ProgType::SocketFilter, 8, 4, true), None);
        assert_eq!(
            ctx_access(ProgType::SchedCls, 8, 4, true),
            Some(CtxAccess::Scalar)
        );
        assert_eq!(ctx_access(ProgType::SchedCls, 0, 8, false), None);
    }

    #[test]
    fn cgroup_skb_returns_zero_or_one() {
        assert_eq!(return_range(ProgType::CgroupSkb), Some((0, 1)));
        assert_eq!(return_range(ProgType::SocketFilter), None);
    }
}
