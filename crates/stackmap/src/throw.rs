//! Throw reachability: which functions might throw, computed once, bottom-up over the call
//! graph, before the main verification pass (the RFC's `mark_exception_reachable_subprogs`,
//! and upstream's `might_throw` of May 2026, which ORs each callee's flag into its callers).

use serde::Serialize;
use unwind_isa::{CallTarget, Imm64Kind, Insn, Slot};
use unwind_kernel::{kfunc_by_btf_id, Effect};
use unwind_program::Program;

/// What the pre-pass learned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ThrowFacts {
    /// Per function (index into `program.functions`): it contains a `bpf_throw` call itself.
    pub throws_directly: Vec<bool>,
    /// Per function: it, or any function it calls (transitively), contains a `bpf_throw` call.
    pub might_throw: Vec<bool>,
    /// Every pc holding a `call bpf_throw`.
    pub throw_sites: Vec<usize>,
    /// Per function: the functions it calls with bpf-to-bpf calls (indices, sorted, deduplicated).
    pub callees: Vec<Vec<usize>>,
    /// Per function: the functions whose address it loads (`r2 = cb`, callbacks).
    pub callbacks: Vec<Vec<usize>>,
}

impl ThrowFacts {
    /// Whether the program throws anywhere (the kernel's `seen_exception`).
    pub fn seen_throw(&self) -> bool {
        !self.throw_sites.is_empty()
    }
}

/// Whether `insn` is a call of the catalogue's `bpf_throw`.
pub fn is_throw_call(insn: &Insn) -> bool {
    matches!(insn, Insn::Call(CallTarget::Kfunc(id))
        if kfunc_by_btf_id(*id).is_some_and(|f| f.effect == Effect::Throw))
}

/// Computes the throw facts. Call edges are bpf-to-bpf calls; a callback's address load is not
/// a call edge (a callback that throws is refused on its own: "cannot be called from callback
/// subprog"). Cycles, which the verifier refuses later, still reach a fixed point here.
/// Adds `f` to the sorted, deduplicated `list` (no sort: a sort instance of its own costs the
/// wasm module about 1 KB gzipped, and the lists are short).
fn insert_sorted(list: &mut Vec<usize>, f: usize) {
    if let Err(at) = list.binary_search(&f) {
        list.insert(at, f);
    }
}

pub fn throw_facts(program: &Program) -> ThrowFacts {
    let n = program.functions.len();
    let mut facts = ThrowFacts {
        throws_directly: vec![false; n],
        might_throw: vec![false; n],
        throw_sites: Vec::new(),
        callees: vec![Vec::new(); n],
        callbacks: vec![Vec::new(); n],
    };
    let func_index =
        |pc: i64| -> Option<usize> { program.function_starting_at(usize::try_from(pc).ok()?) };
    for (pc, slot) in program.decode().iter().enumerate() {
        let Slot::Insn(insn) = slot else { continue };
        let Some(caller) = program.function_index_at(pc) else {
            continue;
        };
        if is_throw_call(insn) {
            facts.throws_directly[caller] = true;
            facts.throw_sites.push(pc);
        }
        match insn {
            Insn::Call(CallTarget::Local(_)) => {
                if let Some(callee) = insn.function_target(pc).and_then(func_index) {
                    insert_sorted(&mut facts.callees[caller], callee);
                }
            }
            Insn::LdImm64 {
                kind: Imm64Kind::Func,
                ..
            } => {
                if let Some(cb) = insn.function_target(pc).and_then(func_index) {
                    insert_sorted(&mut facts.callbacks[caller], cb);
                }
            }
            _ => {}
        }
    }
    // Propagate callee to caller until nothing changes: at most `n` rounds, each linear.
    facts.might_throw.clone_from(&facts.throws_directly);
    for _ in 0..n {
        let mut changed = false;
        for caller in 0..n {
            if !facts.might_throw[caller]
                && facts.callees[caller].iter().any(|&c| facts.might_throw[c])
            {
                facts.might_throw[caller] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> (Program, ThrowFacts) {
        let a = unwind_asm::assemble(src);
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        let p = a.program.unwrap();
        let f = throw_facts(&p);
        (p, f)
    }

    #[test]
    fn throw_reaches_callers_bottom_up() {
        // main -> a -> b (throws); main -> c (does not). Like exceptions.c's
        // static2global -> global2static -> static_func chains.
        let (p, f) = facts(
            "call a\ncall c\nr0 = 0\nexit\n\
             a:\ncall b\nr0 = 0\nexit\n\
             b:\nr1 = 32\ncall bpf_throw\nr0 = 0\nexit\n\
             c:\nr0 = 1\nexit\n",
        );
        let names: Vec<_> = p.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["main", "a", "b", "c"]);
        assert_eq!(f.throws_directly, [false, false, true, false]);
        assert_eq!(f.might_throw, [true, true, true, false]);
        assert_eq!(f.throw_sites, [p.functions[2].start + 1]);
        assert_eq!(f.callees[0], [1, 3]);
        assert!(f.seen_throw());
    }

    #[test]
    fn callbacks_are_not_call_edges() {
        let (_, f) = facts(
            "r1 = 1\nr2 = cb\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 0\nexit\n\
             cb:\nr1 = 0\ncall bpf_throw\nr0 = 0\nexit\n",
        );
        assert_eq!(f.might_throw, [false, true]);
        assert_eq!(f.callbacks[0], [1]);
    }

    #[test]
    fn no_throw_no_facts() {
        let (_, f) = facts("r0 = 0\nexit\n");
        assert!(!f.seen_throw());
        assert_eq!(f.might_throw, [false]);
    }

    #[test]
    fn recursion_reaches_a_fixed_point() {
        let (_, f) = facts("call a\nexit\na:\ncall b\nexit\nb:\ncall a\ncall bpf_throw\nexit\n");
        assert_eq!(f.might_throw, [true, true, true]);
    }
}
