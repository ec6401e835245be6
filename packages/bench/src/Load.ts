/**
 * The load driver: plays the script of every phase on the campaign calendar,
 * an hour at a time. Each hour it moves the clock (the driver's and every
 * worker's) and runs that hour's commands — as fast as `concurrency` allows,
 * or paced at a given rate. Flat out, the commands of one hour are still
 * running when the next hour's begin (a unit's in order): only an opening, a
 * reminder, a deadline or a close waits for every command before it; and a
 * unit's commands start as soon as the opening has reached it, while the
 * workers sweep the others. Paced, the commands wait for each sweep (the
 * opening, a deadline, the close) to end.
 */
import { Clock, itemsDueLeft } from "@liandong/engine/runtime"
import { Effect } from "effect"
import { sql } from "kysely"
import { campaignKey } from "./Campaign.ts"
import { commandFor } from "./Commands.ts"
import { type Action, phaseScript } from "./Script.ts"
import type { Bench } from "./Setup.ts"
import type { Workers } from "./Workers.ts"

const hour = 3_600_000

/** The tables an opening or a deadline changes wholesale: the queues, the machines, their tasks and reports. */
const analyzedAfterSweep = ["timers", "messages", "machines", "tasks", "reports"] as const

/** One sweep: every unit's item at one instant, applied by the workers. */
export interface Sweep {
  readonly phase: string
  readonly what: "open" | "deadline" | "close"
  readonly items: number
  readonly seconds: number
}

/** What playing one phase recorded. */
export interface PhaseRecord {
  readonly phase: string
  readonly paced: boolean
  readonly seconds: number
  readonly commands: number
  readonly failures: number
  /** issue → commit of each command (ms), and of each kind's */
  readonly latencies: Latencies
  readonly sweeps: Sweep[]
  readonly events: number
}

/** Issue → commit of each command (ms), all of them and by kind. */
export interface Latencies {
  readonly all: number[]
  readonly byKind: Record<Action["kind"], number[]>
}

/** The driver's state shared across phases. */
export interface Driver {
  readonly bench: Bench
  readonly workers: Workers
  readonly concurrency: number
  /** How far the calendar moves at a time when running flat out (ms). */
  readonly stepMs: number
  /** Wall-clock time (epoch ms) each approval committed, by `<unit>:<phase>`, for reaction times. */
  readonly approvedAt: Map<string, number>
  readonly failureSamples: string[]
}

/**
 * Moves the campaign clock (driver and workers) to `at`, then wakes the workers if a timer or
 * message is due by then. On a real calendar a worker sleeps until its next timer and a commit
 * that sends a message wakes it; the simulated calendar jumps, so the jump wakes them, but only
 * when it has made something due: a wake-up for nothing costs each worker a look.
 */
export const moveClock = async (driver: Driver, at: number) => {
  const { runtime, store } = driver.bench
  await runtime.runPromise(Effect.flatMap(Effect.service(Clock), (c) => c.set(new Date(at))))
  await driver.workers.setClock(at)
  if (await pendingAt(driver, at)) store.wake("liandong_work", [campaignKey])
}

/**
 * Whether an item due at `at` is left that no worker has applied yet. Asked during a sweep, so it
 * stops at the first such item (a count of 50,000 pending messages took a core).
 */
const pendingAt = (driver: Driver, at: number): Promise<boolean> => itemsDueLeft(driver.bench.store.db, new Date(at))

/**
 * Waits until everything due by `at` has been applied; how long it took and how many items fell
 * due at `at` (applied by the workers, or by a command on its own machine). Asked every 10 ms,
 * less often as a sweep lasts (a fiftieth of its time so far, at most every 100 ms): a national
 * sweep lasts seconds, and each probe walks the dead index entries of the items already done
 * (2.5 ms a probe at 50,000 units, 15 s of the server's time a phase).
 */
export const waitIdle = async (driver: Driver, at: number, started: number) => {
  while (await pendingAt(driver, at)) await pauseAfter(started)
  const seconds = (performance.now() - started) / 1000
  // What fell due at `at`, whoever applied it: a command applies what is due on its own machine.
  const due = new Date(at)
  const { rows } = await sql<{ n: string }>`
    select (select count(*) from messages where available_at = ${due} and status in ('done', 'moot'))
         + (select count(*) from timers where due_at = ${due} and status in ('done', 'moot')) as n`.execute(
    driver.bench.store.db,
  )
  return { seconds, items: Number(rows[0]?.n ?? 0) }
}

/** The journal's length: every durable event so far. */
export const journalLength = async (driver: Driver): Promise<number> => {
  const row = await driver.bench.store.db
    .selectFrom("campaigns")
    .select("journal_seq")
    .where("id", "=", campaignKey)
    .executeTakeFirstOrThrow()
  return row.journal_seq
}

/** The calendar standing at `at`, for one command: its time whatever the shared clock says by then. */
const clockAt = (at: number) =>
  Clock.of({ now: Effect.sync(() => new Date(at)), set: () => Effect.void, simulated: true })

/** Runs an action stamped at `at`, the calendar step it belongs to. */
const runAction = async (driver: Driver, action: Action, at: number, phase: string, latencies: Latencies) => {
  const started = performance.now()
  const outcome = await driver.bench.runtime.runPromise(
    Effect.result(commandFor(campaignKey, action, driver.bench.principals)).pipe(
      Effect.provideService(Clock, clockAt(at)),
    ),
  )
  const took = performance.now() - started
  latencies.all.push(took)
  latencies.byKind[action.kind].push(took)
  if (outcome._tag === "Failure") {
    if (driver.failureSamples.length < 5)
      driver.failureSamples.push(
        `${action.kind} ${action.unit}: ${String((outcome.failure as Error).message ?? outcome.failure)}`,
      )
    return false
  }
  if (action.kind === "approve") driver.approvedAt.set(`${action.unit}:${phase}`, Date.now())
  return true
}

/** Plays one phase; `rate` (commands/s) paces it, otherwise it runs flat out. */
export const playPhase = async (
  driver: Driver,
  phaseKey: string,
  seed: number,
  rate?: number,
): Promise<PhaseRecord> => {
  const { campaign } = driver.bench
  const phase = campaign.phases.find((p) => p.key === phaseKey)
  if (phase === undefined) throw new Error(`no phase ${phaseKey}`)
  const opens = Date.parse(phase.opensAt)
  const closes = Date.parse(phase.closesAt)
  const deadlines = new Set(phase.tasks.map((t) => Date.parse(t.deadline)))
  // Flat out, the calendar moves in steps of `stepMs` (and stops at every opening, reminder,
  // deadline and close); paced, an hour at a time. An action runs at the last stop before it.
  const step = rate === undefined ? driver.stepMs : hour
  const script = phaseScript(campaign, phaseKey, seed)
  const instants = [
    ...new Set([
      opens,
      closes,
      ...deadlines,
      ...phase.tasks.flatMap((t) => t.reminders.map((r) => Date.parse(r))),
      ...script.map((a) => Math.floor(a.at / step) * step),
    ]),
  ].sort((a, b) => a - b)
  const byInstant = new Map<number, Action[]>()
  for (const action of script) {
    let low = 0
    let high = instants.length - 1
    while (low < high) {
      const mid = Math.ceil((low + high) / 2)
      if ((instants[mid] as number) <= action.at) low = mid
      else high = mid - 1
    }
    const at = instants[low] as number
    const list = byInstant.get(at)
    if (list === undefined) byInstant.set(at, [action])
    else list.push(action)
  }
  const reminders = new Set(phase.tasks.flatMap((t) => t.reminders.map((r) => Date.parse(r))))
  const latencies: Latencies = { all: [], byKind: { ack: [], report: [], return: [], approve: [] } }
  const sweeps: Sweep[] = []
  let commands = 0
  let failures = 0
  const flat = rate === undefined ? flatOut(driver.concurrency) : undefined
  const eventsBefore = await journalLength(driver)
  const started = performance.now()
  // The sweep under way, flat out: the commands do not wait for it (below).
  let sweeping: Promise<void> = Promise.resolve()
  for (const at of instants) {
    const what = at === opens ? "open" : deadlines.has(at) ? "deadline" : at === closes ? "close" : undefined
    // Timers fall due here: what the script did before them is done first, as on the calendar.
    if (flat !== undefined && (what !== undefined || reminders.has(at))) {
      failures += await flat.drain()
      await sweeping
    }
    const moved = performance.now()
    await moveClock(driver, at)
    if (what !== undefined) {
      // Flat out, a unit acts as soon as the opening has reached it, while the workers are still
      // sending the others theirs; after a deadline or a close it does not wait at all: a command
      // applies what fell due on its own machine first. Paced, every command waits for the
      // sweep, so that its latency is the engine's and not the sweep's.
      const opened = flat !== undefined && what === "open" ? gateUnits(flat, script) : undefined
      const sweep = (opened === undefined ? waitIdle(driver, at, moved) : waitOpened(driver, at, moved, opened)).then(
        async (swept) => {
          sweeps.push({ phase: phaseKey, what, ...swept })
          // An opening or a deadline changes the queues and the tasks wholesale. Where autovacuum
          // is off (this server) or absent (PGlite), the planner would keep the statistics of the
          // empty queues taken after the deploy and scan what it believes empty: the tables it
          // changed are analyzed here, as autoanalyze would after such a change. Not the
          // journal: no plan of the hot path depends on its size, and sampling it was half of
          // each analyze's time.
          if (what !== "close")
            await sql`analyze ${sql.raw(analyzedAfterSweep.join(", "))}`.execute(driver.bench.store.db)
        },
      )
      if (flat === undefined) await sweep
      else {
        // Awaited at the next stop, where a failure of it fails the phase; not unhandled before.
        sweep.catch(() => undefined)
        sweeping = sweep
      }
    }
    const actions = byInstant.get(at) ?? []
    commands += actions.length
    const run = (a: Action) => runAction(driver, a, at, phaseKey, latencies)
    if (flat !== undefined) for (const action of actions) flat.add(action, run)
    else failures += (await paced(actions, rate as number, run)).filter((ok) => !ok).length
  }
  if (flat !== undefined) {
    failures += await flat.drain()
    await sweeping
  }
  return {
    phase: phaseKey,
    paced: rate !== undefined,
    seconds: (performance.now() - started) / 1000,
    commands,
    failures,
    latencies,
    sweeps,
    events: (await journalLength(driver)) - eventsBefore,
  }
}

/** Each unit of the phase's script held until its opening reaches it: the releases by unit. */
const gateUnits = (flat: ReturnType<typeof flatOut>, script: ReadonlyArray<Action>) => {
  const release = new Map<string, () => void>()
  for (const action of script) {
    if (release.has(action.unit)) continue
    flat.hold(action.unit, new Promise<void>((resolve) => release.set(action.unit, resolve)))
  }
  return release
}

/** A pause between two looks at a sweep: a fiftieth of its time so far, 10 to 100 ms (`waitIdle`). */
const pauseAfter = (started: number) =>
  new Promise((r) => setTimeout(r, Math.min(100, Math.max(10, (performance.now() - started) / 50))))

/**
 * `waitIdle` for an opening whose units' actions are held (`release`). The campaign's machine
 * sends each unit its opening when its own timer is applied; a unit is released once no message
 * to it due by `at` is pending — it has heard everything sent to it by then. Each look asks only
 * for the first message still pending, in the queue's order (one row, by its index): every unit
 * whose messages all come before it has heard; the workers take them about in that order, so
 * the units are released about as fast as their openings are applied.
 */
const waitOpened = async (driver: Driver, at: number, started: number, release: Map<string, () => void>) => {
  const db = driver.bench.store.db
  const due = new Date(at)
  const go = (unit: string) => {
    release.get(unit)?.()
    release.delete(unit)
  }
  const campaignDue = () =>
    sql<{ left: boolean }>`select exists (select 1 from timers t join machines m on m.id = t.machine_id
      where t.status = 'pending' and t.due_at <= ${due} and m.kind = 'campaign') as left`
      .execute(db)
      .then((result) => result.rows[0]?.left !== false)
  while (await campaignDue()) await pauseAfter(started)
  // Each held unit's messages pending now, in the queue's order; a unit with none is released.
  const { rows } = await sql<{ id: string; unit_key: string }>`
    select g.id, m.unit_key from messages g join machines m on m.id = g.machine_id
    where g.status = 'pending' and g.available_at <= ${due} and m.kind = 'unit'`.execute(db)
  const last = new Map<string, bigint>()
  for (const row of rows) {
    const id = BigInt(row.id)
    if ((last.get(row.unit_key) ?? -1n) < id) last.set(row.unit_key, id)
  }
  for (const unit of [...release.keys()]) if (!last.has(unit)) go(unit)
  // The held units by their last pending message, first to be heard first.
  const waiting = [...last]
    .filter(([unit]) => release.has(unit))
    .map(([unit, lastId]) => ({ unit, lastId }))
    .sort((a, b) => (a.lastId < b.lastId ? -1 : 1))
  let next = 0
  while (next < waiting.length) {
    const { rows: first } = await sql<{ id: string; at: Date }>`
      select id, available_at as at from messages where status = 'pending' and available_at <= ${due}
      order by available_at, id limit 1`.execute(db)
    const head = first[0]
    // Nothing pending: every unit has heard; an earlier message pending: none is known to have.
    const below = head === undefined ? undefined : new Date(head.at).getTime() < at ? 0n : BigInt(head.id)
    for (let held = waiting[next]; held !== undefined && (below === undefined || held.lastId < below); ) {
      go(held.unit)
      held = waiting[++next]
    }
    if (next < waiting.length) await pauseAfter(started)
  }
  return waitIdle(driver, at, started)
}

/**
 * Runs actions with `concurrency` in flight, across the calendar's steps: each unit's one after
 * another, in the order added; the others as soon as a place is free. `drain` waits for every
 * action added and says how many failed.
 */
const flatOut = (concurrency: number) => {
  let running = 0
  let failed = 0
  const waiting: Array<() => void> = []
  const lastOfUnit = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()
  const place = () =>
    new Promise<void>((resolve) => {
      if (running < concurrency) {
        running++
        resolve()
      } else waiting.push(resolve)
    })
  const free = () => {
    const next = waiting.shift()
    if (next === undefined) running--
    else next()
  }
  return {
    add: (action: Action, run: (a: Action) => Promise<boolean>) => {
      const done = (lastOfUnit.get(action.unit) ?? Promise.resolve())
        .then(place)
        .then(() => run(action))
        .then(
          (ok) => {
            if (!ok) failed++
          },
          () => {
            failed++
          },
        )
        .finally(free)
      lastOfUnit.set(action.unit, done)
      inFlight.add(done)
      void done.finally(() => inFlight.delete(done))
    },
    /** Holds a unit's actions until `until` resolves (added before its first action). */
    hold: (unit: string, until: Promise<void>) => {
      lastOfUnit.set(unit, until)
    },
    drain: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight)
      lastOfUnit.clear()
      const count = failed
      failed = 0
      return count
    },
  }
}

/** Issues `actions` at `rate` a second, whether or not earlier ones finished (an open loop). */
const paced = async <A>(actions: ReadonlyArray<A>, rate: number, run: (a: A) => Promise<boolean>) => {
  const start = performance.now()
  const running: Promise<boolean>[] = []
  for (const [i, action] of actions.entries()) {
    const wait = start + (i * 1000) / rate - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    running.push(run(action))
  }
  return Promise.all(running)
}
