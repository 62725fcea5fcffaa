import { expect } from 'vitest';

/**
 * Given/when/then for any pure decider (`decide(command, state, context) -> events | failure`,
 * `evolve(state, event) -> state`). A result that is an array is events; anything else is the failure.
 *
 *   const spec = deciderSpec(lending, { context: { now, config } , snapshot: toSnapshot });
 *   spec.given([booksLent]).when(request).then([lendingDenied]);
 *   spec.givenCommands([request1]).when(request1).thenNothing();
 *   spec.given().when(badRequest).thenFails({ code: 'LEND_ERR_VALIDATION' });
 *
 * Given events and the command are deep-frozen, and the state is compared (through `snapshot`) before and after
 * `decide` and `evolve`, so a decider that mutates its input fails the test.
 */
export interface Decider<Command, Event, State, Context, Failure> {
  decide(command: Command, state: State, context: Context): readonly Event[] | Failure;
  evolve(state: State, event: Event): State;
  readonly initialState: State | (() => State);
}

export interface DeciderSpecOptions<State, Context> {
  /** Context passed to `decide` unless a `when` call gives its own. */
  readonly context: Context;
  /** A plain, comparable view of a state (default: `structuredClone`). */
  readonly snapshot?: (state: State) => unknown;
}

export interface Then<Event, State, Failure> {
  /** The events decided, or undefined when `decide` failed. */
  readonly events: readonly Event[] | undefined;
  readonly failure: Failure | undefined;
  /** The given state. */
  readonly before: State;
  /** The given state evolved with the decided events (the given state when none or failed). */
  readonly after: State;
  /** Exactly these events. */
  then(expected: readonly Event[]): Then<Event, State, Failure>;
  /** Events matching these partial shapes, same count and order. */
  thenMatch(expected: readonly unknown[]): Then<Event, State, Failure>;
  /** No events and no failure (e.g. an already-decided command). */
  thenNothing(): Then<Event, State, Failure>;
  /** A failure matching this partial shape. */
  thenFails(expected: Partial<Failure> | Record<string, unknown>): Then<Event, State, Failure>;
  /** Assertions on the state after the decided events. */
  thenState(check: (after: State) => void): Then<Event, State, Failure>;
}

export interface When<Command, Event, State, Context, Failure> {
  readonly state: State;
  when(command: Command, context?: Context): Then<Event, State, Failure>;
}

export interface DeciderSpec<Command, Event, State, Context, Failure> {
  given(events?: readonly Event[]): When<Command, Event, State, Context, Failure>;
  /** Runs the commands through decide + evolve first (each must succeed) and uses the resulting state. */
  givenCommands(commands: readonly Command[], context?: Context): When<Command, Event, State, Context, Failure>;
}

export function deciderSpec<Command, Event, State, Context, Failure>(
  decider: Decider<Command, Event, State, Context, Failure>,
  options: DeciderSpecOptions<State, Context>,
): DeciderSpec<Command, Event, State, Context, Failure> {
  const snapshot = options.snapshot ?? ((state: State) => structuredClone(state));
  const initial = (): State =>
    typeof decider.initialState === 'function' ? (decider.initialState as () => State)() : decider.initialState;

  const evolveChecked = (state: State, events: readonly Event[]): State => {
    let next = state;
    for (const event of events) {
      const before = snapshot(next);
      const evolved = decider.evolve(next, deepFreeze(event));
      expect(snapshot(next), 'evolve must not mutate its input state').toEqual(before);
      next = evolved;
    }
    return next;
  };

  const whenFrom = (state: State): When<Command, Event, State, Context, Failure> => ({
    state,
    when(command, context = options.context) {
      const before = snapshot(state);
      const result = decider.decide(deepFreeze(command), state, context);
      expect(snapshot(state), 'decide must not mutate its input state').toEqual(before);
      const events = Array.isArray(result) ? (result as readonly Event[]) : undefined;
      const failure = events ? undefined : (result as Failure);
      return thenOf(state, events, failure, events ? evolveChecked(state, events) : state);
    },
  });

  return {
    given: (events = []) => whenFrom(evolveChecked(initial(), events)),
    givenCommands(commands, context = options.context) {
      let state = initial();
      for (const command of commands) {
        const result = decider.decide(deepFreeze(command), state, context);
        if (!Array.isArray(result)) {
          throw new Error(`given command failed: ${JSON.stringify(command)}`, { cause: result });
        }
        state = evolveChecked(state, result as readonly Event[]);
      }
      return whenFrom(state);
    },
  };
}

function thenOf<Event, State, Failure>(
  before: State,
  events: readonly Event[] | undefined,
  failure: Failure | undefined,
  after: State,
): Then<Event, State, Failure> {
  const decided = (): readonly Event[] => {
    expect(failure, 'decide failed instead of deciding events').toBeUndefined();
    return events ?? [];
  };
  const self: Then<Event, State, Failure> = {
    events,
    failure,
    before,
    after,
    then(expected) {
      expect(decided()).toEqual(expected);
      return self;
    },
    thenMatch(expected) {
      const actual = decided();
      expect(actual).toHaveLength(expected.length);
      expect(actual).toMatchObject(expected);
      return self;
    },
    thenNothing() {
      expect(decided()).toEqual([]);
      return self;
    },
    thenFails(expected) {
      expect(events, 'decide returned events instead of failing').toBeUndefined();
      expect(failure).toMatchObject(expected);
      return self;
    },
    thenState(check) {
      check(after);
      return self;
    },
  };
  return self;
}

function deepFreeze<T>(value: T): T {
  // Plain objects and arrays only (commands and events are plain data); class instances are left alone.
  if (value !== null && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value) || proto === Object.prototype || proto === null) {
      Object.freeze(value);
      for (const inner of Object.values(value)) deepFreeze(inner);
    }
  }
  return value;
}
