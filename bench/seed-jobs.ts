// Loads N jobs in flight into a bot's store without N media preparations: the real bot takes a few
// `/avatar` lines (prepare, submit, follow) and is stopped; their records are cloned (new id, token,
// idempotency key) into the store, each with its own emulator task (created over HTTP with one TTS
// audio_id, so no ffprobe per task). The next bot over that store resumes them all, exactly as after
// a restart. Used by jobs.bench.ts where feeding N lines would take hours on a shared 2-core machine.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openJobStore } from '../src/jobs/open-store.js';
import type { KlingEmulator } from '../src/kling/emulator/server.js';
import { jobIdFor, randomToken } from '../src/util/ids.js';
import { AVATAR_LINE, spawnBot, until } from './bot-process.js';

const TEMPLATES = 4;
const CREATE_CONCURRENCY = 8;

/** The fields of the emulator's answers used here (TTS create, avatar create). */
interface Answer {
  task_id: string;
  task_result?: { audios?: Array<{ id: string }> };
}

async function kling(emulator: KlingEmulator, key: string, route: string, body: object): Promise<Answer> {
  const res = await fetch(`${emulator.url}/kling/v1/${route}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { code?: number; data: Answer };
  if (!res.ok || json.code !== 0) throw new Error(`emulator ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** Leaves `count` unfinished jobs in `dir`'s store, each following a 'processing' emulator task. */
export async function seedJobs(
  dir: string,
  env: Record<string, string>,
  emulator: KlingEmulator,
  key: string,
  count: number,
  pollMaxMs: number,
): Promise<void> {
  const bot = spawnBot(dir, env);
  try {
    for (let i = 0; i < TEMPLATES; i++) bot.child.stdin.write(AVATAR_LINE);
    const ok = await until(
      () => emulator.tasks().filter((t) => t.status === 'processing').length >= TEMPLATES,
      5 * 60_000,
    );
    if (!ok) throw new Error('seed: the template jobs never reached processing');
  } finally {
    await bot.stop();
  }
  const store = await openJobStore(env.STORE_URL ?? `sqlite://${path.join(dir, 'data', 'bot.sqlite')}`);
  try {
    const templates = await store.listUnfinished();
    const first = templates[0];
    if (!first?.prepared) throw new Error('seed: no prepared template job in the store');
    const image = (await readFile(first.prepared.imagePath)).toString('base64');
    const tts = await kling(emulator, key, 'audio/tts', {
      text: 'Good morning everyone, here is a short update on the project.',
      voice_id: 'oversea_male1',
      voice_language: 'en',
    });
    const audioId = tts.task_result?.audios?.[0]?.id;
    if (!audioId) throw new Error('seed: the emulator TTS gave no audio id');
    let next = templates.length;
    const worker = async () => {
      while (next < count) {
        const n = next++;
        const template = templates[n % templates.length] ?? first;
        const idempotencyKey = `bench-seed:${n}:${Date.now()}`;
        const id = jobIdFor(idempotencyKey);
        const task = await kling(emulator, key, 'videos/avatar/image2video', {
          image,
          audio_id: audioId,
          prompt: template.prompt || 'A person talking.',
          mode: template.mode,
          external_task_id: id,
        });
        // In flight for a while: back-off at its cap, next polls spread over one cap interval.
        const now = Date.now();
        const lastPollAt = now - Math.round(Math.random() * pollMaxMs);
        await store.insert({
          ...structuredClone(template),
          id,
          idempotencyKey,
          callbackToken: randomToken(),
          createdAt: now,
          updatedAt: now,
          state: 'processing',
          kling: {
            ...(template.kling ?? {}),
            taskId: String(task.task_id),
            submittedAt: now,
            status: 'processing',
            polls: 10,
            lastPollAt,
            nextPollAt: lastPollAt + pollMaxMs,
          },
        });
      }
    };
    await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  } finally {
    await store.close();
  }
}
