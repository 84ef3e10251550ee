//! Program section names to program types, as libbpf's `section_defs` table maps them.

use unwind_kernel::ProgType;

/// `(prefix, type, exact)`: an exact entry matches the name alone; the others match the name
/// alone or followed by `/` (libbpf's `SEC_ATTACHABLE` and `+` entries), or, when the prefix
/// ends with `/` or `.`, anything after it.
const TABLE: &[(&str, ProgType, bool)] = &[
    ("socket", ProgType::SocketFilter, false),
    ("sk_reuseport/migrate", ProgType::SkReuseport, true),
    ("sk_reuseport", ProgType::SkReuseport, false),
    ("kprobe.multi", ProgType::Kprobe, false),
    ("kretprobe.multi", ProgType::Kprobe, false),
    ("uprobe.multi", ProgType::Kprobe, false),
    ("uretprobe.multi", ProgType::Kprobe, false),
    ("uprobe.s", ProgType::Kprobe, false),
    ("uretprobe.s", ProgType::Kprobe, false),
    ("kprobe", ProgType::Kprobe, false),
    ("uprobe", ProgType::Kprobe, false),
    ("kretprobe", ProgType::Kprobe, false),
    ("uretprobe", ProgType::Kprobe, false),
    ("ksyscall", ProgType::Kprobe, false),
    ("kretsyscall", ProgType::Kprobe, false),
    ("usdt", ProgType::Kprobe, false),
    ("tc", ProgType::SchedCls, false),
    ("tcx", ProgType::SchedCls, false),
    ("netkit", ProgType::SchedCls, false),
    ("classifier", ProgType::SchedCls, false),
    ("action", ProgType::SchedAct, false),
    ("tracepoint", ProgType::Tracepoint, false),
    ("tp", ProgType::Tracepoint, false),
    ("raw_tracepoint.w", ProgType::RawTracepointWritable, false),
    ("raw_tp.w", ProgType::RawTracepointWritable, false),
    ("raw_tracepoint", ProgType::RawTracepoint, false),
    ("raw_tp", ProgType::RawTracepoint, false),
    ("tp_btf", ProgType::Tracing, false),
    ("fentry.s", ProgType::Tracing, false),
    ("fmod_ret.s", ProgType::Tracing, false),
    ("fexit.s", ProgType::Tracing, false),
    ("fentry", ProgType::Tracing, false),
    ("fmod_ret", ProgType::Tracing, false),
    ("fexit", ProgType::Tracing, false),
    ("iter.s", ProgType::Tracing, false),
    ("iter", ProgType::Tracing, false),
    ("freplace", ProgType::Ext, false),
    ("lsm.s", ProgType::Lsm, false),
    ("lsm_cgroup", ProgType::Lsm, false),
    ("lsm", ProgType::Lsm, false),
    ("syscall", ProgType::Syscall, false),
    ("xdp.frags", ProgType::Xdp, false),
    ("xdp", ProgType::Xdp, false),
    ("perf_event", ProgType::PerfEvent, false),
    ("lwt_in", ProgType::LwtIn, false),
    ("lwt_out", ProgType::LwtOut, false),
    ("lwt_xmit", ProgType::LwtXmit, false),
    ("lwt_seg6local", ProgType::LwtSeg6local, false),
    ("sockops", ProgType::SockOps, false),
    ("sk_skb", ProgType::SkSkb, false),
    ("sk_msg", ProgType::SkMsg, false),
    ("lirc_mode2", ProgType::LircMode2, false),
    ("flow_dissector", ProgType::FlowDissector, false),
    ("cgroup_skb", ProgType::CgroupSkb, false),
    ("cgroup/skb", ProgType::CgroupSkb, true),
    ("cgroup/sock_create", ProgType::CgroupSock, true),
    ("cgroup/sock_release", ProgType::CgroupSock, true),
    ("cgroup/sock", ProgType::CgroupSock, true),
    ("cgroup/post_bind4", ProgType::CgroupSock, true),
    ("cgroup/post_bind6", ProgType::CgroupSock, true),
    ("cgroup/bind4", ProgType::CgroupSockAddr, true),
    ("cgroup/bind6", ProgType::CgroupSockAddr, true),
    ("cgroup/connect4", ProgType::CgroupSockAddr, true),
    ("cgroup/connect6", ProgType::CgroupSockAddr, true),
    ("cgroup/connect_unix", ProgType::CgroupSockAddr, true),
    ("cgroup/sendmsg4", ProgType::CgroupSockAddr, true),
    ("cgroup/sendmsg6", ProgType::CgroupSockAddr, true),
    ("cgroup/sendmsg_unix", ProgType::CgroupSockAddr, true),
    ("cgroup/recvmsg4", ProgType::CgroupSockAddr, true),
    ("cgroup/recvmsg6", ProgType::CgroupSockAddr, true),
    ("cgroup/recvmsg_unix", ProgType::CgroupSockAddr, true),
    ("cgroup/getpeername4", ProgType::CgroupSockAddr, true),
    ("cgroup/getpeername6", ProgType::CgroupSockAddr, true),
    ("cgroup/getpeername_unix", ProgType::CgroupSockAddr, true),
    ("cgroup/getsockname4", ProgType::CgroupSockAddr, true),
    ("cgroup/getsockname6", ProgType::CgroupSockAddr, true),
    ("cgroup/getsockname_unix", ProgType::CgroupSockAddr, true),
    ("cgroup/sysctl", ProgType::CgroupSysctl, true),
    ("cgroup/getsockopt", ProgType::CgroupSockopt, true),
    ("cgroup/setsockopt", ProgType::CgroupSockopt, true),
    ("cgroup/dev", ProgType::CgroupDevice, true),
    ("struct_ops.s", ProgType::StructOps, false),
    ("struct_ops", ProgType::StructOps, false),
    ("sk_lookup", ProgType::SkLookup, false),
    ("netfilter", ProgType::Netfilter, false),
];

/// The program type of a program section, or `None` when libbpf would not know it. A leading
/// `?` (libbpf: not loaded automatically, as the selftests mark their cases) is ignored.
pub fn prog_type_of_section(name: &str) -> Option<ProgType> {
    let name = name.strip_prefix('?').unwrap_or(name);
    TABLE.iter().find_map(|&(prefix, ty, exact)| {
        let matches = if exact {
            name == prefix
        } else {
            name == prefix
                || name
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        matches.then_some(ty)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libbpf_sections() {
        for (name, ty) in [
            ("tc", ProgType::SchedCls),
            ("?tc", ProgType::SchedCls),
            ("tc/ingress", ProgType::SchedCls),
            ("xdp", ProgType::Xdp),
            ("xdp.frags", ProgType::Xdp),
            ("socket", ProgType::SocketFilter),
            ("socket/1", ProgType::SocketFilter),
            ("syscall", ProgType::Syscall),
            ("tp/syscalls/sys_enter_nanosleep", ProgType::Tracepoint),
            ("tracepoint/sched/sched_switch", ProgType::Tracepoint),
            ("kprobe/do_nanosleep", ProgType::Kprobe),
            ("raw_tp/sys_enter", ProgType::RawTracepoint),
            ("raw_tp", ProgType::RawTracepoint),
            ("raw_tp.w/x", ProgType::RawTracepointWritable),
            ("fentry/bpf_fentry_test1", ProgType::Tracing),
            ("cgroup/connect4", ProgType::CgroupSockAddr),
            ("lsm.s/bpf", ProgType::Lsm),
        ] {
            assert_eq!(prog_type_of_section(name), Some(ty), "{name}");
        }
        for name in ["tcp", "xdpx", ".text", "license", "cgroup/nope"] {
            assert_eq!(prog_type_of_section(name), None, "{name}");
        }
    }
}
