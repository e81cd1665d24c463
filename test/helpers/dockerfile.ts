// A small Dockerfile reader for the container tests: joins continuation lines, drops comments, and
// splits the file into build stages of instructions, so tests can ask what the final image does.

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (!pending) startLine = index + 1;
    if (line.trim().startsWith('#')) return; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (!match) return;
    const instruction = { keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '', line: startLine };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) args.push(instruction);
    else stages[stages.length - 1]?.instructions.push(instruction);
  });
  return { args, stages };
}

/** `ENV A=1 B=2` (or the old `ENV A 1`) as a record; later instructions win. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (!args.includes('=')) {
      const [name = '', ...rest] = args.split(/\s+/);
      env[name] = rest.join(' ');
      continue;
    }
    for (const pair of args.match(/\S+=("[^"]*"|\S*)/g) ?? []) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The exec-form command of HEALTHCHECK (`CMD ["node", "-e", "…"]`) after its options. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const args = argsOf(stage, 'HEALTHCHECK').at(-1);
  const json = args ? /\bCMD\s+(\[.*\])\s*$/s.exec(args)?.[1] : undefined;
  return json ? (JSON.parse(json) as string[]) : undefined;
}
