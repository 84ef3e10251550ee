// The page's side of the worker protocol: starts the worker, sends at most one request at a
// time and keeps only the newest waiting one (typing fast never queues stale work), and starts
// a new worker when the old one trapped.

import type {
  AssembleOptions,
  AssembleResult,
  DebugAction,
  DebugResult,
  Reply,
  Request,
  VerifyOptions,
  VerifyResult,
  VmOptions,
} from "./protocol.js";

export interface ClientEvents {
  ready(version: string): void;
  assembled(
    result: AssembleResult,
    verdict: VerifyResult | null,
    elapsedMs: number,
    source: string,
  ): void;
  /** The call failed: misuse (a bug of the page) or, when `fatal`, a trap of the module. */
  failed(message: string, fatal: boolean): void;
  /** A debug request's answer. */
  debugged(result: DebugResult): void;
}

/** After this many traps in a row the client stops restarting the worker. */
const MAX_RESTARTS = 3;

type Job = Omit<Extract<Request, { type: "assemble" }>, "id">;
type DebugJob = Omit<Extract<Request, { type: "debug" }>, "id">;

export class AsmClient {
  private worker: Worker;
  private ready = false;
  private nextId = 1;
  private inFlight: Request | null = null;
  private waiting: Job | null = null;
  private restarts = 0;
  /** Debug requests are sent in order, as soon as the worker is ready (none is dropped: each
   * one moves the program). */
  private debugQueue: DebugJob[] = [];
  private debugIds = new Set<number>();

  constructor(private readonly events: ClientEvents) {
    this.worker = this.start();
  }

  assemble(source: string, options: AssembleOptions, verify?: Omit<VerifyOptions, "syntax">): void {
    this.waiting = verify === undefined
      ? { type: "assemble", source, options }
      : { type: "assemble", source, options, verify };
    this.pump();
  }

  debug(
    source: string,
    options: VmOptions,
    action: DebugAction,
    eventsFrom: number,
    breakpoints: number[],
  ): void {
    this.debugQueue.push({ type: "debug", source, options, action, eventsFrom, breakpoints });
    this.pumpDebug();
  }

  private pumpDebug(): void {
    if (!this.ready) return;
    for (const job of this.debugQueue.splice(0)) {
      const request: Request = { ...job, id: this.nextId++ };
      this.debugIds.add(request.id);
      this.worker.postMessage(request);
    }
  }

  private start(): Worker {
    this.ready = false;
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.addEventListener("message", (event: MessageEvent<Reply>) => this.receive(event.data));
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.crashed(`the worker failed: ${event.message || "could not start"}`);
    });
    return worker;
  }

  private pump(): void {
    if (!this.ready || this.inFlight !== null || this.waiting === null) return;
    const request: Request = { ...this.waiting, id: this.nextId++ };
    this.waiting = null;
    this.inFlight = request;
    this.worker.postMessage(request);
  }

  private receive(reply: Reply): void {
    switch (reply.type) {
      case "ready":
        this.ready = true;
        this.events.ready(reply.version);
        this.pumpDebug();
        break;
      case "debugged":
        this.debugIds.delete(reply.id);
        this.events.debugged(reply.result);
        return;
      case "assembled": {
        const request = this.inFlight;
        this.inFlight = null;
        this.restarts = 0;
        // A newer request is waiting: this result is already stale, skip drawing it.
        if (request !== null && request.id === reply.id && this.waiting === null) {
          this.events.assembled(reply.result, reply.verdict, reply.elapsedMs, request.source);
        }
        break;
      }
      case "failed":
        if (reply.id !== null && this.debugIds.delete(reply.id)) {
          if (reply.fatal) this.crashed(reply.message);
          else this.events.failed(reply.message, false);
          return;
        }
        if (reply.fatal) {
          this.crashed(reply.message);
          return;
        }
        this.inFlight = null;
        this.events.failed(reply.message, false);
        break;
    }
    this.pump();
  }

  /** The module trapped or the worker died: report, then start afresh unless it keeps dying. */
  private crashed(message: string): void {
    this.worker.terminate();
    this.inFlight = null; // not retried: the same input would trap again
    this.debugIds.clear();
    this.events.failed(message, true);
    if (++this.restarts > MAX_RESTARTS) return;
    this.worker = this.start();
  }
}
