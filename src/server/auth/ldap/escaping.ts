// What the person signing in typed, placed into LDAP search filters and DNs: escaped so that it
// stays one literal value (RFC 4515 for filters, RFC 4514 for DNs), and the {username}/{dn}
// templates of the settings it is placed into.
import { Filter } from "ldapts";

/** RFC 4515: a value placed inside a search filter matches only itself (no `*`, no `)(`). */
export function escapeFilterValue(value: string): string {
  return Filter.escape(value);
}

/** RFC 4514: a value placed in a DN attribute value stays one value (no `,` or `+` splitting). */
export function escapeDnValue(value: string): string {
  let escaped = "";
  const last = value.length - 1;
  for (let index = 0; index <= last; index++) {
    const char = value.charAt(index);
    if (char === "\0") escaped += "\\00";
    else if ('"+,;<>\\='.includes(char)) escaped += `\\${char}`;
    else if ((index === 0 && (char === " " || char === "#")) || (index === last && char === " ")) {
      escaped += `\\${char}`;
    } else escaped += char;
  }
  return escaped;
}

/** Replaces {name} placeholders; a function replacer, so `$&` in a value stays literal. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(username|dn)\}/g, (match, name: string) => values[name] ?? match);
}
