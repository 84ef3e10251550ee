//! Loads every `.o` of a folder and tallies what loads: `cargo run -p unwind-object --example
//! survey -- DIR` (for example the kselftests generator's cache, `$KSELFTESTS_CACHE/build/*/obj`).
use std::collections::BTreeMap;

fn main() {
    let dir = std::env::args().nth(1).expect("a folder of .o files");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    paths.sort();
    let (mut objects, mut failed, mut programs, mut loaded) = (0, 0, 0, 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for path in &paths {
        objects += 1;
        let bytes = std::fs::read(path).expect("readable");
        match unwind_object::load(&bytes) {
            Err(e) => {
                failed += 1;
                println!("{}: {e}", path.display());
            }
            Ok(obj) => {
                for p in &obj.programs {
                    programs += 1;
                    match &p.program {
                        Ok(_) => loaded += 1,
                        Err(e) => {
                            // The error without names, to tally kinds.
                            let key = format!("{e}")
                                .split(':')
                                .next()
                                .unwrap_or_default()
                                .to_string();
                            let key = match e {
                                unwind_object::ObjectError::UnknownKfunc { name } => {
                                    format!("unknown kfunc {name}")
                                }
                                unwind_object::ObjectError::UnsupportedArg { reason, .. } => {
                                    format!("global arg: {reason}")
                                }
                                unwind_object::ObjectError::Unsupported { what } => {
                                    let w = what.split(" (").next().unwrap_or(what);
                                    format!("unsupported: {w}")
                                }
                                _ => key,
                            };
                            *reasons.entry(key).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    println!("{objects} objects ({failed} did not load), {programs} programs, {loaded} loaded");
    for (reason, n) in reasons.iter().rev() {
        println!("{n:5}  {reason}");
    }
}
