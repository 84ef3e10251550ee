//! Assembles files and prints diagnostics or the disassembly (a development aid).
fn main() {
    let mut failed = 0;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quiet = args.iter().any(|a| a == "-q");
    for path in args.iter().filter(|a| *a != "-q") {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let src = if path.ends_with(".data") {
            // Conformance file: the `-- asm` (or `-- raw`) section.
            let mut out = String::new();
            let mut on = false;
            for l in text.lines() {
                if l.starts_with("--") {
                    on = l.starts_with("-- asm");
                    out.push('\n');
                    continue;
                }
                out.push_str(if on { l } else { "" });
                out.push('\n');
            }
            out
        } else {
            text
        };
        let a = unwind_asm::assemble(&src);
        match a.program {
            Some(p) => {
                if !quiet {
                    print!(
                        "{}",
                        unwind_program::disasm::disassemble(
                            &p,
                            unwind_program::disasm::Style::Source
                        )
                    );
                    print!(
                        "{}",
                        unwind_program::disasm::disassemble(&p, unwind_program::disasm::Style::Log)
                    );
                }
                let again = unwind_asm::assemble(&unwind_program::disasm::disassemble(
                    &p,
                    unwind_program::disasm::Style::Source,
                ));
                match again.program {
                    Some(q) if q.slots == p.slots => {}
                    Some(_) => {
                        failed += 1;
                        println!("{path}: ROUNDTRIP MISMATCH");
                    }
                    None => {
                        failed += 1;
                        println!(
                            "{path}: ROUNDTRIP FAIL {:?}",
                            again.diagnostics.first().map(|d| d.to_string())
                        );
                    }
                }
            }
            None => {
                failed += 1;
                for d in a.diagnostics.iter().take(3) {
                    println!("{path}:{d}");
                }
            }
        }
    }
    println!("{failed} failed");
}
