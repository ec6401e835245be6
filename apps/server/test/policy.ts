/**
 * The declared authorization policy the matrix checks the server against:
 * what each kind of route answers to each principal for each target, written
 * from the rules (a coordinator manages its campaigns; a unit acts on its own
 * tasks and reads its subordinates'; an auditor reads everything and changes
 * nothing; what a caller may not read does not exist for it).
 */
import { mainCampaign, otherCampaign } from "./fixture.ts"

/** How a route treats its caller. */
export type RouteKind =
  | "public"
  | "self"
  | "list"
  | "deploy"
  | "campaign-read"
  | "campaign-audit"
  | "campaign-manage"
  | "unit-read"
  | "unit-act"
  | "review"
  | "bulk-review"
  | "nudge"
  | "people"

/** Every operation of the API and its kind; an operation missing here fails the matrix. */
export const policy: Record<string, RouteKind> = {
  "system.health": "public",
  "system.ready": "public",
  "directory.me": "self",
  "directory.clock": "self",
  "directory.units": "list",
  "campaigns.list": "list",
  "campaigns.deploy": "deploy",
  "campaigns.get": "campaign-read",
  "campaigns.start": "campaign-manage",
  "campaigns.closePhase": "campaign-manage",
  "campaigns.change": "campaign-manage",
  "campaigns.status": "campaign-read",
  "campaigns.totals": "campaign-read",
  "campaigns.workbook": "campaign-read",
  "campaigns.campaignMachine": "campaign-read",
  "campaigns.unitMachine": "unit-read",
  "tasks.list": "list",
  "tasks.get": "unit-read",
  "tasks.acknowledge": "unit-act",
  "tasks.submitReport": "unit-act",
  "tasks.uploadAttachment": "unit-act",
  "reports.list": "list",
  "reports.get": "unit-read",
  "reports.attachment": "unit-read",
  "reports.approve": "review",
  "reports.return": "review",
  // Its reports are named in the body: one of each unit, another campaign's, and a missing one.
  "reports.approveMany": "bulk-review",
  "audit.journal": "campaign-read",
  "audit.accountability": "campaign-read",
  "audit.verification": "campaign-audit",
  "audit.checkpoints": "campaign-audit",
  "audit.checkpoint": "campaign-manage",
  "audit.export": "campaign-audit",
  "summary.summary": "campaign-audit",
  "live.events": "campaign-read",
  "live.changes": "campaign-read",
  "notices.list": "self",
  "notices.read": "self",
  "notices.preferences": "self",
  "notices.setPreferences": "self",
  "notices.nudge": "nudge",
  "notices.deliveries": "campaign-audit",
  "webhooks.list": "campaign-audit",
  "webhooks.add": "campaign-manage",
  // Removing an endpoint not in use answers removed: false (the matrix names endpoint 999999).
  "webhooks.remove": "campaign-manage",
  // Signing in, sessions and people: a person, not a campaign, is their target (sessions.test.ts).
  "account.signIn": "people",
  "account.acceptInvitation": "people",
  "people.session": "people",
  "people.signOut": "people",
  "people.signOutEverywhere": "people",
  "people.sessions": "people",
  "people.changePassword": "people",
  "people.people": "people",
  "people.invite": "people",
  "people.resetPassword": "people",
}

/** The callers of the matrix: principals by their token, and three who are nobody. */
export const callers = ["lead", "unit-a", "unit-b", "county", "auditor", "anonymous", "expired", "revoked"] as const
export type Caller = (typeof callers)[number]

/** What a request is about: a campaign and, for unit-level routes, a unit (null: none, or missing). */
export interface Target {
  readonly name: string
  readonly campaign: string | null
  readonly unit: string | null
  readonly exists: boolean
}

const units: Record<string, ReadonlyArray<string>> = {
  "matrix-main": mainCampaign.units.map((u) => u.key),
  "matrix-other": otherCampaign.units.map((u) => u.key),
}

/** The units a caller may read in a campaign. */
export const readable = (caller: Caller, campaign: string | null): ReadonlySet<string> => {
  if (campaign === null || units[campaign] === undefined) return new Set()
  const all = new Set(units[campaign])
  switch (caller) {
    case "auditor":
      return all
    case "lead":
      return campaign === "matrix-main" ? all : new Set()
    case "unit-a":
      return campaign === "matrix-main" ? new Set(["district-a", "county-a1"]) : new Set()
    case "unit-b":
      return campaign === "matrix-main" ? new Set(["district-b"]) : new Set()
    case "county":
      return campaign === "matrix-main" ? new Set(["county-a1"]) : new Set()
    default:
      return new Set()
  }
}

/** Units with units below them in the main campaign: they may nudge those. */
const unitsAbove: Partial<Record<Caller, string>> = { "unit-a": "district-a" }

const ownUnit: Partial<Record<Caller, string>> = { "unit-a": "district-a", "unit-b": "district-b", county: "county-a1" }

/** The statuses the policy allows for a caller, route kind and target. */
export const expected = (kind: RouteKind, caller: Caller, target: Target): ReadonlyArray<number> => {
  if (kind === "public") return [200]
  if (kind === "people") return []
  if (caller === "anonymous" || caller === "expired" || caller === "revoked") return [401]
  const sees = readable(caller, target.campaign).size > 0
  const manages = caller === "lead" && target.campaign === "matrix-main"
  const canRead = target.unit !== null && readable(caller, target.campaign).has(target.unit)
  switch (kind) {
    case "self":
    case "list":
      return [200]
    case "deploy":
      return manages ? [200] : [403]
    case "campaign-read":
      return sees && target.exists ? [200] : [404]
    case "campaign-audit":
      if (!sees || !target.exists) return [404]
      return manages || caller === "auditor" ? [200] : [403]
    case "campaign-manage":
      if (!sees || !target.exists) return [404]
      // Allowed: it runs, or the campaign's state refuses it (already started, phase closed).
      return manages ? [200, 409] : [403]
    case "unit-read":
      return canRead && target.exists ? [200] : [404]
    case "unit-act":
      if (!canRead || !target.exists) return [404]
      // Allowed: it runs, the task's state refuses it, or the report does not pass its checks.
      return ownUnit[caller] === target.unit ? [200, 400, 409] : [403]
    case "review":
      if (!canRead || !target.exists) return [404]
      return manages ? [200, 409] : [403]
    case "bulk-review":
      // A coordinator gets an answer per report (refusals among them); anyone else, 403.
      return caller === "lead" ? [200] : [403]
    case "nudge":
      if (!sees || !target.exists) return [404]
      // Allowed: it nudges, or nobody is left to nudge. A unit nudges only the units below it.
      return manages || (unitsAbove[caller] !== undefined && target.campaign === "matrix-main") ? [200, 409] : [403]
  }
}

/** The markers a caller may not see: those of every unit it may not read, in any campaign. */
export const forbiddenMarkers = (caller: Caller, markers: Record<string, ReadonlyArray<string>>): string[] =>
  Object.entries(markers).flatMap(([unit, texts]) =>
    readable(caller, "matrix-main").has(unit) || readable(caller, "matrix-other").has(unit) ? [] : [...texts],
  )
