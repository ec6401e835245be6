/** The migrations, in order: a static provider, so nothing is read from disk at run time. */
import type { Migration } from "kysely/migration"
import * as initial from "./0001_initial.ts"
import * as audit from "./0002_audit.ts"
import * as queueOrder from "./0003_queue_order.ts"
import * as tokens from "./0004_tokens.ts"
import * as requestExpiry from "./0005_request_expiry.ts"
import * as hotRows from "./0006_hot_rows.ts"
import * as journalAppend from "./0007_journal_append.ts"
import * as accountableRecord from "./0008_accountable_record.ts"
import * as campaignUnits from "./0009_campaign_units.ts"
import * as leastPrivilege from "./0010_least_privilege.ts"
import * as denialWindows from "./0011_denial_windows.ts"
import * as people from "./0012_people.ts"
import * as secondFactor from "./0013_second_factor.ts"
import * as deliveries from "./0014_deliveries.ts"
import * as webhooks from "./0015_webhooks.ts"
import * as nudges from "./0017_nudges.ts"
import * as attachments from "./0018_attachments.ts"
import * as escalations from "./0019_escalations.ts"
import * as noticePreferences from "./0020_notice_preferences.ts"
import * as reviewComments from "./0021_review_comments.ts"
import * as roomForUpdates from "./0022_room_for_updates.ts"
import * as unitContacts from "./0023_unit_contacts.ts"
import * as reportsByStatus from "./0024_reports_by_status.ts"
import * as queueUpkeep from "./0025_queue_upkeep.ts"
import * as fewRows from "./0026_few_rows.ts"
import * as stepsAsBegun from "./0027_steps_as_begun.ts"
import * as carriedColumns from "./0028_carried_columns.ts"
import * as hotRowsUpkeep from "./0029_hot_rows_upkeep.ts"
import * as journalRowsAtOnce from "./0030_journal_rows_at_once.ts"
import * as journalAnalyzedAsItDoubles from "./0031_journal_analyzed_as_it_doubles.ts"

/** Every migration by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_audit": audit,
  "0003_queue_order": queueOrder,
  "0004_tokens": tokens,
  "0005_request_expiry": requestExpiry,
  "0006_hot_rows": hotRows,
  "0007_journal_append": journalAppend,
  "0008_accountable_record": accountableRecord,
  "0009_campaign_units": campaignUnits,
  "0010_least_privilege": leastPrivilege,
  "0011_denial_windows": denialWindows,
  "0012_people": people,
  "0013_second_factor": secondFactor,
  "0014_deliveries": deliveries,
  "0015_webhooks": webhooks,
  "0017_nudges": nudges,
  "0018_attachments": attachments,
  "0019_escalations": escalations,
  "0020_notice_preferences": noticePreferences,
  "0021_review_comments": reviewComments,
  "0022_room_for_updates": roomForUpdates,
  "0023_unit_contacts": unitContacts,
  "0024_reports_by_status": reportsByStatus,
  "0025_queue_upkeep": queueUpkeep,
  "0026_few_rows": fewRows,
  "0027_steps_as_begun": stepsAsBegun,
  "0028_carried_columns": carriedColumns,
  "0029_hot_rows_upkeep": hotRowsUpkeep,
  "0030_journal_rows_at_once": journalRowsAtOnce,
  "0031_journal_analyzed_as_it_doubles": journalAnalyzedAsItDoubles,
}
