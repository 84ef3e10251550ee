// The types the page uses: the package's (`unwind-bpf`, built from packages/unwind-bpf), and
// what the debugger pane asks for and draws.

import type { FrameDescriptor, StopReason, VmEvent, VmState } from "unwind-bpf";

export type {
  AssembleResult,
  DescriptorEntry,
  Diagnostic,
  FrameDescriptor,
  FunctionInfo,
  Instruction,
  Loaded,
  LogMatches,
  Mode,
  Rewrite,
  Syntax,
  Verification,
  VerifierLog,
  VerifyError,
  VmEvent,
  VmFrame,
  VmState,
} from "unwind-bpf";

/** What the debugger pane asks for (`state`: nothing, just report). */
export type DebugAction = "state" | "step" | "stepOver" | "stepOut" | "run" | "back" | "reset";

/** What the debugger pane draws after an action. */
export interface DebugResult {
  /** Bumped whenever the page opens a new debugger (new source or options). */
  session: number;
  stop: StopReason | null;
  state: VmState;
  /** The events from index `eventsFrom` on (the pane keeps the ones before). */
  events: VmEvent[];
  eventsFrom: number;
  /** The descriptors the unwinder reads, by the run program's pcs. */
  descriptors: FrameDescriptor[];
  /** The source line of each pc of the run program (0: hidden code). */
  lines: number[];
}
