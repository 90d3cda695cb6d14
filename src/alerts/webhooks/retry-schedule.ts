// Retry schedule of webhook deliveries: exponential backoff with full jitter. The ceiling starts
// at 10 s and doubles per attempt up to 1 h; the delay is uniform in [1 s, ceiling]. Retries stop
// 24 h after the first attempt: the last retry is clamped to that deadline, and past it
// `nextAttemptAt` returns null (the outbox marks the message failed). Times are epoch ms.

export const RETRY_BASE_MS = 10_000;
export const RETRY_MAX_STEP_MS = 60 * 60_000;
export const RETRY_MIN_DELAY_MS = 1_000;
export const RETRY_WINDOW_MS = 24 * 60 * 60_000;

/** The ceiling of the delay after `attempt` failed attempts (1 = the first attempt failed). */
export function retryCeilingMs(attempt: number): number {
  return Math.min(RETRY_MAX_STEP_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 40));
}

/**
 * When to try again after `attempt` failed attempts (1-based), the latest at `now`, the first at
 * `firstAttemptAt`. `random` returns [0, 1) (injectable for tests). Null: give up.
 */
export function nextAttemptAt(
  attempt: number,
  now: number,
  firstAttemptAt: number,
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt must be an integer >= 1');
  const deadline = firstAttemptAt + RETRY_WINDOW_MS;
  if (now >= deadline) return null;
  const ceiling = retryCeilingMs(attempt);
  const delay = Math.max(RETRY_MIN_DELAY_MS, Math.floor(random() * ceiling));
  return Math.min(now + delay, deadline);
}
