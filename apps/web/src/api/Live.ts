/**
 * Live updates of a campaign: the journal's length, from the server-sent
 * events of `/campaigns/:id/events`, read through the typed client (so the
 * session cookie and language go along). When the stream fails the hook
 * polls `/changes` every few seconds, so updates keep coming, and opens the
 * stream again after 1 s, 2 s, 4 s … up to 30 s; once a stream has held for a
 * while the next failure starts again from 1 s.
 */
import { Effect, Stream } from "effect"
import { useEffect, useState } from "react"
import { useSession } from "../session/Session.tsx"
import { toFailure } from "./Failure.ts"

/** Why the stream is not open: refused with a status, no answer, or ended by the server. */
export interface LiveFault {
  readonly kind: "refused" | "network" | "ended"
  readonly status: number | null
}

/** The live state of a campaign's journal. */
export interface Live {
  /** the journal length last seen; screens reload when it grows */
  readonly seq: number | null
  readonly mode: "stream" | "polling" | "connecting"
  readonly at: Date | null
  /** why it polls (null while connecting or on the stream) */
  readonly fault: LiveFault | null
}

const pollMs = 3000
const firstRetryMs = 1000
const lastRetryMs = 30_000
/** A stream that held this long was healthy: its failure starts the backoff again. */
const healthyMs = 20_000

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })

/** Reads what a failed stream failed with. */
const faultOf = (cause: unknown): LiveFault => {
  const failure = toFailure(cause)
  if (failure.status !== null) return { kind: "refused", status: failure.status }
  return { kind: failure.kind === "network" ? "network" : "ended", status: null }
}

/** Follows a campaign's journal while the component is mounted. */
export const useLive = (campaign: string | null): Live => {
  const { api } = useSession()
  const [live, setLive] = useState<Live>({ seq: null, mode: "connecting", at: null, fault: null })
  useEffect(() => {
    if (campaign === null) return
    const controller = new AbortController()
    const signal = controller.signal
    let onStream = false
    let fault: LiveFault | null = null
    const seen = (seq: number) =>
      setLive((old) => {
        const mode = onStream ? "stream" : fault === null ? old.mode : "polling"
        const now = onStream ? null : fault
        return old.seq === seq && old.mode === mode && old.fault === now
          ? old
          : { seq, mode, at: new Date(), fault: now }
      })
    // Polls only while the stream is down; a stream's first frame stops it.
    const poll = async () => {
      while (!signal.aborted) {
        await sleep(pollMs, signal)
        if (signal.aborted || onStream || fault === null) continue
        try {
          const change = await api.run((client) => client.live.changes({ params: { campaign }, query: {} }))
          if (!onStream) seen(change.seq)
        } catch {
          // keep polling: the server may be restarting
        }
      }
    }
    const follow = async () => {
      let delay = firstRetryMs
      while (!signal.aborted) {
        const opened = Date.now()
        try {
          await api.runUntil(
            (client) =>
              Effect.flatMap(client.live.events({ params: { campaign } }), (stream) =>
                Stream.runForEach(stream, (change) =>
                  Effect.sync(() => {
                    onStream = true
                    fault = null
                    seen(change.seq)
                  }),
                ),
              ),
            signal,
          )
          if (signal.aborted) return
          fault = { kind: "ended", status: null }
        } catch (cause) {
          fault = faultOf(cause)
        }
        onStream = false
        setLive((old) => ({ ...old, mode: "polling", fault }))
        if (Date.now() - opened >= healthyMs) delay = firstRetryMs
        await sleep(delay, signal)
        delay = Math.min(delay * 2, lastRetryMs)
      }
    }
    void poll()
    void follow()
    return () => controller.abort()
  }, [api, campaign])
  return live
}
