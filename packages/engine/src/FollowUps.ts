/**
 * Turns the effects a pure transition asked for into rows, in the same
 * transaction as the snapshot: timers, messages to other machines, jobs for
 * the worker, notifications. Nothing is executed here; the rows go into the
 * statement that writes the step (`writeSteps`), and the worker picks them up.
 */
import type { FollowUp } from "@liandong/workflow"
import type { StepRows } from "./sql/Machines.ts"

/** The channel workers LISTEN on; the payload is the campaign id. */
export const workChannel = "liandong_work"

/** A message's key in the queue: the dedupe key its machine gave it, within its campaign. */
export const messageKey = (campaignId: string, dedupe: string) => `${campaignId}:${dedupe}`

/**
 * Adds one step's follow-ups to `rows`: new timers, cancelled ones, messages to other machines
 * (numbered after those already there, so they are sent in order), the summary job and
 * notifications; and the workers' wake-up when there is new work. Returns the units the
 * messages go to (`null`: the campaign's machine).
 */
export const addFollowUps = (
  rows: StepRows,
  context: { campaignId: string; machineId: string; at: Date },
  effects: ReadonlyArray<FollowUp>,
): Array<string | null> => {
  const { campaignId, machineId } = context
  const at = context.at.toISOString()
  const sentTo: Array<string | null> = []
  let wakes = false
  for (const effect of effects) {
    switch (effect.type) {
      case "schedule":
        rows.scheduled.push({
          campaign_id: campaignId,
          machine_id: machineId,
          key: effect.key,
          due_at: effect.at,
          event: { ...effect.event, at: new Date(effect.at).toISOString() },
        })
        wakes = true
        break
      case "cancel":
        rows.cancelled.push({ machine_id: machineId, key: effect.key, at })
        break
      case "send": {
        const unit = "unit" in effect.to ? effect.to.unit : null
        rows.sent.push({
          n: rows.sent.length,
          campaign_id: campaignId,
          unit,
          dedupe_key: messageKey(campaignId, effect.dedupe),
          moot_after: effect.mootAfter === undefined ? null : messageKey(campaignId, effect.mootAfter),
          event: { ...effect.event, at },
          at,
        })
        sentTo.push(unit)
        wakes = true
        break
      }
      case "summarize":
        rows.summaries.push({
          campaign_id: campaignId,
          machine_id: machineId,
          event: { type: "summary.write", at },
          at,
        })
        wakes = true
        break
      case "notify":
        rows.notices.push({
          campaign_id: campaignId,
          unit_key: effect.unit,
          kind: effect.kind,
          body: {
            task: effect.task ?? null,
            phase: effect.phase ?? null,
            at,
            ...(effect.about === undefined ? {} : { about: effect.about }),
          },
        })
        break
    }
  }
  // Delivered at commit, once per transaction however many steps asked.
  if (wakes) rows.woken.add(campaignId)
  return sentTo
}
