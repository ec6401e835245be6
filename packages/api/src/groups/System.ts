/** Health and readiness: no token needed, outside `/api/v1`. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { InternalError, Unavailable } from "../Problems.ts"

/** The answer of /healthz and /readyz. */
export const Health = Schema.Struct({
  status: Schema.Literals(["ok", "ready"]),
  database: Schema.optional(Schema.Literals(["pglite", "postgres"])),
})

/** `GET /healthz` (the process answers) and `GET /readyz` (and its database answers; 503 otherwise). */
export class SystemGroup extends HttpApiGroup.make("system")
  .add(HttpApiEndpoint.get("health", "/healthz", { success: Health }))
  .add(HttpApiEndpoint.get("ready", "/readyz", { success: Health, error: [Unavailable, InternalError] }))
  .annotateMerge(OpenApi.annotations({ title: "system", description: "健康检查 / health and readiness" })) {}
