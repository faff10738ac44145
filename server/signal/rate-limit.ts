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

/** A token bucket per key: `burst` at once, then one more every `refillEveryMs`. */
export type KeyedLimit = Readonly<{ burst: number; refillEveryMs: number }>;

export type KeyedRateLimiter = {
  /** Milliseconds until `key` may go again; 0 when it may now. Takes nothing. */
  waitMs(key: string): number;
  /** Takes one token for `key` (call after waitMs said 0). */
  take(key: string): void;
};

/**
 * Buckets for many keys (addresses, parties, links), at most `maxKeys` of them: past that the
 * least recently used bucket goes, which only forgets a key that has been quiet the longest.
 */
export function createKeyedRateLimiter(limit: KeyedLimit, options: { maxKeys: number; nowMs: () => number }): KeyedRateLimiter {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  const current = (key: string): { tokens: number; atMs: number } => {
    const now = options.nowMs();
    const bucket = buckets.get(key) ?? { tokens: limit.burst, atMs: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.atMs) / limit.refillEveryMs);
    bucket.atMs = now;
    return bucket;
  };
  return {
    waitMs(key) {
      const bucket = current(key);
      return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) * limit.refillEveryMs);
    },
    take(key) {
      const bucket = current(key);
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      // Re-inserted last: Map order is then least recently used first.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > options.maxKeys) buckets.delete(buckets.keys().next().value as string);
    },
  };
}

/** Takes one token from every (limiter, key) pair, or none: returns the longest wait, 0 when taken. */
export function takeAll(pairs: readonly (readonly [KeyedRateLimiter, string])[]): number {
  const waitMs = Math.max(0, ...pairs.map(([limiter, key]) => limiter.waitMs(key)));
  if (waitMs === 0) for (const [limiter, key] of pairs) limiter.take(key);
  return waitMs;
}
