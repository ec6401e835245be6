/**
 * One live hub per server process: a single loop looks up the journal heads
 * of every campaign some stream is watching, in one query per interval, and
 * hands each change to every stream of that campaign. The database's load
 * stays one query an interval however many dashboards are open, and none
 * while nobody watches. Streams are authorized as they open (`Live.ts`); the
 * hub only tells them what changed.
 */
import { campaignHeads } from "@liandong/engine"
import { Context, Effect, Layer, Queue, Schedule, Stream } from "effect"

/** A campaign's journal length and state, as the hub last found it. */
export interface CampaignHead {
  readonly campaign: string
  readonly seq: number
  readonly status: string
  readonly phase: string | null
}

interface Watcher {
  /** the last journal length this stream was told */
  last: number
  readonly push: (head: CampaignHead) => void
}

/** The hub. */
export class LiveHub extends Context.Service<
  LiveHub,
  {
    /** The campaign's heads from now on, each time its journal length differs from the last one sent (`since` first). */
    readonly watch: (campaign: string, since: number) => Stream.Stream<CampaignHead>
    /** How many look-ups the hub has made: one per interval while anything is watched, whatever the number of streams. */
    readonly lookups: Effect.Effect<number>
    /** How many streams are watching now. */
    readonly streams: Effect.Effect<number>
  }
>()("@liandong/server/LiveHub") {
  /** The hub, looking every `intervalMs` for as long as the layer lives. */
  static readonly layer = (intervalMs: number) =>
    Layer.effect(LiveHub)(
      Effect.gen(function* () {
        const watchers = new Map<string, Set<Watcher>>()
        let lookups = 0
        const look = Effect.gen(function* () {
          if (watchers.size === 0) return
          lookups++
          const heads = yield* campaignHeads([...watchers.keys()])
          for (const head of heads) {
            for (const watcher of watchers.get(head.campaign) ?? []) {
              if (watcher.last === head.seq) continue
              watcher.last = head.seq
              watcher.push(head)
            }
          }
        })
        // A failed look (the database away) is skipped; the next one may succeed.
        yield* look.pipe(Effect.ignore, Effect.repeat(Schedule.spaced(`${intervalMs} millis`)), Effect.forkScoped)
        const watch = (campaign: string, since: number) =>
          Stream.callback<CampaignHead>(
            (queue) =>
              Effect.acquireRelease(
                Effect.sync(() => {
                  const watcher: Watcher = { last: since, push: (head) => Queue.offerUnsafe(queue, head) }
                  const set = watchers.get(campaign) ?? new Set()
                  set.add(watcher)
                  watchers.set(campaign, set)
                  return watcher
                }),
                (watcher) =>
                  Effect.sync(() => {
                    const set = watchers.get(campaign)
                    set?.delete(watcher)
                    if (set?.size === 0) watchers.delete(campaign)
                  }),
              ),
            // Only the latest head matters to a reader that fell behind.
            { bufferSize: 8, strategy: "sliding" },
          )
        return LiveHub.of({
          watch,
          lookups: Effect.sync(() => lookups),
          streams: Effect.sync(() => [...watchers.values()].reduce((n, set) => n + set.size, 0)),
        })
      }),
    )
}
