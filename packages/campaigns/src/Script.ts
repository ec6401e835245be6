/**
 * A campaign script: what units and the coordinator do, and when. The demo
 * and the tests play scripts through the engine on a simulated calendar; the
 * worker runs at every step's time before its actions.
 */

/** One thing a principal does. */
export type ScriptAction =
  | { readonly kind: "ack"; readonly unit: string; readonly task: string }
  | {
      readonly kind: "report"
      readonly unit: string
      readonly task: string
      readonly figures?: Readonly<Record<string, string>>
      readonly narrative: Readonly<Record<string, string>>
    }
  | { readonly kind: "approve"; readonly unit: string; readonly task: string }
  | { readonly kind: "return"; readonly unit: string; readonly task: string; readonly reason: string }

/** A moment of the calendar and what happens at it. */
export interface ScriptStep {
  /** ISO time with offset */
  readonly at: string
  /** what the step is about, for the demo's progress lines */
  readonly note?: string
  readonly actions: ReadonlyArray<ScriptAction>
}

/** A whole script: the campaign's start, its steps, and the time after which everything is over. */
export interface CampaignScript {
  readonly startAt: string
  readonly steps: ReadonlyArray<ScriptStep>
  readonly endAt: string
}

/** Every unit acknowledges a task. */
export const acks = (task: string, units: ReadonlyArray<string>): ScriptAction[] =>
  units.map((unit) => ({ kind: "ack", unit, task }))

/** The coordinator approves a task of each unit. */
export const approvals = (task: string, units: ReadonlyArray<string>): ScriptAction[] =>
  units.map((unit) => ({ kind: "approve", unit, task }))
