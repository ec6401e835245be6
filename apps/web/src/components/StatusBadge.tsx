/** A task's or phase's state as a badge: the word always, the colour as a second cue. */
import { useI18n } from "../i18n/I18n.tsx"

type Status =
  | "waiting"
  | "assigned"
  | "acknowledged"
  | "submitted"
  | "returned"
  | "approved"
  | "closed"
  | "done"
  | "active"

/** Shows a status in words and colour. */
export const StatusBadge = ({ status }: { readonly status: Status }) => {
  const { t } = useI18n()
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {t.status[status]}
    </span>
  )
}
