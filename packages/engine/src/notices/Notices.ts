/**
 * Notices that reach people. A step writes each notice (reminder, overdue, returned, approved,
 * phase opened) to the outbox in the transaction of the event that caused it, and shows it in
 * the app to its unit's contacts in the same statement (`stepWrites`). Where that is all — no
 * contact has an email address, the campaign no endpoint — the notice is done then; otherwise
 * the worker fans it out here — an email for each contact with an address when a mailer is
 * configured, a post to each endpoint (the in-app deliveries already there are left as they
 * are) — and sends the emails due, retrying with backoff and parking after `maxAttempts`. Each person's preferences are honoured: a kind
 * they muted gets no email (in-app still), and an email falling due in their quiet hours is
 * scheduled for the end of them, on the clock the pass is given.
 *
 * At least once: an email is marked sent in the transaction that claimed it, after the SMTP
 * server took it; a crash in between sends it again. Every copy carries the same Message-ID
 * (and X-Liandong-Delivery header), which a receiver can use to drop the repeat.
 */
import { type Campaign, deadlineOf, unitOf, wholeDayEnding } from "@liandong/workflow"
import { Context, Effect } from "effect"
import { query, transaction } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import {
  claimDueEmails,
  claimFanOut,
  type DeliveryToInsert,
  markFailed,
  markSent,
  type NoticeWork,
  noticeWorkDue,
  writeFanOut,
} from "../sql/Notices.ts"
import { selectPreferencesOf } from "../sql/Preferences.ts"
import { endpointDeliveriesOf, sendDueEndpoints } from "./Endpoints.ts"
import { afterQuietHours, type Preferences, preferencesOf } from "./Preferences.ts"

/** One email, as the mailer sends it. */
export interface Mail {
  readonly to: string
  readonly subject: string
  readonly text: string
  /** the same for every attempt at one delivery, so a receiver can drop a repeat */
  readonly messageId: string
  readonly headers: Readonly<Record<string, string>>
}

/** Sends mail: SMTP in deployments (`smtpMailer`), none when not configured. */
export interface Mailer {
  readonly send: (mail: Mail) => Promise<void>
}

/** The mailer this process sends with; null: no email channel (notices stay in-app). */
export const MailerRef = Context.Reference<Mailer | null>("@liandong/engine/Mailer", { defaultValue: () => null })

/** How deliveries are tried. */
export interface DeliveryOptions {
  /** attempts before a delivery is parked (default 8) */
  readonly maxAttempts?: number
  /** notices fanned out, and emails sent, per pass (default 100 and 20) */
  readonly expandBatch?: number
  readonly sendBatch?: number
  /** how long a webhook or group robot has to answer, in milliseconds (default 10 000) */
  readonly webhookTimeoutMs?: number
}

/** Seconds before the next attempt after `attempts` failures: 30 s doubling, at most an hour. */
export const backoffSeconds = (attempts: number): number => Math.min(30 * 2 ** attempts, 3600)

/** What one delivery pass did. */
export interface DeliveryTally {
  expanded: number
  sent: number
  failed: number
  parked: number
}

type NoticeKind = "reminder" | "overdue" | "returned" | "approved" | "phase-opened" | "nudge" | "escalated"

/** What a nudge (催办) says is awaited, by its selector (named units: a report). */
const nudgeWhat = {
  unacknowledged: { zh: "的任务尚未确认接收，请尽快确认接收并报送", en: "has not acknowledged its tasks" },
  unreported: { zh: "尚未报送，请尽快报送", en: "has not reported" },
  returned: { zh: "被退回的报送尚未重新报送，请尽快修改后重新报送", en: "has not reported again after a return" },
  named: { zh: "：请尽快报送", en: "is asked to report" },
} as const

const localDeadline = (iso: string, timeZone: string) => {
  const format = (date: Date) =>
    new Intl.DateTimeFormat("zh-CN", {
      timeZone,
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }).format(date)
  const ending = wholeDayEnding(new Date(iso), timeZone)
  return ending === undefined ? format(new Date(iso)) : `${format(ending).slice(0, -5)}24:00`
}

/** The words of a notice: a Chinese subject, and a body in Chinese then English. */
export const noticeText = (
  campaign: Campaign,
  notice: { readonly kind: NoticeKind; readonly unit: string; readonly body: unknown },
  person: string,
): { subject: string; text: string } => {
  const body = (notice.body ?? {}) as {
    task?: string | null
    phase?: string | null
    message?: string | null
    which?: "unacknowledged" | "unreported" | "returned" | null
    byUnit?: string | null
    about?: string | null
  }
  const unit = unitOf(campaign, notice.unit)?.name ?? notice.unit
  const coordinator = unitOf(campaign, campaign.coordinator)?.name ?? campaign.coordinator
  const task = campaign.phases.flatMap((p) => p.tasks).find((t) => t.key === body.task)
  const phase = campaign.phases.find((p) => p.key === body.phase)
  const taskTitle = task?.title.zh ?? body.task ?? ""
  const taskEn = task?.title.en ?? body.task ?? ""
  // The unit the notice is about: its own, or for an escalation the unit below.
  const subjectUnit = body.about ?? notice.unit
  const about = unitOf(campaign, subjectUnit)?.name ?? subjectUnit
  const dueAt = task === undefined ? "" : deadlineOf(task, subjectUnit)
  const deadline = task === undefined ? "" : localDeadline(dueAt, campaign.timeZone)
  const nudger = (body.byUnit == null ? undefined : unitOf(campaign, body.byUnit))?.name ?? coordinator
  const what = nudgeWhat[body.which ?? "named"] ?? nudgeWhat.named
  const where = [
    phase === undefined ? undefined : `“${phase.name.zh}”阶段`,
    task === undefined ? undefined : `任务“${taskTitle}”`,
  ]
    .filter(Boolean)
    .join("")
  const whereEn = [
    phase === undefined ? undefined : `phase "${phase.name.en ?? phase.key}"`,
    task === undefined ? undefined : `task "${taskEn}"`,
  ]
    .filter(Boolean)
    .join(", ")
  const message = typeof body.message === "string" && body.message !== "" ? body.message : null
  const lines: Record<NoticeKind, { tag: string; zh: string; en: string }> = {
    reminder: {
      tag: "提醒",
      zh: `${unit}的任务“${taskTitle}”将于${deadline}截止，尚未报送，请按时报送。`,
      en: `Reminder: the task "${taskEn}" of ${unit} is due ${dueAt} and has not been reported.`,
    },
    overdue: {
      tag: "逾期",
      zh: `${unit}的任务“${taskTitle}”已过截止时间（${deadline}），仍未报送，请尽快报送。`,
      en: `Overdue: the task "${taskEn}" of ${unit} passed its deadline unreported.`,
    },
    returned: {
      tag: "退回",
      zh: `${unit}报送的“${taskTitle}”已被退回，请查看退回理由，修改后重新报送。`,
      en: `Returned: the report on "${taskEn}" of ${unit} was returned; see the reason and report again.`,
    },
    approved: {
      tag: "已通过",
      zh: `${unit}报送的“${taskTitle}”已审核通过。`,
      en: `Approved: the report on "${taskEn}" of ${unit} was approved.`,
    },
    "phase-opened": {
      tag: "阶段开始",
      zh: `“${phase?.name.zh ?? body.phase ?? ""}”阶段已开始，请确认接收${unit}本阶段的任务。`,
      en: `The phase "${phase?.name.en ?? body.phase ?? ""}" has opened; please acknowledge ${unit}'s tasks in it.`,
    },
    escalated: {
      tag: "逾期上报",
      zh: `${about}的任务“${taskTitle}”已于${deadline}截止，至今仍未报送，现报${unit}督促。`,
      en: `Escalated: the task "${taskEn}" of ${about} passed its deadline (${dueAt}) and is still unreported; ${unit} is asked to follow it up.`,
    },
    nudge: {
      tag: "催办",
      zh: `${nudger}催办：${unit}${where === "" ? "" : `在${where}中`}${what.zh}。${message === null ? "" : `\n留言：“${message}”`}`,
      en: `Nudge from ${nudger}: ${unit} ${what.en}${whereEn === "" ? "" : ` (${whereEn})`}; please see to it as soon as possible.${message === null ? "" : ` Message: "${message}"`}`,
    },
  }
  const line = lines[notice.kind]
  return {
    subject: `【${line.tag}】${campaign.title}${task === undefined ? "" : `：${taskTitle}`}`,
    text: [
      `${person}：`,
      "",
      line.zh,
      "",
      `${coordinator}`,
      `（联动 Liandong 自动发送，请勿直接回复）`,
      "",
      "—",
      line.en,
      "",
    ].join("\n"),
  }
}

/** What one fan-out did: the notices it took, and whether it queued emails or posts due at once. */
interface FannedOut {
  readonly notices: number
  readonly emails: boolean
  readonly endpoints: boolean
}

const fannedOutNone: FannedOut = { notices: 0, emails: false, endpoints: false }

/**
 * One transaction of fan-out: up to `expandBatch` notices to their contacts and endpoints.
 * One statement reads the notices with everything their fan-out needs, one writes it.
 */
const fanOut = (now: Date, options: DeliveryOptions) =>
  transaction("notices.expand", (tx) =>
    Effect.gen(function* () {
      const mailer = yield* Effect.service(MailerRef)
      const work = yield* query("notices.claim", (db) => claimFanOut(db, expandBatchOf(options), mailer !== null), tx)
      const { notices, contacts } = work
      if (notices.length === 0) return fannedOutNone
      const preferences = new Map<string, Preferences>(
        work.preferences.map((row) => [row.principal_id, preferencesOf(row)] as const),
      )
      const people: DeliveryToInsert[] = []
      for (const notice of notices)
        for (const person of contacts.filter((c) => c.unit_key === notice.unit_key)) {
          const base = { notification_id: notice.id, principal_id: person.id }
          people.push({ ...base, channel: "in-app", address: null, status: "sent", next_attempt_at: now, sent_at: now })
          const wants = preferences.get(person.id) ?? preferencesOf(undefined)
          if (mailer !== null && person.email !== null && person.email !== "" && !wants.muted.includes(notice.kind))
            people.push({
              ...base,
              channel: "email",
              address: person.email,
              status: "pending",
              next_attempt_at: afterQuietHours(now, wants.quietHours, wants.timeZone),
              sent_at: null,
            })
        }
      const endpoints = endpointDeliveriesOf(notices, work.endpoints, now)
      const ids = notices.map((n) => n.id)
      yield* query("notices.fannedOut", (db) => writeFanOut(db, { people, endpoints, notices: ids, at: now }), tx)
      return {
        notices: notices.length,
        emails: people.some((row) => row.channel === "email" && row.next_attempt_at <= now),
        endpoints: endpoints.length > 0,
      } satisfies FannedOut
    }),
  )

const expandBatchOf = (options: DeliveryOptions) => options.expandBatch ?? 100

/** Fans notices out to their units' contacts: in-app for each, email for each with an address when mail is on. */
export const expandNotices = (now: Date, options: DeliveryOptions = {}) =>
  Effect.map(fanOut(now, options), (done) => done.notices)

/** Sends the emails due at `now`, each settled in the transaction that claimed it. */
export const sendDueEmails = (now: Date, options: DeliveryOptions = {}) =>
  Effect.gen(function* () {
    const mailer = yield* Effect.service(MailerRef)
    const tally = { sent: 0, failed: 0, parked: 0 }
    if (mailer === null) return tally
    const maxAttempts = options.maxAttempts ?? 8
    yield* transaction("notices.send", (tx) =>
      Effect.gen(function* () {
        const due = yield* query("notices.claimEmails", (db) => claimDueEmails(db, now, options.sendBatch ?? 20), tx)
        for (const delivery of due) {
          const campaign = (yield* loadCampaign(delivery.campaign_id, tx)).definition
          const words = noticeText(
            campaign,
            { kind: delivery.kind, unit: delivery.unit_key, body: delivery.body },
            delivery.person,
          )
          const id = String(delivery.id)
          const sent = yield* Effect.tryPromise({
            try: () =>
              mailer.send({
                to: delivery.address ?? "",
                subject: words.subject,
                text: words.text,
                messageId: `<delivery-${id}.${delivery.campaign_id}@liandong>`,
                headers: { "X-Liandong-Delivery": id, "X-Liandong-Campaign": delivery.campaign_id },
              }),
            catch: (error) => (error instanceof Error ? error.message : String(error)),
          }).pipe(Effect.result)
          if (sent._tag === "Success") {
            yield* query("notices.sent", (db) => markSent(db, id, now), tx)
            tally.sent++
          } else {
            const parked = delivery.attempts + 1 >= maxAttempts
            const wants = preferencesOf(
              (yield* query("notices.preferences", (db) => selectPreferencesOf(db, [delivery.person_id]), tx))[0],
            )
            const next = afterQuietHours(
              new Date(now.getTime() + backoffSeconds(delivery.attempts) * 1000),
              wants.quietHours,
              wants.timeZone,
            )
            yield* query("notices.failed", (db) => markFailed(db, id, { parked, next, error: sent.failure }), tx)
            if (parked) tally.parked++
            else tally.failed++
          }
        }
      }),
    )
    return tally
  })

/**
 * One pass: fan out what is new, then send what is due: emails, then webhooks and group robots.
 * `looked` is what a look at `now` just found (the worker's, which also asks for its next timer).
 */
export const deliverNotices = (now: Date, options: DeliveryOptions = {}, looked?: NoticeWork) =>
  Effect.gen(function* () {
    const none = { sent: 0, failed: 0, parked: 0 }
    // One look first: a worker passes here after every wake-up, mostly with nothing to deliver.
    const due = looked ?? (yield* query("notices.due", (db) => noticeWorkDue(db, now)))
    let expanded = 0
    let { emails, endpoints } = due
    // A fan-out that took less than a batch took every notice there was: no transaction more to
    // find none (a notice written meanwhile is found by the next pass's look).
    for (let more = due.unexpanded; more; ) {
      const done = yield* fanOut(now, options)
      expanded += done.notices
      emails ||= done.emails
      endpoints ||= done.endpoints
      more = done.notices >= expandBatchOf(options)
    }
    // Only what is due: an email or a post queued by the fan-out is due at once.
    const sent = emails ? yield* sendDueEmails(now, options) : none
    const posted = endpoints ? yield* sendDueEndpoints(now, options, { noticeText, backoffSeconds }) : none
    return {
      expanded,
      sent: sent.sent + posted.sent,
      failed: sent.failed + posted.failed,
      parked: sent.parked + posted.parked,
    } satisfies DeliveryTally
  })
