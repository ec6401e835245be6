/**
 * Live updates: a server-sent event `change` each time the campaign's journal
 * grows (looked at once a second, a comment every 15 s keeps proxies from
 * closing the stream), or the same as a cursor to poll.
 */
import { Api } from "@liandong/api"
import { type Actor, campaignChange, type Clock, type Db } from "@liandong/engine"
import { Effect, Option, Stream } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { answer, currentActor } from "../Handle.ts"

type Change = Effect.Success<ReturnType<typeof campaignChange>>

const frame = (change: Change) => `event: change\nid: ${change.seq}\ndata: ${JSON.stringify(change)}\n\n`

/** The SSE stream of a campaign the actor may see, starting with its state now. */
const changes = (campaign: string, actor: Actor, first: Change, pollMs = 1000) =>
  Effect.map(Effect.context<Db | Clock>(), (services) => {
    let last = first.seq
    const polled = Stream.tick(`${pollMs} millis`).pipe(
      Stream.mapEffect(() =>
        campaignChange(campaign, actor, last).pipe(
          Effect.provideContext(services),
          // A failed look (the database away) is skipped; the next one may succeed.
          Effect.option,
        ),
      ),
      Stream.map((found) => {
        if (Option.isNone(found) || !found.value.changed) return null
        last = found.value.seq
        return frame(found.value)
      }),
      Stream.filter((text): text is string => text !== null),
    )
    const keepAlive = Stream.tick("15 seconds").pipe(
      Stream.drop(1),
      Stream.map(() => ": keep-alive\n\n"),
    )
    return Stream.concat(Stream.make(`retry: 3000\n\n${frame(first)}`), Stream.merge(polled, keepAlive)).pipe(
      Stream.encodeText,
    )
  })

/** The live group's handlers. */
export const liveHandlers = HttpApiBuilder.group(Api, "live", (handlers) =>
  handlers
    .handle("events", ({ params }) =>
      Effect.gen(function* () {
        const actor = yield* currentActor
        const first = yield* answer(campaignChange(params.campaign, actor), "path")
        const body = yield* changes(params.campaign, actor, first)
        return HttpServerResponse.stream(body, {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-cache", "x-accel-buffering": "no" },
        })
      }),
    )
    .handle("changes", ({ params, query }) =>
      Effect.flatMap(currentActor, (actor) => answer(campaignChange(params.campaign, actor, query.since), "path")),
    ),
)
