/**
 * Live updates of a campaign: the journal's length, from the server-sent
 * events of `/campaigns/:id/events`, read through the typed client (so the
 * session cookie and language go along). When the stream fails the follower
 * polls `/changes` every few seconds, so updates keep coming, and opens the
 * stream again after 1 s, 2 s, 4 s … up to 30 s; once a stream has held for a
 * while the next failure starts again from 1 s.
 *
 * One follower per campaign and tab, shared by every component that asks, and
 * kept a moment after the last lets go (moving between a campaign's screens
 * keeps its stream). A browser holds six HTTP/1.1 connections per server for all
 * its tabs, and a stream keeps one: a tab holds at most `maxStreams`, and further
 * campaigns poll until one is free.
 */
import { useEffect, useState } from "react"
import { useSession } from "../session/Session.tsx"
import type { Connection } from "./Client.ts"
import { toFailure } from "./Failure.ts"

/** Why the stream is not open: refused with a status, no answer, ended by the server, or no free slot here. */
export interface LiveFault {
  readonly kind: "refused" | "network" | "ended" | "busy"
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
/** How long a follower nobody reads stays open, for the next screen of the same campaign. */
const lingerMs = 2000
/** The longest a new follower waits for an idle moment before it opens its stream. */
const firstIdleMs = 2000
/** Streams one tab may hold at once. */
export const maxStreams = 2

const connecting: Live = { seq: null, mode: "connecting", at: null, fault: null }

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

/** Resolves once the page has a moment to spare (at most `firstIdleMs` from now), or on abort. */
const idle = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (typeof window.requestIdleCallback !== "function") return void setTimeout(resolve, 0)
    const handle = window.requestIdleCallback(() => resolve(), { timeout: firstIdleMs })
    signal.addEventListener(
      "abort",
      () => {
        window.cancelIdleCallback(handle)
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

/** The tab's stream slots: taken in turn, given back when a stream ends. */
let streamsOpen = 0
const waiting: Array<() => void> = []
const takeSlot = (signal: AbortSignal): Promise<boolean> => {
  if (streamsOpen < maxStreams) {
    streamsOpen++
    return Promise.resolve(true)
  }
  return new Promise((resolve) => {
    const turn = () => {
      signal.removeEventListener("abort", leave)
      streamsOpen++
      resolve(true)
    }
    const leave = () => {
      waiting.splice(waiting.indexOf(turn), 1)
      resolve(false)
    }
    waiting.push(turn)
    signal.addEventListener("abort", leave, { once: true })
  })
}
const giveSlot = () => {
  streamsOpen--
  waiting.shift()?.()
}

interface Follower {
  live: Live
  readonly listeners: Set<(live: Live) => void>
  readonly stop: () => void
  linger: ReturnType<typeof setTimeout> | null
}

const followers = new WeakMap<Connection, Map<string, Follower>>()

/** Starts following a campaign: the stream when it can, polling while it cannot. */
const follow = (api: Connection, campaign: string): Follower => {
  const controller = new AbortController()
  const signal = controller.signal
  const follower: Follower = { live: connecting, listeners: new Set(), stop: () => controller.abort(), linger: null }
  const publish = (next: Live) => {
    const old = follower.live
    if (old.seq === next.seq && old.mode === next.mode && old.fault === next.fault) return
    follower.live = next
    for (const listener of follower.listeners) listener(next)
  }
  let onStream = false
  let fault: LiveFault | null = null
  const seen = (seq: number) =>
    publish({ seq, mode: onStream ? "stream" : "polling", at: new Date(), fault: onStream ? null : fault })
  // Polls only while the stream is down; a stream's first frame stops it.
  const poll = async () => {
    while (!signal.aborted) {
      await sleep(pollMs, signal)
      if (signal.aborted || onStream || fault === null) continue
      try {
        const change = await api.run((client) => client.live.changes({ params: { campaign }, query: {} }))
        if (!onStream && !signal.aborted) seen(change.seq)
      } catch {
        // keep polling: the server may be restarting
      }
    }
  }
  const stream = async () => {
    let delay = firstRetryMs
    // Not before the screen has shown its first answers: opening the stream loads the API client.
    await idle(signal)
    while (!signal.aborted) {
      if (streamsOpen >= maxStreams) {
        fault = { kind: "busy", status: null }
        publish({ ...follower.live, mode: "polling", fault })
      }
      if (!(await takeSlot(signal))) return
      const opened = Date.now()
      try {
        await api.follow(
          campaign,
          (seq) => {
            onStream = true
            fault = null
            seen(seq)
          },
          signal,
        )
        fault = { kind: "ended", status: null }
      } catch (cause) {
        fault = faultOf(cause)
      } finally {
        giveSlot()
      }
      if (signal.aborted) return
      onStream = false
      publish({ ...follower.live, mode: "polling", fault })
      if (Date.now() - opened >= healthyMs) delay = firstRetryMs
      await sleep(delay, signal)
      delay = Math.min(delay * 2, lastRetryMs)
    }
  }
  void poll()
  void stream()
  return follower
}

/** Follows a campaign's journal while the component is mounted. */
export const useLive = (campaign: string | null): Live => {
  const { api } = useSession()
  const [live, setLive] = useState<Live>(connecting)
  useEffect(() => {
    if (campaign === null) return
    const ofApi = followers.get(api) ?? new Map<string, Follower>()
    followers.set(api, ofApi)
    let follower = ofApi.get(campaign)
    if (follower === undefined) {
      follower = follow(api, campaign)
      ofApi.set(campaign, follower)
    }
    if (follower.linger !== null) clearTimeout(follower.linger)
    follower.linger = null
    const mine = follower
    mine.listeners.add(setLive)
    setLive(mine.live)
    return () => {
      mine.listeners.delete(setLive)
      if (mine.listeners.size > 0) return
      mine.linger = setTimeout(() => {
        if (mine.listeners.size > 0) return
        mine.stop()
        ofApi.delete(campaign)
      }, lingerMs)
    }
  }, [api, campaign])
  return live
}
