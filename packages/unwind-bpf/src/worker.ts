// The worker that hosts the wasm module for the client (index.ts): the page never runs wasm on
// its own thread, so long work cannot freeze it; a trap costs only this worker, which the
// client replaces; cancelling work in flight is terminating the worker.

import init, {
  Debugger,
  Verification,
  __unwindTestPanic,
  assemble,
  verify,
  version,
} from "./pkg/unwind_wasm.js";
import type { OnProgress, Progress } from "./pkg/unwind_wasm.js";
import type {
  Call,
  DebugAction,
  DebugCreated,
  DebugReply,
  FailureCode,
  LogMatches,
  LogWindow,
  Reply,
  Request,
  VerifyReply,
} from "./protocol.js";

/** A progress report is posted when this much time or this many instructions have passed
 * since the last one (Rust calls back far more often; see the package README). */
const PROGRESS_MS = 50;
const PROGRESS_INSNS = 50_000;

/** A log of at most this many lines is sent whole; a longer one as windows. */
const WHOLE_LOG_LINES = 2_000;
const HEAD_LINES = 200;
const AROUND_ERROR_LINES = 60;
const TAIL_LINES = 40;

/** Verifications kept for `logLines`/`states` (older ones are freed: their logs can be huge;
 * the client verifies again when it needs one back). */
const KEPT_VERIFICATIONS = 4;

/** Logs kept split into lowercased lines for `logSearch` (a 75 MB log is a second or so to
 * split: done once per verification searched, not per query). */
const SEARCHED_LOGS = 2;

interface WorkerScope {
  postMessage(message: Reply): void;
  addEventListener(type: "message", listener: (event: MessageEvent<unknown>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let trapped = false;
let loaded: Promise<void> | null = null;
const verifications = new Map<number, Verification>();
const debuggers = new Map<number, Debugger>();
const searchedLogs = new Map<number, string[]>();

class Failure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

scope.addEventListener("message", (event) => {
  // The client sends only `Request`s; anything else (a message of another script, a bug) is
  // answered as misuse rather than thrown here, where it would kill the worker's handler.
  const data = event.data as unknown;
  const problem = badRequest(data);
  if (problem !== null) {
    const id = isRecord(data) && typeof data["id"] === "number" ? data["id"] : null;
    fail(id, "misuse", `not a request: ${problem}`);
    return;
  }
  const request = data as Request;
  if (request.type === "init") {
    loaded = init({ module_or_path: request.module }).then(
      () => scope.postMessage({ type: "ready", version: version() }),
      (error: unknown) =>
        scope.postMessage({
          type: "failed",
          id: null,
          code: "init",
          message: `could not load the WebAssembly module: ${describe(error)}`,
        }),
    );
    return;
  }
  if (loaded === null) {
    fail(request.id, "misuse", "the module is not loaded: the first message must be init");
    return;
  }
  void loaded.then(() => handle(request.id, request.call, request.progress));
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const OPS: ReadonlySet<string> = new Set<Call["op"]>([
  "assemble",
  "openObject",
  "verify",
  "logLines",
  "logText",
  "logSearch",
  "states",
  "release",
  "debugger",
  "replay",
  "act",
  "run",
  "panic",
]);

/** Why `value` is not a `Request` the worker can act on (its shape; the values of its fields
 * are checked where they are used, and a wrong one is misuse there), or null. */
function badRequest(value: unknown): string | null {
  if (!isRecord(value)) return "not an object";
  if (value["type"] === "init") {
    const module = value["module"];
    return typeof module === "string" || module instanceof WebAssembly.Module ? null : "init without a module";
  }
  if (value["type"] !== "call") return `unknown type ${JSON.stringify(String(value["type"])).slice(0, 40)}`;
  if (typeof value["id"] !== "number") return "a call without a numeric id";
  const call = value["call"];
  if (!isRecord(call)) return "a call without a call object";
  if (typeof call["op"] !== "string" || !OPS.has(call["op"])) return `unknown op ${JSON.stringify(String(call["op"])).slice(0, 40)}`;
  return null;
}

/** The object loader's module (crates/wasm-object), its glue and its wasm fetched beside this
 * worker on the first `openObject`: pages that never open an object file never download it. */
let objects: Promise<(bytes: Uint8Array) => string> | null = null;
let openObject: ((bytes: Uint8Array) => string) | null = null;

function handle(id: number, call: Call, progress: boolean): void {
  if (trapped) {
    fail(id, "trap", "the WebAssembly module stopped after an internal error");
    return;
  }
  if (call.op === "openObject" && objects === null) {
    objects = import("./pkg/unwind_object.js").then(async (glue) => {
      await glue.default({ module_or_path: new URL("./pkg/unwind_object_bg.wasm", import.meta.url) });
      return glue.openObject;
    });
  }
  if (call.op === "openObject") {
    objects!.then(
      (open) => {
        openObject = open;
        handleNow(id, call, progress);
      },
      (error: unknown) => {
        objects = null;
        fail(id, "unavailable", `could not load the object loader's WebAssembly module: ${describe(error)}`);
      },
    );
    return;
  }
  handleNow(id, call, progress);
}

function handleNow(id: number, call: Call, progress: boolean): void {
  try {
    scope.postMessage({ type: "done", id, value: perform(call, progress ? reporter(id) : undefined) });
  } catch (error) {
    if (error instanceof Failure) {
      fail(id, error.code, error.message);
    } else if (error instanceof WebAssembly.RuntimeError) {
      // A Rust panic (or another trap): this instance is unusable from now on.
      trapped = true;
      fail(id, "trap", describe(error));
    } else {
      // A JS Error from the bindings: bad options (this worker never stops work itself).
      fail(id, "misuse", describe(error));
    }
  }
}

function perform(call: Call, onProgress: OnProgress | undefined): unknown {
  switch (call.op) {
    case "assemble":
      return assemble(call.source, call.options);
    case "openObject":
      return JSON.parse(openObject!(call.bytes)) as unknown;
    case "verify": {
      const verification = verify(call.source, call.options, onProgress);
      keep(call.handle, verification);
      return verifyReply(verification);
    }
    case "logLines":
      return kept(call.handle).logLines(call.from, call.to);
    case "logText":
      return kept(call.handle).log();
    case "logSearch":
      return searchLog(call.handle, call.query, call.prefix, call.limit);
    case "states":
      return kept(call.handle).states(call.fromPc, call.toPc);
    case "release":
      verifications.get(call.handle)?.free();
      verifications.delete(call.handle);
      searchedLogs.delete(call.handle);
      debuggers.get(call.handle)?.free();
      debuggers.delete(call.handle);
      return null;
    case "debugger":
      return created(call.handle, new Debugger(call.source, call.options, onProgress));
    case "replay": {
      const vm = new Debugger(call.source, call.options);
      for (const action of call.actions) act(vm, action, undefined);
      return created(call.handle, vm);
    }
    case "act": {
      const vm = debuggers.get(call.handle);
      if (vm === undefined) throw new Failure("misuse", "this debugger was closed");
      const stop = act(vm, call, onProgress);
      return reply(vm, stop, call.eventsFrom);
    }
    case "run": {
      const vm = new Debugger(call.source, call.options, onProgress);
      try {
        vm.setRecording(false);
        const stop = vm.state().ready ? vm.run(onProgress) : null;
        return reply(vm, stop, 0);
      } finally {
        vm.free();
      }
    }
    case "panic":
      __unwindTestPanic();
      return null;
  }
}

function act(vm: Debugger, action: DebugAction, onProgress: OnProgress | undefined): DebugReply["stop"] {
  switch (action.action) {
    case "state":
      return null;
    case "step":
      return vm.step();
    case "stepOver":
      return vm.stepOver(onProgress);
    case "stepOut":
      return vm.stepOut(onProgress);
    case "run":
      return vm.run(onProgress);
    case "back":
      vm.back(action.steps);
      return null;
    case "reset":
      vm.reset();
      return null;
    case "breakpoints": {
      const wanted = new Set(action.lines);
      vm.lines().forEach((line, pc) => vm.setBreakpoint(pc, line > 0 && wanted.has(line)));
      return null;
    }
    case "breakpointPcs": {
      const wanted = new Set(action.pcs);
      vm.lines().forEach((_, pc) => vm.setBreakpoint(pc, wanted.has(pc)));
      return null;
    }
    case "recording":
      vm.setRecording(action.on);
      return null;
    default:
      throw new Failure("misuse", `unknown debugger action ${JSON.stringify(String((action as { action: unknown }).action)).slice(0, 40)}`);
  }
}

function created(handle: number, vm: Debugger): DebugCreated {
  debuggers.get(handle)?.free();
  debuggers.set(handle, vm);
  return { ...reply(vm, null, 0), descriptors: vm.descriptors(), lines: Array.from(vm.lines()) };
}

function reply(vm: Debugger, stop: DebugReply["stop"], from: number): DebugReply {
  const state = vm.state();
  const eventsFrom = Math.min(from, state.eventCount);
  return { stop, state, events: vm.events(eventsFrom), eventsFrom };
}

function verifyReply(verification: Verification): VerifyReply {
  const summary = verification.summary();
  const count = summary.logLines;
  if (count <= WHOLE_LOG_LINES) {
    return { summary, windows: [{ from: 0, lines: verification.logLines(0, count) }] };
  }
  const ranges: [number, number][] = [[0, HEAD_LINES]];
  if (summary.errorLogLine !== null) {
    const half = AROUND_ERROR_LINES / 2;
    ranges.push([summary.errorLogLine - half, summary.errorLogLine + half]);
  }
  ranges.push([count - TAIL_LINES, count]);
  const windows: LogWindow[] = [];
  for (const [start, end] of ranges) {
    const last = windows[windows.length - 1];
    const lastEnd = last === undefined ? 0 : last.from + last.lines.length;
    const from = Math.max(start, lastEnd, 0);
    const to = Math.min(end, count);
    if (to <= from) continue;
    const lines = verification.logLines(from, to);
    if (last !== undefined && lastEnd === from) last.lines.push(...lines);
    else windows.push({ from, lines });
  }
  return { summary, windows };
}

function keep(handle: number, verification: Verification): void {
  verifications.get(handle)?.free();
  verifications.set(handle, verification);
  searchedLogs.delete(handle);
  for (const [old, value] of verifications) {
    if (verifications.size <= KEPT_VERIFICATIONS) break;
    value.free();
    verifications.delete(old);
    searchedLogs.delete(old);
  }
}

/** Plain substring search in JS over the kept log's text (no wasm code for it: the module
 * has a size budget, and a worker's JS does not block the page either). */
function searchLog(handle: number, query: string, prefix: boolean, limit: number): LogMatches {
  let lines = searchedLogs.get(handle);
  if (lines === undefined) {
    const text = kept(handle).log().toLowerCase();
    lines = text.split("\n");
    if (text.endsWith("\n")) lines.pop();
    searchedLogs.set(handle, lines);
    for (const old of searchedLogs.keys()) {
      if (searchedLogs.size <= SEARCHED_LOGS) break;
      searchedLogs.delete(old);
    }
  }
  const needle = query.toLowerCase();
  const found: number[] = [];
  if (needle === "") return { lines: found, truncated: false };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!(prefix ? line.startsWith(needle) : line.includes(needle))) continue;
    if (found.length === limit) return { lines: found, truncated: true };
    found.push(i);
  }
  return { lines: found, truncated: false };
}

function kept(handle: number): Verification {
  const verification = verifications.get(handle);
  if (verification === undefined) throw new Failure("released", "the verification was released");
  return verification;
}

/** The progress callback of call `id`: posts a report now and then, never stops the work
 * (cancelling is the client's: it terminates this worker). */
function reporter(id: number): OnProgress {
  let lastTime = performance.now();
  let lastInsns = 0;
  return (progress: Progress) => {
    const now = performance.now();
    if (now - lastTime >= PROGRESS_MS || progress.insnsProcessed - lastInsns >= PROGRESS_INSNS) {
      lastTime = now;
      lastInsns = progress.insnsProcessed;
      scope.postMessage({ type: "progress", id, progress });
    }
  };
}

function fail(id: number | null, code: FailureCode, message: string): void {
  scope.postMessage({ type: "failed", id, code, message });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
