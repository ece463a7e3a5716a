import { checkEventCount } from "@friendhook/core";
import { easemobProvider } from "./easemob-provider";

/**
 * Refuses a callback that makes more events than `maximumEventsPerCallback` (`too_many_events`,
 * 413). One roster callback makes at most two events, so the count is that of the events read,
 * which are few however the body looks.
 */
export function checkEasemobEventCount(command: string, count: number, maximum: number): void {
  checkEventCount(count, maximum, easemobProvider, () => `The ${command} callback makes ${count} events`);
}
