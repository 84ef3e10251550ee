//! Scalar bounds, split by concern: the domain and its synchronisation ([`scalar`]), the
//! ALU transfer functions ([`alu`]), and branch taking and refinement ([`branch`]). The
//! concrete meaning these abstract is [`unwind_isa::semantics`].

mod alu;
mod branch;
mod scalar;

pub use branch::{flip, reverse};
pub use scalar::Scalar;
