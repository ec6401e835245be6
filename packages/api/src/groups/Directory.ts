/** Who am I, and the units I may see (the hierarchy). */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Key, Page, PageQuery, UnitLevel } from "../Common.ts"
import { readProblems } from "../Problems.ts"
import { Authentication, Principal } from "../Security.ts"

/** A unit of a campaign, with its parent in that campaign's hierarchy (an office key recurs across campaigns). */
export const Unit = Schema.Struct({
  campaign: Schema.String,
  key: Schema.String,
  name: Schema.String,
  nameEn: Schema.NullOr(Schema.String),
  parent: Schema.NullOr(Schema.String),
  level: Schema.NullOr(UnitLevel),
})
export type Unit = typeof Unit.Type

/** The campaign clock: what the engine takes as now (fixed by LIANDONG_NOW on a simulated calendar). */
export const CampaignClock = Schema.Struct({
  now: Schema.String.annotate({ description: "the campaign clock's current time, ISO 8601" }),
  simulated: Schema.Boolean,
})

/** `GET /api/v1/me`, `GET /api/v1/clock` and `GET /api/v1/units`. */
export class DirectoryGroup extends HttpApiGroup.make("directory")
  .add(HttpApiEndpoint.get("me", "/me", { success: Principal, error: readProblems }))
  .add(HttpApiEndpoint.get("clock", "/clock", { success: CampaignClock, error: readProblems }))
  .add(
    HttpApiEndpoint.get("units", "/units", {
      query: {
        ...PageQuery,
        campaign: Schema.optional(Key),
        parent: Schema.optional(Key),
      },
      success: Page(Unit),
      error: readProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(
    OpenApi.annotations({
      title: "directory",
      description: "当前用户与可见单位(按活动)/ the current principal and the units it may see, by campaign",
    }),
  ) {}
