//! The kernel's verifier selftests loaded from their compiled objects against the translated
//! case files: `cargo run -p unwind-object --example kselftests_elf -- CORPUS OBJDIR`, with
//! CORPUS the generator's output (`make kselftests-corpus`: target/kselftests) and OBJDIR its
//! objects (`$KSELFTESTS_CACHE/build/*/obj`). Prints every case whose ELF verdict differs from
//! its case file's, then the tally.
use std::collections::HashMap;

use unwind_verifier::{verify, Options};

fn main() {
    let mut args = std::env::args().skip(1);
    let corpus = args.next().expect("the corpus folder");
    let objdir = args.next().expect("the objects folder");
    let mut paths: Vec<_> = std::fs::read_dir(&corpus)
        .expect("readable corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    paths.sort();
    let mut objects: HashMap<String, Option<unwind_object::Object>> = HashMap::new();
    let (mut cases, mut found, mut same, mut as_kernel_case, mut as_kernel_elf) = (0, 0, 0, 0, 0);
    for path in &paths {
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let Some((file, test)) = src
            .lines()
            .find_map(|l| l.strip_prefix("// kselftest: "))
            .and_then(|l| l.split_once(" / "))
        else {
            continue;
        };
        let expect_accept = src.lines().any(|l| l == "// expect: accept");
        let Some(case) = unwind_asm::assemble(&src).program else {
            continue;
        };
        cases += 1;
        let obj = objects
            .entry(file.to_string())
            .or_insert_with(|| {
                let o = format!("{objdir}/{}", file.replace(".c", ".o"));
                std::fs::read(&o)
                    .ok()
                    .and_then(|b| unwind_object::load(&b).ok())
            })
            .as_ref();
        let Some(p) = obj.and_then(|o| o.program(test).ok()) else {
            println!("{file} / {test}: no such program in the object");
            continue;
        };
        let Ok(elf) = &p.program else {
            println!(
                "{file} / {test}: not loaded: {}",
                p.program.as_ref().unwrap_err()
            );
            continue;
        };
        found += 1;
        let opts = Options {
            log_level: 1,
            ..Options::default()
        };
        let (a, b) = (verify(&case, &opts), verify(elf, &opts));
        if a.accepted == b.accepted {
            same += 1;
        } else {
            let msg = |v: &unwind_verifier::Verdict| {
                v.errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default()
            };
            println!(
                "{file} / {test}: case file {} ({}), ELF {} ({})",
                a.accepted,
                msg(&a),
                b.accepted,
                msg(&b)
            );
        }
        as_kernel_case += usize::from(a.accepted == expect_accept);
        as_kernel_elf += usize::from(b.accepted == expect_accept);
    }
    println!(
        "{cases} cases, {found} loaded from ELF, {same} with the case file's verdict; \
         as the kernel expects: case files {as_kernel_case}, ELF {as_kernel_elf}"
    );
}
