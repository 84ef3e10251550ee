// Browser test of the Verifier tab's log over a huge log (dist/, from `make build-web`): the
// 1,000,000-instruction limit at log level 2 writes about 1,500,000 lines; the page stays
// responsive, keeps only the rows in view in the DOM, scrolls to the end, searches the whole
// log in the worker and is driven from the keyboard.
//
//   node --test web/tests/log.test.mjs

import assert from "node:assert/strict";
import { test } from "node:test";
import { servePlayground, watch, fillSource } from "./chromium.mjs";
import { LIMIT_PROGRAM } from "./programs.mjs";

let url;
let context;
const problems = [];

servePlayground((site) => {
  url = site.url;
  context = site.browser.context;
});


/** The editor's caret line (1-based). */
function caretLine(page) {
  return page.locator("#source").evaluate((host) => host.value.slice(0, host.selectionStart).split("\n").length);
}

/** `row` lies within the log's visible box. */
async function inView(log, row) {
  const outer = await log.boundingBox();
  const inner = await row.boundingBox();
  return inner !== null && inner.y >= outer.y - 1 && inner.y + inner.height <= outer.y + outer.height + 1;
}

test("a 1,500,000-line log: responsive, a bounded DOM, the end, search and the keyboard", async () => {
  const page = await context.newPage();
  watch(page, problems);
  await page.addInitScript(() => localStorage.clear());
  await page.goto(url);
  await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
  await page.locator("#tab-verifier").click();
  const log = page.locator("#verifier-log");

  // From here on the page's thread must never be busy for 200 ms: a heartbeat every 20 ms
  // records the longest gap, and the long tasks the browser reports are kept.
  await page.evaluate(() => {
    const watch = { gap: 0, longTask: 0 };
    window.__responsiveness = watch;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      watch.gap = Math.max(watch.gap, now - last);
      last = now;
    }, 20);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) watch.longTask = Math.max(watch.longTask, entry.duration);
    }).observe({ type: "longtask" });
  });

  await fillSource(page, LIMIT_PROGRAM);
  await page.locator('#verdict[data-verdict="rejected"]').waitFor({ timeout: 120_000 });
  const lineCount = Number(await log.locator(".log-line").first().getAttribute("aria-setsize"));
  assert.ok(lineCount > 1_000_000, `${lineCount} lines`);
  assert.match(await log.textContent(), /^func#0 @0$/m, "the log's first line");

  // Only the rows in view and a few more are in the DOM; the spacer is as tall as allowed.
  const rows = () => log.locator(".log-line").count();
  assert.ok((await rows()) < 500, `${await rows()} rows in the DOM`);
  assert.ok((await log.evaluate((el) => el.scrollHeight)) > 1_000_000, "the scrollbar spans the log");

  // Scrolled to the end, the last line shows its text (fetched from the worker).
  await log.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  const last = log.locator(`.log-line[aria-posinset="${lineCount}"]:not(.pending)`);
  await last.waitFor({ timeout: 30_000 });
  assert.match(await last.textContent(), /^processed 1000001 insns \(limit 1000000\)/);
  assert.ok(await inView(log, last), "the last line in view");
  // The page's layout moving under the log (the view 60 px shorter) keeps the end in view:
  // the scroll position maps to other lines once the view's height changes.
  await log.evaluate((el) => {
    el.style.maxHeight = `${el.clientHeight - 60}px`;
  });
  await page.waitForFunction(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true)))));
  assert.ok(await inView(log, last), "the last line in view after the view shrank");
  await log.evaluate((el) => {
    el.style.maxHeight = "";
  });
  assert.ok((await rows()) < 500, `${await rows()} rows in the DOM at the end`);

  // A search over the whole log (in the worker, case-insensitive) goes to a line that only
  // the log's last fifth holds, at none of the windows the verification sent.
  await log.evaluate((el) => {
    el.scrollTop = 0;
  });
  const search = page.getByLabel("Find in log");
  await search.fill("r1_w=0x60000");
  await search.press("Enter");
  const status = page.locator("#log-search-status");
  await page.waitForFunction(() => /^1 of 3 matches$/.test(document.querySelector("#log-search-status").textContent));
  const found = log.locator(".log-line.active");
  await found.locator("mark").waitFor({ timeout: 30_000 });
  assert.equal(Number(await found.getAttribute("aria-posinset")), 1_179_649);
  assert.match(await found.textContent(), /^1: \(07\) r1 \+= 1 +; R1_w=0x60000$/m);
  assert.ok(await inView(log, found), "scrolled into view");
  await search.press("Enter");
  assert.equal(await status.textContent(), "2 of 3 matches");
  await search.press("Shift+Enter");
  await search.press("Shift+Enter");
  assert.equal(await status.textContent(), "3 of 3 matches", "around the start");
  await search.press("Escape");
  assert.equal(await search.inputValue(), "");
  assert.equal(await status.textContent(), "");

  // The keyboard: End goes to the last line, ArrowUp to a pc's line, Enter to its source.
  await log.focus();
  await log.press("End");
  await last.waitFor();
  assert.equal(await log.locator(".log-line.active").getAttribute("aria-posinset"), String(lineCount));
  for (let i = 0; i < 5 && (await log.locator(".log-line.active[data-pc]").count()) === 0; i++) {
    await log.press("ArrowUp");
  }
  const pcLine = log.locator(".log-line.active[data-pc]");
  assert.equal(await pcLine.getAttribute("data-pc"), "1");
  assert.ok(await inView(log, pcLine), "the keyboard's line in view");
  assert.equal(await log.getAttribute("aria-activedescendant"), await pcLine.getAttribute("id"));
  assert.notEqual(await caretLine(page), 3);
  await log.press("Enter");
  await page.waitForFunction(
    () => document.querySelector("#source").value.slice(0, document.querySelector("#source").selectionStart).split("\n").length === 3,
  );
  // The caret's pc is marked in the log.
  await log.locator(".log-line.active.current[data-pc='1']").waitFor({ timeout: 10_000 });
  await log.focus();
  await log.press("Home");
  assert.equal(await log.locator(".log-line.active").getAttribute("aria-posinset"), "1");
  await log.press("PageDown");
  assert.ok(Number(await log.locator(".log-line.active").getAttribute("aria-posinset")) > 5, "a page down");

  const { gap, longTask } = await page.evaluate(() => window.__responsiveness);
  assert.ok(gap < 200, `the page's thread answered within ${gap.toFixed(0)} ms`);
  assert.ok(longTask < 200, `the longest task took ${longTask.toFixed(0)} ms`);
  console.log(`log: ${lineCount} lines; longest heartbeat gap ${gap.toFixed(0)} ms, longest task ${longTask.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});
