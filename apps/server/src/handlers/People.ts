/** The signed-in person's session, sessions and password; the people a coordinator manages. */

import { createHash } from "node:crypto"
import * as Api from "@liandong/api"
import { CurrentPrincipal } from "@liandong/api"
import { changePassword, invitePerson, resetPassword, signOutEverywhere } from "@liandong/engine/commands"
import { listPeople, listSessions } from "@liandong/engine/reads"
import { type Clock, type Db, signOut } from "@liandong/engine/runtime"
import { Effect } from "effect"
import { HttpServerRequest } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import type { SessionSettings } from "../Config.ts"
import { clearSessionCookie, cookieSecretOf, cookieSecurityOf, defaultSessionSettings } from "../CookieSession.ts"
import { answer, answerChange, currentActor, type WriteProblem } from "../Handle.ts"
import { requestContext } from "../Language.ts"
import { toProblem } from "../Problems.ts"
import { csrfTokenFor } from "../SessionCookie.ts"

const iso = (value: unknown): string =>
  (value instanceof Date ? value : new Date(typeof value === "number" ? value : String(value))).toISOString()

const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value))

// The engine keys a session by the SHA-256 of its secret; this marks the caller's own.
const sessionIdOf = (secret: string) => createHash("sha256").update(secret).digest("hex")

const invitationOf = (invitation: { person: string; token: string; expiresAt: Date }) => ({
  person: invitation.person,
  token: invitation.token,
  expiresAt: invitation.expiresAt.toISOString(),
})

/** The people group's handlers. */
export const peopleHandlers = (settings: SessionSettings = defaultSessionSettings) =>
  HttpApiBuilder.group(Api.Api, "people", (handlers) =>
    handlers
      .handle("session", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const person = yield* Effect.service(CurrentPrincipal)
          const secret = cookieSecretOf(request)
          return { person, csrfToken: secret === undefined ? null : csrfTokenFor(secret) }
        }),
      )
      .handle("signOut", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const secret = cookieSecretOf(request)
          if (secret === undefined) return { signedOut: false }
          const result = yield* answerChange(signOut(secret))
          yield* clearSessionCookie(cookieSecurityOf(request, settings))
          return result
        }),
      )
      .handle("signOutEverywhere", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const actor = yield* currentActor
          const result = yield* answerChange(signOutEverywhere(actor.id, actor))
          if (cookieSecretOf(request) !== undefined) yield* clearSessionCookie(cookieSecurityOf(request, settings))
          return { ended: Number(result.ended) }
        }),
      )
      .handle("sessions", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const actor = yield* currentActor
          const secret = cookieSecretOf(request)
          const own = secret === undefined ? undefined : sessionIdOf(secret)
          const rows = yield* answer(listSessions(actor.id, actor))
          return rows.map((row) => ({
            id: row.id,
            current: row.id === own,
            createdAt: iso(row.created_at),
            lastSeenAt: iso(row.last_seen_at),
            expiresAt: iso(Math.min(Date.parse(iso(row.idle_expires_at)), Date.parse(iso(row.absolute_expires_at)))),
            userAgent: row.user_agent,
            address: row.address,
          }))
        }),
      )
      .handle(
        "changePassword",
        ({ payload }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const ctx = yield* requestContext
            const actor = yield* currentActor
            return yield* Effect.catch(
              changePassword(payload.current, payload.next, actor, cookieSecretOf(request)),
              (error): Effect.Effect<never, WriteProblem | Api.SignInRefused> =>
                error._tag === "SignInRefused"
                  ? Effect.fail(new Api.SignInRefused({ instance: ctx.instance, detail: error[ctx.lang] }))
                  : (Effect.flatMap(toProblem(error, ctx), Effect.fail) as Effect.Effect<never, WriteProblem>),
            )
          }) as Effect.Effect<
            { person: string },
            WriteProblem | Api.SignInRefused,
            Db | Clock | HttpServerRequest.HttpServerRequest | Api.CurrentPrincipal
          >,
      )
      .handle("people", () =>
        Effect.gen(function* () {
          const actor = yield* currentActor
          const rows = yield* answer(listPeople(actor))
          return rows.map((row) => ({
            id: row.id,
            name: row.name,
            role: row.role as Api.Person["role"],
            unit: row.unit_key,
            mobile: row.mobile,
            email: row.email,
            disabled: row.disabled_at !== null,
            passwordSet: row.password_set_at !== null,
            lockedUntil: isoOrNull(row.locked_until),
          }))
        }),
      )
      .handle("invite", ({ payload }) =>
        Effect.flatMap(currentActor, (actor) => Effect.map(answerChange(invitePerson(payload, actor)), invitationOf)),
      )
      .handle("resetPassword", ({ params }) =>
        Effect.flatMap(currentActor, (actor) =>
          Effect.map(answerChange(resetPassword(params.id, actor), "path"), invitationOf),
        ),
      ),
  )
