// The verifier's abstract state at the cursor (Verifier tab): for the pcs of the line under
// the cursor, every state the verifier recorded there, one per path that reached the pc,
// each as a table of registers (type, bounds, reference ids as the kernel prints them) and
// stack slots. The states come from the package (`Verification.states`) in the kernel log's
// format; `parseState` splits one into its parts.

import type { FrameDescriptor, Instruction, PcState } from "unwind-bpf";
import { descriptorItem, element } from "./panes.js";

/** One recorded state, split: registers, stack slots, and anything else (`refs=...`). */
export interface ParsedState {
  registers: StateEntry[];
  stack: StateEntry[];
  other: StateEntry[];
}

export interface StateEntry {
  name: string;
  value: string;
  /** Written since the last state the verifier stored (the kernel's `_w` liveness mark). */
  written: boolean;
}

/** Splits a kernel-format state (`R0_w=scalar(smin=0,smax=7) R10=fp0 fp-8=mmmmmmmm refs=2`)
 * at the spaces outside parentheses. */
export function parseState(text: string): ParsedState {
  const parsed: ParsedState = { registers: [], stack: [], other: [] };
  let depth = 0;
  let token = "";
  const tokens: string[] = [];
  for (const c of text) {
    if (c === "(" || c === "[" || c === "{") depth++;
    if (c === ")" || c === "]" || c === "}") depth = Math.max(0, depth - 1);
    if (/\s/.test(c) && depth === 0) {
      if (token !== "") tokens.push(token);
      token = "";
    } else {
      token += c;
    }
  }
  if (token !== "") tokens.push(token);
  for (const t of tokens) {
    const eq = t.indexOf("=");
    const rawName = eq < 0 ? t : t.slice(0, eq);
    const value = eq < 0 ? "" : t.slice(eq + 1);
    const written = rawName.endsWith("_w");
    const name = written ? rawName.slice(0, -2) : rawName;
    const entry = { name, value, written };
    if (/^R\d+$/.test(name)) parsed.registers.push(entry);
    else if (/^fp-\d+$/.test(name)) parsed.stack.push(entry);
    else parsed.other.push(entry);
  }
  return parsed;
}

export class StatePane {
  /** Bumped per request: an answer for an older cursor position is dropped. */
  private serial = 0;

  constructor(private readonly root: HTMLElement) {
    this.clear("Put the cursor on an instruction to see the verifier's state there.");
  }

  clear(message: string): void {
    this.serial++;
    this.root.replaceChildren(element("p", "muted", message));
  }

  /** Shows the states of the instructions of source line `line`, asked of `states`. */
  async show(
    line: number,
    instructions: Instruction[],
    states: (fromPc: number, toPc: number) => Promise<PcState[]>,
    descriptors: FrameDescriptor[] = [],
  ): Promise<void> {
    const serial = ++this.serial;
    const pcs = instructions.filter((i) => i.line === line).map((i) => i.pc);
    if (pcs.length === 0) {
      this.root.replaceChildren(element("p", "muted", `Line ${line} has no instruction.`));
      return;
    }
    const from = Math.min(...pcs);
    const to = Math.max(...pcs) + 1;
    let recorded: PcState[];
    try {
      recorded = await states(from, to);
    } catch (error) {
      if (serial === this.serial) this.clear(`The states could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (serial !== this.serial) return;
    const parts: Node[] = [];
    const where = pcs.length === 1 ? `pc ${from}` : `pcs ${from}–${to - 1}`;
    parts.push(element("h3", undefined, `State at line ${line} (${where})`));
    for (const pc of pcs) {
      const at = recorded.find((s) => s.pc === pc);
      const text = instructions.find((i) => i.pc === pc)?.log ?? `pc ${pc}`;
      const block = element("section", "pc-state-block");
      block.dataset["pc"] = String(pc);
      block.append(element("p", "pc-state-insn", text));
      if (at === undefined || at.states.length === 0) {
        block.append(element("p", "muted", "No path reached this instruction (the verifier never visited it)."));
      } else {
        const paths = at.states.length;
        block.append(
          element(
            "p",
            "muted",
            paths === 1
              ? "Reached by one path; the state before the instruction:"
              : `Reached by ${paths} paths; the state before the instruction on each, in the order the verifier walked them:`,
          ),
        );
        const byPc = new Map(instructions.map((i) => [i.pc, i]));
        at.states.forEach((s, i) => {
          const table = stateTable(parseState(s), paths === 1 ? null : i + 1);
          const origins = at.origins?.[i] ?? [];
          block.append(element("p", "pc-state-origin", originText(pc, origins, byPc)), table);
        });
      }
      // An exception can unwind through this pc: its frame descriptor, with every path that
      // was merged into it.
      const descriptor = descriptors.find((d) => d.pc === pc);
      if (descriptor !== undefined) {
        const list = element("ul", "descriptors");
        list.setAttribute("aria-label", `Frame descriptor at pc ${pc}`);
        const item = descriptorItem(descriptor);
        item.querySelector("details")?.setAttribute("open", "");
        list.append(item);
        block.append(element("p", "muted", "The frame descriptor the unwinder uses here:"), list);
      }
      parts.push(block);
    }
    this.root.replaceChildren(...parts);
  }
}

/** Where the paths in one state came from: the instruction before `pc` on each, named by
 * how control left it (a jump taken, a branch not taken, a call, a return). */
export function originText(pc: number, origins: readonly number[], byPc: ReadonlyMap<number, Instruction>): string {
  if (origins.length === 0) return "From the program's entry.";
  return `From ${origins.map((from) => originOf(pc, from, byPc.get(from))).join("; ")}.`;
}

function originOf(pc: number, from: number, insn: Instruction | undefined): string {
  if (insn === undefined) return `pc ${from}`;
  const where = `pc ${from} (line ${insn.line}: ${insn.source})`;
  const opcode = Number.parseInt(insn.hex.slice(0, 2), 16);
  const width = insn.hex.split(" ").length > 8 ? 2 : 1;
  const jumpClass = (opcode & 7) === 5 || (opcode & 7) === 6;
  if (opcode === 0x95) return `the return at ${where}`;
  if (opcode === 0x85) return from + width === pc ? `after the call at ${where}` : `the call at ${where}`;
  if (!jumpClass) return where;
  // JA (0x05, 0x06) always jumps; a conditional jump either jumps or falls through.
  if (opcode === 0x05 || opcode === 0x06) return `the jump at ${where}`;
  return from + width === pc ? `${where}, branch not taken` : `${where}, branch taken`;
}

function stateTable(state: ParsedState, path: number | null): HTMLTableElement {
  const table = element("table", "pc-state-table");
  if (path !== null) table.createCaption().textContent = `Path ${path}`;
  const head = table.createTHead().insertRow();
  for (const h of ["", "value"]) head.append(element("th", undefined, h));
  const body = table.createTBody();
  const row = (kind: string, e: StateEntry) => {
    const tr = body.insertRow();
    tr.className = kind;
    const name = element("th", undefined, e.name);
    name.scope = "row";
    const value = element("td", undefined, e.value);
    if (e.written) {
      const mark = element("span", "written", " _w");
      mark.title = "written on this path since the last state the verifier stored (the kernel's _w mark)";
      value.append(mark);
      tr.classList.add("written");
    }
    tr.append(name, value);
  };
  for (const e of state.registers) row("register", e);
  for (const e of state.stack) row("slot", e);
  for (const e of state.other) row("other", e);
  return table;
}
