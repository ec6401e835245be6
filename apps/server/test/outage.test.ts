/**
 * A database outage, for real: the server reaches PostgreSQL through a TCP
 * proxy the test cuts and restores. While the database is away every API
 * request answers 503 as a problem (with Retry-After) and /readyz says so;
 * /healthz still answers; once it is back the same server recovers, no restart.
 */
import { connect, createServer, type Server, type Socket } from "node:net"
import { openStore, type Store } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, isProblem, startTestServer } from "./harness.ts"

/** A TCP proxy to `target` that can be cut (refusing and dropping connections) and restored on the same port. */
const proxy = async (target: { host: string; port: number }) => {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const up = () =>
    new Promise<void>((resolve) => {
      const listening = createServer((client) => {
        const upstream = connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on("close", () => sockets.delete(s))
          s.on("error", () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream).pipe(client)
      })
      server = listening
      listening.listen(port, "127.0.0.1", () => {
        port = (listening.address() as { port: number }).port
        resolve()
      })
    })
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server?.close(() => resolve())
    })
  await up()
  return { port: () => port, up, down }
}

const eventually = async (check: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return false
}

describeEachDatabase(
  "database outage",
  (db) => {
    let seeded: Seeded
    let server: RunningServer
    let store: Store
    let link: Awaited<ReturnType<typeof proxy>>

    beforeAll(async () => {
      const url = db.databaseUrl()
      if (url === undefined) return
      seeded = await seed(db.store())
      const direct = new URL(url)
      link = await proxy({ host: direct.hostname, port: Number(direct.port || 5432) })
      const through = new URL(url)
      through.hostname = "127.0.0.1"
      through.port = String(link.port())
      store = await openStore({ databaseUrl: through.toString(), poolSize: 2 })
      server = await startTestServer(store, seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
      await store?.close()
      await link?.down()
    })

    it.runIf(db.kind === "postgres")(
      "answers 503 while the database is away, and recovers without a restart",
      async () => {
        const lead = seeded.tokens.lead as string
        expect((await call(server.url, "GET", "/api/v1/me", { token: lead })).status).toBe(200)
        await link.down()
        const away = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/status", { token: lead, lang: "en" })
        expect(away.status).toBe(503)
        expect(isProblem(away)).toBe(true)
        expect(away.headers.get("retry-after")).toBe("5")
        expect(away.json.detail).toBe("the database cannot be reached; retry shortly")
        expect(away.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack|at /)
        const write = await call(
          server.url,
          "POST",
          "/api/v1/campaigns/matrix-main/units/district-b/tasks/events/acknowledge",
          {
            token: seeded.tokens["unit-b"],
            headers: { "idempotency-key": "during-outage" },
          },
        )
        expect(write.status).toBe(503)
        expect((await call(server.url, "GET", "/readyz")).status).toBe(503)
        expect((await call(server.url, "GET", "/healthz")).status).toBe(200)
        await link.up()
        expect(await eventually(async () => (await call(server.url, "GET", "/readyz")).status === 200)).toBe(true)
        expect((await call(server.url, "GET", "/api/v1/campaigns/matrix-main/status", { token: lead })).status).toBe(
          200,
        )
        const retried = await call(
          server.url,
          "POST",
          "/api/v1/campaigns/matrix-main/units/district-b/tasks/events/acknowledge",
          {
            token: seeded.tokens["unit-b"],
            headers: { "idempotency-key": "during-outage" },
          },
        )
        expect(retried.status).toBe(200)
      },
    )
  },
  { resetEach: false },
)
