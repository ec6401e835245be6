/**
 * An engine for tests: the real services over a real store, a simulated
 * clock the test moves, and a silent logger.
 */
import type { Store } from "@liandong/store"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option } from "effect"
import pg from "pg"
import { pino } from "pino"
import {
  type Actor,
  acknowledge,
  addPrincipal,
  approve,
  Clock,
  Db,
  deploy,
  Log,
  loadActor,
  operator,
  runUntilIdle,
  Signer,
  submitReport,
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

/** Every unit of the fixture acknowledges, reports and gets approved, phase after phase (the campaign is already started). */
export const playFixture = async (engine: ReturnType<typeof testEngine>) => {
  const lead = await engine.actor("lead")
  const units = [
    ["county-a", "clerk-a", "6000", "120"],
    ["county-b", "clerk-b", "4000", "95"],
    ["town-a1", "clerk-a1", "350", "48"],
  ] as const
  await engine.advance("2026-04-13T09:00:00+08:00")
  for (const [unit, clerk] of units) {
    const actor = await engine.actor(clerk)
    await engine.run(acknowledge(`spring-week/${unit}/plan`, actor))
    const body = { narrative: { narrative: "已制定方案", difficulties: "资金紧缺" } }
    const r = await engine.run(submitReport(`spring-week/${unit}/plan`, body, actor))
    await engine.run(approve(r.report, lead))
  }
  await engine.advance("2026-04-20T09:00:00+08:00")
  for (const [unit, clerk, brochures, people] of units) {
    const actor = await engine.actor(clerk)
    await engine.run(acknowledge(`spring-week/${unit}/brochures`, actor))
    const body = { figures: { brochures, people }, narrative: { narrative: "设点宣传" } }
    const r = await engine.run(submitReport(`spring-week/${unit}/brochures`, body, actor))
    await engine.run(approve(r.report, lead))
  }
}

/** Waits until `check` holds, polling; fails naming `what` after about a minute. */
export const until = async (what: string, check: () => Promise<boolean>) => {
  for (let tries = 0; !(await check()); tries++) {
    if (tries > 3000) throw new Error(`waited too long for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A wake-up of the workers (`Store.wake`): sent on its own once a transaction has committed. */
const wakeUp = /^begin; set local synchronous_commit = off; select pg_notify\(/

/**
 * The statements sent while `run` runs, by their first words (`texts`: whole); not the wake-ups
 * sent meanwhile, which follow a commit on their own time — perhaps an earlier command's.
 */
export const counted = async <A>(run: () => Promise<A>) => {
  const statements: string[] = []
  const texts: string[] = []
  const original = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    const first = args[0]
    const text = String(typeof first === "string" ? first : (first?.text ?? ""))
      .replace(/\s+/g, " ")
      .trim()
    if (!wakeUp.test(text)) {
      statements.push(text.slice(0, 60))
      texts.push(text)
    }
    return (original as any).apply(this, args)
  } as typeof original
  try {
    const value = await run()
    return { value, statements, texts }
  } finally {
    pg.Client.prototype.query = original
  }
}
