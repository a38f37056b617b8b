const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a string takes on a terminal: colour codes take none. (No wide CJK text is printed.) */
export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/**
 * A plain text table: a header row, then rows, columns separated by two spaces, trailing space
 * trimmed. A row with fewer cells than the header lets its last cell run across the remaining
 * columns (a note, such as an error): it does not widen the columns.
 */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h) => visibleWidth(h));
  for (const row of rows) {
    if (row.length < header.length) {
      for (let i = 0; i < row.length - 1; i++) widths[i] = Math.max(widths[i]!, visibleWidth(row[i]!));
      continue;
    }
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i]! - visibleWidth(c)))))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map((r) => `${line(r)}\n`).join('');
}
