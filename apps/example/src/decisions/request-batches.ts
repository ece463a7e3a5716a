/**
 * Gathers what is asked in one turn of the event loop into one batch. An adapter asks its policy
 * about every pair of a callback at once (Tencent's `Sns.CallbackPrevFriendAdd` lists several
 * friends), synchronously, so that a batch holds the pending requests of one callback.
 */
export function createRequestBatches<Item, Answer>(decideBatch: (items: readonly Item[]) => Promise<readonly Answer[]>): (item: Item) => Promise<Answer> {
  type Entry = { item: Item; resolve: (answer: Answer) => void; reject: (error: unknown) => void };
  let batch: Entry[] | undefined;
  return (item) =>
    new Promise<Answer>((resolve, reject) => {
      if (batch === undefined) {
        const current: Entry[] = [];
        batch = current;
        queueMicrotask(() => {
          batch = undefined;
          decideBatch(current.map((entry) => entry.item)).then(
            (answers) => {
              for (const [index, entry] of current.entries()) {
                const answer = answers[index];
                if (answer === undefined) entry.reject(new Error("The batch gave no answer for an item."));
                else entry.resolve(answer);
              }
            },
            (error: unknown) => {
              for (const entry of current) entry.reject(error);
            },
          );
        });
      }
      batch.push({ item, resolve, reject });
    });
}
