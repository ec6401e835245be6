/**
 * The typed client of the Liandong API, generated from the shared contract
 * (@liandong/api) by Effect's HttpApiClient: requests are encoded and answers
 * decoded with the contract's Schemas. Every call sends the bearer token and
 * the reader's language (problems come back in it).
 */
import { Api, Authentication } from "@liandong/api"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import { type ApiFailure, toFailure } from "./Failure.ts"

/** The generated client: `client.tasks.list(...)`, `client.reports.approve(...)` … */
export type Client = HttpApiClient.ForApi<typeof Api>

/** A live connection to the API for one token. */
export interface Connection {
  /** Runs one call; rejects with an `ApiFailure`. */
  readonly run: <A>(call: (client: Client) => Effect.Effect<A, unknown>) => Promise<A>
  /** Runs a long call (a stream) until `signal` aborts. */
  readonly runUntil: (call: (client: Client) => Effect.Effect<void, unknown>, signal: AbortSignal) => Promise<void>
}

/** Connects with a token; `language` is read at every call, so switching languages needs no reconnect. */
export const connect = async (token: string, language: () => string): Promise<Connection> => {
  const auth = HttpApiMiddleware.layerClient(Authentication, ({ next, request }) =>
    next(HttpClientRequest.bearerToken(request, token)),
  )
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
