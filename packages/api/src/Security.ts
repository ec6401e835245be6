/**
 * Authentication: every `/api/v1` route but none of the system routes (nor signing in or
 * accepting an invitation) needs `Authorization: Bearer ld_<id>_<secret>` or the session
 * cookie. The server turns the token into
 * the principal it belongs to; authority comes only from there.
 */
import { Context, Schema } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { Role } from "./Common.ts"
import { CrossSiteRefused, TooManyRequests, Unauthenticated } from "./Problems.ts"

/** Who a request acts as: the principal of its token. */
export const Principal = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: Role,
  unit: Schema.NullOr(Schema.String),
  unitName: Schema.NullOr(Schema.String),
})
export type Principal = typeof Principal.Type

/** The principal of the current request, provided by the authentication middleware. */
export class CurrentPrincipal extends Context.Service<CurrentPrincipal, Principal>()(
  "@liandong/api/CurrentPrincipal",
) {}

/**
 * Bearer-token or session-cookie authentication (and the per-principal rate limit). A
 * cookie-authenticated write must carry the session's CSRF token in `x-csrf-token`.
 */
export class Authentication extends HttpApiMiddleware.Service<
  Authentication,
  { provides: CurrentPrincipal; requires: never }
>()("@liandong/api/Authentication", {
  requiredForClient: true,
  security: { bearer: HttpApiSecurity.bearer },
  error: [Unauthenticated, TooManyRequests, CrossSiteRefused],
}) {}
