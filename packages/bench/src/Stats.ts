/** Latency samples and their percentiles. */

/** Percentile `p` (0–100) of the samples, nearest rank; NaN when there are none. */
export const percentile = (samples: ReadonlyArray<number>, p: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

/** p50, p99 and the count of a set of samples (ms), rounded to 0.1 ms. */
export const summarize = (samples: ReadonlyArray<number>) => ({
  count: samples.length,
  p50: round1(percentile(samples, 50)),
  p99: round1(percentile(samples, 99)),
  max: samples.length === 0 ? Number.NaN : round1(samples.reduce((a, b) => Math.max(a, b), 0)),
})

/** A latency summary. */
export type Latency = ReturnType<typeof summarize>

/** Rounds to one decimal. */
export const round1 = (n: number) => Math.round(n * 10) / 10

/** Kilobytes to megabytes, rounded. */
export const mb = (kb: number) => Math.round(kb / 1024)
