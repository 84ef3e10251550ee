// Browser test of BPF object files on the page (web/objects.ts): a clang-built fixture `.o`
// is dropped on the page, its program shown as assembly with its C lines (`.loc` in the
// editor, `// text @ file:line` in the Bytecode pane), verified with the kernel log's C lines,
// and its throw's unwinding stepped event by event.
//
//   node --test web/tests/objects.test.mjs   (after scripts/build-web.sh)

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../serve.mjs";
import { servePlayground, watch } from "./chromium.mjs";

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

const FIXTURES = join(repoRoot, "crates", "object", "tests", "fixtures");

async function openPage() {
  const page = await browser.context.newPage();
  watch(page, problems);
  await page.addInitScript(() => localStorage.clear());
  await page.goto(url);
  await page.locator("#bytecode-rows tr.insn").first().waitFor({ timeout: 30_000 });
  return page;
}

/** Drops a file with these bytes on the page, as a file manager's drag and drop does. */
async function drop(page, name, bytes) {
  await page.evaluate(
    ({ name, bytes }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name));
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    { name, bytes: [...bytes] },
  );
}

async function idle(page) {
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 10_000 });
}

test("a dropped .o: its program with C lines, verified in three modes, its unwinding stepped event by event", async () => {
  const page = await openPage();
  await drop(page, "global_loophole.o", await readFile(join(FIXTURES, "global_loophole.o")));
  await page.locator("#object-program-label").waitFor({ state: "visible", timeout: 10_000 });
  await page.locator("#object-program option").first().waitFor({ state: "attached", timeout: 10_000 });
  assert.deepEqual(await page.locator("#object-program option").allTextContents(), ['global_loophole (SEC("tc"))']);
  await idle(page);
  const text = await page.locator("#source").evaluate((e) => e.value);
  assert.match(text, /^\t\.loc "\.\/global_loophole\.c" 24:2 "\tglobal_may_throw\(skb\);"$/m);
  // The Bytecode pane shows each C line beside the instruction it starts at.
  const cLines = await page.locator("#bytecode-rows .c-line").allTextContents();
  assert.ok(cLines.some((l) => l.includes("global_may_throw(skb); @ global_loophole.c:24")), cLines.join("\n"));

  // The article's loophole, from C: upstream refuses it with the kernel log's C lines.
  await page.locator("#mode").selectOption("upstream");
  await idle(page);
  await page.locator("#tab-verifier").click();
  await page.locator("#verifier-panel .log-line", { hasText: "; global_may_throw(skb); @ global_loophole.c:24" }).first().waitFor({ timeout: 10_000 });
  assert.match(await page.locator("#verdict").textContent(), /reference leak|rejected|refused/i);

  // cleanup: the unwinder releases the object; step through its events.
  await page.locator("#mode").selectOption("cleanup");
  await idle(page);
  await page.locator("#tab-debugger").click();
  await page.locator('#debugger-panel[aria-busy="false"]').waitFor({ timeout: 30_000 });
  await page.locator("#source").evaluate((e) => e.blur());
  await page.keyboard.press("F8");
  const status = page.locator("#debug-status");
  await status.filter({ hasText: /Paused at bpf_throw/ }).waitFor({ timeout: 10_000 });
  // The executing line is the throw's call, under the `.loc` of its C line.
  const lines = text.split("\n");
  const exec = Number(await page.locator("#source").getAttribute("data-exec-line"));
  assert.match(lines[exec - 1], /call bpf_throw/, `${exec}: ${await status.textContent()}`);
  const loc = lines.slice(0, exec - 1).reverse().find((l) => l.includes(".loc"));
  assert.match(loc, /bpf_throw\(3\);/);
  const seen = [];
  const shown = () => page.locator("#debug-events li.event").count();
  const before = await shown();
  await page.locator("#unwind-next").focus();
  for (let i = 0; i < 40 && !(await page.locator("#unwind-next").isDisabled()); i++) {
    await page.keyboard.press(".");
    seen.push(await page.locator("#debug-events .revealed").evaluate((e) => e.dataset.kind));
    assert.equal(await shown(), before + i + 1, `one event per press (${i + 1})`);
  }
  const all = await page.locator("#debug-events li.event").evaluateAll((l) => l.map((li) => li.dataset.kind));
  assert.equal(seen[0], "throw", seen.join(" "));
  const fromThrow = all.slice(all.indexOf("throw"));
  assert.deepEqual(seen, fromThrow, "one event per Next, in order");
  assert.ok(fromThrow.includes("release"), fromThrow.join(" "));
  assert.equal(fromThrow.at(-1), "exit");
  const releasedBy = await page.locator('#debug-events li.event[data-kind="release"] .text').allTextContents();
  assert.ok(releasedBy.some((t) => /unwinder/.test(t)), releasedBy.join("\n"));
  assert.deepEqual(problems, []);
  await page.close();
});

test("the Open .o… button, a program that cannot load, a file that is not an object", async () => {
  const page = await openPage();
  const before = await page.locator("#source").evaluate((e) => e.value);
  // A text file is not an object: a message, nothing replaced.
  await drop(page, "notes.txt", new TextEncoder().encode("r0 = 0\nexit\n"));
  await page.locator("#notice", { hasText: "is not a BPF object file" }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("#source").evaluate((e) => e.value), before);
  // A damaged object: the loader's error.
  const damaged = await readFile(join(FIXTURES, "global_loophole.o"));
  damaged[18] = 62;
  await drop(page, "damaged.o", damaged);
  await page.locator("#notice", { hasText: "EM_BPF" }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("#source").evaluate((e) => e.value), before);
  // The button opens the file chooser; relocations.o has several programs, one per section.
  const chooser = page.waitForEvent("filechooser");
  await page.locator("#open-object").click();
  await (await chooser).setFiles(join(FIXTURES, "relocations.o"));
  await page.locator("#object-program-label").waitFor({ state: "visible", timeout: 10_000 });
  const options = await page.locator("#object-program option").allTextContents();
  assert.ok(options.length > 2, options.join(", "));
  await idle(page);
  // Choosing loop_prog shows it, its global data as the world's maps (libbpf's .data).
  await page.locator("#object-program").selectOption("loop_prog");
  await idle(page);
  assert.match(await page.locator("#source").evaluate((e) => e.value), /\.loc "\.\/relocations\.c" \d+:\d+ "\tbpf_loop\(limit, add_index, 0, 0\);"/);
  assert.match(await page.locator("#debug-world").inputValue(), /"data"/);
  // An example loaded over it: the object's menu goes.
  // (The Example menu shows no example while an object's program is shown.)
  assert.equal(await page.locator("#example").evaluate((s) => s.selectedIndex), -1);
  const example = await page.locator("#example option").first().evaluate((o) => o.value);
  await page.locator("#example").selectOption(example);
  await page.locator("#object-program-label").waitFor({ state: "hidden", timeout: 10_000 });
  await idle(page);
  assert.deepEqual(problems, []);
  await page.close();
});
