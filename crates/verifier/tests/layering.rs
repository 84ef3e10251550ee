//! The verifier prints instructions with `unwind_program::disasm`; it must not depend on the
//! parser (`unwind-asm` is a dev-dependency, for tests that write programs as text).

#[test]
fn the_verifier_does_not_depend_on_the_assembler() {
    let manifest = include_str!("../Cargo.toml");
    let normal = manifest
        .split("\n[")
        .find(|section| section.starts_with("dependencies]"))
        .expect("a [dependencies] section");
    assert!(!normal.contains("unwind-asm"), "{normal}");
}
