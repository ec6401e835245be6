/**
 * Seeds the README's tour campaign into an embedded database, through the
 * engine's own commands: deployed, the coordinator, one unit contact and the
 * auditor given passwords (east's contact is left for the coordinator to
 * invite in the browser), started, and the worker run until the publicity
 * phase is open.
 */
import { tour } from "@liandong/campaigns"
import {
  acceptInvitation,
  addPrincipal,
  deploy,
  invitePerson,
  resetPassword,
  startCampaign,
} from "@liandong/engine/commands"
import { engineLayer, loadActor, operator } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { Effect } from "effect"

/** The password every seeded person signs in with (their sign-in name is their id). */
export const tourPassword = "网页测试-Walk-2026"

/** The unit contact the coordinator invites in the browser. */
export const eastContact = { id: "east", name: "东区联络员", unit: "east-district" } as const

/** Times of the seeded calendar (China Standard Time). */
export const tourClock = {
  start: "2026-04-12T09:00:00+08:00",
  /** when the people act in the browser */
  now: "2026-04-14T10:00:00+08:00",
}

/** West's contact has an address: notices reach it by email when SMTP is configured. */
export const westEmail = "west@xiqu.example.gov.cn"

const people = [
  { id: "lead", name: "王局长", role: "coordinator", unit: "city-ipo" },
  { id: "west", name: "西区联络员", role: "unit", unit: "west-district", email: westEmail },
  { id: "audit", name: "审计员", role: "auditor" },
] as const

/**
 * A second campaign for the same units whose deadline has passed by `tourClock.now`: its tasks
 * are overdue. The city bureau takes part too, so the matrix shows the hierarchy.
 */
export const lateCampaign = {
  ...tour,
  key: "late-2026",
  title: "2026年知识产权保护专项行动",
  titleEn: "2026 IP protection drive",
  phases: tour.phases.map((phase, i) =>
    i === 0
      ? {
          ...phase,
          opensAt: "2026-04-02",
          closesAt: "2026-04-30",
          tasks: phase.tasks.map((task) => ({ ...task, assign: { everyone: true }, deadline: "2026-04-13T18:00" })),
        }
      : { ...phase, opensAt: "2026-05-01", closesAt: "2026-05-10" },
  ),
}

/**
 * Seeds the tour (and the late campaign) into the embedded database at `dataDir`, signing with
 * the key in `keyFile`.
 */
export const seedTour = (dataDir: string, keyFile: string): Promise<void> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const deployed = yield* deploy(tour, operator)
      for (const person of people) {
        // An invitation carries contact details; a principal alone does not.
        const link =
          "email" in person
            ? yield* invitePerson(person, operator)
            : yield* Effect.andThen(addPrincipal(person, operator), resetPassword(person.id, operator))
        yield* acceptInvitation(link.token, tourPassword)
      }
      const late = yield* deploy(lateCampaign, operator)
      yield* runUntilIdle(new Date(tourClock.start))
      yield* startCampaign(deployed.campaign, yield* loadActor("lead"))
      yield* startCampaign(late.campaign, yield* loadActor("lead"))
      yield* runUntilIdle(new Date(tourClock.now))
    }).pipe(Effect.provide(engineLayer({ now: tourClock.start, logLevel: "warn", store: { dataDir }, keyFile }))),
  )
