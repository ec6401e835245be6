import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { afterEach, beforeEach, expect, it } from "vitest"
import { WallClock } from "../src/Clock.ts"
import { authenticate, createToken, listTokens, operator, revokeToken } from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

describeEachDatabase("API tokens", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
  })
  afterEach(() => engine.dispose())

  it("stand for their principal, with its role and unit", async () => {
    const created = await engine.run(createToken("clerk-a", { label: "甲县联络员笔记本" }, operator))
    expect(created.token).toMatch(/^ld_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/u)
    const actor = await engine.run(authenticate(created.token))
    expect(actor).toEqual({ kind: "principal", id: "clerk-a", role: "unit", unit: "county-a" })
  })

  it("are stored only as a hash, and listed without their secrets", async () => {
    const created = await engine.run(createToken("lead", {}, operator))
    // ld_<12 hex>_<secret>: the secret itself may contain "_"
    const secret = created.token.slice("ld_".length + 12 + 1)
    expect(secret).toHaveLength(43)
    const rows = await ctx.store().db.selectFrom("tokens").selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(secret)
    const listed = await engine.run(listTokens(operator))
    expect(listed.map((t) => t.id)).toEqual([created.id])
    expect(JSON.stringify(listed)).not.toContain(secret)
  })

  it("refuse a missing, malformed, unknown, forged, revoked or expired token, saying which", async () => {
    const reason = async (token: string | undefined) =>
      ((await engine.failure(authenticate(token))) as { reason: string }).reason
    expect(await reason(undefined)).toBe("missing")
    expect(await reason("Bearer nonsense")).toBe("malformed")
    const created = await engine.run(createToken("clerk-a", { expiresInDays: 30 }, operator))
    const [, id] = created.token.split("_")
    expect(await reason(`ld_${"0".repeat(12)}_${"A".repeat(43)}`)).toBe("unknown")
    expect(await reason(`ld_${id}_${"A".repeat(43)}`)).toBe("unknown")
    const later = { now: Effect.sync(() => new Date(Date.now() + 31 * 86_400_000)) }
    const failed = await engine.failure(Effect.provideService(authenticate(created.token), WallClock, later))
    expect((failed as { reason: string }).reason).toBe("expired")
    const other = await engine.run(createToken("clerk-b", {}, operator))
    await engine.run(revokeToken(other.id, operator))
    expect(await reason(other.token)).toBe("revoked")
  })

  it("expire on the wall clock, whatever the campaign clock says", async () => {
    const before = Date.now()
    const created = await engine.run(createToken("clerk-a", { expiresInDays: 1 }, operator))
    const after = Date.now()
    // expiry counts from the real time of creation, not from the simulated calendar's
    const expires = new Date(created.expiresAt as Date).getTime() - 86_400_000
    expect(expires >= before && expires <= after).toBe(true)
    // a simulated calendar months ahead neither expires a fresh token
    await engine.setClock("2027-06-01T00:00:00Z")
    expect(await engine.run(authenticate(created.token))).toMatchObject({ id: "clerk-a" })
    // …nor does one behind revive an expired one
    const old = await engine.run(
      Effect.provideService(createToken("clerk-b", { expiresInDays: 1 }, operator), WallClock, {
        now: Effect.sync(() => new Date(Date.now() - 2 * 86_400_000)),
      }),
    )
    expect(((await engine.failure(authenticate(old.token))) as { reason: string }).reason).toBe("expired")
    // revocation is stamped with the real time too
    const revoking = Date.now()
    const revoked = await engine.run(revokeToken(created.id, operator))
    expect(revoked.revokedAt.getTime() >= revoking && revoked.revokedAt.getTime() <= Date.now()).toBe(true)
  })

  it("are managed by the operator only", async () => {
    const error = await engine.failure(createToken("clerk-a", {}, await engine.actor("lead")))
    expect(error._tag).toBe("NotAllowed")
    expect((await engine.failure(createToken("nobody", {}, operator)))._tag).toBe("NotFound")
    expect((await engine.failure(createToken("lead", { expiresInDays: -1 }, operator)))._tag).toBe("InvalidInput")
  })
})
