// Browser test of the guided tours (web/tours.ts, docs/tours.md): every example's tour parses
// and its lines exist; the loophole's tour walked with the keyboard only (mode switches change
// the verdict, run steps follow the unwinding as it is stepped); a plain run reaching a run
// step; a malformed tour file named in a notice; axe-core while a tour is open.
//
//   node --test web/tests/tours.test.mjs   (after scripts/build-web.sh)

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";
import { repoRoot } from "../serve.mjs";
import { servePlayground, watch } from "./chromium.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

const examples = JSON.parse(readFileSync(join(repoRoot, "static/examples/index.json"), "utf8"));

async function openExample(title, { reducedMotion = "no-preference", route } = {}) {
  const page = await browser.context.newPage();
  await page.emulateMedia({ reducedMotion });
  watch(page, problems);
  await page.addInitScript(() => localStorage.clear());
  if (route) await page.route(route.pattern, (r) => r.fulfill({ status: 200, contentType: "application/json", body: route.body }));
  await page.goto(url);
  await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
  const value = await page.locator("#example option", { hasText: title }).evaluate((o) => o.value);
  await page.locator("#example").selectOption(value);
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 10_000 });
  return page;
}

async function step(page) {
  const panel = page.locator("#tour");
  return {
    step: Number(await panel.getAttribute("data-step")),
    text: await page.locator("#tour-text").textContent(),
    status: (await page.locator("#tour-status").isVisible()) ? await page.locator("#tour-status").textContent() : null,
    kind: await page.locator("#tour-status").getAttribute("data-kind"),
  };
}

/** Waits until the tour shows step `n` with its check in state `kind` (null: no check). */
async function reach(page, n, kind) {
  await page.waitForFunction(
    ([n, kind]) => {
      const panel = document.querySelector("#tour");
      const status = document.querySelector("#tour-status");
      return panel.dataset.step === String(n) && (kind === null ? status.hidden : status.dataset.kind === kind);
    },
    [n, kind],
    { timeout: 15_000 },
  ).catch(async (e) => {
    throw new Error(`${e.message}; want step ${n} ${kind}, have ${JSON.stringify(await step(page))}; events ${await page.locator("#debug-events").textContent()}`);
  });
  return step(page);
}

async function seriousViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () =>
    (await window.axe.run(document)).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`),
  );
}

test("every example's tour file passes the page's own check and points at lines of its program", async () => {
  // web/tours.ts's parseTour, bundled for node by esbuild (the page's bundle exports nothing).
  const bundled = await build({ entryPoints: [join(repoRoot, "web/tours.ts")], bundle: true, write: false, format: "esm", logLevel: "silent" });
  const { parseTour } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString("base64")}`);
  assert.match(parseTour({ title: "t", steps: [{ text: "x", on: { run: "throw", nth: 0 } }] }).problem, /step 1: "on" "nth" must be 1 or more/);
  const toured = examples.filter((e) => e.tour !== undefined);
  assert.ok(toured.length >= 5, "the article's five scenarios have tours");
  for (const example of toured) {
    const outcome = parseTour(JSON.parse(readFileSync(join(repoRoot, "static/examples", example.tour), "utf8")));
    assert.equal(outcome.problem, undefined, example.tour);
    const lines = readFileSync(join(repoRoot, "static/examples", example.file), "utf8").split("\n");
    for (const [i, s] of outcome.tour.steps.entries()) {
      if (s.line !== undefined) assert.ok(s.line <= lines.length && lines[s.line - 1].trim() !== "", `${example.tour} step ${i + 1}: line ${s.line} has code`);
    }
  }
});

test("the loophole's tour, keyboard only: legacy accepts and leaks, upstream refuses, cleanup releases", async () => {
  const page = await openExample("global-subprog loophole");
  const open = page.locator("#tour-open");
  await open.waitFor({ state: "visible", timeout: 10_000 });
  await open.focus();
  await page.keyboard.press("Enter");
  assert.equal(await open.getAttribute("aria-expanded"), "true");
  let now = await reach(page, 1, null);
  assert.match(now.text, /bpf_obj_new/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "tour-next", "the focus starts on Next");
  // The step's line is marked in the editor.
  assert.equal(await page.locator(".cm-tour-line").count(), 1);
  assert.match(await page.locator(".cm-tour-line").textContent(), /\*\(u64 \*\)\(r10 - 8\) = r0/);

  await page.keyboard.press("n");
  await reach(page, 2, null);
  await page.keyboard.press("Alt+ArrowLeft");
  await reach(page, 1, null);
  await page.keyboard.press("Alt+ArrowRight");
  await page.keyboard.press("n");
  await reach(page, 3, null);

  // Step 4 switches to legacy: accepted.
  await page.keyboard.press("n");
  now = await reach(page, 4, "reached");
  assert.equal(await page.locator("#mode").inputValue(), "legacy");
  assert.match(now.status, /accepted \(in legacy mode\)/);
  assert.equal(await page.locator("#tab-verifier").getAttribute("aria-selected"), "true");

  // Step 5: Run pauses at the throw; the tour waits until the throw is on screen.
  await page.keyboard.press("n");
  now = await reach(page, 5, "waiting");
  assert.equal(await page.locator("#tab-debugger").getAttribute("aria-selected"), "true");
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 15_000 });
  await page.keyboard.press("F8");
  await page.locator("#unwind-controls").waitFor({ state: "visible", timeout: 15_000 });
  assert.equal((await step(page)).kind, "waiting", "paused before the throw's event");
  await page.keyboard.press(".");
  now = await reach(page, 5, "reached");
  assert.match(now.status, /Reached: .*throw.*cookie 3/);
  // Stepping the unwinding: the tour moves on by itself to the leak.
  for (let i = 0; i < 10 && (await step(page)).step === 5; i++) await page.keyboard.press(".");
  now = await reach(page, 6, "reached");
  assert.match(now.status, /LEAK object#1, acquired at pc 2/);

  // P goes back (and does not play the unwinding), N forward again.
  await page.keyboard.press("p");
  await reach(page, 5, "reached");
  assert.equal(await page.locator("#debugger-panel").getAttribute("data-animating"), null);
  await page.keyboard.press("n");
  await reach(page, 6, "reached");

  // Step 7: upstream refuses, on line 18.
  await page.keyboard.press("n");
  now = await reach(page, 7, "reached");
  assert.equal(await page.locator("#mode").inputValue(), "upstream");
  assert.match(now.status, /rejected: bpf_throw would lead to reference leak \(in upstream mode\)/);
  assert.match(await page.locator(".cm-tour-line").textContent(), /call global_may_throw/);

  // Step 8: cleanup records a descriptor on line 18.
  await page.keyboard.press("n");
  now = await reach(page, 8, "reached");
  assert.match(now.status, /frame descriptor on line 18 in cleanup mode/);
  assert.deepEqual(await seriousViolations(page), [], "axe during the tour");

  // Steps 9-11: Run, the throw, the unwinder's release, the exception callback.
  await page.keyboard.press("n");
  await reach(page, 9, "waiting");
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 15_000 });
  await page.keyboard.press("F8");
  await page.locator("#unwind-controls").waitFor({ state: "visible", timeout: 15_000 });
  await page.keyboard.press(".");
  await reach(page, 9, "reached");
  for (let i = 0; i < 12 && (await step(page)).step < 11; i++) await page.keyboard.press(".");
  now = await reach(page, 11, "reached");
  assert.match(now.status, /exception callback/);
  assert.equal(await page.locator("#tour-next").textContent(), "Finish");
  // The release step was passed on the way, with its event.
  await page.keyboard.press("p");
  now = await reach(page, 10, "reached");
  assert.match(now.status, /release object#1 → bpf_obj_drop \(by the unwinder, fp-8 of frame 0\)/);
  await page.keyboard.press("n");
  await page.keyboard.press("n");
  await page.locator("#tour").waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement?.id), "tour-open", "Finish gives the focus back");
  assert.equal(await page.locator(".cm-tour-line").count(), 0);
  await page.close();
  assert.deepEqual(problems, []);
});

test("a plain run reaches a run step at once; the runtime table's updates are counted", async () => {
  const page = await openExample("runtime tracking", { reducedMotion: "reduce" });
  await page.locator("#tour-open").click();
  await page.keyboard.press("n");
  await reach(page, 2, "reached");
  assert.equal(await page.locator("#mode").inputValue(), "cleanup");
  await page.keyboard.press("n");
  await reach(page, 3, "waiting");
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 15_000 });
  await page.keyboard.press("F8");
  const now = await reach(page, 3, "reached");
  assert.match(now.status, /exit, r0 = 0/);
  assert.doesNotMatch(await page.locator("#debug-status").textContent(), /table updates/);
  await page.keyboard.press("n");
  await reach(page, 4, "reached");
  await page.keyboard.press("n");
  await reach(page, 5, "waiting");
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 15_000 });
  await page.keyboard.press("F8");
  await reach(page, 5, "reached");
  await page.locator("#debug-status", { hasText: /20 table updates/ }).waitFor({ timeout: 5_000 });
  await page.close();
  assert.deepEqual(problems, []);
});

test("a malformed tour is named in a notice and offers no Tour button", async () => {
  const body = JSON.stringify({ title: "Broken", steps: [{ text: "fine" }, { text: "bad", line: 0 }] });
  const page = await openExample("merging with NULL", { route: { pattern: "**/null-merge.tour.json", body } });
  await page.locator(".notice", { hasText: /null-merge\.tour\.json: step 2: "line" must be a line number/ }).waitFor({ timeout: 10_000 });
  assert.ok(await page.locator("#tour-open").isHidden());
  // The example itself works.
  assert.ok((await page.locator("#bytecode-rows tr.insn").count()) > 0);
  await page.close();
});
