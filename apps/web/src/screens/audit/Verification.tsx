/** The integrity check of a campaign's record: hash chain, signed checkpoints, replay of every machine. */
import { reads } from "../../api/Reads.ts"
import { earlyValue, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"

/** Runs the server's verification (again when the journal grows or on request) and shows the verdict. */
export const Verification = ({ campaign, round }: { readonly campaign: string; readonly round: number }) => {
  const { t, lang } = useI18n()
  const verdict = useResource(
    (api) => api.run((client) => client.audit.verification({ params: { campaign } })),
    [campaign, round],
    earlyValue(reads.verification(campaign)),
  )
  if (verdict.failure) return <ProblemNotice failure={verdict.failure} onRetry={verdict.reload} />
  if (verdict.data === undefined) return <Loading />
  const v = verdict.data
  return (
    <div data-testid="verification" data-ok={v.ok ? "true" : "false"}>
      <p className={`notice ${v.ok ? "ok" : "bad"}`} role={v.ok ? undefined : "alert"}>
        {v.ok ? `✓ ${t.audit.verified}` : `✗ ${t.audit.failed}`}
      </p>
      {v.findings.length > 0 ? (
        <ul>
          {v.findings.map((f, i) => (
            <li key={`${f.check}-${f.seq}-${i}`}>
              {f.seq !== null ? `#${f.seq} ` : ""}
              {lang === "en" ? f.en : f.zh}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        {t.audit.rows(v.rows)} · {t.audit.checkpoints(v.checkpoints)} · {t.audit.machines(v.machines)} · {t.audit.key}{" "}
        {v.keys.map((k) => (
          <code key={k.keyId} title={k.validUntil === null ? k.validFrom : `${k.validFrom} — ${k.validUntil}`}>
            {k.keyId}
            {k.validUntil === null ? "" : ` (${t.audit.retired})`}{" "}
          </code>
        ))}
      </p>
      <button type="button" onClick={verdict.reload} disabled={verdict.loading}>
        {verdict.loading ? t.audit.verifying : t.audit.verify}
      </button>
    </div>
  )
}
