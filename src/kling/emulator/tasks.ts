// Avatar task store and life cycle: submitted → processing → succeed | failed, driven by timers and
// the real render, with a callback on every status change and Kling's task object as the view.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Logger } from '../../logger.js';
import type { CallbackSender } from './callbacks.js';
import type { FileStore } from './files.js';
import { ParamError } from './http.js';
import { formatSeconds } from './proc.js';
import { numericId } from './random.js';
import type { Renderer } from './render.js';
import type { Scheduler } from './scheduler.js';
import type { EmulatorTaskSummary, TaskRecord, TaskStatus, VideoResult } from './types.js';
import type { CreateFields, PreparedInputs } from './validate.js';

/** Illustrative unit prices (0.4/0.8 units per second); Kling's real avatar prices are undocumented. */
const UNITS_PER_SECOND = { std: 0.4, pro: 0.8 } as const;
const RENDER_FAILED_MSG = 'Internal error: video generation failed, please try again later';

export interface TaskEngineDeps {
  scheduler: Scheduler;
  renderer: Renderer;
  files: FileStore;
  callbacks: CallbackSender;
  logger: Logger;
  submittedMs: number;
  processingMs: number | (() => number);
  /** false: skip the ffmpeg render; the video URL then answers 404 (load benches only). */
  renderVideos: boolean;
}

export class TaskEngine {
  private readonly byId = new Map<string, TaskRecord>();
  private readonly byExternal = new Map<string, TaskRecord>();
  /** Finished renders wait here until the task may succeed; the URL is only published then. */
  private readonly rendered = new Map<string, VideoResult>();
  /** Without per-task renders: one real video, rendered from the first task, shared by all. */
  private placeholder: Promise<VideoResult | undefined> | undefined;

  constructor(private readonly deps: TaskEngineDeps) {}

  isExternalIdTaken(id: string): boolean {
    return this.byExternal.has(id);
  }

  /** Kling lets the query path carry either the task_id or the external_task_id. */
  find(id: string): TaskRecord | undefined {
    return this.byId.get(id) ?? this.byExternal.get(id);
  }

  summaries(): EmulatorTaskSummary[] {
    return [...this.byId.values()].map((t) => ({
      taskId: t.taskId,
      ...(t.externalTaskId === undefined ? {} : { externalTaskId: t.externalTaskId }),
      status: t.status,
      mode: t.mode,
      audioSeconds: t.audioSeconds,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    }));
  }

  create(fields: CreateFields, inputs: PreparedInputs, failWith: string | undefined): TaskRecord {
    // Re-checked here because two concurrent creates can both pass validation while media is checked.
    if (fields.externalTaskId !== undefined && this.byExternal.has(fields.externalTaskId)) {
      void removeFiles(inputs.ownedFiles);
      throw new ParamError(1201, 'external_task_id already exists');
    }
    const now = Date.now();
    const task: TaskRecord = {
      taskId: numericId(),
      status: 'submitted',
      statusMsg: '',
      mode: fields.mode,
      audioSeconds: inputs.audioSeconds,
      createdAt: now,
      updatedAt: now,
      minProcessingElapsed: false,
      renderState: 'pending',
      ...(fields.externalTaskId === undefined ? {} : { externalTaskId: fields.externalTaskId }),
      ...(fields.callbackUrl === undefined ? {} : { callbackUrl: fields.callbackUrl }),
      ...(failWith === undefined ? {} : { failWith }),
    };
    this.byId.set(task.taskId, task);
    if (task.externalTaskId !== undefined) this.byExternal.set(task.externalTaskId, task);

    if (failWith === undefined) this.startRender(task, inputs);
    else void removeFiles(inputs.ownedFiles);
    this.deps.scheduler.after(this.deps.submittedMs, () => this.enterProcessing(task));
    this.deps.logger.info(
      { taskId: task.taskId, externalTaskId: task.externalTaskId },
      'emulator task created',
    );
    return task;
  }

  /** Sends the 'submitted' callback; the create handler decides whether before or after answering. */
  announce(task: TaskRecord): Promise<void> {
    return this.deps.callbacks.notify(task.callbackUrl, task.taskId, this.data(task));
  }

  /** The task object exactly as Kling shows it in query answers and callbacks. */
  data(task: TaskRecord) {
    const terminal = task.status === 'succeed' || task.status === 'failed';
    const units = task.status === 'succeed' ? task.audioSeconds * UNITS_PER_SECOND[task.mode] : 0;
    return {
      task_id: task.taskId,
      task_status: task.status,
      task_status_msg: task.statusMsg,
      task_info: task.externalTaskId === undefined ? {} : { external_task_id: task.externalTaskId },
      task_result: task.video ? { videos: [task.video] } : {},
      ...(terminal ? { final_unit_deduction: String(Math.round(units * 100) / 100) } : {}),
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    };
  }

  private startRender(task: TaskRecord, inputs: PreparedInputs): void {
    const out = this.deps.files.allocate('mp4');
    if (!this.deps.renderVideos) {
      // Load benches keep thousands of tasks in flight; one encode serves them all, so a bench whose
      // tasks finish still gets a video the bot can download and check.
      this.placeholder ??= this.deps.renderer.render({ ...inputs, outPath: out.filePath }).then(
        (seconds) => ({ id: randomUUID(), url: out.url, duration: formatSeconds(seconds) }),
        () => undefined,
      );
      void this.placeholder
        .then((video) => {
          task.renderState = video ? 'done' : 'error';
          if (video) this.rendered.set(task.taskId, { ...video, id: randomUUID() });
        })
        .finally(() => removeFiles(inputs.ownedFiles))
        .then(() => this.maybeFinish(task));
      return;
    }
    this.deps.renderer
      .render({ ...inputs, outPath: out.filePath })
      .then(
        (seconds) => {
          task.renderState = 'done';
          this.rendered.set(task.taskId, {
            id: randomUUID(),
            url: out.url,
            duration: formatSeconds(seconds),
          });
        },
        (error: unknown) => {
          task.renderState = 'error';
          if (!this.deps.scheduler.isClosed) this.deps.logger.error({ err: error }, 'emulator render failed');
        },
      )
      .finally(() => removeFiles(inputs.ownedFiles))
      .then(() => this.maybeFinish(task))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'emulator task update failed'));
  }

  private enterProcessing(task: TaskRecord): void {
    this.transition(task, 'processing');
    const { processingMs } = this.deps;
    const ms = typeof processingMs === 'function' ? processingMs() : processingMs;
    this.deps.scheduler.after(ms, () => {
      task.minProcessingElapsed = true;
      this.maybeFinish(task);
    });
  }

  private maybeFinish(task: TaskRecord): void {
    if (this.deps.scheduler.isClosed || task.status !== 'processing' || !task.minProcessingElapsed) return;
    if (task.failWith !== undefined) {
      this.transition(task, 'failed', task.failWith);
    } else if (task.renderState === 'error') {
      this.transition(task, 'failed', RENDER_FAILED_MSG);
    } else if (task.renderState === 'done') {
      task.video = this.rendered.get(task.taskId);
      this.rendered.delete(task.taskId);
      this.transition(task, 'succeed');
    }
  }

  private transition(task: TaskRecord, status: TaskStatus, message = ''): void {
    task.status = status;
    task.statusMsg = message;
    task.updatedAt = Date.now();
    this.deps.logger.info({ taskId: task.taskId, status }, 'emulator task status changed');
    void this.deps.callbacks.notify(task.callbackUrl, task.taskId, this.data(task));
  }
}

function removeFiles(files: string[]): Promise<void> {
  return Promise.all(files.map((file) => rm(file, { force: true }))).then(() => undefined);
}
