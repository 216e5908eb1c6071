// How a message's time reads, as on Discord: "Today at 14:03", "Yesterday at 09:12", else the date and time; the
// whole date (weekday, day, month, year, time) on hover. In the reader's locale and time zone.

const clock: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };

/** Midnight starting `d`'s local day. */
const dayStart = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** The short form beside a message's author: "Today at 14:03", "Yesterday at 14:03" or "07/12/2026, 14:03". */
export function messageTime(time: Date, now = new Date(), locale?: string): string {
  const days = Math.round((dayStart(now) - dayStart(time)) / 86_400_000);
  const at = time.toLocaleTimeString(locale, clock);
  if (days === 0) return `Today at ${at}`;
  if (days === 1) return `Yesterday at ${at}`;
  return time.toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short' });
}

/** The full form, for the hover title: "Monday, 7 December 2026 at 14:03". */
export function fullTime(time: Date, locale?: string): string {
  return time.toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}

/** Only the time of day, beside a message grouped under the previous one (shown on hover). */
export function clockTime(time: Date, locale?: string): string {
  return time.toLocaleTimeString(locale, clock);
}
