import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * A worker thread of the store's, with connections of its own, asked one thing at a time. Its
 * source is CommonJS run by `eval`, and it loads the driver by the path this package resolves
 * (`workerData.driver`), so that it finds the same better-sqlite3 whatever the working directory.
 * The source answers each message with one message, and ends on the message `"close"`.
 */
export interface SqliteThread<Request, Answer> {
  /** False once the thread has ended (it could not load the driver, say). */
  readonly running: boolean;
  /** True while a request waits for its answer. */
  readonly busy: boolean;
  /** Resolves with the thread's answer, or with the `ended` answer when the thread ends first. */
  ask(request: Request): Promise<Answer>;
  /** Asks the thread to close its connections and end; resolves once it has. */
  close(): Promise<void>;
}

/** Starts the thread; throws when a worker thread cannot be had. */
export function startSqliteThread<Request, Answer>(source: string, workerData: Record<string, unknown>, ended: Answer): SqliteThread<Request, Answer> {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(source, { eval: true, workerData: { ...workerData, driver } });
  // The store's timers ask the thread for work and do not keep the process alive; nor does this.
  worker.unref();
  let waiting: ((answer: Answer) => void) | undefined;
  let running = true;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const answer = (value: Answer) => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.(value);
  };
  const end = () => {
    running = false;
    answer(ended);
  };
  worker.on("message", answer);
  worker.on("error", end);
  worker.once("exit", end);

  return {
    get running() {
      return running;
    },
    get busy() {
      return waiting !== undefined;
    },
    ask(request) {
      if (!running) return Promise.resolve(ended);
      return new Promise<Answer>((resolve) => {
        waiting = resolve;
        worker.postMessage(request);
      });
    },
    async close() {
      // Held until the thread has ended: an unreferenced thread would let the process exit before.
      worker.ref();
      if (running) worker.postMessage("close");
      await exited;
    },
  };
}
