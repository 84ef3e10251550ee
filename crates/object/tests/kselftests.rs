//! The kernel's verifier selftests loaded directly from their compiled objects give the same
//! verdicts as the case files the generator translated from them (when both are here: the
//! corpus from `make kselftests-corpus` in target/kselftests, the objects in the generator's
//! cache, `$KSELFTESTS_CACHE/build/*/obj`; otherwise the test prints a note and passes).

use std::collections::HashMap;
use std::path::PathBuf;

use unwind_verifier::{verify, Options};

fn dirs() -> Option<(PathBuf, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("target/kselftests");
    if !corpus.join("INDEX.tsv").is_file() {
        return None;
    }
    let cache = std::env::var_os("KSELFTESTS_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kselftests")))?;
    let build = std::fs::read_dir(cache.join("build")).ok()?;
    let obj = build
        .filter_map(|e| e.ok().map(|e| e.path().join("obj")))
        .find(|p| p.is_dir())?;
    Some((corpus, obj))
}

#[test]
fn verifier_selftests_from_elf_agree_with_their_case_files() {
    let Some((corpus, objdir)) = dirs() else {
        println!("note: no kselftests corpus or objects here; the ELF agreement is not checked");
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    paths.sort();
    let mut objects: HashMap<String, Option<unwind_object::Object>> = HashMap::new();
    let (mut compared, mut differences) = (0, Vec::new());
    let opts = Options {
        log_level: 0,
        ..Options::default()
    };
    for path in &paths {
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let Some((file, test)) = src
            .lines()
            .find_map(|l| l.strip_prefix("// kselftest: "))
            .and_then(|l| l.split_once(" / "))
        else {
            continue;
        };
        let Some(case) = unwind_asm::assemble(&src).program else {
            continue;
        };
        let obj = objects
            .entry(file.to_string())
            .or_insert_with(|| {
                let o = objdir.join(file.replace(".c", ".o"));
                std::fs::read(o)
                    .ok()
                    .and_then(|b| unwind_object::load(&b).ok())
            })
            .as_ref();
        let Some(p) = obj.and_then(|o| o.program(test).ok()) else {
            differences.push(format!("{file} / {test}: not in the object"));
            continue;
        };
        let elf = match &p.program {
            Ok(elf) => elf,
            Err(e) => {
                differences.push(format!("{file} / {test}: not loaded: {e}"));
                continue;
            }
        };
        compared += 1;
        let (a, b) = (verify(&case, &opts).accepted, verify(elf, &opts).accepted);
        // The object can say more than the case file: a static function's `void` return is
        // in its BTF only ("LD_ABS is only allowed in functions that return 'int'"). Such a
        // difference is allowed when the object's verdict is the kernel's (`// expect:`).
        let expected = src
            .lines()
            .find_map(|l| l.strip_prefix("// expect: "))
            .map(|e| e.trim() == "accept");
        if a != b && expected != Some(b) {
            differences.push(format!("{file} / {test}: case file {a}, ELF {b}"));
        } else if a != b {
            println!("{file} / {test}: the object's BTF gives the kernel's verdict ({b}), the case file cannot");
        }
    }
    println!("{compared} selftests compared from ELF");
    assert!(compared > 0);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
