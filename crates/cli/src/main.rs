//! `unwind`: the command line of the Unwind BPF assembler, verifier and interpreter.
//!
//! This file only wires the pieces: [`args`] parses (each command's option table through
//! [`options`]), [`commands`] does the work and returns
//! what to print and the exit code, and the result is written out here.

mod args;
mod commands;
mod options;
mod report;

use std::process::ExitCode;

fn main() -> ExitCode {
    let output = match args::parse(std::env::args_os().skip(1)) {
        Ok(command) => commands::execute(command),
        Err(err) => commands::Output::usage_error(&err),
    };
    output.emit()
}
