/** The messages the shop sends (the seeds' msg/CRM/billing "emails"). */
export const NOTIFICATION_KINDS = [
  'welcome',
  'good-bye',
  'thank-you',
  'transfer-request',
  'receipt',
  'in-stock',
  'out-of-stock',
  'shipped',
  'insufficient-fund',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The CRM: welcome and good-bye (seed 001). */
export const CRM_KINDS: readonly NotificationKind[] = Object.freeze(['welcome', 'good-bye']);

/** The shop's messages (seed 003's msg service) and billing's transfer requests and receipts. */
export const MESSAGE_KINDS: readonly NotificationKind[] = Object.freeze([
  'thank-you',
  'in-stock',
  'out-of-stock',
  'shipped',
  'insufficient-fund',
  'transfer-request',
  'receipt',
]);

export interface Notification {
  /** `<causedBy>:<kind>`: the same event always yields the same id, so a redelivered event dedupes. */
  readonly id: string;
  readonly kind: NotificationKind;
  /** The customer's email, or the customer id when the email is not known. */
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** The id of the event that caused it. */
  readonly causedBy: string;
}
