//! The simulated kernel's catalogue, defined once: which helpers and kfuncs exist, their ids,
//! argument and return kinds, which resources they acquire or release and with which release
//! function, and the kernel's program and map types. The verifier and the interpreter both read
//! it; the assembler and disassembler use it to resolve call names.

mod catalogue;
mod ctx;
pub mod ctx_access;
mod helper_ids;
pub mod rules;
mod types;

pub use catalogue::{
    call_names, func_by_name, helper_by_id, helper_name, kfunc_by_btf_id, kfunc_kernel_name,
    kfunc_model_name, kfunc_name, resolve_call_name, ArgKind, CallRef, Effect, Func, FuncKind,
    ResourceKind, RetKind, FUNCS, KFUNC_BTF_ID_BASE,
};
pub use ctx::{CtxField, CtxLayout, FieldKind, BPF_NF_CTX, BPF_SOCK, BPF_SYSCTL, SK_BUFF, XDP_MD};
pub use types::{MapType, ProgType};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_ids_are_unique() {
        let names: HashSet<_> = FUNCS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FUNCS.len());
        let kinds: HashSet<_> = FUNCS.iter().map(|f| f.kind).collect();
        assert_eq!(kinds.len(), FUNCS.len());
    }

    #[test]
    fn modelled_helpers_carry_their_uapi_ids() {
        for f in FUNCS {
            if let FuncKind::Helper(id) = f.kind {
                assert_eq!(helper_name(id), Some(f.name), "helper {id}");
            }
        }
    }

    #[test]
    fn spec_catalogue_resolves() {
        // SPEC §3: helper ids as in the kernel UAPI.
        for (name, id) in [
            ("bpf_map_lookup_elem", 1),
            ("bpf_map_update_elem", 2),
            ("bpf_ktime_get_ns", 5),
            ("bpf_trace_printk", 6),
            ("bpf_get_prandom_u32", 7),
            ("bpf_sk_lookup_tcp", 84),
            ("bpf_sk_release", 86),
            ("bpf_spin_lock", 93),
            ("bpf_spin_unlock", 94),
            ("bpf_ringbuf_reserve", 131),
            ("bpf_ringbuf_submit", 132),
            ("bpf_ringbuf_discard", 133),
            ("bpf_loop", 181),
        ] {
            assert_eq!(
                resolve_call_name(name),
                Some(CallRef::Helper { id }),
                "{name}"
            );
        }
        for name in [
            "bpf_obj_new",
            "bpf_obj_drop",
            "bpf_percpu_obj_new",
            "bpf_percpu_obj_drop",
            "bpf_task_from_pid",
            "bpf_task_release",
            "bpf_cgroup_from_id",
            "bpf_cgroup_release",
            "bpf_cpumask_create",
            "bpf_cpumask_release",
            "bpf_rcu_read_lock",
            "bpf_rcu_read_unlock",
            "bpf_preempt_disable",
            "bpf_preempt_enable",
            "bpf_local_irq_save",
            "bpf_local_irq_restore",
            "bpf_throw",
        ] {
            assert!(
                matches!(resolve_call_name(name), Some(CallRef::Kfunc { .. })),
                "{name}"
            );
        }
        // Unmodelled UAPI helpers still resolve by name.
        assert_eq!(
            resolve_call_name("bpf_csum_diff"),
            Some(CallRef::Helper { id: 28 })
        );
        assert_eq!(resolve_call_name("bpf_no_such_helper"), None);
    }

    #[test]
    fn every_resource_has_an_acquirer_and_its_release_function() {
        for kind in ResourceKind::ALL {
            assert!(
                FUNCS.iter().any(|f| f.effect == Effect::Acquire(kind)),
                "{kind:?}"
            );
            let release = func_by_name(kind.release_function()).expect("release function");
            assert_eq!(release.effect, Effect::Release(kind));
        }
    }

    #[test]
    fn cpumask_kfuncs_are_restricted_like_the_kernel() {
        let f = func_by_name("bpf_cpumask_create").unwrap();
        assert!(f.allowed_in(ProgType::Tracing));
        assert!(!f.allowed_in(ProgType::SchedCls));
    }

    #[test]
    fn prog_and_map_type_names_round_trip() {
        for &t in ProgType::ALL {
            assert_eq!(ProgType::from_name(t.name()), Some(t));
        }
        for &t in MapType::ALL {
            assert_eq!(MapType::from_name(t.name()), Some(t));
        }
        assert_eq!(ProgType::from_name("classifier"), Some(ProgType::SchedCls));
    }
}
