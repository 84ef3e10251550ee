//! What the kernel's selftest harness sets up before it runs a verifier selftest
//! (`tools/testing/selftests/bpf/prog_tests/verifier.c`, `test_verifier.c`), so that the
//! interpreter's results can be compared with the kernel's `__retval`s. Shared by the
//! `unwind-kselftests` runner and the tests that run the corpus in the interpreter; it is the
//! harness's business, not the interpreter's.

use unwind_program::Program;

use unwind_vm::world::{MapEntry, World};

/// The world for a selftest of `file` (its C file, e.g. `verifier_array_access.c`): the
/// harness's `init_test_val_map` stores, at key 0, a `struct test_val { unsigned index; int
/// foo[11]; }` with `index = (6 + 1) * sizeof(int)` and `foo[6] = 0xabcdef12` in these maps of
/// these files. Maps the program does not declare are left out.
pub fn harness_world(file: &str, program: &Program) -> World {
    let maps: &[&str] = match file {
        "verifier_array_access.c" => &["map_array_ro", "map_array_wo"],
        "verifier_value_ptr_arith.c" => &["map_array_48b"],
        _ => &[],
    };
    let mut value = [0u8; 48];
    value[..4].copy_from_slice(&28u32.to_le_bytes());
    value[4 + 6 * 4..4 + 7 * 4].copy_from_slice(&0xabcd_ef12u32.to_le_bytes());
    let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
    let mut world = World::default();
    for m in maps {
        if program.maps.iter().any(|d| d.name == *m) {
            world.maps.insert(
                (*m).to_string(),
                vec![MapEntry {
                    key: "00000000".into(),
                    value: hex.clone(),
                }],
            );
        }
    }
    world
}
