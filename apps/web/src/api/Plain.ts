/**
 * The few calls made before the first screen, through plain `fetch`: who is signed in,
 * signing in, the campaign clock, accepting an invitation. The generated client (Effect
 * and the whole contract, Client.ts) costs a phone more CPU than everything else the first
 * screen needs, so these check their answers by hand instead of with the contract's Schemas.
 * A failure is an `ApiFailure`, as the client's are.
 */
import type { Principal, SessionAnswer } from "@liandong/api"
import { takeEarly } from "./Early.ts"
import type { ApiFailure } from "./Failure.ts"

const text = (value: unknown): string => (typeof value === "string" ? value : "")
const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
const textOrNull = (value: unknown): value is string | null => value === null || typeof value === "string"

const decodeFailure = (detail: string): ApiFailure => ({
  kind: "decode",
  status: null,
  tag: null,
  title: "",
  detail,
  fields: [],
})

/** The answer's problem (RFC 9457) as an ApiFailure. */
const problemOf = (response: Response, body: unknown): ApiFailure => {
  const problem = record(body)
  const errors = Array.isArray(problem?.errors) ? (problem.errors as ReadonlyArray<unknown>) : []
  return {
    kind: "problem",
    status: response.status,
    tag: text(problem?.type) || null,
    title: text(problem?.title),
    detail: text(problem?.detail) || text(problem?.title) || response.statusText,
    fields: errors.map((e) => ({ path: text(record(e)?.path), detail: text(record(e)?.detail) })),
    ...(typeof problem?.reason === "string" ? { reason: problem.reason } : {}),
  }
}

/** One JSON call in the reader's language; rejects with an ApiFailure. */
const call = async (method: "GET" | "POST", path: string, language: string, payload?: unknown): Promise<unknown> => {
  let response: Response
  try {
    response = await ((method === "GET" ? takeEarly(path) : undefined) ??
      fetch(path, {
        method,
        credentials: "same-origin",
        headers: {
          accept: "application/json",
          "accept-language": language === "en" ? "en" : "zh-CN",
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      }))
  } catch (cause) {
    throw {
      kind: "network",
      status: null,
      tag: "HttpClientError",
      title: "",
      detail: String((cause as Error)?.message ?? cause),
      fields: [],
    } satisfies ApiFailure
  }
  const body: unknown = await response.json().catch(() => null)
  if (!response.ok) throw problemOf(response, body)
  return body
}

const roles: ReadonlyArray<string> = ["coordinator", "unit", "auditor"]

/** The person of a session answer, checked field by field (the contract's `Principal`). */
const principalOf = (value: unknown): Principal | null => {
  const p = record(value)
  if (p === null) return null
  const { id, name, role, unit, unitName } = p
  if (typeof id !== "string" || typeof name !== "string" || typeof role !== "string" || !roles.includes(role))
    return null
  if (!textOrNull(unit) || !textOrNull(unitName)) return null
  return { id, name, role: role as Principal["role"], unit, unitName }
}

const sessionOf = (body: unknown): SessionAnswer => {
  const answer = record(body)
  const person = principalOf(answer?.person)
  const csrfToken = answer?.csrfToken
  if (person === null || !textOrNull(csrfToken)) throw decodeFailure("session answer")
  return { person, csrfToken }
}

/** `GET /api/v1/session`: who the session cookie belongs to. */
export const readSession = async (language: string): Promise<SessionAnswer> =>
  sessionOf(await call("GET", "/api/v1/session", language))

/** `POST /api/v1/session`: signs in (sets the session cookie). */
export const signIn = async (
  payload: { readonly name: string; readonly password: string; readonly code?: string },
  language: string,
): Promise<SessionAnswer> => sessionOf(await call("POST", "/api/v1/session", language, payload))

/** `GET /api/v1/clock`: the campaign clock. */
export const readClock = async (language: string): Promise<{ now: string; simulated: boolean }> => {
  const answer = record(await call("GET", "/api/v1/clock", language))
  if (typeof answer?.now !== "string" || typeof answer.simulated !== "boolean") throw decodeFailure("clock answer")
  return { now: answer.now, simulated: answer.simulated }
}

/** `POST /api/v1/invitations/accept`: sets the password an invitation's token allows. */
export const acceptInvitation = async (
  payload: { readonly token: string; readonly password: string },
  language: string,
): Promise<void> => {
  await call("POST", "/api/v1/invitations/accept", language, payload)
}
