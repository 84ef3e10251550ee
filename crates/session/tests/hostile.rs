//! Hostile requests to the session, as the package's worker forwards them (issue 12): random
//! options trees (known and unknown keys, wrong types, huge and negative integers, deep
//! nesting, `__proto__`), sources that are programs, junk or limits, and random debugger
//! actions. Each is served by `support/requests.rs` (also the `session` fuzz target's
//! harness): no panic, misuse a typed error with a message, results that serialize, work that
//! ends. The same harness, driven by libFuzzer, is `fuzz/fuzz_targets/session.rs`.

#[path = "support/requests.rs"]
mod requests;

use proptest::prelude::*;
use requests::{keys, serve, Action, Entry, Request, WORDS};
use unwind_session::OptionValue;

const SOURCES: &[&str] = &[
    "r0 = 0\nexit\n",
    ".ctx tracing\nr6 = 1\ncall f\nr0 = 7\nexit\nf:\nr1 = 16\ncall bpf_obj_new\nr0 = 0\nexit",
    ".ctx tc\nr1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr6 = r0\ncall f\nr1 = r6\ncall bpf_task_release\nout:\nr0 = 0\nexit\nf:\nr1 = 3\ncall bpf_throw\nr0 = 0\nexit\n",
    "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n",
    "call f\nr0 = 0\nexit\nf:\ncall f\nr0 = 0\nexit\n",
    "b700000000000000 9500000000000000",
    "0x00000001000000b7\n0x0000000000000095\n",
    "r1 = *(u64 *)(r10 - 520)\nexit",
    "r0 = 0x7fffffffffffffffffffffff\nexit",
    "goto +2147483647\nexit",
    "frob\n",
    "",
    "\u{0}\u{feff}é\r\n\r",
    ".map m hash 8 8 1\n.ctx xdp\nr1 = m ll\nexit",
    "r1 = 0\n*(u64 *)(r10 - 512) = r1\nr0 = *(u64 *)(r1 + 0)\nexit",
];

fn option_value() -> impl Strategy<Value = OptionValue> {
    let leaf = prop_oneof![
        Just(OptionValue::Null),
        any::<bool>().prop_map(OptionValue::Bool),
        prop_oneof![
            any::<i128>(),
            Just(i128::from(u64::MAX)),
            Just(i128::from(u64::MAX) + 1),
            Just(-1i128),
            0i128..4,
            Just(1_000_001i128),
            Just(9_007_199_254_740_993i128),
        ]
        .prop_map(OptionValue::Int),
        prop_oneof![
            proptest::sample::select(WORDS).prop_map(str::to_string),
            ".{0,12}",
        ]
        .prop_map(OptionValue::Str),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(OptionValue::List),
            proptest::collection::vec(
                (
                    prop_oneof![
                        proptest::sample::select(keys()).prop_map(str::to_string),
                        ".{0,6}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(OptionValue::Object),
        ]
    })
}

fn action() -> impl Strategy<Value = Action> {
    let number = prop_oneof![
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        -5.0f64..20.0,
        Just(1e300),
    ];
    prop_oneof![
        Just(Action::Step),
        Just(Action::StepOver),
        Just(Action::StepOut),
        Just(Action::Run),
        any::<u32>().prop_map(Action::Back),
        (0u32..4).prop_map(Action::Back),
        Just(Action::BackOver),
        Just(Action::BackOut),
        Just(Action::Reset),
        (prop_oneof![0u32..16, any::<u32>()], any::<bool>())
            .prop_map(|(pc, on)| Action::Breakpoint(pc, on)),
        any::<bool>().prop_map(Action::Recording),
        prop_oneof![0u32..8, any::<u32>()].prop_map(Action::Events),
        (number.clone(), number.clone()).prop_map(|(a, b)| Action::LogLines(a, b)),
        (number.clone(), number).prop_map(|(a, b)| Action::States(a, b)),
    ]
}

/// Options mostly shaped like the real ones (an object of known keys), sometimes anything.
fn options() -> impl Strategy<Value = OptionValue> {
    prop_oneof![
        3 => proptest::collection::vec(
            (proptest::sample::select(keys()).prop_map(str::to_string), option_value()),
            0..4
        )
        .prop_map(OptionValue::Object),
        1 => option_value(),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    (
        proptest::sample::select(&Entry::ALL[..]),
        options(),
        prop_oneof![
            3 => proptest::sample::select(SOURCES).prop_map(str::to_string),
            1 => ".{0,40}",
        ],
        proptest::collection::vec(action(), 0..12),
    )
        .prop_map(|(entry, options, source, actions)| Request {
            entry,
            options,
            source,
            actions,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn hostile_requests_are_answered(request in request()) {
        serve(&request);
    }
}

/// The worker's requests with options that are right, on every source: the paths past the
/// options are taken every time.
#[test]
fn every_source_in_every_entry() {
    let modes = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];
    for source in SOURCES {
        for entry in Entry::ALL {
            for mode in modes {
                serve(&Request {
                    entry,
                    options: OptionValue::Object(vec![
                        ("mode".into(), OptionValue::Str(mode.into())),
                        ("budget".into(), OptionValue::Int(5_000)),
                    ]),
                    source: source.to_string(),
                    actions: vec![
                        Action::Breakpoint(2, true),
                        Action::Run,
                        Action::Step,
                        Action::Back(3),
                        Action::StepOut,
                        Action::Events(1),
                        Action::LogLines(f64::NAN, f64::INFINITY),
                        Action::States(-1.0, 1e300),
                        Action::Reset,
                        Action::StepOver,
                    ],
                });
            }
        }
    }
}
