import { openJobStore } from '../src/jobs/open-store.js';
const s = await openJobStore('redis://127.0.0.1:6399');
const job: any = { id: 'j1', idempotencyKey: 'k', state: 'accepted', createdAt: Date.now(), updatedAt: 0, callbackToken: 'tok1', requester: {id:'u', displayName:'U'}, replyTo: {adapter:'shell', address:{}}, mode: 'std', prompt: 'p', input: { image: { name: 'a', source: 'b' } } };
console.log(await s.insert(job).then(r=>r.inserted), await s.insert(job).then(r=>r.inserted));
console.log((await s.listUnfinished()).map(j=>j.id));
await s.update('j1', j => { j.state = 'delivered'; });
console.log((await s.listUnfinished()).map(j=>j.id), (await s.findByCallbackToken('tok1'))?.state);
await s.close();
