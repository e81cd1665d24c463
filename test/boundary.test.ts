// Dependency direction: adapters/ → src/ ← commands/. The core and the command definitions must never
// import a platform SDK or an adapter; this test reads the sources and fails when one does.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = [/^discord\.js$/, /^@discordjs\//, /^@slack\//, /^discord-api-types/, /(^|\/)adapters\//];
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '');
}

describe('dependency boundary', () => {
  it.each(['src', 'commands'])('%s/ imports no platform SDK and no adapter', async (dir) => {
    const offenders: string[] = [];
    const files = await sourceFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const spec of await importsOf(file)) {
        if (FORBIDDEN.some((re) => re.test(spec))) offenders.push(`${file} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('detects a forbidden import when one is present', async () => {
    // Guards the guard: the pattern must catch the forms we care about.
    const sample = `import { Client } from 'discord.js';\nconst b = await import('@slack/bolt');\nimport x from '../adapters/shell/index.js';`;
    const specs = [...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '');
    expect(specs.filter((s) => FORBIDDEN.some((re) => re.test(s)))).toHaveLength(3);
  });
});
