// <unwind-playground>: a custom element for docs pages that shows a program in a compact
// playground, the embed page (web/embed.ts) in an iframe it sizes (760x480 by default).
// `scripts/build-web.sh` bundles this file alone into dist/unwind-playground.js, a classic
// script (no module, so no CORS is needed to load it from another origin):
//
//   <script src="https://HOST/PATH/unwind-playground.js" defer></script>
//   <unwind-playground mode="upstream" panes="verifier,debugger" readonly>
//     <script type="text/plain">
//       r0 = 1
//       exit
//     </script>
//   </unwind-playground>
//
// Attributes (docs/embedding.md): `program` (else the element's text, dedented), `mode`,
// `syntax`, `tab`, `ctx`, `readonly`, `panes`, `src` (the playground's URL; by default where
// this script was loaded from), `width`, `height` and `label` (the iframe's title). Changing
// any of them, or the text, updates the iframe.
//
// The program is data: it goes into the share fragment's JSON (web/share.ts) and from there
// into the embed's editor, never into markup; the iframe is made with the DOM, its URL built
// with URL and URLSearchParams, and `src` must be http(s). A value the element does not know
// (a mode, a syntax, a pane) falls back to the default, and a problem (a program too large for
// a link, a bad `src`) is shown as text in the element's box.

import { embedOptions } from "./embed.js";
import { MODES, SYNTAXES, TABS, linkFragment, normaliseLines, type Shared, type Tab } from "./share.js";
import type { Mode, Syntax } from "./api.js";

/** Where this script came from: the playground is served beside it. */
const SCRIPT_URL = document.currentScript instanceof HTMLScriptElement && document.currentScript.src !== ""
  ? document.currentScript.src
  : document.baseURI;

const ATTRIBUTES = ["program", "mode", "syntax", "tab", "ctx", "readonly", "panes", "src", "width", "height", "label"] as const;

const STYLE = `
:host { display: inline-block; max-width: 100%; vertical-align: top; }
:host([hidden]) { display: none; }
iframe { display: block; box-sizing: border-box; max-width: 100%; border: 1px solid #d0d7de; border-radius: 8px; background: Canvas; }
p { margin: 0; padding: 12px; border: 1px solid #d0d7de; border-radius: 8px; font: 14px/1.4 system-ui, sans-serif; color: #b42318; background: #fde8e6; }
p[hidden], iframe[hidden] { display: none; }
`;

/** The element's text as a program: blank lines around it dropped, the common indentation
 * of its lines removed (the docs page's own indentation is not the program's). */
export function dedent(text: string): string {
  const lines = normaliseLines(text).split("\n");
  while (lines.length > 0 && (lines[0] as string).trim() === "") lines.shift();
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === "") lines.pop();
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(common)).join("\n") + (lines.length > 0 ? "\n" : "");
}

/** A size attribute in CSS pixels, or the default. */
function pixels(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number(value.trim().replace(/px$/, ""));
  return Number.isFinite(n) && n >= 100 && n <= 4000 ? Math.round(n) : fallback;
}

let instances = 0;

export class UnwindPlayground extends HTMLElement {
  static readonly observedAttributes = ATTRIBUTES;

  private readonly frame: HTMLIFrameElement;
  private readonly message: HTMLParagraphElement;
  private readonly observer: MutationObserver;
  private readonly number = ++instances;
  private pending = false;
  private generation = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    this.frame = document.createElement("iframe");
    this.frame.loading = "lazy";
    this.frame.hidden = true;
    this.message = document.createElement("p");
    this.message.setAttribute("role", "status");
    this.message.hidden = true;
    root.append(style, this.frame, this.message);
    // The program in the element's text: an edit of it by the docs page's script updates it.
    this.observer = new MutationObserver(() => {
      if (!this.hasAttribute("program")) this.schedule();
    });
  }

  connectedCallback(): void {
    this.observer.observe(this, { childList: true, characterData: true, subtree: true });
    this.schedule();
  }

  disconnectedCallback(): void {
    this.observer.disconnect();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.schedule();
  }

  /** The program the element shows. */
  get program(): string {
    const attribute = this.getAttribute("program");
    return attribute !== null ? normaliseLines(attribute) : dedent(this.textContent ?? "");
  }

  set program(text: string) {
    this.setAttribute("program", text);
  }

  /** Several changes in one task make one update. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      void this.update();
    });
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const width = pixels(this.getAttribute("width"), 760);
    const height = pixels(this.getAttribute("height"), 480);
    const label = this.getAttribute("label")?.trim();
    this.frame.width = String(width);
    this.frame.height = String(height);
    this.frame.title = label !== undefined && label !== "" ? label : `Unwind BPF playground${this.number > 1 ? ` ${this.number}` : ""}`;
    this.message.style.maxWidth = `${width}px`;

    const base = this.base();
    if (base === null) return this.fail("the src attribute is not an http(s) URL of the playground");
    const options = embedOptions(`?embed&panes=${encodeURIComponent(this.getAttribute("panes") ?? "verifier,debugger")}`);
    if (options === null) return;
    const readonly = this.hasAttribute("readonly") && this.getAttribute("readonly") !== "false";
    const shared: Shared = {
      program: this.program,
      syntax: this.choice<Syntax>("syntax", SYNTAXES, "auto"),
      mode: this.choice<Mode>("mode", MODES, "cleanup"),
      ctx: /^[0-9a-fA-F\s]*$/.test(this.getAttribute("ctx") ?? "") ? (this.getAttribute("ctx") ?? "").replace(/\s+/g, "") : "",
      tab: this.choice<Tab>("tab", TABS, options.panes[0] ?? "verifier"),
      world: "",
      unverified: false,
      budget: 10_000_000,
    };
    const link = await linkFragment(shared);
    if (generation !== this.generation) return; // a newer update is on its way
    if ("problem" in link) return this.fail(`this program cannot be shown: ${link.problem}`);

    const url = new URL(base);
    // The panes are embedOptions' (known names only), the fragment base64url: nothing to escape.
    url.search = `?embed&panes=${options.panes.join(",")}${readonly ? "&readonly" : ""}`;
    url.hash = link.fragment;
    this.message.hidden = true;
    this.frame.hidden = false;
    if (this.frame.src !== url.href) this.frame.src = url.href;
  }

  /** The playground's URL: the `src` attribute, or where this script came from. */
  private base(): URL | null {
    try {
      const src = this.getAttribute("src");
      const url = src !== null && src.trim() !== "" ? new URL(src.trim(), document.baseURI) : new URL(".", SCRIPT_URL);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch {
      return null;
    }
  }

  private choice<T extends string>(name: string, known: readonly T[], fallback: T): T {
    const value = this.getAttribute(name)?.trim();
    return value !== undefined && (known as readonly string[]).includes(value) ? (value as T) : fallback;
  }

  private fail(problem: string): void {
    this.frame.hidden = true;
    this.frame.removeAttribute("src");
    this.message.textContent = `Unwind playground: ${problem}.`;
    this.message.hidden = false;
  }
}

if (customElements.get("unwind-playground") === undefined) {
  customElements.define("unwind-playground", UnwindPlayground);
}
