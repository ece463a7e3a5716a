export * from "./postgres-sink";
export * from "./postgres-sink-options";
export type { FriendList, FriendsOfQuery } from "./friend-table";
export type { TableNames } from "./table-names";
export { migrations, type Migration } from "./migrations";
