import { relative } from 'node:path';
import { ROOT } from './proc.js';
import type { Figure } from './report.js';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
}

/** Self time per function and per package/folder, from a V8 .cpuprofile. */
export function topFrames(profile: CpuProfile, top = 20): { frames: Figure[]; areas: Figure[] } {
  const total = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
  const byFrame = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const file = url.startsWith(ROOT) ? relative(ROOT, url) : url || '(native)';
    const name = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    byFrame.set(name, (byFrame.get(name) ?? 0) + hits);
    const area = file.startsWith('node_modules/')
      ? file
          .split('/')
          .slice(0, file.startsWith('node_modules/@') ? 3 : 2)
          .join('/')
      : file.startsWith('node:') || !file.includes('/')
        ? file.startsWith('node:')
          ? 'node internals'
          : file
        : file.split('/').slice(0, 2).join('/');
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const pct = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, hits]) => ({ label, value: (100 * hits) / total, unit: '% self time' }));
  return { frames: pct(byFrame), areas: pct(byArea) };
}
