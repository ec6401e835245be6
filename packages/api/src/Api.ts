/** The whole HTTP API of Liandong: every group, under `/api/v1` except health and readiness. */
import { HttpApi, OpenApi } from "effect/http-api"
import { AccountGroup } from "./groups/Account.ts"
import { AuditGroup } from "./groups/Audit.ts"
import { CampaignsGroup } from "./groups/Campaigns.ts"
import { DirectoryGroup } from "./groups/Directory.ts"
import { LiveGroup } from "./groups/Live.ts"
import { NoticesGroup } from "./groups/Notices.ts"
import { PeopleGroup } from "./groups/People.ts"
import { ReportsGroup } from "./groups/Reports.ts"
import { SummaryGroup } from "./groups/Summary.ts"
import { SystemGroup } from "./groups/System.ts"
import { TasksGroup } from "./groups/Tasks.ts"
import { WebhooksGroup } from "./groups/Webhooks.ts"

/** The API: the server implements it, the web UI and other clients call it. */
export class Api extends HttpApi.make("liandong")
  .add(SystemGroup)
  .add(AccountGroup)
  .add(PeopleGroup)
  .add(DirectoryGroup)
  .add(CampaignsGroup)
  .add(TasksGroup)
  .add(ReportsGroup)
  .add(AuditGroup)
  .add(SummaryGroup)
  .add(LiveGroup)
  .add(NoticesGroup)
  .add(WebhooksGroup)
  .annotateMerge(
    OpenApi.annotations({
      title: "联动 Liandong API",
      version: "1.0.0",
      description:
        "Campaigns, tasks, reports, the journal and the summary. Authenticate with `Authorization: Bearer ld_…` " +
        "(`liandong token create`) or the session cookie of `POST /api/v1/session`; a write made with " +
        "the cookie carries `x-csrf-token`. Errors are RFC 9457 problems in Chinese or English by Accept-Language. " +
        "Every POST takes an optional Idempotency-Key.",
    }),
  ) {}
