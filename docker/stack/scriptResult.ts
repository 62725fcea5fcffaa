import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { StackError } from './types.js';

/** Checks the value a script printed; returns an error message (with the value quoted) or undefined. */
export type ResultCheck = (value: string) => string | undefined;

/**
 * The value an install script printed: its last non-empty stdout line, which must be an absolute path without
 * control characters (Maven's colour codes glued to a path broke every fresh machine once) and pass `check`.
 */
export function scriptResult(script: string, stdout: string, check?: ResultCheck): string {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const value = (lines.at(-1) ?? '').trim();
  const bad = (why: string) =>
    new StackError(`${script} printed ${JSON.stringify(value)} as its result: ${why}`, 'STACK_ERR_SETUP');
  if (value === '') throw bad('expected a path on stdout, got nothing');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw bad('it contains control characters (colour codes on stdout?)');
  if (!isAbsolute(value)) throw bad('expected an absolute path');
  const problem = check?.(value);
  if (problem !== undefined) throw bad(problem);
  return value;
}

/** fetch-kafka.sh prints the folder of Kafka's runtime jars. */
export const kafkaLibsCheck: ResultCheck = (dir) => {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return 'no such folder';
  if (!readdirSync(dir).some((f) => f.startsWith('kafka-server-') && f.endsWith('.jar'))) {
    return 'the folder holds no kafka-server jar';
  }
  return undefined;
};

/** `bin` exists, is executable, and `bin args...` prints a line matching `answer`. */
function answers(bin: string, args: string[], answer: RegExp): string | undefined {
  if (!existsSync(bin)) return 'no such file';
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return 'the file is not executable';
  }
  const command = `"${[bin, ...args].join(' ')}"`;
  try {
    const out = execFileSync(bin, args, {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (!answer.test(out)) return `${command} printed ${JSON.stringify(out.split('\n')[0])}`;
  } catch (err) {
    return `${command} failed: ${String((err as Error).message).split('\n')[0]}`;
  }
  return undefined;
}

/** build-consul.sh prints the path of a Consul binary that runs. */
export const consulBinaryCheck: ResultCheck = (bin) => answers(bin, ['version'], /^Consul v/m);

/** build-manifestcheck.sh prints the path of a manifestcheck binary that runs (`version` names its libraries). */
export const manifestcheckBinaryCheck: ResultCheck = (bin) => answers(bin, ['version'], /^manifestcheck \(/m);

/** ensure-schemathesis.sh prints the path of a schemathesis that runs (`--version` names it). */
export const schemathesisBinaryCheck: ResultCheck = (bin) => answers(bin, ['--version'], /^schemathesis, version /m);
