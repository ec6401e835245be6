/**
 * Who is signed in: the session cookie (shared by every tab, unreadable to script),
 * the CSRF token its writes carry (in memory only, from sign-in or `GET /session`),
 * the API connection and the person. Any 401 ends the session here and says why.
 */
import type { Principal } from "@liandong/api"
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react"
import type { Connection } from "../api/Client.ts"
import { type ApiFailure, toFailure } from "../api/Failure.ts"
import { readClock, readSession, signIn as signInPlain } from "../api/Plain.ts"
import { useI18n } from "../i18n/I18n.tsx"

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
  readonly signIn: (name: string, password: string, code?: string) => Promise<ApiFailure | null>
  readonly signOut: () => void
  readonly signOutEverywhere: () => void
}

const SessionContext = createContext<SessionValue | null>(null)

let clientModule: Promise<typeof import("../api/Client.ts")> | null = null

/**
 * Fetches and evaluates the generated client (Effect and the whole contract), once. It is
 * most of the scripts' CPU time on a phone, so the first screen does not wait for it: the
 * session check and sign-in go through plain `fetch` (Plain.ts) while it loads.
 */
export const loadClient = () => {
  // A failed download is tried again at the next call.
  clientModule ??= import("../api/Client.ts").catch((cause: unknown) => {
    clientModule = null
    throw cause
  })
  return clientModule
}

const offline: Connection = {
  run: () => Promise.reject(toFailure({ _tag: "HttpClientError", reason: { _tag: "NotSignedIn" } })),
  follow: () => Promise.resolve(),
  upload: () => Promise.reject(toFailure({ _tag: "HttpClientError", reason: { _tag: "NotSignedIn" } })),
}

/** Provides the session to the tree. */
export const SessionProvider = ({ children }: { readonly children: ReactNode }) => {
  const { lang } = useI18n()
  const langRef = useRef(lang)
  langRef.current = lang
  const csrf = useRef<string | null>(null)
  const [state, setState] = useState<SessionValue["state"]>("checking")
  const [principal, setPrincipal] = useState<Principal | null>(null)
  const [api, setApi] = useState<Connection>(offline)
  const [ended, setEnded] = useState<"expired" | null>(null)
  const [clock, setClock] = useState<CampaignClock | null>(null)
  const raw = useRef<Promise<Connection> | null>(null)
  const connection = useCallback(() => {
    raw.current ??= loadClient().then(({ connect }) =>
      connect(
        () => csrf.current,
        () => langRef.current,
      ),
    )
    return raw.current
  }, [])

  const end = useCallback((why: "expired" | null) => {
    csrf.current = null
    setPrincipal(null)
    setApi(offline)
    setEnded(why)
    setState("signed-out")
  }, [])

  const enter = useCallback(
    async (person: Principal, token: string | null) => {
      csrf.current = token
      // Deadlines count down against the campaign's clock, which LIANDONG_NOW may fix (usually
      // asked for with the session, api/Early.ts).
      const at = Date.now()
      const read = readClock(langRef.current).then(
        (answer): CampaignClock => ({
          now: Date.parse(answer.now),
          at: (at + Date.now()) / 2,
          simulated: answer.simulated,
        }),
        () => null,
      )
      const serverClock = await read
      // The client is evaluated by the first call, not before the screen: a screen renders with
      // the answers the page asked for early while it loads (api/Early.ts). Every call that
      // answers 401 ends the session: it expired, or was signed out elsewhere.
      const expired = (failure: unknown): never => {
        const known = toFailure(failure)
        if (known.status === 401) end("expired")
        throw known
      }
      const guarded: Connection = {
        run: (call) =>
          connection()
            .then((base) => base.run(call))
            .catch(expired),
        follow: (campaign, seen, signal) =>
          connection()
            .then((base) => base.follow(campaign, seen, signal))
            .catch(expired),
        upload: (task, file) =>
          connection()
            .then((base) => base.upload(task, file))
            .catch(expired),
      }
      setClock(serverClock)
      setPrincipal(person)
      setApi(guarded)
      setEnded(null)
      setState("signed-in")
    },
    [connection, end],
  )

  const signIn = useCallback(
    async (name: string, password: string, code?: string): Promise<ApiFailure | null> => {
      try {
        const payload = code === undefined || code === "" ? { name, password } : { name, password, code }
        const session = await signInPlain(payload, langRef.current)
        await enter(session.person, session.csrfToken)
        return null
      } catch (failure) {
        return toFailure(failure)
      }
    },
    [connection, enter],
  )

  // A second tab, or a reload: the cookie is already there; ask who it belongs to.
  useEffect(() => {
    void readSession(langRef.current).then(
      (session) => enter(session.person, session.csrfToken),
      () => end(null),
    )
  }, [enter, end])

  // Signed out: the client is loaded once the sign-in form is shown, while the person types.
  useEffect(() => {
    if (state !== "signed-out") return
    const idle = window.requestIdleCallback ?? ((run: () => void) => window.setTimeout(run, 200))
    idle(() => void loadClient(), { timeout: 2000 })
  }, [state])

  const signOut = useCallback(() => {
    void api.run((client) => client.people.signOut()).finally(() => end(null))
  }, [api, end])

  const signOutEverywhere = useCallback(() => {
    void api.run((client) => client.people.signOutEverywhere()).finally(() => end(null))
  }, [api, end])

  const value = useMemo<SessionValue>(
    () => ({ state, principal, clock, api, ended, signIn, signOut, signOutEverywhere }),
    [state, principal, clock, api, ended, signIn, signOut, signOutEverywhere],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

/** The session. */
export const useSession = (): SessionValue => {
  const value = useContext(SessionContext)
  if (value === null) throw new Error("useSession outside SessionProvider")
  return value
}
