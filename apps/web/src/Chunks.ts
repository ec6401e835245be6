/**
 * The screens' chunks. Sign-in and the shell are in the entry script; every other screen is
 * a chunk of its own, fetched the first time it is shown, so a unit never downloads the
 * dashboard. Without React, so that the entry's first module (Start.ts) can start the
 * opened address's chunk before React is evaluated.
 */
import type { Principal } from "@liandong/api"

/** Where each role starts: the home address sends a signed-in person there. */
export const homeOf = (role: Principal["role"]): string =>
  role === "unit" ? "/inbox" : role === "coordinator" ? "/campaigns" : "/audit"

export const chunks = {
  invitation: () => import("./screens/AcceptInvitation.tsx"),
  campaigns: () => import("./screens/CampaignList.tsx"),
  dashboard: () => import("./screens/dashboard/Dashboard.tsx"),
  audit: () => import("./screens/audit/Audit.tsx"),
  unit: () => import("./screens/unit/UnitPage.tsx"),
  notices: () => import("./screens/notices/Notices.tsx"),
  people: () => import("./screens/People.tsx"),
  // A unit's inbox, task and history share one chunk: whoever opens one soon opens the others.
  inbox: () => import("./screens/inbox/Screens.ts"),
  // The review queue (a coordinator's) and the report page (anyone who may read the report).
  review: () => import("./screens/review/Screens.ts"),
}

/**
 * The chunk an address opened directly will need, fetched while the session is checked
 * rather than after: one round trip less on a phone. Whoever may not see it never renders it.
 */
export const chunkOf: ReadonlyArray<readonly [pattern: string, load: () => Promise<unknown>]> = [
  ["/invite", chunks.invitation],
  ["/campaigns", chunks.campaigns],
  ["/audit", chunks.campaigns],
  ["/campaigns/:campaign", chunks.dashboard],
  ["/audit/:campaign", chunks.audit],
  ["/campaigns/:campaign/units/:unit", chunks.unit],
  ["/campaigns/:campaign/reviews", chunks.review],
  ["/reports/:report", chunks.review],
  ["/notices", chunks.notices],
  ["/people", chunks.people],
  ["/inbox", chunks.inbox],
  ["/history", chunks.inbox],
  ["/tasks/:campaign/:unit/:task", chunks.inbox],
]
