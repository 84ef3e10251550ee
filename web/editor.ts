// The source editor: CodeMirror 6 (bundled by esbuild, nothing from a CDN). Highlighting,
// completion and hover help come from bpf-language.ts; this class is the page's one seam to
// it: the text, the cursor, diagnostics (underlined, with the message, and marked in the
// gutter), breakpoints (a gutter of their own: a click or Ctrl/Cmd+B) and the line the debugger is
// at. Tab indents; Escape then Tab moves focus on (CodeMirror's own rule), so the editor is
// never a keyboard trap. CodeMirror draws only the visible lines: a 100,000-line paste stays
// fast.

import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { bracketMatching, indentUnit } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { closeBrackets, completionKeymap } from "@codemirror/autocomplete";
import {
  Compartment,
  EditorState,
  RangeSet,
  StateEffect,
  StateField,
  type Extension,
  type Text,
} from "@codemirror/state";
import {
  Decoration,
  EditorView,
  GutterMarker,
  drawSelection,
  gutter,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  type DecorationSet,
} from "@codemirror/view";
import { bpfAssemblySupport, type CatalogueEntry } from "./bpf-language.js";

export interface Cursor {
  line: number;
  column: number;
}

/** A problem to show in the text: the assembler's (line, columns) or the verifier's (the
 * refused instruction's place). Lines and columns are 1-based, columns in characters. */
export interface EditorDiagnostic {
  line: number;
  column: number;
  endColumn?: number;
  message: string;
  source: "assembler" | "verifier";
}

/** A gutter mark: one character in a span of its own class. */
class TextMarker extends GutterMarker {
  constructor(
    private readonly text: string,
    private readonly className: string,
  ) {
    super();
  }

  override eq(other: GutterMarker): boolean {
    return other instanceof TextMarker && other.text === this.text && other.className === this.className;
  }

  override toDOM(): Node {
    const span = document.createElement("span");
    span.className = this.className;
    span.textContent = this.text;
    return span;
  }
}
const breakpointMarker = new TextMarker("●", "cm-breakpoint-dot");
/** Keeps the breakpoint gutter as wide as a dot when there is none. */
const spacerMarker = new TextMarker("●", "cm-breakpoint-spacer");
const execMarker = new TextMarker("▶", "cm-exec-arrow");

/** Breakpoints as line starts; they follow the text as it is edited. */
const setBreakpointLines = StateEffect.define<number[]>();
const breakpointField = StateField.define<RangeSet<GutterMarker>>({
  create: () => RangeSet.empty,
  update(set, tr) {
    set = set.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setBreakpointLines)) continue;
      const doc = tr.state.doc;
      const starts = effect.value.filter((n) => n >= 1 && n <= doc.lines).map((n) => doc.line(n).from);
      set = RangeSet.of([...new Set(starts)].sort((a, b) => a - b).map((from) => breakpointMarker.range(from)));
    }
    return set;
  },
});

/** The debugger's line: a band on the line and an arrow in the breakpoint gutter. */
const setExecLine = StateEffect.define<number>();
const execField = StateField.define<number>({
  create: () => 0,
  update(line, tr) {
    for (const effect of tr.effects) if (effect.is(setExecLine)) line = effect.value;
    return line > tr.state.doc.lines ? 0 : line;
  },
  provide: (field) => [
    EditorView.decorations.compute(["doc", field], (state): DecorationSet => {
      const line = state.field(field);
      if (line === 0) return Decoration.none;
      return Decoration.set([Decoration.line({ class: "cm-exec-line" }).range(state.doc.line(line).from)]);
    }),
  ],
});

/** A guided tour's line (web/tours.ts): a band of its own, apart from the debugger's line and
 * the selection, so that showing it never moves the caret or the focus. */
const setTourLine = StateEffect.define<number>();
const tourField = StateField.define<number>({
  create: () => 0,
  update(line, tr) {
    for (const effect of tr.effects) if (effect.is(setTourLine)) line = effect.value;
    return line > tr.state.doc.lines ? 0 : line;
  },
  provide: (field) => [
    EditorView.decorations.compute(["doc", field], (state): DecorationSet => {
      const line = state.field(field);
      if (line === 0) return Decoration.none;
      return Decoration.set([Decoration.line({ class: "cm-tour-line" }).range(state.doc.line(line).from)]);
    }),
  ],
});

/** The (0-based) UTF-16 offset in `text` of 1-based character column `column`. */
function columnOffset(text: string, column: number): number {
  let offset = 0;
  let col = 1;
  for (const ch of text) {
    if (col >= column) break;
    offset += ch.length;
    col++;
  }
  return offset;
}

export class Editor {
  readonly view: EditorView;
  private readonly readOnly = new Compartment();
  private readonly inputListeners: Array<() => void> = [];
  private readonly cursorListeners: Array<(cursor: Cursor) => void> = [];
  private readonly gutterListeners: Array<(line: number) => void> = [];
  /** Set while the page replaces the text (not an edit of the user's). */
  private replacing = false;
  private catalogue: readonly CatalogueEntry[] = [];
  private readonly extensions: Extension[];
  private isReadOnly = false;

  constructor(readonly host: HTMLElement) {
    const label = host.getAttribute("aria-labelledby");
    const described = host.getAttribute("aria-describedby");
    const contentAttributes: Record<string, string> = {
      spellcheck: "false",
      autocapitalize: "off",
      autocorrect: "off",
      "aria-multiline": "true",
      // Explicit, so that checkers (axe) see the scroller's focusable content.
      tabindex: "0",
    };
    if (label !== null) contentAttributes["aria-labelledby"] = label;
    if (described !== null) contentAttributes["aria-describedby"] = described;
    this.extensions = [
      gutter({
        class: "cm-breakpoint-gutter",
        markers: (view) => view.state.field(breakpointField),
        lineMarker: (view, line) => (view.state.doc.lineAt(line.from).number === view.state.field(execField) ? execMarker : null),
        lineMarkerChange: (update) => update.startState.field(execField) !== update.state.field(execField),
        initialSpacer: () => spacerMarker,
        domEventHandlers: {
          mousedown: (view, line) => {
            this.gutterClicked(view.state.doc.lineAt(line.from).number);
            return true;
          },
        },
      }),
      lineNumbers({
        domEventHandlers: {
          mousedown: (view, line) => {
            this.gutterClicked(view.state.doc.lineAt(line.from).number);
            return true;
          },
        },
      }),
      lintGutter(),
      breakpointField,
      execField,
      tourField,
      highlightActiveLineGutter(),
      highlightActiveLine(),
      history(),
      drawSelection(),
      bracketMatching(),
      closeBrackets(),
      search({ top: true }),
      highlightSelectionMatches(),
      indentUnit.of("\t"),
      EditorState.tabSize.of(8),
      bpfAssemblySupport(() => this.catalogue),
      keymap.of([
        { key: "Tab", run: indentMore, shift: indentLess },
        // Ctrl/Cmd+Enter assembles (the page's shortcut), it does not insert a line.
        { key: "Mod-Enter", run: () => true },
        // As in Chrome DevTools (whose F8-F11 the debugger uses): Ctrl/Cmd+B toggles a breakpoint.
        { key: "Mod-b", run: () => (this.gutterClicked(this.cursor().line), true) },
        ...completionKeymap,
        ...searchKeymap,
        ...historyKeymap,
        ...defaultKeymap,
      ]),
      EditorView.contentAttributes.of(contentAttributes),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && !this.replacing) for (const listener of this.inputListeners) listener();
        if (update.docChanged || update.selectionSet) {
          const cursor = this.cursor();
          for (const listener of this.cursorListeners) listener(cursor);
        }
        if (update.transactions.some((tr) => tr.effects.some((e) => e.is(setExecLine)))) {
          host.dataset["execLine"] = String(update.state.field(execField));
        }
      }),
    ];
    this.view = new EditorView({ parent: host, state: this.newState("") });
    host.dataset["execLine"] = "0";
    // Scripts (and the tests) read and set the program, the selection and the focus as they
    // would a textarea's: value, selectionStart/End (UTF-16 offsets), setSelectionRange, focus.
    Object.defineProperties(host, {
      value: { get: () => this.text, set: (text: string) => this.setText(text) },
      selectionStart: { get: () => this.view.state.selection.main.from },
      selectionEnd: { get: () => this.view.state.selection.main.to },
      setSelectionRange: {
        value: (anchor: number, head: number) => {
          const length = this.view.state.doc.length;
          const clamp = (n: number) => Math.min(Math.max(n, 0), length);
          this.view.dispatch({
            selection: { anchor: clamp(anchor), head: clamp(head) },
            effects: EditorView.scrollIntoView(clamp(head), { y: "nearest" }),
          });
        },
      },
      focus: { value: () => this.view.focus() },
    });
  }

  /** The kernel functions for completion and hover help (static/catalogue.json). */
  setCatalogue(entries: readonly CatalogueEntry[]): void {
    this.catalogue = entries;
  }

  /** Calls `listener` with the line number clicked in the gutter (or Ctrl/Cmd+B on the cursor line). */
  onGutterClick(listener: (line: number) => void): void {
    this.gutterListeners.push(listener);
  }

  private gutterClicked(line: number): void {
    for (const listener of this.gutterListeners) listener(line);
  }

  /** The lines to mark with a breakpoint dot. */
  setBreakpoints(lines: ReadonlySet<number>): void {
    this.view.dispatch({ effects: setBreakpointLines.of([...lines]) });
    this.host.dataset["breakpoints"] = [...lines].sort((a, b) => a - b).join(" ");
  }

  /** Highlights the line the debugger is at (null: none) and scrolls it into view. */
  showExecLine(line: number | null): void {
    const next = line === null || line > this.view.state.doc.lines ? 0 : line;
    if (next === this.view.state.field(execField)) return;
    const effects: StateEffect<unknown>[] = [setExecLine.of(next)];
    if (next > 0) effects.push(EditorView.scrollIntoView(this.view.state.doc.line(next).from, { y: "nearest", yMargin: 60 }));
    this.view.dispatch({ effects });
  }

  /** Marks the line a tour step is about (null: none) and scrolls it into view, leaving the
   * caret and the focus where they are. */
  showTourLine(line: number | null): void {
    const next = line === null || line < 1 || line > this.view.state.doc.lines ? 0 : line;
    this.host.dataset["tourLine"] = String(next);
    const effects: StateEffect<unknown>[] = [setTourLine.of(next)];
    if (next > 0) effects.push(EditorView.scrollIntoView(this.view.state.doc.line(next).from, { y: "center" }));
    this.view.dispatch({ effects });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  get doc(): Text {
    return this.view.state.doc;
  }

  /** Replaces the whole text (loading an example or a link); the caret goes to the start and
   * the undo history starts afresh. Not an edit: `onInput` listeners are not called. */
  setText(text: string): void {
    this.replacing = true;
    try {
      this.view.setState(this.newState(text));
      this.host.dataset["execLine"] = "0";
      this.host.dataset["tourLine"] = "0";
    } finally {
      this.replacing = false;
    }
  }

  private newState(doc: string): EditorState {
    return EditorState.create({
      doc,
      extensions: [this.extensions, this.readOnly.of(EditorState.readOnly.of(this.isReadOnly))],
    });
  }

  /** Read-only (an embed): the text can be read, selected and searched, never changed. */
  setReadOnly(on: boolean): void {
    this.isReadOnly = on;
    this.view.dispatch({ effects: this.readOnly.reconfigure(EditorState.readOnly.of(on)) });
  }

  focus(): void {
    this.view.focus();
  }

  onInput(listener: () => void): void {
    this.inputListeners.push(listener);
  }

  onCursor(listener: (cursor: Cursor) => void): void {
    this.cursorListeners.push(listener);
  }

  /** Shows `diagnostics` underlined in the text with their messages, marked in the gutter. */
  setDiagnostics(diagnostics: readonly EditorDiagnostic[]): void {
    const doc = this.view.state.doc;
    const marks: LintDiagnostic[] = [];
    for (const d of diagnostics) {
      if (d.line < 1 || d.line > doc.lines) continue;
      const line = doc.line(d.line);
      let from = line.from + columnOffset(line.text, d.column);
      let to = d.endColumn === undefined ? line.to : line.from + columnOffset(line.text, d.endColumn);
      if (d.source === "verifier") {
        // The refused instruction: the whole statement, without leading blanks or a comment.
        const code = line.text.replace(/\s*(\/\/|#|;).*$/, "");
        from = line.from + (code.length - code.trimStart().length);
        to = line.from + code.length;
      }
      if (to <= from) to = Math.min(line.to, from + 1);
      if (to <= from && from > line.from) from--;
      marks.push({ from, to, severity: "error", source: d.source, message: d.message });
    }
    this.view.dispatch(setDiagnostics(this.view.state, marks));
  }

  /**
   * Focuses the editor and selects `line`, from `column` to `endColumn` (1-based, counted in
   * characters like the assembler's diagnostics), scrolling it into view.
   */
  focusLocation(line: number, column = 1, endColumn = column): void {
    const doc = this.view.state.doc;
    const target = doc.line(Math.min(Math.max(line, 1), doc.lines));
    const anchor = target.from + columnOffset(target.text, column);
    const head = target.from + columnOffset(target.text, Math.max(endColumn, column));
    this.view.dispatch({
      selection: { anchor, head },
      effects: EditorView.scrollIntoView(anchor, { y: "center" }),
    });
    this.view.focus();
  }

  cursor(): Cursor {
    const state = this.view.state;
    const head = state.selection.main.head;
    const line = state.doc.lineAt(head);
    return { line: line.number, column: Array.from(line.text.slice(0, head - line.from)).length + 1 };
  }
}
