//! The names of linkages, global-function argument kinds and disassembly styles: every
//! canonical name round-trips (FromStr, Display, serde), the alias rule holds, and an unknown
//! name is refused with the list.

use unwind_program::disasm::Style;
use unwind_program::names::UnknownName;
use unwind_program::{GlobalArg, Linkage};

#[test]
fn linkage_names_round_trip() {
    assert_eq!(Linkage::ALL.len(), Linkage::NAMES.len());
    for (l, name) in Linkage::ALL.into_iter().zip(Linkage::NAMES) {
        assert_eq!(l.to_string(), *name);
        assert_eq!(name.parse::<Linkage>(), Ok(l));
        assert_eq!(serde_json::to_value(l).unwrap(), *name);
        assert_eq!(
            serde_json::from_value::<Linkage>((*name).into()).unwrap(),
            l
        );
    }
    assert_eq!("GLOBAL".parse::<Linkage>(), Ok(Linkage::Global));
    let err = "extern".parse::<Linkage>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown linkage 'extern': expected main, static, global or hidden"
    );
    assert!(serde_json::from_str::<Linkage>("\"extern\"").is_err());
}

#[test]
fn style_names_round_trip() {
    for (s, name) in Style::ALL.into_iter().zip(Style::NAMES) {
        assert_eq!(s.to_string(), *name);
        assert_eq!(name.parse::<Style>(), Ok(s));
        assert_eq!(serde_json::to_value(s).unwrap(), *name);
        assert_eq!(serde_json::from_value::<Style>((*name).into()).unwrap(), s);
    }
    assert_eq!("Log".parse::<Style>(), Ok(Style::Log));
    assert_eq!(
        "att".parse::<Style>(),
        Err(UnknownName {
            concept: "style",
            value: "att".into(),
            expected: Style::NAMES,
        })
    );
}

#[test]
fn global_arg_names_round_trip() {
    for arg in [GlobalArg::Scalar, GlobalArg::Ctx, GlobalArg::Mem(16)] {
        assert_eq!(arg.to_string().parse::<GlobalArg>(), Ok(arg));
        // JSON keeps the tagged object `unwind asm --json` prints; the name is read too.
        let json = serde_json::to_value(arg).unwrap();
        assert_eq!(serde_json::from_value::<GlobalArg>(json).unwrap(), arg);
        let name = serde_json::Value::String(arg.to_string());
        assert_eq!(serde_json::from_value::<GlobalArg>(name).unwrap(), arg);
    }
    assert_eq!(GlobalArg::Mem(16).to_string(), "mem:16");
    assert_eq!(
        serde_json::to_value(GlobalArg::Mem(16)).unwrap(),
        serde_json::json!({"kind": "mem", "size": 16})
    );
    assert_eq!(
        serde_json::to_value(GlobalArg::Ctx).unwrap(),
        serde_json::json!({"kind": "ctx"})
    );
    assert_eq!("CTX".parse::<GlobalArg>(), Ok(GlobalArg::Ctx));
    assert_eq!("Mem:8".parse::<GlobalArg>(), Ok(GlobalArg::Mem(8)));
    for bad in ["ptr", "mem", "mem:0", "mem:x", "scalar:4"] {
        let err = bad.parse::<GlobalArg>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unknown argument kind '{bad}': expected scalar, ctx or mem:N")
        );
    }
}
