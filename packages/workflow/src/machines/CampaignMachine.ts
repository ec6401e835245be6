/**
 * The campaign's machine: ready → running → summarizing → closed. While
 * running, phases go in order, each waiting → open → closed. Timers and
 * units' messages are recorded into context whenever they arrive; eventless
 * transitions then open a phase once it is due and the one before it closed,
 * and close it when its gate holds. The context counts finished units rather
 * than listing them, so it stays small however many units take part.
 */
import { assign, createMachine } from "xstate"
import type { Campaign, Phase } from "../Definition.ts"
import { type FollowUp, phaseDoneKey } from "./Events.ts"

/** What the campaign machine remembers about a phase. */
export interface PhaseContext {
  readonly due: boolean
  readonly deadlinePassed: boolean
  readonly doneCount: number
  readonly participants: number
}

/** The campaign machine's context. */
export interface CampaignContext {
  readonly phases: Readonly<Record<string, PhaseContext>>
  readonly outbox: ReadonlyArray<FollowUp>
}

type Ev = { type: string; at: string; phase?: string; unit?: string }
type Args = { context: CampaignContext; event: Ev }

const updatePhase = (change: (phase: PhaseContext) => Partial<PhaseContext>) =>
  assign(({ context, event }: Args) => {
    const key = event.phase as string
    const phase = context.phases[key] as PhaseContext
    return { phases: { ...context.phases, [key]: { ...phase, ...change(phase) } } }
  })

/** Adds follow-ups to the outbox; a function makes them only when the transition is taken. */
const emit = (effects: ReadonlyArray<FollowUp> | (() => ReadonlyArray<FollowUp>)) =>
  assign(({ context }: Args) => ({
    outbox: [...context.outbox, ...(typeof effects === "function" ? effects() : effects)],
  }))

/** True when the phase's gate lets it close. */
export const gateHolds = (phase: Phase, state: PhaseContext): boolean => {
  const everyone = state.doneCount >= state.participants
  switch (phase.gate.kind) {
    case "all":
      return everyone
    case "date":
      return state.deadlinePassed
    case "quorum":
      return (
        everyone ||
        ((state.deadlinePassed || phase.gate.early === true) &&
          state.doneCount >= Math.ceil(phase.gate.ratio * state.participants))
      )
  }
}

const phaseState = (phase: Phase, next: string) => {
  // Made when the phase opens or closes, not with the machine: a national phase has 50,000 of each.
  // A close is not sent to a unit that has told the campaign it finished the phase: it would be
  // moot there (a third of a campaign's messages, and at a national close 50,000 claims for nothing).
  const tell = (what: "open" | "close") => (): FollowUp[] =>
    phase.participants.map((unit) => ({
      type: "send",
      to: { unit },
      dedupe: `${what}:${phase.key}:${unit}`,
      event: { type: `phase.${what}`, phase: phase.key },
      ...(what === "close" ? { mootAfter: phaseDoneKey(unit, phase.key) } : {}),
    }))
  const open = tell("open")
  const close = tell("close")
  const mine = ({ context }: Args) => context.phases[phase.key] as PhaseContext
  return {
    initial: "waiting",
    states: {
      waiting: { always: { guard: (args: Args) => mine(args).due, target: "open", actions: emit(open) } },
      open: {
        always: { guard: (args: Args) => gateHolds(phase, mine(args)), target: "closed", actions: emit(close) },
        on: {
          "phase.force-close": {
            guard: ({ event }: Args) => event.phase === phase.key,
            target: "closed",
            actions: emit(close),
          },
        },
      },
      closed: { type: "final" },
    },
    onDone: { target: next },
  }
}

/** Builds the campaign's machine. */
export const buildCampaignMachine = (campaign: Campaign) => {
  const phases = campaign.phases
  const known = ({ event }: Args) => phases.some((p) => p.key === event.phase)
  const context: CampaignContext = {
    phases: Object.fromEntries(
      phases.map((p) => [
        p.key,
        { due: false, deadlinePassed: false, doneCount: 0, participants: p.participants.length },
      ]),
    ),
    outbox: [],
  }
  const schedules: FollowUp[] = phases.flatMap((p): FollowUp[] => [
    { type: "schedule", key: `open:${p.key}`, at: p.opensAt, event: { type: "phase.due", phase: p.key } },
    { type: "schedule", key: `close:${p.key}`, at: p.closesAt, event: { type: "phase.deadline", phase: p.key } },
  ])
  // The config is generated from data, so XState cannot infer it; events and context are typed above.
  return createMachine({
    id: `campaign:${campaign.key}`,
    initial: "ready",
    context,
    states: {
      ready: { on: { "campaign.start": { target: "running", actions: emit(schedules) } } },
      running: {
        initial: phases[0]?.key,
        on: {
          "phase.due": { guard: known, actions: updatePhase(() => ({ due: true })) },
          "phase.deadline": { guard: known, actions: updatePhase(() => ({ deadlinePassed: true })) },
          "unit.phase-done": { guard: known, actions: updatePhase((p) => ({ doneCount: p.doneCount + 1 })) },
          // The snapshot was migrated to the new definition before this event (Change.ts); taking
          // it re-evaluates the gates, which a withdrawn unit may have let through.
          "campaign.changed": { actions: emit([]) },
        },
        states: Object.fromEntries(
          phases.map((phase, i) => [
            phase.key,
            phaseState(phase, phases[i + 1] ? (phases[i + 1]?.key as string) : "#summarizing"),
          ]),
        ),
      },
      summarizing: { id: "summarizing", entry: emit([{ type: "summarize" }]), on: { "summary.written": "closed" } },
      closed: { type: "final" },
    },
  } as never)
}
