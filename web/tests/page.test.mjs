// Browser test of the built playground (dist/, from `make build-web`): serves it on a free
// port, drives Debian's Chromium through playwright-core (which never downloads a browser) and
// checks what a person would see. Screenshots go to target/page*.png.
//
//   node --test web/tests/

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { repoRoot } from "../serve.mjs";
import { servePlayground, watch, fillSource, sourceText } from "./chromium.mjs";
import { CALLEE_SAVED_UNWINDING } from "./programs.mjs";

const SCREENSHOTS = join(repoRoot, "target");

let url;
let browser;
let context;
/** Every console error, page error and failed request of every page, as text. */
const problems = [];

servePlayground((site) => {
  ({ url, browser } = site);
  context = browser.context;
});
before(() => mkdir(SCREENSHOTS, { recursive: true }));

async function openPage({ colorScheme = "light", reducedMotion = "no-preference", pauseOnThrow = false } = {}) {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme, reducedMotion });
  watch(page, problems);
  // Every page starts from the first example: the page remembers the last program in local
  // storage, which this context shares between pages (web/tests/share.test.mjs tests that).
  // These tests look at whole runs: a throw's unwinding plays without pausing (the pause and
  // the stepping are web/tests/unwind.test.mjs's).
  await page.addInitScript((pause) => {
    localStorage.clear();
    if (!pause) localStorage.setItem("unwind.unwinding.v1", JSON.stringify({ pauseOnThrow: false, speed: 1 }));
  }, pauseOnThrow);
  await page.goto(url);
  // The example is loaded and assembled: the bytecode pane lists its instructions.
  await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
  return page;
}

/** Waits until the page has drawn the result of the latest edit. */
async function idle(page) {
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 10_000 });
}

/** Puts the caret at the end of the editor's text. */
async function caretToEnd(page) {
  await page.locator("#source").evaluate((textarea) => {
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  });
}

test("the example loads and assembles into bytecode and disassembly", async () => {
  const page = await openPage();
  // Time to the first drawn result (the default example assembled, verified and shown), from
  // the navigation's start; BENCHMARKS.md records it. Printed, not asserted (a shared CI
  // machine's load is not the page's speed).
  const firstRender = await page.waitForFunction(
    () => performance.getEntriesByName("unwind:first-result")[0]?.startTime,
  );
  console.log(`first render with the default example: ${Math.round(await firstRender.jsonValue())} ms`);
  const source = await sourceText(page);
  assert.match(source, /call bpf_throw/, "the first example is in the editor");

  const rows = page.locator("#bytecode-rows tr.insn");
  assert.ok((await rows.count()) >= 10, "one row per instruction");
  const first = rows.first();
  assert.equal(await first.locator("td.pc").textContent(), "0");
  assert.match(await first.locator("td.bytes").textContent(), /^[0-9a-f]{2}( [0-9a-f]{2}){7}$/);
  // ld_imm64 (the map load) shows 16 bytes, on two lines.
  const wide = page.locator("#bytecode-rows td.bytes", { hasText: /^18 / });
  assert.match(await wide.first().textContent(), /^18( [0-9a-f]{2}){7}\n[0-9a-f]{2}( [0-9a-f]{2}){7}$/);
  assert.match(await page.locator("#bytecode-rows").textContent(), /on_exception/);

  const disassembly = await page.locator("#disasm-source").textContent();
  assert.match(disassembly, /call bpf_map_lookup_elem/);
  assert.match(disassembly, /exit/);

  // The kernel-log tab, by keyboard.
  await page.locator("#tab-source").focus();
  await page.keyboard.press("ArrowRight");
  assert.ok(await page.locator("#disasm-log").isVisible());
  assert.ok(await page.locator("#disasm-source").isHidden());
  assert.match(await page.locator("#disasm-log").textContent(), /^0: \(bf\) r6 = r1/m);
  await page.keyboard.press("ArrowLeft");

  assert.match(await page.locator("#status").textContent(), /^Assembled \d+ instructions/);
  assert.equal(await page.locator("#diagnostics .diagnostic").count(), 0);
  assert.match(await page.locator("#version").textContent(), /^unwind \d+\.\d+\.\d+/);
  await page.screenshot({ path: join(SCREENSHOTS, "page.png") });
  await page.close();
});

test("an error shows as a diagnostic with line and column, and clicking it focuses the line", async () => {
  const page = await openPage();
  const lines = (await sourceText(page)).split("\n").length;
  await caretToEnd(page);
  await page.keyboard.type("\n    r11 = 0");
  const diagnostic = page.locator("#diagnostics .diagnostic").first();
  await diagnostic.waitFor({ timeout: 10_000 });
  const errorLine = lines + 1;
  assert.equal(await diagnostic.locator(".location").textContent(), `${errorLine}:5`);
  assert.match(await diagnostic.locator(".message").textContent(), /r11/);
  assert.match(await page.locator("#status").textContent(), /^1 error/);
  // Underlined in the text, marked in the gutter.
  assert.equal(await page.locator("#source .cm-lintRange-error").textContent(), "r11");
  assert.equal(await page.locator("#source .cm-lint-marker-error").count(), 1);
  // The last good program stays visible, marked stale.
  assert.ok(await page.locator("#bytecode-pane.stale").isVisible());
  await page.screenshot({ path: join(SCREENSHOTS, "page-error.png") });

  // Clicking the diagnostic puts the caret on that line and column in the editor.
  await page.locator("#source").evaluate((textarea) => textarea.setSelectionRange(0, 0));
  await diagnostic.click();
  const caret = await page.locator("#source").evaluate((textarea) => ({
    focused: textarea.contains(document.activeElement),
    before: textarea.value.slice(0, textarea.selectionStart),
    selected: textarea.value.slice(textarea.selectionStart, textarea.selectionEnd),
  }));
  assert.ok(caret.focused, "the editor has focus");
  assert.equal(caret.before.split("\n").length, errorLine);
  assert.match(caret.selected, /^r11/);

  // Fix it and assemble at once with Ctrl+Enter.
  await page.keyboard.press("Backspace");
  await page.keyboard.type("r1 ");
  await page.keyboard.press("Control+Enter");
  // It assembles; the verifier's refusal (an instruction after the last exit) is what the
  // Diagnostics list shows now, never "No problems." for a refused program.
  await page.locator("#diagnostics .diagnostic.refusal").first().waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("#diagnostics .diagnostic:not(.refusal)").count(), 0);
  assert.equal(await page.locator("#source .cm-lint-marker-error").count(), 1, "the refused line is marked");
  assert.equal(await page.locator("#bytecode-pane.stale").count(), 0);
  await page.close();
});

test("the syntax selector and the other examples work", async () => {
  const page = await openPage();
  // Forcing the uBPF syntax on the pseudo-C example is an error at line and column.
  await page.locator("#syntax").selectOption("ubpf");
  await page.locator("#diagnostics .diagnostic").first().waitFor({ timeout: 10_000 });
  assert.match(await page.locator("#status").textContent(), /uBPF/);

  // Every example assembles without a diagnostic, in the syntax its file is written in.
  const examples = await page.locator("#example option").evaluateAll((options) => options.map((o) => o.value));
  assert.ok(examples.length >= 3);
  const detected = { s: /pseudo-C|uBPF/, hex: /hex/ };
  for (const value of examples.reverse()) {
    await page.locator("#example").selectOption(value);
    const { file } = JSON.parse(value);
    await idle(page);
    // No assembler diagnostic (a refused example lists the verifier's refusal instead).
    assert.equal(await page.locator("#diagnostics .diagnostic:not(.refusal)").count(), 0, file);
    assert.ok((await page.locator("#bytecode-rows tr.insn").count()) > 0, file);
    assert.match(await page.locator("#status").textContent(), /^Assembled/, file);
    assert.match(await page.locator("#status").textContent(), detected[file.split(".").pop()], file);
  }
  await page.close();
});

test("the verifier tab shows the verdict and the kernel-format log", async () => {
  const page = await openPage();
  await page.locator("#tab-verifier").click();
  assert.ok(await page.locator("#verifier-panel").isVisible());
  // The default example is accepted, in the default cleanup mode.
  assert.match(await page.locator("#verdict").textContent(), /^Accepted in cleanup mode/);
  assert.match(await page.locator("#verifier-log").textContent(), /^processed \d+ insns \(limit 1000000\)/m);
  assert.match(await page.locator("#status").textContent(), /verifier: accepted/);

  // A spin lock held at bpf_throw is refused with the kernel's message, at its line.
  const lock = await page
    .locator("#example option", { hasText: "spin lock" })
    .evaluate((option) => option.value);
  await page.locator("#example").selectOption(lock);
  await page.locator('#verdict[data-verdict="rejected"]').waitFor({ timeout: 10_000 });
  const error = page.locator("#verdict .diagnostic").first();
  assert.match(await error.locator(".message").textContent(), /function calls are not allowed while holding a lock/);
  assert.match(await error.locator(".location").textContent(), /^19:2$/);
  await error.click();
  const line = await page.locator("#source").evaluate(
    (textarea) => textarea.value.slice(0, textarea.selectionStart).split("\n").length,
  );
  assert.equal(line, 19);

  // Changing the mode verifies again and says which mode was used.
  await page.locator("#mode").selectOption("legacy");
  await page.locator("#verdict", { hasText: "in legacy mode" }).waitFor({ timeout: 10_000 });

  // The cleanup mode shows the frame descriptors of the R6-R9 example, one per frame.
  await page.locator("#mode").selectOption("cleanup");
  const frames = await page
    .locator("#example option", { hasText: "R6-R9" })
    .evaluate((option) => option.value);
  await page.locator("#example").selectOption(frames);
  await page.locator('#verdict[data-verdict="accepted"]').waitFor({ timeout: 10_000 });
  const descriptors = await page.locator("#verdict .descriptors li summary").allTextContents();
  assert.deepEqual(descriptors, [
    "pc 4 (main): r6: task → bpf_task_release",
    "pc 13 (level1): r7: cgroup → bpf_cgroup_release",
    "pc 24 (level2): r8: object → bpf_obj_drop",
  ]);
  // Each descriptor folds its merge history: every path that contributed, with its entries.
  const level2 = page.locator("#verdict .descriptors li", { hasText: "pc 24 (level2)" });
  assert.ok(await level2.locator(".paths").isHidden(), "the history starts folded");
  await level2.locator("summary").click();
  const paths = await level2.locator(".paths li").allTextContents();
  assert.ok(paths.length >= 1, "at least one path contributed");
  assert.match(paths.join("\n"), /r8: object \(ref_obj_id \d+\)/);
  // The program as loaded: every throw calls the hidden trampoline, shown at the end.
  const loaded = page.locator("#verdict .loaded");
  assert.match(await loaded.locator("summary").textContent(), /^As loaded: every bpf_throw calls the hidden bpf_throw_tramp \(pc \d+\), which saves r6, r7, r8, r9$/);
  const loadedText = await loaded.locator("pre").textContent();
  assert.match(loadedText, /\tcall bpf_throw_tramp\n/);
  assert.match(loadedText, /bpf_throw_tramp:\n\tr6 = 0\n\tr7 = 0\n\tr8 = 0\n\tr9 = 0\n\tcall bpf_throw\n\texit\n$/);
  await page.screenshot({ path: join(SCREENSHOTS, "page-verifier.png") });
  await page.close();
});

test("the interpreter runs in the browser: step, step over, back and run to the end", async () => {
  const page = await openPage();
  const result = await page.evaluate(async () => {
    const wasm = await import("./npm/unwind-bpf/pkg/unwind_wasm.js");
    await wasm.default();
    const source = [
      "r6 = 5",
      "call double",
      "r0 = r6",
      "r0 += 1",
      "exit",
      "double:",
      "r6 <<= 1",
      "r0 = r6",
      "exit",
    ].join("\n");
    // The verifier refuses it (a callee reads r6, which BPF does not pass): that is data.
    const refused = new wasm.Debugger(source, { syntax: "pseudo_c" });
    const verdict = refused.state();
    refused.free();
    // Unverified, it runs: the interpreter saves the r6 the callee mentions, as a JIT would.
    const vm = new wasm.Debugger(source, { syntax: "pseudo_c", unverified: true });
    const seen = [verdict.state, verdict.verifierErrors[0].message];
    vm.step(); // r6 = 5
    seen.push(vm.state().registers[6]);
    vm.stepOver(); // the whole call: the callee's r6 is restored on return
    const afterCall = vm.state();
    seen.push(afterCall.pc, afterCall.registers[0], afterCall.registers[6]);
    vm.back(1);
    seen.push(vm.state().pc);
    const reason = vm.run();
    const end = vm.state();
    return { seen, reason, state: end.state, returnValue: end.returnValue };
  });
  // After `r6 = 5`: r6 is 5; stepping over the call lands on pc 2 with r0 = 10 from the
  // callee and r6 restored to 5 (the callee saved it); back 1 undoes one instruction, the
  // callee's `exit`, so it stands at pc 7 inside `double`.
  assert.deepEqual(result.seen, ["rejected", "R6 !read_ok", "5", 2, "10", "5", 7]);
  assert.equal(result.reason, "ended");
  assert.equal(result.state, "exited");
  assert.equal(result.returnValue, "6");
  await page.close();
});

/** Selects the example whose title contains `text`. */
async function selectExample(page, text) {
  const value = await page.locator("#example option", { hasText: text }).evaluate((o) => o.value);
  await page.locator("#example").selectOption(value);
  await idle(page);
}

/** The kinds of the events in the debugger's list, in order. */
async function eventKinds(page) {
  return page.locator("#debug-events li.event").evaluateAll((items) => items.map((li) => li.dataset.kind));
}

async function openDebugger(page) {
  await page.locator("#tab-debugger").click();
  assert.ok(await page.locator("#debugger-panel").isVisible());
  await page.locator("#debug-status .mode-chip").waitFor({ timeout: 10_000 });
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 10_000 });
}

/** Clicks a debugger button and waits for the worker's answer to be drawn (and animated). */
async function press(page, id) {
  await page.locator(`#${id}`).click();
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 20_000 });
}

test("the debugger steps, goes back and runs the default example through bpf_throw", async () => {
  const page = await openPage({ reducedMotion: "reduce" });
  await openDebugger(page);
  assert.match(await page.locator("#debug-status").textContent(), /cleanup pc 0 · line 11 · r6 = r1/);
  // The executing line is highlighted in the editor (a band behind the text, an arrow in the gutter).
  assert.equal(await page.locator("#source").getAttribute("data-exec-line"), "11");
  assert.ok(await page.locator("#source .cm-exec-line").isVisible());
  assert.match(await page.locator("#source .cm-exec-line").textContent(), /r6 = r1/);
  assert.equal(await page.locator("#source .cm-exec-arrow").count(), 1);
  assert.ok(await page.locator("#debug-back").isDisabled());

  await press(page, "debug-step");
  assert.match(await page.locator("#debug-status").textContent(), /pc 1 · line 12 · r1 = 0/);
  assert.equal(await page.locator("#debug-registers .reg").count(), 11);
  assert.match(await page.locator("#debug-registers .reg").nth(6).textContent(), /^r60x[0-9a-f]+$/);
  await press(page, "debug-step");
  await press(page, "debug-back");
  assert.match(await page.locator("#debug-status").textContent(), /pc 1 · line 12/);
  assert.equal(await page.locator("#source").getAttribute("data-exec-line"), "12");

  await press(page, "debug-run");
  assert.match(await page.locator("#debug-status").textContent(), /Exited, r0 = 42/);
  // The throw's unwinding, in order: the hidden trampoline's frame hands over the thrower's
  // R6-R9, main is unwound, the exception callback returns the cookie.
  assert.deepEqual(await eventKinds(page), [
    "call",
    "throw",
    "unwind_frame",
    "restore_regs",
    "unwind_frame",
    "exception_callback",
    "exit",
  ]);
  const texts = await page.locator("#debug-events li.event .text").allTextContents();
  assert.match(texts[1], /bpf_throw, cookie 42/);
  assert.match(texts[2], /unwind frame 1 \(bpf_throw_tramp\)/);
  assert.match(texts[3], /restore r6=0x[0-9a-f]+ r7=0 r8=0 r9=0 from frame 1.s saved area/);
  assert.match(texts[5], /exception callback on_exception, cookie 42/);
  assert.equal(await page.locator("#debug-events li.event.unwind").count(), 5);
  assert.ok(await page.locator("#debug-run").isDisabled());
  assert.equal(await page.locator("#source").getAttribute("data-exec-line"), "0");

  // Back undoes the callback's exit: running again, the exit event is gone.
  await press(page, "debug-back");
  assert.match(await page.locator("#debug-status").textContent(), /running|pc \d+/);
  assert.equal((await eventKinds(page)).at(-1), "exception_callback");
  await press(page, "debug-reset");
  assert.deepEqual(await eventKinds(page), []);
  assert.match(await page.locator("#debug-status").textContent(), /pc 0 · line 11/);
  // Step over (by keyboard, F10 as in the browser's DevTools) and step out.
  await page.keyboard.press("F10");
  await page.locator("#debug-status", { hasText: /pc 1 / }).waitFor({ timeout: 10_000 });
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 10_000 });
  await press(page, "debug-step-out");
  assert.match(await page.locator("#debug-status").textContent(), /Exited, r0 = 42/);

  // A click on a line number sets a breakpoint there: Run stops at it.
  await page.locator("#source .cm-lineNumbers .cm-gutterElement", { hasText: /^25$/ }).click();
  assert.equal(await page.locator("#source").getAttribute("data-breakpoints"), "25");
  assert.equal(await page.locator("#source .cm-breakpoint-dot").count(), 1);
  await press(page, "debug-reset");
  await press(page, "debug-run");
  assert.match(await page.locator("#debug-status").textContent(), /breakpoint pc \d+ · line 25 · call bpf_throw/);
  assert.equal(await page.locator("#source").getAttribute("data-exec-line"), "25");
  await page.close();
});

test("the unwinder releases each frame's resources, animated step by step", async () => {
  const page = await openPage();
  await selectExample(page, "R6-R9");
  await openDebugger(page);
  assert.deepEqual(
    await page.locator("#debug-descriptors .descriptor").evaluateAll((items) => items.map((li) => li.dataset.pc)),
    ["4", "13", "24"],
  );
  // Record what the animation shows: the descriptor highlighted and each event as revealed.
  await page.evaluate(() => {
    window.seen = { active: [], revealed: [] };
    const panel = document.getElementById("debugger-panel");
    new MutationObserver(() => {
      const active = panel.querySelector("#debug-descriptors .descriptor.active")?.dataset.pc ?? null;
      if (active !== null && window.seen.active.at(-1) !== active) window.seen.active.push(active);
      const revealed = panel.querySelector("#debug-events .revealed")?.dataset.kind;
      const count = panel.querySelectorAll("#debug-events li.event").length;
      const last = window.seen.revealed.at(-1);
      if (revealed && (!last || last.count !== count)) window.seen.revealed.push({ kind: revealed, count });
    }).observe(panel, { childList: true, subtree: true, attributes: true });
  });
  await page.locator("#debug-run").click();
  await page.locator('#debugger-panel[data-animating="true"]').waitFor({ timeout: 10_000 });
  // Mid-animation, for a projector: the frame being unwound has its descriptor highlighted.
  await page.locator("#debug-descriptors .descriptor.active").waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(SCREENSHOTS, "page-debugger-unwinding.png") });
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#debugger-panel[data-animating="true"]').count(), 0);
  const seen = await page.evaluate(() => window.seen);
  // level2's frame first, then level1's, then main's: the innermost frame first.
  assert.deepEqual(seen.active, ["24", "13", "4"]);
  assert.deepEqual(
    seen.revealed.map((r) => r.kind),
    CALLEE_SAVED_UNWINDING,
  );
  const releases = await page
    .locator('#debug-events li.event[data-kind="release"] .text')
    .allTextContents();
  assert.deepEqual(
    releases.map((t) => /→ (\w+) \(by the unwinder, (\w+) of frame (\d)\)/.exec(t)?.slice(1).join(" ")),
    ["bpf_obj_drop r8 2", "bpf_cgroup_release r7 1", "bpf_task_release r6 0"],
  );
  const rows = await page.locator("#debug-resources tr.res").evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector(".id").textContent, tr.querySelector(".status").textContent]),
  );
  assert.deepEqual(rows, [
    ["task#1", "released"],
    ["cgroup#2", "released"],
    ["object#3", "released"],
  ]);
  await page.screenshot({ path: join(SCREENSHOTS, "page-debugger.png") });
  await page.close();
});

test("the mode selector drives the debugger: leaked, refused, released", async () => {
  const page = await openPage({ reducedMotion: "reduce" });
  await selectExample(page, "loophole");
  await openDebugger(page);
  const mode = async (name) => {
    await page.locator("#mode").selectOption(name);
    await page.locator("#debug-status .mode-chip", { hasText: new RegExp(`^${name}$`) }).waitFor({ timeout: 10_000 });
    await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 10_000 });
  };
  // legacy: accepted (the loophole); the throw discards main's frame and the object leaks.
  await mode("legacy");
  await press(page, "debug-run");
  assert.match(await page.locator("#debug-status").textContent(), /unwinding: discard frames/);
  assert.ok((await eventKinds(page)).includes("leak"));
  assert.equal(await page.locator("#debug-resources tr.res.leaked").count(), 1);
  assert.match(await page.locator("#debug-descriptors").textContent(), /no descriptors/);

  // upstream: the verifier refuses; nothing to run.
  await mode("upstream");
  assert.match(await page.locator("#debug-status").textContent(), /Rejected by the verifier: not run\. line 18: bpf_throw would lead to reference leak/);
  assert.ok(await page.locator("#debug-run").isDisabled());
  assert.ok(await page.locator("#debug-step").isDisabled());
  await page.locator("#debug-status button.link").click();
  const line = await page.locator("#source").evaluate(
    (textarea) => textarea.value.slice(0, textarea.selectionStart).split("\n").length,
  );
  assert.equal(line, 18);
  // The verifier tab agrees.
  assert.match(await page.locator("#verdict").textContent(), /^Rejected in upstream mode/);

  // cleanup: main's descriptor names fp-8; the unwinder releases the object.
  await mode("cleanup");
  await press(page, "debug-run");
  assert.deepEqual(await page.locator("#debug-resources tr.res .status").allTextContents(), ["released"]);
  assert.match(
    await page.locator("#debug-resources tr.res .detail").textContent(),
    /bpf_obj_drop at pc \d+, by the unwinder \(fp-8 of frame 0\)/,
  );
  assert.ok(!(await eventKinds(page)).includes("leak"));

  // runtime: the run-time table releases it.
  await mode("runtime");
  await press(page, "debug-run");
  assert.match(await page.locator("#debug-resources tr.res .detail").textContent(), /by the run-time table/);
  await page.close();
});

test("the debugger follows edits and shows the trace output", async () => {
  const page = await openPage({ reducedMotion: "reduce" });
  await openDebugger(page);
  const source = [
    ".ctx socket",
    "r1 = 0x000a6425 ll          // \"%d\\n\"",
    "*(u64 *)(r10 - 8) = r1",
    "r1 = r10",
    "r1 += -8",
    "r2 = 4",
    "r3 = 7",
    "call bpf_trace_printk",
    "r0 = 0",
    "exit",
  ].join("\n");
  await fillSource(page, source);
  // A new session for the new source: at pc 0, line 2, nothing printed yet.
  await page.locator("#debug-status", { hasText: "pc 0 · line 2" }).waitFor({ timeout: 10_000 });
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 10_000 });
  assert.ok(await page.locator("#debug-trace-box").isHidden());
  await press(page, "debug-run");
  assert.match(await page.locator("#debug-status").textContent(), /Exited, r0 = 0/);
  assert.equal(await page.locator("#debug-trace").textContent(), "pc 7: 7");
  assert.match(await page.locator("#debug-descriptors").textContent(), /no frame descriptor/);
  assert.match(await page.locator("#debug-resources").textContent(), /No resource acquired yet/);
  await page.close();
});

test("cleanup-v2 resolves the conflicting slot: the rewritten program and its descriptors", async () => {
  const page = await openPage();
  await selectExample(page, "two resource types");
  await page.locator("#tab-verifier").click();
  // cleanup refuses the merge, naming both entries in the log.
  await page.locator('#verdict[data-verdict="rejected"]').waitFor({ timeout: 10_000 });
  assert.match(await page.locator("#verdict").textContent(), /failed to merge old and new frame desc entry/);
  // cleanup-v2 rewrites the program with a slot per acquisition and accepts it.
  await page.locator("#mode").selectOption("cleanup-v2");
  await page.locator('#verdict[data-verdict="accepted"]').waitFor({ timeout: 10_000 });
  assert.equal(
    await page.locator("#verdict .rewrite summary").textContent(),
    "Rewritten program (cleanup-v2): 2 dedicated slots",
  );
  const slots = await page.locator("#verdict .rewrite .dedicated li").allTextContents();
  assert.equal(slots.length, 2);
  assert.match(slots[0], /^fp-16 of main: the bpf_obj_new at pc 4/);
  assert.match(slots[1], /^fp-24 of main: the bpf_ringbuf_reserve at pc 13/);
  const program = await page.locator("#verdict .rewrite pre").textContent();
  assert.match(program, /\*\(u64 \*\)\(r10 - 16\) = 0\t\t\/\/ cleanup-v2: NULL until bpf_obj_new/);
  assert.match(program, /call bpf_ringbuf_reserve\n\t\*\(u64 \*\)\(r10 - 24\) = r0/);
  const descriptors = await page.locator("#verdict .descriptors li summary").allTextContents();
  assert.ok(
    descriptors.some((d) => /fp-16: object → bpf_obj_drop/.test(d) && /fp-24: ringbuf_record → bpf_ringbuf_discard/.test(d)),
    descriptors.join("\n"),
  );
  // The debugger runs the rewritten program on the example's ctx (a long packet with protocol
  // 0: the ringbuf path, then the throw): the record is released from its dedicated slot.
  assert.equal(await page.locator("#debug-ctx").inputValue(), "c8000000 00000000 00000000 00000000 00000000");
  await openDebugger(page);
  await press(page, "debug-run");
  await page.locator("#debug-status", { hasText: "r0 = 2" }).waitFor({ timeout: 15_000 });
  assert.match(
    await page.locator("#debug-resources").textContent(),
    /bpf_ringbuf_discard.*unwinder.*fp-24/s,
  );
  // Another ctx is another run: the object path (len 64), and no throw (protocol 8).
  await page.locator("#debug-ctx").fill("40000000 00000000 00000000 00000000 08000000");
  await page.locator("#debug-ctx").press("Enter");
  await page.locator("#debug-ctx").blur();
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 10_000 });
  await press(page, "debug-run");
  await page.locator("#debug-status", { hasText: "Exited, r0 = 0" }).waitFor({ timeout: 15_000 });
  assert.match(await page.locator("#debug-resources").textContent(), /bpf_obj_drop/);
  // A ctx that is not hex is the run's problem, shown as data.
  await page.locator("#debug-ctx").fill("zz");
  await page.locator("#debug-ctx").blur();
  await page.locator("#debug-status", { hasText: "Cannot run" }).waitFor({ timeout: 10_000 });
  await page.close();
});

test("the verifier's state at the cursor, every path at a join, and the log linked both ways", async () => {
  const page = await openPage();
  await fillSource(page, 
    ".ctx tc\nr6 = *(u32 *)(r1 + 0)\nr0 = 0\nif r6 > 5 goto big\nr0 = 1\nbig:\nr0 += 2\n*(u64 *)(r10 - 8) = r0\nexit\n",
  );
  await idle(page);
  await page.locator("#tab-verifier").click();
  // The cursor on line 7, `r0 += 2` (pc 4): reached from the fall-through (r0 = 1) and from
  // the jump at pc 2 (r0 = 0).
  await page.locator("#source").evaluate((textarea) => {
    const at = textarea.value.split("\n").slice(0, 6).join("\n").length + 1;
    textarea.focus();
    textarea.setSelectionRange(at, at);
    textarea.dispatchEvent(new Event("select"));
  });
  const state = page.locator("#pc-state");
  await state.locator("h3", { hasText: "State at line 7 (pc 4)" }).waitFor();
  assert.match(await state.textContent(), /Reached by 2 paths/);
  const tables = state.locator("table.pc-state-table");
  assert.equal(await tables.count(), 2);
  const r0 = (i) => tables.nth(i).locator("tr.register", { has: page.locator("th", { hasText: /^R0$/ }) }).locator("td");
  assert.deepEqual([await r0(0).textContent(), await r0(1).textContent()], ["1 _w", "0"]);
  const r6 = await tables.nth(1).locator("tr.register", { has: page.locator("th", { hasText: /^R6$/ }) }).locator("td").textContent();
  assert.match(r6, /^scalar\(smin=umin=umin32=6,/, "R6's bounds on the jump's path");
  // Each path says where it came from: the instruction before pc 4 on it.
  const origins = await state.locator(".pc-state-origin").allTextContents();
  assert.equal(origins.length, 2);
  assert.equal(origins[0], "From pc 3 (line 5: r0 = 1).");
  assert.match(origins[1], /^From pc 2 \(line 4: if r6 > 5 goto .*\), branch taken\.$/);
  // The cursor's pc is marked in the log; a log line leads to its source line.
  assert.ok((await page.locator("#verifier-log .log-line.current").count()) >= 2, "pc 4's log lines");
  await page.locator("#verifier-log .log-line", { hasText: "5: (7b) *(u64 *)(r10 -8) = r0" }).first().click();
  const line = await page.locator("#source").evaluate(
    (textarea) => textarea.value.slice(0, textarea.selectionStart).split("\n").length,
  );
  assert.equal(line, 8, "the store's line");
  await state.locator("h3", { hasText: "State at line 8 (pc 5)" }).waitFor();
  assert.match(await state.locator("table").first().textContent(), /R0.*3/s);
  await page.screenshot({ path: join(SCREENSHOTS, "page-states.png") });

  // Where an exception can unwind, the state view shows the frame descriptor too, with its
  // merge history (callee-saved.s: level2's call of bpf_throw, on line 40).
  const example = page.locator("#example option", { hasText: "R6-R9" });
  await page.selectOption("#example", await example.getAttribute("value"));
  await idle(page);
  await page.locator("#source").evaluate((textarea) => {
    const at = textarea.value.split("\n").slice(0, 39).join("\n").length + 5;
    textarea.focus();
    textarea.setSelectionRange(at, at);
    textarea.dispatchEvent(new Event("select"));
  });
  await state.locator("h3", { hasText: "State at line 40" }).waitFor();
  const descriptor = state.locator('.descriptors li[data-pc="24"]');
  assert.match(await descriptor.locator("summary").textContent(), /^pc 24 \(level2\): r8: object → bpf_obj_drop$/);
  assert.equal(await descriptor.locator("details").getAttribute("open"), "", "its merge history unfolded");
  await page.close();
});

test("after cleanup-v2's rewrite the state view follows the rewritten pcs to their source lines", async () => {
  const page = await openPage();
  const example = page.locator("#example option", { hasText: "one slot, two resource types" });
  await page.selectOption("#example", await example.getAttribute("value"));
  await page.selectOption("#mode", "cleanup-v2");
  await idle(page);
  await page.locator("#tab-verifier").click();
  // The first acquisition (line 15, pc 4) became pcs 6-7: its dedicated slot is zeroed first.
  await page.locator("#source").evaluate((textarea) => {
    const at = textarea.value.split("\n").slice(0, 14).join("\n").length + 3;
    textarea.focus();
    textarea.setSelectionRange(at, at);
    textarea.dispatchEvent(new Event("select"));
  });
  const state = page.locator("#pc-state");
  await state.locator("h3", { hasText: "State at line 15 (pcs 6–7)" }).waitFor();
  assert.match(await state.textContent(), /6: part of call bpf_obj_new as cleanup-v2 rewrote it \(pc 4 before the rewrite\)/);
  // A log line of a rewritten pc leads back to the source line it came from.
  await page.locator("#verifier-log .log-line[data-pc='7']").first().click();
  const line = await page.locator("#source").evaluate(
    (textarea) => textarea.value.slice(0, textarea.selectionStart).split("\n").length,
  );
  assert.equal(line, 15);
  await page.close();
});

test("the dark theme renders", async () => {
  const page = await openPage({ colorScheme: "dark" });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, "rgb(13, 17, 23)");
  await page.screenshot({ path: join(SCREENSHOTS, "page-dark.png") });
  await page.close();
});

test("the debugger's inputs: the world, running without verifying, the budget", async () => {
  const page = await openPage();
  await page.locator("#tab-debugger").click();
  const status = page.locator("#debug-status");
  /** Runs (once the session for the current inputs is ready) until the status says `end`. */
  const run = async (end) => {
    await page.locator("#debug-run").click();
    await status.filter({ hasText: end }).waitFor();
  };
  // bpf_task_from_pid(7) finds a task only in a world that has it.
  await fillSource(page, 
    ".ctx tc\nr1 = 7\ncall bpf_task_from_pid\nif r0 == 0 goto none\nr1 = r0\ncall bpf_task_release\nr0 = 1\nexit\nnone:\nr0 = 2\nexit\n",
  );
  await idle(page);
  await run(/Exited, r0 = 2/); // the default world has only task 1
  await page.locator("#debug-inputs summary").click();
  await page.locator("#debug-world").fill('{"tasks": [{"pid": 7, "comm": "worker"}]}');
  await page.locator("#debug-world").dispatchEvent("change");
  await run(/Exited, r0 = 1/); // task 7 exists in this world
  // A world the options refuse says where (a changed input is a new session, drawn at once).
  await page.locator("#debug-world").fill('{"tasks": [{"pid": "7"}]}');
  await page.locator("#debug-world").dispatchEvent("change");
  await page.locator("#debugger-panel", { hasText: 'world.tasks[0].pid: invalid type: string "7", expected u32' }).waitFor();
  await page.locator("#debug-world").fill("{ not json");
  await page.locator("#debug-world").dispatchEvent("change");
  await page.locator("#debugger-panel", { hasText: "The world is not JSON" }).waitFor();
  // A u64 beyond 2^53 in the world's JSON arrives exact (a BigInt), not rounded and refused.
  await page.locator("#debug-world").fill('{"tasks": [{"pid": 7}], "prandom_seed": 18446744073709551615}');
  await page.locator("#debug-world").dispatchEvent("change");
  await run(/Exited, r0 = 1/);
  await page.locator("#debug-world").fill("");
  await page.locator("#debug-world").dispatchEvent("change");

  // A program the verifier refuses runs when asked, with the budget given.
  await fillSource(page, "l:\nr0 += 1\ngoto l\n");
  await idle(page);
  await status.filter({ hasText: "Rejected by the verifier" }).waitFor();
  assert.equal(await page.locator("#debug-run").isDisabled(), true, "not run");
  await page.locator("#debug-unverified").check();
  await page.locator("#debug-budget").fill("1000");
  await page.locator("#debug-budget").dispatchEvent("change");
  await run(/Fault at pc \d+: .*budget/i); // stopped by the budget of 1,000 instructions
  await page.close();
});

test("the theme menu, the presentation size on a 960x540 projector, and a phone layout", async () => {
  const page = await openPage({ colorScheme: "dark" });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await background(), "rgb(13, 17, 23)", "the system's dark theme");
  await page.selectOption("#theme", "light");
  assert.equal(await background(), "rgb(243, 245, 248)", "light, whatever the system says");
  await page.emulateMedia({ colorScheme: "light" });
  await page.selectOption("#theme", "dark");
  assert.equal(await background(), "rgb(13, 17, 23)", "dark on a light system");
  await page.selectOption("#theme", "system");
  assert.equal(await background(), "rgb(243, 245, 248)", "the system's again");

  // Every tab whole and inside the window; nothing wider than the window.
  const tabsFit = async (width) => {
    const boxes = await page.evaluate(() =>
      [...document.querySelectorAll('[role="tab"]')].map((t) => {
        const r = t.getBoundingClientRect();
        return { id: t.id, left: r.left, right: r.right, clipped: t.scrollWidth > t.clientWidth };
      }),
    );
    for (const b of boxes) {
      assert.ok(b.left >= 0 && b.right <= width && !b.clipped, `${b.id} at ${width}px: ${JSON.stringify(b)}`);
    }
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width, `no page overflow at ${width}px`);
  };
  await page.setViewportSize({ width: 960, height: 540 });
  await page.locator("#present").click();
  assert.equal(await page.locator("#present").getAttribute("aria-pressed"), "true");
  assert.equal(await page.locator("#bytecode-pane").isHidden(), true, "fewer panes");
  const codeSize = await page.locator("#source").evaluate((t) => getComputedStyle(t).fontSize);
  assert.equal(codeSize, "20px");
  await tabsFit(960);
  await page.screenshot({ path: join(SCREENSHOTS, "page-present.png") });
  await page.locator("#present").click();
  assert.equal(await page.locator("#bytecode-pane").isHidden(), false, "back to every pane");

  await page.setViewportSize({ width: 390, height: 844 });
  await tabsFit(390);
  await page.locator("#tab-debugger").click();
  assert.equal(await page.locator("#debugger-panel").isVisible(), true, "the debugger tab is reachable");
  await page.screenshot({ path: join(SCREENSHOTS, "page-phone.png"), fullPage: true });
  await page.close();
});

test("no console errors, page errors or failed requests", () => {
  assert.deepEqual(problems, []);
});
