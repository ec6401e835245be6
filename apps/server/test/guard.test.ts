/**
 * The guard's last word on failures: whatever escapes a route — a defect with
 * secrets in its message — leaves as a bare 500 problem with a reference, the
 * details only in the log.
 */
import { Log } from "@liandong/engine/runtime"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { pino } from "pino"
import { afterAll, describe, expect, it } from "vitest"
import { guard } from "../src/Guard.ts"
import { RequestLimits } from "../src/RateLimit.ts"

const secret = "postgres://admin:hunter2@db.internal:5432/liandong"

const app = Layer.mergeAll(
  HttpRouter.add("GET", "/api/v1/boom", Effect.die(new Error(`cannot connect to ${secret}`))),
  HttpRouter.add(
    "GET",
    "/api/v1/throws",
    Effect.sync(() => JSON.parse("{") as never),
  ),
  HttpRouter.middleware(
    guard({ bodyLimit: 1024, limits: new RequestLimits({ perMinute: 1000, burst: 1000 }), webDist: null }),
    { global: true },
  ),
)
const logged: Array<{ reference?: string; err?: unknown }> = []
const capture = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) })
const web = HttpRouter.toWebHandler(Layer.provideMerge(app, Log.of_(capture)), {
  disableLogger: true,
})

// Every service the routes need is in the layer: the request needs no context of its own.
const handler = web.handler as unknown as (request: Request) => Promise<Response>

describe("the guard", () => {
  afterAll(() => web.dispose())

  it.each(["/api/v1/boom", "/api/v1/throws"])(
    "answers a defect in %s as a 500 problem that tells nothing",
    async (path) => {
      const response = await handler(new Request(`http://localhost${path}`, { headers: { "accept-language": "en" } }))
      expect(response.status).toBe(500)
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/)
      const body: any = await response.json()
      expect(body).toEqual({
        type: "urn:liandong:problem:internal",
        title: "服务器内部错误 / Internal server error",
        status: 500,
        instance: path,
        reference: expect.stringMatching(/^[0-9a-f-]{36}$/),
        detail: `internal error, reference ${body.reference}`,
      })
      expect(JSON.stringify(body)).not.toMatch(/hunter2|db\.internal|JSON|SyntaxError|at /)
      // The details are in the log, under the same reference.
      expect(JSON.stringify(logged.find((entry) => entry.reference === body.reference)?.err)).toMatch(
        /hunter2|SyntaxError/,
      )
    },
  )
})
