//! The `bpf(2)` calls the witness makes (Linux only): `BPF_MAP_CREATE`, `BPF_BTF_LOAD`,
//! `BPF_PROG_LOAD` and `BPF_PROG_TEST_RUN`, with `union bpf_attr` laid out as in
//! `include/uapi/linux/bpf.h`. Nothing is attached; every fd is an `OwnedFd`, closed when
//! dropped.
#![allow(unsafe_code)] // the bpf(2) system call itself and wrapping the fds it returns

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Once};
use std::time::Duration;

const BPF_MAP_CREATE: libc::c_long = 0;
const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_PROG_TEST_RUN: libc::c_long = 10;
const BPF_BTF_LOAD: libc::c_long = 18;

/// A `union bpf_attr` being filled in: little-endian fields at their UAPI offsets.
struct Attr([u8; 144]);

impl Attr {
    fn new() -> Attr {
        Attr([0; 144])
    }
    fn u32(&mut self, at: usize, v: u32) -> &mut Self {
        self.0[at..at + 4].copy_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(&mut self, at: usize, v: u64) -> &mut Self {
        self.0[at..at + 8].copy_from_slice(&v.to_le_bytes());
        self
    }
    fn ptr<T>(&mut self, at: usize, p: *const T) -> &mut Self {
        self.u64(at, p as usize as u64)
    }
    fn read_u32(&self, at: usize) -> u32 {
        u32::from_le_bytes([self.0[at], self.0[at + 1], self.0[at + 2], self.0[at + 3]])
    }
}

fn bpf(cmd: libc::c_long, attr: &mut Attr) -> io::Result<libc::c_long> {
    // SAFETY: `attr` is a live, writable buffer of the size passed; the pointers inside it
    // point to buffers the caller keeps alive for the call and whose sizes it also passes.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr.0.as_mut_ptr(),
            attr.0.len() as libc::c_uint,
        )
    };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn fd(cmd: libc::c_long, attr: &mut Attr) -> io::Result<OwnedFd> {
    let raw = bpf(cmd, attr)? as libc::c_int;
    // SAFETY: the kernel returned a new file descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

pub fn map_create(
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
) -> io::Result<OwnedFd> {
    let mut a = Attr::new();
    a.u32(0, map_type)
        .u32(4, key_size)
        .u32(8, value_size)
        .u32(12, max_entries);
    fd(BPF_MAP_CREATE, &mut a)
}

/// `BPF_BTF_LOAD`; on failure, the kernel's BTF log.
pub fn btf_load(blob: &[u8]) -> Result<OwnedFd, (io::Error, String)> {
    let mut log = vec![0u8; 64 * 1024];
    let mut a = Attr::new();
    a.ptr(0, blob.as_ptr())
        .ptr(8, log.as_mut_ptr())
        .u32(16, blob.len() as u32)
        .u32(20, log.len() as u32)
        .u32(24, 1);
    fd(BPF_BTF_LOAD, &mut a).map_err(|e| (e, c_string(&log)))
}

/// What `BPF_PROG_LOAD` is given besides the bytecode.
pub struct ProgLoad<'a> {
    pub prog_type: u32,
    /// `BPF_F_SLEEPABLE` and the like.
    pub prog_flags: u32,
    pub insns: &'a [u8],
    pub btf_fd: Option<&'a OwnedFd>,
    pub func_info: &'a [u8],
    pub log_level: u32,
    pub log_size: usize,
}

/// `BPF_PROG_LOAD`: the program's fd or the error, the log (empty at level 0), and whether
/// the log was longer than the buffer (the kernel then keeps its end).
pub fn prog_load(p: &ProgLoad) -> (io::Result<OwnedFd>, String, bool) {
    let license = b"GPL\0";
    let mut log = vec![0u8; if p.log_level == 0 { 0 } else { p.log_size }];
    let mut a = Attr::new();
    a.u32(0, p.prog_type)
        .u32(4, (p.insns.len() / 8) as u32)
        .ptr(8, p.insns.as_ptr())
        .ptr(16, license.as_ptr())
        .u32(24, p.log_level)
        .u32(28, log.len() as u32)
        .ptr(
            32,
            if log.is_empty() {
                std::ptr::null_mut()
            } else {
                log.as_mut_ptr()
            },
        )
        .u32(44, p.prog_flags);
    if let Some(btf) = p.btf_fd {
        a.u32(72, btf.as_raw_fd() as u32)
            .u32(76, 8)
            .ptr(80, p.func_info.as_ptr())
            .u32(88, (p.func_info.len() / 8) as u32);
    }
    let r = fd(BPF_PROG_LOAD, &mut a);
    // log_true_size (Linux 6.4+): the whole log's size, terminating NUL included
    let truncated = !log.is_empty() && a.read_u32(140) as usize > log.len();
    (r, c_string(&log), truncated)
}

/// `BPF_PROG_TEST_RUN` once: the return value.
pub fn test_run(prog: &OwnedFd, data: &[u8], ctx: Option<&[u8]>) -> io::Result<u32> {
    let mut out = vec![0u8; data.len() + 256];
    let mut a = Attr::new();
    a.u32(0, prog.as_raw_fd() as u32);
    // A program without a packet (`syscall`) must be given no data, no output buffer and no
    // repeat count (the kernel's bpf_prog_test_run_syscall refuses them).
    if !data.is_empty() {
        a.u32(8, data.len() as u32)
            .u32(12, out.len() as u32)
            .ptr(16, data.as_ptr())
            .ptr(24, out.as_mut_ptr())
            .u32(32, 1);
    }
    if let Some(ctx) = ctx {
        a.u32(40, ctx.len() as u32).ptr(48, ctx.as_ptr());
    }
    bpf(BPF_PROG_TEST_RUN, &mut a)?;
    Ok(a.read_u32(4))
}

fn c_string(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

extern "C" fn on_alarm(_: libc::c_int) {}

/// Runs `f` (a `bpf()` call) on this thread and interrupts it after `timeout`: the kernel's
/// verifier stops with `EAGAIN` when a signal is pending (`do_check`'s `signal_pending`), so
/// a watcher thread sends this thread `SIGALRM`, for which a handler that does nothing is
/// installed without `SA_RESTART`. Returns `f`'s result and whether the deadline passed.
pub fn with_deadline<T>(timeout: Duration, f: impl FnOnce() -> T) -> (T, bool) {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: a zeroed sigaction with a handler that does nothing (async-signal-safe);
        // the pointers passed are to locals that outlive the calls.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_alarm as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
        }
    });
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() };
    let fired = Arc::new(AtomicBool::new(false));
    let (done, wait) = mpsc::channel::<()>();
    let watcher = {
        let fired = fired.clone();
        std::thread::spawn(move || {
            if wait.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
                fired.store(true, Ordering::SeqCst);
                // SAFETY: `me` is alive: it is waiting for this thread in `join` below.
                unsafe { libc::pthread_kill(me, libc::SIGALRM) };
            }
        })
    };
    let r = f();
    drop(done);
    let _ = watcher.join();
    (r, fired.load(Ordering::SeqCst))
}
