// The BPF assembly the assembler reads (docs/assembly.md), as CodeMirror sees it: a stream
// tokenizer for both syntaxes (pseudo-C and uBPF; hex bytecode is numbers), a highlight style
// whose colours are the page's CSS variables (so both themes and the presentation size
// apply), and completion and hover help from the kernel catalogue (static/catalogue.json).

import { autocompletion, type Completion, type CompletionContext } from "@codemirror/autocomplete";
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { hoverTooltip, type EditorView } from "@codemirror/view";
import { tags } from "@lezer/highlight";

type ResourceKind = string;

/** One kernel function of the catalogue (static/catalogue.json, written from the kernel
 * crate's table by crates/session/src/catalogue.rs): snake_case kind names. */
export interface CatalogueEntry {
  name: string;
  /** A helper (`call N`) or a kfunc (its BTF id in the simulated kernel). */
  kind: { kind: "helper" | "kfunc"; id: number };
  /** What R1, R2, ... must hold: a kind name, or `{ release: kind }`. */
  args: Array<string | { release: ResourceKind }>;
  ret: string | { acquired_or_null: ResourceKind };
  effect: string | { acquire: ResourceKind } | { release: ResourceKind };
  /** The program types that may call it (null: every type). */
  progTypes: string[] | null;
}

/** The tokenizer's state: inside a block comment, and what the last word was (a name after
 * `call` is a function; the first word of a line is a mnemonic in uBPF). */
interface TokenState {
  inComment: boolean;
  afterCall: boolean;
  lineStart: boolean;
}

/** Words that are not registers, labels or numbers in either syntax. */
const KEYWORDS = new Set(["if", "goto", "gotol", "may_goto", "call", "callx", "exit", "lock", "ll", "local"]);
const TYPES = new Set(["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"]);
/** Names the pseudo-C syntax spells like functions (atomics, byte swaps, map references). */
const BUILTINS = new Set([
  "be16", "be32", "be64", "le16", "le32", "le64", "bswap16", "bswap32", "bswap64",
  "atomic_fetch_add", "atomic_fetch_and", "atomic_fetch_or", "atomic_fetch_xor",
  "xchg_64", "xchg32_32", "cmpxchg_64", "cmpxchg32_32", "addr_space_cast",
  "map", "map_value", "map_idx", "map_idx_value", "btf_id", "kfunc", "helper", "skb",
]);

/** The directives (docs/assembly.md), for completion at the start of a line. */
const DIRECTIVES: Array<{ label: string; detail: string }> = [
  { label: ".ctx", detail: "TYPE: the program type (tc, xdp, socket, tracing, …)" },
  { label: ".map", detail: "NAME TYPE key=K value=V max_entries=N" },
  { label: ".globl", detail: "NAME(ARGS): a global function and its arguments" },
  { label: ".exception_callback", detail: "NAME: the program's exception callback" },
  { label: ".loc", detail: "\"FILE\" LINE:COLUMN \"TEXT\": the C source line of what follows" },
  { label: ".syntax", detail: "pseudo-c, ubpf or hex" },
];

function token(stream: StringStream, state: TokenState): string | null {
  if (stream.sol()) {
    state.lineStart = true;
    state.afterCall = false;
  }
  if (state.inComment) {
    if (stream.skipTo("*/")) {
      stream.match("*/");
      state.inComment = false;
    } else {
      stream.skipToEnd();
    }
    return "comment";
  }
  if (stream.eatSpace()) return null;
  // A `.loc` string (its file or C source text, `\"` and `\\` escaped): `//` or `/*` in
  // it is text, as the assembler reads it.
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
  if (stream.match("/*")) {
    state.inComment = true;
    return "comment";
  }
  // `//`, `#` and `;` run to the end of the line (`;` because the verifier log writes the
  // register state after it).
  if (stream.match("//") || stream.match(/^[#;]/)) {
    stream.skipToEnd();
    return "comment";
  }
  const first = state.lineStart;
  state.lineStart = false;
  if (first && stream.match(/^\.[A-Za-z_][\w.]*/)) return "meta";
  // A pasted log line's `12: (85)` prefix.
  if (first && stream.match(/^\d+:\s*\([0-9a-f]{2}\)/)) return "comment";
  if (stream.match(/^[A-Za-z_.$][\w.$]*:(?!:)/)) {
    state.lineStart = true; // an instruction may follow the label
    return "labelName";
  }
  if (stream.match(/^%?[rw](?:1[01]|[0-9])\b/)) {
    state.afterCall = false;
    return "variableName.special";
  }
  if (stream.match(/^[+-]?0x[0-9a-fA-F]+\b/) || stream.match(/^[+-]?\d+\b/)) {
    state.afterCall = false;
    return "number";
  }
  const word = stream.match(/^[A-Za-z_$][\w$]*/) as RegExpMatchArray | null;
  if (word !== null) {
    const text = word[0];
    const afterCall = state.afterCall;
    state.afterCall = text === "call";
    if (afterCall && text !== "local") return "function";
    if (KEYWORDS.has(text)) return "keyword";
    if (TYPES.has(text)) return "typeName";
    if (BUILTINS.has(text)) return "standard";
    // The first word of a uBPF line is its mnemonic (`mov`, `ldxw`, `jeq`).
    return first ? "keyword" : "variableName";
  }
  if (stream.match(/^(?:s?>>=|<<=|s[<>]=?|[-+*/%|&^]=|[=!<>]=|[<>=&])/)) return "operator";
  stream.next();
  return null;
}

const bpfAssembly = StreamLanguage.define<TokenState>({
  name: "bpf-assembly",
  startState: () => ({ inComment: false, afterCall: false, lineStart: true }),
  token,
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
  tokenTable: {
    labelName: tags.labelName,
    meta: tags.meta,
    function: tags.function(tags.variableName),
    standard: tags.standard(tags.variableName),
    "variableName.special": tags.special(tags.variableName),
  },
});

/** Colours from style.css (`--syntax-*`), so the themes and sizes apply. */
const highlight = HighlightStyle.define([
  { tag: tags.comment, color: "var(--syntax-comment)", fontStyle: "italic" },
  { tag: tags.string, color: "var(--syntax-string)" },
  { tag: tags.keyword, color: "var(--syntax-keyword)", fontWeight: "600" },
  { tag: tags.meta, color: "var(--syntax-directive)", fontWeight: "600" },
  { tag: tags.labelName, color: "var(--syntax-label)", fontWeight: "600" },
  { tag: tags.special(tags.variableName), color: "var(--syntax-register)" },
  { tag: tags.number, color: "var(--syntax-number)" },
  { tag: tags.function(tags.variableName), color: "var(--syntax-function)" },
  { tag: tags.standard(tags.variableName), color: "var(--syntax-builtin)" },
  { tag: tags.typeName, color: "var(--syntax-type)" },
  { tag: tags.operator, color: "var(--syntax-operator)" },
]);

/** What an argument kind asks for, in words (the catalogue's `ArgKind`). */
const ARG_TEXT: Record<string, string> = {
  anything: "any initialised value",
  scalar: "a scalar",
  const_size: "a known constant > 0: the size of the memory before it",
  const_size_or_zero: "a known constant ≥ 0: the size of the memory before it",
  const_alloc_size: "a known constant: the size to allocate",
  const_zero: "0 (reserved flags)",
  map_ptr: "a map (r1 = map[NAME] ll)",
  map_key: "a pointer to the key (the map's key size, readable)",
  map_value: "a pointer to the value (the map's value size, readable)",
  ctx: "the program's context",
  readable_mem: "a pointer to readable memory (size in the next argument)",
  writable_mem: "a pointer to writable memory (size in the next argument)",
  spin_lock: "a struct bpf_spin_lock inside a map value",
  callback: "a callback (rN = my_callback)",
  stack_or_null: "the callback's context: a stack pointer or NULL",
  irq_flag: "a pointer to an 8-byte stack slot for the saved IRQ flags",
  timer: "a struct bpf_timer inside a map value",
};

function argText(arg: CatalogueEntry["args"][number]): string {
  if (typeof arg === "string") return ARG_TEXT[arg] ?? arg.replaceAll("_", " ");
  return `a ${arg.release.replaceAll("_", " ")} reference, which this call releases`;
}

function retText(ret: CatalogueEntry["ret"]): string {
  if (typeof ret !== "string") return `a new ${ret.acquired_or_null.replaceAll("_", " ")} reference, or NULL`;
  switch (ret) {
    case "void":
      return "nothing";
    case "scalar":
      return "a scalar";
    case "map_value_or_null":
      return "a pointer to the map value, or NULL";
    case "never":
      return "never returns: the program unwinds";
    default:
      return ret.replaceAll("_", " ");
  }
}

const EFFECT_TEXT: Record<string, string> = {
  spin_lock: "takes the spin lock (release it before exit, a helper call or a throw)",
  spin_unlock: "releases the spin lock",
  rcu_read_lock: "enters an RCU read-side section",
  rcu_read_unlock: "leaves the RCU read-side section",
  preempt_disable: "disables preemption (nests; counted)",
  preempt_enable: "enables preemption again",
  irq_save: "saves and disables IRQs (restore in reverse order)",
  irq_restore: "restores the saved IRQ flags",
  loop: "calls the callback repeatedly",
  timer_callback: "sets the callback a timer calls later",
  tail_call: "jumps to the program in the prog array's slot, which returns in this program's place; an empty slot falls through",
  throw: "throws: R1 is the cookie; the stack unwinds and what the frames hold is released",
};

function effectText(effect: CatalogueEntry["effect"]): string | null {
  if (typeof effect !== "string") {
    if ("acquire" in effect) return `acquires a ${effect.acquire.replaceAll("_", " ")}: the program must release it`;
    return `releases the ${effect.release.replaceAll("_", " ")} passed to it`;
  }
  return effect === "none" ? null : (EFFECT_TEXT[effect] ?? effect.replaceAll("_", " "));
}

/** The help for one function, as DOM (a tooltip and a completion's info). */
export function functionHelp(entry: CatalogueEntry): HTMLElement {
  const root = document.createElement("div");
  root.className = "cm-bpf-help";
  const title = document.createElement("div");
  title.className = "cm-bpf-help-title";
  const id = entry.kind.kind === "helper" ? `helper #${entry.kind.id}` : `kfunc, BTF id ${entry.kind.id}`;
  title.textContent = `${entry.name} · ${id}`;
  root.append(title);
  const list = document.createElement("ul");
  entry.args.forEach((arg, i) => {
    const item = document.createElement("li");
    item.textContent = `r${i + 1}: ${argText(arg)}`;
    list.append(item);
  });
  const ret = document.createElement("li");
  ret.textContent = `r0: ${retText(entry.ret)}`;
  list.append(ret);
  root.append(list);
  const effect = effectText(entry.effect);
  const notes = [effect, entry.progTypes === null ? null : `only in ${entry.progTypes.join(", ")} programs`];
  for (const note of notes) {
    if (note === null) continue;
    const p = document.createElement("p");
    p.textContent = note;
    root.append(p);
  }
  return root;
}

/** A one-line summary for the completion list. */
function signature(entry: CatalogueEntry): string {
  const kind = entry.kind.kind === "helper" ? `#${entry.kind.id}` : "kfunc";
  const effect = typeof entry.effect === "string" ? "" : "acquire" in entry.effect ? " · acquires" : " · releases";
  return `${kind} (${entry.args.length} arg${entry.args.length === 1 ? "" : "s"})${effect}`;
}

/** The labels defined in the document (jump and call targets). */
function labels(view: EditorView): string[] {
  const found = new Set<string>();
  const text = view.state.doc;
  // Bounded: in a 100,000-line paste only the first 20,000 lines are searched.
  const limit = Math.min(text.lines, 20_000);
  for (let n = 1; n <= limit; n++) {
    const match = /^\s*([A-Za-z_.$][\w.$]*):/.exec(text.line(n).text);
    if (match !== null) found.add(match[1] as string);
  }
  return [...found];
}

/** Completion, hover help and highlighting for BPF assembly; `catalogue` is asked once the
 * editor first needs it (it comes from the worker). */
export function bpfAssemblySupport(catalogue: () => readonly CatalogueEntry[]): Extension {
  const byName = () => new Map(catalogue().map((e) => [e.name, e]));
  let names: Map<string, CatalogueEntry> | null = null;
  const lookup = (name: string) => {
    if (names === null || names.size === 0) names = byName();
    return names.get(name);
  };

  const complete = (context: CompletionContext) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const directive = /^\s*(\.[\w]*)$/.exec(before);
    if (directive !== null) {
      return {
        from: context.pos - (directive[1] as string).length,
        options: DIRECTIVES.map((d) => ({ label: d.label, detail: d.detail, type: "keyword" })),
      };
    }
    const call = /\bcall\s+([\w$]*)$/.exec(before);
    const jump = /\b(?:goto|gotol|may_goto)\s+([\w.$]*)$/.exec(before);
    if (call === null && jump === null) return null;
    const word = (call ?? jump)![1] as string;
    if (word === "" && !context.explicit && !/\s$/.test(before)) return null;
    const options: Completion[] = labels(context.view!).map((label) => ({ label, type: "function", detail: "label" }));
    if (call !== null) {
      for (const entry of catalogue()) {
        options.push({
          label: entry.name,
          type: entry.kind.kind === "helper" ? "function" : "method",
          detail: signature(entry),
          info: () => functionHelp(entry),
        });
      }
    }
    return { from: context.pos - word.length, options, validFor: /^[\w$]*$/ };
  };

  const hover = hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    const offset = pos - line.from;
    const text = line.text;
    let start = offset;
    let end = offset;
    while (start > 0 && /[\w$]/.test(text[start - 1] as string)) start--;
    while (end < text.length && /[\w$]/.test(text[end] as string)) end++;
    if (start === end) return null;
    const entry = lookup(text.slice(start, end));
    if (entry === undefined) return null;
    return {
      pos: line.from + start,
      end: line.from + end,
      above: true,
      create: () => ({ dom: functionHelp(entry) }),
    };
  });

  return [
    bpfAssembly,
    syntaxHighlighting(highlight),
    autocompletion({ override: [complete], activateOnTyping: true }),
    hover,
  ];
}
