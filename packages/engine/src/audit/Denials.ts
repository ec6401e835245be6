/**
 * Refused attempts are evidence too: whoever tries what their role forbids —
 * another unit's task, an approval without the authority — is recorded, in a
 * transaction of its own, while the caller still gets its "not allowed" or
 * "not found". Recorded without flooding: the first refusal of a (principal,
 * action, target) in a window is an `access.denied` row in the campaign's
 * chain; later ones in the window are counted in `denials`, and the next
 * journaled refusal of that key carries how many there were (`repeated`). A
 * principal gets at most `journaledPerWindow` journaled keys per campaign and
 * window; beyond that, refusals are counted only. A target outside any chain
 * the caller may see — a campaign that does not exist, or one it takes no part
 * in — is recorded in `denials` alone, with the same work and the same answer,
 * so a refusal never tells whether its target exists.
 */
import { Effect } from "effect"
import { type Actor, actorUnit } from "../Actor.ts"
import { Clock, wallNow } from "../Clock.ts"
import { query } from "../Db.ts"
import type { NotAllowed, NotFound } from "../Errors.ts"
import { appendJournal, journaled } from "../Journal.ts"
import { countRefusal, journaledKeysSince, lockDenialWindow } from "../sql/Denials.ts"
import { campaignMachine } from "../sql/Machines.ts"

/** How long a window of refusals lasts: later refusals of the same key in it are counted, not journaled. */
export const denialWindowMs = 10 * 60_000

/** The most (action, target) keys one principal gets journaled in one campaign per window. */
export const journaledPerWindow = 32

/**
 * Records a refused attempt. `campaignId` names the chain that may journal it, or null for
 * none; `journal: false` records it in `denials` only (a campaign the caller may not see).
 */
export const recordDenial = (
  campaignId: string | null,
  actor: Actor,
  action: string,
  ref: string,
  error: NotAllowed | NotFound,
  options: { readonly journal?: boolean } = {},
) =>
  Effect.gen(function* () {
    const at = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    const now = yield* wallNow
    const cutoff = new Date(now.getTime() - denialWindowMs)
    yield* journaled("denial", (tx) =>
      Effect.gen(function* () {
        const machine =
          campaignId === null ? undefined : yield* query("denial.machine", (db) => campaignMachine(db, campaignId), tx)
        const chain = options.journal === false ? undefined : machine
        const row = yield* query("denial.window", (db) => lockDenialWindow(db, actor.id, action, ref), tx)
        const fresh = row === undefined || new Date(row.window_start).getTime() <= cutoff.getTime()
        let journal = false
        if (fresh && chain !== undefined && campaignId !== null) {
          const used = yield* query("denial.budget", (db) => journaledKeysSince(db, actor.id, campaignId, cutoff), tx)
          journal = used < journaledPerWindow
        }
        // Refusals recorded here and not yet reported by a journal row; a journaled one reports them.
        const repeated = row?.pending ?? 0
        const pending = journal ? 0 : repeated + 1
        yield* query(
          "denial.count",
          (db) =>
            countRefusal(
              db,
              {
                principal: actor.id,
                action,
                target: ref,
                campaignId: machine === undefined ? null : campaignId,
                journaled: journal,
                at: now,
                pending,
              },
              fresh,
            ),
          tx,
        )
        if (!journal || chain === undefined || campaignId === null) return
        yield* appendJournal(tx, {
          campaignId,
          machineId: chain.id,
          unit: null,
          actor,
          cause: "denied",
          idempotencyKey: null,
          event: {
            type: "access.denied",
            action,
            ref,
            reason: error.en,
            reasonZh: error.zh,
            actorUnit: actorUnit(actor),
            // the same refusals recorded since this key's last journaled one, counted only
            ...(repeated > 0 ? { repeated } : {}),
          },
          before: null,
          after: null,
          occurredAt: at,
        })
      }),
    )
  })

const isRefusal = (error: unknown): error is NotAllowed | NotFound =>
  typeof error === "object" &&
  error !== null &&
  "_tag" in error &&
  (error._tag === "NotAllowed" || error._tag === "NotFound")

/** Passes a refusal through, journaling it first (counted, when it repeats within a window). */
export const journalDenial =
  (campaignId: string, actor: Actor, action: string, ref: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.tapError(effect, (error) =>
      isRefusal(error) ? Effect.ignore(recordDenial(campaignId, actor, action, ref, error)) : Effect.void,
    )

/**
 * Fails with `error`, recording the attempt outside any chain: the target's campaign does not
 * exist (`campaignId` null) or the caller takes no part in it. The same work either way.
 */
export const refuseUnseen = (campaignId: string | null, actor: Actor, action: string, ref: string, error: NotFound) =>
  Effect.andThen(
    Effect.ignore(recordDenial(campaignId, actor, action, ref, error, { journal: false })),
    Effect.fail(error),
  )
