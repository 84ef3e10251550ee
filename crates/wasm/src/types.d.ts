/** Input syntax: detected (`auto`), LLVM/kernel pseudo-C, the uBPF dialect, or raw hex bytecode. */
export type Syntax = "auto" | "pseudo_c" | "ubpf" | "hex";

export interface AssembleOptions { syntax?: Syntax }

/** An error in the source. Lines and columns are 1-based; `endColumn` is one past the end. */
export interface Diagnostic {
  line: number;
  column: number;
  endColumn: number;
  message: string;
  /** The error's kind in snake_case, e.g. `unknown_instruction`. */
  kind: string;
  /** The kind's own fields (`found`, `expected`, `name`, ...). */
  [detail: string]: unknown;
}

/** One instruction (an `ld_imm64` is one instruction covering two pcs). */
export interface Instruction {
  pc: number;
  /** 8 or 16 bytes in hex, separated by spaces. */
  hex: string;
  line: number;
  column: number;
  endColumn: number;
  /** Source-style disassembly. */
  source: string;
  /** Kernel-verifier-log-style disassembly, with the `pc: (op) ` prefix. */
  log: string;
  /** The C source line starting here (`text @ file:line`, from `.loc`), if one does. */
  cLine?: string;
}

export interface FunctionInfo {
  name: string;
  start: number;
  end: number;
  linkage: "main" | "static" | "global" | "hidden";
  /** Declared arguments of a global function: `scalar`, `ctx`, `mem:N`. */
  args: string[];
  /** A global function declared `void`. */
  returnsVoid: boolean;
  isExceptionCallback: boolean;
  line: number;
}

export interface MapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  line: number;
}

export interface AssembleResult {
  /** A program was produced (no errors). */
  ok: boolean;
  /** The syntax used (never `auto`). */
  syntax: Exclude<Syntax, "auto">;
  diagnostics: Diagnostic[];
  instructions: Instruction[];
  slotCount: number;
  /** One 8-byte slot per line, bytes in hex separated by spaces. */
  bytecodeHex: string;
  /** Source style: pseudo-C that assembles back to the same bytes. */
  disassembly: string;
  /** The kernel verifier log's style. */
  log: string;
  functions: FunctionInfo[];
  maps: MapInfo[];
  progType: string | null;
}

/** Exception modes (SPEC §4): upstream v6.7, the loophole fixed, the RFC's descriptors, with
 * per-acquisition slots, or run-time tracking. */
export type Mode = "legacy" | "upstream" | "cleanup" | "cleanup-v2" | "runtime";

export interface VerifyOptions {
  syntax?: Syntax;
  /** Default `cleanup`. */
  mode?: Mode;
  /** 1: errors, the failing path and the summary (default); 2: every instruction. */
  logLevel?: 0 | 1 | 2;
  /** The most instructions the verifier processes (default and maximum: the kernel's
   * 1,000,000 complexity limit; more throws). Over it the verdict is the kernel's
   * "BPF program is too large. Processed N insn", the summary line naming it as the limit. */
  budget?: number;
  /** The log buffer in bytes, as the kernel's `log_size` (128 to 2^30 - 1; default: no limit).
   * A log that does not fit keeps its end, and the load fails: an ENOSPC error, not accepted. */
  logSize?: number;
}

/** What long work reports while it runs. */
export interface Progress {
  phase: "verify" | "run";
  /** Instructions processed so far (verifier: processed insns, as in the log's summary, of
   * the pass under way (cleanup-v2 runs several, each from 0); run: executed since the start). */
  insnsProcessed: number;
  /** Verifier: states explored so far (total_states); run: 0. */
  states: number;
  /** The pc being processed now. */
  pc: number;
}
/** Called from inside Rust every 8,192 processed instructions of the verifier and every
 * 65,536 executed instructions of a run (when the count reaches a multiple). Returning
 * `false` stops the work: it ends as cancelled. An exception stops it too and is rethrown
 * by the call that was running. */
export type OnProgress = (progress: Progress) => boolean | void;

/** A verifier error: the kernel's message at a pc and its source place. */
export interface VerifyError {
  pc: number;
  line: number;
  column: number;
  message: string;
}

/** The abstract states seen at a pc, in the kernel log's notation (`R1=ctx() R10=fp0`). */
export interface PcState {
  pc: number;
  states: string[];
  /** For each of `states`, the pcs its paths came from (the instruction before `pc` on each
   * path: a jump, a fall-through, a call or an exit); empty at the program's entry. */
  origins: number[][];
}

export interface FunctionFacts {
  name: string;
  start: number;
  end: number;
  linkage: "main" | "static" | "global" | "hidden";
  /** Bytes of stack. */
  stackDepth: number;
  /** Callee-saved registers it uses, `r6`..`r9`. */
  calleeSaved: string[];
  isExceptionCallback: boolean;
  /** It, or a function it calls, throws (the pre-pass over the call graph). */
  mightThrow: boolean;
}

/** The cleanup modes: the program as the kernel would load it, every bpf_throw routed
 * through the hidden trampoline (whose prologue saves R6-R9 for the unwinder). */
export interface Loaded {
  disassembly: string;
  trampoline: FunctionFacts;
}

export interface VerifyResult {
  /** The source assembled; when false, `diagnostics` say why and the verdict is empty. */
  assembled: boolean;
  syntax: Exclude<Syntax, "auto">;
  diagnostics: Diagnostic[];
  accepted: boolean;
  mode: Mode;
  errors: VerifyError[];
  /** The verifier log in the kernel's format. */
  log: string;
  states: PcState[];
  functions: FunctionFacts[];
  stats: { insnsProcessed: number; maxStatesPerInsn: number; totalStates: number; peakStates: number };
  /** Cleanup modes: one per pc through which an exception can unwind. */
  frameDescriptors: FrameDescriptor[];
  /** cleanup-v2, when a conflict had to be resolved: the rewritten program (the pcs above
   * are its pcs); null otherwise. */
  rewrite: Rewrite | null;
  /** Cleanup modes, an accepted program that throws: the program as loaded; null otherwise. */
  loaded: Loaded | null;
}

/** `Verification.summary()`: the verdict without the log and the states, with their sizes. */
export type VerifySummary = Omit<VerifyResult, "log" | "states"> & {
  logLines: number;
  logBytes: number;
  /** 0-based line of the log that states the (first) error, or null. */
  errorLogLine: number | null;
  /** Entries of `states(0, Infinity)`: the pcs with recorded states. */
  statesCount: number;
};

/** cleanup-v2's rewrite: each conflicting acquisition got its own zeroed stack slot. */
export interface Rewrite {
  /** The rewritten program in source syntax. */
  disassembly: string;
  dedicated: DedicatedSlot[];
  /** The new pc of every original pc (one more entry: the end). */
  pcMap: number[];
}

export interface DedicatedSlot {
  /** The acquiring call, in the original program. */
  acquirePc: number;
  line: number;
  /** The kfunc or helper that acquires. */
  acquiredBy: string;
  /** The function whose frame holds the slot. */
  function: string;
  /** `fp-N`. */
  slot: string;
  /** Original pcs of the releases after which the slot is cleared. */
  clearedAfter: number[];
}

/** Where the unwinder finds which resource when an exception unwinds through `pc`. */
export interface FrameDescriptor {
  pc: number;
  function: string;
  /** In release order: stack slots from fp-8 downwards, then r6..r9; `type` is the
   * resource's (`object`, `socket`, ...), `release` its release function. */
  slots: { location: string; type: string; release: string }[];
  /** How many paths were merged into it. */
  paths: number;
  /** The merge history: every path that contributed, in merge order. */
  history: PathContribution[];
}

/** What one verifier path contributed to a frame descriptor. */
export interface PathContribution {
  /** The verifier's name for the path, e.g. "path through 7". */
  path: string;
  /** Frame number on that path (0 = main). */
  frame: number;
  entries: DescriptorEntry[];
}

/** One location on one path. */
export interface DescriptorEntry {
  /** `fp-8`, `r6`. */
  location: string;
  /** A resource type (`object`, `socket`, ...), `null`, or what cannot merge with one:
   * `misc`, `uninit`, `non_zero_scalar`, `copy` (a second copy of a resource entered elsewhere), `interior` (a pointer into a resource). */
  content: string;
  /** The verifier's reference id, for a resource. */
  refObjId: number | null;
  /** The kernel's register type as the log prints it (`ptr_obj`, `scalar`, `?`). */
  kernelType: string;
}
/** Options of `new Debugger(source, options)`. */
export interface VmOptions {
  syntax?: Syntax;
  /** The simulated world (snake_case keys, as `unwind run --world` reads it). */
  world?: object;
  /** Instruction budget (default 50,000,000). */
  budget?: number;
  /** `kernel` (default) or `conformance` (the BPF conformance suite's helper 5). */
  helpers?: "kernel" | "conformance";
  /** How many steps `back` can undo (default: all, back to the start; at most 1,000,000 when given, more throws). */
  traceCapacity?: number;
  /** The exceptions mode (default `cleanup`): the program is verified in it, and what the
   * verifier accepted runs as `runnable()` prepares it (cleanup modes: cleanup-v2's rewrite,
   * the hidden bpf_throw trampoline, unwinding by frame descriptors; `runtime`: the run-time
   * table; `legacy`/`upstream`: a throw discards frames, what they held leaks). */
  mode?: Mode;
  /** Skip the verifier (a throw then releases nothing, or what the run-time table holds in
   * `runtime` mode). */
  unverified?: boolean;
}

/** Why a step or a run stopped. `not_ready`: the program did not assemble or set up;
 * `cancelled`: `onProgress` returned false (the machine stays there; stepping can continue). */
export type StopReason = "step" | "breakpoint" | "ended" | "not_ready" | "cancelled";

export interface VmFault {
  pc: number;
  line: number;
  /** snake_case kind, e.g. `out_of_bounds`, `budget`. */
  kind: string;
  message: string;
  [detail: string]: unknown;
}

export interface VmResource {
  id: number;
  /** `object`, `percpu_object`, `socket`, `task`, `cgroup`, `cpumask`, `ringbuf_record`, `spin_lock`, `rcu_read_lock`, `preempt_disabled`, `irq_saved`. */
  type: string;
  addr: string;
  acquiredPc: number;
  frame: number;
  function: string;
}

export interface VmFrame {
  depth: number;
  function: string;
  /** Source line of `pc` (0 for code the source does not have, e.g. the trampoline). */
  line: number;
  /** The pc of the frame descriptor the unwinder would use for this frame now, or null. */
  descriptor: number | null;
  /** This frame's R6..R9 as decimal strings (a caller's: as they are restored on return). */
  preserved: string[];
  kind: { kind: "main" | "call" | "loop_callback" | "exception_callback"; index?: number; count?: number; ctx?: string };
  callSite: number | null;
  returnPc: number;
  pc: number;
  /** Callee-saved registers this function's prologue saves, e.g. ["r6", "r9"]. */
  calleeSaved: string[];
  /** The caller's values it saved: [register, decimal value]. */
  saved: [string, string][];
  framePointer: string;
  /** 512 stack bytes in hex, lowest address first. */
  stack: string;
  /** One character per stack byte: "1" written in this frame, "0" not. */
  written: string;
}

export interface VmState {
  /** False when the program did not assemble, the verifier rejected it or the world was
   * invalid: see `diagnostics`, `verifierErrors` and `error`. */
  ready: boolean;
  diagnostics: Diagnostic[];
  error: string | null;
  mode: Mode;
  /** The verifier accepted the program (false when it was run `unverified`). */
  verified: boolean;
  /** Why the verifier rejected the program (state `rejected`). */
  verifierErrors: VerifyError[];
  /** What a throw does: `discard_frames` (upstream), `descriptors` (cleanup modes), `runtime_table`; null when not ready. */
  unwinding: "discard_frames" | "descriptors" | "runtime_table" | null;
  /** The instruction at `pc` in source syntax, or null past the end (or when not ready). */
  insn: string | null;
  pc: number;
  /** Source line of `pc` (0 in hidden code: the bpf_throw trampoline). */
  line: number;
  instructions: string;
  /** Updates of the run-time table so far (`runtime` mode's cost, one per acquire and release;
   * "0" in the other modes). */
  runtimeTableOps: string;
  /** `running`, `exited` (with `returnValue`) or `faulted` (with `fault`); `rejected` by the
   * verifier; `not_ready` (did not assemble, bad world). */
  state: "running" | "exited" | "faulted" | "rejected" | "not_ready";
  returnValue?: string;
  fault?: VmFault;
  /** R0..R10 as decimal strings. */
  registers: string[];
  frames: VmFrame[];
  resources: VmResource[];
  traceOutput: { pc: number; text: string }[];
  eventCount: number;
  /** Events and trace lines not kept (the log keeps 10,000 call/return and 100,000
   * acquire/release events, and 1 MiB of trace output). */
  eventsDropped: number;
  traceDropped: number;
  breakpoints: number[];
  /** Steps `back` can undo now. */
  traceLength: number;
}

/** A resource as an event names it. */
export interface VmEventResource {
  id: number;
  type: string;
  /** The pointer the program got, as a decimal string (a lock's address; "0" for RCU,
   * preemption and held states without one). */
  addr: string;
  acquiredPc: number;
  frame: number;
  /** A task, cgroup or socket of the world (refcounted, the same address at every
   * acquisition): its reference count after the event, the world's own reference included. */
  refcount?: number;
}

/** One run event: `acquire`, `release`, `call`, `return`, `throw`, `unwind_frame`,
 * `restore_regs`, `exception_callback`, `exit`, `leak`, `fault`. */
export interface VmEvent {
  kind: string;
  pc: number;
  step: string;
  function?: string;
  resource?: VmEventResource;
  by?: "program" | "unwinder" | "runtime_table";
  depth?: number;
  value?: string;
  cookie?: string;
  returnValue?: string;
  message?: string;
  registers?: string[];
  /** `restore_regs`: the values put back, one per register. */
  values?: string[];
  /** A release by the unwinder: where it found the resource (`fp-8`, `r6`). */
  location?: string;
}
