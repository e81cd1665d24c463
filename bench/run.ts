// `npm run bench`: runs every benchmark module (bench/*.bench.ts) and prints one table of figures.
// Benchmarks compare against a baseline measured in the same run (ratios) and report medians, because
// the machines are shared and noisy. `npm run bench -- media` runs only modules whose name matches,
// `npm run bench -- lag jobs` several; every module stops by itself. Modules: delivery-lag (`lag`),
// discord, jobs, long-voice, media, slack.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  bench: string;
  metric: string;
  value: string;
  target?: string;
  note?: string;
}

export type BenchModule = { run(): Promise<BenchRow[]> };

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here)).filter(
  (f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((name) => f.includes(name))),
);
if (files.length === 0) {
  console.error(`no bench matches ${filters.join(' ')}`);
  process.exit(2);
}

const rows: BenchRow[] = [];
for (const file of files.sort()) {
  console.log(`running ${file}…`);
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
    rows.push(...(await mod.run()));
  } catch (error) {
    // One failing module must not cost the figures of the others (each cleans up in its finally).
    const bench = file.replace('.bench.ts', '');
    rows.push({ bench, metric: 'error', value: 'failed', note: String(error).slice(0, 200) });
    process.exitCode = 1;
  }
  console.log(`  ${file}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const headers = ['bench', 'metric', 'value', 'target', 'note'] as const;
const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => (r[h] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(line([...headers]));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(headers.map((h) => r[h] ?? '')));
