// The wasm-against-native benchmark (`make bench-wasm`; BENCHMARKS.md, "WebAssembly against
// native"). The native half is crates/session/benches/wasm_vs_native.rs, which also hands
// over its workloads (sources and options), so both halves run the same programs through the
// same session calls: natively, and through the npm package's raw bindings (dist/npm/
// unwind-bpf/pkg, built by `make build-web`) in headless Chromium. Two rounds, alternating
// native and wasm; each keeps its best time. Every wasm result is checked against the
// native one (instructions executed and R0, or processed instructions and the verdict).
//
//   node scripts/bench-wasm.mjs [--quick]

import { execFileSync } from "node:child_process";
import { launch, watch } from "../web/tests/chromium.mjs";
import { repoRoot, startServer } from "../web/serve.mjs";

const quick = process.argv.includes("--quick");
const rounds = 2;

function native() {
  const args = ["bench", "-q", "-p", "unwind-session", "--bench", "wasm_vs_native", "--", "--json"];
  if (quick) args.push("--quick");
  const out = execFileSync("cargo", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").pop()).workloads;
}

/** Runs every workload in the page, the same way the native half does. */
async function wasm(page, workloads) {
  return page.evaluate(
    async ({ workloads, reps, minMs }) => {
      const m = await import("/npm/unwind-bpf/pkg/unwind_wasm.js");
      await m.default();
      const results = [];
      for (const w of workloads) {
        let debuggerSession = null;
        const once = () => {
          if (w.kind === "run") {
            debuggerSession ??= new m.Debugger(w.source, w.options);
            const d = debuggerSession;
            d.reset();
            d.setRecording(w.recording);
            const start = performance.now();
            d.run();
            const ms = performance.now() - start;
            const st = d.state();
            return { ms, computed: { instructions: st.instructions, r0: st.registers[0] } };
          }
          if (w.kind === "back") {
            debuggerSession ??= new m.Debugger(w.source, w.options);
            const d = debuggerSession;
            d.reset();
            d.setRecording(true);
            let ms = 0;
            for (const n of w.steps) {
              d.run();
              const start = performance.now();
              if (d.back(n) !== n) throw new Error(`back(${n}) fell short`);
              ms = Math.max(ms, performance.now() - start);
            }
            const st = d.state();
            return { ms, computed: { instructions: st.instructions, r0: st.registers[0] } };
          }
          const start = performance.now();
          const v = m.verify(w.source, w.options);
          const ms = performance.now() - start;
          const s = v.summary();
          v.free();
          return { ms, computed: { insnsProcessed: s.stats.insnsProcessed, accepted: s.accepted } };
        };
        const first = once();
        let best = first.ms;
        const started = performance.now();
        for (let n = 1; n < reps || performance.now() - started < minMs; n++) best = Math.min(best, once().ms);
        debuggerSession?.free();
        results.push({ name: w.name, wasmMs: best, computed: first.computed });
      }
      return results;
    },
    { workloads, reps: quick ? 2 : 5, minMs: quick ? 200 : 2000 },
  );
}

const { server, url } = await startServer({ port: 0 });
const browser = await launch();
const problems = [];
try {
  const page = await browser.context.newPage();
  watch(page, problems);
  // A JSON document gets no favicon; the browser's request for one is not the package's.
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  await page.goto(new URL("npm/unwind-bpf/package.json", url).href);
  const best = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const w of native()) {
      const b = best.get(w.name) ?? { ...w, wasmMs: Infinity };
      b.nativeMs = Math.min(b.nativeMs, w.nativeMs);
      best.set(w.name, b);
    }
    for (const r of await wasm(page, [...best.values()])) {
      const b = best.get(r.name);
      const canonical = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
      if (canonical(r.computed) !== canonical(b.computed)) {
        throw new Error(`${r.name}: wasm computed ${JSON.stringify(r.computed)}, native ${JSON.stringify(b.computed)}`);
      }
      b.wasmMs = Math.min(b.wasmMs, r.wasmMs);
    }
  }
  if (problems.length) throw new Error(`page problems: ${problems.join("; ")}`);
  const version = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent);
  console.log(`${version}, node ${process.versions.node}, ${quick ? "quick" : "full"} run\n`);
  console.log("| workload | work | native | wasm (Chromium) | wasm / native speed |");
  console.log("|---|---:|---:|---:|---:|");
  for (const b of best.values()) {
    const work =
      b.kind === "run"
        ? `${Number(b.computed.instructions).toLocaleString("en")} insns`
        : b.kind === "back"
          ? `${b.steps.length} backs`
        : `${b.computed.insnsProcessed.toLocaleString("en")} processed`;
    const ms = (t) => `${t.toFixed(t < 10 ? 2 : 1)} ms`;
    console.log(`| ${b.name} | ${work} | ${ms(b.nativeMs)} | ${ms(b.wasmMs)} | ${(b.nativeMs / b.wasmMs).toFixed(2)}x |`);
  }
} finally {
  await browser.close();
  server.close();
}
