//! The helper-table names: every canonical name round-trips (FromStr, Display, serde), the
//! alias rule holds, and an unknown name is refused with the list.

use unwind_vm::HelperTable;

#[test]
fn canonical_names_round_trip() {
    for (table, name) in HelperTable::ALL.into_iter().zip(HelperTable::NAMES) {
        assert_eq!(table.to_string(), *name);
        assert_eq!(name.parse::<HelperTable>(), Ok(table));
        assert_eq!(serde_json::to_value(table).unwrap(), *name);
        assert_eq!(
            serde_json::from_value::<HelperTable>((*name).into()).unwrap(),
            table
        );
    }
}

#[test]
fn aliases_and_unknown_names() {
    assert_eq!("Kernel".parse::<HelperTable>(), Ok(HelperTable::Kernel));
    assert_eq!(
        "CONFORMANCE".parse::<HelperTable>(),
        Ok(HelperTable::Conformance)
    );
    let err = "ubpf".parse::<HelperTable>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown helper table 'ubpf': expected kernel or conformance"
    );
    assert!(serde_json::from_str::<HelperTable>("\"ubpf\"").is_err());
}
