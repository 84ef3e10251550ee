// Embed mode (web/embed.ts), as a docs site uses it: a test page with two iframes of the
// built page, each on its own program, mode and panes, one read-only. They load
// independently, stay compact in a 760x480 box, offer only their panes, and remember nothing
// (the reader's own playground in local storage is untouched). The Embed button's markup is
// such an iframe.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import { after, test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { repoRoot } from "../serve.mjs";
import { clearStorage, servePlayground, watch, fillSource, sourceText } from "./chromium.mjs";

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site), { viewport: { width: 1600, height: 1100 } });

function v2(shared) {
  const full = { syntax: "auto", mode: "cleanup", ctx: "", tab: "verifier", world: "", unverified: false, budget: 10_000_000, ...shared };
  return `#v2=${deflateRawSync(Buffer.from(JSON.stringify(full))).toString("base64url")}`;
}

const THROWING = ".ctx tc\n.globl cb(scalar)\n.exception_callback cb\nr1 = 3\ncall bpf_throw\nr0 = 0\nexit\ncb:\nr0 = r1\nexit\n";

test("two embeds on one docs page, independent, compact, remembering nothing", async () => {
  const page = await browser.context.newPage();
  watch(page, problems);
  // The reader's own playground program, which the embeds must not touch.
  await clearStorage(page, url);
  await page.evaluate(() => localStorage.setItem("unwind.playground.v1", JSON.stringify({ program: "r0 = 99\nexit", syntax: "auto", mode: "cleanup", ctx: "", tab: "source" })));
  const first = `${url}?embed&panes=verifier,debugger&readonly${v2({ program: THROWING, mode: "cleanup", tab: "debugger" })}`;
  const second = `${url}?embed&panes=source,verifier${v2({ program: "r0 = 1\nexit\n", mode: "legacy" })}`;
  await page.route("**/docs-page.html", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><head><title>A docs page</title><link rel="icon" href="data:,"></head><body>
        <h1>Exceptions in BPF</h1>
        <iframe id="a" src="${first.replace(/&/g, "&amp;")}" width="760" height="480" title="First example"></iframe>
        <iframe id="b" src="${second.replace(/&/g, "&amp;")}" width="760" height="480" title="Second example"></iframe>
      </body></html>`,
    }),
  );
  await page.goto(new URL("docs-page.html", url).href);
  const a = page.frameLocator("#a");
  const b = page.frameLocator("#b");
  await a.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });
  await b.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });

  // Each has its own program, mode and panes; the first is read-only and opens on its tab.
  assert.equal(await sourceText(a), THROWING);
  assert.equal(await sourceText(b), "r0 = 1\nexit\n");
  assert.equal(await a.locator("#mode").inputValue(), "cleanup");
  assert.equal(await b.locator("#mode").inputValue(), "legacy");
  assert.equal(await a.locator("#source .cm-content").getAttribute("aria-readonly"), "true");
  assert.equal(await b.locator("#source .cm-content").getAttribute("aria-readonly"), null);
  const shownTabs = (f) => f.locator('[role="tab"]:visible').evaluateAll((tabs) => tabs.map((t) => t.id));
  assert.deepEqual(await shownTabs(a), ["tab-verifier", "tab-debugger"]);
  assert.deepEqual(await shownTabs(b), ["tab-source", "tab-verifier"]);
  assert.equal(await a.locator('[role="tab"][aria-selected="true"]').getAttribute("id"), "tab-debugger");
  // Compact: no example menu, share button or bytecode pane; nothing overflows 760x480.
  for (const f of [a, b]) {
    assert.equal(await f.locator("#example").isVisible(), false);
    assert.equal(await f.locator("#share").isVisible(), false);
    assert.equal(await f.locator("#bytecode-pane").isVisible(), false);
    assert.equal(await f.locator("#open-playground").isVisible(), true);
    const size = await f.locator("html").evaluate((html) => [html.scrollWidth, html.scrollHeight]);
    assert.ok(size[0] <= 760 && size[1] <= 480, `fits its box: ${size}`);
  }

  // Read-only: Tab moves focus on and changes nothing (no keyboard trap, no edit).
  await a.locator("#source .cm-content").focus();
  await a.locator("#source .cm-content").press("Tab");
  assert.equal(await sourceText(a), THROWING);
  assert.equal(await a.locator("#source").evaluate((t) => t.contains(document.activeElement)), false, "focus moved on");
  // The docs page did not scroll for the embeds.
  assert.equal(await page.evaluate(() => scrollY), 0);

  // The first runs its throw through the unwinder; the second is untouched by it.
  // It pauses at the throw (Pause on throw is on by default); Play reveals the unwinding.
  await a.locator("#debug-run").click();
  await a.locator("#debug-status", { hasText: "Paused at bpf_throw" }).waitFor({ timeout: 15_000 });
  await a.locator("#unwind-speed").selectOption("4");
  await a.locator("#unwind-play").click();
  await a.locator("#debug-status", { hasText: "Exited, r0 = 3" }).waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => localStorage.getItem("unwind.unwinding.v1")), null, "the speed is not remembered");
  await fillSource(b, "r0 = 2\nexit\n");
  await b.locator('#workspace[aria-busy="false"]').waitFor();
  assert.equal(await sourceText(a), THROWING);
  await b.locator("#tab-verifier").click();
  await b.locator("#verdict", { hasText: "Accepted" }).waitFor();
  // Keyboard: the arrows move among the offered tabs only.
  await b.locator("#tab-verifier").press("ArrowRight");
  assert.equal(await b.locator('[role="tab"][aria-selected="true"]').getAttribute("id"), "tab-source");

  // Nothing remembered: the reader's playground program is as it was.
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("unwind.playground.v1")).program);
  assert.equal(stored, "r0 = 99\nexit");
  await page.screenshot({ path: join(repoRoot, "target", "page-embeds.png") });
  await page.close();
  assert.deepEqual(problems, []);
});

test("the Embed button's markup is an iframe of this program", async () => {
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin });
  const page = await browser.context.newPage();
  watch(page, problems);
  await page.goto(url);
  await page.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });
  await fillSource(page, "r0 = 5\nexit\n");
  await page.locator('#workspace[aria-busy="false"]').waitFor();
  await page.locator("#embed").click();
  await page.locator("#notice:not([hidden])").waitFor();
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  const src = /src="([^"]+)"/.exec(snippet)?.[1]?.replace(/&amp;/g, "&");
  assert.ok(src, snippet);
  assert.match(snippet, /width="760" height="480"/);
  const embedded = await browser.context.newPage();
  watch(embedded, problems);
  await embedded.goto(src);
  await embedded.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });
  assert.equal(await sourceText(embedded), "r0 = 5\nexit\n");
  assert.equal(await embedded.locator("#source .cm-content").getAttribute("aria-readonly"), "true");
  await embedded.close();
  await page.close();
  assert.deepEqual(problems, []);
});

// The <unwind-playground> element (web/element.ts, dist/unwind-playground.js) on a docs page
// of another origin: a classic script, so no CORS is needed. Two elements, each with its own
// program (one inline as text, one by attribute), mode and panes, render their own verdicts;
// an attribute change updates only its element; hostile content stays data.
// The loophole example as a docs page would paste it: indented inside the element (which
// dedents its text).
const LOOPHOLE = readFileSync(join(repoRoot, "static/examples/global-loophole.s"), "utf8");
const LOOPHOLE_INDENTED = `
      <script type="text/plain">
${LOOPHOLE
  .split("\n")
  .map((line) => (line === "" ? "" : `        ${line}`))
  .join("\n")}
      </script>`;

test("two <unwind-playground> elements on a docs page of another origin", async () => {
  const page = await browser.context.newPage();
  watch(page, problems);
  const script = new URL("unwind-playground.js", url).href;
  // The docs site: another origin (localhost, another port) than the playground's, a server
  // of its own (Chromium keeps a page that is not served from loopback from loading it).
  const html = `<!doctype html><html lang="en"><head><title>Docs with elements</title><link rel="icon" href="data:,">
        <script src="${script}" defer></script></head><body>
        <h1>Exceptions in BPF</h1>
        <unwind-playground id="a" mode="upstream" panes="verifier,debugger" readonly label="The loophole, refused upstream">${LOOPHOLE_INDENTED}
        </unwind-playground>
        <unwind-playground id="b" mode="legacy" panes="verifier" program="r0 = r5&#10;exit&#10;" label="An uninitialised register"></unwind-playground>
        <unwind-playground id="c" src="javascript:alert(1)" program="r0 = 0&#10;exit"></unwind-playground>
      </body></html>`;
  const docs = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise((done) => docs.listen(0, "127.0.0.1", done));
  after(() => docs.close());
  await page.goto(`http://localhost:${docs.address().port}/guide.html`);
  const a = page.frameLocator("#a iframe");
  const b = page.frameLocator("#b iframe");
  await a.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });
  await b.locator('#workspace[aria-busy="false"]').waitFor({ timeout: 30_000 });

  // Sized 760x480, titled, the embed page of the script's origin.
  for (const id of ["a", "b"]) {
    const frame = page.locator(`#${id} iframe`);
    assert.deepEqual(await frame.evaluate((f) => [f.width, f.height, f.getBoundingClientRect().width, f.getBoundingClientRect().height]), ["760", "480", 760, 480]);
    assert.ok((await frame.getAttribute("src")).startsWith(`${url}?embed&panes=`));
  }
  for (const f of [a, b]) {
    const size = await f.locator("html").evaluate((html) => [html.scrollWidth, html.clientWidth, html.scrollHeight, html.clientHeight]);
    assert.ok(size[0] <= size[1] && size[2] <= size[3], `fits its box: ${size}`);
  }
  assert.equal(await page.locator("#a iframe").getAttribute("title"), "The loophole, refused upstream");
  // The inline program, dedented; the attribute's program.
  const inline = await sourceText(a);
  assert.equal(inline.trimEnd(), LOOPHOLE.trimEnd(), "the element's text, dedented");
  assert.ok(inline.includes("if r0 < 1000 goto throw\n"));
  assert.equal(await sourceText(b), "r0 = r5\nexit\n");
  assert.equal(await a.locator("#mode").inputValue(), "upstream");
  assert.equal(await b.locator("#mode").inputValue(), "legacy");
  assert.equal(await a.locator("#source .cm-content").getAttribute("aria-readonly"), "true");
  assert.equal(await b.locator("#source .cm-content").getAttribute("aria-readonly"), null);
  const shownTabs = (f) => f.locator('[role="tab"]:visible').evaluateAll((tabs) => tabs.map((t) => t.id));
  assert.deepEqual(await shownTabs(a), ["tab-verifier", "tab-debugger"]);
  assert.deepEqual(await shownTabs(b), ["tab-verifier"]);

  // Their own verdicts: the loophole refused upstream; r5 read before it is written.
  await a.locator("#verdict", { hasText: "Rejected" }).waitFor();
  assert.match(await a.locator("#verdict").innerText(), /bpf_throw would lead to reference leak/);
  await b.locator("#verdict", { hasText: "Rejected" }).waitFor();
  assert.match(await b.locator("#verdict").innerText(), /R5 !read_ok/);
  // A bad src shows a message, no frame.
  assert.equal(await page.locator("#c iframe").isVisible(), false);
  assert.match(await page.locator("#c p").innerText(), /src attribute is not an http\(s\) URL/);

  // An attribute change updates its element only: the loophole in cleanup mode is accepted
  // (the unwinder releases the object); b stays as it was.
  await page.locator("#a").evaluate((e) => e.setAttribute("mode", "cleanup"));
  await a.locator('#verdict[data-verdict="accepted"]').waitFor({ timeout: 15_000 });
  assert.equal(await a.locator("#mode").inputValue(), "cleanup");
  assert.equal(await b.locator("#mode").inputValue(), "legacy");
  assert.match(await b.locator("#verdict").innerText(), /R5 !read_ok/);

  // Hostile content is data: markup in the program attribute is the editor's text, nothing
  // is injected into the embed or the docs page.
  const hostile = '<img src=x onerror="parent.pwned=1;window.pwned=1"><script>window.pwned=1</script>\nr0 = 0\nexit\n';
  await page.locator("#b").evaluate((e, text) => e.setAttribute("program", text), hostile);
  await b.locator("#source .cm-content", { hasText: "onerror" }).waitFor({ timeout: 15_000 });
  assert.equal(await sourceText(b), hostile);
  assert.equal(await b.locator("img").count(), 0);
  assert.equal(await b.locator("body").evaluate(() => window.pwned), undefined);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator("img").count(), 0);
  // The text program follows an edit of the element's text by the docs page's script.
  await page.locator("#a").evaluate((e) => { e.textContent = "\n    r0 = 7\n    exit\n"; });
  await a.locator("#source .cm-content", { hasText: "r0 = 7" }).waitFor({ timeout: 15_000 });
  assert.equal(await sourceText(a), "r0 = 7\nexit\n");
  await page.screenshot({ path: join(repoRoot, "target", "page-elements.png"), fullPage: true });
  await page.close();
  assert.deepEqual(problems, []);
});
