/**
 * The per-token rate limit: a token bucket per caller (the token's id, or the
 * client address for requests without a token), refilled continuously. Kept
 * in the process: with N server processes a caller may reach N times the rate
 * (docs/deploy.md), which still bounds it.
 */

/** The limit: `perMinute` requests a minute on average, bursts up to `burst`. */
export interface RateLimitOptions {
  readonly perMinute: number
  readonly burst: number
}

/** The outcome of one request: allowed, or refused with the seconds until a token is back. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfter: number }

/** Token buckets by caller. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly perMs: number
  private checks = 0
  readonly options: RateLimitOptions
  private readonly now: () => number

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    this.options = options
    this.now = now
    this.perMs = options.perMinute / 60_000
  }

  /** Takes one token for `caller`, or says how long to wait. */
  take(caller: string): RateDecision {
    const now = this.now()
    if (++this.checks % 1000 === 0) this.forgetIdle(now)
    const bucket = this.buckets.get(caller) ?? { tokens: this.options.burst, at: now }
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.perMs)
    bucket.at = now
    this.buckets.set(caller, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true }
    }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) }
  }

  // A full bucket holds nothing worth keeping.
  private forgetIdle(now: number) {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.options.burst) this.buckets.delete(caller)
    }
  }
}

/** Who a request counts against: the id part of its bearer token, else its address. */
export const callerOf = (authorization: string | undefined, address: string): string => {
  const id = /^Bearer\s+ld_([0-9a-f]{12})_/i.exec(authorization ?? "")?.[1]
  return id === undefined ? `address:${address}` : `token:${id}`
}
