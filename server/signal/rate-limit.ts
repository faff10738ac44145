// A token bucket: `capacityMessages` may arrive at once, then `refillPerS` per second on average.

export type RateLimiter = {
  /** Takes one token; false when the bucket is empty and the message is over the limit. */
  take(): boolean;
};

export function createTokenBucket(options: { capacityMessages: number; refillPerS: number; nowMs?: () => number }): RateLimiter {
  const nowMs = options.nowMs ?? (() => performance.now());
  let tokens = options.capacityMessages;
  let lastMs = nowMs();
  return {
    take() {
      const now = nowMs();
      tokens = Math.min(options.capacityMessages, tokens + ((now - lastMs) * options.refillPerS) / 1000);
      lastMs = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
