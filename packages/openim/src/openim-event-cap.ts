import { checkEventCount } from "@friendhook/core";
import { type OpenImCommand, openImCommands } from "./openim-callback-schemas";
import { openImProvider } from "./openim-provider";

/** The most events each command makes; an import makes one per listed user, counted from its list. */
const eventsPerCallback: Readonly<Record<Exclude<OpenImCommand, typeof openImCommands.afterImportFriends>, number>> = {
  [openImCommands.beforeAddFriend]: 1,
  [openImCommands.afterAddFriend]: 1,
  [openImCommands.beforeAddFriendAgree]: 1,
  [openImCommands.afterAddFriendAgree]: 2,
  [openImCommands.afterDeleteFriend]: 1,
  [openImCommands.beforeAddBlack]: 1,
  [openImCommands.afterRemoveBlack]: 1,
  [openImCommands.beforeImportFriends]: 0,
  [openImCommands.beforeSetFriendRemark]: 0,
  [openImCommands.afterSetFriendRemark]: 0,
};

function eventCount(command: OpenImCommand, body: Record<string, unknown>): number {
  if (command !== openImCommands.afterImportFriends) return eventsPerCallback[command];
  const friendUserIds = body.friendUserIDs;
  // Anything but an array is left to the schema.
  return Array.isArray(friendUserIds) ? friendUserIds.length : 0;
}

/**
 * Refuses a callback that would make more events than `maximumEventsPerCallback` (`too_many_events`,
 * 413), counted before the body is validated or any event made: an import by the length of its
 * list, so that a refused flood costs its parse and nothing more.
 */
export function checkOpenImEventCount(command: OpenImCommand, body: Record<string, unknown>, maximum: number): void {
  const count = eventCount(command, body);
  checkEventCount(count, maximum, openImProvider, () => {
    const what = command === openImCommands.afterImportFriends ? `imports ${count} friends` : `makes ${count} events`;
    return `The ${command} callback ${what}`;
  });
}
