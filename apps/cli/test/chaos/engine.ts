/**
 * The engine inside a test's own process (or a reporter's), over a PostgreSQL database: the
 * real services, the system clock (or a fixed campaign time) and the deployment's key file.
 */
import { addPrincipal } from "@liandong/engine/commands"
import { type Actor, Clock, type Db, Log, loadActor, operator, Signer, storeLayer } from "@liandong/engine/runtime"
import { openStore } from "@liandong/store"
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { pino } from "pino"

type Services = Db | Clock | Log | Signer

/** Where and how an in-process engine runs. */
export interface EngineOptions {
  readonly databaseUrl: string
  readonly keyFile: string
  /** A fixed campaign time; the system clock when absent. */
  readonly now?: string | undefined
  readonly poolSize?: number
}

/** How a command ended, as the caller saw it. */
export type Outcome =
  | { readonly ok: true; readonly value: any }
  | { readonly ok: false; readonly tag: string; readonly en: string }

/** Opens the store and an Effect runtime over it; `close()` releases both. */
export const openEngine = async (options: EngineOptions) => {
  const store = await openStore({ databaseUrl: options.databaseUrl, poolSize: options.poolSize ?? 4 })
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      storeLayer(store),
      options.now === undefined ? Clock.system : Clock.simulatedAt(new Date(options.now)),
      Log.of_(pino({ level: "silent" })),
      Signer.fromFile(options.keyFile),
    ),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>): Promise<A> => runtime.runPromise(effect)
  /** Runs a command and says how it ended, never throwing. */
  const attempt = async <A, E>(effect: Effect.Effect<A, E, Services>): Promise<Outcome> => {
    const exit = await runtime.runPromise(Effect.exit(effect))
    if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
    const error = Cause.squash(exit.cause) as { _tag?: string; en?: string; message?: string }
    return { ok: false, tag: error._tag ?? "Defect", en: error.en ?? error.message ?? String(error) }
  }
  const actors = new Map<string, Promise<Actor>>()
  /** The principal as an actor, loaded once it is found. */
  const actor = (id: string): Promise<Actor> => {
    let loaded = actors.get(id)
    if (loaded === undefined) {
      // A failed look-up (the database away) is not kept: the next step asks again.
      loaded = run(loadActor(id)).catch((error: unknown) => {
        actors.delete(id)
        throw error
      })
      actors.set(id, loaded)
    }
    return loaded
  }
  const close = async () => {
    await runtime.dispose()
    await store.close()
  }
  return { store, run, attempt, actor, close }
}

/** An engine opened by `openEngine`. */
export type Engine = Awaited<ReturnType<typeof openEngine>>

/** Registers principals as the operator, a few at a time. */
export const addPrincipals = async (engine: Engine, principals: ReadonlyArray<unknown>): Promise<void> => {
  const pending = [...principals]
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = pending.shift(); next !== undefined; next = pending.shift())
        await engine.run(addPrincipal(next, operator))
    }),
  )
}
