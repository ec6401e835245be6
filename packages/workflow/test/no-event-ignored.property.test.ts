import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { createActor, initialTransition, transition } from "xstate"
import { type AnyEvent, apply, compile, initial, normalizeCampaign, unitView } from "../src/index.ts"
import { week } from "./fixture.ts"

const campaign = normalizeCampaign(week)
const machine = compile(campaign).unitMachine("county-a")
const at = "2026-04-20T02:00:00.000Z"

// Mostly real keys, so that long valid paths are explored; sometimes wrong ones.
const task = fc.oneof(
  { arbitrary: fc.constantFrom("plan", "brochures", "stalls"), weight: 9 },
  { arbitrary: fc.constant("ghost"), weight: 1 },
)
const phase = fc.oneof(
  { arbitrary: fc.constantFrom("preparation", "publicity"), weight: 9 },
  { arbitrary: fc.constant("nowhere"), weight: 1 },
)
const report = fc.constantFrom("1", "2")
const event: fc.Arbitrary<AnyEvent> = fc.oneof(
  phase.map((p) => ({ type: "phase.open", phase: p, at })),
  phase.map((p) => ({ type: "phase.close", phase: p, at })),
  task.map((k) => ({ type: "task.acknowledge", task: k, by: "a", at })),
  fc.tuple(task, report).map(([k, r]) => ({ type: "task.submit", task: k, report: r, by: "a", at })),
  fc.tuple(task, report).map(([k, r]) => ({ type: "task.approve", task: k, report: r, by: "lead", at })),
  fc
    .tuple(task, report)
    .map(([k, r]) => ({ type: "task.return", task: k, report: r, reason: "请核实", by: "lead", at })),
  task.map((k) => ({ type: "task.remind", task: k, at })),
  task.map((k) => ({ type: "task.deadline", task: k, at })),
  fc.constant({ type: "task.unknown", task: "plan", at }),
)

type Machine = ReturnType<ReturnType<typeof compile>["unitMachine"]>

/** XState's own persisted form of a snapshot, its outbox emptied, as JSON. */
const persistedByXState = (machine: Machine, next: Parameters<Machine["getPersistedSnapshot"]>[0]) => {
  const own = machine.getPersistedSnapshot(next) as unknown as { context: object }
  return JSON.parse(JSON.stringify({ ...own, context: { ...own.context, outbox: [] } }))
}

/**
 * Applies `events` from `start` and takes every accepted step again the way XState's public
 * functions take it (`createActor` to restore, `transition`, `getPersistedSnapshot`): `apply`
 * reuses one inert scope and persists the context as it is, and must come out the same.
 */
const stepsAsXState = (machine: Machine, start: unknown, events: ReadonlyArray<AnyEvent>) => {
  let snapshot: unknown = JSON.parse(JSON.stringify(start))
  let accepted = 0
  for (const e of events) {
    const result = apply(machine, snapshot, e)
    if (Result.isFailure(result)) continue
    const current = createActor(machine, { snapshot: snapshot as never }).getSnapshot()
    const [next] = transition(machine, current, e as never)
    expect(JSON.parse(JSON.stringify(result.success.snapshot))).toEqual(persistedByXState(machine, next))
    expect(result.success.effects).toEqual((next.context as { outbox: unknown }).outbox)
    snapshot = JSON.parse(JSON.stringify(result.success.snapshot))
    accepted++
  }
  return { snapshot, accepted }
}

/** `initial` against XState's `initialTransition` (a unit's snapshot also names its unit). */
const startsAsXState = (machine: Machine, unit?: string) => {
  const [first] = initialTransition(machine)
  const own = persistedByXState(machine, first)
  const start = initial(machine).snapshot
  expect(JSON.parse(JSON.stringify(start))).toEqual(
    unit === undefined ? own : { ...own, context: { ...own.context, unit } },
  )
  return start
}

/**
 * Applies `events` twice from `start`: each step from `apply`'s snapshot as it is (as a
 * transaction's next step of the machine takes it, `saveStep` in the engine) and each from that
 * snapshot read back as JSON (as from the database). Both must come out the same, step by step,
 * and `apply` must leave the snapshot it is given as it was.
 */
const sameWithoutJson = (machine: Machine, start: unknown, events: ReadonlyArray<AnyEvent>) => {
  let kept: unknown = JSON.parse(JSON.stringify(start))
  let read: unknown = JSON.parse(JSON.stringify(start))
  for (const e of events) {
    const before = JSON.stringify(kept)
    const fromKept = apply(machine, kept, e)
    const fromRead = apply(machine, read, e)
    expect(JSON.stringify(kept), `${e.type} changed the snapshot it was given`).toBe(before)
    expect(Result.isSuccess(fromKept)).toBe(Result.isSuccess(fromRead))
    if (Result.isFailure(fromKept) || Result.isFailure(fromRead)) {
      if (Result.isFailure(fromKept) && Result.isFailure(fromRead)) expect(fromKept.failure).toEqual(fromRead.failure)
      continue
    }
    expect(JSON.stringify(fromKept.success.snapshot)).toBe(JSON.stringify(fromRead.success.snapshot))
    expect(fromKept.success.effects).toEqual(fromRead.success.effects)
    kept = fromKept.success.snapshot
    read = JSON.parse(JSON.stringify(fromRead.success.snapshot))
  }
  return kept
}

describe("a unit's machine under any sequence of events", () => {
  it("either changes something or says why not: no event is silently ignored", () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 5, maxLength: 60 }), (events) => {
        let snapshot: unknown = initial(machine).snapshot
        for (const e of events) {
          const result = apply(machine, snapshot, e)
          if (Result.isFailure(result)) {
            expect(result.failure.zh.length).toBeGreaterThan(0)
            expect(result.failure.en.length).toBeGreaterThan(0)
            continue
          }
          const next = JSON.parse(JSON.stringify(result.success.snapshot))
          const changed = JSON.stringify(next) !== JSON.stringify(snapshot) || result.success.effects.length > 0
          expect(changed, `${e.type} was accepted and did nothing`).toBe(true)
          snapshot = next
        }
      }),
      {
        numRuns: 2000,
        // A path the generator finds rarely: a second deadline while a report awaits review.
        examples: [
          [
            [
              { type: "phase.open", phase: "preparation", at },
              { type: "task.acknowledge", task: "plan", by: "a", at },
              { type: "task.submit", task: "plan", report: "1", by: "a", at },
              { type: "task.deadline", task: "plan", at },
              { type: "task.deadline", task: "plan", at },
            ],
          ],
        ],
      },
    )
  })

  it("never applies a command twice: the same acknowledge, submit, approve or return is refused the second time", () => {
    const command = fc.oneof(
      task.map((k) => ({ type: "task.acknowledge", task: k, by: "a", at })),
      fc.tuple(task, report).map(([k, r]) => ({ type: "task.submit", task: k, report: r, by: "a", at })),
      fc.tuple(task, report).map(([k, r]) => ({ type: "task.approve", task: k, report: r, by: "lead", at })),
      fc
        .tuple(task, report)
        .map(([k, r]) => ({ type: "task.return", task: k, report: r, reason: "x", by: "lead", at })),
    )
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), command, (prefix, repeated) => {
        let snapshot: unknown = initial(machine).snapshot
        for (const e of prefix) {
          const result = apply(machine, snapshot, e)
          if (Result.isSuccess(result)) snapshot = result.success.snapshot
        }
        const first = apply(machine, snapshot, repeated)
        if (Result.isFailure(first)) return
        expect(Result.isFailure(apply(machine, first.success.snapshot, repeated))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it("keeps its view consistent with what it accepted", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let snapshot: unknown = initial(machine).snapshot
        let approvals = 0
        for (const e of events) {
          const result = apply(machine, snapshot, e)
          if (Result.isFailure(result)) continue
          if (e.type === "task.approve") approvals++
          snapshot = result.success.snapshot
        }
        const view = unitView(campaign, "county-a", snapshot)
        const approvedByEvent = view.tasks.filter((t) => t.approvedAt !== null).length
        expect(approvedByEvent).toBe(approvals)
      }),
      { numRuns: 200 },
    )
  })

  it("steps exactly as XState's own transition and persistence would, from its own initial snapshot", () => {
    const start = startsAsXState(machine, "county-a")
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        stepsAsXState(machine, start, events)
      }),
      { numRuns: 300 },
    )
  })

  it("steps alike from the snapshot it gave and from that snapshot read back as JSON", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        sameWithoutJson(machine, initial(machine).snapshot, events)
      }),
      { numRuns: 300 },
    )
  })
})

describe("the campaign's machine, through a whole campaign", () => {
  it("steps exactly as XState's own transition and persistence would", () => {
    const campaignMachine = compile(campaign).campaignMachine()
    const done = (phase: string) =>
      ["county-a", "county-b", "town-a1"].map((unit) => ({ type: "unit.phase-done", phase, unit, at }) as AnyEvent)
    const events: AnyEvent[] = [
      { type: "campaign.start", by: "lead", at } as AnyEvent,
      { type: "phase.due", phase: "preparation", at } as AnyEvent,
      { type: "phase.due", phase: "publicity", at } as AnyEvent,
      ...done("preparation"),
      ...done("publicity"),
      { type: "phase.deadline", phase: "publicity", at } as AnyEvent,
      { type: "summary.written", at } as AnyEvent,
    ]
    const { snapshot, accepted } = stepsAsXState(campaignMachine, startsAsXState(campaignMachine), events)
    expect(accepted).toBeGreaterThanOrEqual(9)
    expect((snapshot as { value: unknown }).value).toBe("closed")
    // And alike from the snapshots `apply` gave as from them read back (its fan-in's counts included).
    expect(
      (sameWithoutJson(campaignMachine, initial(campaignMachine).snapshot, events) as { value: unknown }).value,
    ).toBe("closed")
  })
})
