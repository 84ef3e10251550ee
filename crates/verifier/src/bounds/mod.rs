//! Scalar bounds, split by concern: the domain and its synchronisation (`scalar.rs`), the
//! ALU transfer functions (`alu.rs`), and branch taking and refinement (`branch.rs`). The
//! concrete meaning these abstract is [`unwind_isa::semantics`].

mod alu;
mod branch;
mod scalar;

pub use branch::{flip, reverse};
pub use scalar::Scalar;
