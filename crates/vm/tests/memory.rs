//! A VM for a 4,096-instruction program takes under 1 MiB besides its trace: measured with a
//! counting global allocator (live heap bytes before and after creating it).

// A counting global allocator must implement the unsafe `GlobalAlloc` trait.
#![allow(unsafe_code)]

use std::sync::atomic::Ordering;

use unwind_vm::{Config, Vm, World};

include!("../benches/support/counting_alloc.rs");

#[test]
fn a_vm_for_4096_instructions_fits_in_1_mib() {
    let body: String = (0..1024)
        .map(|i| format!("r1 = {i}\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 += r1\n"))
        .collect();
    let program = unwind_asm::assemble(&format!("{body}exit\n"))
        .program
        .unwrap();
    assert_eq!(program.slots.len(), 4097);
    // One test in this binary, so no other thread allocates meanwhile.
    let before = LIVE.load(Ordering::SeqCst);
    let mut vm = Vm::new(&program, &World::default(), Config::default()).unwrap();
    vm.set_recording(false);
    vm.run();
    let used = LIVE.load(Ordering::SeqCst) - before;
    eprintln!("Vm for 4,097 slots after a run without trace: {used} bytes");
    assert!(used < 1 << 20, "{used} bytes");
    drop(vm);
    // With Back available: the checkpoints add little (the program is shared, unchanged
    // regions are shared between them).
    let before = LIVE.load(Ordering::SeqCst);
    let mut vm = Vm::new(&program, &World::default(), Config::default()).unwrap();
    vm.run();
    let with_back = LIVE.load(Ordering::SeqCst) - before;
    eprintln!(
        "with Back available: {with_back} bytes, {} checkpoints",
        vm.checkpoints().len()
    );
    assert_eq!(vm.trace_len(), 4097);
    assert!(with_back < 1 << 20, "{with_back} bytes");
}
