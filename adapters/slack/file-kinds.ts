// What a Slack file is, from the fields Slack sends: image, audio (including voice clips recorded in
// Slack, subtype `slack_audio`, whose mimetype is audio/mp4, audio/webm or even video/mp4), or not
// usable. The core checks the real bytes later; this only routes files and rejects obvious mistakes.

/** The parts of a Slack file object the adapter keeps (also stored in modal metadata). */
export interface SlackFileMeta {
  id: string;
  name: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  /** url_private_download (or url_private); absent for files Slack hides until files.info. */
  url?: string;
  subtype?: string;
}

export type FileKind = 'image' | 'audio' | 'video' | 'other';

/** Slack `filetype` values offered by the modal's file pickers. */
export const IMAGE_FILETYPES = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'heic'] as const;
export const AUDIO_FILETYPES = ['m4a', 'mp3', 'mp4', 'wav', 'ogg', 'opus', 'webm', 'aac', 'flac'] as const;

const VIDEO_CONTAINERS = new Set(['video/mp4', 'video/webm', 'video/quicktime']);
const IMAGE_TYPES = new Set<string>(IMAGE_FILETYPES);
const AUDIO_TYPES = new Set<string>([...AUDIO_FILETYPES, 'oga', 'wave', 'x-m4a']);

export function fileKind(file: Pick<SlackFileMeta, 'mimetype' | 'filetype' | 'subtype'>): FileKind {
  if (file.subtype === 'slack_audio') return 'audio';
  const mime = (file.mimetype ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (VIDEO_CONTAINERS.has(mime)) return 'video';
  if (mime !== '' && mime !== 'application/octet-stream') return 'other';
  const type = (file.filetype ?? '').toLowerCase();
  if (IMAGE_TYPES.has(type)) return 'image';
  if (AUDIO_TYPES.has(type)) return 'audio';
  return 'other';
}

/** A voice slot takes audio, and also mp4/webm/mov containers: clips often arrive labelled as video. */
export function usableAsVoice(file: SlackFileMeta): boolean {
  const kind = fileKind(file);
  return kind === 'audio' || kind === 'video';
}

/** Reads a raw Slack file object defensively; undefined when it lacks an id. */
export function toFileMeta(raw: unknown): SlackFileMeta | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const f = raw as Record<string, unknown>;
  const str = (v: unknown, max: number) =>
    typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;
  const id = str(f.id, 40);
  if (!id) return undefined;
  const size = typeof f.size === 'number' && Number.isFinite(f.size) && f.size >= 0 ? f.size : undefined;
  const url = str(f.url_private_download, 1000) ?? str(f.url_private, 1000);
  const mimetype = str(f.mimetype, 100);
  const filetype = str(f.filetype, 40);
  const subtype = str(f.subtype, 40);
  return {
    id,
    name: str(f.name, 120) ?? str(f.title, 120) ?? id,
    ...(mimetype ? { mimetype } : {}),
    ...(filetype ? { filetype } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(url ? { url } : {}),
    ...(subtype ? { subtype } : {}),
  };
}

/** The first image and the first voice-like file of a message (message shortcut). */
export function pickMessageFiles(files: unknown): { image?: SlackFileMeta; voice?: SlackFileMeta } {
  const picked: { image?: SlackFileMeta; voice?: SlackFileMeta } = {};
  if (!Array.isArray(files)) return picked;
  for (const raw of files) {
    const file = toFileMeta(raw);
    if (!file) continue;
    const kind = fileKind(file);
    if (kind === 'image' && !picked.image) picked.image = file;
    // A plain video on a message is not taken as a voice note; a recorded clip is.
    else if (kind === 'audio' && !picked.voice) picked.voice = file;
  }
  return picked;
}
