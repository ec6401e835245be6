/**
 * Signing in through an organisation's identity provider (OpenID Connect): the provider has
 * authenticated someone, and one of its claims names the person here — their principal id
 * or their e-mail address. The mapping is looked up at every sign-in, not remembered, so
 * the directory stays the one source of who is who: a person whose e-mail changes here maps
 * by the new one. Unknown, ambiguous and disabled people get the password sign-in's answer.
 */
import { Effect, Schema } from "effect"
import { wallNow } from "../Clock.ts"
import { query } from "../Db.ts"
import { decode } from "../Refs.ts"
import { insertPeopleLog, selectPeopleByEmail, selectPersonById } from "../sql/People.ts"
import { openSession, type SignInContext, SignInRefused } from "./People.ts"

/** Which of this deployment's fields a provider's claim is matched against. */
export const IdentityMatch = Schema.Literals(["principal", "email"])
/** Which field a provider's claim is matched against. */
export type IdentityMatch = typeof IdentityMatch.Type

/** An identity a provider vouches for: who issued it, its subject, and the claim that names the person. */
export const ExternalIdentity = Schema.Struct({
  issuer: Schema.String.check(Schema.isMaxLength(512)),
  subject: Schema.String.check(Schema.isMaxLength(512)),
  match: IdentityMatch,
  value: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320)),
})

/**
 * Opens a session for the person an identity provider's claim names: the same session secret
 * `signIn` returns. Refused alike (`SignInRefused`) when nobody, more than one person, or a
 * disabled person matches; every attempt goes to the people log with the issuer and subject.
 * A password lock-out does not apply: it guards against guessing passwords, and none was given.
 */
export const signInWithIdentity = (input: unknown, context: SignInContext = {}) =>
  Effect.gen(function* () {
    const identity = yield* decode(ExternalIdentity, input)
    const found = yield* query("signin.identity", (db) =>
      // Principal ids are lower case; providers often keep the case a user typed.
      identity.match === "email"
        ? selectPeopleByEmail(db, identity.value)
        : selectPersonById(db, identity.value.toLowerCase()),
    )
    const person = found.length === 1 ? found[0] : undefined
    const reason =
      found.length === 0
        ? "unknown"
        : person === undefined
          ? "ambiguous"
          : person.disabled_at !== null
            ? "disabled"
            : undefined
    const now = yield* wallNow
    const detail = { method: "oidc", issuer: identity.issuer, subject: identity.subject, match: identity.match }
    if (reason !== undefined || person === undefined) {
      const subject = person?.id ?? identity.value.slice(0, 64)
      yield* query("people.log", (db) =>
        insertPeopleLog(db, {
          at: now,
          actor: subject,
          action: "sign-in.refused",
          subject,
          detail: { ...detail, reason: reason ?? "unknown" },
        }),
      )
      return yield* new SignInRefused()
    }
    const session = yield* openSession(person.id, context, now)
    yield* query("people.log", (db) =>
      insertPeopleLog(db, {
        at: now,
        actor: person.id,
        action: "signed-in",
        subject: person.id,
        detail: { ...detail, address: context.address ?? null },
      }),
    )
    return session
  })
