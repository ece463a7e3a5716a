/**
 * Group commit: what is submitted while a transaction is being written waits in a queue and is
 * written together in the next transaction, each submitter settled once that transaction has
 * committed. One commit, and one turn on the appends' lock, then serves many writes, so the
 * database's commit latency no longer caps how many a process makes per second.
 */
export interface GroupCommit<Operation, Result> {
  /** Writes `operation` in the next transaction; resolves with its result once that has committed. */
  submit(operation: Operation): Promise<Result>;
  /** How many submissions so far, and how many committed transactions held them. */
  counts(): { readonly submissions: number; readonly transactions: number };
}

/** How much one transaction may hold. */
export interface GroupCommitLimits<Operation> {
  /** The most operations in one transaction. */
  readonly maximumOperations: number;
  /** The most work in one transaction, as `weightOf` counts it; an operation heavier on its own goes alone. */
  readonly maximumWeight: number;
  readonly weightOf: (operation: Operation) => number;
}

/**
 * `commitBatch` writes all operations in one transaction and returns, per operation, its result or
 * the error that rolled back that operation alone; if it throws, the whole transaction failed and
 * every operation in it is rejected. One batch is written at a time, within `limits`, so that one
 * transaction cannot grow without bound: each waits for the whole of its transaction, and a few
 * large operations in one would make every small one beside them wait for all of them.
 */
export function createGroupCommit<Operation, Result>(
  commitBatch: (operations: readonly Operation[]) => Promise<Array<PromiseSettledResult<Result>>>,
  limits: GroupCommitLimits<Operation>,
): GroupCommit<Operation, Result> {
  interface Waiting {
    readonly operation: Operation;
    readonly resolve: (result: Result) => void;
    readonly reject: (error: unknown) => void;
  }
  const queue: Waiting[] = [];
  let writing: Promise<void> | undefined;
  let submissions = 0;
  let transactions = 0;

  /** The longest head of the queue within the limits; never empty while the queue is not. */
  function takeBatch(): Waiting[] {
    let weight = 0;
    let count = 0;
    for (const waiting of queue) {
      weight += limits.weightOf(waiting.operation);
      if (count > 0 && (count >= limits.maximumOperations || weight > limits.maximumWeight)) break;
      count += 1;
    }
    return queue.splice(0, count);
  }

  async function writeNextBatch(): Promise<void> {
    const batch = takeBatch();
    try {
      const results = await commitBatch(batch.map((waiting) => waiting.operation));
      transactions += 1;
      batch.forEach((waiting, index) => {
        const result = results[index];
        if (result?.status === "fulfilled") waiting.resolve(result.value);
        else waiting.reject(result?.reason ?? new Error("The batch returned no result for this operation."));
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  // setImmediate runs after pending I/O, so submissions that arrive in the same turn as the first
  // join its transaction; those that arrive while it is written wait for the next one.
  function schedule(): void {
    writing ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(writeNextBatch)
      .finally(() => {
        writing = undefined;
        if (queue.length > 0) schedule();
      });
  }

  return {
    submit(operation) {
      submissions += 1;
      const submitted = new Promise<Result>((resolve, reject) => queue.push({ operation, resolve, reject }));
      schedule();
      return submitted;
    },
    counts: () => ({ submissions, transactions }),
  };
}
