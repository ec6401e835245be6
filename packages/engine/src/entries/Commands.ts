/** @liandong/engine/commands — everything that changes a campaign, each authorized and journaled. */

/** Acknowledge a task (its unit). */
export { acknowledge } from "../commands/Acknowledge.ts"
/** Upload a file (佐证材料) for a task before reporting (its unit); what is accepted, and the size limit. */
export {
  type Attachment,
  acceptedTypes,
  attachmentsPerReport,
  defaultAttachmentMaxBytes,
  uploadAttachment,
} from "../commands/Attach.ts"
/** Start a campaign; close an open phase early (its coordinator). */
export { closePhase, startCampaign } from "../commands/Campaign.ts"
/** Change a running campaign: plan a new definition, apply it, or a common change (its coordinator). */
export {
  type Changed,
  type ChangeRequest,
  type CommonChange,
  changeCampaign,
  commonChange,
  planCampaignChange,
  requestChange,
} from "../commands/Change.ts"
/** Deploy or redeploy a definition (the operator, or the campaign's coordinator). */
export { type Deployed, deploy } from "../commands/Deploy.ts"
/** Nudge (催办) units: named ones, or those not acknowledged, not reported or returned; the input's schema. */
export { type Nudged, NudgeInput, NudgeWhich, nudge, nudgeMessageMax } from "../commands/Nudge.ts"
/** Approve or return a report (the coordinator). */
export {
  approve,
  approveMany,
  type BulkOutcome,
  defaultReviewComment,
  maxBulkApprove,
  returnReport,
} from "../commands/Review.ts"
/** Submit a report for a task (its unit); its input's schema. */
export { ReportInput, submitReport } from "../commands/SubmitReport.ts"
/** Register principals, one or a directory at once (the operator); the input's schema. */
export { addPrincipal, addPrincipals, PrincipalInput } from "../Directory.ts"
/** Claim, complete, release and expire an API request's idempotency key. */
export { claimRequest, completeRequest, expireRequests, type RequestClaim, releaseRequest } from "../Idempotency.ts"
/** Marks a person's own notices read. */
export { readNotices } from "../notices/Inbox.ts"
/** A person sets their own notice preferences: kinds not sent by email, quiet hours; the input's schema. */
export { PreferencesInput, preferenceKinds, setPreferences } from "../notices/Preferences.ts"
/** Register and remove a campaign's webhooks and group robots (its coordinator); the input's schema. */
export { addWebhook, noticeKinds, removeWebhook, WebhookInput } from "../notices/Webhooks.ts"
/** Invite people, reset and change passwords, sign people out everywhere; the invitation's schema. */
export {
  acceptInvitation,
  changePassword,
  invitePerson,
  PersonInput,
  resetPassword,
  signOutEverywhere,
} from "../people/People.ts"
/** Create and revoke API tokens (the operator). */
export { createToken, revokeToken } from "../Tokens.ts"
