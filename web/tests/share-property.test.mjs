// Property-based tests of the share-link decoder (web/share.ts) in node, with fast-check
// (issue 12): random and hostile fragments (truncated, wrong base64, huge, unknown versions,
// valid encodings of junk JSON, prototype-pollution keys, huge numbers, deep nesting) are
// read to a typed answer (`none`, `ok` with a value the page can use, or `refused` with a
// short message), never an exception, and within a bounded time. share.ts is bundled for
// node with esbuild, as tours.test.mjs does for parseTour; node has CompressionStream.
//
//   node --test web/tests/share-property.test.mjs   (no build needed)

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { build } from "esbuild";
import fc from "fast-check";
import { repoRoot } from "../serve.mjs";

const bundled = await build({ entryPoints: [join(repoRoot, "web/share.ts")], bundle: true, write: false, format: "esm", logLevel: "silent" });
const share = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString("base64")}`);
const { decode, encode, SYNTAXES, MODES, TABS, MAX_PROGRAM, MAX_LINES, MAX_CTX, MAX_WORLD, MAX_BUDGET, MAX_FRAGMENT } = share;

/** The most one decode may take (a 256 KB fragment inflating to 4 MB is well under it). */
const BOUND_MS = 5_000;
const RUNS = Number(process.env.FC_RUNS ?? 300);
const SHARED_KEYS = ["program", "syntax", "mode", "ctx", "tab", "world", "unverified", "budget"];

/** Decodes `fragment` and checks the answer's shape; returns it. */
async function checked(fragment) {
  const started = performance.now();
  let answer;
  try {
    answer = await decode(fragment);
  } catch (error) {
    assert.fail(`decode threw ${error} on ${JSON.stringify(fragment.slice(0, 200))}`);
  }
  const took = performance.now() - started;
  assert.ok(took < BOUND_MS, `decode took ${took.toFixed(0)} ms`);
  assert.equal(Object.getPrototypeOf(answer), Object.prototype);
  switch (answer.kind) {
    case "none":
      assert.deepEqual(Object.keys(answer), ["kind"]);
      break;
    case "refused":
      assert.equal(typeof answer.message, "string");
      assert.ok(answer.message.length > 10 && answer.message.length < 400, answer.message);
      break;
    case "ok":
      valid(answer.shared);
      break;
    default:
      assert.fail(`an answer of kind ${answer.kind}`);
  }
  assert.equal({}.polluted, undefined, "Object.prototype was not touched");
  assert.equal([].polluted, undefined);
  return answer;
}

/** What the page may apply: every field of its type and within its cap, nothing else. */
function valid(shared) {
  assert.equal(Object.getPrototypeOf(shared), Object.prototype);
  assert.deepEqual(Object.keys(shared).sort(), [...SHARED_KEYS].sort());
  assert.equal(typeof shared.program, "string");
  assert.ok(shared.program.length <= MAX_PROGRAM);
  assert.ok(shared.program.split("\n").length <= MAX_LINES);
  assert.ok(!shared.program.includes("\r"), "line ends as the editor keeps them");
  assert.ok(SYNTAXES.includes(shared.syntax));
  assert.ok(MODES.includes(shared.mode));
  assert.ok(TABS.includes(shared.tab));
  assert.match(shared.ctx, /^[0-9a-fA-F\s]*$/);
  assert.ok(shared.ctx.length <= MAX_CTX);
  assert.equal(typeof shared.world, "string");
  assert.ok(shared.world.length <= MAX_WORLD);
  assert.equal(typeof shared.unverified, "boolean");
  assert.ok(Number.isSafeInteger(shared.budget) && shared.budget >= 1 && shared.budget <= MAX_BUDGET);
}

/** A fragment of `text` (any string: JSON or not) as the page writes one. */
const fragmentOf = (text, version = "v2") => `${version}=${deflateRawSync(Buffer.from(text)).toString("base64url")}`;

const base64urlChars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
const hostileKey = fc.constantFrom("__proto__", "constructor", "prototype", "program", "budget", "toString", "hasOwnProperty", "<img src=x onerror=alert(1)>", "x".repeat(100));

/** Objects shaped like a share link's JSON: the right keys with any values, some wrong keys. */
const linkish = fc.dictionary(
  fc.oneof(fc.constantFrom(...SHARED_KEYS), hostileKey),
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(...SYNTAXES, ...MODES, ...TABS),
    fc.constantFrom(1e308, -1, 0, -0, 2 ** 53, 2 ** 53 + 2, MAX_BUDGET, MAX_BUDGET + 1, 1.5, "10"),
    fc.string({ maxLength: 64 }),
    fc.constantFrom("0102 ff", "zz", "\r\n\r", "r0 = 0\r\nexit\r"),
  ),
  { maxKeys: 10 },
);

test("any text is read to a typed answer", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.tuple(fc.constantFrom("v1=", "v2=", "#v2=", "v3=", "v0=", "v9999=", "v12345=", "V2=", "v2", "v02="), fc.string({ maxLength: 200 })).map(([a, b]) => a + b),
        fc.tuple(fc.constantFrom("v1=", "v2="), fc.array(base64urlChars, { maxLength: 400 })).map(([a, b]) => a + b.join("")),
      ),
      async (fragment) => {
        await checked(fragment);
      },
    ),
    { numRuns: RUNS },
  );
});

test("valid encodings of junk JSON (hostile keys, wrong types, huge numbers) are read or refused", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(linkish, fc.jsonValue({ maxDepth: 4 })), fc.constantFrom("v1", "v2"), async (value, version) => {
      const answer = await checked(fragmentOf(JSON.stringify(value), version));
      if (answer.kind === "ok") assert.equal(answer.shared.program, String(value.program).replace(/\r\n?/g, "\n"));
    }),
    { numRuns: RUNS },
  );
  // __proto__ as JSON.parse reads it is an own key: an unknown field, never a prototype.
  const answer = await checked(fragmentOf('{"program": "exit", "__proto__": {"polluted": 1, "mode": "legacy"}}'));
  assert.equal(answer.kind, "refused");
  assert.match(answer.message, /unknown field "__proto__"/);
  const constructor = await checked(fragmentOf('{"program": "exit", "constructor": {"prototype": {"polluted": 1}}}'));
  assert.match(constructor.message, /unknown field "constructor"/);
});

test("a link that round-trips keeps its value; every truncation and every changed character of it is answered", async () => {
  const sharedArb = fc.record({
    program: fc.string({ maxLength: 200 }),
    syntax: fc.constantFrom(...SYNTAXES),
    mode: fc.constantFrom(...MODES),
    ctx: fc.stringMatching(/^[0-9a-f ]{0,32}$/),
    tab: fc.constantFrom(...TABS),
    world: fc.string({ maxLength: 50 }),
    unverified: fc.boolean(),
    budget: fc.integer({ min: 1, max: MAX_BUDGET }),
  });
  await fc.assert(
    fc.asyncProperty(sharedArb, fc.nat(), fc.nat(), base64urlChars, async (shared, cut, at, char) => {
      const fragment = await encode(shared);
      const back = await checked(fragment);
      assert.equal(back.kind, "ok");
      assert.deepEqual(back.shared, { ...shared, program: shared.program.replace(/\r\n?/g, "\n") });
      await checked(fragment.slice(0, cut % (fragment.length + 1)));
      const i = 3 + (at % Math.max(1, fragment.length - 3));
      await checked(fragment.slice(0, i) + char + fragment.slice(i + 1));
    }),
    { numRuns: RUNS },
  );
});

test("huge, deep and bomb-like links are refused within the bound", async () => {
  // Deep nesting: JSON.parse's own limit, caught.
  const deep = await checked(fragmentOf("[".repeat(200_000) + "]".repeat(200_000)));
  assert.equal(deep.kind, "refused");
  const deepObject = await checked(fragmentOf('{"program":'.repeat(50_000) + '"x"' + "}".repeat(50_000)));
  assert.equal(deepObject.kind, "refused");
  // A small link that inflates past 4 MB (zeros compress 1000:1): refused while streaming.
  const bomb = await checked(fragmentOf(`{"program": "${"0".repeat(64 * 1024 * 1024)}"}`));
  assert.equal(bomb.kind, "refused");
  assert.match(bomb.message, /decompresses to more than 4 MB/);
  // Over the fragment cap: refused unread, even when it is junk.
  const long = await checked("v2=" + "A".repeat(MAX_FRAGMENT));
  assert.match(long.message, /too long/);
  // Programs at the caps: the longest and the most lines are read, one more is refused.
  const lines = await checked(fragmentOf(JSON.stringify({ program: "\n".repeat(MAX_LINES - 1) })));
  assert.equal(lines.kind, "ok");
  const tooMany = await checked(fragmentOf(JSON.stringify({ program: "\r".repeat(MAX_LINES) })));
  assert.match(tooMany.message, /more than 100,000 lines/);
  const big = await checked(fragmentOf(JSON.stringify({ program: "x".repeat(MAX_PROGRAM + 1) })));
  assert.match(big.message, /longer than 524,288 characters/);
  // Not UTF-8, not JSON, not deflate, not base64url.
  for (const fragment of [
    `v2=${deflateRawSync(Buffer.from([0xff, 0xfe, 0x7b])).toString("base64url")}`,
    fragmentOf("program: exit"),
    "v2=" + Buffer.from("not deflate at all").toString("base64url"),
    "v2=A",
    "v2=%%%",
    "v2===",
  ]) {
    assert.equal((await checked(fragment)).kind, "refused", fragment);
  }
});
