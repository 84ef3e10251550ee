// The output panes: diagnostics, disassembly and the verifier (the bytecode is web/bytecode.ts). Each takes an assembly result and
// redraws itself; none of them talks to the worker.

import type {
  AssembleResult,
  DescriptorEntry,
  Diagnostic,
  FrameDescriptor,
  Loaded,
  Rewrite,
  Verification,
  VerifyError,
} from "./api.js";
import type { LogView } from "./log-view.js";

/** Where a click in a pane wants the editor to go. */
export type Navigate = (line: number, column?: number, endColumn?: number) => void;

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Scrolls `el` into view within its nearest scrolling box, never the document: an embed's
 * `scrollIntoView` would scroll the docs page around it too. */
export function reveal(el: Element | null | undefined): void {
  if (el === null || el === undefined) return;
  for (let box = el.parentElement; box !== null && box !== document.body; box = box.parentElement) {
    if (!/(auto|scroll)/.test(getComputedStyle(box).overflowY) || box.scrollHeight <= box.clientHeight) continue;
    const outer = box.getBoundingClientRect();
    const inner = el.getBoundingClientRect();
    if (inner.top < outer.top) box.scrollTop -= outer.top - inner.top;
    else if (inner.bottom > outer.bottom) box.scrollTop += Math.min(inner.bottom - outer.bottom, inner.top - outer.top);
    return;
  }
}

export const SYNTAX_NAMES: Record<string, string> = {
  auto: "auto-detect",
  pseudo_c: "pseudo-C",
  ubpf: "uBPF",
  hex: "hex bytecode",
};

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export class DiagnosticsPane {
  constructor(
    private readonly list: HTMLElement,
    private readonly count: HTMLElement,
    private readonly navigate: Navigate,
  ) {}

  /** The assembler's diagnostics, or when the program assembled, the verifier's refusal
   * (never "No problems." for a program the verifier refuses). */
  render(diagnostics: readonly Diagnostic[], refusals: readonly VerifyError[] = []): void {
    const count = diagnostics.length + refusals.length;
    this.count.textContent = count === 0 ? "" : String(count);
    this.count.hidden = count === 0;
    if (count === 0) {
      this.list.replaceChildren(element("li", "empty ok", "No problems."));
      return;
    }
    const item = (refusal: boolean, line: number, column: number, severity: string, message: string, endColumn?: number) => {
      const li = element("li");
      const button = element("button", refusal ? "diagnostic refusal" : "diagnostic");
      button.type = "button";
      button.dataset["line"] = String(line);
      button.dataset["column"] = String(column);
      button.title = `Go to line ${line}, column ${column}`;
      button.append(
        element("span", "location", `${line}:${column}`),
        element("span", "severity", severity),
        element("span", "message", message),
      );
      button.addEventListener("click", () => this.navigate(line, column, endColumn));
      li.append(button);
      return li;
    };
    this.list.replaceChildren(
      ...diagnostics.map((d) => item(false, d.line, d.column, "error", d.message, d.endColumn)),
      ...refusals.map((e) => item(true, e.line, e.column, `verifier · pc ${e.pc}`, e.message)),
    );
  }

  /** The worker failed (not the user's program): say so in the list. */
  renderFailure(message: string): void {
    this.count.hidden = true;
    this.list.replaceChildren(element("li", "empty failure", `Internal error: ${message}`));
  }
}

/** The disassembly in source style and in the kernel log's style, the verifier and the
 * debugger, as tabs. */
export class DisassemblyPane {
  private readonly selectListeners: Array<(panel: string) => void> = [];

  constructor(
    private readonly pane: HTMLElement,
    private readonly tabs: readonly HTMLButtonElement[],
    private readonly source: HTMLElement,
    private readonly log: HTMLElement,
  ) {
    for (const tab of tabs) {
      tab.addEventListener("click", () => this.select(tab));
      tab.addEventListener("keydown", (event) => {
        const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (step === 0) return;
        event.preventDefault();
        // Only the tabs shown (an embed may offer fewer).
        const shown = tabs.filter((t) => !t.hidden);
        const next = shown[(shown.indexOf(tab) + step + shown.length) % shown.length]!;
        this.select(next);
        next.focus();
      });
    }
  }

  render(result: AssembleResult | null, stale: boolean): void {
    this.pane.classList.toggle("stale", stale);
    this.source.textContent = result?.disassembly ?? "";
    this.log.textContent = result?.log ?? "";
  }

  /** Called with the id of the panel shown when the tab changes. */
  onSelect(listener: (panel: string) => void): void {
    this.selectListeners.push(listener);
  }

  select(selected: HTMLButtonElement): void {
    for (const tab of this.tabs) {
      const on = tab === selected;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !on;
    }
    const panel = selected.getAttribute("aria-controls") ?? "";
    this.pane.dataset["tab"] = panel;
    for (const listener of this.selectListeners) listener(panel);
  }
}

/** The verifier's verdict and its log in the kernel's format. */
export class VerifierPane {
  constructor(
    private readonly verdict: HTMLElement,
    private readonly log: LogView,
    private readonly navigate: Navigate,
  ) {}

  /** Called with the pc of a log line the user clicked (or pressed Enter on). */
  onLogLine(listener: (pc: number) => void): void {
    this.log.onLine(listener);
  }

  /** Marks the log lines of `pcs` (the cursor's line) and scrolls the first into view. */
  highlightPcs(pcs: number[]): void {
    this.log.highlightPcs(pcs);
  }

  /** The tab was shown: the log can measure itself and draw. */
  shown(): void {
    this.log.refresh();
  }

  /** The whole log, drawn a screenful at a time (see LogView). */
  render(result: Verification | null): void {
    if (result === null) {
      this.verdict.replaceChildren(element("span", "muted", "Verifies once the program assembles."));
      this.verdict.dataset["verdict"] = "none";
      this.log.show(null);
      return;
    }
    this.verdict.dataset["verdict"] = result.accepted ? "accepted" : "rejected";
    const parts: Node[] = [
      element("strong", undefined, result.accepted ? "Accepted" : "Rejected"),
      document.createTextNode(` in ${result.mode} mode · ${plural(result.stats.insnsProcessed, "insn")} processed`),
    ];
    for (const error of result.errors) {
      const button = element("button", "diagnostic");
      button.type = "button";
      button.title = `Go to line ${error.line}, column ${error.column}`;
      button.append(
        element("span", "location", `${error.line}:${error.column}`),
        element("span", "severity", `pc ${error.pc}`),
        element("span", "message", error.message),
      );
      button.addEventListener("click", () => this.navigate(error.line, error.column));
      parts.push(button);
    }
    if (result.frameDescriptors.length > 0) {
      const list = element("ul", "descriptors");
      list.setAttribute("aria-label", "Frame descriptors");
      for (const d of result.frameDescriptors) list.append(descriptorItem(d));
      parts.push(
        element("span", "muted", "Frame descriptors (open one for its merge history):"),
        list,
      );
    }
    if (result.rewrite !== null) parts.push(rewriteView(result.rewrite));
    if (result.loaded !== null) parts.push(loadedView(result.loaded));
    this.verdict.replaceChildren(...parts);
    this.log.show(result.log);
  }
}

/** A descriptor and, folded, every path that contributed to it (its merge history). */
export function descriptorItem(d: FrameDescriptor): HTMLLIElement {
  const slots = d.slots.length === 0
    ? "nothing to release"
    : d.slots.map((s) => `${s.location}: ${s.type} → ${s.release}`).join(", ");
  const item = element("li");
  item.dataset["pc"] = String(d.pc);
  const details = element("details", "history");
  const summary = element("summary", undefined, `pc ${d.pc} (${d.function}): ${slots}`);
  summary.title = `merged from ${plural(d.paths, "path")}`;
  const paths = element("ol", "paths");
  for (const path of d.history) {
    const entries = path.entries.length === 0
      ? "holds nothing to release"
      : path.entries.map(entryText).join(", ");
    const li = element("li");
    li.append(element("span", "path", `${path.path} (frame ${path.frame})`), `: ${entries}`);
    paths.append(li);
  }
  details.append(summary, element("p", "muted", `Merged from ${plural(d.paths, "path")}:`), paths);
  item.append(details);
  return item;
}

function entryText(e: DescriptorEntry): string {
  switch (e.content) {
    case "null":
      return `${e.location}: NULL`;
    case "misc":
      return `${e.location}: other data (misc)`;
    case "uninit":
      return `${e.location}: not initialised`;
    case "non_zero_scalar":
      return `${e.location}: a non-zero scalar`;
    case "interior":
      return `${e.location}: a pointer into a resource, not to its start (not released here)`;
    case "copy":
      return `${e.location}: a copy of a resource named elsewhere (not released here)`;
    default:
      return `${e.location}: ${e.content}${e.refObjId !== null ? ` (ref_obj_id ${e.refObjId})` : ""}`;
  }
}

/** The program as loaded: every throw calls the hidden trampoline, shown at the end. */
function loadedView(loaded: Loaded): HTMLElement {
  const details = element("details", "loaded");
  const t = loaded.trampoline;
  details.append(
    element(
      "summary",
      undefined,
      `As loaded: every bpf_throw calls the hidden ${t.name} (pc ${t.start}), which saves ${t.calleeSaved.join(", ")}`,
    ),
    element("pre", "code rewritten", loaded.disassembly),
  );
  return details;
}

/** cleanup-v2's rewritten program: its dedicated slots, then the program. */
function rewriteView(rewrite: Rewrite): HTMLElement {
  const details = element("details", "rewrite");
  details.open = true;
  details.append(
    element(
      "summary",
      undefined,
      `Rewritten program (cleanup-v2): ${plural(rewrite.dedicated.length, "dedicated slot")}`,
    ),
  );
  const list = element("ul", "dedicated");
  for (const d of rewrite.dedicated) {
    const cleared = d.clearedAfter.length === 0 ? "" : `, cleared after pc ${d.clearedAfter.join(", ")}`;
    list.append(
      element(
        "li",
        undefined,
        `${d.slot} of ${d.function}: the ${d.acquiredBy} at pc ${d.acquirePc} (line ${d.line})${cleared}`,
      ),
    );
  }
  details.append(list, element("pre", "code rewritten", rewrite.disassembly));
  return details;
}
