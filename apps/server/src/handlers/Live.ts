/**
 * Live updates: a server-sent event `change` on connecting and each time the
 * campaign's journal grows (the process's live hub looks for every stream at
 * once), a comment every 15 s to keep proxies from closing the stream; or the
 * same as a cursor to poll.
 */
import { Api, TooManyRequests } from "@liandong/api"
import { campaignChange } from "@liandong/engine/reads"
import { Effect, Stream } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { cookieSecretOf } from "../CookieSession.ts"
import { answer, currentActor } from "../Handle.ts"
import { requestContext } from "../Language.ts"
import { type CampaignHead, LiveHub, sessionKey } from "../LiveHub.ts"
import { retryAfterOf } from "../RateLimit.ts"

const frame = (change: CampaignHead & { readonly changed: boolean }) =>
  `event: change\nid: ${change.seq}\ndata: ${JSON.stringify(change)}\n\n`

/** The live group's handlers. */
export const liveHandlers = HttpApiBuilder.group(Api, "live", (handlers) =>
  handlers
    .handle("events", ({ params }) =>
      Effect.gen(function* () {
        const actor = yield* currentActor
        // Each stream is authorized as it opens: a campaign the caller may not see is a 404, as anywhere.
        const first = yield* answer(campaignChange(params.campaign, actor), "path")
        const hub = yield* LiveHub
        const request = yield* HttpServerRequest.HttpServerRequest
        // The middleware let it through: a bearer token of this shape, or else the session cookie.
        const secret = cookieSecretOf(request)
        const token =
          secret !== undefined
            ? sessionKey(secret)
            : (/^Bearer\s+ld_([0-9a-f]{12})_/i.exec(request.headers.authorization ?? "")?.[1] ?? "")
        if (!(yield* hub.admits(token))) {
          const ctx = yield* requestContext
          retryAfterOf.set(request.source as object, 60)
          return yield* Effect.fail(
            new TooManyRequests({
              instance: ctx.instance,
              retryAfter: 60,
              detail:
                ctx.lang === "zh"
                  ? `此令牌已打开 ${hub.maxPerToken} 个实时更新连接,请先关闭一个`
                  : `this token already holds ${hub.maxPerToken} open event streams; close one first`,
            }),
          )
        }
        // The stream ends when the hub finds its token revoked or expired; the keep-alive ends with it.
        const changes = hub
          .watch(params.campaign, first.seq, token)
          .pipe(Stream.map((head) => frame({ ...head, changed: true })))
        const keepAlive = Stream.tick("15 seconds").pipe(
          Stream.drop(1),
          Stream.map(() => ": keep-alive\n\n"),
        )
        // No `retry:` directive: Effect's SSE decoder (the typed client the web UI reads with) ends
        // the stream with `Sse.Retry` on one, so the browser dropped every stream after its first
        // frame. Clients choose their own reconnect delay.
        const body = Stream.concat(
          Stream.make(frame(first)),
          Stream.merge(changes, keepAlive, { haltStrategy: "left" }),
        )
        return HttpServerResponse.stream(Stream.encodeText(body), {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-cache", "x-accel-buffering": "no" },
        })
      }),
    )
    .handle("changes", ({ params, query }) =>
      Effect.flatMap(currentActor, (actor) => answer(campaignChange(params.campaign, actor, query.since), "path")),
    ),
)
