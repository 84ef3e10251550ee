// The Debugger tab: buttons that drive the package's debugger session, the registers, the call
// stack, a resources table (live, released, leaked), the frame descriptors and the event list.
// A throw's unwinding is revealed one event at a time (throw → frame unwound → resource
// released → registers restored → exception callback → exit), with the descriptor of the frame
// being unwound highlighted, so it can be followed on a projector; with prefers-reduced-motion
// everything shows at once. The unwinding can also be stepped: "Pause on throw" stops before
// it, then Previous/Next event (`,` and `.`) move one event at a time, Play animates at the
// chosen speed, and the registers pane shows the unwinder's R6-R9 at the revealed event.

import type {
  DebugAction,
  DebugResult,
  FrameDescriptor,
  VmEvent,
  VmFrame,
  VmState,
} from "./api.js";
import { element, reveal } from "./panes.js";

/** Delay between two revealed unwinding events at 1x. */
const STEP_MS = 650;

/** The speeds the Speed menu offers (index.html has the same options). */
const SPEEDS = [0.25, 0.5, 1, 2, 4];

/** Where the unwinding preferences are remembered (like web/view.ts's theme and size). */
const PREFERENCES_KEY = "unwind.unwinding.v1";

interface UnwindingPreferences {
  pauseOnThrow: boolean;
  speed: number;
}

function loadPreferences(): UnwindingPreferences {
  const defaults = { pauseOnThrow: true, speed: 1 };
  try {
    const saved = JSON.parse(localStorage.getItem(PREFERENCES_KEY) ?? "{}") as Partial<UnwindingPreferences>;
    return {
      pauseOnThrow: typeof saved.pauseOnThrow === "boolean" ? saved.pauseOnThrow : defaults.pauseOnThrow,
      speed: SPEEDS.includes(saved.speed as number) ? (saved.speed as number) : defaults.speed,
    };
  } catch {
    return defaults;
  }
}

function savePreferences(preferences: UnwindingPreferences): void {
  try {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify(preferences));
  } catch {
    // Unavailable: the choice lasts for this visit only.
  }
}

/** Why the stepping through an unwinding stopped (`onStop`). */
export type UnwindingStop = "paused_at_throw" | "paused" | "finished";

/** A resource the debugger saw at an address (in an event or a state). */
interface KnownResource {
  id: number;
  type: string;
  acquiredPc: number;
}

/** How many events the list shows at most (the newest). */
const MAX_SHOWN = 400;

export interface DebuggerHost {
  /** Sends an action to the debugger session (of the current source and mode). */
  act(action: DebugAction): void;
  /** Highlights the executing line in the editor (null: none). */
  showLine(line: number | null): void;
  /** Moves the editor's caret to a line (a click on an event, an error). */
  navigate(line: number, column?: number): void;
}

/** A u64 as decimal strings carry it: small ones in decimal, the rest (pointers) in hex. */
export function formatValue(decimal: string): string {
  let n: bigint;
  try {
    n = BigInt(decimal);
  } catch {
    return decimal;
  }
  if (n < 0x10000n) return decimal;
  if (n >= 0xffff_ffff_ffff_0000n) return String(n - (1n << 64n)); // small negative
  return `0x${n.toString(16)}`;
}

interface Row {
  id: number;
  type: string;
  acquiredPc: number;
  acquiredBy: string;
  status: "live" | "released" | "leaked";
  detail: string;
}

/** The resources the revealed events tell of, in acquisition order. */
export function ledger(events: readonly VmEvent[]): Row[] {
  const rows = new Map<number, Row>();
  for (const e of events) {
    const r = e.resource;
    if (r === undefined) continue;
    if (e.kind === "acquire") {
      rows.set(r.id, {
        id: r.id,
        type: r.type,
        acquiredPc: r.acquiredPc,
        acquiredBy: e.function ?? "",
        status: "live",
        detail: `← ${e.function ?? "?"} at pc ${r.acquiredPc} (frame ${r.frame})`,
      });
      continue;
    }
    const row = rows.get(r.id) ?? {
      id: r.id,
      type: r.type,
      acquiredPc: r.acquiredPc,
      acquiredBy: "",
      status: "live" as const,
      detail: "",
    };
    if (e.kind === "release") {
      row.status = "released";
      const where = e.location !== undefined ? ` (${e.location} of frame ${e.depth ?? "?"})` : "";
      row.detail = `→ ${e.function ?? "?"} at pc ${e.pc}, by ${byName(e.by)}${where}`;
    } else if (e.kind === "leak") {
      row.status = "leaked";
      row.detail = `still held at exit (frame ${r.frame})`;
    }
    rows.set(r.id, row);
  }
  return [...rows.values()];
}

function byName(by: VmEvent["by"]): string {
  switch (by) {
    case "program":
      return "the program";
    case "unwinder":
      return "the unwinder";
    case "runtime_table":
      return "the run-time table";
    default:
      return "?";
  }
}

/** One line of text for an event; `value` formats the values it carries (default:
 * `formatValue`; the pane adds what a pointer points at). */
export function describeEvent(e: VmEvent, value: (decimal: string) => string = formatValue): string {
  const res = e.resource ? `${e.resource.type}#${e.resource.id}` : "";
  // A world object (task, cgroup, socket) is refcounted: the same address at every
  // acquisition, its count (the world's own reference included) after the event.
  const count = e.resource?.refcount !== undefined ? `, count ${e.resource.refcount}` : "";
  switch (e.kind) {
    case "acquire":
      return `acquire ${res} ← ${e.function}${count}`;
    case "release":
      return e.by === "program"
        ? `release ${res} → ${e.function}${count}`
        : `release ${res} → ${e.function} (by ${byName(e.by)}${e.location ? `, ${e.location} of frame ${e.depth}` : ""})${count}`;
    case "call":
      return `call ${e.function} (frame ${e.depth})`;
    case "return":
      return `return from ${e.function} = ${value(e.value ?? "0")}`;
    case "throw":
      return `bpf_throw, cookie ${formatValue(e.cookie ?? "0")}`;
    case "unwind_frame":
      return `unwind frame ${e.depth} (${e.function})`;
    case "restore_regs": {
      const regs = (e.registers ?? []).map((r, i) => `${r}=${value(e.values?.[i] ?? "?")}`);
      return `restore ${regs.join(" ")} from frame ${e.depth}'s saved area`;
    }
    case "exception_callback":
      return `exception callback ${e.function === "default" ? "(default: returns the cookie)" : e.function}, cookie ${formatValue(e.cookie ?? "0")}`;
    case "exit":
      return `exit, r0 = ${formatValue(e.returnValue ?? "0")}`;
    case "leak":
      return `LEAK ${res}, acquired at pc ${e.resource?.acquiredPc}${count}`;
    case "fault":
      return `fault: ${e.message}`;
    default:
      return e.kind;
  }
}

/** Is this event part of a throw's unwinding (shown step by step)? */
function unwinding(kind: string): boolean {
  return ["throw", "unwind_frame", "restore_regs", "release", "exception_callback", "leak", "exit"].includes(kind);
}

/** The unwinder's R6-R9 after `events` (the unwinding so far, from its throw): its
 * `saved_reg`, which starts at zero in the descriptor modes (the hidden trampoline zeroed
 * R6-R9 before calling bpf_throw; unknown, null, otherwise), is reloaded by each
 * `restore_regs` and cleared by a release from a register. `changed`: what the last event set. */
export function unwinderRegisters(
  events: readonly VmEvent[],
  startsZeroed: boolean,
): { values: (string | null)[]; changed: Set<number> } {
  const values: (string | null)[] = [0, 1, 2, 3].map(() => (startsZeroed ? "0" : null));
  let changed = new Set<number>();
  for (const e of events) {
    changed = new Set();
    if (e.kind === "restore_regs") {
      (e.registers ?? []).forEach((name, i) => {
        const k = Number(name.slice(1)) - 6;
        if (k >= 0 && k < 4) {
          values[k] = e.values?.[i] ?? null;
          changed.add(k);
        }
      });
    } else if (e.kind === "release" && e.by === "unwinder" && /^r[6-9]$/.test(e.location ?? "")) {
      const k = Number(e.location!.slice(1)) - 6;
      values[k] = "0";
      changed.add(k);
    }
  }
  return { values, changed };
}

export class DebuggerPane {
  private session = -1;
  private events: VmEvent[] = [];
  /** How many of `events` are on screen. */
  private shown = 0;
  private state: VmState | null = null;
  private descriptors: FrameDescriptor[] = [];
  private timer: number | undefined;
  /** The unwinding plays (Play, or a throw reached with Pause on throw off). */
  private animating = false;
  /** The run's unwinding: `events[unwindFrom]` is its throw, `events[unwindTo - 1]` its last
   * event (-1: the events have no throw). */
  private unwindFrom = -1;
  private unwindTo = -1;
  /** The event the last step or animation frame revealed, outlined in the list. */
  private highlighted: VmEvent | null = null;
  /** What each address holds, for this session: the resources the events (which carry their
   * addresses) and the states showed there, oldest first. One address can hold several: an
   * object of the world (a task, cgroup, socket) acquired twice is the same pointer. */
  private known = new Map<string, KnownResource[]>();
  private readonly preferences: UnwindingPreferences;
  private readonly shownListeners: ((event: VmEvent, index: number) => void)[] = [];
  private readonly stopListeners: ((stop: UnwindingStop, index: number) => void)[] = [];
  private readonly screenListeners: ((events: readonly VmEvent[]) => void)[] = [];
  /** The main function's name (the events name only the frames that calls push). */
  private mainName = "main";
  private lastStop: DebugResult["stop"] = null;
  /** The source line of each pc of the program being run (0: hidden code). */
  private lines: number[] = [];
  private readonly buttons: Record<DebugAction, HTMLButtonElement | null>;
  private readonly unwindControls: HTMLElement;
  private readonly previousButton: HTMLButtonElement;
  private readonly nextButton: HTMLButtonElement;
  private readonly playButton: HTMLButtonElement;
  private readonly speedSelect: HTMLSelectElement;
  private readonly pauseOnThrowBox: HTMLInputElement;

  /** `remember`: keep Pause on throw and the speed in local storage (an embed does not). */
  constructor(
    private readonly root: HTMLElement,
    private readonly host: DebuggerHost,
    private readonly options: { remember?: boolean } = {},
  ) {
    const find = <T extends HTMLElement>(selector: string): T => {
      const node = root.querySelector<T>(selector);
      if (node === null) throw new Error(`the debugger has no ${selector}`);
      return node;
    };
    this.buttons = {
      state: null,
      run: find("#debug-run"),
      step: find("#debug-step"),
      stepOver: find("#debug-step-over"),
      stepOut: find("#debug-step-out"),
      back: find("#debug-back"),
      reset: find("#debug-reset"),
    };
    for (const [action, button] of Object.entries(this.buttons)) {
      button?.addEventListener("click", () => this.act(action as DebugAction));
    }
    this.preferences = this.remember ? loadPreferences() : { pauseOnThrow: true, speed: 1 };
    this.unwindControls = find("#unwind-controls");
    this.previousButton = find("#unwind-previous");
    this.nextButton = find("#unwind-next");
    this.playButton = find("#unwind-play");
    this.speedSelect = find("#unwind-speed");
    this.pauseOnThrowBox = find("#debug-pause-on-throw");
    this.previousButton.addEventListener("click", () => this.previousEvent());
    this.nextButton.addEventListener("click", () => this.nextEvent());
    this.playButton.addEventListener("click", () => this.togglePlay());
    this.pauseOnThrowBox.checked = this.preferences.pauseOnThrow;
    this.pauseOnThrowBox.addEventListener("change", () => {
      this.preferences.pauseOnThrow = this.pauseOnThrowBox.checked;
      if (this.remember) savePreferences(this.preferences);
    });
    this.speedSelect.value = String(this.preferences.speed);
    this.speedSelect.addEventListener("change", () => {
      this.preferences.speed = Number(this.speedSelect.value);
      if (this.remember) savePreferences(this.preferences);
      this.root.dataset["stepMs"] = String(this.stepMs);
    });
    this.root.dataset["stepMs"] = String(this.stepMs);
  }

  private get remember(): boolean {
    return this.options.remember ?? true;
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  /** A request is on its way to the worker. */
  get busy(): boolean {
    return this.root.getAttribute("aria-busy") === "true";
  }

  /** Called whenever an unwinding event becomes the revealed one (a step or the animation):
   * the event and its index in the run's events. The root element also dispatches it as an
   * `unwind-event-shown` CustomEvent (`detail: { event, index }`). */
  onEventShown(listener: (event: VmEvent, index: number) => void): void {
    this.shownListeners.push(listener);
  }

  /** Called with the run's events on screen each time the pane draws (all of them after a
   * plain run, those revealed so far while an unwinding is stepped; fewer after Back). */
  onEventsOnScreen(listener: (events: readonly VmEvent[]) => void): void {
    this.screenListeners.push(listener);
  }

  /** Called when the stepping through an unwinding stops: paused at the throw (before its
   * first event), paused by the user, or finished (its last event revealed); `index` is the
   * revealed event's (-1: none yet). */
  onStop(listener: (stop: UnwindingStop, index: number) => void): void {
    this.stopListeners.push(listener);
  }

  /** The delay between two events of the animation, at the chosen speed. */
  get stepMs(): number {
    return Math.round(STEP_MS / this.preferences.speed);
  }

  /** Sends an action; a running animation is finished first (the user wants to go on). */
  act(action: DebugAction): void {
    this.finishAnimation();
    this.root.setAttribute("aria-busy", "true");
    this.host.act(action);
  }

  /** Keyboard shortcuts, as in Chrome's DevTools: F8 run, F9 (or F11) step, F10 step over,
   * Shift+F11 step out; and for an unwinding, when the focus is not in a text field: `.` next
   * event, `,` previous event, `p` play or pause. */
  key(event: KeyboardEvent): boolean {
    if (!this.visible || event.ctrlKey || event.metaKey || event.altKey) return false;
    if (this.unwindKey(event)) return true;
    const action: DebugAction | null =
      event.key === "F8"
        ? "run"
        : event.key === "F9"
          ? "step"
          : event.key === "F10"
            ? "stepOver"
            : event.key === "F11"
              ? event.shiftKey
                ? "stepOut"
                : "step"
              : null;
    if (action === null || this.buttons[action]?.disabled) return false;
    event.preventDefault();
    this.act(action);
    return true;
  }

  private unwindKey(event: KeyboardEvent): boolean {
    if (this.unwindFrom < 0) return false;
    // Printable keys: never while typing (the editor, the ctx field, the world).
    const target = event.target instanceof HTMLElement ? event.target : null;
    if (target !== null && (target.isContentEditable || target.closest("input, textarea, select, .cm-editor") !== null)) {
      return false;
    }
    const button =
      event.key === "." ? this.nextButton : event.key === "," ? this.previousButton : event.key === "p" ? this.playButton : null;
    if (button === null || button.disabled) return false;
    event.preventDefault();
    button.click();
    return true;
  }

  render(result: DebugResult): void {
    this.finishAnimation();
    if (result.session !== this.session) {
      this.session = result.session;
      this.events = [];
      this.shown = 0;
      this.known = new Map();
    }
    this.events = this.events.slice(0, result.eventsFrom).concat(result.events);
    this.shown = Math.min(this.shown, this.events.length);
    this.state = result.state;
    this.lastStop = result.stop;
    this.highlighted = null;
    for (const e of result.events) {
      if (e.resource !== undefined) this.learn(e.resource.addr, e.resource);
    }
    for (const r of result.state.resources) this.learn(r.addr, r);
    if (result.state.frames[0] !== undefined) this.mainName = result.state.frames[0].function;
    this.descriptors = result.descriptors;
    this.lines = result.lines;
    // A run throws once at most; the last throw, to be safe.
    this.unwindFrom = -1;
    this.events.forEach((e, i) => {
      if (e.kind === "throw") this.unwindFrom = i;
    });
    this.unwindTo = -1;
    if (this.unwindFrom >= 0) {
      // The unwinding ends at the first event that is not part of it (the exception
      // callback's own calls), or with the events.
      const after = this.events.findIndex((e, i) => i > this.unwindFrom && !unwinding(e.kind));
      this.unwindTo = after < 0 ? this.events.length : after;
    }
    const freshThrow = this.unwindFrom >= 0 && this.unwindFrom >= this.shown;
    if (!freshThrow || this.reducedMotion) {
      this.shown = this.events.length;
      this.draw(null);
      this.root.setAttribute("aria-busy", "false");
      return;
    }
    // Everything before the throw at once, then the unwinding: stepped or played.
    this.shown = this.unwindFrom;
    if (this.preferences.pauseOnThrow) {
      this.draw(null);
      this.root.setAttribute("aria-busy", "false");
      this.notifyStop("paused_at_throw");
      return;
    }
    this.play();
  }

  /** The worker failed on a debug request. */
  /** A failure of the page or the package (`input`: the user's inputs are not right, which
   * is no internal error). */
  renderFailure(message: string, { input = false } = {}): void {
    this.finishAnimation();
    this.root.setAttribute("aria-busy", "false");
    const status = this.root.querySelector("#debug-status");
    if (status) {
      status.textContent = input ? message : `Internal error: ${message}`;
      (status as HTMLElement).dataset["kind"] = "error";
    }
  }

  private get reducedMotion(): boolean {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  /** How far into the unwinding the screen is: unwindFrom (paused at the throw) .. unwindTo
   * (all of it revealed). */
  private get unwindPosition(): number {
    return this.shown >= this.unwindTo ? this.unwindTo : this.shown;
  }

  /** The unwinding is being stepped or played: the screen shows the moment of an event, not
   * the machine's state. */
  private get inUnwinding(): boolean {
    return this.unwindFrom >= 0 && this.shown >= this.unwindFrom && this.shown < this.unwindTo;
  }

  nextEvent(): void {
    this.stopPlaying("paused");
    this.revealUpTo(this.unwindPosition + 1);
  }

  previousEvent(): void {
    this.stopPlaying("paused");
    this.revealUpTo(this.unwindPosition - 1);
  }

  togglePlay(): void {
    if (this.animating) this.stopPlaying("paused");
    else this.play();
  }

  /** Plays the rest of the unwinding (from its start when it was all revealed); with reduced
   * motion it shows all of it at once. */
  private play(): void {
    if (this.unwindFrom < 0) return;
    // From the end, Play starts over (quietly: this is no pause at the throw).
    if (this.unwindPosition >= this.unwindTo) this.shown = this.unwindFrom;
    if (this.reducedMotion) {
      this.revealUpTo(this.unwindTo);
      return;
    }
    this.animating = true;
    this.root.dataset["animating"] = "true";
    this.root.setAttribute("aria-busy", "true");
    this.tick();
  }

  private tick(): void {
    this.revealUpTo(this.unwindPosition + 1);
    if (!this.animating) return; // the end of the unwinding
    this.timer = window.setTimeout(() => this.tick(), this.stepMs);
  }

  /** Shows the unwinding up to (not including) event `position`; at its end, the machine's
   * state again. */
  private revealUpTo(position: number): void {
    if (this.unwindFrom < 0) return;
    const target = Math.max(this.unwindFrom, Math.min(this.unwindTo, position));
    this.shown = target >= this.unwindTo ? this.events.length : target;
    const index = target - 1;
    const event = target > this.unwindFrom ? (this.events[index] ?? null) : null;
    this.highlighted = event;
    this.draw(this.inUnwinding ? event : null);
    if (event !== null) {
      for (const listener of this.shownListeners) listener(event, index);
      // The same as a DOM event, for code (and tests) without the pane object.
      this.root.dispatchEvent(new CustomEvent("unwind-event-shown", { detail: { event, index } }));
    }
    if (target >= this.unwindTo) this.stopPlaying("finished");
    else if (target === this.unwindFrom && !this.animating) this.notifyStop("paused_at_throw");
  }

  /** Stops the animation where it is (`finished`: it reached the end). */
  private stopPlaying(reason: UnwindingStop): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.animating && reason !== "finished") return;
    const wasAnimating = this.animating;
    this.animating = false;
    delete this.root.dataset["animating"];
    this.root.setAttribute("aria-busy", "false");
    this.drawUnwindControls();
    if (wasAnimating || reason === "finished") this.notifyStop(reason);
  }

  private notifyStop(reason: UnwindingStop): void {
    const index = this.unwindPosition > this.unwindFrom ? this.unwindPosition - 1 : -1;
    for (const listener of this.stopListeners) listener(reason, index);
  }

  /** Another action: the unwinding shows at once (the user wants to go on). */
  private finishAnimation(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    const stepping = this.animating || this.inUnwinding;
    this.animating = false;
    delete this.root.dataset["animating"];
    if (!stepping) return;
    this.shown = this.events.length;
    this.highlighted = null;
    this.draw(null);
    this.root.setAttribute("aria-busy", "false");
  }

  /** Records that `addr` holds `resource` (NULL and addressless held states are not kept). */
  private learn(addr: string | undefined, resource: KnownResource): void {
    if (addr === undefined || addr === "0") return;
    const list = this.known.get(addr);
    const known = { id: resource.id, type: resource.type, acquiredPc: resource.acquiredPc };
    if (list === undefined) this.known.set(addr, [known]);
    else if (!list.some((r) => r.id === resource.id)) list.push(known);
  }

  /** A value with what it points at, when it is the address of a resource the debugger saw
   * (`0x… → task#1 (acquired pc 1)`; released or leaked ones say so). An address several
   * references share names those live at this point of the events (else the newest). */
  private valueText(decimal: string, shown: readonly VmEvent[] = this.events.slice(0, this.shown)): string {
    const text = formatValue(decimal);
    const resources = this.known.get(decimal);
    if (resources === undefined) return text;
    const rows = ledger(shown);
    const status = (resource: KnownResource) => rows.find((r) => r.id === resource.id)?.status;
    const live = resources.filter((r) => status(r) === "live");
    const named = live.length > 0 ? live : resources.slice(-1);
    const labels = named.map((resource) => {
      const s = status(resource);
      return `${resource.type}#${resource.id} (${s === undefined || s === "live" ? `acquired pc ${resource.acquiredPc}` : s})`;
    });
    return `${text} → ${labels.join(", ")}`;
  }

  /** Which numbering the debugger's pcs are in: the program as loaded, as the kernel would
   * run it (the state, the events and the descriptors all use it). */
  private pcNumbering(pc: number): { tag: string; title: string } {
    const mode = this.state?.mode;
    const hidden = this.lines[pc] === 0;
    if (hidden) return { tag: "trampoline", title: `pc ${pc} of the program as loaded: the hidden bpf_throw trampoline, appended after the program` };
    if (mode === "cleanup-v2") {
      return { tag: "as loaded", title: `pc ${pc} of the program as loaded: cleanup-v2's rewritten program (the Verifier tab maps it to the source), the trampoline appended` };
    }
    if (mode === "cleanup") {
      return { tag: "as loaded", title: `pc ${pc} of the program as loaded: the source's pcs, the hidden bpf_throw trampoline appended after them` };
    }
    return { tag: "source", title: `pc ${pc} of the source program (loaded unchanged)` };
  }

  /** `pc N`, with its numbering in a tooltip and, for hidden code, in the text. */
  private pcElement(pc: number, className = "pc"): HTMLElement {
    const numbering = this.pcNumbering(pc);
    const node = element("span", className, numbering.tag === "trampoline" ? `pc ${pc} (trampoline)` : `pc ${pc}`);
    node.title = numbering.title;
    node.dataset["numbering"] = numbering.tag;
    return node;
  }

  /** Redraws everything; `current` is the unwinding event being revealed (null with the
   * unwinding paused at its throw, or outside it). */
  private draw(current: VmEvent | null): void {
    const state = this.state;
    if (state === null) return;
    const ready = state.ready;
    const ended = state.state !== "running";
    const setEnabled = (action: DebugAction, on: boolean) => {
      const b = this.buttons[action];
      if (b) b.disabled = !on;
    };
    for (const a of ["run", "step", "stepOver", "stepOut"] as const) setEnabled(a, ready && !ended);
    setEnabled("back", ready && state.traceLength > 0);
    setEnabled("reset", ready);
    const shown = this.events.slice(0, this.shown);
    const unwindingView = this.inUnwinding;
    for (const listener of this.screenListeners) listener(shown);
    // The lists' headings name the numbering of their pcs.
    const loaded = state.mode === "cleanup" || state.mode === "cleanup-v2";
    for (const note of this.root.querySelectorAll<HTMLElement>(".pc-numbering-note")) {
      note.textContent = loaded ? (state.mode === "cleanup-v2" ? "pcs rewritten, as loaded" : "pcs as loaded") : "source pcs";
    }
    this.drawStatus(state, unwindingView ? current : null);
    this.drawUnwindControls();
    // While the unwinding is stepped, the registers are the unwinder's R6-R9 at the revealed
    // event and the call stack is the one at the throw, its frames crossed out as they are
    // unwound.
    if (unwindingView) this.drawUnwinderRegisters(shown.slice(this.unwindFrom), shown);
    else this.drawRegisters(state);
    if (unwindingView) this.drawUnwindingStack(shown);
    else this.drawStack(state);
    this.drawResources(shown);
    this.drawTrace(state);
    this.drawDescriptors(unwindingView ? current : null, shown);
    this.drawEvents(shown, this.highlighted);
    if (!ready) this.host.showLine(null);
    else if (!unwindingView) this.host.showLine(this.currentLine(state));
    else {
      // The line of the frame being unwound: the throw, then each call site up the stack.
      const at = current ?? this.events[this.unwindFrom];
      // In the hidden trampoline (the throw, its frame) the line is the thrower's: that of
      // the latest event before it in the source (the call into the trampoline).
      let line = 0;
      for (let i = at === undefined ? -1 : this.events.lastIndexOf(at); i >= 0 && line === 0; i--) {
        line = this.lines[this.events[i]!.pc] ?? 0;
      }
      if (line > 0) this.host.showLine(line);
    }
  }

  private drawUnwindControls(): void {
    const has = this.unwindFrom >= 0;
    this.unwindControls.hidden = !has;
    if (!has) return;
    const position = this.unwindPosition;
    this.previousButton.disabled = position <= this.unwindFrom;
    this.nextButton.disabled = position >= this.unwindTo;
    // The label says what a press does (as a media player's; no aria-pressed beside it).
    this.playButton.textContent = this.animating ? "❚❚ Pause" : "▶ Play";
    const progress = this.unwindControls.querySelector<HTMLElement>("#unwind-progress");
    if (progress !== null) {
      progress.textContent = `event ${position - this.unwindFrom} of ${this.unwindTo - this.unwindFrom}`;
    }
    this.root.dataset["unwindIndex"] = String(position - 1);
  }

  /** The unwinder's R6-R9 at the revealed event, the ones it just set highlighted. */
  private drawUnwinderRegisters(unwound: readonly VmEvent[], shown: readonly VmEvent[]): void {
    const body = this.root.querySelector<HTMLElement>("#debug-registers")!;
    const { values, changed } = unwinderRegisters(unwound, this.state?.unwinding === "descriptors");
    const cells = values.map((value, k) => {
      const name = `r${k + 6}`;
      const cell = element("div", changed.has(k) ? "reg changed" : "reg");
      cell.dataset["reg"] = name;
      const text = value === null ? "?" : this.valueText(value, shown);
      cell.append(element("span", "name", name), element("span", "value", text));
      cell.title = value === null ? `${name}: not known to the unwinder yet` : `${name} = ${value}${changed.has(k) ? " (just set)" : ""}`;
      return cell;
    });
    const note = element(
      "p",
      "reg-note",
      "The unwinder's R6-R9 at this event: zeroed by the trampoline, reloaded from each frame's saved area.",
    );
    body.classList.add("unwinder");
    body.replaceChildren(...cells, note);
  }

  /** The call stack at the throw (replayed from the call and return events), with the frames
   * the revealed events have unwound crossed out. */
  private drawUnwindingStack(shown: readonly VmEvent[]): void {
    const list = this.root.querySelector<HTMLElement>("#debug-stack")!;
    const stack: { depth: number; function: string }[] = [{ depth: 0, function: this.mainName }];
    let at = -1;
    let unwinding: number | null = null;
    let done = false;
    for (const e of shown) {
      if (at < 0) {
        if (e.kind === "call") stack.push({ depth: e.depth ?? stack.length, function: e.function ?? "?" });
        else if (e.kind === "return") stack.pop();
        else if (e.kind === "throw") at = stack.length;
        continue;
      }
      if (e.kind === "unwind_frame") unwinding = e.depth ?? null;
      if (e.kind === "exception_callback") done = true;
    }
    list.replaceChildren(
      ...[...stack].reverse().map((f) => {
        const gone = done || (unwinding !== null && f.depth > unwinding);
        const now = !done && unwinding === f.depth;
        const item = element("li", `frame${gone ? " unwound" : ""}${now ? " unwinding" : ""}`);
        const head = element("div", "frame-head");
        head.append(element("span", "name", `#${f.depth} ${f.function}`));
        head.append(element("span", "muted", gone ? " unwound" : now ? " being unwound" : ""));
        item.append(head);
        return item;
      }),
    );
  }

  private currentLine(state: VmState): number | null {
    if (state.state !== "running" && state.state !== "faulted") return null;
    if (state.line > 0) return state.line;
    // In the hidden trampoline: the thrower's line.
    for (const f of [...state.frames].reverse()) if (f.line > 0) return f.line;
    return null;
  }

  private drawStatus(state: VmState, current: VmEvent | null): void {
    const status = this.root.querySelector<HTMLElement>("#debug-status")!;
    const parts: Node[] = [];
    const mode = element("span", "mode-chip", state.mode);
    parts.push(mode);
    let kind = "ok";
    switch (state.state) {
      case "not_ready":
        kind = "error";
        parts.push(
          document.createTextNode(
            state.error !== null ? ` Cannot run: ${state.error}` : " The program does not assemble: see Diagnostics.",
          ),
        );
        break;
      case "rejected": {
        kind = "error";
        parts.push(element("strong", undefined, " Rejected by the verifier"), document.createTextNode(": not run."));
        for (const e of state.verifierErrors) {
          const b = element("button", "link", `line ${e.line}: ${e.message}`);
          b.type = "button";
          b.addEventListener("click", () => this.host.navigate(e.line, e.column));
          parts.push(document.createTextNode(" "), b);
        }
        break;
      }
      case "running":
        if (this.lastStop === "breakpoint") parts.push(element("strong", "break-chip", " ● breakpoint"));
        parts.push(
          document.createTextNode(` pc ${state.pc}`),
          element("span", "muted", state.line > 0 ? ` · line ${state.line}` : " · hidden code"),
          document.createTextNode(" · "),
          element("code", "insn", state.insn ?? ""),
        );
        break;
      case "exited":
        parts.push(element("strong", undefined, ` Exited, r0 = ${formatValue(state.returnValue ?? "0")}`));
        break;
      case "faulted":
        kind = "error";
        parts.push(
          element("strong", undefined, ` Fault at pc ${state.fault?.pc}: `),
          document.createTextNode(state.fault?.message ?? ""),
        );
        break;
    }
    const throwEvent = this.events[this.unwindFrom];
    if (this.inUnwinding && current === null && throwEvent !== undefined) {
      // Paused before the unwinding's first event: the final state waits for its end.
      kind = "unwinding";
      const pc = this.pcElement(throwEvent.pc, "insn");
      pc.textContent = `pc ${throwEvent.pc}`;
      parts.splice(
        1,
        parts.length - 1,
        element("strong", "unwinding-chip", " Paused at bpf_throw "),
        document.createTextNode("("),
        pc,
        document.createTextNode("): step through the unwinding"),
      );
    } else if (current !== null) {
      // The final state waits for the end of the unwinding.
      kind = "unwinding";
      parts.splice(
        1,
        parts.length - 1,
        element("strong", "unwinding-chip", " Unwinding: "),
        element("span", "insn", describeEvent(current, (v) => this.valueText(v))),
        document.createTextNode(" at "),
        this.pcElement(current.pc, "insn"),
      );
    }
    if (state.ready && current === null && !this.inUnwinding) {
      const tableOps = state.unwinding === "runtime_table" ? ` · ${state.runtimeTableOps} table updates` : "";
      parts.push(element("span", "muted", ` · ${state.instructions} insns${tableOps} · unwinding: ${state.unwinding?.replace("_", " ")}`));
      // Every pc the debugger shows is the loaded program's (the tooltips say more).
      const loaded = state.mode === "cleanup" || state.mode === "cleanup-v2";
      const numbering = element(
        "span",
        "muted pc-numbering",
        ` · pcs: ${state.mode === "cleanup-v2" ? "rewritten, as loaded" : loaded ? "as loaded" : "source"}`,
      );
      numbering.title = loaded
        ? "The pcs here are the program's as loaded: the hidden bpf_throw trampoline appended" +
          (state.mode === "cleanup-v2" ? " to cleanup-v2's rewritten program (the Verifier tab maps it to the source)" : " after the source's pcs")
        : "The pcs here are the source program's (loaded unchanged)";
      parts.push(numbering);
    }
    status.dataset["kind"] = kind;
    status.replaceChildren(...parts);
  }

  private drawRegisters(state: VmState): void {
    const body = this.root.querySelector<HTMLElement>("#debug-registers")!;
    body.classList.remove("unwinder");
    if (state.registers.length === 0) {
      body.replaceChildren(element("p", "muted", "—"));
      return;
    }
    body.replaceChildren(
      ...state.registers.map((value, i) => {
        const cell = element("div", "reg");
        cell.dataset["reg"] = `r${i}`;
        cell.append(element("span", "name", `r${i}`), element("span", "value", this.valueText(value)));
        cell.title = `r${i} = ${value}`;
        return cell;
      }),
    );
  }

  private drawStack(state: VmState): void {
    const list = this.root.querySelector<HTMLElement>("#debug-stack")!;
    if (state.frames.length === 0) {
      list.replaceChildren(element("li", "muted", state.ready ? "no frames: the program ended" : "—"));
      return;
    }
    const frames = [...state.frames].reverse();
    list.replaceChildren(...frames.map((f, i) => this.frameItem(f, i === 0)));
  }

  private frameItem(f: VmFrame, innermost: boolean): HTMLLIElement {
    const item = element("li", innermost ? "frame current" : "frame");
    const head = element("div", "frame-head");
    const where = element("span", "muted", " ");
    where.append(this.pcElement(f.pc, "frame-pc"), f.line > 0 ? `, line ${f.line}` : "");
    head.append(element("span", "name", `#${f.depth} ${f.function}`), where);
    if (f.descriptor !== null) head.append(element("span", "desc-chip", `descriptor @${f.descriptor}`));
    item.append(head);
    const regs = f.preserved.map((v, k) => `r${k + 6}=${this.valueText(v)}`).join(" ");
    item.append(element("div", "frame-regs", regs));
    if (f.saved.length > 0) {
      item.append(
        element("div", "frame-saved", `saved area: ${f.saved.map(([r, v]) => `${r}=${this.valueText(v)}`).join(" ")}`),
      );
    }
    if (f.line > 0) {
      item.addEventListener("click", () => this.host.navigate(f.line));
      item.title = `Go to line ${f.line}`;
    }
    return item;
  }

  private drawTrace(state: VmState): void {
    const box = this.root.querySelector<HTMLElement>("#debug-trace-box")!;
    box.hidden = state.traceOutput.length === 0;
    const lines = state.traceOutput.map((t) => `pc ${t.pc}: ${t.text.replace(/\n$/, "")}`);
    if (state.traceDropped > 0) lines.push(`(${state.traceDropped} more not kept)`);
    this.root.querySelector("#debug-trace")!.textContent = lines.join("\n");
  }

  private drawResources(shown: readonly VmEvent[]): void {
    const body = this.root.querySelector<HTMLElement>("#debug-resources")!;
    const rows = ledger(shown);
    if (rows.length === 0) {
      const tr = element("tr", "placeholder");
      const td = element("td", undefined, "No resource acquired yet.");
      td.colSpan = 3;
      tr.append(td);
      body.replaceChildren(tr);
      return;
    }
    body.replaceChildren(
      ...rows.map((r) => {
        const tr = element("tr", `res ${r.status}`);
        tr.dataset["id"] = String(r.id);
        tr.append(
          element("td", "id", `${r.type}#${r.id}`),
          element("td", "status", r.status),
          element("td", "detail", r.detail),
        );
        tr.title = `acquired at pc ${r.acquiredPc}${r.acquiredBy ? ` by ${r.acquiredBy}` : ""} (${this.pcNumbering(r.acquiredPc).title})`;
        return tr;
      }),
    );
  }

  private drawDescriptors(current: VmEvent | null, shown: readonly VmEvent[]): void {
    const list = this.root.querySelector<HTMLElement>("#debug-descriptors")!;
    if (this.descriptors.length === 0) {
      const mode = this.state?.unwinding;
      list.replaceChildren(
        element(
          "li",
          "muted",
          mode === "runtime_table"
            ? "runtime mode: no descriptors, a throw releases what the run-time table holds"
            : mode === "discard_frames"
              ? "upstream unwinding: no descriptors, a throw discards the frames"
              : "no frame descriptor (nothing can throw)",
        ),
      );
      return;
    }
    // The frame being unwound: the last unwind_frame revealed.
    let active: number | null = null;
    if (current !== null) {
      for (const e of shown) if (e.kind === "unwind_frame") active = e.pc;
      if (current.kind === "exception_callback" || current.kind === "exit") active = null;
    }
    list.replaceChildren(
      ...this.descriptors.map((d) => {
        const item = element("li", d.pc === active ? "descriptor active" : "descriptor");
        item.dataset["pc"] = String(d.pc);
        const slots =
          d.slots.length === 0
            ? "nothing to release"
            : d.slots.map((s) => `${s.location}: ${s.type} → ${s.release}`).join(", ");
        item.append(this.pcElement(d.pc), ` (${d.function}): ${slots}`);
        const line = this.lines[d.pc];
        if (line !== undefined && line > 0) {
          item.title = `line ${line}`;
          item.addEventListener("click", () => this.host.navigate(line));
        }
        return item;
      }),
    );
    reveal(list.querySelector(".active"));
  }

  private drawEvents(shown: readonly VmEvent[], current: VmEvent | null): void {
    const list = this.root.querySelector<HTMLOListElement>("#debug-events")!;
    if (shown.length === 0) {
      list.replaceChildren(element("li", "muted", "No events yet: Step or Run."));
      return;
    }
    const first = Math.max(0, shown.length - MAX_SHOWN);
    list.start = first + 1;
    let inUnwind = false;
    const items: HTMLLIElement[] = [];
    for (let i = 0; i < shown.length; i++) {
      const e = shown[i]!;
      if (e.kind === "throw") inUnwind = true;
      if (i < first) {
        if (e.kind === "exception_callback") inUnwind = false;
        continue;
      }
      const item = element("li", `event ev-${e.kind}${inUnwind ? " unwind" : ""}`);
      item.dataset["kind"] = e.kind;
      if (e.by !== undefined) item.dataset["by"] = e.by;
      item.append(this.pcElement(e.pc), element("span", "text", describeEvent(e, (v) => this.valueText(v, shown))));
      if (e === current) item.classList.add("revealed");
      const line = this.lines[e.pc];
      if (line !== undefined && line > 0) {
        item.title = `line ${line}`;
        item.addEventListener("click", () => this.host.navigate(line));
      }
      items.push(item);
      if (e.kind === "exception_callback") inUnwind = false;
    }
    list.replaceChildren(...items);
    reveal(list.lastElementChild);
  }
}
