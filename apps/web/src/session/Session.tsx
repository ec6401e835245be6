/**
 * Who is signed in: the token (sessionStorage), the API connection made with
 * it and the principal it belongs to. Any 401 signs out and says why.
 *
 * OIDC: a sign-in through the organisation's identity provider would end by
 * handing this provider a token (`signIn(token)`) — the only place to change.
 */
import type { Principal } from "@liandong/api"
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react"
import { type Connection, connect } from "../api/Client.ts"
import { type ApiFailure, isFailure, toFailure } from "../api/Failure.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { clearToken, storedToken, storeToken } from "./Token.ts"

/** The campaign clock as last read from the server: `now` then, at the browser's `at`. */
export interface CampaignClock {
  readonly now: number
  readonly at: number
  readonly simulated: boolean
}

/** The campaign's time now: a simulated clock stands still; a real one runs with the browser's. */
export const campaignNow = (clock: CampaignClock | null): number =>
  clock === null ? Date.now() : clock.simulated ? clock.now : Date.now() + (clock.now - clock.at)

interface SessionValue {
  readonly state: "checking" | "signed-out" | "signed-in"
  readonly principal: Principal | null
  /** the campaign clock (null until read, or when the server has none to tell) */
  readonly clock: CampaignClock | null
  readonly api: Connection
  /** Why the last session ended, when it did not end by signing out. */
  readonly ended: "expired" | null
  readonly signIn: (token: string) => Promise<ApiFailure | null>
  readonly signOut: () => void
}

const SessionContext = createContext<SessionValue | null>(null)

const offline: Connection = {
  run: () => Promise.reject(toFailure({ _tag: "HttpClientError", reason: { _tag: "NotSignedIn" } })),
  runUntil: () => Promise.resolve(),
}

/** Provides the session to the tree. */
export const SessionProvider = ({ children }: { readonly children: ReactNode }) => {
  const { lang } = useI18n()
  const langRef = useRef(lang)
  langRef.current = lang
  const [state, setState] = useState<SessionValue["state"]>(storedToken() ? "checking" : "signed-out")
  const [principal, setPrincipal] = useState<Principal | null>(null)
  const [api, setApi] = useState<Connection>(offline)
  const [ended, setEnded] = useState<"expired" | null>(null)
  const [clock, setClock] = useState<CampaignClock | null>(null)

  const end = useCallback((why: "expired" | null) => {
    clearToken()
    setPrincipal(null)
    setApi(offline)
    setEnded(why)
    setState("signed-out")
  }, [])

  const open = useCallback(
    async (token: string): Promise<ApiFailure | null> => {
      const raw = await connect(token, () => langRef.current)
      // Every call that answers 401 ends the session: the token expired or was revoked.
      const guarded: Connection = {
        run: (call) =>
          raw.run(call).catch((failure: unknown) => {
            if (isFailure(failure) && failure.status === 401) end("expired")
            throw failure
          }),
        runUntil: raw.runUntil,
      }
      try {
        const me = await raw.run((client) => client.directory.me())
        // Deadlines count down against the campaign's clock, which LIANDONG_NOW may fix.
        const at = Date.now()
        const serverClock = await raw.run((client) => client.directory.clock()).catch(() => null)
        setClock(
          serverClock === null
            ? null
            : { now: Date.parse(serverClock.now), at: (at + Date.now()) / 2, simulated: serverClock.simulated },
        )
        storeToken(token)
        setPrincipal(me)
        setApi(guarded)
        setEnded(null)
        setState("signed-in")
        return null
      } catch (failure) {
        clearToken()
        setState("signed-out")
        return toFailure(failure)
      }
    },
    [end],
  )

  useEffect(() => {
    const token = storedToken()
    if (token) void open(token)
  }, [open])

  const value = useMemo<SessionValue>(
    () => ({ state, principal, clock, api, ended, signIn: open, signOut: () => end(null) }),
    [state, principal, clock, api, ended, open, end],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

/** The session. */
export const useSession = (): SessionValue => {
  const value = useContext(SessionContext)
  if (value === null) throw new Error("useSession outside SessionProvider")
  return value
}
