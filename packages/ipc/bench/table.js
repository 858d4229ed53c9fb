/**
 * Formats rows as an aligned text table: first column left-aligned, the others right-aligned.
 * @param {string[]} headers
 * @param {string[][]} rows
 */
export function formatTable(headers, rows) {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 1234567 → "1.23M", 45678 → "45.7k". */
export function si(value) {
  if (value >= 1e6) {
    return `${(value / 1e6).toFixed(2)}M`;
  }
  if (value >= 1e3) {
    return `${(value / 1e3).toFixed(1)}k`;
  }
  return value.toFixed(0);
}

export const ratio = (value) => `${value.toFixed(2)}×`;

export const sizeLabel = (bytes) => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`);
