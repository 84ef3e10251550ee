//! Hostile requests to the session, as the package's worker forwards them: an entry
//! (assemble, verify, a debugger, a one-shot run), options, a source and debugger actions,
//! all from the fuzzer's bytes. Served by `crates/session/tests/support/requests.rs` (which
//! `crates/session/tests/hostile.rs` drives with proptest): no panic, misuse a typed error
//! with a message, results that serialize as they cross to JS, work that ends
//! (docs/fuzzing.md).
//!
//! The input: byte 0 picks the entry and how the options are read; bytes 1-2 (little endian)
//! are the length of the options part; then the options part, the actions part (its length
//! in one byte first) and the source (UTF-8, lossily). The options part is JSON text when byte
//! 0's bit 2 is clear (as a page would pass `JSON.parse`d data; text that is not JSON is an
//! options error, skipped), else bytes that `arbitrary` turns into an options tree with the
//! option types' keys.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use unwind_session::OptionValue;

#[path = "../../crates/session/tests/support/requests.rs"]
mod requests;
use requests::{keys, serve, Action, Entry, Request, WORDS};

fn tree(u: &mut Unstructured, depth: usize) -> Result<OptionValue> {
    let kinds = if depth >= 6 { 5 } else { 7 };
    Ok(match u.choose_index(kinds)? {
        0 => OptionValue::Null,
        1 => OptionValue::Bool(u.arbitrary()?),
        2 => OptionValue::Int(match u.choose_index(4)? {
            0 => i128::from(u.arbitrary::<u8>()?),
            1 => i128::from(u.arbitrary::<i64>()?),
            2 => i128::from(u.arbitrary::<u64>()?) + 1,
            _ => u.arbitrary()?,
        }),
        3 => OptionValue::Str(u.choose(WORDS)?.to_string()),
        4 => OptionValue::Str(u.arbitrary()?),
        5 => {
            let n = u.int_in_range(0..=6)?;
            OptionValue::List((0..n).map(|_| tree(u, depth + 1)).collect::<Result<_>>()?)
        }
        _ => {
            let n = u.int_in_range(0..=6)?;
            let mut fields = Vec::new();
            for _ in 0..n {
                let key = if u.ratio(7, 8)? {
                    u.choose(keys())?.to_string()
                } else {
                    u.arbitrary()?
                };
                fields.push((key, tree(u, depth + 1)?));
            }
            OptionValue::Object(fields)
        }
    })
}

fn action(u: &mut Unstructured) -> Result<Action> {
    let number = |u: &mut Unstructured| -> Result<f64> {
        Ok(match u.choose_index(4)? {
            0 => f64::from(u.arbitrary::<i8>()?),
            1 => f64::INFINITY,
            2 => f64::NAN,
            _ => u.arbitrary()?,
        })
    };
    Ok(match u.choose_index(12)? {
        0 => Action::Step,
        1 => Action::StepOver,
        2 => Action::StepOut,
        3 => Action::Run,
        4 => Action::Back(u.arbitrary()?),
        5 => Action::Reset,
        6 => Action::Breakpoint(u.int_in_range(0..=64)?, u.arbitrary()?),
        7 => Action::Recording(u.arbitrary()?),
        8 => Action::Events(u.arbitrary()?),
        9 => Action::LogLines(number(u)?, number(u)?),
        10 => Action::States(number(u)?, number(u)?),
        _ => Action::Breakpoint(u.arbitrary()?, true),
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let entry = Entry::ALL[usize::from(data[0] & 3)];
    let json = data[0] & 4 == 0;
    let len = usize::from(u16::from_le_bytes([data[1], data[2]])).min(data.len() - 3);
    let (options_part, rest) = data[3..].split_at(len);
    let options = if json {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(options_part) else {
            return;
        };
        match OptionValue::from_json(&value) {
            Ok(tree) => tree,
            // A fraction or a number out of range: the bindings' error, typed.
            Err(e) => return assert!(!e.to_string().is_empty()),
        }
    } else {
        match tree(&mut Unstructured::new(options_part), 0) {
            Ok(tree) => tree,
            Err(_) => return,
        }
    };
    let (actions_part, source) = match rest.split_first() {
        Some((&n, rest)) => rest.split_at(usize::from(n).min(rest.len())),
        None => (&[][..], &[][..]),
    };
    let mut u = Unstructured::new(actions_part);
    let mut actions = Vec::new();
    while !u.is_empty() && actions.len() < 32 {
        match action(&mut u) {
            Ok(a) => actions.push(a),
            Err(_) => break,
        }
    }
    serve(&Request {
        entry,
        options,
        source: String::from_utf8_lossy(source).into_owned(),
        actions,
    });
});
