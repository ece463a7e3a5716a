/**
 * The queries of an operator's view. Each reads an index range, never every row:
 * `test/query-plans.test.ts` checks their plans with `EXPLAIN QUERY PLAN`.
 */
export const inspectionQueries = {
  latestEvents: "SELECT sequence, event FROM events ORDER BY sequence DESC LIMIT ?",
  deliveriesByState: "SELECT state, count(*) AS count FROM deliveries WHERE sink = ? GROUP BY state",
  // Named: the planner would otherwise read the sink's every delivery by `deliveries_in_event_order`.
  failedDeliveries: `SELECT state, count(*) AS count, sum(attempts) AS attempts FROM deliveries INDEXED BY deliveries_failed
    WHERE sink = ? AND attempts > 0 GROUP BY state`,
  oldestPending: `SELECT e.event ->> '$.receivedAt' AS received_at FROM deliveries d JOIN events e ON e.sequence = d.event_sequence
    WHERE d.sink = ? AND d.state = 'pending' ORDER BY d.event_sequence LIMIT 1`,
  countStored: "INSERT INTO stored_per_second (second, events) VALUES (?, ?) ON CONFLICT (second) DO UPDATE SET events = events + excluded.events",
  countDelivered: `INSERT INTO delivered_per_second (second, sink, deliveries) VALUES (?, ?, ?)
    ON CONFLICT (second, sink) DO UPDATE SET deliveries = deliveries + excluded.deliveries`,
  storedSince: "SELECT second, events AS count FROM stored_per_second WHERE second >= ? ORDER BY second",
  deliveredSince: "SELECT second, sink, deliveries AS count FROM delivered_per_second WHERE second >= ? ORDER BY second",
  pruneStored: "DELETE FROM stored_per_second WHERE second < ?",
  pruneDelivered: "DELETE FROM delivered_per_second WHERE second < ?",
} as const;
