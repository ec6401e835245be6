/** Says whether the screen follows the campaign live (stream or polling) and when it last heard. */
import type { Live } from "../../api/Live.ts"
import { useI18n } from "../../i18n/I18n.tsx"

/** The live indicator. */
export const LiveBadge = ({ live }: { readonly live: Live }) => {
  const { t, lang } = useI18n()
  const time = live.at
    ? new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", { timeStyle: "medium" }).format(live.at)
    : null
  return (
    <span
      className={`badge ${live.mode === "connecting" ? "badge-waiting" : "badge-approved"}`}
      data-live={live.mode}
      data-seq={live.seq ?? ""}
    >
      {live.mode === "connecting" ? t.app.loading : t.app.live}
      {time ? ` · ${t.app.updatedAt(time)}` : ""}
    </span>
  )
}
