// `npm run bench`: runs every benchmark module (bench/*.bench.ts) and prints one table of figures.
// Benchmarks compare against a baseline measured in the same run (ratios) and report medians, because
// the machines are shared and noisy. `npm run bench -- media` runs only modules whose name matches.
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
const filter = process.argv[2];
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)));

const rows: BenchRow[] = [];
for (const file of files.sort()) {
  console.log(`running ${file}…`);
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
  rows.push(...(await mod.run()));
}

const headers = ['bench', 'metric', 'value', 'target', 'note'] as const;
const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => (r[h] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(line([...headers]));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(headers.map((h) => r[h] ?? '')));
