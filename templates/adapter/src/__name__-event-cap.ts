import { FriendhookError } from "@friendhook/core";
import { __nameCamel__Provider } from "./__name__-provider";

/**
 * Refuses a callback that would make more events than `maximumEventsPerCallback` (`too_many_events`,
 * 413). Call it with a count taken before any event is made (the length of the list of changes), so
 * that a refused flood costs its parse and nothing more.
 */
export function check__Name__EventCount(count: number, maximum: number): void {
  if (count > maximum) {
    throw new FriendhookError("too_many_events", `The callback would make ${count} events, more than maximumEventsPerCallback (${maximum}).`, {
      provider: __nameCamel__Provider,
    });
  }
}
