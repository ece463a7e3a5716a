/**
 * Group commit: what is submitted while a transaction is being written waits in a queue and is
 * written together in the next transaction, each submitter resolved once that transaction has
 * committed. One fsync then makes many writes durable, so durability does not cap throughput.
 * Writes of every kind share it (appends and the delivery bookkeeping); each kind is counted apart.
 */
export interface GroupCommit<Kind extends string> {
  /** Runs `operation` in the next transaction; resolves with its result once that has committed. */
  submit<Result>(kind: Kind, operation: () => Result): Promise<Result>;
  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void>;
  /** How many submissions of this kind so far, and how many committed transactions held at least one. */
  counts(kind: Kind): { readonly submissions: number; readonly transactions: number };
}

/**
 * `commitBatch` runs all operations in one transaction and returns, per operation, its result or
 * the error that rolled back that operation alone; if it throws, the whole transaction failed.
 */
export function createGroupCommit<Kind extends string>(
  commitBatch: (operations: ReadonlyArray<() => unknown>) => unknown[],
): GroupCommit<Kind> {
  interface Waiting {
    readonly kind: Kind;
    readonly operation: () => unknown;
    readonly resolve: (result: unknown) => void;
    readonly reject: (error: unknown) => void;
  }
  let queue: Waiting[] = [];
  let flushing: Promise<void> | undefined;
  const submissions = new Map<Kind, number>();
  const transactions = new Map<Kind, number>();

  function flush() {
    const batch = queue;
    queue = [];
    try {
      const results = commitBatch(batch.map((waiting) => waiting.operation));
      for (const kind of new Set(batch.map((waiting) => waiting.kind))) transactions.set(kind, (transactions.get(kind) ?? 0) + 1);
      batch.forEach((waiting, index) => {
        const result = results[index];
        if (result instanceof Error) waiting.reject(result);
        else waiting.resolve(result);
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
    submit<Result>(kind: Kind, operation: () => Result) {
      submissions.set(kind, (submissions.get(kind) ?? 0) + 1);
      const submitted = new Promise<Result>((resolve, reject) =>
        queue.push({ kind, operation, resolve: resolve as (result: unknown) => void, reject }),
      );
      void schedule();
      return submitted;
    },
    async drain() {
      while (flushing) await flushing;
    },
    counts: (kind) => ({ submissions: submissions.get(kind) ?? 0, transactions: transactions.get(kind) ?? 0 }),
  };
}
