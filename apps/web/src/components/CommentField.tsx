/** The 审批意见 input shared by the dashboard's review panel and the review queue. */
import { useI18n } from "../i18n/I18n.tsx"

/** The 审批意见 field of an approval, one or many: empty records "同意", as the placeholder says. */
export const CommentField = ({
  id,
  value,
  onChange,
}: {
  readonly id: string
  readonly value: string
  readonly onChange: (value: string) => void
}) => {
  const { t } = useI18n()
  return (
    <div className="field">
      <label htmlFor={`${id}-comment`}>{t.review.comment}</label>
      <input
        id={`${id}-comment`}
        value={value}
        maxLength={500}
        placeholder="同意"
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={`${id}-comment-hint`}
      />
      <span id={`${id}-comment-hint`} className="hint">
        {t.review.commentHint}
      </span>
    </div>
  )
}
