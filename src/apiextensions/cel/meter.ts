// The cost meter of the CEL evaluation in progress. Evaluation is synchronous, so one meter serves
// every program; it has a module of its own so that library functions (the authorizer's checks)
// can charge it without importing the runtime that registers them.

export const meter = { used: 0, limit: 0, exceeded: false };

/** Adds a library function's own cost (an authorization check) to the evaluation in progress. */
export function chargeCost(cost: number): void {
  meter.used += cost;
  if (meter.used > meter.limit) meter.exceeded = true;
}
