//! The per-pc states recorded for the page: every distinct state at a pc, each with the pcs
//! its paths came from (the kernel's log says the same with its `from X to Y:` lines).

use unwind_verifier::{verify, Options};

fn states(src: &str) -> Vec<unwind_verifier::PcState> {
    let program = unwind_asm::assemble(src).program.expect("assembles");
    let v = verify(&program, &Options::default());
    assert!(v.accepted, "{:?}", v.errors);
    v.states
}

#[test]
fn a_join_names_the_jump_and_the_fall_through() {
    let all = states(
        ".ctx tc\nr6 = *(u32 *)(r1 + 0)\nr0 = 0\nif r6 > 5 goto big\nr0 = 1\nbig:\nr0 += 2\nexit\n",
    );
    let at = |pc| all.iter().find(|s| s.pc == pc).expect("recorded");
    // pc 0 is the entry: no origin.
    assert_eq!(at(0).origins, vec![Vec::<usize>::new()]);
    // pc 4 (`r0 += 2`): the path through `r0 = 1` (pc 3), then the jump's at pc 2.
    let join = at(4);
    assert_eq!(join.states.len(), 2);
    assert_eq!(join.origins, vec![vec![3], vec![2]]);
    assert!(join.states[0].contains("R0_w=1"), "{}", join.states[0]);
}

#[test]
fn a_subprogram_entry_names_its_call_and_the_return_names_the_exit() {
    let all = states("r1 = 1\ncall f\nexit\nf:\nr0 = r1\nexit\n");
    let at = |pc| all.iter().find(|s| s.pc == pc).expect("recorded");
    // f starts at pc 3, reached from the call at pc 1; pc 2 after f's exit at pc 4.
    assert_eq!(at(3).origins, vec![vec![1]]);
    assert_eq!(at(2).origins, vec![vec![4]]);
    assert_eq!(at(0).states.len(), at(0).origins.len());
}
