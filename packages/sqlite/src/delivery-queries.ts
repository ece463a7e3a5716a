export interface BackfillRow {
  id: number;
  sink: string;
  name: string;
  from_sequence: number;
  to_sequence: number;
  next_sequence: number | null;
  enqueued: number;
}

export interface BackfillEventRow {
  sequence: number;
  provider: string;
  app_id: string;
  actor: string;
  target: string;
  /** 1 when the event still has a delivery (pending or dead) to the sink. */
  has_delivery: number;
}

/**
 * The queries of claims and backfills. Each reads an index range, never every row:
 * `test/inspection-queries.test.ts` checks their plans with `EXPLAIN QUERY PLAN`.
 */
export const deliveryQueries = {
  // Claimable: due and unleased, with no pending delivery of its sink and order key for an earlier
  // event waiting for a retry or leased, in the events' order; nothing while the sink's backfill
  // is still being enqueued. The per-pair check reads `deliveries_held_by_order_key`, which holds
  // only deliveries that were ever leased or delayed: its `available_at > 0 OR leased_until > 0`
  // term, implied by the one after it, is spelled out so that SQLite may use that partial index.
  selectClaimable: `SELECT d.id, d.event_sequence, d.attempts, e.event FROM deliveries d JOIN events e ON e.sequence = d.event_sequence
    WHERE d.sink = @sink AND d.state = 'pending' AND d.available_at <= @now AND d.leased_until <= @now
      AND NOT EXISTS (
        SELECT 1 FROM deliveries earlier
        WHERE earlier.sink = d.sink AND earlier.order_key = d.order_key AND earlier.state = 'pending'
          AND (earlier.available_at > 0 OR earlier.leased_until > 0)
          AND earlier.event_sequence < d.event_sequence AND (earlier.available_at > @now OR earlier.leased_until > @now))
      AND NOT EXISTS (SELECT 1 FROM backfills WHERE backfills.sink = @sink AND backfills.next_sequence IS NOT NULL)
    ORDER BY d.event_sequence LIMIT @limit`,
  // Two subqueries: each reads one end of the primary key (min and max together would scan).
  storedRange: "SELECT (SELECT min(sequence) FROM events) AS first, (SELECT max(sequence) FROM events) AS last",
  readBackfill: "SELECT * FROM backfills WHERE sink = ? AND name = ?",
  insertBackfill: "INSERT INTO backfills (sink, name, from_sequence, to_sequence, next_sequence) VALUES (?, ?, ?, ?, ?)",
  unfinishedBackfill: "SELECT * FROM backfills WHERE sink = ? AND next_sequence IS NOT NULL ORDER BY id LIMIT 1",
  // Named: the planner would otherwise read the sink's every delivery for each event.
  backfillBatch: `SELECT sequence, provider, app_id, actor, target,
      EXISTS (SELECT 1 FROM deliveries INDEXED BY deliveries_by_event WHERE deliveries.event_sequence = events.sequence AND deliveries.sink = @sink) AS has_delivery
    FROM events WHERE sequence >= @from AND sequence <= @to ORDER BY sequence LIMIT @limit`,
  recordBackfillProgress: "UPDATE backfills SET next_sequence = ?, enqueued = enqueued + ? WHERE id = ?",
} as const;
