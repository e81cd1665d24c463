// Finds working ffmpeg and ffprobe binaries once at start-up: an explicit path from the config, then
// the system PATH, then the optional npm packages. Every candidate must answer `-version` before use.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { AvatarError } from '../errors.js';
import { runTool } from './run.js';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  /** Where the tools came from; when they came from different places, the later fallback. */
  source: 'env' | 'path' | 'npm';
}

/** Test seams; production code passes nothing. */
export interface ToolSearch {
  /** Directories to search, in PATH syntax. Default: this process's PATH. */
  pathEnv?: string;
  /** Loads an npm package's default export. Default: dynamic import; undefined when absent. */
  importPackage?: (name: string) => Promise<unknown>;
}

type Tool = 'ffmpeg' | 'ffprobe';
type Source = MediaTools['source'];

const NPM_PACKAGES: Record<Tool, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};
const SOURCE_ORDER: readonly Source[] = ['env', 'path', 'npm'];
const VERSION_TIMEOUT_MS = 10_000;

export async function resolveMediaTools(
  opts: { ffmpegPath?: string; ffprobePath?: string },
  search: ToolSearch = {},
): Promise<MediaTools> {
  const [ffmpeg, ffprobe] = await Promise.all([
    resolveTool('ffmpeg', opts.ffmpegPath, search),
    resolveTool('ffprobe', opts.ffprobePath, search),
  ]);
  const source =
    SOURCE_ORDER[Math.max(SOURCE_ORDER.indexOf(ffmpeg.source), SOURCE_ORDER.indexOf(ffprobe.source))];
  return { ffmpeg: ffmpeg.bin, ffprobe: ffprobe.bin, source: source ?? 'npm' };
}

async function resolveTool(
  tool: Tool,
  explicit: string | undefined,
  search: ToolSearch,
): Promise<{ bin: string; source: Source }> {
  const tried: string[] = [];
  const attempt = async (bin: string | undefined, source: Source) => {
    if (!bin) return undefined;
    tried.push(bin);
    return (await answersVersion(tool, bin)) ? { bin, source } : undefined;
  };

  const found =
    (await attempt(explicit, 'env')) ??
    (await attempt(await findOnPath(tool, search.pathEnv ?? process.env.PATH ?? ''), 'path')) ??
    (await attempt(await npmBinary(tool, search.importPackage ?? importDefault), 'npm'));
  if (found) return found;

  const setting = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  throw new AvatarError(
    'FFMPEG_MISSING',
    `${tool} not found: install it (apt-get install ffmpeg) or set ${setting}` +
      (tried.length > 0 ? ` (tried ${tried.join(', ')})` : ''),
  );
}

/** The first executable file named `tool` in the PATH directories, as an absolute path. */
async function findOnPath(tool: Tool, pathEnv: string): Promise<string | undefined> {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue; // a relative PATH entry would depend on the working directory
    const candidate = path.join(dir, tool);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

async function npmBinary(tool: Tool, load: (name: string) => Promise<unknown>): Promise<string | undefined> {
  try {
    const mod = await load(NPM_PACKAGES[tool]);
    const binPath = (mod as { path?: unknown } | undefined)?.path;
    return typeof binPath === 'string' ? binPath : undefined;
  } catch {
    // optional dependency not installed, or its binary missing for this platform (it throws a string)
    return undefined;
  }
}

async function importDefault(name: string): Promise<unknown> {
  const mod = (await import(name)) as { default?: unknown };
  return mod.default ?? mod;
}

/**
 * Runs `-version` and checks the banner. ffmpeg must also be built with libmp3lame, because every
 * voice note becomes MP3; a build without it would pass this check and then fail every request.
 */
async function answersVersion(tool: Tool, bin: string): Promise<boolean> {
  try {
    const { stdout } = await runTool(bin, ['-version'], { timeoutMs: VERSION_TIMEOUT_MS });
    if (!stdout.startsWith(`${tool} version`)) return false;
    return tool === 'ffprobe' || stdout.includes('--enable-libmp3lame');
  } catch {
    return false;
  }
}
