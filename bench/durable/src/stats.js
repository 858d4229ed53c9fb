/**
 * The p-th percentile (0–100) of `values`, nearest rank on the sorted samples; NaN for none.
 * @param {readonly number[]} values
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

/** @param {readonly number[]} values */
export const median = (values) => percentile(values, 50);

/** @param {number} value rounded to 3 decimals (µs, for values in ms) */
export const round3 = (value) => Math.round(value * 1000) / 1000;

/**
 * @typedef {{ n: number, p50: number, p99: number, min: number, max: number }} Summary
 * Durations in ms. With fewer than 100 samples p99 is the largest (nearest rank).
 */

/**
 * p50, p99, min and max of a list of durations (ms).
 * @param {readonly number[]} samples
 * @returns {Summary}
 */
export function summarize(samples) {
  return {
    n: samples.length,
    p50: round3(percentile(samples, 50)),
    p99: round3(percentile(samples, 99)),
    min: round3(Math.min(...samples)),
    max: round3(Math.max(...samples)),
  };
}
