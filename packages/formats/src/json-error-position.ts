/**
 * Where JSON text first stops being valid JSON: the 0-based offset with its 1-based line and
 * column, or null when the text is valid. V8's JSON.parse messages give a position only for
 * some errors, so this scans the text itself (iteratively: deep nesting cannot overflow).
 */
export function jsonErrorPosition(text: string): { offset: number; line: number; column: number } | null {
  const offset = firstErrorOffset(text);
  if (offset < 0) return null;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

function firstErrorOffset(s: string): number {
  const n = s.length;
  let i = 0;
  const stack: ("{" | "[")[] = [];

  const ws = () => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c === 92) {
        const e = s[i + 1];
        if (e === "u") {
          if (!HEX4.test(s.slice(i + 2, i + 6))) {
            i += 1;
            return false;
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          i += 1;
          return false;
        }
        continue;
      }
      if (c < 0x20) return false;
      i++;
    }
    return false;
  };
  const key = (): boolean => {
    ws();
    if (s[i] !== '"' || !string()) return false;
    ws();
    if (s[i] !== ":") return false;
    i++;
    return true;
  };
  const literal = (word: string): boolean => {
    if (!s.startsWith(word, i)) return false;
    i += word.length;
    return true;
  };

  for (;;) {
    // A value is expected here.
    ws();
    const c = s[i];
    if (c === "{") {
      i++;
      ws();
      if (s[i] === "}") i++;
      else {
        stack.push("{");
        if (!key()) return i;
        continue;
      }
    } else if (c === "[") {
      i++;
      ws();
      if (s[i] === "]") i++;
      else {
        stack.push("[");
        continue;
      }
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(s);
      if (!m) return i;
      i += m[0].length;
    } else if (c === "t" || c === "f" || c === "n") {
      if (!literal(c === "t" ? "true" : c === "f" ? "false" : "null")) return i;
    } else {
      return i;
    }
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n ? -1 : i;
      if (s[i] === ",") {
        i++;
        if (top === "{" && !key()) return i;
        break;
      }
      if ((top === "{" && s[i] === "}") || (top === "[" && s[i] === "]")) {
        i++;
        stack.pop();
        continue;
      }
      return i;
    }
  }
}
