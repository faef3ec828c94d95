/**
 * A reader for the subset of HOCON that Texera's auth.conf uses: nested `{ }` blocks, dotted keys,
 * `=` or `:` separators, quoted or bare values, `#` and `//` comments, and `${VAR}` / `${?VAR}` environment
 * substitutions (a later assignment wins; `${?VAR}` with VAR unset leaves the earlier value). Arrays,
 * includes and object merging across files are not supported and are reported as errors.
 * (The npm HOCON parsers are small, unmaintained projects; this subset is small enough to own.)
 */
export type HoconObject = { [key: string]: HoconValue };
export type HoconValue = string | HoconObject;

export class HoconError extends Error {
  override name = "HoconError";
}

export function parseHocon(text: string, env: Record<string, string | undefined> = {}): HoconObject {
  const root: HoconObject = {};
  const stack: HoconObject[] = [root];
  const lines = text.split(/\r?\n/);

  lines.forEach((raw, index) => {
    const where = `line ${index + 1}`;
    let line = stripComment(raw).trim();
    while (line.length > 0) {
      if (line.startsWith("}")) {
        if (stack.length === 1) throw new HoconError(`${where}: unexpected "}"`);
        stack.pop();
        line = line.slice(1).trim();
        continue;
      }
      const match = /^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.-]+)\s*(=|:|\{)?\s*/.exec(line);
      if (!match) throw new HoconError(`${where}: cannot read "${line}"`);
      const path = splitKey(match[1]!);
      const separator = match[2];
      line = line.slice(match[0].length);
      const current = stack[stack.length - 1]!;
      if (separator === "{" || ((separator === "=" || separator === ":") && line.startsWith("{"))) {
        if (separator !== "{") line = line.slice(1).trim();
        stack.push(descend(current, path, where));
        continue;
      }
      if (!separator) throw new HoconError(`${where}: expected "=", ":" or "{" after the key`);
      const { value, rest } = readValue(line, env, where);
      if (value !== undefined) assign(current, path, value, where);
      line = rest.trim();
      if (line.startsWith(",")) line = line.slice(1).trim();
    }
  });
  if (stack.length !== 1) throw new HoconError('missing "}" at end of file');
  return root;
}

/** Reads a dotted path such as `auth.jwt.256-bit-secret`; undefined where any part is missing. */
export function getPath(obj: HoconObject, path: string): HoconValue | undefined {
  let node: HoconValue | undefined = obj;
  for (const part of path.split(".")) {
    if (node === undefined || typeof node === "string") return undefined;
    node = node[part];
  }
  return node;
}

function stripComment(line: string): string {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && inQuote) i++;
    else if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === "#" || (c === "/" && line[i + 1] === "/"))) return line.slice(0, i);
  }
  return line;
}

function splitKey(key: string): string[] {
  if (key.startsWith('"')) return [JSON.parse(key) as string];
  return key.split(".").filter((p) => p.length > 0);
}

function descend(obj: HoconObject, path: string[], where: string): HoconObject {
  let node = obj;
  for (const part of path) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (typeof next === "string") throw new HoconError(`${where}: "${part}" is a value, not a block`);
    node = node[part] as HoconObject;
  }
  return node;
}

function assign(obj: HoconObject, path: string[], value: string, where: string): void {
  const parent = descend(obj, path.slice(0, -1), where);
  parent[path[path.length - 1]!] = value;
}

function readValue(
  line: string,
  env: Record<string, string | undefined>,
  where: string,
): { value: string | undefined; rest: string } {
  if (line.startsWith("[")) throw new HoconError(`${where}: arrays are not supported`);
  if (line.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(line);
    if (!m) throw new HoconError(`${where}: unterminated string`);
    return { value: JSON.parse(m[0]) as string, rest: line.slice(m[0].length) };
  }
  const sub = /^\$\{(\?)?\s*([A-Za-z0-9_.-]+)\s*\}/.exec(line);
  if (sub) {
    const optional = sub[1] === "?";
    const value = env[sub[2]!];
    if (value === undefined && !optional) throw new HoconError(`${where}: \${${sub[2]}} is not set`);
    return { value, rest: line.slice(sub[0].length) };
  }
  const bare = /^[^,}\n]*/.exec(line)![0];
  const value = bare.trim();
  if (value === "") throw new HoconError(`${where}: missing value`);
  return { value, rest: line.slice(bare.length) };
}
