// One worker and the calls sent to it: at most one in flight, the others queued in order; a
// call can be cancelled (queued: dropped; in flight: the worker is terminated and replaced,
// which stops it at once whatever it is doing), superseded by a newer call of the same
// channel, or bounded in time. A trap replaces the worker too. A host that carries state (a
// debugger) gives the new worker a call that rebuilds it before anything else.

import type { Progress } from "./pkg/unwind_wasm.js";
import type { Call, FailureCode, Reply, Request } from "./protocol.js";

/** Why a call of the client did not give an answer. */
export type UnwindErrorCode =
  /** Bad options or a closed object: a bug of the caller. */
  | "misuse"
  /** Cancelled through `cancel()` or an `AbortSignal`. */
  | "aborted"
  /** A newer call of the same channel replaced it. */
  | "superseded"
  /** It ran longer than its `timeoutMs`. */
  | "timeout"
  /** The module trapped (a bug of Unwind); the worker was replaced. */
  | "trap"
  /** The worker or the module could not be started. */
  | "start"
  /** A debugger could not be brought back after its worker was replaced. */
  | "lost"
  /** Internal: a verification's log the worker no longer keeps. */
  | "released";

export class UnwindError extends Error {
  constructor(
    readonly code: UnwindErrorCode,
    message: string,
  ) {
    super(message);
    // `AbortError`, as fetch() and other web APIs name a cancelled call.
    this.name = code === "aborted" ? "AbortError" : "UnwindError";
  }
}

/** Options every call of the client takes. */
export interface CallOptions {
  /** Called while the call works (verifying, running), at least every 50,000 instructions
   * or 50 ms. */
  onProgress?: (progress: Progress) => void;
  /** Aborting it cancels the call (its promise rejects with an `AbortError`). */
  signal?: AbortSignal;
  /** Cancels the call when it has not answered after this many milliseconds (code `timeout`). */
  timeoutMs?: number;
}

export interface Start {
  /** Makes a worker running this package's worker.js. */
  worker(): Worker;
  /** The compiled module (shared by every worker), or its URL. */
  module: Promise<WebAssembly.Module | string>;
}

interface Pending {
  id: number;
  call: Call;
  options: CallOptions;
  channel: string | null;
  resolve(value: unknown): void;
  reject(error: UnwindError): void;
  /** When it was sent (performance.now()). */
  sentAt: number;
  /** Settled already (superseded while in flight): its answer is dropped. */
  ignored: boolean;
  timer?: ReturnType<typeof setTimeout>;
  unlisten?: () => void;
}

/** A superseded call in flight is cancelled (not just its answer dropped) once it has run
 * this long: quick answers are cheaper to wait for than a worker restart. */
const SUPERSEDE_CANCEL_MS = 100;

/** After this many traps or failed starts in a row the host gives up. */
const MAX_RESTARTS = 3;

let nextId = 1;

export class Host {
  private worker: Worker | null = null;
  private ready = false;
  private queue: Pending[] = [];
  private inFlight: Pending | null = null;
  private restarts = 0;
  private closed = false;
  /** Resolves when the first worker is ready (or rejects when it cannot start). */
  readonly started: Promise<string>;
  private settleStart: { resolve(version: string): void; reject(error: UnwindError): void } | null;

  /**
   * @param rebuild a call that brings the worker's state back after a restart (first in the
   *   queue of the new worker), or null when the host keeps none.
   */
  constructor(
    private readonly start: Start,
    private readonly rebuild: () => Call | null = () => null,
    private readonly onLost: (error: UnwindError) => void = () => {},
  ) {
    let settle: Host["settleStart"] = null;
    this.started = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
    this.settleStart = settle;
    this.spawn();
  }

  /** Sends `call` (after the calls before it). A call of a `channel` replaces the channel's
   * calls before it: queued ones are dropped, one in flight is cancelled or its answer
   * ignored; their promises reject with `superseded`. */
  call<T>(call: Call, options: CallOptions = {}, channel: string | null = null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(new UnwindError("misuse", "this Unwind client was closed"));
        return;
      }
      if (options.signal?.aborted) {
        reject(new UnwindError("aborted", "the call was aborted before it started"));
        return;
      }
      const pending: Pending = {
        id: nextId++,
        call,
        options,
        channel,
        resolve: resolve as (value: unknown) => void,
        reject,
        sentAt: 0,
        ignored: false,
      };
      if (channel !== null) this.supersede(channel);
      if (options.signal !== undefined) {
        const signal = options.signal;
        const abort = () => this.cancelOne(pending, new UnwindError("aborted", "the call was aborted"));
        signal.addEventListener("abort", abort, { once: true });
        pending.unlisten = () => signal.removeEventListener("abort", abort);
      }
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Cancels every call, queued or in flight. */
  cancel(): void {
    for (const pending of [...this.queue]) {
      this.cancelOne(pending, new UnwindError("aborted", "the call was cancelled"));
    }
    if (this.inFlight !== null) {
      this.cancelOne(this.inFlight, new UnwindError("aborted", "the call was cancelled"));
    }
  }

  close(): void {
    this.cancel();
    this.closed = true;
    this.worker?.terminate();
    this.worker = null;
  }

  /** Is a call waiting or in flight? */
  get busy(): boolean {
    return this.inFlight !== null || this.queue.length > 0;
  }

  private supersede(channel: string): void {
    for (const pending of this.queue.filter((p) => p.channel === channel)) {
      this.cancelOne(pending, new UnwindError("superseded", "a newer call replaced it"));
    }
    const current = this.inFlight;
    if (current !== null && current.channel === channel) {
      const error = new UnwindError("superseded", "a newer call replaced it");
      if (performance.now() - current.sentAt >= SUPERSEDE_CANCEL_MS) this.cancelOne(current, error);
      else this.settle(current, error, true);
    }
  }

  private cancelOne(pending: Pending, error: UnwindError): void {
    const index = this.queue.indexOf(pending);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.settle(pending, error);
      return;
    }
    if (this.inFlight === pending) {
      // Stop it where it is: a worker in a Rust loop reads no messages.
      this.settle(pending, error);
      this.inFlight = null;
      this.respawn();
      this.pump();
    }
  }

  /** Settles a call's promise once; `ignoreAnswer`: it stays in flight, its answer dropped. */
  private settle(pending: Pending, outcome: UnwindError | { value: unknown }, ignoreAnswer = false): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.unlisten?.();
    if (outcome instanceof UnwindError) pending.reject(outcome);
    else pending.resolve(outcome.value);
    pending.resolve = () => {};
    pending.reject = () => {};
    pending.ignored ||= ignoreAnswer;
  }

  private pump(): void {
    if (!this.ready || this.inFlight !== null || this.worker === null) return;
    const pending = this.queue.shift();
    if (pending === undefined) return;
    this.inFlight = pending;
    pending.sentAt = performance.now();
    if (pending.options.timeoutMs !== undefined) {
      const ms = pending.options.timeoutMs;
      pending.timer = setTimeout(
        () => this.cancelOne(pending, new UnwindError("timeout", `no answer within ${ms} ms`)),
        ms,
      );
    }
    const request: Request = {
      type: "call",
      id: pending.id,
      call: pending.call,
      progress: pending.options.onProgress !== undefined,
    };
    this.worker.postMessage(request);
  }

  private spawn(): void {
    this.ready = false;
    let worker: Worker;
    try {
      worker = this.start.worker();
    } catch (error) {
      this.gaveUp(new UnwindError("start", `could not start the worker: ${String(error)}`));
      return;
    }
    this.worker = worker;
    worker.addEventListener("message", (event: MessageEvent<Reply>) => {
      if (this.worker === worker) this.receive(event.data);
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (this.worker !== worker) return;
      this.crashed(new UnwindError("start", `the worker failed: ${event.message || "could not start"}`));
    });
    this.start.module.then(
      (module) => {
        if (this.worker === worker) worker.postMessage({ type: "init", module } satisfies Request);
      },
      (error: unknown) => this.gaveUp(new UnwindError("start", `could not load the module: ${String(error)}`)),
    );
  }

  /** A new worker in place of one that was terminated or trapped; state is rebuilt first. */
  private respawn(): void {
    this.worker?.terminate();
    this.worker = null;
    this.spawn();
    const call = this.rebuild();
    if (call === null) return;
    const rebuilt: Pending = {
      id: nextId++,
      call,
      options: {},
      channel: null,
      resolve: () => {},
      reject: (error) => this.onLost(new UnwindError("lost", `could not rebuild the debugger: ${error.message}`)),
      sentAt: 0,
      ignored: false,
    };
    this.queue.unshift(rebuilt);
  }

  private receive(reply: Reply): void {
    switch (reply.type) {
      case "ready":
        this.ready = true;
        this.settleStart?.resolve(reply.version);
        this.settleStart = null;
        this.pump();
        return;
      case "progress": {
        const current = this.inFlight;
        if (current !== null && current.id === reply.id && !current.ignored) {
          current.options.onProgress?.(reply.progress);
        }
        return;
      }
      case "done":
        this.restarts = 0;
        this.answered(reply.id, { value: reply.value });
        return;
      case "failed":
        if (reply.code === "trap" || reply.code === "init") {
          this.crashed(new UnwindError(reply.code === "trap" ? "trap" : "start", reply.message), reply.id);
          return;
        }
        this.answered(reply.id, new UnwindError(codeOf(reply.code), reply.message));
        return;
    }
  }

  private answered(id: number | null, outcome: UnwindError | { value: unknown }): void {
    const current = this.inFlight;
    if (current === null || current.id !== id) return; // a stale answer: dropped
    this.inFlight = null;
    this.settle(current, outcome);
    this.pump();
  }

  /** The module trapped or the worker died: the call in flight fails, a new worker starts
   * (unless it keeps dying). */
  private crashed(error: UnwindError, id: number | null = null): void {
    const current = this.inFlight;
    if (current !== null && (id === null || current.id === id)) {
      this.inFlight = null;
      this.settle(current, error);
    }
    if (++this.restarts > MAX_RESTARTS) {
      this.gaveUp(error);
      return;
    }
    this.respawn();
    this.pump();
  }

  private gaveUp(error: UnwindError): void {
    this.worker?.terminate();
    this.worker = null;
    this.closed = true;
    this.settleStart?.reject(error);
    this.settleStart = null;
    for (const pending of this.queue.splice(0)) this.settle(pending, error);
    if (this.inFlight !== null) this.settle(this.inFlight, error);
    this.inFlight = null;
  }
}

function codeOf(code: Exclude<FailureCode, "trap" | "init">): UnwindErrorCode {
  switch (code) {
    case "misuse":
      return "misuse";
    case "released":
      return "released";
    case "unavailable":
      return "start";
  }
}
