// Debian's Chromium for the browser tests, through playwright-core (which never downloads a
// browser): headless, a fresh profile per launch, every console error, page error, failed
// request and HTTP error recorded as text in `problems`.

import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
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

/** A browser context on a fresh profile directory; `close()` removes it. */
export async function launch({ viewport = { width: 1280, height: 800 } } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "unwind-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Records the page's problems (console errors, page errors, failed requests, HTTP >= 400). */
export function watch(page, problems) {
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
  return page;
}

/** For a test file of the built page: before its tests, serves dist/ on a free port and
 * launches a browser, then hands `{ url, browser }` to `ready`; after them, closes both. */
export function servePlayground(ready, { viewport } = {}) {
  let server;
  let browser;
  before(async () => {
    await stat(join(repoRoot, "dist", "index.html")).catch(() => {
      throw new Error("dist/index.html is missing: build the page first (make build-web)");
    });
    let url;
    ({ server, url } = await startServer({ port: 0 }));
    browser = await launch(viewport === undefined ? {} : { viewport });
    ready({ url, browser });
  });
  after(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done()));
  });
}

/** Empties the local storage of `url`'s origin (the page remembers programs, the theme and
 * the size there), from a document of the origin that is not the page: an SVG one, whose
 * browser-made favicon request is answered empty. */
export async function clearStorage(page, url) {
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  await page.goto(new URL("static/favicon.svg", url).href);
  await page.evaluate(() => localStorage.clear());
}

/** Replaces the program in the editor (`#source` under `scope`, a page or a frame) as a user
 * would: select all, then paste. */
export async function fillSource(scope, text) {
  const content = scope.locator("#source .cm-content");
  await content.focus();
  await content.press("ControlOrMeta+a");
  await content.evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** The program in the editor. */
export function sourceText(scope) {
  return scope.locator("#source").evaluate((host) => host.value);
}
