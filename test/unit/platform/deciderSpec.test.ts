import { describe, expect, it } from 'vitest';
import { deciderSpec, type SpecDecider as Decider } from '../../../platform/testing/index.js';

// A toy counter decider: proves the helper passes good deciders and catches bad ones.
type Command = { type: 'add'; amount: number };
type Event = { type: 'added'; data: { amount: number } };
type State = { total: number; history: number[] };
type Failure = { code: string };

const counter: Decider<Command, Event, State, { max: number }, Failure> = {
  decide: (command, state, { max }) =>
    state.total + command.amount > max ? { code: 'TOO_BIG' } : [{ type: 'added', data: { amount: command.amount } }],
  evolve: (state, event) => ({
    total: state.total + event.data.amount,
    history: [...state.history, event.data.amount],
  }),
  initialState: () => ({ total: 0, history: [] }),
};
const spec = deciderSpec(counter, { context: { max: 10 } });
const add = (amount: number): Command => ({ type: 'add', amount });
const added = (amount: number): Event => ({ type: 'added', data: { amount } });

describe('givenWhenThen helper', () => {
  it('passes events, failures and state checks of a correct decider', () => {
    spec
      .given([added(3)])
      .when(add(4))
      .then([added(4)])
      .thenState((s) => expect(s.total).toBe(7));
    spec
      .given([added(9)])
      .when(add(4))
      .thenFails({ code: 'TOO_BIG' });
    spec
      .givenCommands([add(5)])
      .when(add(6), { max: 100 })
      .thenMatch([{ data: { amount: 6 } }]);
  });

  it('fails on unexpected events, on a failure where events were expected, and the reverse', () => {
    expect(() =>
      spec
        .given()
        .when(add(1))
        .then([added(2)]),
    ).toThrow();
    expect(() => spec.given().when(add(1)).thenMatch([])).toThrow();
    expect(() => spec.given().when(add(1)).thenNothing()).toThrow();
    expect(() => spec.given().when(add(11)).then([])).toThrow(/decide failed/);
    expect(() => spec.given().when(add(1)).thenFails({ code: 'TOO_BIG' })).toThrow(/instead of failing/);
    expect(() => spec.givenCommands([add(11)])).toThrow(/given command failed/);
  });

  it('catches a decider that mutates its input state, event or command', () => {
    const mutatingEvolve = deciderSpec(
      {
        ...counter,
        evolve: (state: State, event: Event) => {
          state.history.push(event.data.amount);
          return { ...state, total: state.total + event.data.amount };
        },
      },
      { context: { max: 10 } },
    );
    expect(() => mutatingEvolve.given([added(1)])).toThrow(/must not mutate/);

    const mutatingDecide = deciderSpec(
      {
        ...counter,
        decide: (command: Command) => {
          command.amount += 1;
          return [added(command.amount)];
        },
      },
      { context: { max: 10 } },
    );
    expect(() => mutatingDecide.given().when(add(1))).toThrow(TypeError);
  });
});
