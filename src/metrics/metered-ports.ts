// Instruments the two ports every job goes through, at the composition root, so no step has to know
// about metrics: the Kling API (operations and errors at the network edge) and the job store (the one
// place every job's move into a terminal state passes through, whichever step or control made it).
import { isTerminal, type JobState, TERMINAL_STATES } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { AvatarApi } from '../jobs/ports.js';
import type { BotMetrics } from './bot-metrics.js';

export function meterApi(api: AvatarApi, metrics: BotMetrics): AvatarApi {
  return {
    createAvatarTask: (body, signal) => metrics.klingCall('create', () => api.createAvatarTask(body, signal)),
    // Polls and reconcile lookups alike: both are one status query at the provider.
    getAvatarTask: (id, signal) => metrics.klingCall('query', () => api.getAvatarTask(id, signal)),
    synthesizeSpeech: (body, options) => metrics.klingCall('tts', () => api.synthesizeSpeech(body, options)),
  };
}

/**
 * Counts a job as ended when an update moves it into a terminal state. The store serialises updates per
 * job and refuses to move a job out of a terminal state, so this fires exactly once per job, on the
 * instance that ended it (counters can be summed across instances).
 */
export function meterStore(store: JobStore, metrics: BotMetrics): JobStore {
  metrics.countFrom(store);
  return {
    insert: (job) => store.insert(job),
    get: (id) => store.get(id),
    async update(id, mutate) {
      // A holder, not a `let`: TypeScript cannot see an assignment made inside the callback.
      const seen: { before?: JobState } = {};
      const job = await store.update(id, (j) => {
        seen.before = j.state;
        mutate(j);
      });
      if (seen.before !== undefined && !TERMINAL_STATES.has(seen.before) && isTerminal(job))
        metrics.jobEnded(job);
      return job;
    },
    findByCallbackToken: (token) => store.findByCallbackToken(token),
    listUnfinished: () => store.listUnfinished(),
    putMedia: (token, entry) => store.putMedia(token, entry),
    getMedia: (token) => store.getMedia(token),
    remove: (id) => store.remove(id),
    kv: (namespace) => store.kv(namespace),
    lock: (name, work) => store.lock(name, work),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
