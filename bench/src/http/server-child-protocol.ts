/** Messages between the benchmark and a server child, over the child's IPC channel. */
export type ParentMessage = { readonly type: "memory" } | { readonly type: "backlog" } | { readonly type: "stop" };

export type ChildMessage =
  | { readonly type: "ready"; readonly port: number }
  /** The server cannot be built here (a package or a service it needs is missing). */
  | { readonly type: "unavailable"; readonly reason: string }
  | { readonly type: "memory"; readonly residentBytes: number; readonly heapUsedBytes: number }
  /** Events stored but not yet delivered to every sink. */
  | { readonly type: "backlog"; readonly pending: number }
  | { readonly type: "stopped" };
