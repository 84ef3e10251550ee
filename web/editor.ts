// The source editor: a plain <textarea> (keyboard and screen-reader friendly) with a line-number
// gutter that marks lines with errors. Tab indents; Escape then Tab moves focus on, so the
// editor is never a keyboard trap.

const INDENT = "    ";

export interface Cursor {
  line: number;
  column: number;
}

export class Editor {
  private escaped = false;
  private lineCount = 0;
  private errorLines = new Set<number>();
  private currentLine = 0;
  /** The line the debugger is at (0: none), drawn as a band behind the text. */
  private execLine = 0;
  private readonly execBand: HTMLElement;
  /** Lines with a breakpoint (the debugger's Run stops there). */
  private breakpoints = new Set<number>();
  private readonly cursorListeners: Array<(cursor: Cursor) => void> = [];

  constructor(
    readonly textarea: HTMLTextAreaElement,
    private readonly gutter: HTMLElement,
  ) {
    textarea.addEventListener("input", () => this.refresh());
    textarea.addEventListener("scroll", () => this.syncScroll());
    textarea.addEventListener("keydown", (event) => this.keydown(event));
    for (const type of ["keyup", "click", "focus", "select"]) {
      textarea.addEventListener(type, () => this.cursorMoved());
    }
    this.execBand = document.createElement("div");
    this.execBand.className = "exec-line";
    this.execBand.hidden = true;
    this.execBand.setAttribute("aria-hidden", "true");
    textarea.before(this.execBand);
    new ResizeObserver(() => this.placeExecBand()).observe(textarea);
    this.refresh();
  }

  /** Calls `listener` with the line number clicked in the gutter. */
  onGutterClick(listener: (line: number) => void): void {
    this.gutter.addEventListener("click", (event) => {
      const target = event.target as HTMLElement;
      const line = Number(target.dataset["line"]);
      if (line > 0) listener(line);
    });
  }

  /** The lines to mark with a breakpoint dot. */
  setBreakpoints(lines: ReadonlySet<number>): void {
    this.breakpoints = new Set(lines);
    this.renderGutter();
  }

  /** Highlights the line the debugger is at (null: none) and scrolls it into view. */
  showExecLine(line: number | null): void {
    const next = line ?? 0;
    const changed = next !== this.execLine;
    this.gutter.children[this.execLine - 1]?.classList.remove("is-exec");
    this.execLine = next;
    this.gutter.children[this.execLine - 1]?.classList.add("is-exec");
    this.textarea.dataset["execLine"] = String(next);
    if (changed && next > 0) {
      const lineHeight = this.lineHeight();
      const top = (next - 1) * lineHeight;
      const view = this.textarea.clientHeight;
      if (top < this.textarea.scrollTop || top + lineHeight * 2 > this.textarea.scrollTop + view) {
        this.textarea.scrollTop = Math.max(0, top - view / 3);
      }
    }
    this.placeExecBand();
  }

  private lineHeight(): number {
    return parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
  }

  private placeExecBand(): void {
    const band = this.execBand;
    if (this.execLine === 0) {
      band.hidden = true;
      return;
    }
    const style = getComputedStyle(this.textarea);
    const lineHeight = this.lineHeight();
    const top =
      this.textarea.offsetTop +
      parseFloat(style.paddingTop) +
      (this.execLine - 1) * lineHeight -
      this.textarea.scrollTop;
    band.hidden = top + lineHeight < this.textarea.offsetTop || top > this.textarea.offsetTop + this.textarea.clientHeight;
    band.style.top = `${top}px`;
    band.style.height = `${lineHeight}px`;
    band.style.left = `${this.textarea.offsetLeft}px`;
    band.style.width = `${this.textarea.clientWidth}px`;
  }

  get text(): string {
    return this.textarea.value;
  }

  /** Replaces the whole text (loading an example); the caret goes to the start. */
  setText(text: string): void {
    this.textarea.value = text;
    this.textarea.setSelectionRange(0, 0);
    this.textarea.scrollTop = 0;
    this.refresh();
  }

  onInput(listener: () => void): void {
    this.textarea.addEventListener("input", listener);
  }

  onCursor(listener: (cursor: Cursor) => void): void {
    this.cursorListeners.push(listener);
  }

  /** Lines (1-based) to mark in the gutter as having errors. */
  markErrors(lines: Iterable<number>): void {
    this.errorLines = new Set(lines);
    this.renderGutter();
  }

  /**
   * Focuses the editor and selects `line`, from `column` to `endColumn` (1-based, counted in
   * characters like the assembler's diagnostics), scrolling it into view.
   */
  focusLocation(line: number, column = 1, endColumn = column): void {
    const lines = this.text.split("\n");
    const index = Math.min(Math.max(line, 1), lines.length) - 1;
    let offset = 0;
    for (let i = 0; i < index; i++) offset += lines[i]!.length + 1;
    const chars = Array.from(lines[index] ?? "");
    const toUnits = (col: number) =>
      chars.slice(0, Math.min(Math.max(col - 1, 0), chars.length)).join("").length;
    const start = offset + toUnits(column);
    const end = offset + toUnits(Math.max(endColumn, column));
    this.textarea.focus({ preventScroll: true });
    this.textarea.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
    const top = index * lineHeight;
    const view = this.textarea.clientHeight;
    if (top < this.textarea.scrollTop || top + lineHeight > this.textarea.scrollTop + view) {
      this.textarea.scrollTop = Math.max(0, top - view / 3);
    }
    this.cursorMoved();
  }

  cursor(): Cursor {
    const before = this.text.slice(0, this.textarea.selectionStart);
    const lineStart = before.lastIndexOf("\n") + 1;
    return {
      line: before.split("\n").length,
      column: Array.from(before.slice(lineStart)).length + 1,
    };
  }

  private keydown(event: KeyboardEvent): void {
    const escaped = this.escaped;
    this.escaped = event.key === "Escape";
    // Read-only (an embed): Tab moves focus on, as in any field; nothing may change the text.
    if (this.textarea.readOnly) return;
    if (event.key !== "Tab" || escaped || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    if (event.shiftKey) {
      this.outdent();
    } else {
      this.insert(INDENT);
    }
  }

  /** Inserts text at the caret as typing would (undoable where the browser allows it). */
  private insert(text: string): void {
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand("insertText", false, text)) {
      this.textarea.setRangeText(text, this.textarea.selectionStart, this.textarea.selectionEnd, "end");
      this.textarea.dispatchEvent(new Event("input"));
    }
  }

  /** Shift-Tab: removes up to one indent before the caret's line. */
  private outdent(): void {
    const { selectionStart } = this.textarea;
    const lineStart = this.text.lastIndexOf("\n", selectionStart - 1) + 1;
    const spaces = /^ {1,4}|^\t/.exec(this.text.slice(lineStart))?.[0].length ?? 0;
    if (spaces === 0) return;
    this.textarea.setSelectionRange(lineStart, lineStart + spaces);
    if (!document.execCommand("delete")) {
      this.textarea.setRangeText("", lineStart, lineStart + spaces, "start");
      this.textarea.dispatchEvent(new Event("input"));
    }
  }

  private refresh(): void {
    const count = this.text.split("\n").length;
    if (count !== this.lineCount) {
      this.lineCount = count;
      this.renderGutter();
    }
    this.syncScroll();
  }

  private renderGutter(): void {
    const fragment = document.createDocumentFragment();
    for (let line = 1; line <= this.lineCount; line++) {
      const div = document.createElement("div");
      div.textContent = String(line);
      div.dataset["line"] = String(line);
      if (this.breakpoints.has(line)) div.classList.add("has-breakpoint");
      if (this.errorLines.has(line)) div.className = "has-error";
      if (line === this.currentLine) div.classList.add("is-current");
      if (line === this.execLine) div.classList.add("is-exec");
      fragment.append(div);
    }
    this.gutter.replaceChildren(fragment);
    this.syncScroll();
  }

  private syncScroll(): void {
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.placeExecBand();
  }

  private cursorMoved(): void {
    const cursor = this.cursor();
    if (cursor.line !== this.currentLine) {
      this.gutter.children[this.currentLine - 1]?.classList.remove("is-current");
      this.currentLine = cursor.line;
      this.gutter.children[this.currentLine - 1]?.classList.add("is-current");
    }
    for (const listener of this.cursorListeners) listener(cursor);
  }
}
