/**
 * Turns the effects a pure transition asked for into rows, in the same
 * transaction as the snapshot: timers, messages to other machines, jobs for
 * the worker, notifications. Nothing is executed here; the worker picks the
 * rows up.
 */
import type { FollowUp } from "@liandong/workflow"
import { cancelTimers, notify, queueSummary, scheduleTimers, sendMessages, wakeWorkers } from "./sql/FollowUps.ts"
import type { StepPart } from "./sql/Machines.ts"

/** The channel workers LISTEN on; the payload is the campaign id. */
export const workChannel = "liandong_work"

/**
 * The writes of one step's follow-ups, as parts of the step's one statement (Step.ts): new
 * timers, cancelled ones, messages to other machines (the `sent` part returns their machine
 * ids), the summary job and notifications; and the workers' wake-up when there is new work.
 */
export const followUpWrites = (
  context: { campaignId: string; machineId: string; at: Date },
  effects: ReadonlyArray<FollowUp>,
): StepPart[] => {
  const parts: StepPart[] = []
  const { campaignId, machineId, at } = context
  const schedules = effects.filter((e) => e.type === "schedule")
  const cancels = effects.filter((e) => e.type === "cancel")
  const sends = effects.filter((e) => e.type === "send")
  const notices = effects.filter((e) => e.type === "notify")
  const summarize = effects.some((e) => e.type === "summarize")
  if (schedules.length > 0)
    parts.push(
      scheduleTimers(
        campaignId,
        machineId,
        schedules.map((s) => ({ key: s.key, due_at: s.at, event: { ...s.event, at: new Date(s.at).toISOString() } })),
      ),
    )
  if (cancels.length > 0)
    parts.push(
      cancelTimers(
        machineId,
        cancels.map((c) => c.key),
        at,
      ),
    )
  if (sends.length > 0)
    parts.push(
      sendMessages(
        campaignId,
        sends.map((s, n) => ({
          n,
          unit: "unit" in s.to ? s.to.unit : null,
          dedupe_key: `${campaignId}:${s.dedupe}`,
          event: { ...s.event, at: at.toISOString() },
        })),
        at,
      ),
    )
  if (summarize) parts.push(queueSummary(campaignId, machineId, at))
  if (notices.length > 0)
    parts.push(
      notify(
        campaignId,
        notices.map((n) => ({
          unit_key: n.unit,
          kind: n.kind,
          body: {
            task: n.task ?? null,
            phase: n.phase ?? null,
            at: at.toISOString(),
            ...(n.about === undefined ? {} : { about: n.about }),
          },
        })),
      ),
    )
  // Delivered at commit, once per transaction however many steps asked.
  if (schedules.length > 0 || sends.length > 0 || summarize) parts.push(wakeWorkers(workChannel, campaignId))
  return parts
}
