// The JS API as a host sees it, through the glue wasm-bindgen generated: every exported
// function and method, progress and cancelling, 64-bit values, misuse, and a panic. Each export
// is one test, called by `tests/node.rs` under wasm-bindgen-test-runner (node); a failure
// throws. `make wasm-test` runs them.
//
// The module under test is the test binary's own glue (`wasm-bindgen-test.js`, beside the
// runner's `run.cjs`); `fresh()` loads it once more, which makes a new instance of the module
// (new memory), as a host does after a trap.

import { createRequire } from "node:module";

// A `require` relative to the runner's `run.cjs`.
const require = createRequire(createRequire(import.meta.url).main.filename);
const GLUE = "./wasm-bindgen-test.js";

/** The instance the tests run in. */
const api = () => require(GLUE);

/** A new instance of the module, with its own glue. */
function fresh() {
  const path = require.resolve(GLUE);
  const kept = require.cache[path];
  delete require.cache[path];
  try {
    return require(GLUE);
  } finally {
    require.cache[path] = kept;
  }
}

function assert(cond, what) {
  if (!cond) throw new Error(`assertion failed: ${what}`);
}

function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}

/** `f()` throws an `Error` whose message matches `pattern`; returns it. */
function throws(f, pattern, what) {
  let error;
  try {
    f();
  } catch (e) {
    error = e;
  }
  assert(error !== undefined, `${what}: threw nothing`);
  assert(error instanceof Error, `${what}: threw a non-Error ${error}`);
  assert(pattern.test(error.message), `${what}: message ${JSON.stringify(error.message)} !~ ${pattern}`);
  return error;
}

/** Rejected at the verifier's 1,000,000-instruction limit. */
const LOOP = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";
/** Accepted after about 20,000 processed instructions. */
const BOUNDED = "r0 = 0\nl:\nr0 += 1\nif r0 < 10000 goto l\nexit\n";
/** 600,004 executed instructions, a bpf-to-bpf call in each iteration; returns 300,000. */
const LONG_RUN =
  "r6 = 100000\nr7 = 0\nl:\ncall f\nr7 += r0\nr6 -= 1\nif r6 != 0 goto l\nr0 = r7\nexit\nf:\nr0 = 3\nexit";
/** Leaks its object when run without the verifier. */
const LEAKS = ".ctx tracing\nr6 = 1\ncall f\nr0 = 7\nexit\nf:\nr1 = 16\ncall bpf_obj_new\nr0 = 0\nexit";

export function versionAndAssemble() {
  const { version, assemble } = api();
  assert(/^\d+\.\d+\.\d+/.test(version()), `version ${version()}`);
  const r = assemble("r0 = 0\nexit\n");
  eq([r.ok, r.syntax, r.instructions.length, r.slotCount], [true, "pseudo_c", 2, 2], "assembled");
  eq(r.instructions[1].hex, "95 00 00 00 00 00 00 00", "exit's bytes");
  eq(assemble("r0 = 0\nexit\n", { syntax: "pseudo_c" }).ok, true, "with options");
  eq(assemble("r0 = 0\nexit\n", null).ok, true, "null options");
  const bad = assemble("frob\n");
  eq([bad.ok, bad.diagnostics[0].kind, bad.diagnostics[0].line], [false, "unknown_instruction", 1], "errors are data");
}

export function verifyAndEveryVerificationMethod(calleeSaved) {
  const { verify, Verification } = api();
  const v = verify(calleeSaved, { mode: "cleanup", logLevel: 2 });
  assert(v instanceof Verification, "a Verification");
  const s = v.summary();
  eq([s.assembled, s.accepted, s.mode, s.syntax], [true, true, "cleanup", "pseudo_c"], "verdict");
  assert(!("log" in s) && !("states" in s), "no log, no states in the summary");
  for (const key of ["diagnostics", "errors", "functions", "stats", "frameDescriptors", "rewrite", "loaded"]) {
    assert(key in s, `summary.${key}`);
  }
  assert(s.frameDescriptors.length > 0 && s.stats.insnsProcessed > 0, "descriptors, stats");
  eq(s.errorLogLine, null, "no error line");
  const log = v.log();
  const lines = log.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  eq(s.logLines, lines.length, "logLines");
  eq(s.logBytes, Buffer.byteLength(log), "logBytes");
  eq(v.logLines(0, Infinity), lines, "every line");
  eq(v.logLines(-5, 2), lines.slice(0, 2), "clamped below");
  eq(v.logLines(3, 7), lines.slice(3, 7), "a range");
  eq(v.logLines(s.logLines - 1, s.logLines + 50), lines.slice(-1), "clamped above");
  eq(v.logLines(7, 3), [], "inverted");
  const states = v.states(0, Infinity);
  eq(s.statesCount, states.length, "statesCount");
  assert(states.length > 3 && typeof states[0].states[0] === "string", "states");
  const [a, b] = [states[1].pc, states[3].pc];
  eq(v.states(a, b), states.filter((st) => st.pc >= a && st.pc < b), "states by pc range");
  eq(v.states(b, a), [], "inverted pcs");
  v.free();
  throws(() => v.summary(), /null pointer|moved|freed/i, "a freed Verification");

  // A rejection: the error's line in the log.
  const r = verify("r0 = 0\nr0 = r5\nexit", { logLevel: 1 });
  const rs = r.summary();
  eq([rs.accepted, rs.errors[0].message, rs.errors[0].line], [false, "R5 !read_ok", 2], "rejected");
  eq(r.logLines(rs.errorLogLine, rs.errorLogLine + 1), ["R5 !read_ok"], "errorLogLine");
  // A source that does not assemble: an empty verdict, diagnostics.
  const u = verify("frob").summary();
  eq([u.assembled, u.accepted, u.logLines, u.errorLogLine, u.statesCount], [false, false, 0, null, 0], "not assembled");
}

export function verifyReportsProgressAndCancels() {
  const { verify } = api();
  const seen = [];
  const v = verify(LOOP, { logLevel: 0 }, (p) => {
    seen.push(p);
  });
  eq(seen.length, Math.floor(1000000 / 8192), "one report every 8,192 processed instructions");
  seen.forEach((p, i) => {
    eq(Object.keys(p).sort(), ["insnsProcessed", "pc", "phase", "states"], "Progress's keys");
    eq([p.phase, p.insnsProcessed], ["verify", (i + 1) * 8192], `report ${i}`);
    assert(Number.isInteger(p.states) && p.pc >= 0 && p.pc < 3, `report ${i}: ${JSON.stringify(p)}`);
  });
  assert(seen[seen.length - 1].states > 0, "states explored");
  eq(v.summary().errors[0].message, "BPF program is too large. Processed 1000001 insn", "verdict");
  // `true` goes on; `false` stops: Error("cancelled").
  let calls = 0;
  throws(() => verify(LOOP, { logLevel: 2 }, () => ++calls < 3), /^cancelled$/, "cancelled");
  eq(calls, 3, "stopped at the third report");
  // A callback that throws stops the work; its exception is what the call throws.
  const boom = new Error("boom");
  let caught;
  try {
    verify(LOOP, {}, () => {
      throw boom;
    });
  } catch (e) {
    caught = e;
  }
  assert(caught === boom, `the callback's own exception: ${caught}`);
  // The budget: the kernel's rejection, sooner.
  const b = verify(LOOP, { budget: 10000 }).summary();
  eq(b.errors[0].message, "BPF program is too large. Processed 10001 insn", "budget");
  eq(b.stats.insnsProcessed, 10001, "processed");
  eq(verify(BOUNDED, { budget: 1000000 }).summary().accepted, true, "the maximum budget");
  throws(() => verify(LOOP, { budget: 1000001 }), /budget/, "over the limit");
  throws(() => verify(LOOP, { budget: -1 }), /invalid options/, "negative");
  throws(() => verify(LOOP, { budget: 1.5 }), /invalid options/, "fractional");
}

export function everyDebuggerMethod(calleeSaved) {
  const { Debugger } = api();
  const vm = new Debugger(LEAKS, { unverified: true });
  eq(vm.step(), "step", "step");
  eq(vm.step(), "step", "step into f");
  let st = vm.state();
  eq([st.ready, st.verified, st.pc, st.insn, st.frames.length], [true, false, 4, "r1 = 16", 2], "state in f");
  eq(vm.stepOut(), "step", "stepOut");
  eq([vm.state().pc, vm.state().frames.length], [2, 1], "back in main");
  eq(vm.run(), "ended", "run");
  st = vm.state();
  eq([st.state, st.returnValue, st.resources.length], ["exited", "7", 1], "exited, leaked");
  eq(vm.events().map((e) => e.kind), ["call", "acquire", "return", "exit", "leak"], "events");
  eq(vm.events(3).map((e) => e.kind), ["exit", "leak"], "events from 3");
  eq(vm.back(2), 2, "back");
  eq(vm.state().state, "running", "running again");
  vm.reset();
  eq([vm.state().pc, vm.events().length], [0, 0], "reset");
  eq(vm.stepOver(), "step", "stepOver a move");
  eq(vm.stepOver(), "step", "stepOver the call");
  eq(vm.state().pc, 2, "over f");
  eq(vm.setBreakpoint(3, true), true, "setBreakpoint");
  eq(vm.setBreakpoint(1000, true), false, "no such pc");
  vm.reset();
  eq(vm.run(), "breakpoint", "stops at the breakpoint");
  eq([vm.state().pc, vm.state().breakpoints], [3, [3]], "at pc 3");
  vm.setBreakpoint(3, false);
  vm.setRecording(false);
  eq(vm.state().traceLength, 0, "recording off drops the trace");
  eq(vm.run(), "ended", "the fast path to the end");
  eq(vm.back(1), 0, "nothing recorded");
  eq(Array.from(vm.lines()), [2, 3, 4, 5, 7, 8, 9, 10], "lines");
  eq(vm.descriptors(), [], "no descriptors without the verifier");
  vm.free();
  throws(() => vm.state(), /null pointer|moved|freed/i, "a freed Debugger");

  // Verified, in cleanup mode: the descriptors the unwinder reads; the hidden trampoline.
  const c = new Debugger(calleeSaved);
  const descriptors = c.descriptors();
  assert(descriptors.length === 3 && descriptors[0].history.length > 0, "descriptors");
  eq(c.lines()[c.lines().length - 1], 0, "the trampoline has no source line");
  eq(c.run(), "ended", "unwinds");
  assert(c.events().some((e) => e.kind === "restore_regs"), "registers restored");
  // Data, not exceptions: a rejected program, one that does not assemble.
  const rejected = new Debugger("r0 = r5\nexit");
  eq([rejected.state().state, rejected.run()], ["rejected", "not_ready"], "rejected");
  eq(new Debugger("frob").state().state, "not_ready", "not assembled");
}

export function runReportsProgressAndCancels() {
  const { Debugger } = api();
  for (const recording of [true, false]) {
    const plain = new Debugger(LONG_RUN, { unverified: true, traceCapacity: 16 });
    plain.setRecording(recording);
    eq(plain.run(), "ended", "uncancelled");
    const vm = new Debugger(LONG_RUN, { unverified: true, traceCapacity: 16 });
    vm.setRecording(recording);
    const seen = [];
    eq(vm.run((p) => (seen.push(p), seen.length < 2)), "cancelled", "cancelled");
    eq([seen[1].phase, seen[1].insnsProcessed, seen[1].states], ["run", 2 * 65536, 0], "reports");
    const st = vm.state();
    eq([st.state, st.pc], ["running", seen[1].pc], "stopped where it was");
    eq(vm.step(), "step", "stepping goes on");
    // A callback that throws: the run stops, the exception comes out, the machine is kept.
    const boom = new Error("boom");
    let caught;
    try {
      vm.run(() => {
        throw boom;
      });
    } catch (e) {
      caught = e;
    }
    assert(caught === boom, `the callback's exception: ${caught}`);
    eq(vm.state().state, "running", "still running");
    eq(vm.run(() => true), "ended", "to the end");
    const [a, b] = [vm.state(), plain.state()];
    eq([a.state, a.returnValue, a.registers], [b.state, b.returnValue, b.registers], "the same end");
    eq(a.returnValue, "300000", "returns");
    eq(vm.events(), plain.events(), "the same events");
  }
  // stepOver and stepOut take a callback too.
  const src = "r0 = 0\ncall f\nr0 += 1\nexit\nf:\nr1 = 40000\nl:\nr0 += 2\nr1 -= 1\nif r1 != 0 goto l\nexit";
  const vm = new Debugger(src, { unverified: true, traceCapacity: 16 });
  vm.step();
  let calls = 0;
  eq(vm.stepOver(() => (++calls, true)), "step", "stepOver to the end of the call");
  eq([vm.state().pc, calls], [2, 1], "over, one report");
  vm.reset();
  vm.step();
  eq(vm.stepOver(() => false), "cancelled", "stepOver cancelled");
  eq([vm.state().frames.length, vm.stepOut()], [2, "step"], "in f, then out of it");
  vm.reset();
  vm.step();
  vm.step();
  eq(vm.stepOut(() => false), "cancelled", "stepOut cancelled");
  eq(vm.stepOut(), "step", "stepOut from there");
  eq(vm.run(), "ended", "the end");
  eq(vm.state().returnValue, "80001", "its value");
  // The constructor's verification reports and can be cancelled.
  const phases = [];
  const verified = new Debugger(BOUNDED, {}, (p) => {
    phases.push(p.phase);
  });
  assert(phases.length > 0 && phases.every((p) => p === "verify"), `verify phase: ${phases}`);
  eq(verified.state().state, "running", "verified and loaded");
  throws(() => new Debugger(BOUNDED, {}, () => false), /^cancelled$/, "constructor cancelled");
}

export function u64ValuesCrossExactly() {
  const { assemble, verify, Debugger } = api();
  const src = "r0 = 0xfedcba9876543210 ll\nexit";
  eq(assemble(src).instructions[0].source, "r0 = 0xfedcba9876543210 ll", "the immediate, as text");
  eq(verify(src).summary().accepted, true, "accepted");
  const vm = new Debugger(src);
  eq(vm.run(), "ended", "ran");
  const st = vm.state();
  eq([st.returnValue, st.registers[0]], ["18364758544493064720", "18364758544493064720"], "r0 exactly");
  assert(BigInt(st.returnValue) === 0xfedcba9876543210n, "as a BigInt");
  // A world value above 2^53, as a BigInt: exact. As a Number it cannot be: refused.
  const start = 18000000000000000000n;
  const clock = new Debugger("call bpf_ktime_get_ns\nexit", {
    world: { ktime_start_ns: start },
  });
  eq(clock.run(), "ended", "the clock ran");
  const ns = BigInt(clock.state().returnValue);
  assert(ns === start + 1n, `ktime ${ns}: the start, then 1 ns per instruction`);
  // A Number above 2^53 may not be what the caller wrote: misuse, named by its path.
  throws(
    () => new Debugger("call bpf_ktime_get_ns\nexit", { world: { ktime_start_ns: 2 ** 60 } }),
    /^invalid options: world\.ktime_start_ns: a Number above 2\^53 - 1 may not be exact; pass a BigInt$/,
    "a Number above 2^53",
  );
  throws(() => new Debugger("exit", { budget: 1.5 }), /^invalid options: budget: expected an integer$/, "a fraction");
  // A world field of the wrong type is misuse; a world the program cannot run in is data.
  throws(
    () => new Debugger("exit", { world: { tasks: [{ pid: 1 }, { pid: "2" }] } }),
    /^invalid options: world\.tasks\[1\]\.pid: invalid type: string "2", expected u32$/,
    "a wrong type deep inside",
  );
  const badWorld = new Debugger(".ctx tc\nr0 = 0\nexit", { world: { ctx: "zz" } });
  assert(/invalid hex/.test(badWorld.state().error), `a bad world: ${badWorld.state().error}`);
  // BigInts at any depth; undefined fields are left out, as JSON.stringify leaves them.
  const seeded = new Debugger("call bpf_get_prandom_u32\nexit", {
    world: { prandom_seed: 2n ** 64n - 1n, tasks: [{ pid: 7, comm: "x" }], ctx: undefined },
    budget: 99n,
    syntax: undefined,
  });
  eq(seeded.state().state, "running", `two BigInts: ${seeded.state().error}`);
  throws(
    () => new Debugger("exit", { world: { ktime_start_ns: 2 ** 53 } }),
    /^invalid options: world\.ktime_start_ns: a Number above 2\^53 - 1 may not be exact; pass a BigInt$/,
    "2^53 itself may be a rounded 2^53 + 1",
  );
  // Not plain data: refused, not read as {}.
  for (const [what, value] of [
    ["a Map", new Map([["mode", "legacy"]])],
    ["a Date", new Date()],
    ["a class instance", new (class O { get mode() { return "legacy"; } })()],
    ["a boxed Number", new Number(5)],
  ]) {
    throws(() => verify("exit", value), /^invalid options: expected a plain object/, what);
    throws(() => new Debugger("exit", { world: value }), /^invalid options: world: expected a plain object/, `${what} as the world`);
  }
  // A getter or a Proxy that throws is an error of the options, and leaves the module whole
  // (an exception through Rust frames would leak its stack: 300 of them broke every call).
  const throwing = { get mode() { throw new Error("boom"); } };
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (let i = 0; i < 300; i++) {
    throws(() => verify("exit", throwing), /^invalid options: mode: reading it threw an exception$/, "a throwing getter");
    throws(() => verify("exit", { world: proxy }), /^invalid options: world: reading it threw an exception$/, "a revoked Proxy");
  }
  eq(verify("exit", { mode: "legacy" }).summary().mode, "legacy", "the module still works");
  // Sizes are bounded: shared references, huge sparse arrays.
  let shared = 0;
  for (let i = 0; i < 25; i++) shared = [shared, shared];
  throws(() => new Debugger("exit", { world: { cgroups: shared } }), /more than 100000 values/, "2^25 shared values");
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  throws(() => new Debugger("exit", { world: { cgroups: sparse } }), /more than 100000 values/, "a sparse array");
  throws(() => verify("exit", ["legacy"]), /^invalid options: invalid type: sequence, expected struct VerifyOptions$/, "a list");
  const cycle = {};
  cycle.self = cycle;
  throws(() => verify("exit", { mode: cycle }), /invalid options: mode(\.self)+: nested too deeply/, "a cycle");
  throws(
    () => new Debugger("exit", { budget: 2n ** 64n }),
    /^invalid options: budget: integer `18446744073709551616` is out of the range of 64-bit integers$/,
    "a BigInt above u64",
  );
  // The run budget (a u64 option) likewise.
  eq(new Debugger(LONG_RUN, { unverified: true, budget: 2n ** 60n }).run(), "ended", "a BigInt budget");
  const small = new Debugger(LONG_RUN, { unverified: true, budget: 1000 });
  eq([small.run(), small.state().fault.kind], ["ended", "budget"], "a small budget");
  throws(() => new Debugger(LONG_RUN, { budget: 2 ** 60 }), /invalid options/, "a Number budget above 2^53");
}

export function badOptionsThrow() {
  const { assemble, verify, Debugger } = api();
  throws(() => assemble("exit", { syntax: "att" }), /att/, "unknown syntax");
  throws(() => assemble("exit", { sytnax: "hex" }), /unknown field `sytnax`/, "misspelled");
  throws(() => verify("exit", { mdoe: "legacy" }), /unknown field `mdoe`/, "misspelled");
  throws(() => verify("exit", { mode: "strict" }), /strict/, "unknown mode");
  throws(() => verify("exit", { logLevel: 7 }), /log level/, "log level");
  throws(() => verify("exit", "cleanup"), /invalid options/, "not an object");
  throws(() => new Debugger("exit", { helpers: "libc" }), /libc/, "unknown helpers");
  throws(() => new Debugger("exit", { nope: 1 }), /unknown field `nope`/, "unknown field");
  throws(() => new Debugger("exit", { traceCapacity: "lots" }), /invalid options/, "wrong type");
  eq(verify("exit", undefined).summary().assembled, true, "undefined is the defaults");
  // A source that is not a string is misuse, not a bad pointer into the module (it trapped:
  // "memory access out of bounds").
  for (const source of [false, 42, null, undefined, {}, ["exit"]]) {
    throws(() => verify(source), /^invalid source: expected a string, got /, `verify(${String(source)})`);
    throws(() => assemble(source), /^invalid source: expected a string/, `assemble(${String(source)})`);
    throws(() => new Debugger(source), /^invalid source: expected a string/, `new Debugger(${String(source)})`);
  }
  eq(assemble("r0 = 0\nexit").ok, true, "the instance still works");
  throws(() => verify("exit", { logSize: 64 }), /outside the kernel's range of 128/, "a log size under 128");
  // A 64 KB log buffer: the end of the log, and ENOSPC.
  const cut = verify(LOOP, { logLevel: 2, budget: 20000, logSize: 65536 }).summary();
  eq(cut.logBytes, 65535, "the log fills the buffer but its NUL");
  assert(cut.errors.length === 2 && /\(ENOSPC\)/.test(cut.errors[1].message), JSON.stringify(cut.errors));
}

export function aPanicTrapsAndAFreshInstanceWorks() {
  const first = fresh();
  assert(first !== api() && first.Debugger !== api().Debugger, "another instance");
  eq(first.version(), api().version(), "a second instance");
  // The panic is reported (console_error_panic_hook: console.error with its message), then
  // the call traps: a WebAssembly.RuntimeError, caught here like any exception. (In a test
  // build the crate's `#[wasm_bindgen(start)]` function, which installs the hook, is exported
  // as `start` rather than run when the instance is made.)
  first.start();
  let trap;
  const reported = [];
  const consoleError = console.error;
  console.error = (...args) => reported.push(args.join(" "));
  try {
    first.__unwindTestPanic();
  } catch (e) {
    trap = e;
  } finally {
    console.error = consoleError;
  }
  assert(trap instanceof WebAssembly.RuntimeError, `a trap, not ${trap}`);
  assert(reported.some((m) => m.includes("__unwindTestPanic: a panic on purpose")), `reported: ${reported}`);
  // The host's answer to a trap: a fresh instance, which works.
  const second = fresh();
  eq(second.verify("r0 = 0\nexit").summary().accepted, true, "the fresh instance verifies");
  const vm = new second.Debugger("r0 = 2\nexit");
  eq([vm.run(), vm.state().returnValue], ["ended", "2"], "and runs");
  // The instance the tests run in was never touched.
  eq(api().verify("r0 = 0\nexit").summary().accepted, true, "the first instance");
}
