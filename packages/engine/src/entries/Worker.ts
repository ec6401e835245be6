/** @liandong/engine/worker — applying due timers and messages. */

/** The channel the worker listens on for new work. */
export { workChannel } from "../FollowUps.ts"
/** Webhooks and group robots: posted with retries like emails; the hosts they may reach. */
export {
  endpointKinds,
  endpointRequest,
  hostAllowed,
  robotMarkdown,
  sendDueEndpoints,
  shownUrl,
  WebhookAllowRef,
  webhookAllowFromEnv,
} from "../notices/Endpoints.ts"
/** Notices to people: fanned out per unit contact, emails sent with retries (see docs/notices.md). */
export {
  backoffSeconds,
  type DeliveryOptions,
  type DeliveryTally,
  deliverNotices,
  expandNotices,
  noticeText,
  sendDueEmails,
} from "../notices/Notices.ts"
/** When an email due in a person's quiet hours may go: the end of them. */
export { afterQuietHours } from "../notices/Preferences.ts"
/** The failure to render a campaign's summary when it closes. */
export { SummaryNotRendered } from "../worker/Summary.ts"
/** Run the worker until stopped, until idle at a time, or one item. */
export {
  processNext,
  runUntilIdle,
  runWorker,
  type WorkerOptions,
  type WorkerTally,
  workerPass,
} from "../worker/Worker.ts"
