/**
 * The campaign clock. Commands stamp events with it and the worker decides
 * what is due by it, so a whole campaign can run on a simulated calendar.
 */
import { Context, Effect, Layer } from "effect"

/** The current time of the campaign world. */
export class Clock extends Context.Service<
  Clock,
  {
    readonly now: Effect.Effect<Date>
    /** Move a simulated clock to an instant (never backwards); a no-op on the system clock. */
    readonly set: (at: Date) => Effect.Effect<void>
    readonly simulated: boolean
  }
>()("@liandong/engine/Clock") {
  /** Real wall-clock time. */
  static readonly system = Layer.succeed(Clock)(
    Clock.of({ now: Effect.sync(() => new Date()), set: () => Effect.void, simulated: false }),
  )

  /** A simulated calendar starting at `start`; moves only when told to. */
  static readonly simulatedAt = (start: Date) =>
    Layer.sync(Clock)(() => {
      let current = start.getTime()
      return Clock.of({
        now: Effect.sync(() => new Date(current)),
        set: (at) =>
          Effect.sync(() => {
            current = Math.max(current, at.getTime())
          }),
        simulated: true,
      })
    })
}

/**
 * The real time, whatever the campaign clock says: what a token's expiry and
 * revocation, and the windows of refused attempts, are measured by. A
 * simulated calendar (`--now`, `LIANDONG_NOW`) must not revive an expired
 * token or expire a fresh one. Tests may provide another.
 */
export const WallClock = Context.Reference<{ readonly now: Effect.Effect<Date> }>("@liandong/engine/WallClock", {
  defaultValue: () => ({ now: Effect.sync(() => new Date()) }),
})

/** The wall clock's time now. */
export const wallNow: Effect.Effect<Date> = Effect.flatMap(Effect.service(WallClock), (clock) => clock.now)
