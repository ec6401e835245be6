/** Signing in with a name and a password, and accepting an invitation: no credential needed. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import {
  CrossSiteRefused,
  commonProblems,
  InvitationInvalid,
  PayloadTooLarge,
  SignInRefused,
  TooManyRequests,
  UnsupportedMediaType,
} from "../Problems.ts"
import { Principal } from "../Security.ts"

/** What signing in is given; `code` is kept for a second factor. */
export const SignInBody = Schema.Struct({
  name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  password: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024)),
  code: Schema.optional(Schema.String.check(Schema.isMaxLength(16))),
})

/** The signed-in person and the CSRF token their writes carry in `x-csrf-token`. */
export const SessionAnswer = Schema.Struct({
  person: Principal,
  csrfToken: Schema.NullOr(Schema.String).annotate({
    description: "send as x-csrf-token on every write made with the cookie; null for a bearer token",
  }),
})
export type SessionAnswer = typeof SessionAnswer.Type

/** An invitation's token and the password the person chooses. */
export const AcceptInvitationBody = Schema.Struct({
  token: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(256)),
  password: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024)),
})

const accountProblems = [
  ...commonProblems,
  TooManyRequests,
  CrossSiteRefused,
  PayloadTooLarge,
  UnsupportedMediaType,
] as const

/** `POST /api/v1/session` (sign in) and `POST /api/v1/invitations/accept`. */
export class AccountGroup extends HttpApiGroup.make("account")
  .add(
    HttpApiEndpoint.post("signIn", "/session", {
      payload: SignInBody,
      success: SessionAnswer,
      error: [...accountProblems, SignInRefused],
    }),
  )
  .add(
    HttpApiEndpoint.post("acceptInvitation", "/invitations/accept", {
      payload: AcceptInvitationBody,
      success: Schema.Struct({ person: Schema.String }),
      error: [...accountProblems, InvitationInvalid],
    }),
  )
  .prefix("/api/v1")
  .annotateMerge(
    OpenApi.annotations({
      title: "account",
      description:
        "以登录名和密码登录(设置会话 Cookie),接受邀请 / sign in with a name and password, accept an invitation",
    }),
  ) {}
