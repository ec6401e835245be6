/**
 * The typed client of the Liandong API, generated from the shared contract
 * (@liandong/api) by Effect's HttpApiClient: requests are encoded and answers
 * decoded with the contract's Schemas. The browser's session cookie goes along
 * by itself; every write carries the session's CSRF token, and every call the
 * reader's language (problems come back in it).
 */
import { Api, Authentication } from "@liandong/api"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import { type ApiFailure, toFailure } from "./Failure.ts"

/** The generated client: `client.tasks.list(...)`, `client.reports.approve(...)` … */
export type Client = HttpApiClient.ForApi<typeof Api>

/** A live connection to the API. */
export interface Connection {
  /** Runs one call; rejects with an `ApiFailure`. */
  readonly run: <A>(call: (client: Client) => Effect.Effect<A, unknown>) => Promise<A>
  /** Runs a long call (a stream) until `signal` aborts. */
  readonly runUntil: (call: (client: Client) => Effect.Effect<void, unknown>, signal: AbortSignal) => Promise<void>
}

/** The header a cookie-authenticated write carries its CSRF token in (apps/server SessionCookie.ts). */
const csrfHeader = "x-csrf-token"

/**
 * Connects through the session cookie; `csrf` (kept in memory, never in storage) and
 * `language` are read at every call, so neither needs a reconnect.
 */
export const connect = async (csrf: () => string | null, language: () => string): Promise<Connection> => {
  const auth = HttpApiMiddleware.layerClient(Authentication, ({ next, request }) => {
    const token = csrf()
    return next(
      request.method === "GET" || token === null ? request : HttpClientRequest.setHeader(request, csrfHeader, token),
    )
  })
  const client = await Effect.runPromise(
    HttpApiClient.make(Api, {
      baseUrl: window.location.origin,
      transformClient: HttpClient.mapRequest((request) =>
        HttpClientRequest.setHeader(request, "accept-language", language() === "en" ? "en" : "zh-CN"),
      ),
    }).pipe(Effect.provide(Layer.merge(auth, FetchHttpClient.layer))),
  )
  const run = <A>(call: (client: Client) => Effect.Effect<A, unknown>): Promise<A> =>
    Effect.runPromise(Effect.result(call(client))).then((result) => {
      if (result._tag === "Success") return result.success
      throw toFailure(result.failure)
    })
  const runUntil = (call: (client: Client) => Effect.Effect<void, unknown>, signal: AbortSignal) =>
    Effect.runPromise(call(client), { signal }).catch((cause: unknown) => {
      if (signal.aborted) return
      throw toFailure(cause)
    })
  return { run, runUntil }
}

export type { ApiFailure }
