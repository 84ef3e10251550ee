//! Prints what the loader makes of an object: `cargo run -p unwind-object --example object_dump -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("an object file");
    let bytes = std::fs::read(&path).expect("readable");
    match unwind_object::load(&bytes) {
        Err(e) => println!("error: {e}"),
        Ok(obj) => {
            for m in &obj.maps {
                println!(
                    "map {} {} key={} value={} max_entries={}",
                    m.name, m.map_type, m.key_size, m.value_size, m.max_entries
                );
            }
            for p in &obj.programs {
                println!(
                    "== program {} (section {}, {:?})",
                    p.name, p.section, p.prog_type
                );
                match &p.program {
                    Ok(program) => print!(
                        "{}",
                        unwind_program::disasm::disassemble(
                            program,
                            unwind_program::disasm::Style::Source
                        )
                    ),
                    Err(e) => println!("error: {e}"),
                }
            }
        }
    }
}
