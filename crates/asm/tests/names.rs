//! The syntax names: every canonical name round-trips (FromStr, Display, serde), the aliases
//! are accepted, an unknown name is refused with the list, and the `.syntax` directive takes
//! exactly the names `FromStr` takes.

use unwind_asm::{assemble, detect_syntax, Syntax};

/// Every spelling of each syntax the alias rule and the alias table give.
fn spellings() -> Vec<(&'static str, Syntax)> {
    vec![
        ("auto", Syntax::Auto),
        ("AUTO", Syntax::Auto),
        ("pseudo_c", Syntax::PseudoC),
        ("pseudo-c", Syntax::PseudoC),
        ("Pseudo-C", Syntax::PseudoC),
        ("pseudoc", Syntax::PseudoC),
        ("c", Syntax::PseudoC),
        ("C", Syntax::PseudoC),
        ("llvm", Syntax::PseudoC),
        ("ubpf", Syntax::Ubpf),
        ("uBPF", Syntax::Ubpf),
        ("hex", Syntax::Hex),
        ("HEX", Syntax::Hex),
    ]
}

#[test]
fn canonical_names_round_trip() {
    assert_eq!(Syntax::ALL.len(), Syntax::NAMES.len());
    for (syntax, name) in Syntax::ALL.into_iter().zip(Syntax::NAMES) {
        assert_eq!(syntax.to_string(), *name);
        assert_eq!(name.parse::<Syntax>(), Ok(syntax));
        assert_eq!(serde_json::to_value(syntax).unwrap(), *name);
        assert_eq!(
            serde_json::from_value::<Syntax>((*name).into()).unwrap(),
            syntax
        );
    }
    // The JSON spelling is the one the CLI and the JS API have always printed.
    assert_eq!(serde_json::to_value(Syntax::PseudoC).unwrap(), "pseudo_c");
}

#[test]
fn aliases_are_accepted() {
    for (name, syntax) in spellings() {
        assert_eq!(name.parse::<Syntax>(), Ok(syntax), "{name}");
        assert_eq!(
            serde_json::from_value::<Syntax>(name.into()).unwrap(),
            syntax,
            "{name}"
        );
    }
}

#[test]
fn unknown_names_are_refused_with_the_list() {
    let err = "intel".parse::<Syntax>().unwrap_err();
    assert_eq!(err.expected, Syntax::NAMES);
    assert_eq!(
        err.to_string(),
        "unknown syntax 'intel': expected auto, pseudo_c, ubpf or hex"
    );
    let err = serde_json::from_str::<Syntax>("\"intel\"").unwrap_err();
    assert!(err.to_string().contains("unknown syntax 'intel'"), "{err}");
}

#[test]
fn the_directive_takes_every_name() {
    // A uBPF-looking body, so that a pseudo-C or hex directive is what decides.
    let body = "mov %r0, 0\nexit\n";
    for (name, syntax) in spellings() {
        let want = match syntax {
            Syntax::Auto => Syntax::Ubpf, // left to detection
            s => s,
        };
        assert_eq!(
            detect_syntax(&format!(".syntax {name}\n{body}")),
            want,
            "{name}"
        );
    }
    // An unknown name is no directive of a syntax: detection decides.
    assert_eq!(
        detect_syntax(&format!(".syntax intel\n{body}")),
        Syntax::Ubpf
    );
    assert_eq!(
        assemble(".syntax Pseudo-C\nr0 = 0\nexit\n").syntax,
        Syntax::PseudoC
    );
}

#[test]
fn globl_arguments_take_the_global_arg_names() {
    let p = assemble(concat!(
        ".globl f(CTX, Scalar, mem:8)\n",
        "call f\nexit\n",
        "f:\nr0 = 0\nexit\n",
    ));
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let f = &p.program.unwrap().functions[1];
    use unwind_program::GlobalArg;
    assert_eq!(
        f.args,
        [GlobalArg::Ctx, GlobalArg::Scalar, GlobalArg::Mem(8)]
    );
    let bad = assemble(".globl f(ptr)\ncall f\nexit\nf:\nr0 = 0\nexit\n");
    assert_eq!(
        bad.diagnostics[0].to_string(),
        "1:10: error: unknown argument type ptr: expected scalar, ctx or mem:N"
    );
}
