/** The rate limiter's buckets and the choice of language, on their own (a fake clock, no server). */
import { describe, expect, it } from "vitest"
import { languageOf } from "../src/Language.ts"
import { RateLimiter, RequestLimits } from "../src/RateLimit.ts"

describe("the rate limiter", () => {
  it("allows a burst, then one request per refill interval, and says how long to wait", () => {
    let now = 0
    const limiter = new RateLimiter({ perMinute: 60, burst: 2 }, () => now)
    expect([limiter.take("t"), limiter.take("t")]).toEqual([{ allowed: true }, { allowed: true }])
    expect(limiter.take("t")).toEqual({ allowed: false, retryAfter: 1 })
    now += 999
    expect(limiter.take("t").allowed).toBe(false)
    now += 2
    expect(limiter.take("t")).toEqual({ allowed: true })
    expect(limiter.take("other")).toEqual({ allowed: true })
  })

  it("never holds more than the burst, however long a caller was idle", () => {
    let now = 0
    const limiter = new RateLimiter({ perMinute: 600, burst: 3 }, () => now)
    now += 3_600_000
    const answers = Array.from({ length: 4 }, () => limiter.take("t").allowed)
    expect(answers).toEqual([true, true, true, false])
  })

  it("peeks without taking", () => {
    let now = 0
    const limiter = new RateLimiter({ perMinute: 60, burst: 1 }, () => now)
    expect(limiter.peek("t")).toEqual({ allowed: true })
    expect(limiter.take("t")).toEqual({ allowed: true })
    expect(limiter.peek("t")).toEqual({ allowed: false, retryAfter: 1 })
    now += 1000
    expect(limiter.peek("t")).toEqual({ allowed: true })
    expect(limiter.take("t")).toEqual({ allowed: true })
  })

  it("keeps principals, addresses and failed authentications apart; failures have their own budget", () => {
    const limits = new RequestLimits({ perMinute: 600, burst: 100, failures: { perMinute: 6, burst: 2 } }, () => 0)
    expect([limits.failures.take("10.0.0.1"), limits.failures.take("10.0.0.1")].every((d) => d.allowed)).toBe(true)
    expect(limits.failures.peek("10.0.0.1").allowed).toBe(false)
    expect(limits.addresses.take("10.0.0.1").allowed).toBe(true)
    expect(limits.principals.take("10.0.0.1").allowed).toBe(true)
    expect(limits.failures.peek("10.0.0.2").allowed).toBe(true)
    // without its own setting, the failure budget is the per-principal one
    expect(new RequestLimits({ perMinute: 60, burst: 7 }).failures.options).toEqual({ perMinute: 60, burst: 7 })
  })
})

describe("the language of an answer", () => {
  it("is Chinese unless English is preferred", () => {
    expect(languageOf(undefined)).toBe("zh")
    expect(languageOf("en")).toBe("en")
    expect(languageOf("en-US,en;q=0.9")).toBe("en")
    expect(languageOf("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh")
    expect(languageOf("en;q=0.3, zh;q=0.7")).toBe("zh")
    expect(languageOf("fr-FR, en;q=0.5")).toBe("en")
    expect(languageOf("fr-FR")).toBe("zh")
    expect(languageOf("en;q=0")).toBe("zh")
  })
})
