/**
 * Live updates of a campaign: the journal's length, from the server-sent
 * events of `/campaigns/:id/events`, read through the typed client (so the
 * bearer token goes along). When the stream fails the hook polls
 * `/changes` every few seconds and tries the stream again later.
 */
import { Effect, Stream } from "effect"
import { useEffect, useState } from "react"
import { useSession } from "../session/Session.tsx"

/** The live state of a campaign's journal. */
export interface Live {
  /** the journal length last seen; screens reload when it grows */
  readonly seq: number | null
  readonly mode: "stream" | "polling" | "connecting"
  readonly at: Date | null
}

const pollMs = 3000

/** Follows a campaign's journal while the component is mounted. */
export const useLive = (campaign: string | null): Live => {
  const { api } = useSession()
  const [live, setLive] = useState<Live>({ seq: null, mode: "connecting", at: null })
  useEffect(() => {
    if (campaign === null) return
    const controller = new AbortController()
    let stopped = false
    const seen = (seq: number, mode: Live["mode"]) =>
      setLive((old) => (old.seq === seq && old.mode === mode ? old : { seq, mode, at: new Date() }))
    const poll = async () => {
      const until = Date.now() + 30_000
      while (!stopped && Date.now() < until) {
        try {
          const change = await api.run((client) => client.live.changes({ params: { campaign }, query: {} }))
          seen(change.seq, "polling")
        } catch {
          // keep polling: the server may be restarting
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs))
      }
    }
    const follow = async () => {
      while (!stopped) {
        try {
          await api.runUntil(
            (client) =>
              Effect.flatMap(client.live.events({ params: { campaign } }), (stream) =>
                Stream.runForEach(stream, (change) => Effect.sync(() => seen(change.seq, "stream"))),
              ),
            controller.signal,
          )
        } catch {
          // the stream failed: poll for a while, then try it again
        }
        if (!stopped) await poll()
      }
    }
    void follow()
    return () => {
      stopped = true
      controller.abort()
    }
  }, [api, campaign])
  return live
}
