/** A campaign's webhooks and group robots: listed, registered, removed. */
import { Api } from "@liandong/api"
import { addWebhook, removeWebhook } from "@liandong/engine/commands"
import { listWebhooks } from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

/** The webhooks group's handlers. */
export const webhooksHandlers = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
  handlers
    .handle("list", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(listWebhooks(params.campaign, actor), "path")),
    )
    .handle(
      "add",
      ({ params, payload, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(
            headers["idempotency-key"],
            payload,
            () =>
              answerChange(
                Effect.map(addWebhook(params.campaign, payload, actor), (added) => ({ ...added, replayed: false })),
              ),
            // The secret is shown once: a repeat with the same key answers the endpoint without it.
            (added) => ({ ...added, secret: null }),
          ),
        ),
      { uninterruptible: true },
    )
    .handle(
      "remove",
      ({ params }) =>
        Effect.flatMap(currentActor, (actor) =>
          answerChange(removeWebhook(params.campaign, params.webhook, actor), "path"),
        ),
      { uninterruptible: true },
    ),
)
