// The one escaping function of the site, and the `html` template tag that applies it to every
// interpolated value. Pages are written only with `html`, so a value from input (a system or
// department name, a reason, a note) reaches the page as text unless a page wraps trusted markup
// in `raw()` — which only this module's callers do for markup they built themselves.

/** Markup that is already safe (built by `html`, or trusted markup passed through `raw`). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for an HTML text node or a quoted attribute value. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Trusted markup: SVG rendered by Observable Plot on the server, or a fixed string. */
export function raw(s: string): Html {
  return new Html(s);
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function part(v: Interpolation): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

/** html`<td>${name}</td>`: every interpolation escaped, Html passed through, arrays joined. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Html(out);
}

/**
 * JSON for a `<script type="application/json">` block: every `<` (so `</script>` and `<!--`),
 * `>`, `&` and the line separators U+2028/2029 written as \u escapes, which JSON.parse reads back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A data block the page scripts read by id. */
export function jsonScript(id: string, value: unknown, attrs: Record<string, string> = {}): Html {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${esc(k)}="${esc(v)}"`)
    .join('');
  return raw(`<script type="application/json" id="${esc(id)}"${extra}>${jsonForScript(value)}</script>`);
}
