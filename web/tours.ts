// Guided tours: short notes an example can carry (static/examples/<name>.tour.json, named by
// the example's `tour` in index.json; docs/tours.md is the format). A note can point at a line
// or pc, open a tab, switch the mode (to show a verdict change) and wait for a verifier or a
// run event; the run events arrive from the debugger as it reveals them, so the notes follow a
// throw's unwinding as it plays. The panel is a non-modal region: the page stays usable.

import type { Mode, VmEvent } from "./api.js";
import { describeEvent } from "./debugger.js";
import type { Tab } from "./share.js";

export const TOUR_TABS = ["source", "log", "verifier", "debugger"] as const satisfies readonly Tab[];
export const TOUR_MODES = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"] as const satisfies readonly Mode[];
export const VERIFIER_EVENTS = ["accepted", "rejected", "descriptor"] as const;
export const RUN_EVENTS = ["acquire", "call", "throw", "unwind_frame", "restore_regs", "release", "exception_callback", "exit", "leak", "fault"] as const;

export type VerifierEvent = (typeof VERIFIER_EVENTS)[number];
export type RunEvent = (typeof RUN_EVENTS)[number];

export type TourTrigger = { verifier: VerifierEvent } | { run: RunEvent; nth: number };

export interface TourStep {
  text: string;
  line?: number;
  pc?: number;
  tab?: Tab;
  mode?: Mode;
  on?: TourTrigger;
}

export interface Tour {
  title: string;
  steps: TourStep[];
}

const STEP_KEYS = new Set(["text", "line", "pc", "tab", "mode", "on"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}

const isCount = (value: unknown, min: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min;

/** Checks a parsed tour file; a malformed one gets one message naming the step and the field
 * (an author fixes it from that alone), never an exception. */
export function parseTour(json: unknown): { tour: Tour } | { problem: string } {
  if (!isObject(json)) return { problem: "a tour must be a JSON object with \"title\" and \"steps\"" };
  for (const key of Object.keys(json)) {
    if (key !== "title" && key !== "steps") return { problem: `unknown field "${key}" (a tour has "title" and "steps")` };
  }
  if (typeof json["title"] !== "string" || json["title"].trim() === "") return { problem: "\"title\" must be a non-empty string" };
  const steps = json["steps"];
  if (!Array.isArray(steps) || steps.length === 0) return { problem: "\"steps\" must be a non-empty array" };
  const parsed: TourStep[] = [];
  for (const [i, raw] of steps.entries()) {
    const where = `step ${i + 1}`;
    if (!isObject(raw)) return { problem: `${where} must be an object` };
    for (const key of Object.keys(raw)) {
      if (!STEP_KEYS.has(key)) return { problem: `${where}: unknown field "${key}" (a step has ${[...STEP_KEYS].join(", ")})` };
    }
    const { text, line, pc, tab, mode, on } = raw;
    if (typeof text !== "string" || text.trim() === "") return { problem: `${where}: "text" must be a non-empty string` };
    const step: TourStep = { text };
    if (line !== undefined) {
      if (!isCount(line, 1)) return { problem: `${where}: "line" must be a line number (1 or more)` };
      step.line = line;
    }
    if (pc !== undefined) {
      if (!isCount(pc, 0)) return { problem: `${where}: "pc" must be an instruction index (0 or more)` };
      step.pc = pc;
    }
    if (tab !== undefined) {
      if (!oneOf(tab, TOUR_TABS)) return { problem: `${where}: "tab" must be one of ${TOUR_TABS.join(", ")}` };
      step.tab = tab;
    }
    if (mode !== undefined) {
      if (!oneOf(mode, TOUR_MODES)) return { problem: `${where}: "mode" must be one of ${TOUR_MODES.join(", ")}` };
      step.mode = mode;
    }
    if (on !== undefined) {
      const trigger = parseTrigger(on);
      if (typeof trigger === "string") return { problem: `${where}: "on" ${trigger}` };
      step.on = trigger;
    }
    parsed.push(step);
  }
  return { tour: { title: json["title"], steps: parsed } };
}

function parseTrigger(on: unknown): TourTrigger | string {
  const shape = `must be {"verifier": ${VERIFIER_EVENTS.join("|")}} or {"run": ${RUN_EVENTS.join("|")}, "nth"?: k}`;
  if (!isObject(on)) return shape;
  const keys = Object.keys(on);
  if ("verifier" in on) {
    if (keys.length !== 1 || !oneOf(on["verifier"], VERIFIER_EVENTS)) return shape;
    return { verifier: on["verifier"] };
  }
  if ("run" in on) {
    if (keys.some((k) => k !== "run" && k !== "nth") || !oneOf(on["run"], RUN_EVENTS)) return shape;
    const nth = on["nth"] ?? 1;
    if (!isCount(nth, 1)) return `"nth" must be 1 or more (the first such event is 1)`;
    return { run: on["run"], nth };
  }
  return shape;
}

/** What the tour needs to know of the verifier's verdict in the current mode. */
export interface VerdictSummary {
  mode: Mode;
  accepted: boolean;
  /** The source lines of the pcs that have a frame descriptor. */
  descriptorLines: number[];
  /** The first refusal's message, when rejected. */
  error: string | null;
}

/** What the page does for the tour. */
export interface TourHost {
  /** Marks a source line in the editor (null: none), without taking the focus. */
  showLine(line: number | null): void;
  /** The source line of an instruction (the pcs of the Bytecode pane), null when unknown. */
  lineOfPc(pc: number): number | null;
  selectTab(tab: Tab): void;
  mode(): Mode;
  /** Switches the mode (the program is verified again, the debugger starts afresh). */
  setMode(mode: Mode): void;
  /** The verdict of the program as it is now, null while it is being verified. */
  verdict(): VerdictSummary | null;
}

export interface TourElements {
  button: HTMLButtonElement;
  panel: HTMLElement;
  heading: HTMLElement;
  counter: HTMLElement;
  text: HTMLElement;
  status: HTMLElement;
  previous: HTMLButtonElement;
  next: HTMLButtonElement;
  close: HTMLButtonElement;
}

export class TourGuide {
  private tour: Tour | null = null;
  private index = 0;
  /** The event on screen that satisfies each run step (by step index). */
  private reached = new Map<number, VmEvent>();

  constructor(
    private readonly ui: TourElements,
    private readonly host: TourHost,
  ) {
    ui.button.addEventListener("click", () => this.open());
    ui.previous.addEventListener("click", () => this.go(this.index - 1));
    ui.next.addEventListener("click", () => this.forward());
    ui.close.addEventListener("click", () => this.close());
    ui.panel.addEventListener("keydown", (event) => this.key(event));
  }

  get isOpen(): boolean {
    return !this.ui.panel.hidden;
  }

  /** The tour of the example just loaded (null: none); an open tour of the last one closes. */
  setTour(tour: Tour | null): void {
    if (this.isOpen) this.close({ refocus: false });
    this.tour = tour;
    this.ui.button.hidden = tour === null;
    if (tour !== null) this.ui.button.title = `Take the guided tour: ${tour.title}`;
  }

  open(): void {
    if (this.tour === null) return;
    this.ui.panel.hidden = false;
    this.ui.button.setAttribute("aria-expanded", "true");
    this.go(0);
    // The panel's buttons and keys drive the tour: the focus starts on Next.
    this.ui.next.focus();
  }

  close({ refocus = true } = {}): void {
    const wasFocused = this.ui.panel.contains(document.activeElement);
    this.ui.panel.hidden = true;
    this.ui.button.setAttribute("aria-expanded", "false");
    this.host.showLine(null);
    // The focused button is gone: back to the button that opens the tour.
    if (refocus && wasFocused && !this.ui.button.hidden) this.ui.button.focus();
  }

  /** N or Alt+→ next, P or Alt+← previous, Escape closes: while the focus is in the panel. */
  private key(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey) return;
    const plain = !event.altKey && !event.shiftKey;
    let handled = true;
    if ((event.altKey && event.key === "ArrowRight") || (plain && (event.key === "n" || event.key === "N"))) this.forward();
    else if ((event.altKey && event.key === "ArrowLeft") || (plain && (event.key === "p" || event.key === "P"))) this.go(this.index - 1);
    else if (event.key === "Escape") this.close();
    else handled = false;
    if (!handled) return;
    // The page's own keys (P plays the unwinding in the Debugger) must not act on it too.
    event.preventDefault();
    event.stopPropagation();
  }

  /** Next, or on the last step Finish (which closes). */
  private forward(): void {
    if (this.tour === null) return;
    if (this.index >= this.tour.steps.length - 1) this.close();
    else this.go(this.index + 1);
  }

  private go(index: number): void {
    const tour = this.tour;
    if (tour === null || index < 0 || index >= tour.steps.length) return;
    this.index = index;
    const step = tour.steps[index]!;
    this.ui.heading.textContent = `Tour: ${tour.title}`;
    this.ui.counter.textContent = `Step ${index + 1} of ${tour.steps.length}`;
    this.ui.text.textContent = step.text;
    this.ui.panel.dataset["step"] = String(index + 1);
    // aria-disabled, not disabled: a disabled button would drop the focus it holds.
    this.ui.previous.setAttribute("aria-disabled", String(index === 0));
    this.ui.next.textContent = index === tour.steps.length - 1 ? "Finish" : "Next";
    if (step.mode !== undefined && step.mode !== this.host.mode()) this.host.setMode(step.mode);
    if (step.tab !== undefined) this.host.selectTab(step.tab);
    this.showLine();
    this.refresh();
  }

  /** The step's line: its own, else its pc's (known once the program has assembled). */
  private showLine(): void {
    const step = this.step();
    if (step === null) return;
    const line = step.line ?? (step.pc !== undefined ? this.host.lineOfPc(step.pc) : null);
    this.host.showLine(line);
  }

  private step(): TourStep | null {
    return this.isOpen ? (this.tour?.steps[this.index] ?? null) : null;
  }

  /** A new verdict (the program or the mode changed): the step's line and check again. */
  verified(): void {
    if (!this.isOpen) return;
    this.showLine();
    this.refresh();
  }

  /** The debugger's events on screen changed: each run step is reached when its nth event
   * of its kind is among them; a step newly reached ahead of the current one is moved to (the
   * notes follow the unwinding as it plays), and Back or a new run un-reaches steps. */
  eventsOnScreen(events: readonly VmEvent[]): void {
    const steps = this.tour?.steps ?? [];
    const reached = new Map<number, VmEvent>();
    const counts = new Map<string, number>();
    const wanted = new Map<string, number[]>(); // "kind nth" → the steps waiting for it
    steps.forEach((s, i) => {
      if (s.on === undefined || !("run" in s.on)) return;
      const key = `${s.on.run} ${s.on.nth}`;
      wanted.set(key, [...(wanted.get(key) ?? []), i]);
    });
    if (wanted.size === 0) return;
    for (const event of events) {
      const nth = (counts.get(event.kind) ?? 0) + 1;
      counts.set(event.kind, nth);
      for (const step of wanted.get(`${event.kind} ${nth}`) ?? []) reached.set(step, event);
    }
    const fresh = [...reached.keys()].filter((step) => !this.reached.has(step));
    this.reached = reached;
    if (!this.isOpen) return;
    // Moves on to a step just reached when it is the next one, or when the current step was
    // itself waiting for a run event (the notes follow the unwinding); the first such step,
    // so that no note is skipped unread when a plain run shows every event at once.
    // Never across a step that switches the mode: that step restarts the run.
    const mode = this.host.mode();
    const sameRun = (to: number) => steps.slice(this.index + 1, to + 1).every((s) => s.mode === undefined || s.mode === mode);
    const ahead = fresh.filter((step) => step > this.index && sameRun(step)).sort((a, b) => a - b)[0];
    const on = this.step()?.on;
    const waitingForRun = on !== undefined && "run" in on;
    if (ahead !== undefined && (ahead === this.index + 1 || waitingForRun)) this.go(ahead);
    else this.refresh();
  }

  /** The step's check: is what it waits for there yet? */
  private refresh(): void {
    const step = this.step();
    const status = this.ui.status;
    const on = step?.on;
    if (on === undefined) {
      status.hidden = true;
      status.textContent = "";
      delete status.dataset["kind"];
      return;
    }
    status.hidden = false;
    const [kind, text] = "run" in on ? this.runStatus(on) : this.verifierStatus(on.verifier, step!);
    status.dataset["kind"] = kind;
    status.textContent = text;
  }

  private runStatus(on: { run: RunEvent; nth: number }): ["waiting" | "reached", string] {
    const event = this.reached.get(this.index);
    if (event !== undefined) return ["reached", `Reached: ${describeEvent(event)} (pc ${event.pc}).`];
    const which = on.nth === 1 ? `the first ${eventName(on.run)}` : `${eventName(on.run)} number ${on.nth}`;
    return ["waiting", `Waiting for ${which}: in the Debugger tab, Step (F9) or Run (F8).`];
  }

  private verifierStatus(want: VerifierEvent, step: TourStep): ["waiting" | "reached" | "differs", string] {
    const verdict = this.host.verdict();
    if (verdict === null) return ["waiting", "Waiting for the verifier…"];
    const mode = `in ${verdict.mode} mode`;
    if (want === "descriptor") {
      const line = step.line ?? (step.pc !== undefined ? this.host.lineOfPc(step.pc) : null);
      const found = line === null ? verdict.descriptorLines.length > 0 : verdict.descriptorLines.includes(line);
      const where = line === null ? "" : ` on line ${line}`;
      return found
        ? ["reached", `The verifier recorded a frame descriptor${where} ${mode}.`]
        : ["differs", `No frame descriptor${where} ${mode} (the Verifier tab lists the descriptors).`];
    }
    const said = verdict.accepted ? "accepted" : `rejected${verdict.error === null ? "" : `: ${verdict.error}`}`;
    const matches = (want === "accepted") === verdict.accepted;
    return [matches ? "reached" : "differs", `The verifier ${said} (${mode}).`];
  }
}

const EVENT_NAMES: Record<RunEvent, string> = {
  acquire: "acquisition",
  call: "call",
  throw: "throw",
  unwind_frame: "frame unwound",
  restore_regs: "register restore",
  release: "release",
  exception_callback: "exception callback",
  exit: "exit",
  leak: "leak",
  fault: "fault",
};

function eventName(kind: RunEvent): string {
  return EVENT_NAMES[kind];
}
