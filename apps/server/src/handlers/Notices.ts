/** Notices: mine, marking them read, nudging units, and a campaign's deliveries. */
import { Api } from "@liandong/api"
import { nudge, readNotices } from "@liandong/engine/commands"
import { campaignDeliveries, myNotices } from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

/** The notices group's handlers. */
export const noticesHandlers = HttpApiBuilder.group(Api, "notices", (handlers) =>
  handlers
    .handle("list", ({ query }) =>
      Effect.flatMap(currentActor, (actor) =>
        answer(myNotices(actor, { unreadOnly: query.unread === "true", limit: query.limit }), "query"),
      ),
    )
    .handle(
      "read",
      ({ payload, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], payload, () =>
            answerChange(readNotices(actor, payload.ids === "all" ? null : payload.ids)),
          ),
        ),
      { uninterruptible: true },
    )
    .handle(
      "nudge",
      ({ params, payload, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], payload, (key) =>
            answerChange(nudge(params.campaign, payload, actor, { idempotencyKey: key }), "body"),
          ),
        ),
      { uninterruptible: true },
    )
    .handle("deliveries", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(campaignDeliveries(params.campaign, actor), "path")),
    ),
)
