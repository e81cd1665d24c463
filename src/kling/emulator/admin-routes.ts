// Emulator-only control routes for tests and tools in other processes: statistics, fault settings.
// They are not part of Kling's API, carry no auth, and the emulator binds to 127.0.0.1 by default.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Faults, faultPatchSchema } from './faults.js';
import { BodyTooLargeError, readBody, rejectTooLarge, sendJson } from './http.js';
import type { TaskEngine } from './tasks.js';
import type { EmulatorStats } from './types.js';

export function snapshotStats(stats: EmulatorStats): EmulatorStats {
  return structuredClone(stats);
}

export function handleStats(res: ServerResponse, stats: EmulatorStats, tasks: TaskEngine): void {
  sendJson(res, 200, { ...snapshotStats(stats), tasks: tasks.summaries() });
}

/** POST applies a partial FaultSettings (validated strictly); DELETE restores the defaults. */
export async function handleFaults(req: IncomingMessage, res: ServerResponse, faults: Faults): Promise<void> {
  if (req.method === 'GET') return sendJson(res, 200, faults.settings);
  if (req.method === 'DELETE') {
    faults.reset();
    return sendJson(res, 200, faults.settings);
  }
  let body: Buffer;
  try {
    body = await readBody(req, 1024 * 1024);
  } catch (error) {
    if (error instanceof BodyTooLargeError) rejectTooLarge(req, res);
    else req.socket.destroy();
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 400, { error: 'body is not valid JSON' });
  }
  const result = faultPatchSchema.safeParse(parsed);
  if (!result.success) return sendJson(res, 400, { error: result.error.issues.map((i) => i.message) });
  // zod leaves out absent keys, so this is a true partial update.
  faults.set(result.data as Parameters<Faults['set']>[0]);
  sendJson(res, 200, faults.settings);
}
