/** The rate limiter's buckets and the choice of language, on their own (a fake clock, no server). */
import { describe, expect, it } from "vitest"
import { languageOf } from "../src/Language.ts"
import { callerOf, RateLimiter } from "../src/RateLimit.ts"

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

  it("counts a request against its token's id, or its address without a token", () => {
    const token = `ld_0123456789ab_${"x".repeat(43)}`
    expect(callerOf(`Bearer ${token}`, "10.0.0.1")).toBe("token:0123456789ab")
    expect(callerOf(undefined, "10.0.0.1")).toBe("address:10.0.0.1")
    expect(callerOf("Bearer nonsense", "10.0.0.1")).toBe("address:10.0.0.1")
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
