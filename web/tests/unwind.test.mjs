// Browser test of stepping through a throw's unwinding in the Debugger tab (web/debugger.ts):
// Pause on throw, Previous/Next event by keyboard, the unwinder's R6-R9 per restore, pointer
// labels (from the states and from the events' addresses), the speed of Play, and reduced motion.
//
//   node --test web/tests/unwind.test.mjs   (after scripts/build-web.sh)

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../serve.mjs";
import { servePlayground, watch } from "./chromium.mjs";
import { CALLEE_SAVED_UNWINDING } from "./programs.mjs";

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

/** callee-saved.s's unwinding, one event per Next. */
const UNWINDING = CALLEE_SAVED_UNWINDING;

async function openExample(reducedMotion = "no-preference") {
  const page = await browser.context.newPage();
  await page.emulateMedia({ reducedMotion });
  watch(page, problems);
  await page.addInitScript(() => localStorage.clear());
  await page.goto(url);
  await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
  const value = await page.locator("#example option", { hasText: "R6-R9" }).evaluate((o) => o.value);
  await page.locator("#example").selectOption(value);
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 10_000 });
  await page.locator("#tab-debugger").click();
  await page.locator("#debug-status .mode-chip").waitFor({ timeout: 10_000 });
  await idle(page);
  return page;
}

async function idle(page) {
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 30_000 });
}

/** The revealed (outlined) event's kind and how many events the list shows. */
async function revealed(page) {
  return page.locator("#debugger-panel").evaluate((panel) => ({
    kind: panel.querySelector("#debug-events .revealed")?.dataset.kind ?? null,
    text: panel.querySelector("#debug-events .revealed .text")?.textContent ?? null,
    count: panel.querySelectorAll("#debug-events li.event").length,
  }));
}

async function register(page, name) {
  const cell = page.locator(`#debug-registers .reg[data-reg="${name}"]`);
  return { value: await cell.locator(".value").textContent(), changed: await cell.evaluate((c) => c.classList.contains("changed")) };
}

test("pause on throw, then step through the unwinding by keyboard, forward and back", async () => {
  const page = await openExample();
  assert.ok(await page.locator("#debug-pause-on-throw").isChecked(), "Pause on throw is on by default");
  assert.ok(await page.locator("#unwind-controls").isHidden(), "no unwinding yet");
  // A breakpoint on level2's bpf_throw: the debugger sees the three resources live (and their
  // addresses, for the pointer labels), then Run reaches the throw.
  await page.locator("#source").evaluate((editor) => {
    editor.focus();
    const at = editor.value.split("\n").slice(0, 39).join("\n").length + 1;
    editor.setSelectionRange(at, at);
  });
  await page.keyboard.press("Control+b");
  assert.equal(await page.locator("#source").getAttribute("data-breakpoints"), "40");
  await page.keyboard.press("F8");
  await page.locator("#debug-status", { hasText: /breakpoint/ }).waitFor({ timeout: 10_000 });
  await idle(page);
  await page.keyboard.press("F8");
  const status = page.locator("#debug-status");
  await status.filter({ hasText: /Paused at bpf_throw \(pc \d+\): step through the unwinding/ }).waitFor({ timeout: 10_000 });
  await idle(page);
  assert.equal(await status.getAttribute("data-kind"), "unwinding");
  assert.ok(await page.locator("#unwind-controls").isVisible());
  assert.ok(await page.locator("#unwind-previous").isDisabled());
  assert.equal((await page.locator("#debug-events li.event").evaluateAll((l) => l.map((li) => li.dataset.kind))).includes("throw"), false);
  // The pc names its numbering.
  assert.match(await status.locator(".insn").first().getAttribute("title"), /as loaded/);
  const before = (await revealed(page)).count;
  assert.equal(await page.locator("#debug-events-title .pc-numbering-note").textContent(), "pcs as loaded");
  // What a tour would follow: the pane's unwind-event-shown events.
  await page.locator("#debugger-panel").evaluate((panel) => {
    window.shownEvents = [];
    panel.addEventListener("unwind-event-shown", (e) => window.shownEvents.push([e.detail.event.kind, e.detail.index]));
  });

  // Keyboard only: the focus on the unwinding controls, `.` reveals the next event.
  await page.locator("#unwind-next").focus();
  for (let i = 0; i < UNWINDING.length; i++) {
    await page.keyboard.press(".");
    const now = await revealed(page);
    assert.equal(now.kind, UNWINDING[i], `press ${i + 1}`);
    assert.equal(now.count, before + i + 1, `one event per press (${i + 1})`);
    if (now.kind === "restore_regs") {
      // The registers pane shows the values the restore put back, highlighted.
      const pairs = [...now.text.matchAll(/\b(r[6-9])=(\S+)/g)];
      assert.ok(pairs.length > 0, now.text);
      for (const [, name, value] of pairs) {
        const cell = await register(page, name);
        assert.equal(cell.value.split(" ")[0], value, `${name} after ${now.text}`);
        assert.ok(cell.changed, `${name} highlighted`);
      }
      if (i === 2) {
        // The trampoline's saved area: level2's object in r8, labelled with the resource.
        assert.match((await register(page, "r8")).value, /^0x[0-9a-f]+ → object#3 \(acquired pc \d+\)$/);
        assert.match(now.text, /r8=0x[0-9a-f]+ → object#3/);
        await page.screenshot({ path: join(repoRoot, "target", "page-debugger-stepping.png") });
      }
    }
    if (i === 4) {
      // The unwinder released the object from r8: it is cleared.
      assert.deepEqual(await register(page, "r8"), { value: "0", changed: true });
    }
  }
  assert.ok(await page.locator("#unwind-next").isDisabled(), "the exit is the last event");
  assert.deepEqual(await page.evaluate(() => window.shownEvents), UNWINDING.map((kind, i) => [kind, before + i]));
  assert.match(await status.textContent(), /Exited, r0 = 7/);

  // `,` goes back one event at a time, all the way to the throw.
  await page.locator("#unwind-previous").focus();
  for (let i = UNWINDING.length - 2; i >= 0; i--) {
    await page.keyboard.press(",");
    const now = await revealed(page);
    assert.equal(now.kind, UNWINDING[i], `back to ${i}`);
    assert.equal(now.count, before + i + 1);
  }
  await page.keyboard.press(",");
  await status.filter({ hasText: /Paused at bpf_throw/ }).waitFor({ timeout: 5_000 });
  assert.equal((await revealed(page)).count, before);
  assert.ok(await page.locator("#unwind-previous").isDisabled());
  // The buttons do the same.
  await page.locator("#unwind-next").click();
  assert.equal((await revealed(page)).kind, "throw");
  await page.locator("#unwind-previous").click();
  assert.equal((await revealed(page)).count, before);

  // The speed sets Play's delay (remembered): 4x plays everything faster than 0.25x shows three events.
  await page.locator("#unwind-speed").selectOption("0.25");
  assert.equal(await page.locator("#debugger-panel").getAttribute("data-step-ms"), "2600");
  let started = Date.now();
  await page.locator("#unwind-play").focus();
  await page.keyboard.press("p");
  await page.locator('#debugger-panel[data-unwind-index="' + (before + 2) + '"]').waitFor({ timeout: 10_000 });
  const slowThree = Date.now() - started;
  await page.keyboard.press("p"); // pause
  assert.equal(await page.locator("#unwind-play").textContent(), "▶ Play");
  for (let i = 0; i < 3; i++) await page.locator("#unwind-previous").click();
  assert.equal((await revealed(page)).count, before);
  await page.locator("#unwind-speed").selectOption("4");
  assert.equal(await page.locator("#debugger-panel").getAttribute("data-step-ms"), "163");
  assert.deepEqual(JSON.parse(await page.evaluate(() => localStorage.getItem("unwind.unwinding.v1"))), { pauseOnThrow: true, speed: 4 });
  started = Date.now();
  await page.locator("#unwind-play").click();
  await page.locator("#unwind-next:disabled").waitFor({ timeout: 10_000 });
  await idle(page);
  const fastAll = Date.now() - started;
  assert.ok(slowThree >= 5_000, `0.25x: ${slowThree} ms for three events`);
  assert.ok(fastAll < slowThree, `4x: all ${UNWINDING.length} events in ${fastAll} ms, 0.25x: three in ${slowThree} ms`);
  assert.match(await status.textContent(), /Exited, r0 = 7/);
  await page.close();
});

test("with reduced motion the unwinding shows at once, and can still be stepped back and forth", async () => {
  const page = await openExample("reduce");
  await page.locator("#debug-run").click();
  await page.locator("#debug-status", { hasText: /Exited, r0 = 7/ }).waitFor({ timeout: 10_000 });
  await idle(page);
  // Everything at once, the stepping controls still there: back one event and forward again.
  assert.ok(await page.locator("#unwind-controls").isVisible());
  assert.ok(await page.locator("#unwind-next").isDisabled());
  const all = (await revealed(page)).count;
  await page.locator("#unwind-previous").click();
  assert.deepEqual([(await revealed(page)).kind, (await revealed(page)).count], ["exception_callback", all - 1]);
  assert.match(await page.locator("#debug-status").textContent(), /Unwinding: exception callback/);
  // Play with reduced motion: the rest at once.
  await page.locator("#unwind-play").click();
  assert.equal((await revealed(page)).count, all);
  assert.match(await page.locator("#debug-status").textContent(), /Exited, r0 = 7/);
  // The debugger's own Back still undoes a step of the machine.
  await page.locator("#debug-back").click();
  await idle(page);
  assert.match(await page.locator("#debug-status").textContent(), /pc \d+/);
  assert.ok(await page.locator("#unwind-controls").isHidden(), "the throw is undone");
  await page.close();
});

test("after a plain Run, pointers are labelled from the events' addresses (no state showed them live)", async () => {
  const page = await openExample();
  // No breakpoint: Run goes straight to the throw (Pause on throw), so no state the page
  // received had the three resources live; their addresses come from the acquire events.
  await page.locator("#debug-run").click();
  const status = page.locator("#debug-status");
  await status.filter({ hasText: /Paused at bpf_throw/ }).waitFor({ timeout: 10_000 });
  await idle(page);
  await page.locator("#unwind-next").focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press(".");
  const now = await revealed(page);
  assert.equal(now.kind, "restore_regs");
  // The trampoline's saved area: level2's object in r8, still live at this event.
  assert.match((await register(page, "r8")).value, /^0x[0-9a-f]+ → object#3 \(acquired pc 19\)$/);
  assert.match(now.text, /r7=0x[0-9a-f]+ → cgroup#2 \(acquired pc 10\)/);
  assert.match(now.text, /r8=0x[0-9a-f]+ → object#3 \(acquired pc 19\)/);
  // The acquire events of world objects carry their count (the world's reference included).
  const texts = await page.locator("#debug-events li.event .text").allTextContents();
  assert.ok(texts.includes("acquire task#1 ← bpf_task_from_pid, count 2"), texts.join("\n"));
  // To the end: the list's restore events say what became of each pointer.
  await page.locator("#unwind-play").click();
  await page.locator("#unwind-next:disabled").waitFor({ timeout: 20_000 });
  await idle(page);
  const restores = await page.locator('#debug-events li.event[data-kind="restore_regs"] .text').allTextContents();
  assert.ok(restores.some((t) => /r8=0x[0-9a-f]+ → object#3 \(released\)/.test(t)), restores.join("\n"));
  assert.ok(restores.some((t) => /r6=0x[0-9a-f]+ → task#1 \(released\)/.test(t)), restores.join("\n"));
  await page.close();
});

test("no console errors, page errors or failed requests", () => {
  assert.deepEqual(problems, []);
});
