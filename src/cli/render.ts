// Human output for `ok` answers: scalars and objects as FIELD VALUE tables, lists as one
// column (or one column per key for lists of objects). `--json` bypasses all this.

/** C0 and C1 controls, DEL, and the invisible/bidirectional formatting characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/**
 * Text from the server made safe for a terminal: every control or invisible formatting
 * character printed as an escape (`\x1b`, `\u202e`), so a value (an audit target from
 * a keyless request, say) can neither drive the terminal nor hide what it says.
 */
export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const cell = (v: unknown): string =>
  escapeControls(
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : v === null || v === undefined
          ? '-'
          : JSON.stringify(v),
  );

export function table(header: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header.map((h) => escapeControls(h).toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** The ok envelope without `response`, for people. */
export function render(envelope: Record<string, unknown>): string {
  const rest = Object.fromEntries(Object.entries(envelope).filter(([k]) => k !== 'response'));
  const out: string[] = [];
  const scalars: [string, unknown][] = [];
  for (const [k, v] of Object.entries(rest)) {
    if (Array.isArray(v)) {
      if (v.length > 0 && typeof v[0] === 'object' && v[0] !== null) {
        const cols = Object.keys(v[0] as object);
        out.push(
          table(
            cols,
            (v as Record<string, unknown>[]).map((o) => cols.map((c) => o[c])),
          ),
        );
      } else {
        out.push(
          table(
            [k],
            (v as unknown[]).map((x) => [x]),
          ),
        );
      }
    } else if (v && typeof v === 'object') {
      out.push(table(['field', 'value'], Object.entries(v)));
    } else {
      scalars.push([k, v]);
    }
  }
  if (scalars.length > 0) out.unshift(table(['field', 'value'], scalars));
  return out.length > 0 ? out.join('\n') : 'ok\n';
}
