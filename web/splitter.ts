// Resizable panes: a splitter between two parts of a layout, as the WAI-ARIA window splitter
// pattern has it: a focusable `role="separator"` whose value is the first part's share (in
// per cent) of the room the two parts have. A pointer drags it (with pointer capture); the
// arrow keys move it by steps (Shift: bigger steps), Home and End to its limits; Enter or a
// double click resets it to the page's own layout. The limits keep each part above its
// minimum size (measured in pixels, so that no pane collapses or clips its tabs). The sizes
// the user chose are remembered in local storage (`unwind.panes.v1`), except in an embed.
//
// The splitter measures the layout only when it is used or the window is resized, never while
// its parts are hidden.

const STORAGE_KEY = "unwind.panes.v1";

type Sizes = Record<string, number>;

function loadSizes(): Sizes {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") as unknown;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {};
    const sizes: Sizes = {};
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value === "number" && Number.isFinite(value) && value > 0 && value < 1) sizes[name] = value;
    }
    return sizes;
  } catch {
    return {};
  }
}

function saveSize(name: string, fraction: number | null): void {
  try {
    const sizes = loadSizes();
    if (fraction === null) delete sizes[name];
    else sizes[name] = fraction;
    if (Object.keys(sizes).length === 0) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, JSON.stringify(sizes));
  } catch {
    // Unavailable: the size lasts for this visit only.
  }
}

export interface SplitterOptions {
  /** Its name in the remembered sizes. */
  name: string;
  /** The separator element (index.html gives it its role, label and aria-controls). */
  separator: HTMLElement;
  /** The parts before and after it. */
  before: HTMLElement;
  after: HTMLElement;
  /** "vertical": a vertical line between a left and a right part; "horizontal": between a
   * top and a bottom part (as aria-orientation says). */
  orientation: "vertical" | "horizontal";
  /** The smallest sizes of the parts, in pixels (read when it is used). */
  minBefore: () => number;
  minAfter: () => number;
  /** Lays the parts out: the first part's share of their room (`room` pixels, 0 when they
   * are hidden), or null for the page's own layout. */
  apply: (fraction: number | null, room: number) => void;
  /** Remember the chosen size (not in an embed). */
  remember: boolean;
}

/** One arrow key press moves the separator this share of the room (Shift: STEP_BIG). */
const STEP = 0.02;
const STEP_BIG = 0.1;

export class Splitter {
  private fraction: number | null = null;

  constructor(private readonly options: SplitterOptions) {
    const { separator, orientation, remember, name } = options;
    separator.setAttribute("role", "separator");
    separator.setAttribute("aria-orientation", orientation);
    separator.tabIndex = 0;
    if (remember) {
      const stored = loadSizes()[name];
      if (stored !== undefined) this.fraction = stored;
    }
    options.apply(this.fraction, this.measure().room);
    separator.addEventListener("keydown", (event) => this.key(event));
    separator.addEventListener("pointerdown", (event) => this.drag(event));
    separator.addEventListener("dblclick", () => this.reset());
    // Its value follows the layout (a tab that widens a column, a resized window).
    separator.addEventListener("focus", () => this.refresh());
    separator.addEventListener("pointerenter", () => this.refresh());
    const observer = new ResizeObserver(() => this.refresh());
    observer.observe(options.before);
    observer.observe(options.after);
    this.refresh();
  }

  private get vertical(): boolean {
    return this.options.orientation === "vertical";
  }

  private size(element: HTMLElement): number {
    const box = element.getBoundingClientRect();
    return this.vertical ? box.width : box.height;
  }

  /** The room of the two parts in pixels (0 while hidden), and the limits of the share. */
  private measure(): { room: number; min: number; max: number } {
    const room = this.size(this.options.before) + this.size(this.options.after);
    if (room <= 0) return { room: 0, min: 0, max: 1 };
    const min = Math.min(0.5, this.options.minBefore() / room);
    const max = Math.max(0.5, 1 - this.options.minAfter() / room);
    return { room, min, max };
  }

  /** The share of the first part now. */
  private current(room: number): number {
    return room > 0 ? this.size(this.options.before) / room : 0.5;
  }

  /** Updates aria-valuenow/min/max from the layout; keeps a chosen share within the limits
   * of the room there is now. */
  refresh(): void {
    const { room, min, max } = this.measure();
    if (room <= 0) return;
    if (this.fraction !== null) {
      // Within the limits of this window size (the remembered share stays what the user
      // chose), in the room there is now.
      this.options.apply(Math.min(max, Math.max(min, this.fraction)), room);
    }
    const { separator } = this.options;
    separator.setAttribute("aria-valuemin", String(Math.round(min * 100)));
    separator.setAttribute("aria-valuemax", String(Math.round(max * 100)));
    separator.setAttribute("aria-valuenow", String(Math.round(this.current(room) * 100)));
  }

  /** Sets the first part's share (clamped to the limits), lays it out and remembers it. */
  set(fraction: number): void {
    const { room, min, max } = this.measure();
    if (room <= 0) return;
    this.fraction = Math.min(max, Math.max(min, fraction));
    this.options.apply(this.fraction, room);
    if (this.options.remember) saveSize(this.options.name, this.fraction);
    this.refresh();
  }

  /** Back to the page's own layout. */
  reset(): void {
    this.fraction = null;
    this.options.apply(null, 0);
    if (this.options.remember) saveSize(this.options.name, null);
    this.refresh();
  }

  private key(event: KeyboardEvent): void {
    const { room, min, max } = this.measure();
    if (room <= 0) return;
    const now = Math.min(max, Math.max(min, this.fraction ?? this.current(room)));
    const step = event.shiftKey ? STEP_BIG : STEP;
    const [less, more] = this.vertical ? ["ArrowLeft", "ArrowRight"] : ["ArrowUp", "ArrowDown"];
    let next: number | null;
    switch (event.key) {
      case less:
        next = now - step;
        break;
      case more:
        next = now + step;
        break;
      case "Home":
        next = min;
        break;
      case "End":
        next = max;
        break;
      case "Enter":
        event.preventDefault();
        this.reset();
        return;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    this.set(next);
  }

  private drag(event: PointerEvent): void {
    if (event.button !== 0) return;
    const { separator, before } = this.options;
    const { room } = this.measure();
    if (room <= 0) return;
    event.preventDefault(); // no text selection while dragging
    separator.setPointerCapture(event.pointerId);
    separator.dataset["dragging"] = "";
    // The first part's edge stays put; the pointer's distance from it is its new size, less
    // where in the separator the pointer took hold of it.
    const start = before.getBoundingClientRect();
    const origin = this.vertical ? start.left : start.top;
    const grip = (this.vertical ? event.clientX : event.clientY) - (origin + this.size(before));
    const move = (e: PointerEvent) => {
      const at = (this.vertical ? e.clientX : e.clientY) - origin - grip;
      this.set(at / room);
    };
    const end = (e: PointerEvent) => {
      separator.removeEventListener("pointermove", move);
      separator.removeEventListener("pointerup", end);
      separator.removeEventListener("pointercancel", end);
      if (separator.hasPointerCapture(e.pointerId)) separator.releasePointerCapture(e.pointerId);
      delete separator.dataset["dragging"];
    };
    separator.addEventListener("pointermove", move);
    separator.addEventListener("pointerup", end);
    separator.addEventListener("pointercancel", end);
  }
}

/** The page's body font size in pixels (the presentation size and embeds change it). */
function em(element: Element = document.body): number {
  return parseFloat(getComputedStyle(element).fontSize) || 16;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

/** The page's splitters: the program column against the output column, and in the Verifier
 * tab the state at the cursor against the log. The style sheet reads the shares from custom
 * properties (`--split-before`, `--split-after`) and `data-split` on their container, so that
 * the phone layout, which stacks the panes and hides the separators, stays its own. */
export function setUpSplitters(remember: boolean): Splitter[] {
  const workspace = byId("workspace");
  const main = new Splitter({
    name: "main",
    separator: byId("split-main"),
    before: byId("column-program"),
    after: byId("column-output"),
    orientation: "vertical",
    // The editor keeps its gutters and a few words; the output column its tab row and the
    // debugger's buttons on a few lines.
    minBefore: () => 16 * em(),
    minAfter: () => 22 * em(),
    apply: (fraction) => share(workspace, fraction === null ? null : [`${fraction.toFixed(4)}fr`, `${(1 - fraction).toFixed(4)}fr`]),
    remember,
  });
  const panel = byId("verifier-panel");
  const log = byId("verifier-log");
  const state = new Splitter({
    name: "state",
    separator: byId("split-state"),
    before: byId("pc-state"),
    after: log,
    orientation: "horizontal",
    minBefore: () => 3 * em(),
    minAfter: () => parseFloat(getComputedStyle(log).minHeight) || 6 * em(),
    // In pixels (the state's padding would skew flex ratios), refreshed as the room changes.
    apply: (fraction, room) => {
      if (fraction === null) share(panel, null);
      else if (room > 0) share(panel, [`${Math.round(fraction * room)}px`, `${Math.round((1 - fraction) * room)}px`]);
    },
    remember,
  });
  return [main, state];
}

/** Sets (or with null clears) the two parts' sizes on their container. */
function share(container: HTMLElement, sizes: [string, string] | null): void {
  if (sizes === null) {
    delete container.dataset["split"];
    container.style.removeProperty("--split-before");
    container.style.removeProperty("--split-after");
    return;
  }
  container.dataset["split"] = "";
  container.style.setProperty("--split-before", sizes[0]);
  container.style.setProperty("--split-after", sizes[1]);
}
