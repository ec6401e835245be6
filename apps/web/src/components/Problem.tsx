/** A failed call explained in one sentence, with a retry where it helps. */
import type { ApiFailure } from "../api/Failure.ts"
import { useI18n } from "../i18n/I18n.tsx"

/** The sentence for a failure in the reader's language. */
export const useFailureText = () => {
  const { t } = useI18n()
  return (failure: ApiFailure): string =>
    failure.kind === "network"
      ? t.errors.network
      : failure.status === 401
        ? t.errors.unauthorized
        : `${t.errors.generic} ${failure.detail || failure.title || failure.tag || ""}`
}

/** Shows a failure as an alert. */
export const ProblemNotice = ({
  failure,
  onRetry,
}: {
  readonly failure: ApiFailure
  readonly onRetry?: () => void
}) => {
  const { t } = useI18n()
  const text = useFailureText()
  return (
    <div className="notice bad" role="alert">
      {text(failure)}{" "}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {t.app.retry}
        </button>
      ) : null}
    </div>
  )
}

/** A quiet loading line, announced politely. */
export const Loading = () => {
  const { t } = useI18n()
  return (
    <p className="muted" role="status">
      {t.app.loading}
    </p>
  )
}
