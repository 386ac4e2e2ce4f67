/** Formatting for people: local clock times, counts and money from minor units. */

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const minuteClock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
const count = new Intl.NumberFormat();

/** `23:03:12`, in the viewer's time zone. */
export function timeOf(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : clock.format(at);
}

/** `23:03`, in the viewer's time zone. */
export function minuteOf(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : minuteClock.format(at);
}

export function countOf(value: number): string {
  return count.format(value);
}

/** `€1,234.50` from 123450 minor units of EUR; an unknown currency code is shown as it is. */
export function moneyOf(minorUnits: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** digits);
  } catch {
    return `${count.format(minorUnits)} ${currency} (minor units)`;
  }
}

/** Revenue per currency as one line, largest first: `€1,234.50 · £98.00`. */
export function revenueOf(revenue: Readonly<Record<string, number>>): string {
  const entries = Object.entries(revenue).filter(([, value]) => value > 0);
  if (entries.length === 0) return "none";
  return entries
    .sort(([, a], [, b]) => b - a)
    .map(([currency, value]) => moneyOf(value, currency))
    .join(" · ");
}

/** The viewer's time zone name, for the page to say which clock its times are on. */
export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local time";
}
