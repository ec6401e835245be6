/**
 * The signed-in person's unread notice count, for the top bar: read on every page visited (a
 * redirect is the same visit, so landing after sign-in reads it once),
 * every half minute, and at once when a screen says notices were read (`noticesChanged`).
 */
import { useEffect, useState } from "react"
import { takeEarly } from "../../api/Early.ts"
import { reads } from "../../api/Reads.ts"
import { useRouter } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"

const changed = "liandong:notices-changed"

/** Tells the top bar that notices were read, so its count follows at once. */
export const noticesChanged = () => window.dispatchEvent(new Event(changed))

/** How many of the person's notices are unread; null before the first answer, or when signed out. */
export const useUnreadCount = (): number | null => {
  const { api, principal } = useSession()
  const { visit } = useRouter()
  const [unread, setUnread] = useState<number | null>(null)
  const [round, setRound] = useState(0)
  useEffect(() => {
    const bump = () => setRound((r) => r + 1)
    const timer = window.setInterval(bump, 30_000)
    window.addEventListener(changed, bump)
    return () => {
      window.clearInterval(timer)
      window.removeEventListener(changed, bump)
    }
  }, [])
  useEffect(() => {
    if (principal === null) {
      setUnread(null)
      return
    }
    let live = true
    // The page's first count was asked for with the session (Start.ts): a number is all it
    // needs, so it is read here without waiting for the API client.
    const early = takeEarly(reads.unread)
    ;(early === undefined
      ? api.run((client) => client.notices.list({ query: { unread: "true", limit: 1 } }))
      : early.then(async (answer) => {
          const body = answer.ok ? ((await answer.json()) as { unread?: unknown }) : null
          if (typeof body?.unread !== "number") throw new Error("unread count")
          return { unread: body.unread }
        })
    ).then(
      (answer) => {
        if (live) setUnread(answer.unread)
      },
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [api, principal, visit, round])
  return unread
}
