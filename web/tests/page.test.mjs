// Browser test of the built playground (dist/, from `make build-web`): serves it on a free
// port, drives Debian's Chromium through playwright-core (which never downloads a browser) and
// checks what a person would see. Screenshots go to target/page*.png.
//
//   node --test web/tests/

import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { repoRoot, startServer } from "../serve.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
const SCREENSHOTS = join(repoRoot, "target");

let server;
let url;
let profile;
let context;
/** Every console error, page error and failed request of every page, as text. */
const problems = [];

before(async () => {
  await stat(join(repoRoot, "dist", "index.html")).catch(() => {
    throw new Error("dist/index.html is missing: build the page first (make build-web)");
  });
  ({ server, url } = await startServer({ port: 0 }));
  profile = await mkdtemp(join(tmpdir(), "unwind-chromium-"));
  // A persistent context on a fresh directory: the fresh --user-data-dir of every run.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
  });
  await mkdir(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await context?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function openPage({ colorScheme = "light" } = {}) {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
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
  const source = await page.locator("#source").inputValue();
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
  const lines = (await page.locator("#source").inputValue()).split("\n").length;
  await caretToEnd(page);
  await page.keyboard.type("\n    r11 = 0");
  const diagnostic = page.locator("#diagnostics .diagnostic").first();
  await diagnostic.waitFor({ timeout: 10_000 });
  const errorLine = lines + 1;
  assert.equal(await diagnostic.locator(".location").textContent(), `${errorLine}:5`);
  assert.match(await diagnostic.locator(".message").textContent(), /r11/);
  assert.match(await page.locator("#status").textContent(), /^1 error/);
  assert.equal(await page.locator("#gutter .has-error").textContent(), String(errorLine));
  // The last good program stays visible, marked stale.
  assert.ok(await page.locator("#bytecode-pane.stale").isVisible());
  await page.screenshot({ path: join(SCREENSHOTS, "page-error.png") });

  // Clicking the diagnostic puts the caret on that line and column in the editor.
  await page.locator("#source").evaluate((textarea) => textarea.setSelectionRange(0, 0));
  await diagnostic.click();
  const caret = await page.locator("#source").evaluate((textarea) => ({
    focused: document.activeElement === textarea,
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
  await page.locator("#diagnostics .empty.ok").waitFor({ timeout: 10_000 });
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
    assert.equal(await page.locator("#diagnostics .diagnostic").count(), 0, file);
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
  const descriptors = await page.locator("#verdict .descriptors li").allTextContents();
  assert.deepEqual(descriptors, [
    "pc 4 (main): r6: task → bpf_task_release",
    "pc 13 (level1): r7: cgroup → bpf_cgroup_release",
    "pc 24 (level2): r8: object → bpf_obj_drop",
  ]);
  await page.screenshot({ path: join(SCREENSHOTS, "page-verifier.png") });
  await page.close();
});

test("the interpreter runs in the browser: step, step over, back and run to the end", async () => {
  const page = await openPage();
  const result = await page.evaluate(async () => {
    const wasm = await import("./pkg/unwind_wasm.js");
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
    const vm = new wasm.Debugger(source, { syntax: "pseudo_c" });
    const seen = [];
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
  assert.deepEqual(result.seen, ["5", 2, "10", "5", 7]);
  assert.equal(result.reason, "ended");
  assert.equal(result.state, "exited");
  assert.equal(result.returnValue, "6");
  await page.close();
});

test("the dark theme renders", async () => {
  const page = await openPage({ colorScheme: "dark" });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, "rgb(13, 17, 23)");
  await page.screenshot({ path: join(SCREENSHOTS, "page-dark.png") });
  await page.close();
});

test("no console errors, page errors or failed requests", () => {
  assert.deepEqual(problems, []);
});
