/**
 * Running machines purely: the initial snapshot, and `apply`, which takes a
 * persisted (JSON) snapshot and an event and returns the next persisted
 * snapshot with the follow-ups it asked for — or a rejection that names the
 * state and what it would accept. XState silently ignores an event a state
 * does not handle; `apply` never does.
 */
import { Result } from "effect"
import { type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, createActor } from "xstate"
import type { Campaign } from "../Definition.ts"
import { buildCampaignMachine } from "./CampaignMachine.ts"
import type { AnyEvent, FollowUp } from "./Events.ts"
import { type EventRejected, explainRejection } from "./Rejection.ts"
import { buildUnitMachine, unitShape } from "./UnitMachine.ts"

/** A campaign's machines, built once and reused. */
export interface Compiled {
  readonly campaign: Campaign
  readonly unitMachine: (unit: string) => AnyStateMachine
  readonly campaignMachine: () => AnyStateMachine
}

/** One applied event. */
export interface Step {
  /** The next snapshot, as JSON-ready data. */
  readonly snapshot: unknown
  readonly effects: ReadonlyArray<FollowUp>
  /** The state before and after, as compact text (see `stateText`). */
  readonly from: string
  readonly to: string
}

// Which campaign a compiled machine belongs to, for naming tasks and phases in rejections.
const campaigns = new WeakMap<AnyStateMachine, Campaign>()

// The unit each per-unit handle stands for: `initial` puts it in the context.
const unitOf = new WeakMap<AnyStateMachine, string>()

/**
 * Compiles a campaign's machines lazily. Units of the same shape (phases and tasks) share
 * one machine; each unit gets its own handle on it (a transparent proxy), so a machine
 * still names its unit and a 50,000-unit campaign builds one machine, not 50,000.
 */
export const compile = (campaign: Campaign): Compiled => {
  const shapes = new Map<string, AnyStateMachine>()
  const units = new Map<string, AnyStateMachine>()
  let campaignMachine: AnyStateMachine | undefined
  return {
    campaign,
    unitMachine: (unit) => {
      let machine = units.get(unit)
      if (machine === undefined) {
        const shape = unitShape(campaign, unit)
        let shared = shapes.get(shape)
        if (shared === undefined) {
          shared = buildUnitMachine(campaign, unit)
          shapes.set(shape, shared)
        }
        machine = new Proxy(shared, {})
        unitOf.set(machine, unit)
        campaigns.set(machine, campaign)
        units.set(unit, machine)
      }
      return machine
    },
    campaignMachine: () => {
      if (campaignMachine === undefined) {
        campaignMachine = buildCampaignMachine(campaign)
        campaigns.set(campaignMachine, campaign)
      }
      return campaignMachine
    },
  }
}

/**
 * A state value as compact text: `ready`, `running.publicity.open`, or for
 * parallel states `{preparation:done,publicity:open{brochures:submitted}}`.
 * Regions are sorted by key, so the text does not depend on how a stored
 * snapshot's keys were ordered (jsonb reorders them).
 */
export const stateText = (value: unknown): string => {
  if (typeof value === "string") return value
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (entries.length === 1) {
    const [key, inner] = entries[0] as [string, unknown]
    if (typeof inner === "string") return `${key}.${inner}`
    const innerText = stateText(inner)
    return innerText.startsWith("{") ? `${key}${innerText}` : `${key}.${innerText}`
  }
  return `{${entries.map(([key, inner]) => (typeof inner === "string" ? `${key}:${inner}` : `${key}:${stateText(inner)}`)).join(",")}}`
}

// One inert scope for each machine (units of one shape share theirs, by its root state node).
// XState's `transition` and `initialTransition` build an actor for every call, and an actor
// computes its machine's initial snapshot when built: a third of a step's time. These machines
// start no actors, schedule nothing and run no action but `assign`, so a scope can be reused.
const scopes = new WeakMap<object, AnyActorScope>()

const scopeOf = (machine: AnyStateMachine): AnyActorScope => {
  const found = scopes.get(machine.root)
  if (found !== undefined) return found
  const self = createActor(machine)
  const made: AnyActorScope = {
    self,
    id: "",
    sessionId: "",
    system: self.system,
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    stopChild: () => undefined,
    actionExecutor: () => undefined,
  }
  scopes.set(machine.root, made)
  return made
}

/**
 * The snapshot as XState persists it, its outbox emptied. XState's own walks the whole context
 * for actors to replace by their ids; these machines keep none, there or as children, so the
 * context is taken as it is. A machine that spawned one would be a defect here (and of the
 * shared scope), said at once rather than persisted wrong.
 */
const persist = (snapshot: AnyMachineSnapshot) => {
  if (Object.keys(snapshot.children).length > 0)
    throw new Error(`machine ${snapshot.machine.id} holds child actors: its steps cannot be persisted as data`)
  const { status, output, error, value, historyValue, context } = snapshot
  const history: Record<string, Array<{ id: string }>> = {}
  for (const [key, nodes] of Object.entries(historyValue)) history[key] = nodes.map((node) => ({ id: node.id }))
  return { status, output, error, value, historyValue: history, context: { ...context, outbox: [] }, children: {} }
}

/** Rehydrates a persisted snapshot (never starts an actor: nothing runs). */
export const restore = (machine: AnyStateMachine, persisted: unknown): AnyMachineSnapshot =>
  machine.restoreSnapshot(persisted as never, scopeOf(machine)) as AnyMachineSnapshot

/** The initial snapshot of a machine (a unit's names its unit; nothing happens on entry, so nothing else depends on it). */
export const initial = (machine: AnyStateMachine): { snapshot: unknown; state: string } => {
  const snapshot = machine.getInitialSnapshot(scopeOf(machine)) as AnyMachineSnapshot
  const persisted = persist(snapshot)
  const unit = unitOf.get(machine)
  return {
    snapshot: unit === undefined ? persisted : { ...persisted, context: { ...persisted.context, unit } },
    state: stateText(snapshot.value),
  }
}

/** Applies an event to a persisted snapshot: the next step, or why the state refuses it. */
export const apply = (
  machine: AnyStateMachine,
  persisted: unknown,
  event: AnyEvent,
): Result.Result<Step, EventRejected> => {
  const current = restore(machine, persisted)
  const from = stateText(current.value)
  if (current.status !== "active" || !current.can(event as never)) {
    return Result.fail(explainRejection(campaigns.get(machine), current, event))
  }
  // A persisted snapshot's outbox is always empty, so what `next` holds is this step's alone.
  const next = machine.transition(current, event as never, scopeOf(machine)) as AnyMachineSnapshot
  const effects = (next.context as { outbox: FollowUp[] }).outbox
  return Result.succeed({ snapshot: persist(next), effects, from, to: stateText(next.value) })
}
