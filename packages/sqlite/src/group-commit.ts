/**
 * Group commit: what is submitted while a transaction is being written waits in a queue and is
 * written together in the next transaction, each submitter resolved once that transaction has
 * committed and been made durable. One flush of the file then makes many writes durable, so
 * durability does not cap throughput. Writes of every kind share it (appends and the delivery
 * bookkeeping); each kind is counted apart.
 */
export interface GroupCommit<Kind extends string> {
  /** Runs `operation` in the next transaction; resolves with its result once that has committed and is on the disk. */
  submit<Result>(kind: Kind, operation: () => Result): Promise<Result>;
  /** Resolves when everything submitted so far is committed and on the disk (or failed). */
  drain(): Promise<void>;
  /** How many submissions of this kind so far, and how many committed transactions held at least one. */
  counts(kind: Kind): { readonly submissions: number; readonly transactions: number };
}

/**
 * `commitBatch` runs all operations in one transaction and returns, per operation, its result or
 * the error that rolled back that operation alone; if it throws, the whole transaction failed.
 * `afterCommit` resolves once what was committed is on the disk; it runs off the event loop, and
 * the next transaction may be written meanwhile.
 */
export function createGroupCommit<Kind extends string>(
  commitBatch: (operations: ReadonlyArray<() => unknown>) => unknown[],
  afterCommit: () => Promise<void>,
): GroupCommit<Kind> {
  interface Waiting {
    readonly kind: Kind;
    readonly operation: () => unknown;
    readonly resolve: (result: unknown) => void;
    readonly reject: (error: unknown) => void;
  }
  let queue: Waiting[] = [];
  let flushing: Promise<void> | undefined;
  // Committed transactions whose flush to the disk has not completed yet.
  const syncing = new Set<Promise<void>>();
  const submissions = new Map<Kind, number>();
  const transactions = new Map<Kind, number>();

  function flush() {
    const batch = queue;
    queue = [];
    let results: unknown[];
    try {
      results = commitBatch(batch.map((waiting) => waiting.operation));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const kind of new Set(batch.map((waiting) => waiting.kind))) transactions.set(kind, (transactions.get(kind) ?? 0) + 1);
    const settled = afterCommit().then(
      () =>
        batch.forEach((waiting, index) => {
          const result = results[index];
          if (result instanceof Error) waiting.reject(result);
          else waiting.resolve(result);
        }),
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      },
    );
    syncing.add(settled);
    void settled.then(() => syncing.delete(settled));
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
      while (flushing || syncing.size > 0) await Promise.all([flushing, ...syncing]);
    },
    counts: (kind) => ({ submissions: submissions.get(kind) ?? 0, transactions: transactions.get(kind) ?? 0 }),
  };
}
