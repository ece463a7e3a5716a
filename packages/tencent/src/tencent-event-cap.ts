import { checkEventCount } from "@friendhook/core";
import { type TencentCommand, tencentChangeLists } from "./tencent-callback-schemas";
import { tencentProvider } from "./tencent-provider";

/**
 * Refuses a callback that lists more changes than `maximumEventsPerCallback` (`too_many_events`,
 * 413), from the length of its list alone: before any entry is validated, decided or made into an
 * event, so that a refused flood costs its parse and nothing more. A list that is not an array is
 * left to the schema.
 */
export function checkTencentEventCount(command: TencentCommand, body: Record<string, unknown>, maximum: number): void {
  const listName = tencentChangeLists[command];
  const list = body[listName];
  if (!Array.isArray(list)) return;
  checkEventCount(list.length, maximum, tencentProvider, () => `The ${command} callback lists ${list.length} changes in ${listName}`);
}
