// The Bytecode pane: one row per instruction (and a heading row per function), virtualised:
// only the rows in view and a margin around them are in the DOM, between two spacer rows
// that keep the scrollbar true to the whole program, so a 100,000-instruction paste costs a
// few hundred rows and never blocks the page.

import type { AssembleResult, FunctionInfo, Instruction } from "./api.js";
import { element, plural, type Navigate } from "./panes.js";

/** Rows drawn above and below the visible ones. */
const OVERSCAN = 60;

type Row = { kind: "function"; fn: FunctionInfo } | { kind: "insn"; insn: Instruction };

/** A row's height class: an ld_imm64 shows its 16 bytes on two lines. */
type Shape = "function" | "insn" | "wide";

function shape(row: Row): Shape {
  if (row.kind === "function") return "function";
  return row.insn.hex.split(" ").length > 8 ? "wide" : "insn";
}

export class BytecodePane {
  private rows: Row[] = [];
  /** The top of each row and, last, the height of all of them (from `heights`). */
  private offsets: Float64Array = new Float64Array(1);
  /** Each shape's height as last measured (estimates until a row of it has been drawn). */
  private readonly heights: Record<Shape, number> = { function: 30, insn: 22, wide: 40 };
  private currentLine = -1;
  private frame = 0;
  private readonly scroller: HTMLElement;

  constructor(
    private readonly pane: HTMLElement,
    private readonly body: HTMLTableSectionElement,
    private readonly summary: HTMLElement,
    private readonly navigate: Navigate,
  ) {
    this.scroller = (body.closest(".scroll") as HTMLElement | null) ?? pane;
    this.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
    // One listener for every row: a row leads to its source line (its line number is a button).
    body.addEventListener("click", (event) => {
      const tr = (event.target as Element | null)?.closest?.("tr[data-index]");
      if (!(tr instanceof HTMLElement)) return;
      const row = this.rows[Number(tr.dataset["index"])];
      if (row?.kind === "insn") this.navigate(row.insn.line, row.insn.column, row.insn.endColumn);
    });
  }

  render(result: AssembleResult | null, stale: boolean): void {
    this.pane.classList.toggle("stale", stale);
    if (result === null) {
      this.rows = [];
      this.summary.textContent = "";
      const row = element("tr", "placeholder");
      const cell = element("td", undefined, "Nothing assembled yet.");
      cell.colSpan = 4;
      row.append(cell);
      this.body.replaceChildren(row);
      return;
    }
    this.summary.textContent = summarize(result);
    const starts = new Map(result.functions.map((f) => [f.start, f]));
    const rows: Row[] = [];
    for (const insn of result.instructions) {
      const fn = starts.get(insn.pc);
      if (fn !== undefined) rows.push({ kind: "function", fn });
      rows.push({ kind: "insn", insn });
    }
    this.rows = rows;
    this.layOut();
    this.draw();
  }

  /** Highlights the instructions that came from `line` (the editor's caret line). */
  highlightLine(line: number): void {
    this.currentLine = line;
    for (const tr of this.body.querySelectorAll<HTMLElement>("tr[data-index]")) {
      const row = this.rows[Number(tr.dataset["index"])];
      tr.classList.toggle("is-current", row?.kind === "insn" && row.insn.line === line);
    }
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private layOut(): void {
    const offsets = new Float64Array(this.rows.length + 1);
    for (let i = 0; i < this.rows.length; i++) offsets[i + 1] = offsets[i]! + this.heights[shape(this.rows[i]!)];
    this.offsets = offsets;
  }

  /** The first row whose bottom is below `y`. */
  private rowAt(y: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Draws the rows in view (and the margins), then corrects the shapes' heights from what
   * was drawn; a correction lays the rows out again and draws once more. */
  private draw(redrawn = false): void {
    if (this.rows.length === 0) return;
    const header = this.body.parentElement?.querySelector("thead")?.getBoundingClientRect().height ?? 0;
    const top = Math.max(0, this.scroller.scrollTop - header);
    const from = Math.max(0, this.rowAt(top) - OVERSCAN);
    const to = Math.min(this.rows.length, this.rowAt(top + this.scroller.clientHeight) + 1 + OVERSCAN);
    const drawn: HTMLTableRowElement[] = [];
    for (let i = from; i < to; i++) drawn.push(this.rowElement(i));
    const children: HTMLTableRowElement[] = [];
    if (from > 0) children.push(spacer(this.offsets[from]!));
    children.push(...drawn);
    if (to < this.rows.length) children.push(spacer(this.offsets[this.rows.length]! - this.offsets[to]!));
    this.body.replaceChildren(...children);
    if (redrawn) return;
    let changed = false;
    for (const s of ["function", "insn", "wide"] as const) {
      const sample = drawn.find((_, k) => shape(this.rows[from + k]!) === s);
      const height = sample?.getBoundingClientRect().height ?? 0;
      if (height > 0 && Math.abs(height - this.heights[s]) > 0.5) {
        this.heights[s] = height;
        changed = true;
      }
    }
    if (changed) {
      this.layOut();
      this.draw(true);
    }
  }

  private rowElement(index: number): HTMLTableRowElement {
    const row = this.rows[index]!;
    const tr = row.kind === "function" ? functionRow(row.fn) : this.instructionRow(row.insn);
    tr.dataset["index"] = String(index);
    if (row.kind === "insn" && row.insn.line === this.currentLine) tr.classList.add("is-current");
    return tr;
  }

  private instructionRow(insn: Instruction): HTMLTableRowElement {
    const row = element("tr", "insn");
    const bytes = element("td", "bytes");
    // The opcode byte stands out; an ld_imm64's second slot goes on its own line.
    const hex = insn.hex.split(" ");
    bytes.append(element("span", "opcode", hex[0] ?? ""), " " + hex.slice(1, 8).join(" "));
    if (hex.length > 8) bytes.append("\n" + hex.slice(8).join(" "));
    const lineCell = element("td", "line");
    const go = element("button", "link", String(insn.line));
    go.type = "button";
    go.title = `Go to line ${insn.line}`;
    lineCell.append(go);
    const text = element("td", "text", insn.source);
    // An object's C source line (a `.loc` record) beside the instruction it starts at.
    if (insn.cLine !== undefined) text.append(element("span", "c-line", `  // ${insn.cLine}`));
    row.append(element("td", "pc", String(insn.pc)), bytes, lineCell, text);
    return row;
  }
}

/** A row as tall as the rows it stands for. */
function spacer(height: number): HTMLTableRowElement {
  const row = element("tr", "spacer");
  row.setAttribute("aria-hidden", "true");
  const cell = element("td");
  cell.colSpan = 4;
  cell.style.height = `${height}px`;
  row.append(cell);
  return row;
}

function functionRow(fn: FunctionInfo): HTMLTableRowElement {
  const row = element("tr", "function");
  const cell = element("th");
  cell.colSpan = 4;
  cell.scope = "rowgroup";
  const name = fn.linkage === "global" ? `${fn.name}(${fn.args.join(", ")})` : fn.name;
  const traits: string[] = [fn.linkage === "main" ? "entry" : fn.linkage];
  if (fn.isExceptionCallback) traits.push("exception callback");
  traits.push(fn.end - fn.start === 1 ? `pc ${fn.start}` : `pcs ${fn.start}–${fn.end - 1}`);
  cell.append(element("span", "name", name), element("span", "traits", `  ${traits.join(" · ")}`));
  row.append(cell);
  return row;
}

function summarize(result: AssembleResult): string {
  return [
    plural(result.instructions.length, "instruction"),
    `${result.slotCount * 8} bytes`,
    plural(result.functions.length, "function"),
  ].join(" · ");
}

