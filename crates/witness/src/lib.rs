//! The running kernel as a witness. [`verify_in_kernel`] gives a [`Program`] to Linux's own
//! verifier (`bpf(BPF_PROG_LOAD)`, with its maps created, map fds and kfunc BTF ids patched
//! in, and program BTF for its global functions and exception callback), optionally
//! test-runs it once (`BPF_PROG_TEST_RUN`), and closes every fd; nothing is attached.
//! [`first_divergence`] finds where two verifier logs' explorations part. Where the kernel
//! cannot be asked (not Linux, no permission, a program the translation cannot give the
//! kernel) the error says so, as a value (docs/fidelity.md).

mod btf;
#[cfg(target_os = "linux")]
mod sys;
mod translate;

pub use btf::{BtfWriter, FuncLinkage};
pub use translate::{translate, LoadRequest, NotComparable};

use unwind_program::Program;

/// How to ask the kernel.
#[derive(Clone, Debug)]
pub struct KernelOptions {
    /// The log level of the second, logged load (0: no log, one load; a refusal is always
    /// logged at level 1 at least, for its error line).
    pub log_level: u32,
    /// The log buffer's size; the kernel keeps the log's end when it is longer.
    pub log_size: usize,
    /// Test-run the program once on this input when the kernel accepts it.
    pub run: Option<RunInput>,
    /// How long one load may take before it is interrupted (the kernel's verifier can take
    /// minutes on programs Unwind stops early, such as one holding ever more references).
    pub timeout: std::time::Duration,
}

impl Default for KernelOptions {
    fn default() -> Self {
        KernelOptions {
            log_level: 1,
            log_size: 16 << 20,
            run: None,
            timeout: std::time::Duration::from_secs(20),
        }
    }
}

/// `BPF_PROG_TEST_RUN`'s input: the packet (`data_in`) and the context (`ctx_in`).
#[derive(Clone, Debug, Default)]
pub struct RunInput {
    pub data: Vec<u8>,
    pub ctx: Option<Vec<u8>>,
}

/// What the kernel said.
#[derive(Clone, Debug)]
pub struct KernelVerdict {
    pub accepted: bool,
    /// `BPF_PROG_LOAD`'s error when it refused (`Permission denied` for a verifier refusal,
    /// `Invalid argument` for a malformed load).
    pub errno: Option<String>,
    /// The verifier's log at the requested level (its end, when it was longer than the buffer).
    pub log: String,
    /// The log was longer than the buffer: `log` is its end only.
    pub log_truncated: bool,
    /// The test run's return value (`R0`, 32 bits as `BPF_PROG_TEST_RUN` reports it), or why
    /// it could not run.
    pub run: Option<Result<u32, String>>,
}

impl KernelVerdict {
    /// The log's error line: the last line before the statistics.
    pub fn first_error(&self) -> Option<&str> {
        if self.accepted {
            return None;
        }
        self.log.lines().rev().map(str::trim_end).find(|l| {
            !l.is_empty()
                && !l.starts_with("processed ")
                && !l.starts_with("verification time")
                && !l.starts_with("stack depth")
        })
    }
}

/// Why the kernel could not be asked.
#[derive(Clone, Debug)]
pub enum WitnessError {
    /// Not Linux: there is no kernel verifier to ask.
    Unsupported,
    /// `bpf()` refused to load anything (not root, `kernel.unprivileged_bpf_disabled`, a
    /// seccomp filter, a container without `CAP_BPF`).
    NotPermitted(String),
    /// The program needs what the translation does not give the kernel.
    NotComparable(NotComparable),
    /// A step before the load failed (a map, the program BTF, reading vmlinux's BTF).
    Setup { step: String, error: String },
    /// The kernel's verifier was still at work when the deadline passed.
    Timeout(std::time::Duration),
}

impl std::fmt::Display for WitnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WitnessError::Unsupported => {
                f.write_str("the running kernel can be asked only on Linux")
            }
            WitnessError::NotPermitted(e) => write!(
                f,
                "the running kernel could not be asked: bpf() is not permitted here ({e}); run as root or with CAP_BPF"
            ),
            WitnessError::NotComparable(why) => {
                write!(f, "the running kernel was not asked: {why}")
            }
            WitnessError::Setup { step, error } => {
                write!(f, "the running kernel could not be asked: {step}: {error}")
            }
            WitnessError::Timeout(t) => write!(
                f,
                "the running kernel's verifier had not finished after {} s (interrupted)",
                t.as_secs()
            ),
        }
    }
}

/// Loads `program` into the running kernel's verifier (and test-runs it when asked).
pub fn verify_in_kernel(
    program: &Program,
    opts: &KernelOptions,
) -> Result<KernelVerdict, WitnessError> {
    let request = translate(program).map_err(WitnessError::NotComparable)?;
    load(&request, opts)
}

#[cfg(not(target_os = "linux"))]
fn load(_: &LoadRequest, _: &KernelOptions) -> Result<KernelVerdict, WitnessError> {
    Err(WitnessError::Unsupported)
}

#[cfg(target_os = "linux")]
fn load(request: &LoadRequest, opts: &KernelOptions) -> Result<KernelVerdict, WitnessError> {
    use std::io::ErrorKind;
    let setup = |step: &str, e: std::io::Error| {
        if e.kind() == ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EPERM) {
            WitnessError::NotPermitted(e.to_string())
        } else {
            WitnessError::Setup {
                step: step.to_string(),
                error: e.to_string(),
            }
        }
    };
    let mut insns = request.insns.clone();
    if !request.kfunc_refs.is_empty() {
        let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
            .map_err(|e| setup("reading /sys/kernel/btf/vmlinux", e))?;
        let btf = unwind_object::btf::Btf::parse(&vmlinux).map_err(|e| WitnessError::Setup {
            step: "reading /sys/kernel/btf/vmlinux".into(),
            error: e.to_string(),
        })?;
        for &(pc, name) in &request.kfunc_refs {
            let (id, _) = btf
                .find(unwind_object::btf::kind::FUNC, name)
                .ok_or_else(|| WitnessError::Setup {
                    step: format!("kfunc {name}"),
                    error: "not in the running kernel's BTF".into(),
                })?;
            insns[pc].imm = id as i32;
        }
    }
    let mut maps = Vec::new();
    for m in &request.maps {
        let fd = sys::map_create(
            m.map_type.uapi_id(),
            m.key_size,
            m.value_size,
            m.max_entries,
        )
        .map_err(|e| setup(&format!("creating map '{}'", m.name), e))?;
        maps.push(fd);
    }
    for &(pc, index) in &request.map_refs {
        use std::os::fd::AsRawFd;
        insns[pc].imm = maps[index].as_raw_fd();
    }
    let btf = sys::btf_load(&request.btf).map_err(|(e, log)| {
        let mut w = setup("loading the program BTF", e);
        if let WitnessError::Setup { error, .. } = &mut w {
            error.push_str(&format!("\n{log}"));
        }
        w
    })?;
    let code: Vec<u8> = insns.iter().flat_map(|i| i.to_bytes()).collect();
    let func_info: Vec<u8> = request
        .func_info
        .iter()
        .flat_map(|&(off, id)| off.to_le_bytes().into_iter().chain(id.to_le_bytes()))
        .collect();
    let load = |log_level: u32| {
        let load = || {
            sys::prog_load(&sys::ProgLoad {
                prog_type: request.prog_type,
                prog_flags: request.prog_flags,
                insns: &code,
                btf_fd: Some(&btf),
                func_info: &func_info,
                log_level,
                log_size: opts.log_size,
            })
        };
        sys::with_deadline(opts.timeout, load)
    };
    // The verdict from a load without a log: with one, a log longer than the buffer makes
    // the load fail with ENOSPC whatever the verdict.
    let ((verdict, _, _), late) = load(0);
    if late && verdict.is_err() {
        return Err(WitnessError::Timeout(opts.timeout));
    }
    let level = if verdict.is_err() {
        opts.log_level.max(1)
    } else {
        opts.log_level
    };
    let (log, log_truncated) = if level > 0 {
        let ((_, log, truncated), _) = load(level);
        (log, truncated)
    } else {
        (String::new(), false)
    };
    match verdict {
        Ok(prog) => {
            let run = opts.run.as_ref().map(|input| {
                sys::test_run(&prog, &input.data, input.ctx.as_deref()).map_err(|e| e.to_string())
            });
            Ok(KernelVerdict {
                accepted: true,
                errno: None,
                log,
                log_truncated,
                run,
            })
        }
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
            Err(WitnessError::NotPermitted(e.to_string()))
        }
        Err(e) => Ok(KernelVerdict {
            accepted: false,
            errno: Some(e.to_string()),
            log,
            log_truncated,
            run: None,
        }),
    }
}

/// Where two verifier logs' explorations part: the index (0-based) of the first instruction
/// line whose pc differs, with each side's pc there (`None`: that log had ended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub step: usize,
    pub ours: Option<usize>,
    pub kernel: Option<usize>,
}

/// The pcs of a log's instruction lines (`12: (bf) r1 = r6`), in order.
fn explored_pcs(log: &str) -> Vec<usize> {
    log.lines()
        .filter_map(|l| {
            let (pc, rest) = l.split_once(": (")?;
            let _ = rest
                .get(..2)
                .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))?;
            pc.parse().ok()
        })
        .collect()
}

/// The first step where the two explorations visit different instructions, if any.
pub fn first_divergence(ours: &str, kernel: &str) -> Option<Divergence> {
    let (a, b) = (explored_pcs(ours), explored_pcs(kernel));
    let step = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then_some(a.len().min(b.len())))?;
    Some(Divergence {
        step,
        ours: a.get(step).copied(),
        kernel: b.get(step).copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explorations_part_where_the_pcs_differ() {
        let ours = "0: R1=ctx() R10=fp0\n0: (b7) r0 = 0  ; R0_w=0\n1: (15) if r1 == 0x0 goto pc+1\n2: (95) exit\n";
        let kernel = "func#0 @0\n0: R1=ctx() R10=fp0\n0: (b7) r0 = 0                        ; R0_w=0\n1: (15) if r1 == 0x0 goto pc+1\n3: (95) exit\n";
        assert_eq!(
            first_divergence(ours, kernel),
            Some(Divergence {
                step: 2,
                ours: Some(2),
                kernel: Some(3)
            })
        );
        assert_eq!(first_divergence(ours, ours), None);
        assert_eq!(
            first_divergence(ours, "0: (b7) r0 = 0\n"),
            Some(Divergence {
                step: 1,
                ours: Some(1),
                kernel: None
            })
        );
    }

    #[test]
    fn the_error_line_is_the_last_before_the_statistics() {
        let v = KernelVerdict {
            accepted: false,
            errno: Some("Permission denied".into()),
            log: "0: (95) exit\nR0 !read_ok\nprocessed 1 insns (limit 1000000) max_states_per_insn 0\n".into(),
            log_truncated: false,
            run: None,
        };
        assert_eq!(v.first_error(), Some("R0 !read_ok"));
    }
}
