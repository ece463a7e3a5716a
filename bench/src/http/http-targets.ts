/** One server measured over HTTP. */
export interface HttpTarget {
  /** The letter the tables and ratios use. */
  readonly key: string;
  readonly title: string;
  /** Its file in ./servers. */
  readonly entry: string;
  readonly arguments?: readonly string[];
  /**
   * The server delivers events to a sink after answering. After each stretch of load the benchmark
   * waits until it has delivered everything, and counts that time too: the rate reported is the one
   * at which storing and delivering both keep up, and no backlog spills into another server's turn.
   */
  readonly delivers?: boolean;
}

/** Measured together, round after round, so that drift falls on all of them alike. */
export const interleavedTargets: readonly HttpTarget[] = [
  { key: "A", title: "bare Express 5, express.json(), stores nothing", entry: "bare-express" },
  { key: "B", title: "bare node:http, JSON.parse, stores nothing", entry: "bare-node" },
  { key: "C", title: "receiver + @friendhook/express, in-memory store", entry: "receiver-in-memory" },
  { key: "D", title: "example app, embedded SQLite store (fsync, group commit)", entry: "example-app", arguments: ["--store=sqlite"] },
  { key: "E", title: "example app, PostgreSQL store", entry: "example-app", arguments: ["--store=postgres"] },
  {
    key: "D+sink",
    title: "D, and every event delivered to a sink (console, output discarded), backlog drained",
    entry: "example-app",
    arguments: ["--store=sqlite", "--sink=console"],
    delivers: true,
  },
];
