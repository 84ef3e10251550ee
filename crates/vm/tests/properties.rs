//! Random instruction sequences with random inputs never panic the interpreter and always end
//! (a result, a fault, or the budget); the stepper agrees with the fast path and can undo a
//! whole run; on call-heavy programs (subprograms, recursion, bpf_loop callbacks, stack use)
//! the fast loop's own calls and exits agree with the stepper's general path.

use proptest::prelude::*;
use unwind_isa::RawInsn;
use unwind_kernel::{MapType, ProgType};
use unwind_program::{MapDef, Program, Span};
use unwind_vm::{Config, HelperTable, Machine, Vm, World};

/// Opcodes that decode (most of the time, given the other fields), plus a few random bytes.
const CODES: &[u8] = &[
    0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f,
    0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0xdc, 0xd4, 0x04, 0x0c, 0x14, 0x1c,
    0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4,
    0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55,
    0x5d, 0x65, 0x6d, 0x75, 0x7d, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, 0x16, 0x1e, 0x56,
    0x5e, 0xa6, 0xae, 0xe5, 0x85, 0x8d, 0x95, 0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x61, 0x69,
    0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb,
];

fn insn() -> impl Strategy<Value = RawInsn> {
    let code = prop_oneof![9 => prop::sample::select(CODES), 1 => any::<u8>()];
    let reg = prop_oneof![8 => 0u8..=10, 1 => 0u8..=15];
    let off = prop_oneof![4 => -16i16..16, 1 => -600i16..600, 1 => any::<i16>()];
    let imm = prop_oneof![
        4 => -64i32..64,
        1 => prop::sample::select(vec![0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1, 16, 32, 64, 1, 2, 5, 6, 7, 181, 131, 84]),
        1 => any::<i32>(),
    ];
    (code, reg.clone(), reg, off, imm).prop_map(|(c, d, s, o, i)| {
        // Calls: mostly helpers, sometimes local calls (src 1) or kfuncs (src 2).
        let s = if c == 0x85 { s % 3 } else { s };
        RawInsn::new(c, d, s, o, i)
    })
}

/// (instructions, input bytes, conformance helper table?, program type index).
type Case = (Vec<RawInsn>, Vec<u8>, bool, usize);

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(insn(), 1..40),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<bool>(),
        0usize..4,
    )
}

/// Program types with different ctx and packet set-ups; every program declares an array, a
/// hash and a ringbuf map (maps 0, 1, 2), so random `ld_imm64` map loads reach the helpers.
const TYPES: [Option<ProgType>; 4] = [
    None,
    Some(ProgType::SchedCls),
    Some(ProgType::Xdp),
    Some(ProgType::Tracing),
];

fn setup(slots: &[RawInsn], mem: &[u8], conformance: bool, ty: usize) -> (Program, World, Config) {
    let mut slots = slots.to_vec();
    slots.push(RawInsn::new(0x95, 0, 0, 0, 0));
    let mut program = Program::from_slots(slots);
    program.prog_type = TYPES[ty];
    program.maps = [
        (MapType::Array, 4, 16, 4),
        (MapType::Hash, 4, 8, 2),
        (MapType::Ringbuf, 0, 0, 64),
    ]
    .iter()
    .enumerate()
    .map(
        |(i, &(map_type, key_size, value_size, max_entries))| MapDef {
            name: format!("m{i}"),
            map_type,
            key_size,
            value_size,
            max_entries,
            span: Span::default(),
        },
    )
    .collect();
    let world = World {
        mem: (!mem.is_empty()).then(|| mem.iter().map(|b| format!("{b:02x}")).collect()),
        ..World::default()
    };
    let config = Config {
        budget: 5_000,
        helpers: if conformance {
            HelperTable::Conformance
        } else {
            HelperTable::Kernel
        },
        ..Config::default()
    };
    (program, world, config)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_programs_always_end((slots, mem, conformance, ty) in case()) {
        let (program, world, config) = setup(&slots, &mem, conformance, ty);
        let mut m = Machine::new(&program, &world, config).unwrap();
        m.run();
        prop_assert!(!m.is_running());
        prop_assert!(m.insns <= 5_000);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn the_stepper_agrees_with_the_fast_path_and_undoes_everything((slots, mem, conformance, ty) in case()) {
        let (program, world, config) = setup(&slots, &mem, conformance, ty);
        let mut fast = Machine::new(&program, &world, config.clone()).unwrap();
        fast.run();
        let mut vm = Vm::new(&program, &world, config).unwrap();
        let start = vm.snapshot();
        let start_mem = format!("{:?}", vm.machine().mem);
        vm.run();
        prop_assert_eq!(vm.status(), &fast.status);
        prop_assert_eq!(vm.machine().regs, fast.regs);
        prop_assert_eq!(&vm.machine().kernel.events, &fast.kernel.events);
        let steps = vm.trace_len();
        prop_assert_eq!(vm.back(usize::MAX), steps);
        prop_assert_eq!(vm.snapshot(), start);
        prop_assert_eq!(format!("{:?}", vm.machine().mem), start_mem);
    }
}

/// One piece of a function body in the call-heavy programs, as assembly.
fn piece(functions: usize) -> impl Strategy<Value = String> {
    let reg = 0u8..=9;
    let alu = (
        reg.clone(),
        prop::sample::select(vec![
            "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "s>>",
        ]),
        -8i32..64,
    )
        .prop_map(|(d, op, imm)| format!("r{d} {op}= {imm}"));
    let mov = (reg.clone(), reg.clone()).prop_map(|(d, s)| format!("r{d} = r{s}"));
    let size = prop::sample::select(vec!["u8", "u16", "u32", "u64"]);
    // Stack slots at r10-8..r10-32: stores, and loads that may read what this invocation did
    // not write (a new frame's stack reads as zero, also where an earlier frame at this depth
    // wrote).
    let store = (size.clone(), 1u32..=4, reg.clone())
        .prop_map(|(sz, k, s)| format!("*({sz} *)(r10 - {}) = r{s}", 8 * k));
    let load = (reg.clone(), size, 1u32..=4)
        .prop_map(|(d, sz, k)| format!("r{d} = *({sz} *)(r10 - {})", 8 * k));
    let call = (1..=functions).prop_map(|j| format!("call f{j}"));
    // bpf_loop with a subprogram as the callback (returning non-zero ends the loop early).
    let looped = (1..=functions, 0u32..4)
        .prop_map(|(j, n)| format!("r1 = {n}\nr2 = f{j}\nr3 = 0\nr4 = 0\ncall bpf_loop"));
    let early_exit = (reg, 0i32..8).prop_map(|(d, imm)| format!("if r{d} > {imm} goto +1\nexit"));
    prop_oneof![4 => alu, 2 => mov, 3 => store, 3 => load, 3 => call, 1 => looped, 1 => early_exit]
}

/// A main function and 1-3 subprograms that call each other (recursion included, so the depth
/// limit is reached too), with their stack use, callee-saved registers and bpf_loop callbacks.
fn call_program() -> impl Strategy<Value = String> {
    (1usize..=3).prop_flat_map(|n| {
        prop::collection::vec(prop::collection::vec(piece(n), 1..8), n + 1).prop_map(|bodies| {
            let mut src = String::new();
            for (i, body) in bodies.iter().enumerate() {
                if i > 0 {
                    src.push_str(&format!("f{i}:\n"));
                }
                for p in body {
                    src.push_str(p);
                    src.push('\n');
                }
                src.push_str("exit\n");
            }
            src
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Calls and exits in the fast loop (taken when recording is off and call events are no
    /// longer kept) against the stepper's general path: the same end, registers, instruction
    /// count, frames, events and dropped events, whatever `max_call_events` lets through; and
    /// the stepper undoes the whole run.
    #[test]
    fn fast_calls_agree_with_the_stepper(src in call_program(), max_call_events in prop::sample::select(vec![0usize, 3, 10_000])) {
        let program = unwind_asm::assemble(&src).program.expect("the generated program assembles");
        let config = Config { budget: 5_000, max_call_events, ..Config::default() };
        let world = World::default();
        let mut fast = Machine::new(&program, &world, config.clone()).unwrap();
        fast.run();
        prop_assert!(!fast.is_running());
        let mut vm = Vm::new(&program, &world, config).unwrap();
        let start = vm.snapshot();
        vm.run();
        let m = vm.machine();
        prop_assert_eq!(&m.status, &fast.status);
        prop_assert_eq!(m.regs, fast.regs);
        prop_assert_eq!(m.insns, fast.insns);
        prop_assert_eq!(&m.frames, &fast.frames);
        prop_assert_eq!(&m.kernel.events, &fast.kernel.events);
        prop_assert_eq!(m.kernel.events_dropped, fast.kernel.events_dropped);
        prop_assert_eq!(format!("{:?}", m.mem), format!("{:?}", fast.mem));
        let steps = vm.trace_len();
        prop_assert_eq!(vm.back(usize::MAX), steps);
        prop_assert_eq!(vm.snapshot(), start);
    }
}
