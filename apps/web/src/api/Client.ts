/**
 * The typed client of the Liandong API, generated from the shared contract
 * (@liandong/api) by Effect's HttpApiClient: requests are encoded and answers
 * decoded with the contract's Schemas. The browser's session cookie goes along
 * by itself; every write carries the session's CSRF token, and every call the
 * reader's language (problems come back in it).
 */
import { Api, type AttachmentItem, Authentication } from "@liandong/api"
import { Effect, Layer, Stream } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import { earlyFetch } from "./Early.ts"
import { type ApiFailure, toFailure } from "./Failure.ts"

/** The generated client: `client.tasks.list(...)`, `client.reports.approve(...)` … */
export type Client = HttpApiClient.ForApi<typeof Api>

/** A live connection to the API. */
export interface Connection {
  /** Runs one call; rejects with an `ApiFailure`. */
  readonly run: <A>(call: (client: Client) => Effect.Effect<A, unknown>) => Promise<A>
  /**
   * Follows a campaign's journal through its server-sent events: `seen` gets each length as
   * it arrives, until `signal` aborts (resolves) or the stream fails (rejects with an `ApiFailure`).
   */
  readonly follow: (campaign: string, seen: (seq: number) => void, signal: AbortSignal) => Promise<void>
  /**
   * Uploads a file (佐证材料) for a task: its bytes as the body, its name in X-File-Name.
   * Outside the generated client, which would buffer it; rejects with an `ApiFailure`.
   */
  readonly upload: (task: { campaign: string; unit: string; task: string }, file: File) => Promise<AttachmentItem>
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
    }).pipe(
      Effect.provide(Layer.mergeAll(auth, FetchHttpClient.layer, Layer.succeed(FetchHttpClient.Fetch, earlyFetch))),
    ),
  )
  // The fetch is looked up when a request is made: a read the page asked for early takes that answer.
  const run = <A>(call: (client: Client) => Effect.Effect<A, unknown>): Promise<A> =>
    Effect.runPromise(Effect.result(call(client).pipe(Effect.provideService(FetchHttpClient.Fetch, earlyFetch)))).then(
      (result) => {
        if (result._tag === "Success") return result.success
        throw toFailure(result.failure)
      },
    )
  const follow = (campaign: string, seen: (seq: number) => void, signal: AbortSignal) =>
    Effect.runPromise(
      Effect.flatMap(client.live.events({ params: { campaign } }), (changes) =>
        Stream.runForEach(changes, (change) => Effect.sync(() => seen(change.seq))),
      ),
      { signal },
    ).catch((cause: unknown) => {
      if (signal.aborted) return
      throw toFailure(cause)
    })
  const upload = async (task: { campaign: string; unit: string; task: string }, file: File) => {
    const token = csrf()
    const path = [task.campaign, task.unit, task.task].map(encodeURIComponent)
    let response: Response
    try {
      response = await fetch(`/api/v1/campaigns/${path[0]}/units/${path[1]}/tasks/${path[2]}/attachments`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "content-type": "application/octet-stream",
          "x-file-name": encodeURIComponent(file.name),
          "accept-language": language() === "en" ? "en" : "zh-CN",
          ...(token === null ? {} : { [csrfHeader]: token }),
        },
        body: file,
      })
    } catch (cause) {
      throw toFailure(cause)
    }
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null
    if (response.ok && body !== null) return body as unknown as AttachmentItem
    const errors = Array.isArray(body?.errors) ? (body.errors as Array<{ path?: unknown; detail?: unknown }>) : []
    const failure: ApiFailure = {
      kind: "problem",
      status: response.status,
      tag: typeof body?.type === "string" ? body.type : null,
      title: typeof body?.title === "string" ? body.title : "",
      detail: typeof body?.detail === "string" ? body.detail : response.statusText,
      fields: errors.map((e) => ({ path: String(e.path ?? ""), detail: String(e.detail ?? "") })),
    }
    throw failure
  }
  return { run, follow, upload }
}

export type { ApiFailure }
