/**
 * Refused attempts are evidence too: whoever tries what their role forbids —
 * another unit's task, an approval without the authority — leaves a journal
 * row (`access.denied`) in the campaign's chain, in a transaction of its own,
 * while the caller still gets its "not allowed" or "not found".
 */
import { Effect } from "effect"
import { type Actor, actorUnit } from "../Actor.ts"
import { Clock } from "../Clock.ts"
import { query, transaction } from "../Db.ts"
import type { NotAllowed, NotFound } from "../Errors.ts"
import { appendJournal } from "../Journal.ts"

/** Journals a refused attempt on a campaign. */
export const recordDenial = (
  campaignId: string,
  actor: Actor,
  action: string,
  ref: string,
  error: NotAllowed | NotFound,
) =>
  Effect.gen(function* () {
    const at = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    yield* transaction("denial", (tx) =>
      Effect.gen(function* () {
        const machine = yield* query(
          "denial.machine",
          (db) =>
            db
              .selectFrom("machines")
              .select("id")
              .where("campaign_id", "=", campaignId)
              .where("kind", "=", "campaign")
              .executeTakeFirstOrThrow(),
          tx,
        )
        yield* appendJournal(tx, {
          campaignId,
          machineId: machine.id,
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
          } as {
            type: string
          },
          before: null,
          after: null,
          occurredAt: at,
        })
      }),
    )
  })

/** Passes a refusal through, journaling it first. */
export const journalDenial =
  (campaignId: string, actor: Actor, action: string, ref: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.tapError(effect, (error) =>
      typeof error === "object" &&
      error !== null &&
      "_tag" in error &&
      (error._tag === "NotAllowed" || error._tag === "NotFound")
        ? Effect.ignore(recordDenial(campaignId, actor, action, ref, error as unknown as NotAllowed | NotFound))
        : Effect.void,
    )
