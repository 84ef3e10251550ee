// The Debugger tab: buttons that drive the package's debugger session, the registers, the call
// stack, a resources table (live, released, leaked), the frame descriptors and the event list.
// A throw's unwinding is revealed one event at a time (throw → frame unwound → resource
// released → registers restored → exception callback → exit), with the descriptor of the frame
// being unwound highlighted, so it can be followed on a projector; with prefers-reduced-motion
// everything shows at once.

import type {
  DebugAction,
  DebugResult,
  FrameDescriptor,
  VmEvent,
  VmFrame,
  VmState,
} from "./api.js";
import { element, reveal } from "./panes.js";

/** Delay between two revealed unwinding events. */
const STEP_MS = 650;

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

/** One line of text for an event. */
export function describeEvent(e: VmEvent): string {
  const res = e.resource ? `${e.resource.type}#${e.resource.id}` : "";
  switch (e.kind) {
    case "acquire":
      return `acquire ${res} ← ${e.function}`;
    case "release":
      return e.by === "program"
        ? `release ${res} → ${e.function}`
        : `release ${res} → ${e.function} (by ${byName(e.by)}${e.location ? `, ${e.location} of frame ${e.depth}` : ""})`;
    case "call":
      return `call ${e.function} (frame ${e.depth})`;
    case "return":
      return `return from ${e.function} = ${formatValue(e.value ?? "0")}`;
    case "throw":
      return `bpf_throw, cookie ${formatValue(e.cookie ?? "0")}`;
    case "unwind_frame":
      return `unwind frame ${e.depth} (${e.function})`;
    case "restore_regs": {
      const regs = (e.registers ?? []).map((r, i) => `${r}=${formatValue(e.values?.[i] ?? "?")}`);
      return `restore ${regs.join(" ")} from frame ${e.depth}'s saved area`;
    }
    case "exception_callback":
      return `exception callback ${e.function === "default" ? "(default: returns the cookie)" : e.function}, cookie ${formatValue(e.cookie ?? "0")}`;
    case "exit":
      return `exit, r0 = ${formatValue(e.returnValue ?? "0")}`;
    case "leak":
      return `LEAK ${res}, acquired at pc ${e.resource?.acquiredPc}`;
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

export class DebuggerPane {
  private session = -1;
  private events: VmEvent[] = [];
  /** How many of `events` are on screen. */
  private shown = 0;
  private state: VmState | null = null;
  private descriptors: FrameDescriptor[] = [];
  private timer: number | undefined;
  private animating = false;
  /** The main function's name (the events name only the frames that calls push). */
  private mainName = "main";
  private lastStop: DebugResult["stop"] = null;
  /** The source line of each pc of the program being run (0: hidden code). */
  private lines: number[] = [];
  private readonly buttons: Record<DebugAction, HTMLButtonElement | null>;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: DebuggerHost,
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
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  /** A request is on its way to the worker. */
  get busy(): boolean {
    return this.root.getAttribute("aria-busy") === "true";
  }

  /** Sends an action; a running animation is finished first (the user wants to go on). */
  act(action: DebugAction): void {
    this.finishAnimation();
    this.root.setAttribute("aria-busy", "true");
    this.host.act(action);
  }

  /** Keyboard shortcuts, as in Chrome's DevTools: F8 run, F9 (or F11) step, F10 step over,
   * Shift+F11 step out. */
  key(event: KeyboardEvent): boolean {
    if (!this.visible || event.ctrlKey || event.metaKey || event.altKey) return false;
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

  render(result: DebugResult): void {
    this.finishAnimation();
    if (result.session !== this.session) {
      this.session = result.session;
      this.events = [];
      this.shown = 0;
    }
    this.events = this.events.slice(0, result.eventsFrom).concat(result.events);
    this.shown = Math.min(this.shown, this.events.length);
    this.state = result.state;
    this.lastStop = result.stop;
    if (result.state.frames[0] !== undefined) this.mainName = result.state.frames[0].function;
    this.descriptors = result.descriptors;
    this.lines = result.lines;
    const throwAt = this.events.findIndex((e, i) => i >= this.shown && e.kind === "throw");
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (throwAt < 0 || reduce) {
      this.shown = this.events.length;
      this.draw(null);
      this.root.setAttribute("aria-busy", "false");
      return;
    }
    // Everything before the throw at once, then the unwinding one event at a time.
    this.shown = throwAt;
    this.animating = true;
    this.root.dataset["animating"] = "true";
    this.draw(null);
    this.tick();
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

  private tick(): void {
    const next = this.events[this.shown];
    if (next === undefined || (!unwinding(next.kind) && this.shown > 0)) {
      this.finishAnimation();
      return;
    }
    this.shown++;
    this.draw(next);
    this.timer = window.setTimeout(() => this.tick(), STEP_MS);
  }

  private finishAnimation(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.animating) return;
    this.animating = false;
    delete this.root.dataset["animating"];
    this.shown = this.events.length;
    this.draw(null);
    this.root.setAttribute("aria-busy", "false");
  }

  /** Redraws everything; `current` is the unwinding event being revealed. */
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
    this.drawStatus(state, this.animating ? current : null);
    // While the unwinding is revealed, the registers are the run's final ones (dimmed) and the
    // call stack is the one at the throw, its frames crossed out as they are unwound.
    this.drawRegisters(state);
    this.root.querySelector(".debug-registers")?.classList.toggle("later", this.animating);
    if (this.animating) this.drawUnwindingStack(shown);
    else this.drawStack(state);
    this.drawResources(shown);
    this.drawTrace(state);
    this.drawDescriptors(this.animating ? current : null, shown);
    this.drawEvents(shown, current);
    if (!ready) this.host.showLine(null);
    else if (!this.animating) this.host.showLine(this.currentLine(state));
    else if (current !== null) {
      // The line of the frame being unwound: the throw, then each call site up the stack.
      const line = this.lines[current.pc] ?? 0;
      if (line > 0) this.host.showLine(line);
    }
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
    if (current !== null) {
      // The final state waits for the end of the animation.
      kind = "unwinding";
      parts.splice(1, parts.length - 1, element("strong", "unwinding-chip", " Unwinding: "), element("span", "insn", describeEvent(current)));
    }
    if (state.ready && current === null) {
      parts.push(element("span", "muted", ` · ${state.instructions} insns · unwinding: ${state.unwinding?.replace("_", " ")}`));
    }
    status.dataset["kind"] = kind;
    status.replaceChildren(...parts);
  }

  private drawRegisters(state: VmState): void {
    const body = this.root.querySelector<HTMLElement>("#debug-registers")!;
    if (state.registers.length === 0) {
      body.replaceChildren(element("p", "muted", "—"));
      return;
    }
    body.replaceChildren(
      ...state.registers.map((value, i) => {
        const cell = element("div", "reg");
        cell.append(element("span", "name", `r${i}`), element("span", "value", formatValue(value)));
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
    head.append(
      element("span", "name", `#${f.depth} ${f.function}`),
      element("span", "muted", ` pc ${f.pc}${f.line > 0 ? `, line ${f.line}` : ""}`),
    );
    if (f.descriptor !== null) head.append(element("span", "desc-chip", `descriptor @${f.descriptor}`));
    item.append(head);
    const regs = f.preserved.map((v, k) => `r${k + 6}=${formatValue(v)}`).join(" ");
    item.append(element("div", "frame-regs", regs));
    if (f.saved.length > 0) {
      item.append(
        element("div", "frame-saved", `saved area: ${f.saved.map(([r, v]) => `${r}=${formatValue(v)}`).join(" ")}`),
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
        tr.title = `acquired at pc ${r.acquiredPc}${r.acquiredBy ? ` by ${r.acquiredBy}` : ""}`;
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
        item.append(element("span", "pc", `pc ${d.pc}`), ` (${d.function}): ${slots}`);
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
      item.append(element("span", "pc", `pc ${e.pc}`), element("span", "text", describeEvent(e)));
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
