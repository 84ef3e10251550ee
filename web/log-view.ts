// The Verifier tab's log: a virtualised view over the whole log (a level-2 log at the
// 1,000,000-instruction limit has millions of lines). Only the rows in view, and a few either
// side, are in the DOM; a spacer gives the scrollbar the whole log's height; lines are fetched
// from the worker in chunks as they come into view, and searched there.

import type { LogMatches, VerifierLog } from "./api.js";
import { element } from "./panes.js";

/** Lines per request to the worker, and how many such chunks stay cached (least recently
 * used dropped first): 64 × 500 lines is far more than a screen, far less than a huge log. */
const CHUNK_LINES = 500;
const CACHED_CHUNKS = 64;
/** Requests in flight at once: the worker answers in order, so a fast scroll must not queue
 * chunks that are out of view by the time their turn comes. */
const PARALLEL_FETCHES = 2;
/** Rows drawn above and below the visible ones (what a small scroll shows at once). */
const OVERSCAN_ROWS = 40;
/** The tallest spacer: browsers cap an element's height (Firefox near 17.9M px, Chromium
 * near 33.5M); a taller log maps its rows onto this many pixels of scrolling. */
const MAX_SCROLL_PX = 15_000_000;
/** At most this many matches are listed (the worker says when there are more). */
const SEARCH_LIMIT = 10_000;
/** Typing waits this long before searching (Enter searches at once). */
const SEARCH_DEBOUNCE_MS = 150;
/** A log line that starts with its pc (`12: (bf) r6 = r1`, `12: R0=...`) leads to it. */
const PC_LINE = /^(\d+): /;

export class LogView {
  private log: VerifierLog | null = null;
  /** Bumped by every new log: answers for an older one are dropped. */
  private generation = 0;
  private readonly chunks = new Map<number, string[]>();
  private readonly fetching = new Set<number>();
  private readonly failedChunks = new Set<number>();
  private rowHeight = 0;
  /** Where the view was at the last drawing: its height, its top in log pixels, at the end, the scroll. */
  private placeView = 0;
  private placeTop = 0;
  private placeAtEnd = false;
  private placeScroll = 0;
  /** The rows in the DOM, by line number, and the range they cover. */
  private rendered = new Map<number, HTMLElement>();
  private renderedFrom = 0;
  private renderedTo = 0;
  private frame: number | null = null;
  /** A line to scroll to once the view can be measured (asked while the tab was hidden). */
  private pendingScroll: { line: number; how: "nearest" | "center" } | null = null;
  /** The keyboard's line (search results move it too), or null before the first key. */
  private activeLine: number | null = null;
  private currentPcs = new Set<number>();
  private pcsRequest = 0;
  private readonly lineListeners: Array<(pc: number) => void> = [];
  private query = "";
  private matches: LogMatches = { lines: [], truncated: false };
  private matchSet = new Set<number>();
  private matchIndex = -1;
  private searchRequest = 0;
  private searchTimer: number | undefined;
  private readonly spacer = element("div", "log-spacer");
  private readonly rows = element("div", "log-rows");

  constructor(
    private readonly viewport: HTMLElement,
    private readonly searchInput: HTMLInputElement,
    private readonly searchStatus: HTMLElement,
  ) {
    // The rows sit in the spacer, which clips them vertically: rows drawn past its end would
    // otherwise make the scroll range longer than the log.
    this.spacer.append(this.rows);
    viewport.replaceChildren(this.spacer);
    viewport.addEventListener("scroll", () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(viewport);
    viewport.addEventListener("click", (event) => {
      const row = (event.target as Element | null)?.closest?.<HTMLElement>(".log-line");
      if (row === null || row === undefined || row.dataset["line"] === undefined) return;
      this.activeLine = Number(row.dataset["line"]);
      this.decorate();
      if (row.dataset["pc"] !== undefined) this.emit(Number(row.dataset["pc"]));
    });
    viewport.addEventListener("keydown", (event) => this.onKey(event));
    searchInput.addEventListener("input", () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => void this.search(), SEARCH_DEBOUNCE_MS);
    });
    searchInput.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        searchInput.value = "";
        void this.search();
      } else if (event.key === "Enter") {
        event.preventDefault();
        // A query still waiting for its debounce is searched first, then its first match shown.
        if (searchInput.value !== this.query || this.searchTimer !== undefined) void this.search();
        else this.step(event.shiftKey ? -1 : 1);
      }
    });
  }

  /** Called with the pc of a log line the user clicked or pressed Enter on. */
  onLine(listener: (pc: number) => void): void {
    this.lineListeners.push(listener);
  }

  /** Shows `log` (null: none); fetches and searches for the previous one are dropped. */
  show(log: VerifierLog | null): void {
    this.log = log;
    this.generation++;
    this.chunks.clear();
    this.fetching.clear();
    this.failedChunks.clear();
    this.activeLine = null;
    this.pendingScroll = null;
    this.matches = { lines: [], truncated: false };
    this.matchSet.clear();
    this.matchIndex = -1;
    this.clearRows();
    if (log !== null) this.seed(log);
    // The scroll position stays (an edit verifies again: the log is much the same).
    this.refresh();
    // The same query over the new log.
    if (this.query !== "") void this.search();
  }

  /** Draws now (the tab was just shown: its size is known only from now on). */
  refresh(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    const pending = this.pendingScroll;
    this.pendingScroll = null;
    if (pending !== null) this.scrollToLine(pending.line, pending.how);
    this.render();
  }

  /** Marks the lines of `pcs` (the cursor's line) and scrolls the first into view. */
  highlightPcs(pcs: number[]): void {
    this.currentPcs = new Set(pcs);
    this.decorate();
    const request = ++this.pcsRequest;
    const log = this.log;
    if (log === null || pcs.length === 0) return;
    // A line of theirs in view already (the one just clicked, say): the view stays.
    const top = this.virtualTop();
    for (const [line, row] of this.rowHeight > 0 ? this.rendered : []) {
      const at = line * this.rowHeight;
      const inView = at >= top && at + this.rowHeight <= top + this.viewport.clientHeight;
      if (inView && row.classList.contains("current")) return;
    }
    const prefixes = pcs.map((pc) => `${pc}: `);
    // The lines at hand from the start on answer without the worker when they hold one.
    for (let chunk = 0; this.chunks.has(chunk); chunk++) {
      const at = this.chunks.get(chunk)!.findIndex((text) => prefixes.some((p) => text.startsWith(p)));
      if (at >= 0) {
        this.scrollToLine(chunk * CHUNK_LINES + at, "nearest");
        return;
      }
    }
    const generation = this.generation;
    const scrolledFrom = this.viewport.scrollTop;
    void Promise.all(prefixes.map((p) => log.search(p, { prefix: true, limit: 1 }))).then(
      (found) => {
        if (request !== this.pcsRequest || generation !== this.generation) return;
        // The view moved while the worker searched: the user is reading elsewhere now.
        if (this.viewport.scrollTop !== scrolledFrom) return;
        const lines = found.flatMap((m) => m.lines);
        if (lines.length > 0) this.scrollToLine(Math.min(...lines), "nearest");
      },
      () => {}, // a newer verification replaced the worker's copy: nothing to show
    );
  }

  /** The windows the package sent (all of a short log) fill the chunks they cover. */
  private seed(log: VerifierLog): void {
    for (const window of log.windows) {
      const end = window.from + window.lines.length;
      for (let chunk = Math.ceil(window.from / CHUNK_LINES); chunk * CHUNK_LINES < end; chunk++) {
        const from = chunk * CHUNK_LINES;
        const to = Math.min(from + CHUNK_LINES, log.lineCount);
        if (to > end) break;
        this.chunks.set(chunk, window.lines.slice(from - window.from, to - window.from));
      }
    }
  }

  private schedule(): void {
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.refresh());
  }

  private clearRows(): void {
    this.rendered.clear();
    this.renderedFrom = this.renderedTo = 0;
    this.rows.replaceChildren();
  }

  /** The log's height and the spacer's: equal unless the log is taller than browsers allow. */
  private heights(): { virtual: number; real: number; view: number } {
    const view = this.viewport.clientHeight;
    const total = (this.log?.lineCount ?? 0) * this.rowHeight;
    return { virtual: Math.max(0, total - view), real: Math.max(0, Math.min(total, MAX_SCROLL_PX) - view), view };
  }

  /** The scroll position, within the spacer's range (a scrollbar can overshoot briefly). */
  private scrollTop(): number {
    return Math.min(this.viewport.scrollTop, this.heights().real);
  }

  /** Where the view's top is in the log, in pixels of rows. */
  private virtualTop(): number {
    const { virtual, real } = this.heights();
    return real === 0 ? 0 : (this.scrollTop() * virtual) / real;
  }

  private render(): void {
    const log = this.log;
    if (log === null || log.lineCount === 0) {
      this.spacer.style.height = "0px";
      this.clearRows();
      return;
    }
    // Hidden (another tab): nothing to measure; the tab's selection calls refresh().
    // A hidden tab is drawn when shown (`refresh`): reading its size would force a layout of
    // the whole page, which after a 100,000-line paste takes seconds.
    if (this.viewport.closest("[hidden]") !== null || this.viewport.clientHeight === 0) return;
    // A drawn row tells the height as it is now (the text size can change).
    const sample = this.rows.firstElementChild;
    if (sample !== null) this.rowHeight = rowHeightOf(sample) || this.rowHeight;
    if (this.rowHeight === 0 && !this.measure()) return;
    this.sizeSpacer();
    const { view } = this.keepPlaceOnResize();
    const top = this.virtualTop();
    const first = Math.floor(top / this.rowHeight);
    const from = Math.max(0, first - OVERSCAN_ROWS);
    const to = Math.min(log.lineCount, Math.ceil((top + view) / this.rowHeight) + OVERSCAN_ROWS);
    // `top`, not a transform: transforms are single-precision floats, off by pixels at 15M px.
    this.rows.style.top = `${this.scrollTop() - (top - from * this.rowHeight)}px`;
    let changed = from !== this.renderedFrom || to !== this.renderedTo;
    const next = new Map<number, HTMLElement>();
    for (let line = from; line < to; line++) {
      const text = this.lineText(line);
      let row = this.rendered.get(line);
      // A row is kept while its text is the same (placeholders are replaced once loaded), so
      // that a row under the pointer stays the same element while the view scrolls.
      if (row === undefined || (row.classList.contains("pending") && text !== undefined)) {
        row = this.row(line, text);
        changed = true;
      }
      next.set(line, row);
    }
    this.rendered = next;
    this.renderedFrom = from;
    this.renderedTo = to;
    if (changed) this.rows.replaceChildren(...next.values());
    this.decorate();
    this.fetch(from, to);
  }

  /**
   * The view's height maps scroll pixels to log pixels, so a viewport that grew or shrank
   * (the page's layout moved) would show other lines at the same scroll position: the
   * line at the top stays at the top, and a view at the log's end stays at the end.
   */
  private keepPlaceOnResize(): { view: number } {
    const { virtual, real, view } = this.heights();
    // A scroll since then (the user's, or the browser clamping it) says where to be instead.
    if (this.placeView !== 0 && view !== this.placeView && this.viewport.scrollTop === this.placeScroll) {
      const target = this.placeAtEnd ? virtual : Math.min(this.placeTop, virtual);
      this.viewport.scrollTop = virtual === 0 ? 0 : (target * real) / virtual;
    }
    this.placeView = view;
    this.placeTop = this.virtualTop();
    this.placeAtEnd = real > 0 && this.scrollTop() >= real - 1;
    this.placeScroll = this.viewport.scrollTop;
    return { view };
  }

  private sizeSpacer(): void {
    const lines = this.log?.lineCount ?? 0;
    this.spacer.style.height = `${Math.min(lines * this.rowHeight, MAX_SCROLL_PX)}px`;
  }

  /** The row height from the style sheet (a probe row); false while it cannot be measured. */
  private measure(): boolean {
    const probe = element("div", "log-line", "0");
    this.rows.append(probe);
    this.rowHeight = rowHeightOf(probe);
    probe.remove();
    return this.rowHeight > 0;
  }

  private lineText(line: number): string | undefined {
    return this.chunks.get(Math.floor(line / CHUNK_LINES))?.[line % CHUNK_LINES];
  }

  private row(line: number, text: string | undefined): HTMLElement {
    const row = element("div", "log-line");
    row.id = `log-line-${line}`;
    row.setAttribute("role", "option");
    row.setAttribute("aria-posinset", String(line + 1));
    row.setAttribute("aria-setsize", String(this.log?.lineCount ?? 0));
    row.dataset["line"] = String(line);
    if (text === undefined) {
      row.classList.add("pending");
      const failed = this.failedChunks.has(Math.floor(line / CHUNK_LINES));
      row.textContent = failed ? "(this line could not be loaded)\n" : "…\n";
      return row;
    }
    const pc = PC_LINE.exec(text);
    if (pc !== null) {
      row.dataset["pc"] = pc[1] as string;
      row.title = `pc ${pc[1]}: click to go to its source line`;
    }
    row.append(...highlighted(text, this.query), "\n");
    return row;
  }

  /** The classes that change without the text: the cursor's pcs, matches, the active line. */
  private decorate(): void {
    let active: HTMLElement | null = null;
    for (const [line, row] of this.rendered) {
      const pc = row.dataset["pc"];
      row.classList.toggle("current", pc !== undefined && this.currentPcs.has(Number(pc)));
      row.classList.toggle("match", this.matchSet.has(line));
      const on = line === this.activeLine;
      row.classList.toggle("active", on);
      row.setAttribute("aria-selected", String(on));
      if (on) active = row;
    }
    if (active === null) this.viewport.removeAttribute("aria-activedescendant");
    else this.viewport.setAttribute("aria-activedescendant", active.id);
  }

  /** Requests the chunks of [from, to) not at hand, a few at a time. */
  private fetch(from: number, to: number): void {
    const log = this.log;
    if (log === null) return;
    const generation = this.generation;
    for (let chunk = Math.floor(from / CHUNK_LINES); chunk * CHUNK_LINES < to; chunk++) {
      const cached = this.chunks.get(chunk);
      if (cached !== undefined) {
        // Recently used: moved to the end of the map's order.
        this.chunks.delete(chunk);
        this.chunks.set(chunk, cached);
        continue;
      }
      if (this.fetching.has(chunk) || this.failedChunks.has(chunk)) continue;
      if (this.fetching.size >= PARALLEL_FETCHES) continue;
      this.fetching.add(chunk);
      log.lines(chunk * CHUNK_LINES, (chunk + 1) * CHUNK_LINES).then(
        (lines) => {
          if (generation !== this.generation) return;
          this.fetching.delete(chunk);
          this.chunks.set(chunk, lines);
          for (const old of this.chunks.keys()) {
            if (this.chunks.size <= CACHED_CHUNKS) break;
            this.chunks.delete(old);
          }
          this.schedule(); // draws it, and asks for the next chunk still in view
        },
        () => {
          if (generation !== this.generation) return;
          this.fetching.delete(chunk);
          this.failedChunks.add(chunk);
          for (const [line, row] of this.rendered) {
            if (Math.floor(line / CHUNK_LINES) === chunk) row.textContent = "(this line could not be loaded)\n";
          }
          this.schedule();
        },
      );
    }
  }

  /** Scrolls so that `line` shows: only as far as needed (`nearest`) or to the middle. */
  private scrollToLine(line: number, how: "nearest" | "center"): void {
    if (this.viewport.clientHeight === 0 || (this.rowHeight === 0 && !this.measure())) {
      this.pendingScroll = { line, how };
      return;
    }
    this.sizeSpacer(); // before scrolling: a spacer still sized for the last log would clamp
    const { virtual, real, view } = this.heights();
    const top = this.virtualTop();
    const at = line * this.rowHeight;
    let target: number;
    if (how === "nearest") {
      if (at >= top && at + this.rowHeight <= top + view) return;
      target = at < top ? at : at + this.rowHeight - view;
    } else {
      target = at - (view - this.rowHeight) / 2;
    }
    target = Math.min(Math.max(target, 0), virtual);
    this.viewport.scrollTop = virtual === 0 ? 0 : (target * real) / virtual;
    this.render();
  }

  private onKey(event: KeyboardEvent): void {
    const log = this.log;
    if (log === null || log.lineCount === 0) return;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / Math.max(1, this.rowHeight)) - 1);
    const from = this.activeLine ?? Math.floor(this.virtualTop() / Math.max(1, this.rowHeight));
    let line: number;
    switch (event.key) {
      case "ArrowDown":
        line = this.activeLine === null ? from : from + 1;
        break;
      case "ArrowUp":
        line = this.activeLine === null ? from : from - 1;
        break;
      case "PageDown":
        line = from + page;
        break;
      case "PageUp":
        line = from - page;
        break;
      case "Home":
        line = 0;
        break;
      case "End":
        line = log.lineCount - 1;
        break;
      case "Enter": {
        const text = this.activeLine === null ? undefined : this.lineText(this.activeLine);
        const pc = text === undefined ? null : PC_LINE.exec(text);
        if (pc === null) return;
        event.preventDefault();
        this.emit(Number(pc[1]));
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    this.activeLine = Math.min(Math.max(line, 0), log.lineCount - 1);
    this.scrollToLine(this.activeLine, "nearest");
    this.decorate();
  }

  private emit(pc: number): void {
    for (const listener of this.lineListeners) listener(pc);
  }

  /** Searches the whole log in the worker for the box's text and shows the first match. */
  private async search(): Promise<void> {
    window.clearTimeout(this.searchTimer);
    this.searchTimer = undefined;
    const query = this.searchInput.value;
    const request = ++this.searchRequest;
    const changed = query !== this.query;
    this.query = query;
    if (changed) this.clearRows(); // the rows mark the new query's text
    const log = this.log;
    if (query === "" || log === null) {
      this.setMatches({ lines: [], truncated: false });
      this.searchStatus.textContent = "";
      this.render();
      return;
    }
    this.searchStatus.textContent = "Searching…";
    this.render();
    let matches: LogMatches;
    try {
      matches = await log.search(query, { limit: SEARCH_LIMIT });
    } catch {
      if (request === this.searchRequest) this.searchStatus.textContent = "The search failed.";
      return;
    }
    if (request !== this.searchRequest || log !== this.log) return;
    this.setMatches(matches);
    // The first match from the keyboard's line on, else the first of all.
    const after = matches.lines.findIndex((line) => line >= (this.activeLine ?? 0));
    this.goToMatch(matches.lines.length === 0 ? -1 : Math.max(after, 0));
  }

  private setMatches(matches: LogMatches): void {
    this.matches = matches;
    this.matchSet = new Set(matches.lines);
    this.matchIndex = -1;
  }

  /** The next (1) or previous (-1) match, around the ends. */
  private step(direction: 1 | -1): void {
    const count = this.matches.lines.length;
    if (count === 0) return;
    this.goToMatch((this.matchIndex + direction + count) % count);
  }

  private goToMatch(index: number): void {
    const count = this.matches.lines.length;
    this.matchIndex = index;
    if (index < 0) {
      this.searchStatus.textContent = "No matches";
      this.decorate();
      return;
    }
    const more = this.matches.truncated ? `${count.toLocaleString("en")}+` : count.toLocaleString("en");
    this.searchStatus.textContent = `${(index + 1).toLocaleString("en")} of ${more} ${count === 1 && !this.matches.truncated ? "match" : "matches"}`;
    this.activeLine = this.matches.lines[index]!;
    this.scrollToLine(this.activeLine, "center");
    this.decorate();
  }
}

/** A row's height from its computed style: exact, where its bounding box, millions of
 * pixels down the log, has lost the fraction (Chromium: 23.25 px measured 23). */
function rowHeightOf(row: Element): number {
  return parseFloat(getComputedStyle(row).height) || 0;
}

/** `text` with each (case-insensitive) occurrence of `query` in a <mark>. */
function highlighted(text: string, query: string): Array<string | HTMLElement> {
  if (query === "") return [text];
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  // Lowercasing changed the length (rare letters): no marks rather than misplaced ones.
  if (lower.length !== text.length) return [text];
  const parts: Array<string | HTMLElement> = [];
  let at = 0;
  for (let found = lower.indexOf(needle); found >= 0; found = lower.indexOf(needle, at)) {
    if (found > at) parts.push(text.slice(at, found));
    parts.push(element("mark", undefined, text.slice(found, found + needle.length)));
    at = found + needle.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
