// Embed mode: the page inside a docs site's <iframe>, compact. The iframe's URL says what to
// show: `?embed` and options in the query, the program and its settings in a share fragment
// (`#v2=...`, web/share.ts):
//
//   index.html?embed&panes=verifier,debugger&readonly#v2=...
//
// - `panes`: the output tabs to offer, in order (`source`, `log`, `verifier`, `debugger`;
//   default: verifier and debugger); the first is open unless the link names one of them.
// - `readonly`: the program cannot be edited (the mode menu and the debugger still work).
//
// An embed keeps nothing: it never reads or writes the page's local storage (two embeds on a
// page, and the reader's own playground, stay independent) and leaves its fragment alone.
// docs/embedding.md documents it for docs writers.

import { TABS, type Tab } from "./share.js";

export interface EmbedOptions {
  panes: Tab[];
  readonly: boolean;
}

/** The embed options in `search`, or null when the page is not embedded. */
export function embedOptions(search: string): EmbedOptions | null {
  const params = new URLSearchParams(search);
  if (!params.has("embed")) return null;
  const asked = (params.get("panes") ?? "verifier,debugger")
    .split(",")
    .map((p) => p.trim())
    .filter((p): p is Tab => (TABS as readonly string[]).includes(p));
  const panes = [...new Set(asked)];
  const readonly = params.has("readonly") && params.get("readonly") !== "false";
  return { panes: panes.length > 0 ? panes : ["verifier", "debugger"], readonly };
}

/** The markup a docs writer pastes: an iframe of this page on `fragment`, 760x480. */
export function embedSnippet(pageUrl: string, fragment: string, options: EmbedOptions): string {
  const url = new URL(pageUrl);
  url.search = "";
  url.hash = "";
  const query = `?embed&panes=${options.panes.join(",")}${options.readonly ? "&readonly" : ""}`;
  const src = `${url.href}${query}#${fragment}`;
  const attribute = src.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return `<iframe src="${attribute}" width="760" height="480" style="border: 1px solid #d0d7de; border-radius: 8px" title="Unwind BPF playground" loading="lazy"></iframe>`;
}
