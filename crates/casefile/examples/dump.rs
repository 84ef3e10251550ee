//! Prints every expectation of the given case files, one per line, tab-separated:
//! `file mode verdict` then `kind text` or `key value` fields. Used to check that a
//! conversion kept every expectation: `cargo run -p unwind-casefile --example dump -- FILES`.

fn main() {
    let mut status = 0;
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).expect("read");
        let name = path.rsplit('/').next().unwrap_or(&path);
        let case = match unwind_casefile::parse(&src) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{path}:{}: {e}", e.line());
                status = 1;
                continue;
            }
        };
        for (mode, stated) in case.stated_modes() {
            let pre = format!("{name}\t{mode}");
            match &stated.verdict {
                unwind_casefile::Verdict::Accept(r) => {
                    println!("{pre}\tverdict\taccept");
                    let keys = [
                        ("retval", r.retval.map(|v| v.to_string())),
                        ("releases", r.releases.map(|v| v.to_string())),
                        ("leaks", r.leaks.map(|v| v.to_string())),
                        ("throws", r.throws.map(|v| v.to_string())),
                        ("table_ops", r.table_ops.map(|v| v.to_string())),
                    ];
                    for (k, v) in keys {
                        if let Some(v) = v {
                            println!("{pre}\tkey\t{k}={v}");
                        }
                    }
                }
                unwind_casefile::Verdict::Reject(msgs) => {
                    println!("{pre}\tverdict\treject");
                    for m in msgs {
                        println!("{pre}\tmsg\tanywhere\t{m}");
                    }
                }
            }
            for e in case.expectations.iter().filter(|e| case.applies(e, mode)) {
                let kind = match (e.kind, e.about) {
                    (unwind_casefile::Kind::Error, _) => "error",
                    (unwind_casefile::Kind::Log, Some(_)) => "log-line",
                    (unwind_casefile::Kind::Log, None) => "log-header",
                };
                println!("{pre}\tmsg\t{kind}@{}\t{}", e.about.unwrap_or(0), e.text);
            }
            if let Some(l) = case.log_level {
                println!("{pre}\tlog-level\t{l}");
            }
            if let Some(c) = &case.ctx {
                println!("{pre}\tctx\t{c}");
            }
        }
    }
    std::process::exit(status);
}
