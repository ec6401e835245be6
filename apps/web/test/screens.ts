/**
 * Every main screen of the UI: who opens it, at which address, and the selector that
 * says its main content is rendered ("ready"). Shared by the delivery and axe tests and
 * by the phone measurement (measure.ts), so all three look at the same screens.
 */

/** A seeded person's sign-in name (seed.ts), or null for a screen shown signed out. */
export type Person = "lead" | "west" | "audit" | null

/** One screen as a person first loads it. */
export interface Screen {
  readonly name: string
  readonly person: Person
  readonly path: string
  /** present once the screen's main content is rendered */
  readonly ready: string
}

export const screens: ReadonlyArray<Screen> = [
  { name: "sign-in", person: null, path: "/", ready: "main form input[type=password]" },
  { name: "invitation", person: null, path: "/invite#not-a-real-token", ready: "main form input[type=password]" },
  { name: "campaigns", person: "lead", path: "/campaigns", ready: "main .task-list li a" },
  { name: "dashboard", person: "lead", path: "/campaigns/tour-2026", ready: "[data-testid=matrix] tbody tr" },
  { name: "people", person: "lead", path: "/people", ready: "main table tbody tr" },
  {
    name: "unit page",
    person: "lead",
    path: "/campaigns/tour-2026/units/west-district",
    ready: "[data-testid=unit-tasks] tr[data-task]",
  },
  { name: "audit", person: "audit", path: "/audit/tour-2026", ready: "[data-testid=timeline] li" },
  { name: "inbox", person: "west", path: "/inbox", ready: "main .task-list li" },
  { name: "task", person: "west", path: "/tasks/tour-2026/west-district/brochures", ready: "main h1" },
  { name: "history", person: "west", path: "/history", ready: "main h1" },
  { name: "notices", person: "west", path: "/notices", ready: "[data-testid=notices], [data-testid=notices-empty]" },
]
