/** Reconnect delays of docs/protocol.md: 0.5 s doubling to 10 s, with full jitter. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry).
 *
 * Full jitter (a uniform draw in [0, cap)) rather than a fixed delay: when a server restarts
 * (close 1012) every console of every show reconnects at once, and spreading them over the
 * whole window keeps them from arriving as one thundering herd.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(attempt, 0), 30); // keep 2 ** n finite
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** exp);
  return Math.floor(random() * cap);
}
