//! The mode names: every canonical name round-trips (FromStr, Display, serde), the alias rule
//! holds, and an unknown name is refused with the list.

use unwind_verifier::Mode;

#[test]
fn canonical_names_round_trip() {
    assert_eq!(Mode::ALL.len(), Mode::NAMES.len());
    for (mode, name) in Mode::ALL.into_iter().zip(Mode::NAMES) {
        assert_eq!(mode.to_string(), *name);
        assert_eq!(name.parse::<Mode>(), Ok(mode));
        assert_eq!(serde_json::to_value(mode).unwrap(), *name);
        assert_eq!(
            serde_json::from_value::<Mode>((*name).into()).unwrap(),
            mode
        );
    }
    assert_eq!(serde_json::to_value(Mode::CleanupV2).unwrap(), "cleanup-v2");
}

#[test]
fn aliases_are_accepted() {
    for (name, mode) in [
        ("cleanup_v2", Mode::CleanupV2),
        ("CLEANUP-V2", Mode::CleanupV2),
        ("Legacy", Mode::Legacy),
        ("RUNTIME", Mode::Runtime),
    ] {
        assert_eq!(name.parse::<Mode>(), Ok(mode), "{name}");
        assert_eq!(serde_json::from_value::<Mode>(name.into()).unwrap(), mode);
    }
}

#[test]
fn unknown_names_are_refused_with_the_list() {
    for bad in ["cleanupv2", "v2", ""] {
        let err = bad.parse::<Mode>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "unknown mode '{bad}': expected legacy, upstream, cleanup, cleanup-v2 or runtime"
            )
        );
    }
    assert!(serde_json::from_str::<Mode>("\"v2\"").is_err());
}
