/**
 * The first module the entry evaluates: it asks for what the opened address will read
 * before React, the API client and the screen's chunk are evaluated — on a phone that CPU
 * takes longer than the answers, so they arrive while it runs instead of after it. The
 * session first; once it names a person, the campaign clock, the unread count and the
 * screen's first reads, only those the person's role may make (a refused read would be
 * journaled). The answers wait in api/Early.ts for whoever reads them first.
 */
import type { Principal } from "@liandong/api"
import { ask } from "./api/Early.ts"
import { reads } from "./api/Reads.ts"
import { chunkOf, homeOf } from "./Chunks.ts"
import { matchPath } from "./router/Match.ts"

type Role = Principal["role"]

interface Person {
  readonly role: Role
  readonly unit: string | null
}

/** The reads a screen makes first, by the role that may open it. */
interface FirstReads {
  readonly pattern: string
  readonly roles: ReadonlyArray<Role>
  readonly reads: (params: Record<string, string>, person: Person, search: string) => ReadonlyArray<string>
}

const everyone: ReadonlyArray<Role> = ["coordinator", "unit", "auditor"]

/** What each screen reads first (the `first` of its `useResource` calls). */
const firstReads: ReadonlyArray<FirstReads> = [
  { pattern: "/campaigns", roles: ["coordinator"], reads: () => [reads.campaigns] },
  { pattern: "/audit", roles: ["coordinator", "auditor"], reads: () => [reads.campaigns] },
  {
    pattern: "/campaigns/:campaign",
    roles: ["coordinator"],
    reads: ({ campaign = "" }) => [
      reads.campaign(campaign),
      reads.status(campaign),
      reads.totals(campaign),
      reads.reports({ campaign, status: "submitted" }),
      reads.tasks({ campaign }),
    ],
  },
  {
    pattern: "/audit/:campaign",
    roles: ["coordinator", "auditor"],
    // The trail's filters live in the query; only the unfiltered trail is read early.
    reads: ({ campaign = "" }, _, search) => [
      reads.campaign(campaign),
      reads.verification(campaign),
      ...(search === "" ? [reads.journal(campaign)] : []),
    ],
  },
  {
    pattern: "/campaigns/:campaign/units/:unit",
    roles: everyone,
    reads: ({ campaign = "", unit = "" }) => [
      reads.campaign(campaign),
      reads.tasks({ campaign, unit }),
      reads.reports({ campaign, unit }),
      reads.journal(campaign, unit),
    ],
  },
  { pattern: "/inbox", roles: ["unit"], reads: () => [reads.tasks(), reads.reports({ status: "returned" })] },
  {
    pattern: "/history",
    roles: ["unit"],
    reads: (_, person) =>
      person.unit === null ? [] : [reads.reports({ unit: person.unit }), reads.tasks({ unit: person.unit })],
  },
  {
    pattern: "/tasks/:campaign/:unit/:task",
    roles: ["unit"],
    reads: ({ campaign = "", unit = "", task = "" }) => [
      reads.task(campaign, unit, task),
      reads.reports({ campaign, unit, task }),
    ],
  },
  { pattern: "/notices", roles: everyone, reads: () => [reads.preferences, reads.notices] },
  { pattern: "/people", roles: ["coordinator"], reads: () => [reads.people] },
]

/** The person of a session answer, or null when the answer is not one. */
const personOf = async (answer: Response): Promise<Person | null> => {
  if (!answer.ok) return null
  const body = (await answer.clone().json()) as { person?: { role?: unknown; unit?: unknown } } | null
  const role = body?.person?.role
  if (role !== "coordinator" && role !== "unit" && role !== "auditor") return null
  const unit = body?.person?.unit
  return { role, unit: typeof unit === "string" ? unit : null }
}

const start = () => {
  const { pathname, search } = window.location
  // The session answer does not depend on the language: asked for as index.html preloads it.
  const session = ask(reads.session, { plain: true })
  // The invitation is for whoever holds the link, signed in or not: nothing more to ask.
  if (pathname === "/invite") {
    void chunkOf.find(([pattern]) => pattern === "/invite")?.[1]()
    return
  }
  const chunk = chunkOf.find(([pattern]) => matchPath(pattern, pathname) !== null)
  // A signed-in screen's address: its chunk while the session is checked. The API client is
  // downloaded beside the entry (modulepreload) but evaluated by the first call, after the
  // screen has shown the early answers: its evaluation is the longest task of a load.
  if (chunk !== undefined) void chunk[1]()
  void session
    ?.then(personOf)
    .then((person) => {
      if (person === null) return
      ask(reads.clock)
      ask(reads.unread)
      const opened = pathname === "/" || pathname === "/sign-in" ? homeOf(person.role) : pathname
      if (opened !== pathname) void chunkOf.find(([pattern]) => matchPath(pattern, opened) !== null)?.[1]()
      for (const screen of firstReads) {
        const params = matchPath(screen.pattern, opened)
        if (params === null || !screen.roles.includes(person.role)) continue
        for (const url of screen.reads(params, person, search)) ask(url)
      }
    })
    .catch(() => undefined)
}

try {
  start()
} catch {
  // Early answers only save time: without them every screen asks for itself.
}
