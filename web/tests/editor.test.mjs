// Browser test of the editor (CodeMirror 6 in the built page): what a person typing sees
// (highlighting, an inline diagnostic, completion and hover help from the kernel catalogue)
// and that a 100,000-line paste never blocks the page for more than 200 ms at a time.
//
//   node --test web/tests/editor.test.mjs   (after make build-web)

import assert from "node:assert/strict";
import { test } from "node:test";
import { servePlayground, watch, fillSource, sourceText } from "./chromium.mjs";

let url;
let context;
const problems = [];

servePlayground((site) => {
  url = site.url;
  context = site.browser.context;
});

async function openPage() {
  const page = await context.newPage();
  watch(page, problems);
  await page.addInitScript(() => localStorage.clear());
  await page.goto(url);
  await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
  return page;
}

async function idle(page, timeout = 10_000) {
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout });
}

/** Empties the editor and types `text` key by key, as a person would. */
async function typeProgram(page, text) {
  const content = page.locator("#source .cm-content");
  await content.focus();
  await content.press("ControlOrMeta+a");
  await content.press("Delete");
  await page.keyboard.type(text);
}

/** The colour the page's CSS gives a `--syntax-*` variable, resolved as a span would use it. */
function syntaxColour(page, variable) {
  return page.evaluate((variable) => {
    const probe = document.createElement("span");
    probe.style.color = `var(${variable})`;
    document.querySelector("#source .cm-content").append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, variable);
}

/** The computed colour of the innermost element of the editor that holds exactly `text`. */
function tokenColour(page, text) {
  return page.evaluate((text) => {
    for (const span of document.querySelectorAll("#source .cm-line span")) {
      if (span.textContent === text && span.children.length === 0) return getComputedStyle(span).color;
    }
    return null;
  }, text);
}

test("typing shows highlighting for registers, calls, numbers and comments, and an inline diagnostic", async () => {
  const page = await openPage();
  // No auto-closing or auto-indent may change what is typed: the text is what was typed.
  const program = "// count\nr1 = 42\ncall bpf_get_prandom_u32\nr0 = r11\nexit\n";
  await typeProgram(page, program);
  assert.equal(await sourceText(page), program);
  const [register, number, func, comment] = await Promise.all([
    syntaxColour(page, "--syntax-register"),
    syntaxColour(page, "--syntax-number"),
    syntaxColour(page, "--syntax-function"),
    syntaxColour(page, "--syntax-comment"),
  ]);
  // Each role has a colour of its own, so the assertions below tell them apart.
  assert.equal(new Set([register, number, func, comment]).size, 4);
  assert.equal(await tokenColour(page, "r1"), register);
  assert.equal(await tokenColour(page, "42"), number);
  assert.equal(await tokenColour(page, "bpf_get_prandom_u32"), func);
  assert.equal(await tokenColour(page, "// count"), comment);
  // r11 is no register: the assembler's error is underlined on its line, with its message.
  const mark = page.locator(".cm-lintRange-error");
  await mark.first().waitFor({ timeout: 10_000 });
  assert.equal(await mark.first().textContent(), "r11");
  await mark.first().hover();
  const tooltip = page.locator(".cm-tooltip-lint");
  await tooltip.waitFor({ timeout: 5_000 });
  assert.match(await tooltip.textContent(), /r11/);
  assert.equal(await page.locator(".cm-lint-marker-error").count(), 1);
  await page.close();
});

test("completion after call offers the catalogue's helpers and kfuncs, with their help", async () => {
  const page = await openPage();
  await typeProgram(page, "r1 = 1\ncall bpf_task_from");
  const list = page.locator(".cm-tooltip-autocomplete");
  await list.waitFor({ timeout: 5_000 });
  const options = await list.locator("li").allTextContents();
  assert.ok(options.some((o) => o.startsWith("bpf_task_from_pid")), `options: ${options.join(" | ")}`);
  // The selected option's help says what the kfunc acquires.
  const info = page.locator(".cm-completionInfo");
  await info.waitFor({ timeout: 5_000 });
  assert.match(await info.textContent(), /bpf_task_from_pid · kfunc/);
  assert.match(await info.textContent(), /acquires/);
  await page.keyboard.press("Enter");
  assert.equal(await sourceText(page), "r1 = 1\ncall bpf_task_from_pid");
  // After goto, the labels of the program.
  await page.keyboard.type("\nif r0 == 0 goto out\nout:\nexit\ngoto o");
  await list.waitFor({ timeout: 5_000 });
  assert.deepEqual(
    (await list.locator("li").allTextContents()).map((o) => o.replace(/label$/, "")),
    ["out"],
  );
  await page.keyboard.press("Escape");
  await page.close();
});

test("hovering a refused call shows the kfunc's help beside the verifier's refusal", async () => {
  const page = await openPage();
  await fillSource(page, "r1 = 0\ncall bpf_task_release\nexit\n");
  await page.locator(".cm-lintRange-error").waitFor({ timeout: 10_000 });
  await page.locator("#source .cm-line span", { hasText: /^bpf_task_release$/ }).hover();
  const tooltip = page.locator(".cm-tooltip-hover");
  await tooltip.locator(".cm-bpf-help").waitFor({ timeout: 5_000 });
  const help = await tooltip.locator(".cm-bpf-help").textContent();
  assert.match(help, /bpf_task_release · kfunc, BTF id \d+/);
  assert.match(help, /r1: a task reference, which this call releases/);
  assert.match(help, /releases the task passed to it/);
  assert.match(await tooltip.locator(".cm-tooltip-lint").textContent(), /R1 type=scalar expected=trusted_ptr_task_struct/);
  await page.close();
});

test("pasting 100,000 lines never blocks the page for more than 200 ms", async () => {
  const page = await openPage();
  // Every task the main thread runs for longer than 50 ms is recorded, from before the paste
  // until the page has shown the verdict of the pasted program.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
    }).observe({ type: "longtask" });
  });
  const lines = Array.from({ length: 99_999 }, (_, i) => `r${i % 10} = ${i}`);
  const program = `${lines.join("\n")}\nexit\n`;
  await fillSource(page, program);
  await page.locator("#bytecode-summary", { hasText: "100000 instructions" }).waitFor({ timeout: 60_000 });
  await idle(page, 60_000);
  // Scrolling to the end of the text draws its last lines (the editor draws only what is seen).
  await page.locator("#source .cm-content").press("ControlOrMeta+End");
  await page.locator(".cm-line", { hasText: "r8 = 99998" }).waitFor({ timeout: 5_000 });
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  console.log(`100,000-line paste: longest main-thread task ${Math.round(longest)} ms`);
  assert.ok(longest <= 200, `a task of ${Math.round(longest)} ms blocked the page`);
  // The editor and the bytecode list hold only a window of their 100,000 lines.
  assert.ok((await page.locator("#source .cm-line").count()) < 1_000);
  assert.ok((await page.locator("#bytecode-rows tr").count()) < 1_000);
  // Scrolled to its end, the bytecode list draws its last rows, and a row still leads to its line.
  await page.locator("#bytecode-pane .scroll").evaluate((box) => (box.scrollTop = box.scrollHeight));
  const last = page.locator("#bytecode-rows tr.insn", { has: page.locator("td.pc", { hasText: /^99999$/ }) });
  await last.waitFor({ timeout: 5_000 });
  assert.equal(await last.locator("td.text").textContent(), "exit");
  assert.ok(await last.isVisible());
  await last.click();
  assert.equal(await page.locator("#source").evaluate((host) => host.value.slice(0, host.selectionStart).split("\n").length), 100_000);
  // Half way down, the rows drawn are those of the middle of the program.
  await page.locator("#bytecode-pane .scroll").evaluate((box) => (box.scrollTop = box.scrollHeight / 2));
  const middle = page.locator("#bytecode-rows tr.insn", { has: page.locator("td.pc", { hasText: /^50000$/ }) });
  await middle.waitFor({ timeout: 5_000 });
  assert.ok(await middle.isVisible());
  await page.close();
});

test("no console errors, page errors or failed requests", () => {
  assert.deepEqual(problems, []);
});
