/** The signed-in person's session and password, and the people a coordinator manages. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Role } from "../Common.ts"
import { readProblems, SignInRefused, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"
import { SessionAnswer } from "./Account.ts"

/** One open session of a person: when and from where, never its secret. */
export const SessionInfo = Schema.Struct({
  id: Schema.String.annotate({ description: "a digest of the session, not its secret" }),
  current: Schema.Boolean,
  createdAt: Schema.String,
  lastSeenAt: Schema.String,
  expiresAt: Schema.String,
  userAgent: Schema.NullOr(Schema.String),
  address: Schema.NullOr(Schema.String),
})

/** A person someone manages. */
export const Person = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: Role,
  unit: Schema.NullOr(Schema.String),
  mobile: Schema.NullOr(Schema.String),
  email: Schema.NullOr(Schema.String),
  disabled: Schema.Boolean,
  passwordSet: Schema.Boolean,
  lockedUntil: Schema.NullOr(Schema.String),
})
export type Person = typeof Person.Type

/** An invitation link's token, shown once. */
export const Invitation = Schema.Struct({
  person: Schema.String,
  token: Schema.String.annotate({ description: "shown once; the link is /invite#<token>" }),
  expiresAt: Schema.String,
})

/** Whom to invite. */
export const InviteBody = Schema.Struct({
  id: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  role: Role,
  unit: Schema.optional(Schema.String.check(Schema.isMaxLength(64))),
  mobile: Schema.optional(Schema.String.check(Schema.isMaxLength(32))),
  email: Schema.optional(Schema.String.check(Schema.isMaxLength(254))),
})

/** The current password and the new one. */
export const ChangePasswordBody = Schema.Struct({
  current: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024)),
  next: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024)),
})

/** Session, sessions, password, people. */
export class PeopleGroup extends HttpApiGroup.make("people")
  .add(HttpApiEndpoint.get("session", "/session", { success: SessionAnswer, error: readProblems }))
  .add(
    HttpApiEndpoint.delete("signOut", "/session", {
      success: Schema.Struct({ signedOut: Schema.Boolean }),
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("signOutEverywhere", "/sessions/sign-out-everywhere", {
      success: Schema.Struct({ ended: Schema.Number }),
      error: writeProblems,
    }),
  )
  .add(HttpApiEndpoint.get("sessions", "/sessions", { success: Schema.Array(SessionInfo), error: readProblems }))
  .add(
    HttpApiEndpoint.post("changePassword", "/password", {
      payload: ChangePasswordBody,
      success: Schema.Struct({ person: Schema.String }),
      error: [...writeProblems, SignInRefused],
    }),
  )
  .add(HttpApiEndpoint.get("people", "/people", { success: Schema.Array(Person), error: readProblems }))
  .add(HttpApiEndpoint.post("invite", "/people", { payload: InviteBody, success: Invitation, error: writeProblems }))
  .add(
    HttpApiEndpoint.post("resetPassword", "/people/:id/reset", {
      params: { id: Schema.String.check(Schema.isMaxLength(64)) },
      success: Invitation,
      error: writeProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(
    OpenApi.annotations({
      title: "people",
      description:
        "当前会话、登出、修改密码;协调人员邀请和重置人员 / the session, signing out, the password; coordinators invite and reset people",
    }),
  ) {}
