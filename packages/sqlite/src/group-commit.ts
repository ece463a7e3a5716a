/**
 * Group commit: what is submitted while a transaction is being written waits in a queue and is
 * written together in the next transaction, each submitter resolved once that transaction has
 * committed. One fsync then makes many callbacks durable, so durability does not cap throughput.
 */
export interface GroupCommit<Input, Result> {
  submit(input: Input): Promise<Result>;
  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void>;
  /** How many submissions and how many transactions so far. */
  readonly counts: { readonly submissions: number; readonly transactions: number };
}

/**
 * `commitBatch` writes all inputs in one transaction and returns, per input, its result or the
 * error that rolled back that input alone; if it throws, the whole transaction failed.
 */
export function createGroupCommit<Input, Result>(commitBatch: (inputs: readonly Input[]) => Array<Result | Error>): GroupCommit<Input, Result> {
  interface Waiting {
    readonly input: Input;
    readonly resolve: (result: Result) => void;
    readonly reject: (error: unknown) => void;
  }
  let queue: Waiting[] = [];
  let flushing: Promise<void> | undefined;
  const counts = { submissions: 0, transactions: 0 };

  function flush() {
    const batch = queue;
    queue = [];
    try {
      const results = commitBatch(batch.map((waiting) => waiting.input));
      counts.transactions += 1;
      batch.forEach((waiting, index) => {
        const result = results[index];
        if (result instanceof Error) waiting.reject(result);
        else waiting.resolve(result as Result);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  // setImmediate runs after pending I/O, so requests that arrived during a commit join the next one.
  function schedule(): Promise<void> {
    flushing ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        flushing = undefined;
        flush();
        resolve();
      });
    });
    return flushing;
  }

  return {
    submit(input) {
      counts.submissions += 1;
      const submitted = new Promise<Result>((resolve, reject) => queue.push({ input, resolve, reject }));
      void schedule();
      return submitted;
    },
    async drain() {
      while (flushing) await flushing;
    },
    counts,
  };
}
