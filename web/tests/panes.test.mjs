// Resizable panes (web/splitter.ts): the separator between the program and the output columns,
// and the one between the state at the cursor and the log in the Verifier tab. A mouse drag
// changes the widths, the keyboard moves it (arrows, Home, End), the size survives a reload,
// Enter and a double click reset it; the limits keep both parts usable; the phone layout hides
// it and an embed remembers nothing; axe-core finds no serious or critical violation.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../serve.mjs";
import { clearStorage, servePlayground, watch } from "./chromium.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site), { viewport: { width: 1280, height: 800 } });

const width = (page, selector) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().width);
const height = (page, selector) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().height);
const value = async (page, selector) => Number(await page.locator(selector).getAttribute("aria-valuenow"));
const stored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("unwind.panes.v1") ?? "null"));

async function ready(page) {
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });
}

async function audit(page, where) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) })),
  );
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `serious or critical axe violations (${where})`);
}

test("the main splitter: drag, keyboard, limits, remembered across a reload, reset", async () => {
  const page = await browser.context.newPage();
  watch(page, problems);
  await clearStorage(page, url);
  await page.goto(url);
  await ready(page);
  const split = page.locator("#split-main");
  assert.equal(await split.getAttribute("role"), "separator");
  assert.equal(await split.getAttribute("aria-orientation"), "vertical");
  assert.equal(await split.getAttribute("aria-controls"), "column-program");
  assert.equal(await split.getAttribute("tabindex"), "0");
  const min = Number(await split.getAttribute("aria-valuemin"));
  const max = Number(await split.getAttribute("aria-valuemax"));
  assert.ok(min > 10 && min < 40 && max > 60 && max < 90, `limits ${min}..${max}`);
  const before = await width(page, "#column-program");
  const initial = await value(page, "#split-main");
  assert.ok(Math.abs(initial - 48) <= 2, `the page's own split (1 : 1.1) is about 48%, not ${initial}`);

  // A mouse drag 200 pixels to the right widens the program column by about that much.
  const box = await split.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 100, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  const dragged = await width(page, "#column-program");
  assert.ok(Math.abs(dragged - before - 200) <= 3, `dragged from ${before} to ${dragged}`);
  assert.ok((await width(page, "#column-output")) < 1280 - dragged, "the output column gave the room");
  assert.ok((await value(page, "#split-main")) > initial + 10);
  assert.ok((await stored(page))?.main > 0.6, "remembered");
  await page.screenshot({ path: join(repoRoot, "target", "page-panes.png") });

  // Dragging far past the edge stops at the limit: the output column keeps its tabs.
  const box2 = await split.boundingBox();
  await page.mouse.move(box2.x + 5, box2.y + 50);
  await page.mouse.down();
  await page.mouse.move(1270, box2.y + 50, { steps: 5 });
  await page.mouse.up();
  assert.equal(await value(page, "#split-main"), max);
  const tabs = await page.locator(".disassembly-pane .tabs").evaluate((t) => [t.scrollWidth, t.clientWidth]);
  assert.ok(tabs[0] <= tabs[1], `the tabs are not clipped: ${tabs}`);
  for (const id of ["tab-source", "tab-log", "tab-verifier", "tab-debugger"]) {
    assert.ok(await page.locator(`#${id}`).isVisible());
  }

  // The keyboard: Home to the minimum, arrow keys by 2% steps, End to the maximum.
  await split.focus();
  await split.press("Home");
  assert.equal(await value(page, "#split-main"), min);
  assert.ok((await width(page, "#column-program")) >= 16 * 16 - 1, "the program column keeps its minimum");
  await split.press("ArrowRight");
  await split.press("ArrowRight");
  assert.ok(Math.abs((await value(page, "#split-main")) - (min + 4)) <= 1);
  await split.press("Shift+ArrowRight");
  assert.ok(Math.abs((await value(page, "#split-main")) - (min + 14)) <= 1);
  await split.press("ArrowLeft");
  const chosen = await value(page, "#split-main");
  assert.ok(Math.abs(chosen - (min + 12)) <= 1);
  const chosenWidth = await width(page, "#column-program");

  // The size survives a reload.
  await page.reload();
  await ready(page);
  assert.equal(await value(page, "#split-main"), chosen);
  assert.ok(Math.abs((await width(page, "#column-program")) - chosenWidth) <= 1);
  // The Debugger tab's own wider output column does not override the user's choice.
  await page.locator("#tab-debugger").click();
  assert.equal(await value(page, "#split-main"), chosen);

  // Enter resets to the page's own layout (the Debugger tab's: 0.62 : 1.38) and forgets it.
  await split.focus();
  await split.press("Enter");
  assert.ok(Math.abs((await value(page, "#split-main")) - 31) <= 2, `reset to the debugger's 31%`);
  assert.equal(await stored(page), null);
  await page.locator("#tab-source").click();
  await page.waitForFunction((v) => Math.abs(Number(document.querySelector("#split-main").getAttribute("aria-valuenow")) - v) <= 1, initial);

  // A double click resets too.
  await split.press("End");
  assert.equal(await value(page, "#split-main"), max);
  await split.dblclick();
  assert.ok(Math.abs((await value(page, "#split-main")) - initial) <= 1);
  assert.equal(await stored(page), null);

  await audit(page, "main page with the splitters");
  await page.close();
  assert.deepEqual(problems, []);
});

test("the state/log splitter in the Verifier tab", async () => {
  const page = await browser.context.newPage();
  watch(page, problems);
  await clearStorage(page, url);
  await page.goto(url);
  await ready(page);
  await page.locator("#tab-verifier").click();
  await page.locator("#source .cm-content").focus();
  await page.locator("#pc-state h3, #pc-state p").first().waitFor();
  const split = page.locator("#split-state");
  assert.equal(await split.getAttribute("aria-orientation"), "horizontal");
  assert.equal(await split.getAttribute("aria-controls"), "pc-state");
  const state = await height(page, "#pc-state");
  const log = await height(page, "#verifier-log");
  const box = await split.boundingBox();
  await page.mouse.move(box.x + 200, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y + box.height / 2 + 60, { steps: 5 });
  await page.mouse.up();
  const stateAfter = await height(page, "#pc-state");
  assert.ok(Math.abs(state + 60 - stateAfter) <= 3, `state ${state} -> ${stateAfter}`);
  assert.ok(Math.abs(log - 60 - (await height(page, "#verifier-log"))) <= 3);
  await page.screenshot({ path: join(repoRoot, "target", "page-panes-verifier.png") });
  // Arrow Down gives the state more room; Home shrinks it to its minimum, not to nothing.
  await split.focus();
  await split.press("ArrowDown");
  assert.ok((await height(page, "#pc-state")) > stateAfter);
  await split.press("Home");
  assert.ok((await height(page, "#pc-state")) >= 40, "the state keeps a few lines");
  await split.press("End");
  assert.ok((await height(page, "#verifier-log")) >= 6 * 15, "the log keeps six rows");
  const kept = await value(page, "#split-state");
  await page.reload();
  await ready(page);
  await page.locator("#tab-verifier").click();
  await split.focus();
  assert.equal(await value(page, "#split-state"), kept);
  await split.press("Enter");
  assert.equal(await stored(page), null);
  await audit(page, "verifier tab with the state splitter");
  await page.close();
  assert.deepEqual(problems, []);
});

test("phone and presentation layouts, and an embed that remembers nothing", async () => {
  const page = await browser.context.newPage();
  watch(page, problems);
  await clearStorage(page, url);
  await page.evaluate(() => localStorage.setItem("unwind.panes.v1", JSON.stringify({ main: 0.7 })));
  // A phone: the panes stack, the separator is hidden and the columns are the page's width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(url);
  await ready(page);
  assert.equal(await page.locator("#split-main").isVisible(), false);
  assert.ok(Math.abs((await width(page, "#column-program")) - (await width(page, "#column-output"))) <= 1, "stacked");
  // The presentation size at 960x540 keeps the remembered split within its limits.
  await page.setViewportSize({ width: 960, height: 540 });
  await page.locator("#present").click();
  await page.locator("#split-main").hover();
  const now = await value(page, "#split-main");
  assert.ok(now <= Number(await page.locator("#split-main").getAttribute("aria-valuemax")));
  assert.ok((await width(page, "#column-output")) >= 22 * 19 - 1, "the output column keeps its minimum at 19px text");
  await page.locator("#present").click();

  // An embed: the splitter works for the visit but writes nothing.
  await page.setViewportSize({ width: 760, height: 480 });
  await page.goto(`${url}?embed&panes=verifier,debugger`);
  await ready(page);
  const split = page.locator("#split-main");
  assert.equal(await split.isVisible(), true);
  const before = await width(page, "#column-program");
  await split.focus();
  await split.press("ArrowLeft");
  assert.ok((await width(page, "#column-program")) < before);
  const size = await page.locator("html").evaluate((html) => [html.scrollWidth, html.scrollHeight]);
  assert.ok(size[0] <= 760 && size[1] <= 480, `fits its box: ${size}`);
  assert.deepEqual(await stored(page), { main: 0.7 }, "the embed did not write its size");
  await audit(page, "embed with the splitter");
  await page.close();
  assert.deepEqual(problems, []);
});
