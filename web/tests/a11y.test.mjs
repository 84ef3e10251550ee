// Accessibility of the built page: axe-core (npm) in headless Chromium, in the light and the
// dark theme, on every tab (the Verifier tab with the state at the cursor, the Debugger tab
// after a run through a throw's unwinding) and in the presentation size. No serious or
// critical violation is allowed; milder ones are printed.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { servePlayground, watch } from "./chromium.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

/** axe's violations on the page as it is now: serious and critical ones, and the rest. */
async function audit(page, where) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    })),
  );
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of violations.filter((v) => !bad.includes(v))) {
    console.log(`axe (${where}): ${v.impact} ${v.id} on ${v.nodes.length} node(s)`);
  }
  assert.deepEqual(bad, [], `serious or critical axe violations (${where})`);
}

for (const scheme of ["light", "dark"]) {
  test(`no serious or critical axe violation, ${scheme} theme, every tab`, async () => {
    const page = await browser.context.newPage();
    watch(page, problems);
    await page.emulateMedia({ colorScheme: scheme });
    // From the defaults: the page remembers the theme and size in this context's storage.
    await page.addInitScript(() => localStorage.clear());
    await page.goto(url);
    await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
    await page.locator('#workspace[aria-busy="false"]').waitFor();
    await audit(page, `${scheme}, source tab`);

    await page.locator("#tab-log").click();
    await audit(page, `${scheme}, kernel log tab`);

    // The Verifier tab with the state at the cursor drawn.
    await page.locator("#tab-verifier").click();
    await page.locator("#source .cm-content").focus();
    await page.locator("#pc-state h3, #pc-state p").first().waitFor();
    await audit(page, `${scheme}, verifier tab`);

    // The Debugger tab after running the example's throw to the end (the unwinding shown).
    await page.locator("#tab-debugger").click();
    await page.locator("#debug-run").click();
    await page.locator("#debug-events li").first().waitFor({ timeout: 15_000 });
    await audit(page, `${scheme}, debugger tab after a run`);
    // Paused at the throw (the default): stepped into the unwinding, the unwinder's registers.
    await page.locator("#debug-status", { hasText: "Paused at bpf_throw" }).waitFor({ timeout: 15_000 });
    for (let i = 0; i < 3; i++) await page.locator("#unwind-next").click();
    await page.locator("#debug-registers .reg-note").waitFor();
    await audit(page, `${scheme}, debugger tab stepping an unwinding`);

    await page.locator("#present").click();
    await audit(page, `${scheme}, presentation size`);
    await page.close();
    assert.deepEqual(problems, []);
  });
}

test("no serious or critical axe violation in an embed", async () => {
  const page = await browser.context.newPage();
  watch(page, problems);
  await page.addInitScript(() => localStorage.clear());
  await page.setViewportSize({ width: 760, height: 480 });
  await page.goto(`${url}?embed&panes=verifier,debugger&readonly`);
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });
  await audit(page, "embed, verifier tab");
  await page.locator("#tab-debugger").click();
  await page.locator("#debug-run").click();
  await page.locator("#debug-events li").first().waitFor({ timeout: 15_000 });
  await audit(page, "embed, debugger tab after a run");
  await page.close();
  assert.deepEqual(problems, []);
});
