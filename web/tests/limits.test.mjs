// The page at every limit, in headless Chromium against the built page (issue 12): programs
// just over the kernel's limits (9 call frames, 257 functions, a 520-byte stack, 544 bytes of
// stack in two frames, 1,000,001 processed instructions) opened from links, each refused
// with the kernel's message at its line and pc, while the page's thread never stalls; the
// debugger runs programs just inside them (8 frames with a throw at the bottom, 256
// functions); hostile links (prototype keys, deep nesting, a world nested past the options'
// depth) give a notice and a page that still works.
//
//   node --test web/tests/limits.test.mjs   (after make build-web)

import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { servePlayground, watch } from "./chromium.mjs";

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

const v2 = (value) => `#v2=${deflateRawSync(Buffer.from(typeof value === "string" ? value : JSON.stringify(value))).toString("base64url")}`;

/** main calling down a chain to `depth` frames; `bottom`: the deepest function's body. */
function chain(depth, bottom = "r0 = 0\nexit") {
  let s = "call f1\nr0 = 0\nexit\n";
  for (let i = 1; i < depth; i++) s += i + 1 < depth ? `f${i}:\ncall f${i + 1}\nr0 = 0\nexit\n` : `f${i}:\n${bottom}\n`;
  return s;
}

/** main and `count - 1` functions, each called from main. */
function functions(count) {
  let s = "";
  for (let i = 1; i < count; i++) s += `call f${i}\n`;
  s += "r0 = 0\nexit\n";
  for (let i = 1; i < count; i++) s += `f${i}:\nr0 = 0\nexit\n`;
  return s;
}

/** A page on `fragment`, with a heartbeat that records the longest stall of its thread. */
async function open(fragment) {
  const page = watch(await browser.context.newPage(), problems);
  await page.addInitScript(() => {
    localStorage.clear();
    const watch = { gap: 0 };
    window.__responsiveness = watch;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      watch.gap = Math.max(watch.gap, now - last);
      last = now;
    }, 20);
  });
  await page.goto(url + fragment);
  await page.locator("#bytecode-rows tr.insn, #diagnostics li").first().waitFor({ timeout: 60_000 });
  // From the first render on (start-up, the module's compiling, is not the point here).
  await page.evaluate(() => {
    window.__responsiveness.gap = 0;
  });
  return page;
}

/** The page's thread was never busy for 500 ms since its first render. */
async function responsive(page, what) {
  const { gap } = await page.evaluate(() => window.__responsiveness);
  assert.ok(gap < 500, `${what}: the page's thread stalled for ${gap.toFixed(0)} ms`);
}

const REFUSED = [
  ["9 call frames", chain(9), /29:1verifier · pc 21the call stack of 9 frames is too deep/],
  ["257 functions", functions(257), /256:1verifier · pc 255too many subprograms/],
  ["a 520-byte stack", "r1 = 0\n*(u64 *)(r10 - 520) = r1\nr0 = 0\nexit\n", /2:1verifier · pc 1invalid write to stack R10 off=-520 size=8/],
  [
    "544 bytes of stack in two frames",
    "r1 = 0\n*(u64 *)(r10 - 256) = r1\ncall f\nr0 = 0\nexit\nf:\nr1 = 0\n*(u64 *)(r10 - 288) = r1\nr0 = 0\nexit\n",
    /7:1verifier · pc 5combined stack size of 2 calls is 544\. Too large/,
  ],
  ["1,000,001 processed instructions", "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n", /4:1verifier · pc 2BPF program is too large\. Processed 1000001 insn/],
];

for (const [what, program, message] of REFUSED) {
  test(`just over a limit, from a link: ${what} is refused with the kernel's message at its line; the page stays responsive`, async () => {
    const page = await open(v2({ program, tab: "verifier", mode: "cleanup" }));
    await page.locator('#verdict[data-verdict="rejected"]').waitFor({ timeout: 120_000 });
    assert.match(await page.locator("#diagnostics").textContent(), message);
    assert.match(await page.locator("#status").textContent(), /verifier: rejected/);
    await responsive(page, what);
    // Still a working page: another mode verifies it again.
    await page.locator("#mode").selectOption("legacy");
    await page.waitForFunction(() => /^Rejected in legacy mode/.test(document.querySelector("#verdict").textContent), null, { timeout: 120_000 });
    await page.close();
  });
}

test("just inside the limits the debugger runs: 8 frames with a throw at the bottom, 256 functions", async () => {
  for (const [what, program] of [
    ["8 frames", `.ctx tc\n${chain(8, "r1 = 3\ncall bpf_throw\nr0 = 0\nexit")}`],
    ["256 functions", functions(256)],
  ]) {
    const page = await open(v2({ program, tab: "debugger", mode: "cleanup" }));
    await page.locator('#verdict[data-verdict="accepted"]').waitFor({ state: "attached", timeout: 60_000 });
    await page.locator("#debug-pause-on-throw").uncheck().catch(() => {});
    await page.locator("#debug-run").click();
    await page.waitForFunction(() => /exited|ended|returned/i.test(document.querySelector("#debug-status").textContent), null, { timeout: 60_000 });
    await responsive(page, what);
    await page.close();
  }
});

test("hostile links: a notice and a page that works", async () => {
  const cases = [
    [v2('{"program": "exit", "__proto__": {"mode": "legacy", "polluted": 1}}'), /unknown field "__proto__"/],
    [v2('{"program": "exit", "constructor": {"prototype": {"polluted": 1}}}'), /unknown field "constructor"/],
    [v2("[".repeat(100_000) + "]".repeat(100_000)), /its content is not (JSON text|an object)/],
    [v2({ program: "exit", budget: 1e308 }), /its budget is not a whole number/],
    [v2({ program: "exit", budget: -0 }), /its budget is not a whole number/],
  ];
  for (const [fragment, message] of cases) {
    const page = await open(fragment);
    await page.locator("#notice:not([hidden])").waitFor();
    assert.match(await page.locator("#notice-text").textContent(), message);
    assert.equal(await page.evaluate(() => ({}).polluted), undefined);
    await page.locator('#verdict[data-verdict="accepted"], #verdict[data-verdict="rejected"]').waitFor({ state: "attached", timeout: 60_000 });
    await page.close();
  }
  // A world nested past the options' depth (32), or past what JSON.parse with a reviver can
  // recurse into: the debugger says so (it said "The world is not JSON: Maximum call stack
  // size exceeded"), the page goes on.
  for (const [depth, said] of [
    [40, /invalid options: world\.tasks(\[0\])+: nested too deeply/],
    [5_000, /The world is nested too deeply to read/],
  ]) {
    const deep = "[".repeat(depth) + "]".repeat(depth);
    const page = await open(v2({ program: "r0 = 0\nexit\n", tab: "debugger", world: `{"tasks": ${deep}}` }));
    await page.locator('#verdict[data-verdict="accepted"]').waitFor({ state: "attached", timeout: 60_000 });
    await page.locator("#debug-run").click();
    await page.waitForFunction((said) => new RegExp(said).test(document.querySelector("#debugger-panel").textContent), said.source, { timeout: 30_000 });
    await responsive(page, "a deep world");
    await page.close();
  }
});

test("no console errors, page errors or failed requests", () => {
  assert.deepEqual(problems, []);
});
