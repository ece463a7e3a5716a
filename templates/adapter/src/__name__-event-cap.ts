import { checkEventCount } from "@friendhook/core";
import { __nameCamel__ChangeCount } from "./__name__-events";
import { __nameCamel__Provider } from "./__name__-provider";

/**
 * Refuses a callback that would make more events than `maximumEventsPerCallback` (`too_many_events`,
 * 413). TODO(__name__): count before any event is made, from what the callback lists (for a provider
 * that lists several changes in one callback, the length of that list, read from the parsed JSON
 * before the schema validates its entries), so that a refused flood costs its parse and nothing more.
 */
export function check__Name__EventCount(operation: string, maximum: number): void {
  checkEventCount(__nameCamel__ChangeCount(operation), maximum, __nameCamel__Provider);
}
