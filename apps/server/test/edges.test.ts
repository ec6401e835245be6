/**
 * The edges of the API an outsider probes: rate limits counted per principal
 * after authentication and per address before it (invented token ids never
 * reach the database once an address is out of its failure budget; nobody
 * locks a victim out by naming its token), open event streams ended by
 * revocation and capped per token, refused attempts on missing and existing
 * targets answered and recorded alike, and an oversized header answered as a
 * problem.
 */
import { request as httpRequest } from "node:http"
import { createToken, revokeToken } from "@liandong/engine/commands"
import { operator, storeLayer } from "@liandong/engine/runtime"
import { describeEachDatabase } from "@liandong/store/testing"
import { type Effect, Layer, ManagedRuntime } from "effect"
import { type KyselyPlugin, sql } from "kysely"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ServerConfig } from "../src/Config.ts"
import { type RunningServer, startServer } from "../src/Server.ts"
import { engineServices, type Seeded, seed, seededAt } from "./fixture.ts"
import { call, isProblem } from "./harness.ts"

/** Counts the queries that look a token up. */
const tokenLookups = () => {
  let count = 0
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      const node = args.node as {
        kind: string
        from?: { froms: Array<{ table?: { identifier?: { name?: string } } }> }
      }
      if (node.kind === "SelectQueryNode" && node.from?.froms.some((f) => f.table?.identifier?.name === "tokens"))
        count++
      return args.node
    },
    transformResult: (args) => Promise.resolve(args.result),
  }
  return { plugin, count: () => count }
}

/** One GET from a chosen loopback address (the whole of 127.0.0.0/8 is local). */
const getFrom = (base: string, from: string, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const url = new URL(path, base)
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: "GET", headers, localAddress: from },
        (res) => {
          let body = ""
          res.setEncoding("utf8")
          res.on("data", (chunk) => {
            body += chunk
          })
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        },
      )
      req.on("error", reject)
      req.end()
    },
  )

const baseConfig: ServerConfig = {
  host: "127.0.0.1",
  port: 0,
  bodyLimit: 64 * 1024,
  rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
  webDist: null,
  worker: false,
  livePollMs: 100,
  requestExpiry: { retentionSeconds: 7 * 86_400, everyMs: 60 * 60 * 1000, batch: 1000 },
}

const idOf = (token: string) => token.split("_")[1] as string

/** An open event stream: its status, the frames seen, whether the server ended it. */
interface OpenStream {
  readonly status: number
  readonly json: any
  readonly frames: string[]
  ended: boolean
  readonly close: () => void
}

const openStream = async (base: string, token: string, campaign = "matrix-main"): Promise<OpenStream> => {
  const controller = new AbortController()
  const response = await fetch(`${base}/api/v1/campaigns/${campaign}/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
  const stream: OpenStream = {
    status: response.status,
    json: undefined,
    frames: [],
    ended: false,
    close: () => controller.abort(),
  }
  if (response.status !== 200) {
    ;(stream as { json: unknown }).json = await response.json()
    return stream
  }
  const reader = response.body?.getReader()
  const decoder = new TextDecoder()
  void (async () => {
    for (;;) {
      const { value, done } = (await reader?.read()) ?? { done: true, value: undefined }
      if (done) {
        stream.ended = true
        return
      }
      stream.frames.push(decoder.decode(value, { stream: true }))
    }
  })().catch(() => undefined)
  return stream
}

/** Waits until `check` holds, or fails after `ms`. */
const eventually = async (check: () => boolean | Promise<boolean>, what: string, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
const invented = (i: number) => `ld_${i.toString(16).padStart(12, "0")}_${"A".repeat(43)}`

describeEachDatabase(
  "edges",
  (db) => {
    let seeded: Seeded
    const servers: RunningServer[] = []
    const start = async (overrides: Partial<ServerConfig>, plugin?: KyselyPlugin) => {
      const store = db.store()
      const services = engineServices(store, seeded.keyFile, seededAt)
      const counted =
        plugin === undefined
          ? services
          : Layer.merge(services, storeLayer({ ...store, db: store.db.withPlugin(plugin) }))
      const server = await startServer({ ...baseConfig, ...overrides }, counted)
      servers.push(server)
      return server
    }

    beforeAll(async () => {
      seeded = await seed(db.store())
    }, 120_000)
    afterAll(async () => {
      for (const server of servers) await server.close()
    })

    /** Runs an engine effect as the operator would, on the test's store. */
    const engine = async <A, E>(effect: Effect.Effect<A, E, any>) => {
      const runtime = ManagedRuntime.make(engineServices(db.store(), seeded.keyFile, seededAt))
      try {
        return await runtime.runPromise(effect as Effect.Effect<A, E, never>)
      } finally {
        await runtime.dispose()
      }
    }

    describe("event streams", () => {
      it("end within the hub's interval once their token is revoked, or has expired", async () => {
        const server = await start({ livePollMs: 100 })
        const revoked = await engine(createToken("auditor", {}, operator))
        const expiring = await engine(createToken("auditor", {}, operator))
        const kept = await openStream(server.url, seeded.tokens.auditor as string)
        const doomed = await openStream(server.url, revoked.token)
        const lapsing = await openStream(server.url, expiring.token)
        for (const s of [kept, doomed, lapsing]) expect(s.status).toBe(200)
        await eventually(() => [kept, doomed, lapsing].every((s) => s.frames.length > 0), "the first frames")
        await engine(revokeToken(revoked.id, operator))
        await eventually(() => doomed.ended, "the revoked token's stream to end")
        // Expiry is on the wall clock: this token's time runs out now.
        await sql`update tokens set expires_at = now() - interval '1 second' where id = ${expiring.id}`.execute(
          db.store().db,
        )
        await eventually(() => lapsing.ended, "the expired token's stream to end")
        expect(kept.ended).toBe(false)
        // And a revoked token cannot open another.
        expect((await openStream(server.url, revoked.token)).status).toBe(401)
        kept.close()
      })

      it("are capped per token, with a 429 problem over the cap", async () => {
        const server = await start({ streamsPerToken: 2 })
        const token = seeded.tokens.lead as string
        const first = await openStream(server.url, token)
        const second = await openStream(server.url, token, "matrix-main")
        expect([first.status, second.status]).toEqual([200, 200])
        await eventually(() => first.frames.length > 0 && second.frames.length > 0, "the first frames")
        const third = await openStream(server.url, token)
        expect(third.status).toBe(429)
        expect(third.json).toMatchObject({ type: "urn:liandong:problem:rate-limited", status: 429, retryAfter: 60 })
        // Another token of the same principal has its own streams.
        const other = await engine(createToken("lead", {}, operator))
        const elsewhere = await openStream(server.url, other.token)
        expect(elsewhere.status).toBe(200)
        // Closing one frees its place.
        first.close()
        await eventually(async () => {
          const again = await openStream(server.url, token)
          again.close()
          return again.status === 200
        }, "a place to free up")
        for (const s of [second, elsewhere]) s.close()
      })
    })

    it("answers header fields over the limit with a 431 problem", async () => {
      const server = await start({})
      const answer = await call(server.url, "GET", "/api/v1/me", {
        token: seeded.tokens.lead,
        headers: { cookie: `c=${"x".repeat(64 * 1024)}` },
      })
      expect(answer.status).toBe(431)
      expect(isProblem(answer)).toBe(true)
      expect(answer.json).toMatchObject({ type: "urn:liandong:problem:header-too-large", status: 431 })
      expect(answer.json.detail).toMatch(/请求头.*\/ the request's header fields/u)
      // The server goes on answering.
      expect((await call(server.url, "GET", "/api/v1/me", { token: seeded.tokens.lead })).status).toBe(200)
    })

    describe("rate limits", () => {
      it("refuses an address out of its failure budget before the database is asked", async () => {
        const lookups = tokenLookups()
        const server = await start(
          { rateLimit: { perMinute: 1_000_000, burst: 1_000_000, failures: { perMinute: 1, burst: 5 } } },
          lookups.plugin,
        )
        const before = lookups.count()
        const statuses: number[] = []
        for (let i = 0; i < 200; i++)
          statuses.push(
            (await getFrom(server.url, "127.0.0.3", "/api/v1/me", { authorization: `Bearer ${invented(i)}` })).status,
          )
        expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
        expect(statuses.slice(5).every((s) => s === 429)).toBe(true)
        // Five failures asked the database; the other 195 never did.
        expect(lookups.count() - before).toBe(5)
        const refused = await getFrom(server.url, "127.0.0.3", "/api/v1/me", {
          authorization: `Bearer ${seeded.tokens.lead}`,
          "accept-language": "en",
        })
        expect(refused.status).toBe(429)
        expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1)
        expect(JSON.parse(refused.body)).toMatchObject({ type: "urn:liandong:problem:rate-limited", status: 429 })
        // Another address is not held back by this one's failures.
        expect((await call(server.url, "GET", "/api/v1/me", { token: seeded.tokens.lead })).status).toBe(200)
      })

      it("never locks a principal out for requests that name its token but fail", async () => {
        const server = await start({
          rateLimit: { perMinute: 60, burst: 10, failures: { perMinute: 1, burst: 5 } },
        })
        const victim = seeded.tokens["unit-a"] as string
        const forged = `ld_${idOf(victim)}_${"B".repeat(43)}`
        const statuses = new Set<number>()
        for (let i = 0; i < 300; i++)
          statuses.add(
            (await getFrom(server.url, "127.0.0.4", "/api/v1/me", { authorization: `Bearer ${forged}` })).status,
          )
        expect([...statuses].sort()).toEqual([401, 429])
        const me = await call(server.url, "GET", "/api/v1/me", { token: victim })
        expect(me.status).toBe(200)
        expect(me.json.id).toBe("unit-a")
      })

      it("counts an authenticated principal's requests against the principal, not its address", async () => {
        const server = await start({ rateLimit: { perMinute: 6, burst: 3 } })
        const statuses: number[] = []
        for (let i = 0; i < 4; i++)
          statuses.push((await call(server.url, "GET", "/api/v1/me", { token: seeded.tokens.lead })).status)
        expect(statuses).toEqual([200, 200, 200, 429])
        const refused = await call(server.url, "GET", "/api/v1/me", { token: seeded.tokens.lead, lang: "en" })
        expect(refused.status).toBe(429)
        expect(isProblem(refused)).toBe(true)
        expect(Number(refused.headers.get("retry-after"))).toBe(refused.json.retryAfter)
        // The principal's budget, not the address's: another principal from the same address goes on.
        expect((await call(server.url, "GET", "/api/v1/me", { token: seeded.tokens.auditor })).status).toBe(200)
      })
    })
  },
  { resetEach: false },
)
