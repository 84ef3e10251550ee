//! The names the command line takes are the home crates' names (`docs/names.md`): every
//! spelling the `.syntax` directive accepts, `--syntax` accepts (and the other way round),
//! and `--mode` takes every spelling of every `Mode`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use unwind_asm::Syntax;
use unwind_verifier::Mode;

/// A scratch directory under Cargo's per-target tmp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("unwind-cli-names-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    /// Writes `contents` to `name`, runs `unwind ARGS` here: exit code and stdout.
    fn run(&self, name: &str, contents: &str, args: &[&str]) -> (i32, String, String) {
        std::fs::write(self.0.join(name), contents).expect("write scratch file");
        let out = Command::new(env!("CARGO_BIN_EXE_unwind"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("run unwind");
        (
            out.status.code().expect("exit code"),
            String::from_utf8(out.stdout).expect("UTF-8"),
            String::from_utf8(out.stderr).expect("UTF-8"),
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every canonical name and alias, each also in upper case and with `_` and `-` swapped.
fn spellings<T: Copy>(names: &[(&str, T)]) -> Vec<(String, T)> {
    let mut out = Vec::new();
    for &(name, value) in names {
        let swapped: String = name
            .chars()
            .map(|c| match c {
                '_' => '-',
                '-' => '_',
                c => c,
            })
            .collect();
        for s in [name.to_string(), name.to_uppercase(), swapped] {
            if !out.iter().any(|(o, _): &(String, T)| *o == s) {
                out.push((s, value));
            }
        }
    }
    out
}

fn syntax_spellings() -> Vec<(String, Syntax)> {
    let mut names: Vec<(&str, Syntax)> = Syntax::NAMES.iter().copied().zip(Syntax::ALL).collect();
    names.extend(Syntax::ALIASES.iter().copied());
    spellings(&names)
}

/// A body that detection reads as another syntax than `target`, so that what the output
/// says shows who decided; and what detection makes of it.
fn body_against(target: Syntax) -> (&'static str, Syntax) {
    match target {
        Syntax::Ubpf => ("exit\n", Syntax::PseudoC),
        _ => ("mov %r0, 0\nexit\n", Syntax::Ubpf),
    }
}

/// The `syntax` field `unwind asm --json` prints (on success and on assembly errors).
fn printed_syntax(stdout: &str) -> Value {
    let json: Value = serde_json::from_str(stdout).expect("one JSON value");
    json["syntax"].clone()
}

#[test]
fn the_directive_and_the_option_take_the_same_syntax_names() {
    let s = Scratch::new("syntax");
    let all = syntax_spellings();
    // The historical spellings of both places are among them.
    for old in [
        "pseudo-c", "pseudo_c", "pseudoc", "c", "llvm", "auto", "ubpf", "hex",
    ] {
        assert!(all.iter().any(|(n, _)| n == old), "{old}");
    }
    for (name, target) in &all {
        let (body, detected) = body_against(*target);
        let want = match target {
            Syntax::Auto => detected,
            t => *t,
        };
        let want = Value::String(want.to_string());
        // `--syntax NAME`.
        // (Assembly errors, when the body is not of that syntax, are JSON too.)
        let (_, stdout, stderr) = s.run("p.s", body, &["asm", "p.s", "--json", "--syntax", name]);
        assert_eq!(printed_syntax(&stdout), want, "--syntax {name}: {stderr}");
        // `.syntax NAME`, detected.
        let source = format!(".syntax {name}\n{body}");
        let (_, stdout, stderr) = s.run("d.s", &source, &["asm", "--json", "d.s"]);
        assert_eq!(printed_syntax(&stdout), want, ".syntax {name}: {stderr}");
    }
    // Unknown: a usage error for the option, no decision for the directive.
    let (code, _, stderr) = s.run("p.s", "exit\n", &["asm", "p.s", "--syntax", "intel"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(
            "unwind: asm: invalid value 'intel' for --syntax: expected auto, pseudo-c, ubpf or hex"
        ),
        "{stderr}"
    );
    let (_, stdout, _) = s.run("d.s", ".syntax intel\nexit\n", &["asm", "--json", "d.s"]);
    assert_eq!(printed_syntax(&stdout), "pseudo_c");
}

#[test]
fn mode_takes_every_mode_spelling() {
    let s = Scratch::new("mode");
    let names: Vec<(&str, Mode)> = Mode::NAMES.iter().copied().zip(Mode::ALL).collect();
    for (name, mode) in spellings(&names) {
        let (code, stdout, stderr) = s.run(
            "p.s",
            "r0 = 0\nexit\n",
            &["run", "p.s", "--json", "--mode", &name],
        );
        assert_eq!(code, 0, "--mode {name}: {stderr}");
        let json: Value = serde_json::from_str(&stdout).expect("one JSON value");
        assert_eq!(json["mode"], mode.to_string(), "--mode {name}");
        let (code, _, stderr) = s.run("p.s", "r0 = 0\nexit\n", &["verify", "p.s", "--mode", &name]);
        assert_eq!(code, 0, "verify --mode {name}: {stderr}");
    }
    for cmd in ["verify", "run"] {
        let (code, _, stderr) = s.run("p.s", "r0 = 0\nexit\n", &[cmd, "p.s", "--mode=v2"]);
        assert_eq!(code, 2);
        let want = format!(
            "unwind: {cmd}: invalid value 'v2' for --mode: \
             expected legacy, upstream, cleanup, cleanup-v2 or runtime"
        );
        assert!(stderr.starts_with(&want), "{stderr}");
    }
}
