import { containsCardNumber, maskCardNumbers } from "../card-numbers";

/**
 * The engine's card-number screen, on every topic, over what a consumer will use: the record key, its headers,
 * the value text (JSON escapes of digits resolved, which also covers values that are not JSON) and, once
 * parsed, every string, object key and number of the value. Reasons say where, never the number.
 */

/** JSON `\uXXXX` escapes of a digit, space, dash or dot not themselves escaped (`\\u0034` is text). */
const DIGIT_ESCAPE = /(?<!\\)((?:\\\\)*)\\u00(3[0-9]|2[0dDeE])/g;
/** How much of an object key a reason quotes. */
const MAX_PATH_PART = 64;

/** `text` with JSON escapes of digits and separators written as the characters: the same JSON value. */
export function resolveDigitEscapes(text: string): string {
  return text.replace(DIGIT_ESCAPE, (_match, slashes: string, hex: string) =>
    slashes.concat(String.fromCharCode(Number.parseInt(hex, 16))),
  );
}

/**
 * The ways a JSON number reaches a reader: as JavaScript renders it (what JSON.stringify publishes, e.g.
 * 4111111111111111 for 4.111111111111111e15, or 4.111111111111111e+21) and, for an integer, all its digits.
 */
function numberSpellings(value: number): string[] {
  const shown = String(value);
  if (!Number.isFinite(value) || !Number.isInteger(value)) return [shown];
  return [shown, BigInt(value).toString()];
}

/** Where the first card number of a parsed JSON value sits ("value", "amount.value", "a key of items[2]"). */
export function cardNumberPath(value: unknown): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: "" }];
  // Depth-first with an explicit stack: a deeply nested value must not overflow the call stack.
  while (pending.length > 0) {
    const { value: node, path } = pending.pop()!;
    const here = path || "value";
    if (typeof node === "string") {
      if (containsCardNumber(node)) return here;
    } else if (typeof node === "number") {
      if (numberSpellings(node).some(containsCardNumber)) return here;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push({ value: node[i], path: `${path}[${i}]` });
    } else if (node !== null && typeof node === "object") {
      const entries = Object.entries(node);
      for (const [key] of entries) if (containsCardNumber(key)) return `a key of ${here}`;
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        pending.push({ value: child, path: path ? `${path}.${pathPart(key)}` : pathPart(key) });
      }
    }
  }
  return undefined;
}

/** Whether `text` holds a card number as written, with escapes resolved, or (when it is JSON) once parsed. */
export function holdsCardNumber(text: string): boolean {
  // Every spelling has digits (an escape too: \u0034), and most keys and ids have none to parse for.
  if (!/\d/.test(text)) return false;
  if (containsCardNumber(text) || containsCardNumber(resolveDigitEscapes(text))) return true;
  const parsed = parseJson(text);
  return parsed.ok && cardNumberPath(parsed.value) !== undefined;
}

/** Why a delivered record's key, headers or value text hold a card number, or undefined when they do not. */
export function rawCardNumberProblem(
  key: string | null,
  headers: Readonly<Record<string, string>>,
  value: string | null,
): string | undefined {
  if (key !== null && holdsCardNumber(key)) return "the record key holds a card number";
  for (const [name, text] of Object.entries(headers)) {
    if (holdsCardNumber(name)) return "a header name holds a card number";
    if (holdsCardNumber(text)) return `header ${name} holds a card number`;
  }
  if (value !== null && (containsCardNumber(value) || containsCardNumber(resolveDigitEscapes(value))))
    return "the value holds a card number";
  return undefined;
}

/** What may be kept of `text`: card numbers masked, so the result holds none in any spelling. */
export function maskCardText(text: string): { text: string; masked: boolean } {
  if (!holdsCardNumber(text)) return { text, masked: false };
  const spanMasked = maskCardNumbers(resolveDigitEscapes(text));
  // A spelling spans cannot reach (0.00004111111111111111e20 parses to a card number): mask every digit.
  return { text: holdsCardNumber(spanMasked) ? spanMasked.replace(/\d/g, "*") : spanMasked, masked: true };
}

/** A rejected record's key, value and headers as they may be sent and logged: card numbers masked. */
export function maskRecordParts(
  key: string | null,
  value: string | null,
  headers: Readonly<Record<string, string>>,
): { key: string | null; value: string | null; headers: Record<string, string>; masked: boolean } {
  let masked = false;
  const mask = (text: string | null) => {
    if (text === null) return null;
    const result = maskCardText(text);
    masked ||= result.masked;
    return result.text;
  };
  const kept: Record<string, string> = {};
  for (const [name, text] of Object.entries(headers)) {
    // A name is not masked in place: two masked names could collide, so such a header is left out.
    if (holdsCardNumber(name)) masked = true;
    else kept[name] = mask(text)!;
  }
  return { key: mask(key), value: mask(value), headers: kept, masked };
}

function pathPart(key: string): string {
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  const chars = Array.from(part);
  return chars.length > MAX_PATH_PART ? `${chars.slice(0, MAX_PATH_PART).join("")}…` : part;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
