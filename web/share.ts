// Share links and the page's memory. A link carries the program and what goes with it in the
// URL fragment, versioned and compressed: `#v2=` then base64url of the deflate-raw
// compressed JSON `{ program, syntax, mode, ctx, tab, world, unverified, budget }` (the
// browser's CompressionStream: no dependency). v1 links (without the last three) still open. A fragment is never sent to a server. Decoding is defensive: every size is
// capped before and while decompressing, every field is checked against what the page knows,
// and anything wrong is a message, never an exception, markup or a partly applied link. The
// program text is data: it goes into the editor's value, never into markup.
//
// Versions: `DECODERS` maps each version ever written to its reader (v1: 2026-12-02, without
// the debugger's inputs; v2: with them). A new format gets a new
// version and a new reader; old readers stay, so old links keep working.

import type { Mode, Syntax } from "./api.js";

/** What a link (and the page's memory) restores. */
export interface Shared {
  program: string;
  syntax: Syntax;
  mode: Mode;
  /** The ctx bytes in hex for the debugger ("" for none). */
  ctx: string;
  /** The output tab that was open. */
  tab: Tab;
  /** The debugger's world as the user typed it (JSON text; "" for the default world). */
  world: string;
  /** Run without verifying. */
  unverified: boolean;
  /** The debugger's instruction budget. */
  budget: number;
}

/** What a link of an older format leaves unsaid. */
export const DEFAULTS = { world: "", unverified: false, budget: 10_000_000 } as const;
export const MAX_WORLD = 64 * 1024;
export const MAX_BUDGET = 1_000_000_000;

export const TABS = ["source", "log", "verifier", "debugger"] as const;
export type Tab = (typeof TABS)[number];
export const SYNTAXES: readonly Syntax[] = ["auto", "pseudo_c", "ubpf", "hex"];
export const MODES: readonly Mode[] = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];

/** The newest version: what `encode` writes. */
export const VERSION = "v2";

/** Caps: a fragment longer than this is refused unread; its JSON may not decompress to more. */
export const MAX_FRAGMENT = 256 * 1024;
export const MAX_JSON = 4 * 1024 * 1024;
/** The longest program a link (or the page's memory) may carry, in characters and in lines
 * (what the editor draws without freezing), and the longest ctx in hex characters. */
export const MAX_PROGRAM = 512 * 1024;
export const MAX_LINES = 100_000;
export const MAX_CTX = 16 * 1024;

/** Line ends as a textarea keeps them. */
export function normaliseLines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** Why the debugger's inputs in `shared` are not right for a link, or null. */
export function badInputs(shared: Pick<Shared, "ctx" | "budget">): string | null {
  if (!/^[0-9a-fA-F\s]*$/.test(shared.ctx)) return "the ctx is not hex bytes";
  if (!Number.isSafeInteger(shared.budget) || shared.budget < 1 || shared.budget > MAX_BUDGET) {
    return `the budget is not a whole number from 1 to ${MAX_BUDGET.toLocaleString("en")}`;
  }
  return null;
}

/** Why `shared` cannot be put in a link or kept, or null when it can. */
export function tooLarge(shared: Pick<Shared, "program" | "ctx"> & Partial<Pick<Shared, "world">>): string | null {
  if (shared.program.length > MAX_PROGRAM) {
    return `the program is longer than ${MAX_PROGRAM.toLocaleString("en")} characters`;
  }
  let lines = 1;
  for (let i = shared.program.indexOf("\n"); i >= 0; i = shared.program.indexOf("\n", i + 1)) {
    if (++lines > MAX_LINES) return `the program has more than ${MAX_LINES.toLocaleString("en")} lines`;
  }
  if (shared.ctx.length > MAX_CTX) return `the ctx is longer than ${MAX_CTX.toLocaleString("en")} hex digits`;
  if ((shared.world ?? "").length > MAX_WORLD) return `the world is longer than ${MAX_WORLD.toLocaleString("en")} characters`;
  return null;
}

export type Decoded =
  | { kind: "none" }
  | { kind: "ok"; shared: Shared }
  | { kind: "refused"; message: string };

/** The fragment (without `#`) of a link to `shared`. */
export async function encode(shared: Shared): Promise<string> {
  const json = JSON.stringify({
    program: shared.program,
    syntax: shared.syntax,
    mode: shared.mode,
    ctx: shared.ctx,
    tab: shared.tab,
    world: shared.world,
    unverified: shared.unverified,
    budget: shared.budget,
  });
  const packed = await transform(new TextEncoder().encode(json), new CompressionStream("deflate-raw"), Infinity);
  return `${VERSION}=${toBase64Url(packed)}`;
}

/** The fragment of a link to `shared`, or why it cannot have one (the same limits a link's
 * reader applies, so the page never writes a link it would refuse). */
export async function linkFragment(shared: Shared): Promise<{ fragment: string } | { problem: string }> {
  const problem = tooLarge(shared) ?? badInputs(shared);
  if (problem !== null) return { problem };
  const fragment = await encode(shared);
  if (fragment.length > MAX_FRAGMENT) {
    return {
      problem: `the link would be ${fragment.length.toLocaleString("en")} characters (the limit is ${MAX_FRAGMENT.toLocaleString("en")})`,
    };
  }
  return { fragment };
}

const DECODERS: Record<string, (payload: string) => Promise<Shared>> = {
  v1: (payload) => decodeFields(payload, V1_FIELDS),
  v2: (payload) => decodeFields(payload, V2_FIELDS),
};
const V1_FIELDS = ["program", "syntax", "mode", "ctx", "tab"];
const V2_FIELDS = [...V1_FIELDS, "world", "unverified", "budget"];

/** Reads a fragment (with or without its `#`). Not a share fragment at all: `none`. */
export async function decode(fragment: string): Promise<Decoded> {
  const text = fragment.startsWith("#") ? fragment.slice(1) : fragment;
  const match = /^(v\d{1,4})=/.exec(text);
  if (match === null) return { kind: "none" };
  const version = match[1] as string;
  const reader = DECODERS[version];
  if (reader === undefined) {
    return { kind: "refused", message: `This link is in format ${version}, which this version of the page does not know.` };
  }
  if (text.length > MAX_FRAGMENT) {
    return { kind: "refused", message: `This link is too long (${text.length.toLocaleString("en")} characters; the limit is ${MAX_FRAGMENT.toLocaleString("en")}).` };
  }
  try {
    return { kind: "ok", shared: await reader(text.slice(match[0].length)) };
  } catch (error) {
    return { kind: "refused", message: `This link is damaged: ${error instanceof Error ? error.message : String(error)}.` };
  }
}

/** Reads a v1 or v2 payload: the same JSON, v2 with three more fields. */
async function decodeFields(payload: string, fields: readonly string[]): Promise<Shared> {
  const bytes = fromBase64Url(payload);
  const json = await transform(bytes, new DecompressionStream("deflate-raw"), MAX_JSON);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch {
    throw new Error("its content is not JSON text");
  }
  return fromFields(value, fields);
}

/** A `Shared` from JSON data with these `fields` (any may be left out but the program), or
 * an error saying what is wrong: the one check of a link's content and of what the page
 * kept in local storage. */
function fromFields(value: unknown, fields: readonly string[]): Shared {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("its content is not an object");
  const v = value as Record<string, unknown>;
  const known = new Set(fields);
  for (const key of Object.keys(v)) if (!known.has(key)) throw new Error(`it has an unknown field "${clip(key)}"`);
  if (typeof v["program"] !== "string") throw new Error("its program is not text");
  // As the editor will hold it (a textarea turns \r\n and a lone \r into \n), so that the
  // line cap counts the lines it will draw.
  const program = normaliseLines(v["program"]);
  const ctx = v["ctx"] ?? "";
  if (typeof ctx !== "string") throw new Error("its ctx is not hex bytes");
  const world = v["world"] ?? DEFAULTS.world;
  if (typeof world !== "string") throw new Error("its world is not text");
  const unverified = v["unverified"] ?? DEFAULTS.unverified;
  if (typeof unverified !== "boolean") throw new Error("its unverified is not true or false");
  const budget = v["budget"] ?? DEFAULTS.budget;
  const wrong = tooLarge({ program, ctx, world }) ?? badInputs({ ctx, budget: typeof budget === "number" ? budget : NaN });
  if (wrong !== null) throw new Error(wrong.replace(/^the /, "its "));
  return {
    program,
    syntax: oneOf(v["syntax"] ?? "auto", SYNTAXES, "syntax"),
    mode: oneOf(v["mode"] ?? "cleanup", MODES, "mode"),
    ctx,
    tab: oneOf(v["tab"] ?? "source", TABS, "tab"),
    world,
    unverified,
    budget: budget as number,
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`its ${what} is not one of ${allowed.join(", ")}`);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Runs `bytes` through a (de)compression stream, refusing output above `limit` bytes while
 * it streams (a small link must not inflate into gigabytes). The input goes in 4 KB slices,
 * each written only once the output so far has been read: given all at once, Chromium
 * inflates the whole of it before the first read (185 MB from a 251 KB link). */
async function transform(bytes: Uint8Array, stream: TransformStream<BufferSource, Uint8Array>, limit: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const feed = (async () => {
    for (let at = 0; at < bytes.length; at += 4096) {
      await writer.write(bytes.slice(at, at + 4096) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  // Errors of the write side show up on the read side; do not leave them unhandled.
  feed.catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      throw new Error("its content does not decompress");
    }
    if (next.done) break;
    total += next.value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new Error(`its content decompresses to more than ${(limit / 1024 / 1024).toFixed(0)} MB`);
    }
    chunks.push(next.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("it is not base64url text");
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new Error("it is not base64url text");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The page's memory: the last program and its settings, in local storage. Storage may be
 * unavailable (private windows, disabled, full): then nothing is remembered, silently. */
const STORAGE_KEY = "unwind.playground.v1";
const REPLACED_KEY = "unwind.playground.v1.replaced";

/** Keeps `shared` as the last program; false when it could not be kept (storage
 * unavailable or full, or a program too large to reopen). */
export function remember(shared: Shared): boolean {
  return tooLarge(shared) === null && write(STORAGE_KEY, shared);
}

export function recall(): Shared | null {
  return read(STORAGE_KEY);
}

/** The edit an example replaced, kept so that loading an example never loses work. */
export function rememberReplaced(shared: Shared): boolean {
  return tooLarge(shared) === null && write(REPLACED_KEY, shared);
}

export function recallReplaced(): Shared | null {
  return read(REPLACED_KEY);
}

/** The replaced edit was restored or dismissed: it is not offered again. */
export function forgetReplaced(): void {
  try {
    localStorage.removeItem(REPLACED_KEY);
  } catch {
    // Unavailable: nothing was kept.
  }
}

function write(key: string, shared: Shared): boolean {
  // Inputs a link could not carry (a half-typed budget) are not kept: their defaults are.
  const kept = badInputs(shared) === null ? shared : { ...shared, ctx: "", budget: DEFAULTS.budget };
  try {
    localStorage.setItem(key, JSON.stringify(kept));
    return true;
  } catch {
    return false; // unavailable or full: not remembered
  }
}

function read(key: string): Shared | null {
  try {
    const text = localStorage.getItem(key);
    return text === null ? null : fromFields(JSON.parse(text), V2_FIELDS);
  } catch {
    return null; // unavailable, or not what this page wrote
  }
}
