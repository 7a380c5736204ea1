import { setTimeout as sleep } from 'node:timers/promises';

/**
 * For specs of fixed-window limits (the tenant rate limit, the coupon guessing throttle): windows
 * are aligned to the epoch, as `WindowCounters` of @suite/persistence counts them. Waits until the
 * window of `windowMs` that holds now has at least `leftMs` to run, so a spec's requests all fall
 * into one window, and returns when that window ends (epoch ms).
 */
export async function withinOneWindow(windowMs: number, leftMs: number): Promise<number> {
  if (leftMs >= windowMs) throw new Error('withinOneWindow: leftMs must be shorter than the window');
  let endsAt = Math.floor(Date.now() / windowMs) * windowMs + windowMs;
  if (endsAt - Date.now() < leftMs) {
    await sleep(endsAt - Date.now() + 5);
    endsAt += windowMs;
  }
  return endsAt;
}

/** Waits until `endsAt` (epoch ms) has passed. */
export async function windowEnded(endsAt: number): Promise<void> {
  const left = endsAt - Date.now();
  if (left >= 0) await sleep(left + 5);
}
