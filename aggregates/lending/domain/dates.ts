/** `now`'s calendar date (UTC) plus `days`, as ISO `yyyy-mm-dd`. Pure: the clock is injected. */
export function dueDate(now: Date, days: number): string {
  const due = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
  return due.toISOString().slice(0, 10);
}
