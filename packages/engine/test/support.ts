/**
 * An engine for tests: the real services over a real store, a simulated
 * clock the test moves, and a silent logger.
 */
import type { Store } from "@liandong/store"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option } from "effect"
import { pino } from "pino"
import {
  type Actor,
  addPrincipal,
  Clock,
  Db,
  deploy,
  Log,
  loadActor,
  operator,
  runUntilIdle,
  Signer,
} from "../src/index.ts"
import { principals, springWeek } from "./fixture.ts"

type Services = Db | Clock | Log | Signer

/** A test engine over `store`, its clock at `start`. */
export const testEngine = (store: Store, start = "2026-04-12T09:00:00+08:00") => {
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      Db.fromStore(store),
      Clock.simulatedAt(new Date(start)),
      Log.of_(pino({ level: "silent" })),
      Signer.ephemeral,
    ),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const exit = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(Effect.exit(effect))
  const failure = async <A, E>(effect: Effect.Effect<A, E, Services>) => {
    const result = await exit(effect)
    if (Exit.isSuccess(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`)
    const error = Cause.findErrorOption(result.cause)
    if (Option.isNone(error)) throw new Error(`expected a typed failure: ${Cause.pretty(result.cause)}`)
    return error.value
  }
  /** Moves the clock to `at` and runs the worker until nothing is due. */
  const advance = (at: string) =>
    run(
      Effect.gen(function* () {
        const clock = yield* Clock
        yield* clock.set(new Date(at))
        return yield* runUntilIdle(new Date(at))
      }),
    )
  const setClock = (at: string) => run(Effect.flatMap(Effect.service(Clock), (clock) => clock.set(new Date(at))))
  const actor = (id: string): Promise<Actor> => run(loadActor(id))
  const dispose = () => runtime.dispose()
  return { run, exit, failure, advance, setClock, actor, dispose }
}

/** Deploys the fixture and registers its principals. */
export const deployFixture = async (engine: ReturnType<typeof testEngine>) => {
  const deployed = await engine.run(deploy(springWeek, operator))
  for (const p of principals) await engine.run(addPrincipal(p, operator))
  return deployed
}
