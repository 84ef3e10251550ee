// The npm package as a documentation site gets it: the packed tarball (dist/npm/*.tgz, from
// `make build-web`) is installed with npm into a temporary folder, nothing of the workspace's
// sources is used, and a page there imports it through an import map, in headless Chromium.
// It verifies and runs an example, steps through an unwinding, reports progress, cancels,
// and survives a trap.
//
//   node --test web/tests/

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { repoRoot, startServer } from "../serve.mjs";
import { launch, watch } from "./chromium.mjs";
import { LIMIT_PROGRAM } from "./programs.mjs";

const run = promisify(execFile);

let site;
let server;
let url;
let browser;
const problems = [];


before(async () => {
  const npmDir = join(repoRoot, "dist", "npm");
  const tarballs = (await readdir(npmDir).catch(() => [])).filter((f) => f.endsWith(".tgz"));
  assert.equal(tarballs.length, 1, `one packed tarball in ${npmDir} (build it: make build-web)`);
  site = await mkdtemp(join(tmpdir(), "unwind-docs-site-"));
  await writeFile(join(site, "package.json"), JSON.stringify({ name: "docs-site", private: true }));
  // The tarball has no dependencies: npm installs it without the registry.
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(npmDir, tarballs[0])], {
    cwd: site,
  });
  await copyFile(join(repoRoot, "static", "examples", "callee-saved.s"), join(site, "example.s"));
  const fixtures = join(repoRoot, "crates", "object", "tests", "fixtures");
  await copyFile(join(fixtures, "global_loophole.o"), join(site, "global_loophole.o"));
  await writeFile(
    join(site, "index.html"),
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>docs site</title><link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "unwind-bpf": "./node_modules/unwind-bpf/index.js" } }</script>
<script type="module">
  import * as unwind from "unwind-bpf";
  window.unwindBpf = unwind;
  window.loaded = true;
</script></head><body><p>A documentation page.</p></body></html>`,
  );
  ({ server, url } = await startServer({ root: site, port: 0 }));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (site) await rm(site, { recursive: true, force: true });
});

async function openSite() {
  const page = watch(await browser.context.newPage(), problems);
  await page.goto(url);
  await page.waitForFunction(() => window.loaded === true);
  return page;
}

test("the tarball installs as a package of its own: manifest, types, licence, no workspace paths", async () => {
  const installed = join(site, "node_modules", "unwind-bpf");
  assert.equal((await stat(installed)).isDirectory(), true, "installed as a copy, not a link");
  const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
  const cargo = await readFile(join(repoRoot, "Cargo.toml"), "utf8");
  assert.equal(manifest.version, /^version = "(.*)"$/m.exec(cargo)[1], "the crates' version");
  for (const file of [
    "index.js",
    "index.d.ts",
    "worker.js",
    "pkg/unwind_wasm.js",
    "pkg/unwind_wasm.d.ts",
    "pkg/unwind_wasm_bg.wasm",
    "pkg/unwind_object.js",
    "pkg/unwind_object_bg.wasm",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
  ]) {
    await stat(join(installed, file));
  }
  const types = await readFile(join(installed, "index.d.ts"), "utf8");
  assert.match(types, /export declare function createUnwind\(/);
  assert.match(await readFile(join(installed, "README.md"), "utf8"), /await createUnwind\(\)/);
});

test("a docs site verifies, runs and steps through an unwinding with the packed package", async () => {
  const page = await openSite();
  const result = await page.evaluate(async () => {
    const { createUnwind } = window.unwindBpf;
    const source = await (await fetch("example.s")).text();
    const unwind = await createUnwind();
    const verdict = await unwind.verify(source, { mode: "cleanup" });
    const refused = await unwind.verify(source, { mode: "upstream" });
    const ran = await unwind.run(source, { mode: "cleanup" });
    // Stepping: one instruction at a time until the program ends, the unwinding included.
    const dbg = await unwind.debugger(source, { mode: "cleanup" });
    let steps = 0;
    let stop = null;
    while (dbg.state.state === "running" && steps < 10_000) {
      ({ stop } = await dbg.step());
      steps++;
    }
    const stepped = dbg.events.map((e) => e.kind);
    await dbg.back(3);
    const backed = dbg.state.pc;
    dbg.close();
    unwind.close();
    return {
      version: unwind.version,
      accepted: verdict.accepted,
      descriptors: verdict.frameDescriptors.length,
      logComplete: verdict.log.complete,
      logText: await verdict.log.text().catch((e) => `failed: ${e.message}`),
      refused: refused.accepted,
      refusal: refused.errors.map((e) => e.message),
      ranState: ran.state.state,
      ranReturn: ran.state.returnValue,
      ranEvents: ran.events.map((e) => `${e.kind}${e.by ? `:${e.by}` : ""}`),
      stepped,
      stop,
      steps,
      backed,
    };
  });
  assert.match(result.version, /^\d+\.\d+\.\d+/);
  assert.equal(result.accepted, true);
  assert.ok(result.descriptors > 0, "the cleanup mode records frame descriptors");
  assert.equal(result.logComplete, true, "a short log comes whole");
  assert.match(result.logText, /processed \d+ insns/);
  assert.equal(result.refused, false, "upstream refuses a throw while references are held");
  assert.ok(result.refusal.length > 0);
  assert.equal(result.ranState, "exited");
  // The unwinder releases level2's object, level1's cgroup and main's task, restoring the
  // callee-saved registers on the way (the example's comment).
  const releases = result.ranEvents.filter((e) => e === "release:unwinder");
  assert.equal(releases.length, 3, result.ranEvents.join(" "));
  assert.ok(result.ranEvents.includes("throw"));
  assert.ok(result.ranEvents.includes("restore_regs"));
  assert.ok(!result.ranEvents.includes("leak"));
  // Stepping gives the same events as the fast run.
  assert.deepEqual(result.stepped, result.ranEvents.map((e) => e.split(":")[0]));
  assert.equal(result.stop, "ended");
  assert.ok(result.steps > 10);
  assert.equal(typeof result.backed, "number");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a docs site opens a clang-built object: its programs as text with C lines, verified and run; the loader's module only on demand", async () => {
  const page = await openSite();
  const fetched = [];
  page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  const result = await page.evaluate(async () => {
    const { createUnwind } = window.unwindBpf;
    const unwind = await createUnwind();
    const before = await unwind.verify("r0 = 0\nexit");
    const bytes = new Uint8Array(await (await fetch("global_loophole.o")).arrayBuffer());
    const loadedBefore = performance.getEntriesByType("resource").some((e) => e.name.endsWith("unwind_object_bg.wasm"));
    const object = await unwind.openObject(bytes);
    const program = object.programs[0];
    const legacy = await unwind.verify(program.source, { mode: "legacy" });
    const upstream = await unwind.verify(program.source, { mode: "upstream" });
    const ran = await unwind.run(program.source, { mode: "cleanup" });
    const notElf = await unwind.openObject(new TextEncoder().encode("hello"));
    const misuse = await unwind.openObject("not bytes").then(() => "answered", (e) => `${e.code}: ${e.message}`);
    unwind.close();
    return {
      before: before.accepted,
      loadedBefore,
      error: object.error,
      names: object.programs.map((p) => p.name),
      cFile: program.cFile,
      license: object.license,
      hasLoc: program.source.includes('.loc "./global_loophole.c" 24:2'),
      legacy: legacy.accepted,
      upstream: upstream.accepted,
      upstreamError: upstream.errors[0]?.message,
      upstreamLog: await upstream.log.text(),
      ranEvents: ran.events.map((e) => `${e.kind}${e.by ? `:${e.by}` : ""}`),
      notElf: notElf.error,
      misuse,
    };
  });
  assert.equal(result.before, true);
  assert.equal(result.loadedBefore, false, "the object loader's module is not fetched before it is needed");
  assert.ok(fetched.some((p) => p.endsWith("/pkg/unwind_object_bg.wasm")), fetched.join(" "));
  assert.equal(result.error, null);
  assert.deepEqual(result.names, ["global_loophole"]);
  assert.equal(result.cFile, "global_loophole.c");
  assert.equal(result.license, "GPL");
  assert.equal(result.hasLoc, true, "the C lines are .loc directives in the text");
  // The article's loophole from C: legacy accepts, upstream refuses, cleanup releases.
  assert.equal(result.legacy, true);
  assert.equal(result.upstream, false);
  assert.match(result.upstreamError, /reference leak/);
  assert.match(result.upstreamLog, /; global_may_throw\(skb\); @ global_loophole\.c:24\n/);
  assert.ok(result.ranEvents.includes("release:unwinder"), result.ranEvents.join(" "));
  assert.match(result.notElf, /not an ELF file/);
  assert.match(result.misuse, /^misuse: (Error: )?invalid bytes: expected a Uint8Array, got string/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("progress while the verifier walks to the 1,000,000-instruction limit; cancel() answers at once; the next call works", async () => {
  const page = await openSite();
  const result = await page.evaluate(async (source) => {
    const { createUnwind } = window.unwindBpf;
    const unwind = await createUnwind();
    // The main thread's responsiveness: the longest gap between 10 ms ticks.
    let worstGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 10);
    const progress = [];
    const began = performance.now();
    const full = await unwind.verify(source, { onProgress: (p) => progress.push(p) });
    const fullMs = performance.now() - began;

    // The same again, cancelled once it is under way.
    let cancelledAt = 0;
    let reports = 0;
    const cancelled = unwind
      .verify(source, {
        onProgress: () => {
          if (++reports === 2) {
            cancelledAt = performance.now();
            unwind.cancel();
          }
        },
      })
      .then(
        () => ({ outcome: "answered" }),
        (e) => ({ outcome: e.name, code: e.code, ms: performance.now() - cancelledAt }),
      );
    const cancel = await cancelled;
    // The next call waits for the new worker (started from the module already compiled).
    const nextStarted = performance.now();
    const next = await unwind.verify("r0 = 0\nexit");
    const nextMs = performance.now() - nextStarted;
    // An AbortSignal cancels too.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await unwind
      .verify(source, { signal: controller.signal })
      .then(() => "answered", (e) => e.code);
    clearInterval(ticker);
    const lines = await full.log.lines(full.log.lineCount - 3, full.log.lineCount);
    // Searched in the worker, over the whole log: case-insensitive, or at the lines' starts.
    const searched = {
      summary: await full.log.search("PROCESSED 1000001 INSNS"),
      pcLines: await full.log.search("2: ", { prefix: true, limit: 3 }),
      inside: await full.log.search("2: ", { limit: 20_000 }),
    };
    const summaryLine = await full.log.lines(searched.summary.lines[0], searched.summary.lines[0] + 1);
    unwind.close();
    return {
      fullMs,
      worstGap,
      progress: progress.length,
      increasing: progress.every((p, i) => i === 0 || p.insnsProcessed >= progress[i - 1].insnsProcessed),
      lastInsns: progress.at(-1)?.insnsProcessed ?? 0,
      accepted: full.accepted,
      errors: full.errors.map((e) => e.message),
      lineCount: full.log.lineCount,
      complete: full.log.complete,
      windows: full.log.windows.length,
      excerpt: full.log.excerpt().length,
      tail: lines,
      searched,
      summaryLine,
      cancel,
      next: next.accepted,
      nextMs,
      aborted,
    };
  }, LIMIT_PROGRAM);
  assert.equal(result.accepted, false);
  assert.match(result.errors.join("\n"), /BPF program is too large\. Processed 1000001 insn/);
  assert.ok(result.progress >= 5, `progress reported ${result.progress} times`);
  assert.ok(result.increasing);
  assert.ok(result.lastInsns > 900_000, `the last report at ${result.lastInsns}`);
  assert.ok(result.worstGap < 100, `the main thread answered within ${result.worstGap} ms`);
  assert.equal(result.cancel.outcome, "AbortError");
  assert.equal(result.cancel.code, "aborted");
  assert.ok(result.cancel.ms < 100, `cancel() answered after ${result.cancel.ms} ms`);
  assert.equal(result.next, true, "the next call works");
  // Recorded in BENCHMARKS.md ("cancel by restart"); not a timed assertion beyond 'it works'.
  console.log(`# verify to the limit: ${result.fullMs.toFixed(0)} ms; next call after cancel: ${result.nextMs.toFixed(1)} ms`);
  assert.equal(result.aborted, "aborted");
  // A long log is not sent whole: a few windows, the rest on request.
  assert.equal(result.complete, false);
  assert.ok(result.windows >= 2);
  assert.ok(result.excerpt < 100_000, `the excerpt is ${result.excerpt} characters`);
  assert.match(result.tail.join("\n"), /processed 1000001 insns/);
  assert.equal(result.searched.summary.lines.length, 1);
  assert.equal(result.searched.summary.truncated, false);
  assert.match(result.summaryLine[0], /^processed 1000001 insns/);
  assert.equal(result.searched.pcLines.lines.length, 3);
  assert.equal(result.searched.pcLines.truncated, true);
  assert.ok(result.searched.pcLines.lines.every((n, i, all) => i === 0 || n > all[i - 1]), "in order");
  // The caller's limit (above the default 10,000): the first 20,000 lines that hold it.
  assert.equal(result.searched.inside.lines.length, 20_000);
  assert.equal(result.searched.inside.truncated, true);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a trap rejects its call with `trap`, the worker is replaced and the next call works", async () => {
  const page = await openSite();
  const result = await page.evaluate(async () => {
    const { createUnwind } = window.unwindBpf;
    const unwind = await createUnwind();
    const misuse = await unwind.verify("exit", { mode: "nope" }).then(() => "answered", (e) => e.code);
    const trap = await unwind.panicForTests().then(() => "answered", (e) => e.code);
    const next = await unwind.assemble("r0 = 1\nexit");
    unwind.close();
    return { misuse, trap, next: next.ok };
  });
  assert.equal(result.misuse, "misuse", "a bad option is the caller's bug, not a trap");
  assert.equal(result.trap, "trap");
  assert.equal(result.next, true);
  // The panic hook prints the panic as a console error: that one is expected.
  const unexpected = problems.filter((p) => !/unwind test panic|panicked at/i.test(p));
  assert.deepEqual(unexpected, []);
  problems.length = 0;
  await page.close();
});

test("a cancelled debugger call leaves the session as it was; a superseded call rejects", async () => {
  const page = await openSite();
  const result = await page.evaluate(async () => {
    const { createUnwind } = window.unwindBpf;
    const unwind = await createUnwind();
    // A loop that runs until the budget.
    const source = ["r1 = 0", "loop:", "r1 += 1", "if r1 != 0 goto loop", "r0 = 0", "exit"].join("\n");
    const dbg = await unwind.debugger(source, { unverified: true, budget: 4_000_000_000 });
    await dbg.step();
    await dbg.step();
    const before = dbg.state.pc;
    const run = dbg.run();
    setTimeout(() => dbg.cancel(), 100);
    const outcome = await run.then(() => "answered", (e) => e.code);
    const after = await dbg.refresh();
    const stepped = await dbg.step();
    // A channel: the second call replaces the first.
    const channel = unwind.channel();
    const first = channel.assemble("r0 = 1\nexit").then(() => "answered", (e) => e.code);
    const second = channel.assemble("r0 = 2\nexit").then((r) => r.ok, (e) => e.code);
    const answers = [await first, await second];
    dbg.close();
    unwind.close();
    return { before, outcome, after: after.state.pc, stepped: stepped.state.pc, answers };
  });
  assert.equal(result.outcome, "aborted");
  assert.equal(result.after, result.before, "the session is where it was before the run");
  assert.notEqual(result.stepped, result.before, "and it steps on");
  assert.deepEqual(result.answers, ["superseded", true]);
  assert.deepEqual(problems, []);
  await page.close();
});
