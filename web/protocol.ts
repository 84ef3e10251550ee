// The messages between the page (main.ts, via client.ts) and the Web Worker that hosts the
// wasm module (worker.ts). The result shapes are declared by the Rust bindings crate
// (crates/wasm/src/types.d.ts) and re-exported from the generated package.

import type {
  AssembleOptions,
  AssembleResult,
  FrameDescriptor,
  StopReason,
  VerifyOptions,
  VerifyResult,
  VmEvent,
  VmOptions,
  VmState,
} from "./pkg/unwind_wasm.js";

export type {
  AssembleOptions,
  AssembleResult,
  DescriptorEntry,
  Diagnostic,
  FrameDescriptor,
  FunctionInfo,
  Instruction,
  Loaded,
  MapInfo,
  Mode,
  PathContribution,
  Rewrite,
  StopReason,
  Syntax,
  VerifyError,
  VerifyOptions,
  VerifyResult,
  VmEvent,
  VmFrame,
  VmOptions,
  VmResource,
  VmState,
} from "./pkg/unwind_wasm.js";

/** What the debugger is asked to do (`state`: nothing, just report). */
export type DebugAction = "state" | "step" | "stepOver" | "stepOut" | "run" | "back" | "reset";

/** The worker's answer to a debug request. */
export interface DebugResult {
  /** Bumped whenever the worker starts a new session (new source or options). */
  session: number;
  stop: StopReason | null;
  state: VmState;
  /** The events from index `eventsFrom` on (the page keeps the ones before). */
  events: VmEvent[];
  eventsFrom: number;
  /** The descriptors the unwinder reads, by the run program's pcs. */
  descriptors: FrameDescriptor[];
  /** The source line of each pc of the run program (0: hidden code). */
  lines: number[];
}

/** Page → worker. Every request carries an id that its reply repeats. */
export type Request =
  | {
      type: "assemble";
      id: number;
      source: string;
      options: AssembleOptions;
      /** Also verify (when the source assembles), with these options. */
      verify?: Omit<VerifyOptions, "syntax">;
    }
  | {
      /** Act on the debugger session of this source and options (made anew when they change). */
      type: "debug";
      id: number;
      source: string;
      options: VmOptions;
      action: DebugAction;
      /** How many events of this session the page has already. */
      eventsFrom: number;
      /** Source lines with a breakpoint: every pc of the run program on them gets one. */
      breakpoints: number[];
    };

/** Worker → page. */
export type Reply =
  /** The module is loaded; sent once, before any other reply. */
  | { type: "ready"; version: string }
  | {
      type: "assembled";
      id: number;
      result: AssembleResult;
      /** The verdict, when verification was asked for and the source assembled. */
      verdict: VerifyResult | null;
      elapsedMs: number;
    }
  | { type: "debugged"; id: number; result: DebugResult }
  /**
   * The call threw (API misuse) or the module trapped. After a trap (`fatal`) the instance is
   * unusable and the page starts a new worker.
   */
  | { type: "failed"; id: number | null; message: string; fatal: boolean };
