import { z } from 'zod';
import type { Envelope, EventRegistry, Position } from '../../../eventlib/index.js';
import { IDEMPOTENCY_METADATA, type KeyedRequest } from '../../../platform/index.js';
import {
  OrdersError,
  parseOrdersCommand,
  randomIds,
  isOrdersError,
  type IdGenerator,
  type OrdersCommand,
} from '../index.js';
import { ordersRegistry } from './topics.js';

/**
 * The shop's writes as commands on a log (`<orders topic>.commands`, one partition), decided by the platform's
 * write-side engine (`startLogDecider`) on the state folded from the orders topic.
 */
export function shopCommandsTopic(ordersTopic: string): string {
  return `${ordersTopic}.commands`;
}

/** The envelope type of a shop command, and its key (one partition: one total order of the shop's decisions). */
export const SHOP_COMMAND = 'orders-shop-command';
export const SHOP_COMMAND_KEY = 'orders-shop';

/** A write of the shop: a domain command or the demo data; `ids` are the new entities' ids, drawn by the caller. */
export interface ShopCommand {
  /** The command envelope's id: the causation id of its events, so a redelivery is recognised. */
  readonly id: string;
  /** The Idempotency-Key it carries: a command whose key the log holds decides nothing. */
  readonly key?: string;
  readonly command?: OrdersCommand;
  readonly demoData?: true;
  readonly ids: readonly string[];
  /** Sets stock or balances absolutely: decided only while no saga moves stock or money. */
  readonly guarded: boolean;
}

/** What the shop's HTTP side sends as a command's data. */
export type ShopCommandData = Pick<ShopCommand, 'command' | 'demoData' | 'ids'>;

/** A write refused because sagas move stock or money: queued again once the state changes. */
export interface ShopBusy {
  readonly busy: number;
}
export type ShopRejection = OrdersError | ShopBusy;

export function isBusy(value: unknown): value is ShopBusy {
  return typeof (value as ShopBusy | undefined)?.busy === 'number';
}

/** A command's outcome as its caller gets it: what it appended (nothing for a no-op), or why it was refused. */
export type ShopOutcome =
  | { readonly events: readonly Envelope[]; readonly positions: readonly Position[] }
  | { readonly rejected: ShopRejection };

/** Commands that set stock or balances absolutely: they wait until no saga moves stock or money. */
export function movesStockOrMoney(command: OrdersCommand): boolean {
  if (command.type === 'update-inventory') return true;
  if (command.type === 'update-customer') return command.changes.balance !== undefined;
  return false;
}

/** The ids a create command draws (one per item without an id), so deciding it again gives the same ids. */
export function idsFor(command: OrdersCommand, ids: IdGenerator): string[] {
  if (!command.type.startsWith('create-')) return [];
  const items = [(command as { items?: unknown }).items ?? []].flat() as { id?: unknown }[];
  return items.filter((item) => item.id === undefined || item.id === null).map(() => ids.newId());
}

/** An IdGenerator that hands out a command's drawn ids in order. */
export function drawnIds(command: ShopCommand): IdGenerator {
  let next = 0;
  return { newId: () => command.ids[next++] ?? randomIds.newId() };
}

const dataSchema: z.ZodType<{ command?: unknown; demoData?: true; ids: string[] }> = z.object({
  command: z.unknown().optional(),
  demoData: z.literal(true).optional(),
  ids: z.array(z.string().min(1).max(200)).max(1000).default([]),
});

/** The orders registry and the shop's command (a malformed one is poison: dead-lettered by eventlib). */
export function shopRegistry(): EventRegistry {
  const registry = ordersRegistry();
  registry.register({ type: SHOP_COMMAND, version: 1, schema: dataSchema });
  return registry;
}

/** The command an envelope of the shop's command topic carries, or why it is malformed (dead-lettered). */
export function shopCommandOf(envelope: Envelope): ShopCommand | OrdersError | undefined {
  if (envelope.type !== SHOP_COMMAND) return undefined;
  const data = dataSchema.safeParse(envelope.data);
  if (!data.success) return new OrdersError('ORD_ERR_VALIDATION', `shop command: ${data.error.issues[0]!.message}`);
  const keyed = keyedOf(envelope);
  const base = { id: envelope.id, ids: data.data.ids, ...(keyed ? { key: keyed.key } : {}) };
  if (data.data.demoData) return { ...base, demoData: true, guarded: true };
  const command = parseOrdersCommand(data.data.command);
  if (isOrdersError(command)) return command;
  return { ...base, command, guarded: movesStockOrMoney(command) };
}

/** The keyed request a command envelope carries (stamped by `idempotentWrites`), so its events carry it too. */
export function keyedOf(envelope: Envelope): KeyedRequest | undefined {
  const key = envelope.metadata[IDEMPOTENCY_METADATA.key];
  const requestHash = envelope.metadata[IDEMPOTENCY_METADATA.request];
  return typeof key === 'string' ? { key, requestHash: typeof requestHash === 'string' ? requestHash : '' } : undefined;
}
