/** Drives a compiled machine step by step through JSON, as the engine does. */
import { Result } from "effect"
import type { AnyStateMachine } from "xstate"
import { type AnyEvent, apply, type EventRejected, initial, type Step } from "../src/index.ts"

/** A machine under test: its persisted snapshot, always round-tripped through JSON. */
export const drive = (machine: AnyStateMachine) => {
  let snapshot = JSON.parse(JSON.stringify(initial(machine).snapshot)) as unknown
  return {
    get snapshot() {
      return snapshot
    },
    /** Applies an event that must be accepted. */
    ok(event: AnyEvent): Step {
      const result = apply(machine, snapshot, event)
      if (Result.isFailure(result)) throw new Error(`rejected ${event.type}: ${result.failure.en}`)
      snapshot = JSON.parse(JSON.stringify(result.success.snapshot))
      return result.success
    },
    /** Applies an event that must be rejected; the snapshot stays as it was. */
    no(event: AnyEvent): EventRejected {
      const result = apply(machine, snapshot, event)
      if (Result.isSuccess(result)) throw new Error(`accepted ${event.type}`)
      return result.failure
    },
  }
}

/** Campaign-clock times for events. */
export const at = (iso: string) => new Date(iso).toISOString()
