// Parity: the same answers through the CLI (`unwind verify --json`, `unwind run --json`) and
// through the npm package in headless Chromium, for every example in static/examples/ in every
// mode: the verdict, the errors, the log, the frame descriptors, the functions' facts, and the
// run's end and events. The package is the built one (dist/npm/unwind-bpf, from
// `make build-web`); the CLI is built here if it is not already.
//
//   node --test web/tests/

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { repoRoot, startServer } from "../serve.mjs";
import { launch, watch } from "./chromium.mjs";

const exec = promisify(execFile);
const MODES = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];
const examplesDir = join(repoRoot, "static", "examples");

let cli;
let server;
let url;
let browser;
const problems = [];

before(async () => {
  await exec("cargo", ["build", "--quiet", "-p", "unwind-cli"], { cwd: repoRoot });
  const { stdout } = await exec("cargo", ["metadata", "--format-version", "1", "--no-deps"], {
    cwd: repoRoot,
    maxBuffer: 64 << 20,
  });
  cli = join(JSON.parse(stdout).target_directory, "debug", "unwind");
  ({ server, url } = await startServer({ port: 0 }));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
});

/** The CLI's JSON (its exit code says the verdict; the JSON is on stdout either way). */
async function cliJson(args) {
  const outcome = await exec(cli, args, { maxBuffer: 256 << 20 }).catch((error) => error);
  assert.ok(outcome.stdout, `unwind ${args.join(" ")} printed nothing: ${outcome.stderr}`);
  return JSON.parse(outcome.stdout);
}

/** snake_case keys → camelCase, as the package's one serde policy names them. */
function camel(value) {
  if (Array.isArray(value)) return value.map(camel);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camel(v)]),
  );
}

test("every example in every mode: the CLI and the package agree", async () => {
  const examples = JSON.parse(await readFile(join(examplesDir, "index.json"), "utf8"));
  const cases = [];
  for (const example of examples) {
    const source = await readFile(join(examplesDir, example.file), "utf8");
    for (const mode of MODES) cases.push({ ...example, source, mode });
  }
  const page = watch(await browser.context.newPage(), problems);
  // A blank page of the server's origin (no favicon request): the package is imported by URL.
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  await page.goto(`${url}static/style.css`);
  const answers = await page.evaluate(async (cases) => {
    const { createUnwind } = await import("/npm/unwind-bpf/index.js");
    const unwind = await createUnwind();
    const out = [];
    for (const c of cases) {
      const v = await unwind.verify(c.source, { mode: c.mode });
      const world = c.ctx === undefined ? {} : { world: { ctx: c.ctx.replace(/\s+/g, "") } };
      const run = await unwind.run(c.source, { mode: c.mode, ...world });
      out.push({ summary: v.summary, log: await v.log.text(), run });
    }
    unwind.close();
    return out;
  }, cases);
  let compared = 0;
  for (const [i, c] of cases.entries()) {
    const what = `${c.file} in ${c.mode}`;
    const file = join(examplesDir, c.file);
    const verified = camel(await cliJson(["verify", file, "--mode", c.mode, "--json"]));
    const { summary, log, run } = answers[i];
    assert.equal(summary.accepted, verified.accepted, `${what}: the verdict`);
    assert.deepEqual(summary.errors, verified.errors, `${what}: the errors`);
    assert.equal(log, verified.log, `${what}: the log`);
    assert.deepEqual(summary.frameDescriptors, verified.frameDescriptors, `${what}: the descriptors`);
    assert.deepEqual(summary.functions, verified.functions, `${what}: the functions`);
    assert.deepEqual(summary.stats, verified.stats, `${what}: the stats`);
    assert.deepEqual(summary.rewrite, verified.rewrite, `${what}: the rewrite`);
    assert.deepEqual(summary.loaded, verified.loaded, `${what}: the program as loaded`);

    const ctx = c.ctx === undefined ? [] : ["--ctx", c.ctx.replace(/\s+/g, "")];
    const ran = camel(await cliJson(["run", file, "--mode", c.mode, "--json", ...ctx]));
    if (!verified.accepted) {
      assert.equal(run.state.state, "rejected", `${what}: not run`);
      assert.deepEqual(ran.events, [], `${what}: the CLI did not run it either`);
      continue;
    }
    assert.equal(run.state.returnValue ?? null, ran.returnValue, `${what}: r0`);
    assert.equal(run.state.fault?.kind ?? null, ran.fault?.kind ?? null, `${what}: the fault`);
    assert.deepEqual(run.events, ran.events, `${what}: the events`);
    compared++;
  }
  assert.ok(compared >= 20, `${compared} runs compared`);
  assert.deepEqual(problems, []);
  await page.close();
});
