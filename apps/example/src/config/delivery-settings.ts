import { type DeliveryOptions, DeliveryOptionsSchema, type ResolvedDeliveryOptions } from "@friendhook/receiver";
import { type Parsed, parsed, problem } from "./setting-parsers";

export type DeliveryOption = keyof ResolvedDeliveryOptions;

/**
 * The variable of each delivery option of the receiver: `FRIENDHOOK_DELIVERY_` and the option's
 * name. `satisfies` makes an option the receiver gains fail the build until it has a variable.
 */
export const deliveryVariables = {
  maximumAttempts: "FRIENDHOOK_DELIVERY_MAXIMUM_ATTEMPTS",
  initialBackoffMs: "FRIENDHOOK_DELIVERY_INITIAL_BACKOFF_MS",
  maximumBackoffMs: "FRIENDHOOK_DELIVERY_MAXIMUM_BACKOFF_MS",
  batchSize: "FRIENDHOOK_DELIVERY_BATCH_SIZE",
  batchesInFlight: "FRIENDHOOK_DELIVERY_BATCHES_IN_FLIGHT",
  pollIntervalMs: "FRIENDHOOK_DELIVERY_POLL_INTERVAL_MS",
  leaseMs: "FRIENDHOOK_DELIVERY_LEASE_MS",
} as const satisfies Record<DeliveryOption, string>;

export type DeliveryVariable = (typeof deliveryVariables)[DeliveryOption];

export const deliveryOptions = Object.keys(deliveryVariables) as DeliveryOption[];

/**
 * The longest wait Node.js timers allow (about 24.8 days): a longer poll interval would fire at
 * once, and a longer backoff or lease is a typo in any case.
 */
const largestDurationMs = 2_147_483_647;

function isDuration(option: DeliveryOption): boolean {
  return option.endsWith("Ms");
}

/** The bounds are the receiver's own, so that what starts here is what the receiver accepts. */
function boundsOf(option: DeliveryOption): { readonly least: number; readonly most: number } {
  const schema = DeliveryOptionsSchema.shape[option].unwrap();
  const most = schema.maxValue ?? Number.MAX_SAFE_INTEGER;
  return { least: schema.minValue ?? 0, most: isDuration(option) ? Math.min(most, largestDurationMs) : most };
}

/** A whole number within the receiver's bounds: `10` attempts, `30000` milliseconds. */
export function deliverySettingParser(option: DeliveryOption): (text: string) => Parsed<number> {
  const { least, most } = boundsOf(option);
  const unit = isDuration(option) ? " of milliseconds" : "";
  return (text) => {
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= least && value <= most)) return problem(`must be a whole number${unit} from ${least} to ${most} (got "${text.slice(0, 20)}")`);
    return parsed(value);
  };
}

/** The settings the receiver applies: the given ones, and its defaults for the others. */
export function effectiveDelivery(delivery: DeliveryOptions = {}): ResolvedDeliveryOptions {
  return { ...DeliveryOptionsSchema.parse({}), ...delivery };
}

/**
 * The one rule between two settings: the first wait is not longer than the longest. The problem
 * names the variable that was set, and a default the operator may not know of.
 */
export function describeBackoffConflict(delivery: DeliveryOptions): string | undefined {
  const { initialBackoffMs, maximumBackoffMs } = effectiveDelivery(delivery);
  if (initialBackoffMs <= maximumBackoffMs) return undefined;
  const initial = deliveryVariables.initialBackoffMs;
  const maximum = deliveryVariables.maximumBackoffMs;
  if (delivery.initialBackoffMs === undefined) {
    return `${maximum}: is ${maximumBackoffMs}, less than ${initial} (default ${initialBackoffMs}); set ${initial} to ${maximumBackoffMs} or less too`;
  }
  const longest = delivery.maximumBackoffMs === undefined ? `default ${maximumBackoffMs}` : String(maximumBackoffMs);
  return `${initial}: is ${initialBackoffMs}, more than ${maximum} (${longest}); the first wait cannot be longer than the longest`;
}
