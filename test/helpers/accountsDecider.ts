import { newEvent, type Envelope } from '../../eventlib/index.js';
import type { Decider, DeciderWire } from '../../platform/index.js';

/**
 * A small decider for the engine's tests: accounts with a balance that never goes below zero. Commands carry a
 * `commandId` (their idempotency record) and are keyed by account, so an account lives on one partition.
 */
export type AccountCommand =
  | { type: 'deposit'; commandId: string; account: string; amount: number }
  | { type: 'withdraw'; commandId: string; account: string; amount: number };

export type AccountEvent =
  | { type: 'deposited'; commandId: string; account: string; amount: number }
  | { type: 'withdrawn'; commandId: string; account: string; amount: number }
  | { type: 'withdrawal-refused'; commandId: string; account: string; amount: number; balance: number };

export interface AccountsState {
  readonly balances: ReadonlyMap<string, number>;
  readonly done: ReadonlySet<string>;
}

export interface AccountRejection {
  readonly rejected: string;
}

export const accounts: Decider<AccountCommand, AccountEvent, AccountsState, AccountRejection> & {
  decide(command: AccountCommand, state: AccountsState, context?: unknown): readonly AccountEvent[] | AccountRejection;
} = {
  initialState: { balances: new Map(), done: new Set() },
  isRejection: (value): value is AccountRejection => typeof value === 'object' && value !== null && 'rejected' in value,
  decide(command, state) {
    if (!(command.amount > 0)) return { rejected: `amount must be positive, got ${command.amount}` };
    if (state.done.has(command.commandId)) return [];
    const { commandId, account, amount } = command;
    if (command.type === 'deposit') return [{ type: 'deposited', commandId, account, amount }];
    const balance = state.balances.get(account) ?? 0;
    return balance >= amount
      ? [{ type: 'withdrawn', commandId, account, amount }]
      : [{ type: 'withdrawal-refused', commandId, account, amount, balance }];
  },
  evolve(state, event) {
    const balances = new Map(state.balances);
    const balance = balances.get(event.account) ?? 0;
    if (event.type === 'deposited') balances.set(event.account, balance + event.amount);
    if (event.type === 'withdrawn') balances.set(event.account, balance - event.amount);
    return { balances, done: new Set(state.done).add(event.commandId) };
  },
};

const EVENT_TYPES = new Set(['deposited', 'withdrawn', 'withdrawal-refused']);

export const accountsWire: DeciderWire<AccountCommand, AccountEvent, AccountRejection> = {
  command: (envelope) => {
    const data = envelope.data as Partial<AccountCommand>;
    if ((envelope.type !== 'deposit' && envelope.type !== 'withdraw') || typeof data.account !== 'string')
      return { rejected: `not an account command: ${envelope.type}` };
    return { ...(data as AccountCommand), type: envelope.type };
  },
  event: (envelope) =>
    EVENT_TYPES.has(envelope.type)
      ? ({ type: envelope.type, ...(envelope.data as object) } as AccountEvent)
      : undefined,
  envelopes: (events, causedBy) =>
    events.map(({ type, ...data }) => newEvent({ type, key: causedBy.key, data, producer: 'accounts', causedBy })),
  describe: (rejection) => rejection.rejected,
};

export const accountCommand = (type: AccountCommand['type'], commandId: string, account: string, amount: number) =>
  newEvent({ type, key: account, data: { commandId, account, amount }, producer: 'test' });

/** Balances from the whole event log, and every account's lowest balance along the way. */
export function audit(events: readonly Envelope[]): {
  balances: Map<string, number>;
  lowest: number;
  outcomes: Map<string, number>;
} {
  const balances = new Map<string, number>();
  const outcomes = new Map<string, number>();
  let lowest = 0;
  for (const e of events) {
    const event = accountsWire.event(e);
    if (!event) continue;
    outcomes.set(event.commandId, (outcomes.get(event.commandId) ?? 0) + 1);
    const b = balances.get(event.account) ?? 0;
    const next = event.type === 'deposited' ? b + event.amount : event.type === 'withdrawn' ? b - event.amount : b;
    balances.set(event.account, next);
    lowest = Math.min(lowest, next);
  }
  return { balances, lowest, outcomes };
}
