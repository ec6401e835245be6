/** Notices: mine, marking them read, my notice preferences, nudging units, and a campaign's deliveries. */
import { Api } from "@liandong/api"
import { nudge, readNotices, setPreferences } from "@liandong/engine/commands"
import { campaignDeliveries, myNotices, myPreferences } from "@liandong/engine/reads"
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
    .handle("preferences", () => Effect.flatMap(currentActor, (actor) => answer(myPreferences(actor))))
    // Setting them is idempotent (the body replaces what was set): no Idempotency-Key.
    .handle("setPreferences", ({ payload }) =>
      Effect.flatMap(currentActor, (actor) => answerChange(setPreferences(actor, payload))),
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
