/**
 * The p-th percentile (0–100) of `values`, nearest-rank on the sorted samples.
 * @param {number[]} values
 * @param {number} p
 */
export function percentile(values, p) {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** @param {number[]} values */
export const median = (values) => percentile(values, 50);

/**
 * p50, p95, min and max of a list of durations (ms), rounded to 0.1 ms, with the samples.
 * @param {number[]} samples
 */
export function summarize(samples) {
  const round = (value) => Math.round(value * 10) / 10;
  return {
    n: samples.length,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    samples: samples.map(round),
  };
}
