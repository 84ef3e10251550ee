//! Per-program-type rules the verifier applies: which return values are allowed, whether
//! direct packet access and legacy packet loads are available (the kernel's
//! `check_return_code`, `may_access_direct_pkt_data` and `may_access_skb`); which context
//! fields may be read or written is `ctx_access`'s, re-exported here.

use crate::ProgType;

pub use crate::ctx_access::{ctx_access, sock_access, CtxAccess, CtxOp};

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
    fn cgroup_skb_returns_zero_or_one() {
        assert_eq!(return_range(ProgType::CgroupSkb), Some((0, 1)));
        assert_eq!(return_range(ProgType::SocketFilter), None);
    }
}
