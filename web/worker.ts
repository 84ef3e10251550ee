// The Web Worker that hosts the wasm module: the page never calls wasm on its own thread, so
// long work cannot freeze it, and a trap (a Rust panic) only costs a worker restart.

import init, { Debugger, assemble, verify, version } from "./pkg/unwind_wasm.js";
import type { DebugResult, Reply, Request, VerifyOptions } from "./protocol.js";

/** The debugger's instruction budget: a runaway loop stops with a fault, not a frozen worker. */
const DEBUG_BUDGET = 10_000_000;

/** The parts of the worker's global scope used here (the DOM lib types the page instead). */
interface WorkerScope {
  postMessage(message: Reply): void;
  addEventListener(type: "message", listener: (event: MessageEvent<Request>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let broken = false;

/** The one debugger session: for one source and options. */
let session: { key: string; vm: Debugger; serial: number } | null = null;
/** Session numbers start at random, so a restarted worker's never match the old one's. */
let serial = Math.floor(Math.random() * 2 ** 30);

const ready = init().then(
  () => scope.postMessage({ type: "ready", version: version() }),
  (error: unknown) => fail(null, `could not load the WebAssembly module: ${describe(error)}`, true),
);

scope.addEventListener("message", (event) => {
  void ready.then(() => handle(event.data));
});

function handle(request: Request): void {
  if (broken) {
    fail(request.id, "the WebAssembly module stopped after an internal error", true);
    return;
  }
  switch (request.type) {
    case "assemble": {
      const started = performance.now();
      try {
        const result = assemble(request.source, request.options);
        const verdict =
          result.ok && request.verify !== undefined
            ? verify(request.source, verifyOptions(request))
            : null;
        scope.postMessage({
          type: "assembled",
          id: request.id,
          result,
          verdict,
          elapsedMs: performance.now() - started,
        });
      } catch (error) {
        // A JS Error from the bindings is misuse; a WebAssembly.RuntimeError is a trap.
        fail(request.id, describe(error), error instanceof WebAssembly.RuntimeError);
      }
      break;
    }
    case "debug": {
      try {
        scope.postMessage({ type: "debugged", id: request.id, result: debug(request) });
      } catch (error) {
        const trapped = error instanceof WebAssembly.RuntimeError;
        if (trapped) session = null;
        fail(request.id, describe(error), trapped);
      }
      break;
    }
  }
}

function debug(request: Extract<Request, { type: "debug" }>): DebugResult {
  const key = JSON.stringify([request.source, request.options]);
  let fresh = false;
  if (session === null || session.key !== key) {
    session?.vm.free();
    session = null;
    const vm = new Debugger(request.source, { budget: DEBUG_BUDGET, ...request.options });
    session = { key, vm, serial: ++serial };
    fresh = true;
  }
  const vm = session.vm;
  const lines = vm.lines();
  const wanted = new Set(request.breakpoints);
  lines.forEach((line, pc) => vm.setBreakpoint(pc, line > 0 && wanted.has(line)));
  let stop: DebugResult["stop"] = null;
  switch (request.action) {
    case "state":
      break;
    case "step":
      stop = vm.step();
      break;
    case "stepOver":
      stop = vm.stepOver();
      break;
    case "stepOut":
      stop = vm.stepOut();
      break;
    case "run":
      stop = vm.run();
      break;
    case "back":
      vm.back(1);
      break;
    case "reset":
      vm.reset();
      break;
  }
  const state = vm.state();
  const eventsFrom = fresh ? 0 : Math.min(request.eventsFrom, state.eventCount);
  return {
    session: session.serial,
    stop,
    state,
    events: vm.events(eventsFrom),
    eventsFrom,
    descriptors: vm.descriptors(),
    lines: Array.from(lines),
  };
}

/** The verify options of a request, with the syntax the assembler was asked to use. */
function verifyOptions(request: Extract<Request, { type: "assemble" }>): VerifyOptions {
  const options: VerifyOptions = { ...request.verify };
  if (request.options.syntax !== undefined) options.syntax = request.options.syntax;
  return options;
}

function fail(id: number | null, message: string, fatal: boolean): void {
  broken ||= fatal;
  scope.postMessage({ type: "failed", id, message, fatal });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
