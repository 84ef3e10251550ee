// The messages between the page (main.ts, via client.ts) and the Web Worker that hosts the
// wasm module (worker.ts). The result shapes are declared by the Rust bindings crate
// (crates/wasm/src/lib.rs, TS_TYPES) and re-exported from the generated package.

import type {
  AssembleOptions,
  AssembleResult,
  VerifyOptions,
  VerifyResult,
} from "./pkg/unwind_wasm.js";

export type {
  AssembleOptions,
  AssembleResult,
  Diagnostic,
  FunctionInfo,
  Instruction,
  MapInfo,
  Mode,
  Syntax,
  VerifyError,
  VerifyOptions,
  VerifyResult,
} from "./pkg/unwind_wasm.js";

/** Page → worker. Every request carries an id that its reply repeats. */
export type Request = {
  type: "assemble";
  id: number;
  source: string;
  options: AssembleOptions;
  /** Also verify (when the source assembles), with these options. */
  verify?: Omit<VerifyOptions, "syntax">;
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
  /**
   * The call threw (API misuse) or the module trapped. After a trap (`fatal`) the instance is
   * unusable and the page starts a new worker.
   */
  | { type: "failed"; id: number | null; message: string; fatal: boolean };
