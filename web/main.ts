// The playground page: wires the editor, the controls and the output panes to the npm
// package's client (`unwind-bpf`: the module in a worker, behind promises). Assembles on
// input (debounced), on Ctrl/Cmd-Enter and when the syntax changes.

import {
  UnwindError,
  createUnwind,
  type Channel,
  type DebuggerSession,
  type Unwind,
  type VmOptions,
} from "unwind-bpf";
import { DebuggerPane } from "./debugger.js";
import { LogView } from "./log-view.js";
import { StatePane } from "./states.js";
import { setUpView } from "./view.js";
import { setUpSplitters } from "./splitter.js";
import { embedOptions, embedSnippet } from "./embed.js";
import { Editor } from "./editor.js";
import { TourGuide, parseTour, type Tour, type VerdictSummary } from "./tours.js";
import type { CatalogueEntry } from "./bpf-language.js";
import { BytecodePane } from "./bytecode.js";
import { ObjectOpener } from "./objects.js";
import {
  DiagnosticsPane,
  DisassemblyPane,
  SYNTAX_NAMES,
  VerifierPane,
  plural,
} from "./panes.js";
import type { AssembleResult, DebugAction, Instruction, Mode, Syntax, Verification } from "./api.js";
import {
  DEFAULTS,
  MAX_WORLD,
  TABS,
  badInputs,
  decode,
  forgetReplaced,
  linkFragment,
  recall,
  recallReplaced,
  remember,
  rememberReplaced,
  type Shared,
  type Tab,
} from "./share.js";

/** Delay after the last keystroke before assembling. */
const DEBOUNCE_MS = 200;

interface Example {
  file: string;
  title: string;
  syntax?: Syntax;
  /** The ctx bytes (hex) for the debugger: the input that takes the example's throwing path. */
  ctx?: string;
  /** Its guided tour, a file in static/examples (docs/tours.md). */
  tour?: string;
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

const editor = new Editor(byId("source"));
const syntaxSelect = byId<HTMLSelectElement>("syntax");
const modeSelect = byId<HTMLSelectElement>("mode");
const exampleSelect = byId<HTMLSelectElement>("example");
const status = byId("status");
const workspace = byId("workspace");
const navigate = (line: number, column?: number, endColumn?: number) =>
  editor.focusLocation(line, column, endColumn);

const diagnostics = new DiagnosticsPane(byId("diagnostics"), byId("diagnostics-count"), navigate);
const bytecode = new BytecodePane(
  byId("bytecode-pane"),
  byId<HTMLTableSectionElement>("bytecode-rows"),
  byId("bytecode-summary"),
  navigate,
);
/** The output tabs, in the order of `TABS` (source, log, verifier, debugger). */
const tabButtons = TABS.map((tab) => byId<HTMLButtonElement>(`tab-${tab}`));
const disassembly = new DisassemblyPane(
  byId("disassembly-pane"),
  tabButtons,
  byId("disasm-source"),
  byId("disasm-log"),
);

const verifier = new VerifierPane(
  byId("verdict"),
  new LogView(byId("verifier-log"), byId<HTMLInputElement>("log-search"), byId("log-search-status")),
  navigate,
);
const pcState = new StatePane(byId("pc-state"));

/** Embedded in a docs page (`?embed`): compact, the asked panes, nothing remembered. */
const embed = embedOptions(location.search);
if (embed !== null) {
  const root = document.documentElement;
  root.dataset["embed"] = "";
  if (embed.readonly) {
    root.dataset["readonly"] = "";
    editor.setReadOnly(true);
  }
  TABS.forEach((tab, i) => {
    const button = tabButtons[i] as HTMLButtonElement;
    button.hidden = !embed.panes.includes(tab);
  });
  const first = tabButtons[TABS.indexOf(embed.panes[0] as Tab)];
  if (first !== undefined) disassembly.select(first);
}

/** The embed's "Open in the playground" link: the program as it is now. */
function refreshOpenLink(): void {
  const open = byId<HTMLAnchorElement>("open-playground");
  void linkFragment(current()).then((link) => {
    if ("fragment" in link) open.href = `${location.pathname}#${link.fragment}`;
    else open.removeAttribute("href");
  });
}

/** The verification of `lastGood`'s source (null when there is none or it is stale). */
let verified: { result: AssembleResult; verification: Verification } | null = null;
let stateTimer: number | undefined;

/** The line under the cursor: its state in the Verifier tab, its log lines marked. */
function followCursor(): void {
  window.clearTimeout(stateTimer);
  stateTimer = window.setTimeout(() => {
    const line = editor.cursor().line;
    if (verified === null) {
      pcState.clear("The state shows once the program assembles and is verified.");
      return;
    }
    const { verification } = verified;
    const instructions = verifiedInstructions();
    verifier.highlightPcs(instructions.filter((i) => i.line === line).map((i) => i.pc));
    void pcState.show(line, instructions, (from, to) => verification.states(from, to), verification.frameDescriptors);
  }, 80);
}

/** The instructions the verification's pcs count: the source's, or after cleanup-v2's rewrite
 * the rewritten program's, each on the source line of the instruction it came from (original
 * pc p became pcs pcMap[p]..pcMap[p + 1]), so that states, log lines and descriptors, all by
 * the rewritten pcs, land on the right lines. */
function verifiedInstructions(): Instruction[] {
  if (verified === null) return [];
  const { result, verification } = verified;
  const rewrite = verification.rewrite;
  if (rewrite === null) return result.instructions;
  const out: Instruction[] = [];
  for (const insn of result.instructions) {
    const from = rewrite.pcMap[insn.pc] ?? insn.pc;
    const to = rewrite.pcMap[insn.pc + 1] ?? from + 1;
    for (let pc = from; pc < to; pc++) {
      const log = to - from === 1 ? `${pc}: ${insn.source}` : `${pc}: part of ${insn.source} as cleanup-v2 rewrote it`;
      out.push({ ...insn, pc, log: `${log} (pc ${insn.pc} before the rewrite)` });
    }
  }
  return out;
}

verifier.onLogLine((pc) => {
  const insn = verifiedInstructions().find((i) => i.pc === pc);
  if (insn !== undefined) navigate(insn.line, insn.column, insn.endColumn);
});

/** Source lines with a breakpoint (a click in the gutter toggles one). */
const breakpoints = new Set<number>();
editor.onGutterClick((line) => {
  if (!breakpoints.delete(line)) breakpoints.add(line);
  editor.setBreakpoints(breakpoints);
});

const ctxInput = byId<HTMLInputElement>("debug-ctx");
const worldInput = byId<HTMLTextAreaElement>("debug-world");
const unverifiedInput = byId<HTMLInputElement>("debug-unverified");
const budgetInput = byId<HTMLInputElement>("debug-budget");
budgetInput.value = String(DEFAULTS.budget);

const debuggerPane = new DebuggerPane(byId("debugger-panel"), {
  act(action) {
    void debug(action);
  },
  showLine: (line) => editor.showExecLine(line),
  navigate: (line, column) => navigate(line, column),
}, { remember: embed === null }); // an embed keeps its unwinding preferences for the visit only

/** The current verdict as the tour checks it (null while the program is being verified). */
let tourVerdict: VerdictSummary | null = null;

const tours = new TourGuide(
  {
    button: byId<HTMLButtonElement>("tour-open"),
    panel: byId("tour"),
    heading: byId("tour-heading"),
    counter: byId("tour-counter"),
    text: byId("tour-text"),
    status: byId("tour-status"),
    previous: byId<HTMLButtonElement>("tour-previous"),
    next: byId<HTMLButtonElement>("tour-next"),
    close: byId<HTMLButtonElement>("tour-close"),
  },
  {
    showLine: (line) => editor.showTourLine(line),
    lineOfPc: (pc) => lastGood?.instructions.find((i) => i.pc === pc)?.line ?? null,
    selectTab(tab) {
      const button = tabButtons[TABS.indexOf(tab)];
      if (button !== undefined && !button.hidden) disassembly.select(button);
    },
    mode: () => modeSelect.value as Mode,
    setMode(mode) {
      // Not an edit of the user's: the tour shows the example in another mode.
      modeSelect.value = mode;
      tourVerdict = null;
      void assembleNow();
    },
    verdict: () => tourVerdict,
  },
);
debuggerPane.onEventsOnScreen((events) => tours.eventsOnScreen(events));

disassembly.onSelect((panel) => {
  if (panel === "verifier-panel") verifier.shown();
  if (panel === "debugger-panel") debuggerPane.act("state");
  else editor.showExecLine(null);
});

/** The last result that produced a program: shown (dimmed) while the source has errors. */
let lastGood: AssembleResult | null = null;
let timer: number | undefined;

/** The package's client; its channel's calls supersede each other (typing fast never queues
 * stale work, and a long verification is cancelled by the next edit). */
const started: Promise<{ unwind: Unwind; channel: Channel }> = createUnwind().then(
  (unwind) => {
    byId("version").textContent = `unwind ${unwind.version}`;
    return { unwind, channel: unwind.channel() };
  },
);
started.catch((error: unknown) => {
  setBusy(false);
  setStatus(`Could not start the assembler: ${describe(error)}`, "error");
});

async function assembleNow(): Promise<void> {
  window.clearTimeout(timer);
  timer = undefined;
  setBusy(true);
  const { channel } = await started;
  const source = editor.text;
  const syntax = syntaxSelect.value as Syntax;
  if (dirty && embed === null) remember(current());
  const began = performance.now();
  try {
    const result = await channel.assemble(source, { syntax });
    const verdict = result.ok
      ? await channel.verify(source, {
          syntax,
          mode: modeSelect.value as Mode,
          logLevel: 2,
          onProgress: (p) =>
            setStatus(
              `Verifying… ${p.insnsProcessed.toLocaleString("en")} instructions processed (pc ${p.pc})`,
              "busy",
            ),
        })
      : null;
    show(result, verdict, performance.now() - began);
  } catch (error) {
    if (error instanceof UnwindError && error.code === "superseded") return;
    failed(error);
  }
}

function failed(error: unknown): void {
  setBusy(false);
  const message = describe(error);
  const trapped = error instanceof UnwindError && error.code === "trap";
  diagnostics.renderFailure(message);
  setStatus(trapped ? `Internal error, assembler restarted: ${message}` : `Error: ${message}`, "error");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The page's debugger: one session for one source and options, made anew when they change. */
let debugging: { key: string; serial: number; session: Promise<DebuggerSession>; breakpoints: string } | null =
  null;
let debugSerial = 0;

/** The debugger's options from the page's inputs, or why they are not right. */
function debugOptions(): VmOptions | string {
  const ctx = ctxInput.value.replace(/\s+/g, "");
  let world: Record<string, unknown> = {};
  const worldText = worldInput.value.trim();
  if (worldText !== "") {
    try {
      // Integers beyond 2^53 - 1 (a u64 seed, clock or cgroup id) as BigInts, exact, where the
      // engine gives the reviver the number's source text (Chromium 114+, Firefox 135+);
      // elsewhere they arrive rounded and the package refuses them by name.
      const exact = (_key: string, value: unknown, context?: { source?: string }): unknown =>
        typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? "")
          ? BigInt(context!.source!)
          : value;
      const parsed: unknown = JSON.parse(worldText, exact as (key: string, value: unknown) => unknown);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "The world must be a JSON object.";
      world = parsed as Record<string, unknown>;
    } catch (error) {
      // JSON.parse with a reviver recurses: thousands of nested brackets run out of stack.
      if (error instanceof RangeError) return "The world is nested too deeply to read (options nest at most 32 levels).";
      return `The world is not JSON: ${describe(error)}`;
    }
  }
  if (ctx !== "") world = { ...world, ctx };
  const budget = Number(budgetInput.value);
  const wrong = badInputs({ ctx: "", budget });
  if (wrong !== null) return `The instruction ${wrong.replace(/^the /, "")}.`;
  return {
    syntax: syntaxSelect.value as Syntax,
    mode: modeSelect.value as Mode,
    budget,
    ...(Object.keys(world).length === 0 ? {} : { world: world as NonNullable<VmOptions["world"]> }),
    ...(unverifiedInput.checked ? { unverified: true } : {}),
  };
}

async function debug(action: DebugAction): Promise<void> {
  const options = debugOptions();
  if (typeof options === "string") {
    debuggerPane.renderFailure(options, { input: true });
    return;
  }
  const source = editor.text;
  const key = JSON.stringify([source, options], (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  try {
    const { unwind } = await started;
    if (debugging === null || debugging.key !== key) {
      const old = debugging;
      debugging = { key, serial: ++debugSerial, session: unwind.debugger(source, options), breakpoints: "[]" };
      void old?.session.then((s) => s.close(), () => {});
    }
    const current = debugging;
    const session = await current.session;
    const wanted = JSON.stringify([...breakpoints].sort((a, b) => a - b));
    if (wanted !== current.breakpoints) {
      await session.setBreakpoints([...breakpoints]);
      current.breakpoints = wanted;
    }
    const step =
      action === "state"
        ? await session.refresh()
        : action === "back"
          ? await session.back(1)
          : await session[action]();
    if (debugging !== current) return; // the source changed meanwhile: that session draws
    debuggerPane.render({
      session: current.serial,
      stop: step.stop,
      state: session.state,
      events: session.events,
      eventsFrom: 0,
      descriptors: session.descriptors,
      lines: session.lines,
    });
  } catch (error) {
    debuggerPane.renderFailure(describe(error));
  }
}

function assembleSoon(): void {
  setBusy(true);
  window.clearTimeout(timer);
  timer = window.setTimeout(assembleOnEvent, DEBOUNCE_MS);
}

/** aria-busy on the workspace: true from an edit until its result is drawn. */
function setBusy(busy: boolean): void {
  workspace.setAttribute("aria-busy", String(busy));
}

/** Marked once, when the first result is drawn: the tests read it (time to first render). */
let firstResult = true;

function show(result: AssembleResult, verdict: Verification | null, elapsedMs: number): void {
  if (firstResult) {
    firstResult = false;
    requestAnimationFrame(() => performance.mark("unwind:first-result"));
  }
  setBusy(timer !== undefined); // still busy when an edit is waiting for its debounce
  if (result.ok) lastGood = result;
  const stale = !result.ok && lastGood !== null;
  const refusals = result.ok && verdict !== null && !verdict.accepted ? verdict.errors : [];
  diagnostics.render(result.diagnostics, refusals);
  editor.setDiagnostics([
    ...result.diagnostics.map((d) => ({ ...d, source: "assembler" as const })),
    ...refusals.map((e) => ({ line: e.line, column: e.column, message: `verifier: ${e.message} (pc ${e.pc})`, source: "verifier" as const })),
  ]);
  bytecode.render(lastGood, stale);
  bytecode.highlightLine(editor.cursor().line);
  disassembly.render(lastGood, stale);
  if (result.ok) verifier.render(verdict);
  if (embed !== null) refreshOpenLink();
  verified = result.ok && verdict !== null ? { result, verification: verdict } : null;
  tourVerdict =
    verified === null
      ? null
      : {
          mode: modeSelect.value as Mode,
          accepted: verified.verification.accepted,
          descriptorLines: verifiedInstructions()
            .filter((i) => verified!.verification.frameDescriptors.some((d) => d.pc === i.pc))
            .map((i) => i.line),
          error: verified.verification.errors[0]?.message ?? null,
        };
  tours.verified();
  followCursor();
  // The debugger follows the source and the mode: a new session when either changed.
  if (debuggerPane.visible) debuggerPane.act("state");
  const syntax = SYNTAX_NAMES[result.syntax] ?? result.syntax;
  const time = `${elapsedMs < 1 ? elapsedMs.toFixed(2) : elapsedMs.toFixed(0)} ms`;
  if (result.ok) {
    const verdictText =
      verdict === null ? "" : verdict.accepted ? " · verifier: accepted" : " · verifier: rejected";
    setStatus(
      `Assembled ${plural(result.instructions.length, "instruction")}${verdictText} · ${syntax} · ${time}`,
      verdict === null || verdict.accepted ? "ok" : "error",
    );
  } else {
    setStatus(`${plural(result.diagnostics.length, "error")} · ${syntax} · ${time}`, "error");
  }
}

function setStatus(text: string, kind: "ok" | "error" | "busy"): void {
  status.textContent = text;
  status.dataset["kind"] = kind;
}

/** The program and settings on the page now (what a link or the page's memory keeps). */
function current(): Shared {
  const open = tabButtons.findIndex((b) => b.getAttribute("aria-selected") === "true");
  return {
    program: editor.text,
    syntax: syntaxSelect.value as Syntax,
    mode: modeSelect.value as Mode,
    ctx: ctxInput.value,
    tab: TABS[Math.max(open, 0)] as Tab,
    world: worldInput.value,
    unverified: unverifiedInput.checked,
    budget: Number(budgetInput.value),
  };
}

/** Shows a program with its settings and assembles it. `edited`: it is the user's work (a
 * remembered or restored program), which an example loaded over it keeps; otherwise (a link)
 * it is someone else's, kept only once edited. */
function apply(shared: Shared, { edited }: { edited: boolean }): void {
  // A fresh debugger session, even for the same program and options (a restored program
  // starts from its beginning).
  const old = debugging;
  debugging = null;
  void old?.session.then((s) => s.close(), () => {});
  editor.setText(shared.program);
  tours.setTour(null);
  pristine = edited ? null : shared.program;
  dirty = edited;
  syntaxSelect.value = shared.syntax;
  modeSelect.value = shared.mode;
  ctxInput.value = shared.ctx;
  worldInput.value = shared.world;
  unverifiedInput.checked = shared.unverified;
  budgetInput.value = String(shared.budget);
  lastGood = null;
  breakpoints.clear();
  editor.setBreakpoints(breakpoints);
  const tab = tabButtons[TABS.indexOf(shared.tab)];
  if (tab !== undefined && !tab.hidden) disassembly.select(tab);
  void assembleNow();
}

/** The text of the example or link loaded last (null when the editor holds the user's own
 * program): any other text in the editor is an edit, which nothing may replace unasked. */
let pristine: string | null = null;
/** Edited since the last load: only then is the program remembered (opening a link or an
 * example must not overwrite the program the page keeps). */
let dirty = false;

/** Marks an edit: remembered from now on, and a link in the address bar no longer says what
 * the page shows (a reload would reopen the link over the edit), so it goes. */
function edited(): void {
  dirty = true;
  if (embed === null && location.hash !== "") history.replaceState(null, "", location.pathname + location.search);
}

const notice = byId("notice");
const noticeText = byId("notice-text");
const noticeAction = byId<HTMLButtonElement>("notice-action");
/** What dismissing the current notice also does (forget an offered edit). */
let onDismiss: (() => void) | null = null;
byId("notice-close").addEventListener("click", () => {
  notice.hidden = true;
  onDismiss?.();
  onDismiss = null;
  editor.focus(); // the focused button is gone: back to the program
});

/** A message about the page above the workspace, with at most one action button. */
function showNotice(
  text: string,
  kind: "info" | "error",
  action?: { label: string; run: () => void },
  dismissed: (() => void) | null = null,
): void {
  noticeText.textContent = text;
  notice.dataset["kind"] = kind;
  noticeAction.hidden = action === undefined;
  noticeAction.onclick = null;
  onDismiss = dismissed;
  if (action !== undefined) {
    noticeAction.textContent = action.label;
    noticeAction.onclick = () => {
      notice.hidden = true;
      onDismiss = null;
      action.run();
      editor.focus();
    };
  }
  notice.hidden = false;
}

/** The editor's program when it is the user's edit (not the example or link loaded last,
 * not empty), else null. */
function ownEdit(): Shared | null {
  return editor.text !== pristine && editor.text.trim() !== "" ? current() : null;
}

/** Before `what` replaces the user's program (`program`, default: the editor's, when it is
 * an edit), keeps it and offers it back. */
function keepBeforeReplacing(what: string, program: Shared | null = null): void {
  const replaced = program ?? ownEdit();
  if (replaced === null) return;
  // An embed keeps it for this visit only: it never touches the playground's storage.
  const kept = embed === null && rememberReplaced(replaced);
  const where = kept || embed !== null ? "" : " for this visit (the browser's storage is unavailable or full)";
  showNotice(
    `${what} Your edited program was kept${where}.`,
    "info",
    { label: "Restore my program", run: () => restore(replaced) },
    embed === null ? forgetReplaced : null,
  );
}

function restore(replaced: Shared): void {
  if (embed === null) forgetReplaced();
  apply(replaced, { edited: true });
}

let examples: Example[] = [];

async function loadExamples(): Promise<void> {
  try {
    const response = await fetch("static/examples/index.json");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    examples = (await response.json()) as Example[];
  } catch (error) {
    setBusy(false);
    setStatus(`Could not load the examples: ${String(error)}`, "error");
    return;
  }
  exampleSelect.replaceChildren(
    ...examples.map((example) => new Option(example.title, JSON.stringify(example))),
  );
  // A link wins; else what the page remembers (an embed remembers nothing); else the first
  // example.
  const remembered = embed === null ? recall() : null;
  if (await openLink(location.hash, remembered)) return;
  if (remembered !== null) apply(remembered, { edited: true });
  else if (examples[0] !== undefined) await loadExample(examples[0]);
  // An edit an example replaced in an earlier visit can still be brought back.
  const replaced = embed === null ? recallReplaced() : null;
  if (replaced !== null && replaced.program !== editor.text) {
    showNotice(
      "An example replaced your edited program last time.",
      "info",
      { label: "Restore my program", run: () => restore(replaced) },
      forgetReplaced,
    );
  }
}

/** Opens the share link in `fragment`: true when it was one (opened, or refused with a
 * message and the first example shown instead). What it replaces is kept: `mine`, the
 * program the page remembered (at start), or the editor's edit. */
async function openLink(fragment: string, mine: Shared | null): Promise<boolean> {
  const decoded = await decode(fragment);
  if (decoded.kind === "none") return false;
  // Opened or refused, the fragment has done its work: a reload shows what the page keeps.
  // An embed keeps its fragment: it is what the docs page asked for.
  if (embed === null) history.replaceState(null, "", location.pathname + location.search);
  if (decoded.kind === "ok") {
    if (mine === null || mine.program !== decoded.shared.program) keepBeforeReplacing("Opened a shared program.", mine);
    apply(decoded.shared, { edited: false });
    return true;
  }
  const message = `${decoded.message} The first example is shown instead; nothing from the link was used.`;
  const own = mine ?? ownEdit();
  if (examples[0] !== undefined) await loadExample(examples[0], { keep: false });
  if (own !== null) {
    showNotice(message, "error", { label: "Open my program", run: () => apply(own, { edited: true }) });
  } else {
    showNotice(message, "error");
  }
  return true;
}

async function loadExample(example: Example, { keep = true } = {}): Promise<void> {
  setBusy(true);
  setStatus(`Loading ${example.title}…`, "busy");
  let text: string;
  try {
    const response = await fetch(`static/examples/${example.file}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    setBusy(false);
    setStatus(`Could not load ${example.file}: ${String(error)}`, "error");
    return;
  }
  if (keep) keepBeforeReplacing(`Loaded “${example.title}”.`);
  objects.forget();
  editor.setText(text);
  pristine = text;
  dirty = false;
  exampleSelect.value = JSON.stringify(example);
  syntaxSelect.value = example.syntax ?? "auto";
  ctxInput.value = example.ctx ?? "";
  worldInput.value = DEFAULTS.world;
  unverifiedInput.checked = DEFAULTS.unverified;
  budgetInput.value = String(DEFAULTS.budget);
  lastGood = null;
  breakpoints.clear();
  editor.setBreakpoints(breakpoints);
  tours.setTour(null);
  void assembleNow();
  if (example.tour !== undefined && embed === null) void loadTour(example, example.tour);
}

/** Fetches and checks an example's tour: the Tour button appears when it is right; a
 * malformed one is named in a notice (the example itself works without it). */
async function loadTour(example: Example, file: string): Promise<void> {
  let outcome: { tour: Tour } | { problem: string };
  try {
    const response = await fetch(`static/examples/${file}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`not JSON: ${describe(error)}`);
    }
    outcome = parseTour(json);
  } catch (error) {
    outcome = { problem: describe(error) };
  }
  // Another example was chosen meanwhile: this tour is not its.
  if (exampleSelect.value !== JSON.stringify(example)) return;
  if ("tour" in outcome) tours.setTour(outcome.tour);
  else showNotice(`The tour of “${example.title}” cannot be shown (${file}: ${outcome.problem}).`, "error");
}

/** Copies the iframe markup that embeds this program (read-only, the Verifier and Debugger
 * tabs) in a docs page. */
async function copyEmbed(): Promise<void> {
  const link = await linkFragment(current());
  if ("problem" in link) {
    showNotice(`This program cannot be embedded: ${link.problem}.`, "error");
    return;
  }
  const snippet = embedSnippet(location.href, link.fragment, { panes: ["verifier", "debugger"], readonly: true });
  try {
    await navigator.clipboard.writeText(snippet);
    showNotice("The embed markup is in the clipboard (docs/embedding.md says how to change its panes).", "info");
  } catch {
    showNotice(`Embed markup: ${snippet}`, "info");
  }
}

async function share(): Promise<void> {
  const link = await linkFragment(current());
  if ("problem" in link) {
    showNotice(`This program cannot be shared as a link: ${link.problem}.`, "error");
    return;
  }
  history.replaceState(null, "", `#${link.fragment}`);
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    showNotice(`Link copied to the clipboard (${url.length.toLocaleString("en")} characters).`, "info");
  } catch {
    showNotice(`The link is in the address bar (${url.length.toLocaleString("en")} characters).`, "info");
  }
}

editor.onInput(() => {
  edited();
  assembleSoon();
});
editor.onCursor((cursor) => {
  byId("cursor").textContent = `Ln ${cursor.line}, Col ${cursor.column}`;
  bytecode.highlightLine(cursor.line);
  followCursor();
});
const assembleOnEvent = () => void assembleNow();
// A changed setting is an edit too (remembered; a link in the address bar goes).
for (const control of [syntaxSelect, modeSelect, ctxInput, worldInput, unverifiedInput, budgetInput]) {
  control.addEventListener("change", edited);
}
syntaxSelect.addEventListener("change", assembleOnEvent);
// New inputs are a new debugger session.
for (const input of [ctxInput, worldInput, unverifiedInput, budgetInput]) {
  input.addEventListener("change", () => {
    if (debuggerPane.visible) debuggerPane.act("state");
  });
}
modeSelect.addEventListener("change", assembleOnEvent);
/** "Open .o…" and files dropped on the page (web/objects.ts). */
const objects = new ObjectOpener(
  byId<HTMLButtonElement>("open-object"),
  byId<HTMLInputElement>("object-file"),
  byId("object-program-label"),
  byId<HTMLSelectElement>("object-program"),
  {
    unwind: () => started.then(({ unwind }) => unwind),
    notify: (text, kind) => showNotice(text, kind),
    load: (program, file) => {
      keepBeforeReplacing(`Opened ${program.name} of ${file}.`);
      // The object's .data and .rodata, as libbpf fills the maps: the world's starting maps.
      const world = JSON.stringify({ maps: program.worldMaps }, null, 2);
      const hasData = Object.keys(program.worldMaps).length > 0;
      const fits = world.length <= MAX_WORLD;
      apply(
        {
          ...current(),
          program: program.source ?? "",
          syntax: "auto",
          ctx: "",
          world: hasData && fits ? world : DEFAULTS.world,
          unverified: false,
          budget: DEFAULTS.budget,
        },
        { edited: false },
      );
      exampleSelect.selectedIndex = -1; // no example is shown: choosing any one loads it
      if (hasData && !fits) showNotice(`The initial data of ${file}'s global variables is over ${MAX_WORLD} characters as a world: the maps start zeroed.`, "info");
    },
  },
  document.body,
);

exampleSelect.addEventListener("change", () => {
  void loadExample(JSON.parse(exampleSelect.value) as Example);
});
byId("assemble").addEventListener("click", assembleOnEvent);
byId("share").addEventListener("click", () => void share());
byId("embed").addEventListener("click", () => void copyEmbed());
setUpView(byId<HTMLSelectElement>("theme"), byId<HTMLButtonElement>("present"));
setUpSplitters(embed === null); // an embed keeps its pane sizes for the visit only
// A link pasted into this tab's address bar.
window.addEventListener("hashchange", () => void openLink(location.hash, null));
document.addEventListener("keydown", (event) => {
  if (debuggerPane.key(event)) return;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void assembleNow();
  }
});

// The kernel functions for the editor's completion and hover help (without them the editor
// still works: it only has less to say).
void fetch("static/catalogue.json")
  .then((response) => (response.ok ? response.json() : []))
  .then((entries: CatalogueEntry[]) => editor.setCatalogue(entries), () => {});
bytecode.render(null, false);
disassembly.render(null, false);
verifier.render(null);
setStatus("Loading the assembler…", "busy");
void loadExamples();
