/**
 * Rate limits, as token buckets refilled continuously: one per authenticated
 * principal (counted after authentication, so an invented or stolen token id
 * spends nobody else's budget), one per client address for requests without
 * a token, and a stricter one per address for failed authentications — an
 * address out of that budget is refused before the database is asked. Kept in
 * the process: with N server processes a caller may reach N times the rate
 * (docs/api.md), which still bounds it.
 */

/** A bucket's refill: `perMinute` requests a minute on average, bursts up to `burst`. */
export interface BucketOptions {
  readonly perMinute: number
  readonly burst: number
}

/** The limits: per principal and per address (`perMinute`, `burst`), and failed authentications per address. */
export interface RateLimitOptions extends BucketOptions {
  /** failed authentications an address may make; the per-principal limit when absent */
  readonly failures?: BucketOptions | undefined
}

/** The outcome of one request: allowed, or refused with the seconds until a token is back. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfter: number }

/** Token buckets by caller. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly perMs: number
  private checks = 0
  readonly options: BucketOptions
  private readonly now: () => number

  constructor(options: BucketOptions, now: () => number = Date.now) {
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

  /** Whether `caller` has a token left, without taking it. */
  peek(caller: string): RateDecision {
    const bucket = this.buckets.get(caller)
    if (bucket === undefined) return { allowed: true }
    const tokens = Math.min(this.options.burst, bucket.tokens + (this.now() - bucket.at) * this.perMs)
    return tokens >= 1
      ? { allowed: true }
      : { allowed: false, retryAfter: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) }
  }

  // A full bucket holds nothing worth keeping.
  private forgetIdle(now: number) {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.options.burst) this.buckets.delete(caller)
    }
  }
}

/** The server's three limits. */
export class RequestLimits {
  /** requests of each authenticated principal */
  readonly principals: RateLimiter
  /** requests without a token, by client address */
  readonly addresses: RateLimiter
  /** failed authentications, by client address */
  readonly failures: RateLimiter

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    this.principals = new RateLimiter(options, now)
    this.addresses = new RateLimiter(options, now)
    this.failures = new RateLimiter(options.failures ?? options, now)
  }
}

/**
 * The seconds a refused request must wait, by the request it was refused in (its Node
 * message): the bearer middleware refuses with a problem, the guard sets Retry-After.
 */
export const retryAfterOf = new WeakMap<object, number>()
