/**
 * Says how the screen follows the campaign — on the server's stream, polling (and why),
 * or connecting — and when it last heard.
 */
import type { Live } from "../../api/Live.ts"
import { useI18n } from "../../i18n/I18n.tsx"

const classes = { stream: "badge-approved", polling: "badge-returned", connecting: "badge-waiting" } as const

/** The live indicator. */
export const LiveBadge = ({ live }: { readonly live: Live }) => {
  const { t, lang } = useI18n()
  const time = live.at
    ? new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", { timeStyle: "medium" }).format(live.at)
    : null
  const word = live.mode === "stream" ? t.app.live : live.mode === "polling" ? t.app.polling : t.app.connecting
  const title =
    live.mode === "stream"
      ? t.app.liveTitle
      : live.mode === "polling"
        ? t.app.pollingTitle(t.app.liveFault(live.fault?.kind ?? "ended", live.fault?.status ?? null))
        : undefined
  const text = `${word}${time ? ` · ${t.app.updatedAt(time)}` : ""}`
  return (
    <span
      className={`badge ${classes[live.mode]}`}
      data-live={live.mode}
      data-seq={live.seq ?? ""}
      data-fault={live.fault?.kind ?? ""}
      title={title}
    >
      <span aria-hidden="true">{live.mode === "polling" ? "⟳ " : live.mode === "stream" ? "● " : ""}</span>
      {text}
      {title ? <span className="visually-hidden">{` (${title})`}</span> : null}
    </span>
  )
}
