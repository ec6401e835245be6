/**
 * The events machines accept and the follow-ups they ask for. Every event
 * carries `at`, the campaign clock's time: machines never read a clock.
 */

/** An event for a unit's or the campaign's machine. */
export type MachineEvent =
  | { readonly type: "phase.open"; readonly phase: string; readonly at: string }
  | { readonly type: "phase.close"; readonly phase: string; readonly at: string }
  | { readonly type: "task.acknowledge"; readonly task: string; readonly by: string; readonly at: string }
  | {
      readonly type: "task.submit"
      readonly task: string
      readonly report: string
      readonly by: string
      readonly at: string
    }
  | {
      readonly type: "task.approve"
      readonly task: string
      readonly report: string
      /** 审批意见; absent on approvals recorded before comments were kept */
      readonly comment?: string
      readonly by: string
      readonly at: string
    }
  | {
      readonly type: "task.return"
      readonly task: string
      readonly report: string
      readonly reason: string
      readonly by: string
      readonly at: string
    }
  | { readonly type: "task.remind"; readonly task: string; readonly at: string }
  | { readonly type: "task.deadline"; readonly task: string; readonly at: string }
  | { readonly type: "task.escalate"; readonly task: string; readonly at: string }
  | { readonly type: "campaign.start"; readonly by: string; readonly at: string }
  | { readonly type: "phase.due"; readonly phase: string; readonly at: string }
  | { readonly type: "phase.deadline"; readonly phase: string; readonly at: string }
  | { readonly type: "unit.phase-done"; readonly phase: string; readonly unit: string; readonly at: string }
  | { readonly type: "phase.force-close"; readonly phase: string; readonly by: string; readonly at: string }
  | { readonly type: "summary.written"; readonly summary: string; readonly at: string }
  | {
      readonly type: "campaign.changed"
      /** the definition version and content hash the campaign runs under from now on, and the one before */
      readonly version: number
      readonly hash: string
      readonly from: string
      readonly reason: string
      readonly by: string
      readonly at: string
    }

/** An event as it arrives from outside, before it is known to be well formed. */
export interface AnyEvent {
  readonly type: string
  readonly at: string
  readonly [field: string]: unknown
}

/** What a transition asks the engine to do, as data. */
export type FollowUp =
  | {
      readonly type: "schedule"
      readonly key: string
      readonly at: string
      readonly event: { readonly type: string; readonly [field: string]: unknown }
    }
  | { readonly type: "cancel"; readonly key: string }
  | {
      readonly type: "send"
      readonly to: { readonly unit: string } | { readonly campaign: true }
      readonly dedupe: string
      readonly event: { readonly type: string; readonly [field: string]: unknown }
      /**
       * The dedupe key of a message its recipient sends once this one can only be moot to it:
       * when that message was sent before, this one is not (its recipient would ignore it).
       */
      readonly mootAfter?: string
    }
  | {
      readonly type: "notify"
      readonly unit: string
      readonly kind: "reminder" | "overdue" | "returned" | "approved" | "phase-opened" | "escalated"
      readonly task?: string
      readonly phase?: string
      /** the unit a notice to another unit is about (an escalation goes to the unit above) */
      readonly about?: string
    }
  | { readonly type: "summarize" }

/**
 * The dedupe key of the message a unit sends the campaign when it has finished a phase: once
 * sent, the unit's region of that phase is final and the phase's close is nothing to it.
 */
export const phaseDoneKey = (unit: string, phase: string) => `phase-done:${unit}:${phase}`

/** Chinese and English names of the events, for messages. */
export const eventLabels: Record<string, { zh: string; en: string }> = {
  "phase.open": { zh: "开启阶段", en: "open the phase" },
  "phase.close": { zh: "关闭阶段", en: "close the phase" },
  "task.acknowledge": { zh: "确认接收", en: "acknowledge" },
  "task.submit": { zh: "报送", en: "submit a report" },
  "task.approve": { zh: "审核通过", en: "approve" },
  "task.return": { zh: "退回", en: "return" },
  "task.remind": { zh: "提醒", en: "remind" },
  "task.deadline": { zh: "截止", en: "pass the deadline" },
  "task.escalate": { zh: "逾期上报", en: "escalate to the unit above" },
  "campaign.start": { zh: "启动活动", en: "start the campaign" },
  "phase.due": { zh: "阶段到期开启", en: "reach the phase's opening time" },
  "phase.deadline": { zh: "阶段到期", en: "reach the phase's closing time" },
  "unit.phase-done": { zh: "单位完成阶段", en: "record a unit's finished phase" },
  "phase.force-close": { zh: "提前关闭阶段", en: "close the phase early" },
  "summary.written": { zh: "生成总结", en: "record the written summary" },
  "campaign.changed": { zh: "变更活动定义", en: "change the campaign's definition" },
}
