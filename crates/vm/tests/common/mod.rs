//! Shared helpers of the interpreter's tests.
#![allow(dead_code)]

use unwind_asm::assemble;
use unwind_isa::RawInsn;
use unwind_program::Program;
use unwind_vm::{Config, Fault, Machine, Status, World};

pub fn program(src: &str) -> Program {
    let a = assemble(src);
    match a.program {
        Some(p) => p,
        None => panic!("does not assemble: {:?}\n{src}", a.diagnostics),
    }
}

pub fn machine_with(src: &str, world: &World, config: Config) -> Machine {
    let mut m = Machine::new(&program(src), world, config).expect("set up");
    m.run();
    m
}

pub fn run(src: &str) -> Machine {
    machine_with(src, &World::default(), Config::default())
}

/// R0 at a normal end.
pub fn r0(src: &str) -> u64 {
    let m = run(src);
    match m.status {
        Status::Exited { return_value } => return_value,
        s => panic!("expected an exit, got {s:?}\n{src}"),
    }
}

pub fn fault_of(m: &Machine) -> Fault {
    match &m.status {
        Status::Faulted { fault } => fault.clone(),
        s => panic!("expected a fault, got {s:?}"),
    }
}

pub fn fault(src: &str) -> Fault {
    fault_of(&run(src))
}

pub fn run_slots(slots: Vec<RawInsn>) -> Machine {
    let mut m = Machine::new(
        &Program::from_slots(slots),
        &World::default(),
        Config::default(),
    )
    .expect("set up");
    m.run();
    m
}
