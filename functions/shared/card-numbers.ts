/**
 * Card numbers (PANs) must never be stored or logged. A card number here is a run of 13 to 19 digits that
 * passes the Luhn check. Digits may be written in groups separated by one space, dash or dot
 * ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111"), as people and payment forms write them; within such a
 * run every span of whole groups holding 13 to 19 digits is checked, so a number glued to a neighbouring
 * group is still found. An unbroken run longer than 19 digits is an id, not a card number.
 */

/** Digits with at most one space, dash or dot between two digits. */
const DIGIT_RUN = /\d(?:[ .-]?\d)*/g;
const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
/** Digits a mask keeps, as receipts show them. */
const VISIBLE_DIGITS = 4;

/** Where a card number sits in a text: `text.slice(start, end)`. */
export interface CardNumberSpan {
  readonly start: number;
  readonly end: number;
}

/** The Luhn (mod 10) check over a string of digits. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Every card number in `text`, in order; overlapping finds are merged into one span. */
export function findCardNumbers(text: string): CardNumberSpan[] {
  const spans: CardNumberSpan[] = [];
  for (const run of text.matchAll(DIGIT_RUN)) {
    const groups = digitGroups(run[0], run.index);
    for (let first = 0; first < groups.length; first++) {
      let digits = "";
      for (let last = first; last < groups.length; last++) {
        digits += groups[last]!.digits;
        if (digits.length > MAX_DIGITS) break;
        if (digits.length >= MIN_DIGITS && passesLuhn(digits)) {
          addSpan(spans, { start: groups[first]!.start, end: groups[last]!.end });
        }
      }
    }
  }
  return spans;
}

/** Whether `text` holds a card number anywhere. */
export function containsCardNumber(text: string): boolean {
  return findCardNumbers(text).length > 0;
}

/** `text` with every card number's digits replaced by `*` except the last four: `************1111`. */
export function maskCardNumbers(text: string): string {
  let masked = "";
  let from = 0;
  for (const span of findCardNumbers(text)) {
    masked += text.slice(from, span.start) + maskSpan(text.slice(span.start, span.end));
    from = span.end;
  }
  return masked + text.slice(from);
}

interface DigitGroup {
  readonly digits: string;
  readonly start: number;
  readonly end: number;
}

function digitGroups(run: string, offset: number): DigitGroup[] {
  const groups: DigitGroup[] = [];
  for (const group of run.matchAll(/\d+/g)) {
    const start = offset + group.index;
    groups.push({ digits: group[0], start, end: start + group[0].length });
  }
  return groups;
}

function addSpan(spans: CardNumberSpan[], span: CardNumberSpan): void {
  const last = spans.at(-1);
  if (last && span.start < last.end) {
    spans[spans.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
  } else {
    spans.push(span);
  }
}

function maskSpan(span: string): string {
  let toMask = span.replace(/\D/g, "").length - VISIBLE_DIGITS;
  let masked = "";
  for (const char of span) {
    const isDigit = char >= "0" && char <= "9";
    masked += isDigit && toMask-- > 0 ? "*" : char;
  }
  return masked;
}
