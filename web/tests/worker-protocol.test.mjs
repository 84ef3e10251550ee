// The package's worker (packages/unwind-bpf/src/worker.ts) under hostile messages, in
// headless Chromium against the built package (issue 12): fast-check makes a few hundred
// messages (junk values, calls of unknown ops, calls of known ops with fields of the wrong
// types, huge and negative numbers, NaN and Infinity, unknown debugger actions) and each is
// posted to one worker. Every message gets exactly one answer (a call with an id: `done` or
// `failed` with that id; anything else: `failed` with id null), failures are `misuse` or
// `released` with a message (never a `trap`: no hostile value reaches a Rust panic), the worker
// never raises an error event, and it still answers a real call at the end.
//
//   node --test web/tests/worker-protocol.test.mjs   (after make build-web)

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { servePlayground, watch } from "./chromium.mjs";

let url;
let browser;
const problems = [];

servePlayground((site) => ({ url, browser } = site));

const RUNS = Number(process.env.FC_RUNS ?? 300);
const OPS = ["assemble", "verify", "logLines", "logText", "logSearch", "states", "release", "debugger", "replay", "act", "run"];
const ACTIONS = ["state", "step", "stepOver", "stepOut", "run", "back", "reset", "breakpoints", "breakpointPcs", "recording"];
const SOURCES = ["r0 = 0\nexit\n", "call f\nr0 = 0\nexit\nf:\nr0 = 0\nexit\n", "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n", "frob", ""];

const number = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 53 + 2, 1e300, -1e300, 2 ** 32, 0.5),
);
const junk = fc.oneof(
  { depthSize: "small" },
  number,
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 2 }),
);
const options = fc.oneof(
  fc.dictionary(fc.constantFrom("syntax", "mode", "logLevel", "budget", "world", "helpers", "traceCapacity", "unverified", "__proto__", "x"), junk, { maxKeys: 4 }),
  junk,
  fc.constant({ mode: "legacy", budget: 5000 }),
);
const action = fc.record(
  {
    action: fc.oneof(fc.constantFrom(...ACTIONS), junk),
    steps: number,
    lines: fc.oneof(fc.array(number, { maxLength: 4 }), junk),
    pcs: fc.oneof(fc.array(number, { maxLength: 4 }), junk),
    on: junk,
  },
  { requiredKeys: ["action"] },
);
const call = fc.record(
  {
    op: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...OPS) }, { weight: 1, arbitrary: junk }),
    handle: fc.oneof(fc.integer({ min: 1, max: 3 }), number, junk),
    source: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SOURCES) }, { weight: 1, arbitrary: junk }),
    options,
    from: number,
    to: number,
    fromPc: number,
    toPc: number,
    query: fc.oneof(fc.string({ maxLength: 4 }), junk),
    prefix: junk,
    limit: number,
    eventsFrom: number,
    actions: fc.oneof(fc.array(action, { maxLength: 4 }), junk),
  },
  { requiredKeys: ["op"] },
).chain((c) => (c.op === "act" ? action.map((a) => ({ ...c, ...a })) : fc.constant(c)));
const message = fc.oneof(
  { weight: 8, arbitrary: fc.record({ type: fc.constant("call"), id: fc.integer({ min: 1, max: 1e6 }), call, progress: fc.boolean() }) },
  { weight: 1, arbitrary: junk },
  { weight: 1, arbitrary: fc.record({ type: fc.oneof(fc.constantFrom("call", "init", "ready"), junk), id: junk, call: junk }, { requiredKeys: [] }) },
);

test("every hostile message to the worker gets one typed answer; the worker keeps working", async () => {
  const messages = fc.sample(message, { numRuns: RUNS, seed: 12 });
  const page = watch(await browser.context.newPage(), problems);
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  await page.goto(new URL("static/favicon.svg", url).href);
  const outcome = await page.evaluate(async (messages) => {
    const worker = new Worker(new URL("../npm/unwind-bpf/worker.js", location.href), { type: "module" });
    const replies = [];
    const errors = [];
    let wake = null;
    worker.addEventListener("message", (event) => {
      replies.push(event.data);
      wake?.();
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      errors.push(event.message || "error");
      wake?.();
    });
    /** The next answer that is not progress, or null after 20 s. */
    const next = async () => {
      const deadline = performance.now() + 20_000;
      for (;;) {
        const i = replies.findIndex((r) => r?.type !== "progress");
        if (i >= 0) return replies.splice(0, i + 1).pop();
        if (errors.length > 0 || performance.now() > deadline) return null;
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    };
    // Before init: a call is refused, not run on a module that is not there.
    worker.postMessage({ type: "call", id: 1, call: { op: "assemble", source: "exit", options: {} }, progress: false });
    const early = await next();
    worker.postMessage({ type: "init", module: new URL("../npm/unwind-bpf/pkg/unwind_wasm_bg.wasm", location.href).href });
    const ready = await next();
    const answers = [];
    for (const m of messages) {
      const started = performance.now();
      try {
        worker.postMessage(m);
      } catch (error) {
        answers.push({ posted: false, error: String(error) });
        continue;
      }
      const reply = await next();
      answers.push({ reply, ms: performance.now() - started });
      if (reply === null) break;
    }
    worker.postMessage({ type: "call", id: 7, call: { op: "assemble", source: "r0 = 0\nexit\n", options: {} }, progress: false });
    const last = await next();
    worker.terminate();
    return { early, ready, answers, last, errors, extra: replies.filter((r) => r?.type !== "progress") };
  }, messages);

  assert.deepEqual(outcome.errors, [], "the worker raised no error event");
  assert.equal(outcome.early.type, "failed");
  assert.match(outcome.early.message, /init/);
  assert.equal(outcome.ready.type, "ready");
  assert.equal(outcome.answers.length, messages.length, "every message was answered");
  const kinds = {};
  for (const [i, { reply, posted, ms }] of outcome.answers.entries()) {
    if (posted === false) continue; // not cloneable: the page's own postMessage refused it
    const m = messages[i];
    const what = `message ${i}: ${JSON.stringify(m)?.slice(0, 300)} -> ${JSON.stringify(reply)?.slice(0, 300)}`;
    assert.ok(reply !== null, `no answer to ${what}`);
    const isCall = m !== null && typeof m === "object" && m.type === "call" && typeof m.id === "number";
    assert.ok(reply.type === "done" || reply.type === "failed", what);
    if (reply.type === "failed") {
      assert.ok(["misuse", "released"].includes(reply.code), `a ${reply.code}: ${what}`);
      assert.equal(typeof reply.message, "string");
      assert.ok(reply.message.length > 0, what);
    }
    if (isCall) assert.equal(reply.id, m.id, what);
    else if (m?.type !== "init") assert.equal(reply.type, "failed", what);
    assert.ok(ms < 15_000, `${what} took ${ms} ms`);
    kinds[`${reply.type}${reply.code ? `:${reply.code}` : ""}`] = (kinds[`${reply.type}${reply.code ? `:${reply.code}` : ""}`] ?? 0) + 1;
  }
  assert.ok((kinds["done"] ?? 0) > 10 && (kinds["failed:misuse"] ?? 0) > 10, `both answers were seen: ${JSON.stringify(kinds)}`);
  assert.deepEqual(outcome.extra, [], "no answer beyond one per message");
  assert.equal(outcome.last.type, "done");
  assert.equal(outcome.last.id, 7);
  await page.close();
});

test("no console errors, page errors or failed requests", () => {
  assert.deepEqual(problems, []);
});
