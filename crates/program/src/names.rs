//! The one rule for the names of option values (syntax, mode, linkage, disassembly style,
//! global-function argument kind, helper table): each concept's enum, in its home crate, has
//! a table of spellings, and [`lookup`] matches a name against it **case-insensitively, with
//! `_` and `-` interchangeable**. The enum's `Display` prints the canonical name (its serde
//! name), and its serde impls go through `Display`/`FromStr` with [`serialize`] and
//! [`deserialize`], so every place that reads a name (CLI option, `.syntax` directive, JS
//! option, JSON) accepts the same set. `docs/names.md` lists them.

use std::fmt;
use std::str::FromStr;

/// A name that is none of a concept's spellings. Its message lists the canonical names, so
/// a user sees what to type instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {concept} '{value}': expected {}", list(expected))]
pub struct UnknownName {
    /// What was being named: `syntax`, `mode`, ...
    pub concept: &'static str,
    /// The name as given.
    pub value: String,
    /// The canonical names.
    pub expected: &'static [&'static str],
}

/// Whether `name` is `spelling` under the alias rule (case-insensitive, `_` = `-`).
pub fn matches(name: &str, spelling: &str) -> bool {
    let fold = |c: char| match c {
        '_' => '-',
        c => c.to_ascii_lowercase(),
    };
    name.len() == spelling.len() && name.chars().map(fold).eq(spelling.chars().map(fold))
}

/// Looks `name` up in `spellings` (every canonical name and alias with its value) under the
/// alias rule; the error names `concept` and lists `canonical`.
pub fn lookup<T: Copy>(
    concept: &'static str,
    name: &str,
    spellings: &[(&str, T)],
    canonical: &'static [&'static str],
) -> Result<T, UnknownName> {
    spellings
        .iter()
        .find(|(spelling, _)| matches(name, spelling))
        .map(|&(_, value)| value)
        .ok_or_else(|| UnknownName {
            concept,
            value: name.to_string(),
            expected: canonical,
        })
}

/// `a, b or c`: a list of names for help texts and error messages.
pub fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Serializes a value as its canonical name (its `Display`).
pub fn serialize<T: fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Deserializes a value from any of its spellings (its `FromStr`).
pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: FromStr<Err = UnknownName>,
    D: serde::Deserializer<'de>,
{
    let name = <String as serde::Deserialize>::deserialize(deserializer)?;
    name.parse().map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_rule() {
        assert!(matches("pseudo_c", "pseudo-c"));
        assert!(matches("Pseudo-C", "pseudo_c"));
        assert!(matches("CLEANUP_V2", "cleanup-v2"));
        assert!(!matches("pseudoc", "pseudo-c"));
        assert!(!matches("cleanup", "cleanup-v2"));
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["a"]), "a");
        assert_eq!(list(&["a", "b"]), "a or b");
        assert_eq!(list(&["a", "b", "c"]), "a, b or c");
    }
}
