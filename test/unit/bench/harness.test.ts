import { describe, expect, it } from 'vitest';
import { percentile } from '../../../bench/lib/harness.js';
import { fmt, ratio } from '../../../bench/lib/report.js';
import { topFrames, type CpuProfile } from '../../../bench/lib/cpuProfile.js';
import { ROOT } from '../../../bench/lib/proc.js';

/** Smoke of the benchmark harness's arithmetic; no benchmark runs and no timing is asserted here. */
describe('bench harness', () => {
  it('percentile takes the nearest rank of sorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('ratio is ours over the baseline, and 0 for a zero baseline', () => {
    expect(ratio('x', 50, 200, 'events/s')).toEqual({
      label: 'x',
      ours: 50,
      baseline: 200,
      ratio: 0.25,
      unit: 'events/s',
    });
    expect(ratio('x', 5, 0, 'events/s').ratio).toBe(0);
    expect(fmt(12345.6)).toBe('12,346');
    expect(fmt(3.14159)).toBe('3.14');
  });

  it('topFrames sums self time per function and per package or folder', () => {
    const frame = (id: number, functionName: string, url: string, hitCount: number) => ({
      id,
      callFrame: { functionName, url, lineNumber: 9 },
      hitCount,
    });
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 1,
      nodes: [
        frame(1, '(idle)', '', 50),
        frame(2, 'parse', `file://${ROOT}node_modules/zod/v4/core/schemas.js`, 30),
        frame(3, 'toEnvelope', `file://${ROOT}eventlib/ingest.ts`, 15),
        frame(4, 'toEnvelope', `file://${ROOT}eventlib/ingest.ts`, 5),
        frame(5, 'unused', `file://${ROOT}eventlib/ingest.ts`, 0),
      ],
    };
    const { frames, areas } = topFrames(profile, 3);
    expect(frames.map((f) => [f.label, f.value])).toEqual([
      ['(idle) (native):10', 50],
      ['parse node_modules/zod/v4/core/schemas.js:10', 30],
      ['toEnvelope eventlib/ingest.ts:10', 20],
    ]);
    expect(areas.map((a) => [a.label, a.value])).toEqual([
      ['(native)', 50],
      ['node_modules/zod', 30],
      ['eventlib/ingest.ts', 20],
    ]);
  });
});
