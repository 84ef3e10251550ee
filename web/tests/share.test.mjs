// Share links and the page's memory (web/share.ts), in headless Chromium against the built
// page: a link round-trips the program, syntax, mode, ctx and open tab; a v1 link written
// once (below) keeps opening; hostile links are refused with a message and nothing from
// them is used or injected; the last program survives a reload, and loading an example
// never loses an edit.

import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { clearStorage, servePlayground, watch, fillSource, sourceText } from "./chromium.mjs";

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

/** A page on `fragment` (with its `#`), once it has assembled what it shows; `fresh`: with
 * the origin's local storage emptied first (the page remembers the last program there). */
async function open(fragment = "", { fresh = true } = {}) {
  const page = await browser.context.newPage();
  watch(page, problems);
  page.on("dialog", (d) => {
    problems.push(`a dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  if (fresh) await clearStorage(page, url);
  await page.goto(url + fragment);
  await page.locator("#bytecode-rows tr.insn, #diagnostics li").first().waitFor({ timeout: 30_000 });
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 10_000 });
  return page;
}

const source = (page) => sourceText(page);
const selectedTab = (page) => page.locator('[role="tab"][aria-selected="true"]').getAttribute("id");

/** A fragment of `value` in format `version` (deflate-raw, base64url), as the page writes. */
function link(value, version = "v1") {
  const packed = deflateRawSync(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
  return `#${version}=${packed.toString("base64url")}`;
}
const v1 = (value) => link(value, "v1");
const v2 = (value) => link(value, "v2");

test("a share link round-trips the program, its settings and the open tab", async () => {
  const page = await open();
  await fillSource(page, "r0 = 42\nexit\n");
  await page.selectOption("#mode", "legacy");
  await page.locator("#tab-debugger").click();
  await page.locator("#debug-ctx").fill("01 02 03");
  await page.locator("#debug-inputs summary").click();
  await page.locator("#debug-world").fill('{"tasks": [{"pid": 7, "comm": "x"}]}');
  await page.locator("#debug-unverified").check();
  await page.locator("#debug-budget").fill("5000");
  await page.locator("#debug-budget").dispatchEvent("change");
  await page.locator("#tab-verifier").click();
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.locator("#share").click();
  await page.locator("#notice:not([hidden])").waitFor();
  assert.match(await page.locator("#notice-text").textContent(), /Link (copied|is in the address bar)/);
  const link = page.url();
  assert.match(link, /#v2=[A-Za-z0-9_-]+$/);
  await page.close();

  const opened = await open(link.slice(link.indexOf("#")));
  assert.equal(await source(opened), "r0 = 42\nexit\n");
  assert.equal(await opened.locator("#mode").inputValue(), "legacy");
  assert.equal(await opened.locator("#debug-ctx").inputValue(), "01 02 03");
  assert.equal(await opened.locator("#debug-world").inputValue(), '{"tasks": [{"pid": 7, "comm": "x"}]}');
  assert.equal(await opened.locator("#debug-unverified").isChecked(), true);
  assert.equal(await opened.locator("#debug-budget").inputValue(), "5000");
  assert.equal(await selectedTab(opened), "tab-verifier");
  assert.match(await opened.locator("#status").textContent(), /Assembled 2 instructions · verifier: accepted/);
  assert.equal(new URL(opened.url()).hash, "", "the fragment goes once applied: a reload shows what the page keeps");
  await opened.close();
});

test("a link never costs the program the page keeps", async () => {
  // Mine, remembered; then a link opens over it: mine is offered back.
  const page = await open();
  await fillSource(page, "r0 = 5\nexit\n");
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  const link = v1({ program: "r0 = 6\nexit", mode: "legacy" });
  const other = await open(link, { fresh: false });
  assert.equal(await source(other), "r0 = 6\nexit");
  assert.match(await other.locator("#notice-text").textContent(), /^Opened a shared program\. Your edited program was kept\.$/);
  await other.locator("#notice-action").click();
  assert.equal(await source(other), "r0 = 5\nexit\n", "mine again");
  await other.close();

  // A refused link shows the first example and offers mine; it does not overwrite it.
  const refused = await open("#v1=!!!", { fresh: false });
  assert.match(await refused.locator("#notice-text").textContent(), /damaged/);
  assert.equal(await refused.locator("#notice-action").textContent(), "Open my program");
  await refused.reload();
  await refused.locator('#workspace[aria-busy="false"]').waitFor();
  assert.equal(await source(refused), "r0 = 5\nexit\n", "still remembered");
  await refused.close();

  // Share, then edit: the link leaves the address bar, so a reload keeps the edit.
  await page.locator("#share").click();
  await page.locator("#notice:not([hidden])").waitFor();
  assert.match(page.url(), /#v2=/);
  await fillSource(page, "r0 = 8\nexit\n");
  assert.equal(await page.evaluate(() => location.hash), "");
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.reload();
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  assert.equal(await source(page), "r0 = 8\nexit\n");

  // Too large for a link: said, not written.
  await fillSource(page, `exit // ${"x".repeat(600_000)}\n`);
  await page.locator("#share").click();
  assert.match(
    await page.locator("#notice-text").textContent(),
    /^This program cannot be shared as a link: the program is longer than 524,288 characters\.$/,
  );
  assert.equal(await page.evaluate(() => location.hash), "");
  await page.close();
  assert.deepEqual(problems, []);
});

// A link in format v1, written on 2026-12-02 (deflate-raw by zlib, as any v1 writer may): it
// must keep opening as it did when later formats come.
const STORED_V1 =
  "#v1=FcoxCoAwDAXQq5Q_Z9C14E1cYg3SoY2kKVTEu0vn917cppdxQYQtYQvrXmVkB6E91XkggrsrCEVPmatXz0VASD4VBOcDEU27JcH3Aw";

test("a stored v1 link still opens", async () => {
  const page = await open(STORED_V1);
  assert.equal(await source(page), "r0 = 1\nexit");
  assert.equal(await page.locator("#mode").inputValue(), "runtime");
  assert.equal(await selectedTab(page), "tab-source");
  await page.close();
});

test("a hostile link is inert: a message, the first example, nothing injected", async () => {
  const first = await open();
  const example = await source(first);
  await first.close();
  const bomb = `#v1=${deflateRawSync(Buffer.alloc(10 * 1024 * 1024, 0x20)).toString("base64url")}`;
  const cases = [
    ["#v9=AAAA", /format v9, which this version of the page does not know/],
    ["#v1=!!!not-base64", /damaged: it is not base64url text/],
    [`#v1=${"A".repeat(300_000)}`, /too long \(300,003 characters; the limit is 262,144\)/],
    [bomb, /damaged: its content decompresses to more than 4 MB/],
    [v1("{ not json"), /damaged: its content is not JSON text/],
    [v1({ program: 5 }), /damaged: its program is not text/],
    [v1({ program: "exit", mode: "<script>" }), /damaged: its mode is not one of legacy/],
    [v1({ program: "exit", ctx: "<b>zz</b>" }), /damaged: its ctx is not hex bytes/],
    [v1({ program: "exit", ctx: "00".repeat(9000) }), /damaged: its ctx is longer than 16,384 hex digits/],
    [v1({ program: "\n".repeat(2_000_000) }), /damaged: its program is longer than 524,288 characters/],
    [v1({ program: "\n".repeat(100_000) }), /damaged: its program has more than 100,000 lines/],
    [v2({ program: "\r".repeat(100_000) }), /damaged: its program has more than 100,000 lines/],
    [v1({ program: "exit", onload: "alert(1)" }), /damaged: it has an unknown field "onload"/],
    [v1({ program: "exit", world: "{}" }), /damaged: it has an unknown field "world"/],
    [v2({ program: "exit", world: { tasks: [] } }), /damaged: its world is not text/],
    [v2({ program: "exit", budget: 2 ** 60 }), /damaged: its budget is not a whole number from 1 to 1,000,000,000/],
    [v2({ program: "exit", unverified: "yes" }), /damaged: its unverified is not true or false/],
  ];
  for (const [fragment, message] of cases) {
    const page = await open(fragment);
    assert.match(await page.locator("#notice-text").textContent(), message, fragment.slice(0, 40));
    assert.equal(await page.locator("#notice").getAttribute("data-kind"), "error");
    assert.equal(await source(page), example, "the first example instead");
    assert.equal(new URL(page.url()).hash, "", "the refused fragment is dropped from the address");
    await page.close();
  }
  // Markup in a program is only text: it reaches the editor's value, never the document.
  const markup = '<img src=x onerror="window.__pwned = 1">\n<script>window.__pwned = 2</script>\nexit';
  const page = await open(v1({ program: markup }));
  assert.equal(await source(page), markup);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("img, body script:not([type])").count(), 0);
  assert.match(await page.locator("#diagnostics").textContent(), /^1:\d+error/, "an assembler error on line 1, as text");
  await page.close();
  assert.deepEqual(problems, []);
});

test("the last program survives a reload, and an example never loses an edit", async () => {
  const page = await open();
  await fillSource(page, "r0 = 3\nexit\n");
  await page.selectOption("#mode", "upstream");
  await page.selectOption("#theme", "dark");
  await page.locator("#present").click();
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.reload();
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  assert.equal(await source(page), "r0 = 3\nexit\n", "the edit is back after a reload");
  assert.equal(await page.locator("#mode").inputValue(), "upstream");
  // The theme and the presentation size too (set before the first paint by index.html).
  assert.deepEqual(
    await page.evaluate(() => ({ ...document.documentElement.dataset })),
    { theme: "dark", size: "presentation" },
  );
  assert.equal(await page.locator("#theme").inputValue(), "dark");
  assert.equal(await page.locator("#present").getAttribute("aria-pressed"), "true");
  await page.locator("#present").click();
  await page.selectOption("#theme", "system");

  // Loading an example keeps the edit and offers it back.
  const option = page.locator("#example option").nth(1);
  await page.selectOption("#example", await option.getAttribute("value"));
  await page.locator("#notice:not([hidden])").waitFor();
  assert.match(await page.locator("#notice-text").textContent(), /Your edited program was kept/);
  assert.notEqual(await source(page), "r0 = 3\nexit\n");
  await page.locator("#notice-action").click();
  assert.equal(await source(page), "r0 = 3\nexit\n", "restored");

  // Replaced again and reloaded: an example is not remembered until edited, so the edit is
  // what the page reopens.
  await page.selectOption("#example", await option.getAttribute("value"));
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.reload();
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  assert.equal(await source(page), "r0 = 3\nexit\n");
  // Replaced, the example edited (now remembered instead), reloaded: the edit it replaced
  // is still offered.
  await page.selectOption("#example", await option.getAttribute("value"));
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.locator("#source .cm-content").press("End");
  await page.keyboard.type(" ");
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.reload();
  await page.locator("#notice:not([hidden])").waitFor();
  assert.match(await page.locator("#notice-text").textContent(), /An example replaced your edited program/);
  await page.locator("#notice-action").click();
  assert.equal(await source(page), "r0 = 3\nexit\n");
  // The restored program is an edit too: the next example keeps it. An unedited example is
  // replaced without a word.
  await page.selectOption("#example", await page.locator("#example option").nth(0).getAttribute("value"));
  await page.locator("#notice:not([hidden])").waitFor();
  assert.match(await page.locator("#notice-text").textContent(), /Your edited program was kept/);
  await page.locator("#notice-close").click();
  await page.selectOption("#example", await option.getAttribute("value"));
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  assert.equal(await page.locator("#notice").isHidden(), true, "no notice for an unedited example");
  await page.close();
  assert.deepEqual(problems, []);
});
