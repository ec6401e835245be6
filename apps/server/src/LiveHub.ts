/**
 * One live hub per server process: a single loop looks up the journal heads
 * of every campaign some stream is watching, and whether each stream's token
 * still authenticates, in one query per interval, and hands each change to
 * every stream of that campaign. The database's load stays one query an
 * interval however many dashboards are open, and none while nobody watches.
 * Streams are authorized as they open (`Live.ts`); a stream whose token was
 * revoked or expired since ends within an interval, and a token holds at most
 * `maxPerToken` streams at once. A change this process answered (`poke`) makes
 * the hub look at once rather than at the next interval, so a report sent
 * through this server reaches its watchers in milliseconds; changes made by
 * other processes (the workers, other servers) are found within an interval.
 */
import { liveHeads } from "@liandong/engine/reads"
import { authenticateSession } from "@liandong/engine/runtime"
import { Context, Effect, Layer, Queue, Stream } from "effect"

const sessionPrefix = "session:"

/** The key a stream opened with a session cookie is counted and checked by (kept in this process only). */
export const sessionKey = (secret: string): string => `${sessionPrefix}${secret}`

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
  /** the token the stream was opened with */
  readonly token: string
  readonly push: (head: CampaignHead) => void
  readonly end: () => void
}

/** The hub. */
export class LiveHub extends Context.Service<
  LiveHub,
  {
    /**
     * The campaign's heads from now on, each time its journal length differs from the last one sent
     * (`since` first), for as long as `token` authenticates.
     */
    readonly watch: (campaign: string, since: number, token: string) => Stream.Stream<CampaignHead>
    /** Whether `token` may open one more stream. */
    readonly admits: (token: string) => Effect.Effect<boolean>
    /** The most streams a token may hold at once. */
    readonly maxPerToken: number
    /** How many look-ups the hub has made: one per interval while anything is watched, whatever the number of streams. */
    readonly lookups: Effect.Effect<number>
    /** How many streams are watching now. */
    readonly streams: Effect.Effect<number>
    /** Asks for a look now (coalesced: however many ask during one look, one more follows it). */
    readonly poke: Effect.Effect<void>
  }
>()("@liandong/server/LiveHub") {
  /** The hub, looking every `intervalMs` for as long as the layer lives. */
  static readonly layer = (intervalMs: number, maxPerToken = 10) =>
    Layer.effect(LiveHub)(
      Effect.gen(function* () {
        const watchers = new Map<string, Set<Watcher>>()
        const byToken = new Map<string, number>()
        let lookups = 0
        const all = () => [...watchers.values()].flatMap((set) => [...set])
        const look = Effect.gen(function* () {
          if (watchers.size === 0) return
          lookups++
          const keys = [...byToken.keys()]
          const tokens = keys.filter((key) => !key.startsWith(sessionPrefix))
          const { heads, liveTokens } = yield* liveHeads([...watchers.keys()], tokens)
          // A session signed out, ended everywhere or expired: its streams end too.
          yield* Effect.forEach(
            keys.filter((key) => key.startsWith(sessionPrefix)),
            (key) =>
              authenticateSession(key.slice(sessionPrefix.length)).pipe(
                Effect.catchTag("Unauthenticated", () =>
                  Effect.sync(() => {
                    for (const watcher of all()) if (watcher.token === key) watcher.end()
                  }),
                ),
                Effect.ignore,
              ),
            { discard: true },
          )
          // A token revoked or expired since its streams opened: they end now. (A stream that opened
          // while the query ran was not asked about; the next look asks.)
          const asked = new Set(tokens)
          for (const watcher of all()) if (asked.has(watcher.token) && !liveTokens.has(watcher.token)) watcher.end()
          for (const head of heads) {
            for (const watcher of watchers.get(head.campaign) ?? []) {
              if (watcher.last === head.seq) continue
              watcher.last = head.seq
              watcher.push(head)
            }
          }
        })
        // A poke while nothing is watched is dropped: there is no one to tell.
        const pokes = yield* Queue.sliding<void>(1)
        // A failed look (the database away) is skipped; the next one may succeed. Between looks the
        // hub waits for the interval or a poke, whichever comes first.
        yield* look.pipe(
          Effect.ignore,
          Effect.andThen(Effect.raceFirst(Effect.sleep(`${intervalMs} millis`), Queue.take(pokes))),
          Effect.forever,
          Effect.forkScoped,
        )
        const watch = (campaign: string, since: number, token: string) =>
          Stream.callback<CampaignHead>(
            (queue) =>
              Effect.acquireRelease(
                Effect.sync(() => {
                  const watcher: Watcher = {
                    last: since,
                    token,
                    push: (head) => Queue.offerUnsafe(queue, head),
                    end: () => Queue.endUnsafe(queue),
                  }
                  const open = byToken.get(token) ?? 0
                  byToken.set(token, open + 1)
                  // Two streams opened at the same instant may both have been admitted: the later one ends.
                  if (open >= maxPerToken) watcher.end()
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
                    const open = (byToken.get(token) ?? 1) - 1
                    if (open > 0) byToken.set(token, open)
                    else byToken.delete(token)
                  }),
              ),
            // Only the latest head matters to a reader that fell behind.
            { bufferSize: 8, strategy: "sliding" },
          )
        return LiveHub.of({
          watch,
          admits: (token) => Effect.sync(() => (byToken.get(token) ?? 0) < maxPerToken),
          maxPerToken,
          lookups: Effect.sync(() => lookups),
          streams: Effect.sync(() => all().length),
          poke: Effect.suspend(() => (watchers.size === 0 ? Effect.void : Queue.offer(pokes, undefined))).pipe(
            Effect.asVoid,
          ),
        })
      }),
    )
}
