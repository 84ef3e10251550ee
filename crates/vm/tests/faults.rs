//! One test per fault kind: the pc, the source line and the message. None of these panic.

mod common;
use common::{fault, fault_of, machine_with, run_slots};
use unwind_isa::RawInsn;
use unwind_vm::{Config, FaultKind, World};

#[test]
fn out_of_bounds_names_the_region_and_offset() {
    let f = fault("r0 = 0\n\nr0 = *(u64 *)(r10 + 0)\nexit");
    assert_eq!((f.pc, f.line), (1, 3));
    assert!(
        f.message.starts_with("invalid read of 8 byte(s) at 0x")
            && f.message
                .ends_with(": the stack of frame 0 is 512 bytes, offset 512 is out of bounds"),
        "{}",
        f.message
    );
    let f = fault("*(u8 *)(r10 - 513) = 1\nexit");
    assert_eq!(f.pc, 0);
    assert!(
        f.message.contains("invalid write of 1 byte(s)")
            && f.message.contains("offset -1 is out of bounds"),
        "{}",
        f.message
    );
    assert!(matches!(f.kind, FaultKind::OutOfBounds { offset: -1, .. }));
}

#[test]
fn null_dereference() {
    let f = fault("r1 = 0\nr0 = *(u32 *)(r1 + 16)\nexit");
    assert_eq!(f.pc, 1);
    assert_eq!(
        f.message,
        "NULL pointer dereference: read of 4 byte(s) at 0x10"
    );
}

#[test]
fn unmapped_address() {
    let f = fault("r1 = 0x12345678 ll\n*(u8 *)(r1 + 0) = 1\nexit");
    assert_eq!(f.pc, 2);
    assert_eq!(
        f.message,
        "invalid write of 1 byte(s) at 0x12345678: no memory is mapped there"
    );
}

#[test]
fn use_after_release() {
    let f = fault(".ctx tracing\nr1 = 8\ncall bpf_obj_new\nr6 = r0\nr1 = r0\ncall bpf_obj_drop\nr0 = *(u64 *)(r6 + 0)\nexit");
    assert_eq!((f.pc, f.line), (5, 7));
    assert!(
        f.message.ends_with(": an object was released"),
        "{}",
        f.message
    );
}

#[test]
fn read_only_memory() {
    let f = fault(".ctx tracing\nr1 = 1\ncall bpf_task_from_pid\n*(u32 *)(r0 + 0) = 2\nexit");
    assert_eq!(f.pc, 2);
    assert!(
        f.message.ends_with(": a task is read-only"),
        "{}",
        f.message
    );
}

#[test]
fn ctx_pointer_fields_cannot_be_written_or_read_in_part() {
    let f = fault(".ctx tc\n*(u32 *)(r1 + 76) = 0\nexit");
    assert_eq!(f.pc, 0);
    assert_eq!(
        f.message,
        "invalid bpf_context access off=76 size=4: data is read-only"
    );
    let f = fault(".ctx tc\nr0 = *(u16 *)(r1 + 80)\nexit");
    assert_eq!(
        f.message,
        "invalid bpf_context access off=80 size=2: data_end must be read whole (4 bytes)"
    );
}

#[test]
fn frame_pointer_is_read_only() {
    // `r10 = 0` as raw bytecode (mov r10, 0).
    let m = run_slots(vec![
        RawInsn::new(0xb7, 10, 0, 0, 0),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ]);
    let f = fault_of(&m);
    assert_eq!(f.pc, 0);
    assert_eq!(f.message, "frame pointer is read only");
}

#[test]
fn jump_out_of_the_program() {
    let m = run_slots(vec![
        RawInsn::new(0xb7, 0, 0, 0, 0),
        RawInsn::new(0x05, 0, 0, 5, 0),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ]);
    let f = fault_of(&m);
    assert_eq!(f.pc, 1);
    assert_eq!(
        f.message,
        "jump out of range: target pc 7 is not an instruction of the program"
    );
    // Into the middle of an ld_imm64.
    let m = run_slots(vec![
        RawInsn::new(0x05, 0, 0, 1, 0),
        RawInsn::new(0x18, 0, 0, 0, 1),
        RawInsn::new(0, 0, 0, 0, 0),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ]);
    assert!(matches!(
        fault_of(&m).kind,
        FaultKind::BadJump { target: 2 }
    ));
}

#[test]
fn falling_off_the_end() {
    let f = fault("r0 = 0\nr0 += 1");
    assert_eq!((f.pc, f.line), (1, 2));
    assert_eq!(
        f.message,
        "execution ran past the last instruction without an exit"
    );
}

#[test]
fn call_depth_beyond_eight_frames() {
    let f = fault("call f\nexit\nf:\ncall f\nexit");
    assert_eq!((f.pc, f.line), (2, 4));
    assert_eq!(
        f.message,
        "call stack too deep: a call at depth 8 would exceed 8 frames"
    );
}

#[test]
fn budget_exhausted() {
    let m = machine_with(
        "l:\nr0 += 1\ngoto l",
        &World::default(),
        Config {
            budget: 1000,
            ..Config::default()
        },
    );
    let f = fault_of(&m);
    assert_eq!(f.message, "instruction budget of 1000 exhausted");
    assert_eq!(m.insns, 1000);
    assert_eq!(f.pc, 0);
    assert_eq!(m.regs[0], 500);
}

#[test]
fn unknown_helper_and_kfunc() {
    let f = fault("call 28\nexit");
    assert_eq!(f.pc, 0);
    assert_eq!(
        f.message,
        "unknown helper #28 (bpf_csum_diff): not modelled by the simulated kernel"
    );
    let f = fault("call 100000\nexit");
    assert_eq!(f.message, "unknown helper #100000");
    let m = run_slots(vec![
        RawInsn::new(0x85, 0, 2, 0, 12345),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ]);
    assert_eq!(fault_of(&m).message, "unknown kfunc with BTF id 12345");
}

#[test]
fn kfunc_not_allowed_in_the_program_type() {
    let f = fault(".ctx tc\ncall bpf_cpumask_create\nexit");
    assert_eq!(f.pc, 0);
    assert_eq!(
        f.message,
        "calling kernel function bpf_cpumask_create is not allowed in tc programs"
    );
}

#[test]
fn bad_arguments_to_helpers() {
    let f = fault(".ctx tracing\nr1 = 5\ncall bpf_obj_drop\nexit");
    assert_eq!(f.pc, 1);
    assert_eq!(
        f.message,
        "bpf_obj_drop: R1 (0x5) is not a live object reference"
    );
    let f = fault("r1 = 0\nr2 = r10\ncall bpf_map_lookup_elem\nexit");
    assert_eq!(f.message, "bpf_map_lookup_elem: R1 (0x0) is not a map");
    let f = fault("r1 = 1\nr2 = 7\ncall bpf_loop\nexit");
    assert!(
        f.message
            .starts_with("bpf_loop: R2 (0x7) is not a function"),
        "{}",
        f.message
    );
}

#[test]
fn invalid_and_unsupported_instructions() {
    let m = run_slots(vec![
        RawInsn::new(0xff, 0, 0, 0, 0),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ]);
    let f = fault_of(&m);
    assert_eq!(f.pc, 0);
    assert_eq!(f.message, "invalid instruction: unknown opcode 0xff");
    let f = fault("r0 = addr_space_cast(r1, 0, 1)\nexit");
    assert_eq!(
        f.message,
        "unsupported instruction: addr_space_cast: arenas are not modelled"
    );
}

#[test]
fn every_fault_is_also_an_event() {
    let m = common::run("r0 = *(u8 *)(r10 + 1)\nexit");
    let last = m.kernel.events.last().unwrap();
    assert_eq!(last.name(), "fault");
    assert_eq!(last.pc, 0);
}
