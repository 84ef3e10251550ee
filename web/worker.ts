// The Web Worker that hosts the wasm module: the page never calls wasm on its own thread, so
// long work cannot freeze it, and a trap (a Rust panic) only costs a worker restart.

import init, { assemble, verify, version } from "./pkg/unwind_wasm.js";
import type { Reply, Request, VerifyOptions } from "./protocol.js";

/** The parts of the worker's global scope used here (the DOM lib types the page instead). */
interface WorkerScope {
  postMessage(message: Reply): void;
  addEventListener(type: "message", listener: (event: MessageEvent<Request>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let broken = false;

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
  }
}

/** The verify options of a request, with the syntax the assembler was asked to use. */
function verifyOptions(request: Request): VerifyOptions {
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
