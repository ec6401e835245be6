/**
 * Live updates through the process's one hub: every open stream of a campaign
 * hears of a change after a command, streams of another campaign do not, and
 * the database sees one look-up an interval however many streams are open —
 * none while nobody watches. Every query the server makes is counted by a
 * Kysely plugin on its database handle.
 */
import { Api, Authentication } from "@liandong/api"
import { storeLayer } from "@liandong/engine/runtime"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { FetchHttpClient, HttpClientRequest, HttpServer } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import { NetAddress } from "effect/net"
import type { KyselyPlugin } from "kysely"
import { afterAll, afterEach, beforeAll, expect, it } from "vitest"
import { LiveHub } from "../src/LiveHub.ts"
import { serverLayer } from "../src/Server.ts"
import { engineServices, type Seeded, seed, seededAt } from "./fixture.ts"
import { call } from "./harness.ts"

const pollMs = 100

/** Counts every query sent through the handle it is plugged into. */
const queryCounter = () => {
  let count = 0
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count++
      return args.node
    },
    transformResult: (args) => Promise.resolve(args.result),
  }
  return { plugin, count: () => count }
}

/** An open event stream: the `change` data seen so far. */
interface OpenStream {
  readonly status: number
  readonly changes: any[]
  readonly close: () => void
}

/** Opens `/campaigns/<campaign>/events` and keeps reading its frames in the background. */
const openStream = async (base: string, token: string, campaign: string): Promise<OpenStream> => {
  const controller = new AbortController()
  const response = await fetch(`${base}/api/v1/campaigns/${campaign}/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
  const changes: any[] = []
  const reader = response.status === 200 ? response.body?.getReader() : undefined
  if (reader !== undefined) {
    const decoder = new TextDecoder()
    let buffer = ""
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        for (let at = buffer.indexOf("\n\n"); at >= 0; at = buffer.indexOf("\n\n")) {
          const data = buffer
            .slice(0, at)
            .split("\n")
            .find((line) => line.startsWith("data: "))
          buffer = buffer.slice(at + 2)
          if (data !== undefined) changes.push(JSON.parse(data.slice(6)))
        }
      }
    })().catch(() => undefined)
  } else await response.body?.cancel()
  return { status: response.status, changes, close: () => controller.abort() }
}

/** Waits until `check` holds, or fails after `ms`. */
const eventually = async (check: () => boolean | Promise<boolean>, what: string, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeEachDatabase(
  "live updates",
  (db) => {
    let seeded: Seeded
    let url: string
    let runtime: ManagedRuntime.ManagedRuntime<LiveHub | HttpServer.HttpServer, unknown>
    const counter = queryCounter()
    const token = (who: string) => seeded.tokens[who] as string
    const hub = <A>(read: (hub: LiveHub["Service"]) => Effect.Effect<A>) =>
      runtime.runPromise(Effect.flatMap(Effect.service(LiveHub), read))
    const streams: OpenStream[] = []
    const open = async (who: string, campaign = "matrix-main") => {
      const stream = await openStream(url, token(who), campaign)
      streams.push(stream)
      return stream
    }
    const closeAll = () => {
      for (const stream of streams.splice(0)) stream.close()
    }

    beforeAll(async () => {
      const store = db.store()
      seeded = await seed(store)
      const counted = storeLayer({ ...store, db: store.db.withPlugin(counter.plugin) })
      const services = Layer.merge(engineServices(store, seeded.keyFile, seededAt), counted)
      runtime = ManagedRuntime.make(
        serverLayer({
          host: "127.0.0.1",
          port: 0,
          bodyLimit: 64 * 1024,
          rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
          webDist: null,
          worker: false,
          livePollMs: pollMs,
          requestExpiry: { retentionSeconds: 7 * 86_400, everyMs: 60 * 60 * 1000, batch: 1000 },
        }).pipe(Layer.provide(services)),
      )
      const server = await runtime.runPromise(Effect.service(HttpServer.HttpServer))
      url = NetAddress.formatUrlUnsafe(server.address)
    }, 120_000)
    afterEach(closeAll)
    afterAll(async () => {
      await runtime?.dispose()
    })

    it("tells every open stream of the campaign about a command's change, and no stream of another campaign", async () => {
      const main = await Promise.all(
        ["lead", "lead", "auditor", "auditor", "unit-a", "unit-b", "county", "county"].map((who) => open(who)),
      )
      const other = await Promise.all(["other-lead", "auditor"].map((who) => open(who, "matrix-other")))
      for (const stream of [...main, ...other]) expect(stream.status).toBe(200)
      // The first change comes on connecting, with the journal's length now.
      await eventually(
        () => [...main, ...other].every((s) => s.changes.length >= 1),
        "the first change of every stream",
      )
      const start: number = main[0]?.changes[0].seq
      for (const stream of main) expect(stream.changes[0]).toMatchObject({ campaign: "matrix-main", seq: start })
      const acknowledged = await call(
        url,
        "POST",
        "/api/v1/campaigns/matrix-main/units/county-a1/tasks/events/acknowledge",
        { token: token("county") },
      )
      expect(acknowledged.status).toBe(200)
      await eventually(
        () => main.every((s) => s.changes.some((c) => c.changed && c.seq > start)),
        "the change on every stream of the campaign",
      )
      for (const stream of main) {
        expect(stream.changes.at(-1)).toMatchObject({ campaign: "matrix-main", changed: true, status: "running" })
        // Once per change, not once per look-up.
        expect(stream.changes.filter((c) => c.seq > start)).toHaveLength(1)
      }
      await pause(pollMs * 5)
      for (const stream of other) expect(stream.changes).toHaveLength(1)
      // A campaign the caller may not see is refused stream by stream, as anywhere.
      expect((await openStream(url, token("other-unit"), "matrix-main")).status).toBe(404)
    })

    it("keeps the stream open through the typed client the web UI reads it with", async () => {
      // Effect's SSE decoder ends a stream on a `retry:` line; this reads it as the browser does.
      const seen: any[] = []
      const controller = new AbortController()
      const reading = Effect.runPromise(
        Effect.gen(function* () {
          const client = yield* HttpApiClient.make(Api, { baseUrl: url })
          const stream = yield* client.live.events({ params: { campaign: "matrix-main" } })
          yield* Stream.runForEach(stream, (change) => Effect.sync(() => seen.push(change)))
        }).pipe(
          Effect.provide(
            Layer.merge(
              FetchHttpClient.layer,
              HttpApiMiddleware.layerClient(Authentication, ({ next, request }) =>
                next(HttpClientRequest.bearerToken(request, token("lead"))),
              ),
            ),
          ),
        ),
        { signal: controller.signal },
      ).then(
        () => "ended",
        (cause: unknown) => (controller.signal.aborted ? "aborted" : `failed: ${String(cause)}`),
      )
      await eventually(() => seen.length >= 1, "the first change through the typed client")
      const start: number = seen[0].seq
      await pause(pollMs * 5)
      const acknowledged = await call(
        url,
        "POST",
        "/api/v1/campaigns/matrix-main/units/district-b/tasks/events/acknowledge",
        { token: token("unit-b") },
      )
      expect(acknowledged.status).toBe(200)
      await eventually(() => seen.some((c) => c.seq > start), "the change through the typed client")
      controller.abort()
      expect(await reading).toBe("aborted")
    })

    it("tells the streams of a change this server answered at once, without waiting for the interval", async () => {
      // A hub whose interval never comes round in this test: only the command's poke can tell the stream.
      const slow = ManagedRuntime.make(
        serverLayer({
          host: "127.0.0.1",
          port: 0,
          bodyLimit: 64 * 1024,
          rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
          webDist: null,
          worker: false,
          livePollMs: 3_600_000,
          requestExpiry: { retentionSeconds: 7 * 86_400, everyMs: 60 * 60 * 1000, batch: 1000 },
        }).pipe(
          Layer.provide(Layer.merge(engineServices(db.store(), seeded.keyFile, seededAt), storeLayer(db.store()))),
        ),
      )
      try {
        const server = await slow.runPromise(Effect.service(HttpServer.HttpServer))
        const slowUrl = NetAddress.formatUrlUnsafe(server.address)
        const stream = await openStream(slowUrl, token("lead"), "matrix-main")
        streams.push(stream)
        await eventually(() => stream.changes.length >= 1, "the first change")
        const start: number = stream.changes[0].seq
        const reported = await call(
          slowUrl,
          "POST",
          "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/reports",
          {
            token: token("unit-a"),
            body: { figures: { attendees: 120 }, narrative: { narrative: "举办讲座两场" } },
          },
        )
        expect(reported.status, JSON.stringify(reported.json)).toBe(200)
        await eventually(() => stream.changes.some((c) => c.seq > start), "the change, told by the poke")
      } finally {
        closeAll()
        await slow.dispose()
      }
    })

    it("looks up once an interval whatever the number of streams, and not at all while none is open", async () => {
      await eventually(async () => (await hub((h) => h.streams)) === 0, "the closed streams to leave the hub")
      const window = async (ms: number) => {
        const [queries, lookups] = [counter.count(), await hub((h) => h.lookups)]
        await pause(ms)
        return { queries: counter.count() - queries, lookups: (await hub((h) => h.lookups)) - lookups }
      }
      expect(await window(pollMs * 6)).toEqual({ queries: 0, lookups: 0 })

      const who = ["lead", "auditor", "unit-a", "unit-b", "county"]
      const many = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => open(who[i % who.length] as string)),
        ...Array.from({ length: 5 }, () => open("other-lead", "matrix-other")),
      ])
      await eventually(() => many.every((s) => s.changes.length >= 1), "the first change of every stream")
      await pause(pollMs * 2)
      const ms = 1500
      const seen = await window(ms)
      // At most one query an interval for 25 streams on two campaigns (polling each would make dozens),
      // and each of them is one of the hub's look-ups.
      expect(seen.queries).toBeLessThanOrEqual(ms / pollMs + 2)
      expect(await hub((h) => h.streams)).toBe(25)
      expect(seen.lookups).toBeGreaterThan(0)
      expect(Math.abs(seen.queries - seen.lookups)).toBeLessThanOrEqual(1)
    })
  },
  { resetEach: false },
)
