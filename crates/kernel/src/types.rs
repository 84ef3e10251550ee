//! Program types and map types, by the kernel's names.

use serde::Serialize;

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $canon:literal $(| $alias:literal)*),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The canonical short name (what `.ctx`/`.map` print).
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $canon),* }
            }

            /// Accepts the canonical name and the kernel's and libbpf's other spellings.
            pub fn from_name(s: &str) -> Option<$name> {
                match s {
                    $($canon $(| $alias)* => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

named_enum! {
    /// `enum bpf_prog_type`, named as libbpf section prefixes and the kselftests corpus name them,
    /// plus `raw` (an opaque byte buffer, no kernel equivalent).
    ProgType {
        SocketFilter = "socket" | "socket_filter",
        Kprobe = "kprobe" | "kretprobe" | "uprobe" | "uretprobe" | "ksyscall" | "usdt",
        SchedCls = "tc" | "sched_cls" | "classifier" | "tcx" | "netkit",
        SchedAct = "tc_action" | "sched_act" | "action",
        Tracepoint = "tracepoint" | "tp",
        Xdp = "xdp",
        PerfEvent = "perf_event",
        CgroupSkb = "cgroup_skb" | "cgroup/skb",
        CgroupSock = "cgroup_sock" | "cgroup/sock",
        LwtIn = "lwt_in",
        LwtOut = "lwt_out",
        LwtXmit = "lwt_xmit",
        SockOps = "sock_ops" | "sockops",
        SkSkb = "sk_skb",
        CgroupDevice = "cgroup_device" | "cgroup/dev",
        SkMsg = "sk_msg",
        RawTracepoint = "raw_tp" | "raw_tracepoint",
        CgroupSockAddr = "cgroup_sock_addr",
        LwtSeg6local = "lwt_seg6local",
        LircMode2 = "lirc_mode2",
        SkReuseport = "sk_reuseport",
        FlowDissector = "flow_dissector",
        CgroupSysctl = "cgroup_sysctl" | "cgroup/sysctl",
        RawTracepointWritable = "raw_tp_writable" | "raw_tracepoint_writable" | "raw_tp.w",
        CgroupSockopt = "cgroup_sockopt",
        Tracing = "tracing" | "fentry" | "fexit" | "fmod_ret" | "tp_btf" | "iter",
        StructOps = "struct_ops",
        Ext = "ext" | "freplace",
        Lsm = "lsm",
        SkLookup = "sk_lookup",
        Syscall = "syscall",
        Netfilter = "netfilter",
        Raw = "raw",
    }
}

named_enum! {
    /// `enum bpf_map_type`: the lower-cased `BPF_MAP_TYPE_*` suffix.
    MapType {
        Hash = "hash",
        Array = "array",
        ProgArray = "prog_array",
        PerfEventArray = "perf_event_array",
        PercpuHash = "percpu_hash",
        PercpuArray = "percpu_array",
        StackTrace = "stack_trace",
        CgroupArray = "cgroup_array",
        LruHash = "lru_hash",
        LruPercpuHash = "lru_percpu_hash",
        LpmTrie = "lpm_trie",
        ArrayOfMaps = "array_of_maps",
        HashOfMaps = "hash_of_maps",
        Devmap = "devmap",
        Sockmap = "sockmap",
        Cpumap = "cpumap",
        Xskmap = "xskmap",
        Sockhash = "sockhash",
        CgroupStorage = "cgroup_storage" | "cgroup_storage_deprecated",
        ReuseportSockarray = "reuseport_sockarray",
        PercpuCgroupStorage = "percpu_cgroup_storage" | "percpu_cgroup_storage_deprecated",
        Queue = "queue",
        Stack = "stack",
        SkStorage = "sk_storage",
        DevmapHash = "devmap_hash",
        StructOps = "struct_ops",
        Ringbuf = "ringbuf",
        InodeStorage = "inode_storage",
        TaskStorage = "task_storage",
        BloomFilter = "bloom_filter",
        UserRingbuf = "user_ringbuf",
        CgrpStorage = "cgrp_storage",
        Arena = "arena",
    }
}

impl ProgType {
    /// The kernel's `enum bpf_prog_type` number (the list above is in its order from
    /// `BPF_PROG_TYPE_SOCKET_FILTER`, 1); `None` for Unwind's own `raw`.
    pub fn uapi_id(self) -> Option<u32> {
        if self == ProgType::Raw {
            return None;
        }
        ProgType::ALL
            .iter()
            .position(|&x| x == self)
            .map(|i| i as u32 + 1)
    }
}

impl MapType {
    /// The kernel's `enum bpf_map_type` number (the list above is in its order from
    /// `BPF_MAP_TYPE_HASH`, 1).
    pub fn uapi_id(self) -> u32 {
        MapType::ALL
            .iter()
            .position(|&x| x == self)
            .map_or(0, |i| i as u32 + 1)
    }
}

impl std::fmt::Display for ProgType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::fmt::Display for MapType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uapi_ids_are_the_kernels() {
        // include/uapi/linux/bpf.h
        assert_eq!(ProgType::SocketFilter.uapi_id(), Some(1));
        assert_eq!(ProgType::SchedCls.uapi_id(), Some(3));
        assert_eq!(ProgType::Xdp.uapi_id(), Some(6));
        assert_eq!(ProgType::Syscall.uapi_id(), Some(31));
        assert_eq!(ProgType::Raw.uapi_id(), None);
        assert_eq!(MapType::Hash.uapi_id(), 1);
        assert_eq!(MapType::ProgArray.uapi_id(), 3);
        assert_eq!(MapType::Ringbuf.uapi_id(), 27);
        assert_eq!(MapType::Arena.uapi_id(), 33);
    }
}
