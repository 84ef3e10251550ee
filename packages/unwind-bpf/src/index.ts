// unwind-bpf: the BPF verifier, frame-descriptor pass and interpreter of Unwind, in a Web
// Worker, behind promises. `createUnwind()` starts it; every call answers without blocking the
// page's thread, can report progress, be cancelled (an AbortSignal, `cancel()`) and bounded
// (`timeoutMs`; `budget` bounds the instructions). The raw bindings are `unwind-bpf/raw`.

import type {
  AssembleOptions,
  AssembleResult,
  FrameDescriptor,
  PcState,
  StopReason,
  VerifyOptions,
  VerifySummary,
  VmEvent,
  VmOptions,
  VmState,
} from "./pkg/unwind_wasm.js";
import { Host, UnwindError, type CallOptions, type Start } from "./host.js";
import type { ObjectView } from "./pkg/unwind_object.js";
import type { Call, DebugAction, DebugCreated, DebugReply, LogMatches, LogWindow, VerifyReply } from "./protocol.js";

export { UnwindError } from "./host.js";
export type { CallOptions, UnwindErrorCode } from "./host.js";
export type { LogMatches, LogWindow } from "./protocol.js";
export type * from "./pkg/unwind_wasm.js";
export type { ObjectProgram, ObjectView } from "./pkg/unwind_object.js";

export interface UnwindOptions {
  /** The module: a compiled `WebAssembly.Module`, or its URL (default: `pkg/unwind_wasm_bg.wasm`
   * next to this file). It is compiled once and shared by every worker. */
  wasm?: WebAssembly.Module | string | URL;
  /** The worker script (default: `worker.js` next to this file). */
  worker?: string | URL;
}

/** Starts the worker and resolves once the module is loaded in it. */
export async function createUnwind(options: UnwindOptions = {}): Promise<Unwind> {
  const start: Start = {
    worker: () =>
      options.worker === undefined
        ? new Worker(new URL("./worker.js", import.meta.url), { type: "module" })
        : new Worker(options.worker, { type: "module" }),
    module: compile(options.wasm ?? new URL("./pkg/unwind_wasm_bg.wasm", import.meta.url)),
  };
  const host = new Host(start);
  const version = await host.started;
  return new Unwind(start, host, version);
}

/** Compiles the module once (streaming when the server sends `application/wasm`); when that
 * is impossible, the workers fetch it themselves. */
async function compile(wasm: WebAssembly.Module | string | URL): Promise<WebAssembly.Module | string> {
  if (wasm instanceof WebAssembly.Module) return wasm;
  const url = String(wasm);
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    if (response.headers.get("content-type")?.startsWith("application/wasm")) {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch {
    return url;
  }
}

/** Splits a call's options into the module's and the client's. */
function split<T extends object>(options: T & CallOptions): [T, CallOptions] {
  const { onProgress, signal, timeoutMs, ...rest } = options;
  const call: CallOptions = {};
  if (onProgress !== undefined) call.onProgress = onProgress;
  if (signal !== undefined) call.signal = signal;
  if (timeoutMs !== undefined) call.timeoutMs = timeoutMs;
  return [rest as T, call];
}

let nextHandle = 1;

/** The stateless calls; a `Channel`'s calls supersede each other. */
class Calls {
  constructor(
    protected readonly host: Host,
    private readonly channelName: string | null,
  ) {}

  /** Assembles `source`: the program's views and every diagnostic (errors are data). */
  assemble(source: string, options: AssembleOptions & CallOptions = {}): Promise<AssembleResult> {
    const [asm, call] = split(options);
    return this.host.call({ op: "assemble", source, options: asm }, call, this.channelName);
  }

  /** Opens a clang-built BPF object file (`clang -target bpf -g -c prog.c`): each program as
   * assembly text whose `.loc` directives carry its C lines (give `source` to `verify`,
   * `run` or `debugger`; it assembles to the object's exact bytes), or why it could not be
   * loaded. A file that is not a BPF object is data (`error`). The bytes are copied. */
  openObject(bytes: Uint8Array | ArrayBuffer, options: CallOptions = {}): Promise<ObjectView> {
    const copy = bytes instanceof ArrayBuffer ? new Uint8Array(bytes.slice(0)) : bytes;
    return this.host.call({ op: "openObject", bytes: copy }, options, this.channelName);
  }

  /** Assembles and verifies `source`: the verdict, the log (in windows, the rest on request),
   * the frame descriptors. A refusal is data. */
  async verify(source: string, options: VerifyOptions & CallOptions = {}): Promise<Verification> {
    const [verify, call] = split(options);
    const handle = nextHandle++;
    const reply = await this.host.call<VerifyReply>(
      { op: "verify", handle, source, options: verify },
      call,
      this.channelName,
    );
    return new Verification(this.host, handle, { op: "verify", handle, source, options: verify }, reply);
  }

  /** Verifies (unless `unverified`) and runs `source` to its end on the fast path: the end
   * state and every event (acquisitions, releases, the unwinding). */
  run(source: string, options: VmOptions & CallOptions = {}): Promise<RunResult> {
    const [vm, call] = split(options);
    return this.host
      .call<DebugReply>({ op: "run", source, options: vm }, call, this.channelName)
      .then(({ stop, state, events }) => ({ stop, state, events }));
  }
}

/** Calls that replace each other: a new one drops the one waiting and cancels (or ignores)
 * the one in flight, whose promise rejects with `superseded`. What an editor wants on every
 * keystroke. */
export class Channel extends Calls {}

export class Unwind extends Calls {
  private channels = 0;
  private readonly sessions = new Set<DebuggerSession>();

  /** @internal use `createUnwind()` */
  constructor(
    private readonly start: Start,
    host: Host,
    /** The version of the Unwind crates in the module. */
    readonly version: string,
  ) {
    super(host, null);
  }

  /** A channel of calls that supersede each other. */
  channel(): Channel {
    return new Channel(this.host, `channel ${++this.channels}`);
  }

  /** Opens a debugger on `source` (assembled, verified in `options.mode`, loaded as the
   * kernel would). It has a worker of its own, so cancelling one of its calls never touches
   * anything else. */
  async debugger(source: string, options: VmOptions & CallOptions = {}): Promise<DebuggerSession> {
    const [vm, call] = split(options);
    const session = new DebuggerSession(this.start, source, vm, () => this.sessions.delete(session));
    this.sessions.add(session);
    try {
      await session.open(call);
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  /** Cancels every call of this client in flight or waiting (not the debuggers': see
   * `DebuggerSession.cancel`). */
  cancel(): void {
    this.host.cancel();
  }

  /** Ends the workers; the client (and its debuggers) cannot be used after. */
  close(): void {
    for (const session of [...this.sessions]) session.close();
    this.host.close();
  }

  /** Test-only: makes the module panic; the promise rejects with `trap` and the next call
   * works on a fresh worker. */
  panicForTests(): Promise<void> {
    return this.host.call({ op: "panic" });
  }
}

/** A verdict: every field of the module's `VerifySummary`, the log and the per-pc states. */
export interface Verification extends VerifySummary {}
export class Verification {
  /** The kernel-format log: its size, the windows at hand, the rest on request. */
  readonly log: VerifierLog;

  /** @internal */
  constructor(
    private readonly host: Host,
    private readonly handle: number,
    private readonly remake: Call,
    reply: VerifyReply,
  ) {
    this.summary = reply.summary;
    Object.assign(this, reply.summary);
    this.log = new VerifierLog(reply.summary, reply.windows, handle, (call, options) =>
      this.ask(call, options),
    );
  }

  /** The summary as the module returned it (a plain object, e.g. to serialize). */
  readonly summary: VerifySummary;

  /** The abstract states recorded at the pcs in [fromPc, toPc). */
  states(fromPc: number, toPc: number, options: CallOptions = {}): Promise<PcState[]> {
    return this.ask({ op: "states", handle: this.handle, fromPc, toPc }, options);
  }

  /** Frees the worker's copy now (it keeps the last few anyway). */
  release(): void {
    void this.host.call({ op: "release", handle: this.handle }).catch(() => {});
  }

  /** A call on the worker's copy; when the worker no longer has it, the source is verified
   * again (same input, same answer) and the call repeated. */
  private async ask<T>(call: Call, options: CallOptions = {}): Promise<T> {
    try {
      return await this.host.call<T>(call, options);
    } catch (error) {
      if (!(error instanceof UnwindError) || error.code !== "released") throw error;
      await this.host.call(this.remake, options);
      return this.host.call<T>(call, options);
    }
  }
}

export interface LogSearchOptions {
  /** Match only at the start of a line. */
  prefix?: boolean;
  /** At most this many line numbers (default 10,000). */
  limit?: number;
}

/** A verifier log too long to send whole: its size, the lines at hand, the rest on request. */
export class VerifierLog {
  /** How many lines it has. */
  readonly lineCount: number;
  /** Its size in bytes (UTF-8). */
  readonly bytes: number;
  /** The (0-based) line that states the first error, or null. */
  readonly errorLine: number | null;

  /** @internal */
  constructor(
    summary: VerifySummary,
    /** The lines at hand, in order: all of them, or the start, around the error and the end. */
    readonly windows: LogWindow[],
    private readonly handle: number,
    private readonly ask: <T>(call: Call, options?: CallOptions) => Promise<T>,
  ) {
    this.lineCount = summary.logLines;
    this.bytes = summary.logBytes;
    this.errorLine = summary.errorLogLine;
  }

  /** Every line is at hand. */
  get complete(): boolean {
    return this.windows.reduce((n, w) => n + w.lines.length, 0) === this.lineCount;
  }

  /** The lines at hand as text, a `… N more lines …` marker where lines are left out. */
  excerpt(): string {
    const parts: string[] = [];
    let at = 0;
    for (const window of this.windows) {
      if (window.from > at) parts.push(`… ${window.from - at} more lines …`);
      parts.push(...window.lines);
      at = window.from + window.lines.length;
    }
    if (this.lineCount > at) parts.push(`… ${this.lineCount - at} more lines …`);
    return parts.length === 0 ? "" : `${parts.join("\n")}\n`;
  }

  /** Lines [from, to), clamped; from the windows when they hold them. */
  async lines(from: number, to: number, options: CallOptions = {}): Promise<string[]> {
    from = Math.max(0, from);
    to = Math.min(this.lineCount, to);
    if (to <= from) return [];
    const window = this.windows.find((w) => w.from <= from && to <= w.from + w.lines.length);
    if (window !== undefined) return window.lines.slice(from - window.from, to - window.from);
    return this.ask<string[]>({ op: "logLines", handle: this.handle, from, to }, options);
  }

  /** The (0-based) lines that hold `query`, case-insensitively (a plain substring, not a
   * pattern), or with `prefix: true`, that start with it (`"12: "`: pc 12's lines); at most
   * `limit` (default 10,000), `truncated` when more matched. It runs in the worker, over the
   * whole log. */
  search(query: string, options: LogSearchOptions & CallOptions = {}): Promise<LogMatches> {
    const { prefix = false, limit = 10_000, ...call } = options;
    return this.ask<LogMatches>({ op: "logSearch", handle: this.handle, query, prefix, limit }, call);
  }

  /** The whole log (it can be tens of megabytes). */
  async text(options: CallOptions = {}): Promise<string> {
    if (this.complete) return this.excerpt();
    return this.ask<string>({ op: "logText", handle: this.handle }, options);
  }
}

/** What a debugger action answers. */
export interface DebugStep {
  /** Why it stopped (`null` for actions that do not run: back, reset, breakpoints). */
  stop: StopReason | null;
  state: VmState;
  /** The events this action added (the session's `events` has them all). */
  events: VmEvent[];
}

/** What `run` answers. */
export interface RunResult {
  stop: StopReason | null;
  state: VmState;
  events: VmEvent[];
}

/** A program under the debugger, in a worker of its own. Its calls run in order; a cancelled
 * call leaves the session as it was before that call (the worker is replaced and the calls
 * before it replayed: the machine is deterministic). */
export class DebuggerSession {
  private readonly host: Host;
  private readonly handle = nextHandle++;
  /** Every action that changed the machine, for the replay. */
  private readonly history: DebugAction[] = [];
  private lostWith: UnwindError | null = null;
  /** The machine now. */
  state!: VmState;
  /** The source line of each pc of the loaded program (0: hidden code, the trampoline). */
  lines: number[] = [];
  /** The frame descriptors the unwinder reads, by the loaded program's pcs. */
  descriptors: FrameDescriptor[] = [];
  /** Every event so far (acquire, release, call, return, throw, unwind_frame, ...). */
  events: VmEvent[] = [];

  /** @internal */
  constructor(
    start: Start,
    readonly source: string,
    readonly options: VmOptions,
    private readonly onClose: () => void,
  ) {
    this.host = new Host(
      start,
      () => ({ op: "replay", handle: this.handle, source, options, actions: [...this.history] }),
      (error) => (this.lostWith = error),
    );
  }

  /** @internal */
  async open(options: CallOptions): Promise<void> {
    await this.host.started;
    const created = await this.host.call<DebugCreated>(
      { op: "debugger", handle: this.handle, source: this.source, options: this.options },
      options,
    );
    this.descriptors = created.descriptors;
    this.lines = created.lines;
    this.absorb(created);
  }

  /** One instruction (into calls). */
  step(options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "step" }, options);
  }
  /** To the next instruction of this frame (over calls). */
  stepOver(options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "stepOver" }, options);
  }
  /** Until this frame returns. */
  stepOut(options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "stepOut" }, options);
  }
  /** To the end or a breakpoint. */
  run(options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "run" }, options);
  }
  /** Back up to `steps` steps (needs recording, on by default). */
  back(steps = 1, options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "back", steps }, options);
  }
  /** To the start, breakpoints kept. */
  reset(options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "reset" }, options);
  }
  /** Breakpoints on these source lines (every pc on them); replaces the previous ones. */
  setBreakpoints(lines: number[], options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "breakpoints", lines: [...lines] }, options);
  }
  /** Breakpoints on these pcs of the loaded program; replaces the previous ones. */
  setBreakpointPcs(pcs: number[], options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "breakpointPcs", pcs: [...pcs] }, options);
  }
  /** Recording (what `back` needs) on or off; off, `back` does not reach the steps taken meanwhile (`run` takes the interpreter's fast path either way). */
  setRecording(on: boolean, options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "recording", on }, options);
  }
  /** The state again (nothing moves). */
  refresh(options?: CallOptions): Promise<DebugStep> {
    return this.act({ action: "state" }, options);
  }

  /** Cancels the call in flight and those waiting: the session is as before them. */
  cancel(): void {
    this.host.cancel();
  }

  /** Ends the session's worker. */
  close(): void {
    this.host.close();
    this.onClose();
  }

  private async act(action: DebugAction, options: CallOptions = {}): Promise<DebugStep> {
    if (this.lostWith !== null) throw this.lostWith;
    const reply = await this.host.call<DebugReply>(
      { op: "act", handle: this.handle, eventsFrom: this.events.length, ...action },
      options,
    );
    if (action.action !== "state") this.history.push(action);
    this.absorb(reply);
    return { stop: reply.stop, state: reply.state, events: reply.events };
  }

  private absorb(reply: DebugReply): void {
    this.events = this.events.slice(0, reply.eventsFrom).concat(reply.events);
    this.state = reply.state;
  }
}
