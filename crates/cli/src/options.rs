//! The one option parser every command uses: a command declares a table of its options
//! ([`Opt`]: name, whether it takes a value, what values it expects, how to store it) and
//! [`parse`] turns the tokens into the command's args, so every command has the same grammar
//! and the same errors.
//!
//! Grammar: options before or after the one positional (FILE or DIR), `--opt VALUE` or
//! `--opt=VALUE`, `--` ends the options, `-` is a positional (standard input), and `-h` or
//! `--help` asks for the command's usage wherever it comes (unless an error came first).

use std::ffi::OsString;
use std::str::FromStr;
use std::sync::LazyLock;

use unwind_program::names;

use crate::args::{tokens, utf8, ArgsError, Command, Token, Topic};

/// What an option does with the command's args `A`.
pub(crate) enum Action<A> {
    /// A flag: takes no value (`--json=yes` is an error).
    Flag(fn(&mut A)),
    /// Takes a value; `set` parses and stores it, and says `None` when it is invalid.
    Value {
        /// The accepted values, for the error messages (`expected ...`).
        expected: &'static str,
        set: fn(&mut A, &str) -> Option<()>,
    },
}

/// One option of a command.
pub(crate) struct Opt<A> {
    /// `--json`, `--mode`, ...
    pub name: &'static str,
    pub action: Action<A>,
}

impl<A> Opt<A> {
    pub(crate) const fn flag(name: &'static str, set: fn(&mut A)) -> Opt<A> {
        Opt {
            name,
            action: Action::Flag(set),
        }
    }

    pub(crate) const fn value(
        name: &'static str,
        expected: &'static str,
        set: fn(&mut A, &str) -> Option<()>,
    ) -> Opt<A> {
        Opt {
            name,
            action: Action::Value { expected, set },
        }
    }
}

/// A command's grammar: its name (in messages), its help topic, its options, and how the
/// positional completes the args into a [`Command`].
pub(crate) struct Spec<'a, A> {
    pub command: &'static str,
    pub topic: Topic,
    pub options: &'a [Opt<A>],
    pub finish: fn(A, OsString) -> Command,
}

/// Parses a command's arguments (after the command name), starting from `args`' defaults.
pub(crate) fn parse<A>(
    spec: &Spec<A>,
    mut args: A,
    rest: Vec<OsString>,
) -> Result<Command, ArgsError> {
    let command = spec.command;
    let mut positional: Option<OsString> = None;
    let mut toks = tokens(rest)?.into_iter();
    while let Some(tok) = toks.next() {
        let (name, inline) = match tok {
            Token::Positional(arg) => {
                if positional.is_some() {
                    return Err(ArgsError::ExtraArgument {
                        command,
                        arg: arg.to_string_lossy().into_owned(),
                    });
                }
                positional = Some(arg);
                continue;
            }
            Token::Opt { name, value } => (name, value),
        };
        if name == "-h" || name == "--help" {
            return Ok(Command::Help(Some(spec.topic)));
        }
        let Some(opt) = spec.options.iter().find(|o| o.name == name) else {
            return Err(ArgsError::UnknownOption {
                command,
                option: name,
            });
        };
        let option = opt.name;
        match opt.action {
            Action::Flag(set) => {
                if inline.is_some() {
                    return Err(ArgsError::UnexpectedValue { command, option });
                }
                set(&mut args);
            }
            Action::Value { expected, set } => {
                // The `=VALUE` part, or the next token unless it is an option.
                let value = match inline {
                    Some(v) => v,
                    None => match toks.next() {
                        Some(Token::Positional(v)) => utf8(v)?,
                        Some(Token::Opt { .. }) | None => {
                            return Err(ArgsError::MissingValue {
                                command,
                                option,
                                expected,
                            })
                        }
                    },
                };
                if set(&mut args, &value).is_none() {
                    return Err(ArgsError::InvalidValue {
                        command,
                        option,
                        value,
                        expected,
                    });
                }
            }
        }
    }
    let positional = positional.ok_or(ArgsError::MissingFile { command })?;
    Ok((spec.finish)(args, positional))
}

// The value kinds, one parse function each.

/// A name of a concept with names (`Syntax`, `Mode`, `Style`): its `FromStr`, so every
/// spelling `docs/names.md` lists is accepted.
pub(crate) fn named<T: FromStr<Err = names::UnknownName>>(value: &str) -> Option<T> {
    value.parse().ok()
}

/// A number in `min..=max`.
pub(crate) fn number<T: FromStr + PartialOrd>(value: &str, min: T, max: T) -> Option<T> {
    value.parse().ok().filter(|n| (min..=max).contains(n))
}

/// The values of `--mode`, for its messages: [`unwind_verifier::Mode::NAMES`].
pub(crate) static MODE_VALUES: LazyLock<String> =
    LazyLock::new(|| names::list(unwind_verifier::Mode::NAMES));

/// The values of `--style`: [`unwind_program::disasm::Style::NAMES`].
pub(crate) static STYLE_VALUES: LazyLock<String> =
    LazyLock::new(|| names::list(unwind_program::disasm::Style::NAMES));

/// The values of `--syntax` as the help has always spelled them (`pseudo-c`, an alias of
/// the canonical `pseudo_c`); a test checks that they are exactly `Syntax`'s names.
pub(crate) const SYNTAX_VALUES: &str = "auto, pseudo-c, ubpf or hex";

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_asm::Syntax;

    #[test]
    fn the_syntax_values_are_the_syntax_names() {
        let listed: Vec<Syntax> = SYNTAX_VALUES
            .split([',', ' '])
            .filter(|w| !w.is_empty() && *w != "or")
            .map(|w| w.parse().expect("a syntax name"))
            .collect();
        assert_eq!(listed, Syntax::ALL);
    }

    #[test]
    fn the_listed_values_are_the_canonical_names() {
        assert_eq!(
            MODE_VALUES.as_str(),
            "legacy, upstream, cleanup, cleanup-v2 or runtime"
        );
        assert_eq!(STYLE_VALUES.as_str(), "source or log");
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(number("2", 0u32, 2), Some(2));
        assert_eq!(number("3", 0u32, 2), None);
        assert_eq!(number("-1", 0u32, 2), None);
        assert_eq!(number("0", 1u64, u64::MAX), None);
    }
}
