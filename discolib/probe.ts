import { request } from 'node:http';

/**
 * One HTTP health probe as Consul runs it: GET, 2xx = passing, anything else (or no answer within
 * `timeoutMs`) = critical. A fresh connection each time, so a dead instance is never hidden by a pool.
 */
export function probeHttp(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
