// The messages between the client (index.ts, on the page's thread) and the worker that hosts
// the wasm module (worker.ts). Private to this package: sites use the client.

import type {
  AssembleOptions,
  FrameDescriptor,
  Progress,
  StopReason,
  VerifyOptions,
  VerifySummary,
  VmEvent,
  VmOptions,
  VmState,
} from "./pkg/unwind_wasm.js";

/** Some lines of a long text and where they start (0-based). */
export interface LogWindow {
  from: number;
  lines: string[];
}

/** What `logSearch` answers: the (0-based) numbers of the matching lines, in order. */
export interface LogMatches {
  lines: number[];
  /** More lines matched than the limit: `lines` holds the first ones. */
  truncated: boolean;
}

/** What `verify` answers: the summary and a few windows of the log, never the whole log
 * unless it is short. */
export interface VerifyReply {
  summary: VerifySummary;
  /** Non-overlapping, in order: the start, the lines around the error, the end. */
  windows: LogWindow[];
}

/** What a debugger action answers. */
export interface DebugReply {
  stop: StopReason | null;
  state: VmState;
  /** The events from index `eventsFrom` on (the client keeps the ones before). */
  events: VmEvent[];
  eventsFrom: number;
}

/** What creating a debugger answers: the first state and the facts that never change. */
export interface DebugCreated extends DebugReply {
  /** The descriptors the unwinder reads, by the loaded program's pcs. */
  descriptors: FrameDescriptor[];
  /** The source line of each pc of the loaded program (0: hidden code). */
  lines: number[];
}

/** Everything a debugger can be asked to do after it was made. */
export type DebugAction =
  | { action: "state" }
  | { action: "step" }
  | { action: "stepOver" }
  | { action: "stepOut" }
  | { action: "run" }
  | { action: "back"; steps: number }
  | { action: "reset" }
  /** Breakpoints on these source lines (every pc of the loaded program on them). */
  | { action: "breakpoints"; lines: number[] }
  /** Pcs of the loaded program. */
  | { action: "breakpointPcs"; pcs: number[] }
  | { action: "recording"; on: boolean };

/** A call to the worker. Handles are chosen by the client, so that a restarted worker can be
 * given the same ones back. */
export type Call =
  | { op: "assemble"; source: string; options: AssembleOptions }
  /** A BPF object file's programs as assembly text (`ObjectView`). */
  | { op: "openObject"; bytes: Uint8Array }
  | { op: "verify"; handle: number; source: string; options: VerifyOptions }
  | { op: "logLines"; handle: number; from: number; to: number }
  | { op: "logText"; handle: number }
  /** The lines holding `query` (case-insensitive), or with `prefix`, starting with it; at
   * most `limit`. */
  | { op: "logSearch"; handle: number; query: string; prefix: boolean; limit: number }
  | { op: "states"; handle: number; fromPc: number; toPc: number }
  | { op: "release"; handle: number }
  | { op: "debugger"; handle: number; source: string; options: VmOptions }
  /** A debugger made anew and brought to where it was: the replay after a restart. */
  | { op: "replay"; handle: number; source: string; options: VmOptions; actions: DebugAction[] }
  | ({ op: "act"; handle: number; eventsFrom: number } & DebugAction)
  /** A one-shot run (no recording): made, run to the end, released. */
  | { op: "run"; source: string; options: VmOptions }
  /** Test-only: a panic inside Rust. */
  | { op: "panic" };

/** Client → worker. */
export type Request =
  /** The first message: the compiled module (or where to fetch it). */
  | { type: "init"; module: WebAssembly.Module | string }
  | { type: "call"; id: number; call: Call; progress: boolean };

/** Worker → client. */
export type Reply =
  | { type: "ready"; version: string }
  | { type: "progress"; id: number; progress: Progress }
  | { type: "done"; id: number; value: unknown }
  /**
   * The call failed. `code`: `misuse` (bad options: a bug of the caller), `released` (a
   * verification handle the worker no longer keeps),
   * `trap` (the module trapped: the instance is unusable), `init` (the module did not load),
   * `unavailable` (the object loader's module did not load: this call fails, the worker is fine).
   */
  | { type: "failed"; id: number | null; code: FailureCode; message: string };

export type FailureCode = "misuse" | "released" | "trap" | "init" | "unavailable";
