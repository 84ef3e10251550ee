//! The JS API accepts exactly the spellings the home crates define (`docs/names.md`): every
//! canonical name and alias of a syntax, a mode and a helper table, under the one alias rule
//! (case-insensitive, `_` and `-` interchangeable), the same set the CLI and the `.syntax`
//! directive accept.

use unwind_asm::Syntax;
use unwind_session::{assemble, verify, AssembleOptions, DebugOptions, Debugger, VerifyOptions};
use unwind_verifier::Mode;

/// A spelling and the variants the alias rule allows.
fn variants(name: &str) -> Vec<String> {
    vec![
        name.to_string(),
        name.to_uppercase(),
        name.replace('_', "-"),
        name.replace('-', "_"),
    ]
}

#[test]
fn every_syntax_spelling_is_accepted_as_the_directive_takes_it() {
    let spellings = Syntax::NAMES
        .iter()
        .map(|n| (*n, n.parse::<Syntax>().unwrap()))
        .chain(Syntax::ALIASES.iter().copied());
    for (name, syntax) in spellings {
        for spelling in variants(name) {
            let options = AssembleOptions {
                syntax: Some(spelling.clone()),
            };
            assert!(assemble("exit", &options).is_ok(), "{spelling}");
            // The directive reads the same spelling as the same syntax (auto has no directive).
            if syntax != Syntax::Auto {
                let text = format!(".syntax {spelling}\n");
                assert_eq!(unwind_asm::detect_syntax(&text), syntax, "{spelling}");
            }
        }
    }
    let bad = AssembleOptions {
        syntax: Some("intel".into()),
    };
    let err = assemble("exit", &bad).unwrap_err();
    assert!(err.contains("intel") && err.contains("pseudo_c"), "{err}");
}

#[test]
fn every_mode_spelling_is_accepted() {
    for name in Mode::NAMES {
        let mode: Mode = name.parse().unwrap();
        for spelling in variants(name) {
            let options = VerifyOptions {
                mode: Some(spelling.clone()),
                ..VerifyOptions::default()
            };
            let report = verify("r0 = 0\nexit", &options).expect(&spelling);
            assert_eq!(report.mode, mode, "{spelling}");
            let debug = DebugOptions {
                mode: Some(spelling.clone()),
                ..DebugOptions::default()
            };
            assert!(Debugger::new("r0 = 0\nexit", &debug).is_ok(), "{spelling}");
        }
    }
    let bad = VerifyOptions {
        mode: Some("strict".into()),
        ..VerifyOptions::default()
    };
    assert!(verify("exit", &bad).unwrap_err().contains("cleanup-v2"));
}

#[test]
fn every_helper_table_spelling_is_accepted() {
    for name in unwind_vm::HelperTable::NAMES {
        for spelling in variants(name) {
            let options = DebugOptions {
                helpers: Some(spelling.clone()),
                ..DebugOptions::default()
            };
            assert!(
                Debugger::new("r0 = 0\nexit", &options).is_ok(),
                "{spelling}"
            );
        }
    }
    let bad = DebugOptions {
        helpers: Some("libc".into()),
        ..DebugOptions::default()
    };
    assert!(Debugger::new("exit", &bad).is_err());
}
