// English message catalogue: every string a user can see. Other languages must define the same keys
// (a test fails otherwise). `{name}` placeholders are filled from the parameters at format time.

export const en = {
  // Job progress
  'job.accepted': 'Accepted: {mode} mode, {seconds} s of speech, estimated cost US$ {cost}.',
  'job.preparing': 'Checking your photo and voice note…',
  'job.submitted': 'Submitted to Kling. Rendering usually takes a few minutes.',
  'job.processing': 'Rendering… ({elapsed} elapsed)',
  'job.done': 'Done: your talking-avatar video is ready ({seconds} s). AI-generated video.',
  'job.failed': 'Failed: {reason}',
  'job.failed.noCharge': 'Nothing was charged.',
  'job.failed.charged': 'The render was submitted, so it may have been charged.',
  'job.duplicate': 'This request is already being handled (job {jobId}).',
  'job.caption': 'AI-generated talking-avatar video for {user}.',
  'job.parts.plan':
    'Accepted: {seconds} s of speech, made as {parts} parts and joined into one video; {mode} mode, estimated cost US$ {cost} in total.',
  'job.parts.progress': 'Rendering: {done} of {total} parts done ({elapsed} elapsed).',

  // Request shape
  'error.IMAGE_MISSING': 'Attach a face photo (JPG, PNG, WebP, GIF or AVIF) as the image.',
  'error.VOICE_OR_TEXT_MISSING': 'Attach a voice note, or give the text the avatar should say.',
  'error.VOICE_AND_TEXT': 'Give either a voice note or text to speak, not both.',
  'error.MODE_INVALID': 'Mode must be "std" or "pro".',
  'error.PROMPT_TOO_LONG':
    'The prompt is {length} characters long; the limit is {max}. Shorten it and try again.',

  // Image
  'error.IMAGE_UNREADABLE':
    'The photo could not be read (the file looks damaged or is not an image). Send a JPG or PNG photo.',
  'error.IMAGE_FORMAT':
    'The photo is in {format} format, which is not supported. Send a JPG, PNG, WebP, GIF or AVIF image.',
  'error.IMAGE_TOO_SMALL':
    'The photo is {width}×{height} px; each side must be at least {min} px. Send a larger photo.',
  'error.IMAGE_ASPECT':
    'The photo is {width}×{height} px (ratio {ratio}:1); it must be between 1:2.5 and 2.5:1. Crop it closer to the face.',
  'error.IMAGE_TOO_MANY_PIXELS':
    'The photo is {width}×{height} px, more than the {maxMegapixels} megapixels the bot accepts. Send a smaller version.',
  'error.IMAGE_FILE_TOO_BIG':
    'The photo is still {sizeMb} MB after compression; the limit is {maxMb} MB. Send a smaller photo.',

  // Voice
  'error.VOICE_UNREADABLE':
    'The voice note could not be read (the file looks damaged or is not audio). Send an MP3, M4A, WAV, OGG or a recorded voice message.',
  'error.VOICE_NO_AUDIO': 'The voice file has no sound track. Send a recording with speech in it.',
  'error.VOICE_IS_VIDEO':
    'The voice file is actually a video. Send only the audio (for example an M4A or MP3), or the recording itself.',
  'error.VOICE_SILENT': 'The voice note is silent. Record it again and check your microphone.',
  'error.VOICE_TOO_SHORT':
    'The voice note lasts {seconds} s; it must be at least {min} s. Record a little more.',
  'error.VOICE_TOO_LONG':
    'The voice note lasts {seconds} s; the limit is {max} s per video. Trim it or split it into shorter notes.',
  'error.VOICE_FILE_TOO_BIG':
    'The voice note is {sizeMb} MB after conversion; the limit is {maxMb} MB. Send a shorter recording.',

  // Text to speech
  'error.TEXT_TOO_SHORT':
    'The text is too short to speak for {min} seconds. Write at least {minChars} characters.',
  'error.TEXT_TOO_LONG': 'The text is {length} characters long; the limit is {max}. Shorten it.',

  // Fetching inputs
  'error.DOWNLOAD_FAILED': 'The {what} could not be downloaded. Attach it again.',
  'error.DOWNLOAD_TOO_BIG': 'The {what} is larger than {maxMb} MB. Send a smaller file.',
  'error.URL_NOT_ALLOWED': 'The {what} link is not from an allowed file host. Attach the file directly.',

  // Kling / CometAPI
  'error.KLING_AUTH':
    'The video service rejected the bot’s credentials. An admin must check the CometAPI key.',
  'error.KLING_ACCOUNT':
    'The video service account cannot take new work (balance or plan). An admin must check the CometAPI account.',
  'error.KLING_FORBIDDEN': 'The video service does not allow this request for the bot’s account.',
  'error.KLING_INVALID_REQUEST': 'The video service refused the request: {detail}',
  'error.KLING_CONTENT_POLICY':
    'The video service refused the photo or speech under its content policy. Try a different photo or wording.',
  'error.KLING_RATE_LIMITED': 'The video service is busy. The bot will keep trying for a while.',
  'error.KLING_UNAVAILABLE': 'The video service is temporarily unavailable. Try again in a few minutes.',
  'error.KLING_NOT_FOUND': 'The video service no longer knows this render.',
  'error.KLING_BAD_RESPONSE': 'The video service sent an unexpected answer. Try again later.',
  'error.KLING_TIMEOUT': 'The video service did not answer in time. Try again later.',
  'error.KLING_CONNECTION': 'The video service could not be reached. Try again later.',
  'error.KLING_TASK_FAILED': 'The video service could not render this video: {detail}',

  // Job lifecycle
  'error.JOB_DEADLINE': 'The render did not finish within {minutes} minutes, so the bot stopped waiting.',
  'error.JOB_SUBMIT_UNCONFIRMED':
    'The bot restarted while submitting and could not confirm the render; it was not sent again to avoid a double charge.',
  'error.RESULT_DOWNLOAD_FAILED':
    'The video was rendered but could not be downloaded from the video service. An admin can retry it.',
  'error.PART_FAILED':
    'Part {part} of {parts} ({from}–{to} s of your voice note) failed, so the video was not made. {submitted} of {parts} parts had been submitted ({seconds} s of video, up to US$ {cost}). Reason: {reason}',
  'error.PARTS_JOIN_FAILED':
    'All {parts} parts were rendered but could not be joined into one video. An admin can retry it.',
  'error.DELIVERY_FAILED': 'The video was rendered but could not be posted here.',
  'error.JOB_NOT_FOUND': 'That job no longer exists. Start a new one with /avatar.',
  'error.JOB_NOT_YOURS': 'Only the person who started this video can use its buttons.',
  'error.JOB_INPUTS_GONE':
    'The photo and voice of that job have already been deleted. Start a new one with /avatar.',

  // Operations
  'error.CONFIG_INVALID': 'The bot is misconfigured. An admin must check its settings.',
  'error.FFMPEG_MISSING': 'The bot cannot process audio right now. An admin must install ffmpeg.',
  'error.STORE_UNAVAILABLE':
    "The bot's storage is unavailable right now, so your request could not be handled. Nothing was charged; try again in a minute.",
  'error.INTERNAL': 'Something went wrong inside the bot. Nothing was charged; try again.',

  // Team controls: limits and access (refusals before a job exists)
  'error.LIMIT_USER_CONCURRENT':
    'You already have {count} videos in progress; the limit is {limit} at a time per person. Try again when one has finished.',
  'error.LIMIT_USER_PER_DAY':
    'You have started {count} videos today; the limit is {limit} per person per day. It resets at {resetAt}.',
  'error.LIMIT_USER_SECONDS_PER_MONTH':
    'This video needs {needed} s, but {remaining} s are left of your {limit} s per month. The limit resets on {resetAt}. Send a shorter voice note, or ask an admin to raise it.',
  'error.LIMIT_TENANT_CONCURRENT':
    'This team already has {count} videos in progress; the limit is {limit} at a time. Try again when one has finished.',
  'error.LIMIT_TENANT_PER_DAY':
    'This team has started {count} videos today; the limit is {limit} per day. It resets at {resetAt}.',
  'error.LIMIT_TENANT_SECONDS_PER_MONTH':
    'This video needs {needed} s, but {remaining} s are left of this team’s {limit} s per month. The limit resets on {resetAt}. Ask an admin to raise it.',
  'error.ACCESS_BANNED': 'An admin has blocked you from using this bot here.',
  'error.ACCESS_CHANNEL': 'The bot is not enabled in this channel. Ask an admin which channels it works in.',
  'error.ACCESS_ROLE': 'Only members with an allowed role can use this bot here. Ask an admin for access.',
  'error.ACCESS_PRO_ROLE': 'pro mode is reserved for some roles here. Use std mode, or ask an admin.',
  'error.ADMIN_ONLY': 'Only an admin of this server or workspace can do that.',

  // Team controls: confirmation, cancellation, consent
  'error.JOB_CANCELLED': 'Cancelled by {user}.',
  'error.CONFIRM_EXPIRED': 'It was not confirmed within {minutes} min.',
  'error.CONFIRM_UNATTENDED':
    'It needed a confirmation, but the input ended first. Type /confirm {jobId} in an interactive terminal, or change CONFIRM_THRESHOLD_USD or CONFIRM_PRO.',
  'error.CONSENT_DECLINED': 'Consent for the face in the photo was not given.',
  'error.CONSENT_NEEDED': 'First confirm that you are the person in the photo or have their consent.',
  'error.JOB_NOT_WAITING': 'That video is not waiting for a confirmation (it is {state}).',
  'error.JOB_ALREADY_SUBMITTED':
    'That video was already sent for rendering, so it can no longer be cancelled.',
  'error.JOB_ALREADY_ENDED': 'That video has already ended ({state}).',
  'error.FORGET_JOBS_RUNNING':
    '{count} of your videos are rendering right now. Run the command again once they have finished.',
  'error.SETTING_UNKNOWN': 'There is no setting "{name}". Settings: {names}.',
  'error.SETTING_INVALID': '"{value}" does not fit {name}: {expected}',
  'job.awaiting.price':
    'Estimated cost US$ {cost} ({seconds} s of speech, {mode} mode). Confirm to start, or cancel. Without an answer it expires in {minutes} min at no cost.',
  'job.awaiting.consent':
    'Before your first video: confirm that you are the person in the photo or have their consent. Estimated cost US$ {cost} ({seconds} s, {mode} mode). Without an answer it expires in {minutes} min at no cost.',
  'job.cancelled': 'Not made: {reason} Nothing was charged.',
  'controls.button.confirm': 'Confirm (US$ {cost})',
  'controls.button.cancel': 'Cancel',
  'controls.button.consent': 'It’s me, or I have their consent',
  'controls.consent.recorded': 'Thank you. Your consent is recorded; the video starts now.',
  'controls.consent.saved': 'Thank you. Your consent is recorded.',
  'controls.confirmed': 'Confirmed. Submitting the video now.',
  'controls.cancelled': 'Cancelled job {jobId}. Nothing was charged.',

  // Job states, for /avatar-status
  'state.accepted': 'accepted',
  'state.preparing': 'checking the photo and voice',
  'state.prepared': 'about to be submitted',
  'state.awaiting_confirmation': 'waiting for your confirmation',
  'state.submitting': 'being submitted',
  'state.submitted': 'queued at the video service',
  'state.processing': 'rendering',
  'state.downloading': 'downloading the result',
  'state.delivering': 'being posted',
  'state.delivered': 'delivered',
  'state.failed': 'failed',
  'state.cancelled': 'cancelled',

  // /avatar-status
  'status.line': 'Job {jobId} ({mode}): {state}, {elapsed} since it was accepted.',
  'status.position': 'Number {position} of {total} unfinished videos in this team.',
  'status.cost': 'Estimated cost US$ {cost}.',
  'status.spent': 'Counted: {seconds} s, US$ {usd}.',
  'status.cancellable': 'It has not been submitted yet, so you can still cancel it.',

  // /avatar-usage
  'usage.user':
    'Your usage in {month}: {jobs} videos, {seconds} s, US$ {usd}. In progress: {active} ({held} s held).',
  'usage.today': 'Today: {count} of {limit} videos.',
  'usage.concurrent': 'At a time: {count} of {limit}.',
  'usage.seconds': 'This month: {used} of {limit} s used, {remaining} s left (resets on {resetAt}).',
  'usage.unlimited': 'no limit',
  'usage.tenant':
    'Team usage in {month}: {jobs} videos, {seconds} s, US$ {usd}. In progress: {active} ({held} s held).',
  'usage.byUser': 'By person:',
  'usage.byChannel': 'By channel:',
  'usage.line': '{name}: {jobs} videos, {seconds} s, US$ {usd}',
  'usage.forgotten': 'people who asked to be forgotten',
  'usage.none': 'No videos yet this month.',

  // /avatar-settings
  'settings.title': 'Settings for this team ({tenant}):',
  'settings.line': '{name} = {value}{changed}: {description}',
  'settings.changedMark': ' (changed)',
  'settings.userLine': 'Limits for {user}: {limits}',
  'settings.set': '{name} is now {value}.',
  'settings.setUser': '{name} for {user} is now {value}.',
  'settings.reset': '{name} is back to its default, {value}.',
  'settings.banned': '{user} can no longer use the bot here.',
  'settings.unbanned': '{user} can use the bot here again.',
  'settings.any': 'no restriction',
  'settings.nobody': 'nobody',
  'settings.on': 'on',
  'settings.off': 'off',
  'settings.expect.mode': 'use std or pro.',
  'settings.expect.usd': 'use an amount in US dollars, such as 0.5.',
  'settings.expect.limit': 'use a whole number; 0 means no limit.',
  'settings.expect.boolean': 'use on or off.',
  'settings.expect.list': 'use ids separated by commas, or "any".',
  'settings.expect.visibility': 'use thread, channel or dm.',
  'settings.expect.locale': 'use a language code such as en or ar, or "default".',
  'settings.expect.user': 'name the user id.',
  'setting.mode': 'mode when the user picks none',
  'setting.price.std': 'US$ per second of std video, for estimates',
  'setting.price.pro': 'US$ per second of pro video, for estimates',
  'setting.confirm.threshold': 'estimates above this many US$ need a confirmation',
  'setting.confirm.pro': 'pro videos always need a confirmation',
  'setting.user.concurrent': 'videos in progress at a time, per person',
  'setting.user.perDay': 'videos per day, per person',
  'setting.user.secondsPerMonth': 'seconds of video per month, per person',
  'setting.tenant.concurrent': 'videos in progress at a time, whole team',
  'setting.tenant.perDay': 'videos per day, whole team',
  'setting.tenant.secondsPerMonth': 'seconds of video per month, whole team',
  'setting.channels': 'channels where the bot works',
  'setting.roles': 'roles or groups allowed to use the bot',
  'setting.proRoles': 'roles or groups allowed to use pro',
  'setting.adminRoles': 'roles or groups that may change these settings',
  'setting.banned': 'users who may not use the bot',
  'setting.visibility': 'where finished videos go: thread, channel or dm',
  'setting.locale': 'reply language when the platform gives none for the user',
  'settings.defaultLocale': 'default (English)',

  // /avatar-forget
  'forget.ask':
    'This deletes everything the bot stores about you: {jobs} video jobs with their files, your consent record and your usage details. Videos already posted in chat stay. Run the command again with confirm set to yes to go ahead.',
  'forget.done':
    'Done: deleted {jobs} video jobs, {files} files, your consent record and your usage details. The team keeps anonymous totals so its budget still holds.',

  // Terminal adapter
  'shell.awaiting': 'Answer with /confirm {jobId}, /consent yes or /cancel {jobId}.',
  'shell.awaitingPrice': 'Answer with /confirm {jobId} or /cancel {jobId}.',

  // Slack adapter: modal, status message, buttons, delivery
  'slack.modal.title': 'Talking avatar',
  'slack.modal.submit': 'Create video',
  'slack.modal.cancel': 'Cancel',
  'slack.modal.intro':
    'Make a talking-avatar video from a face photo and a voice note, or from text for the avatar to say.',
  'slack.modal.fromMessage': 'From the message: {files}',
  'slack.field.image.label': 'Face photo',
  'slack.field.image.hint': 'A clear, front-facing photo: JPG, PNG, WebP, GIF, AVIF or HEIC.',
  'slack.field.voice.label': 'Voice note',
  'slack.field.voice.hint':
    'An audio file or a recorded clip, {min} to {max} seconds. Leave it empty to use text instead.',
  'slack.field.text.label': 'Or text to speak',
  'slack.field.text.hint': 'What the avatar should say, if you attach no voice note.',
  'slack.field.prompt.label': 'Prompt',
  'slack.field.prompt.hint': 'Expression, gestures or camera, for example "smiles, small nods".',
  'slack.field.mode.label': 'Quality',
  'slack.field.mode.hint': 'std is cheaper; pro looks better and costs more.',
  'slack.field.channel.label': 'Post in',
  'slack.field.channel.hint': 'The channel where the bot shows progress and posts the video.',
  'slack.mode.std': 'std (standard)',
  'slack.mode.pro': 'pro (higher quality)',
  'slack.file.photo': 'photo',
  'slack.file.voice': 'voice note',
  'slack.error.channelMissing': 'Pick the channel where the video should go.',
  'slack.error.cannotPost':
    'I could not post in <#{channel}>. Invite me there with /invite, or pick another channel, and try again.',
  'slack.status.received': '{user} asked for a talking-avatar video. Starting…',
  'slack.status.rerun': 'Starting again in {mode} mode for {user}…',
  'slack.status.context': 'Requested by {user} · {mode} · job {jobId}',
  'slack.button.againPro': 'Again in pro',
  'slack.button.againStd': 'Again in std',
  'slack.button.retry': 'Retry',
  'slack.button.forget': 'Delete my data',
  'slack.field.consent.label': 'Consent',
  'slack.field.consent.option': 'I am the person shown, or I have their consent',
  'slack.delivery.comment': '{user} {caption}',
  'slack.delivery.link':
    '{user} {caption} The file is too large to upload here; download it from <{url}|this link> (valid for {hours} hours).',
  'slack.help':
    'Run /avatar to open the form, or use the "Make talking avatar" shortcut on a message that has a photo or a voice clip.',

  // Discord adapter
  'discord.what.photo': 'photo',
  'discord.what.voice': 'voice note',
  'discord.status.starting': 'Got it. Fetching your photo and voice note…',
  'discord.status.video': 'Video: {link}',
  'discord.button.againPro': 'Again in pro',
  'discord.button.againStd': 'Again in std',
  'discord.button.retry': 'Retry',
  'discord.thread.name': 'Talking avatar for {user}',
  'discord.result.link':
    'The video is {sizeMb} MB, more than this channel accepts as an upload. Download it here (the link expires in {hours} h): {url}',
  'discord.help.usage':
    'Use {usage} with a face photo and a voice note (or text). For a voice message: right-click it, choose Apps → "Make talking avatar", then add a photo.',
  'discord.help.noMedia':
    'That message has no voice note or photo to use. Pick a voice message or a photo, or use {usage}.',
  'discord.modal.titleImage': 'Add a face photo',
  'discord.modal.titleVoice': 'Add a voice note or text',
  'discord.modal.image': 'Face photo',
  'discord.modal.imageHint': 'One face, looking at the camera: JPG, PNG or WebP',
  'discord.modal.voice': 'Voice note',
  'discord.modal.voiceHint': '2 to 60 seconds of speech, or leave empty and write the text below',
  'discord.modal.text': 'Text to speak',
  'discord.modal.textHint': 'Used only when you upload no voice note',
  'discord.modal.prompt': 'Prompt (optional)',
  'discord.modal.promptHint': 'Expression, gestures or camera, e.g. "smiles, small nods"',
  'discord.modal.mode': 'Mode',
  'discord.modal.modeStd': 'std: cheaper',
  'discord.modal.modePro': 'pro: better quality',
  'discord.modal.expired': 'This form has expired. Run "Make talking avatar" on the message again.',
  'discord.button.stale': 'This button no longer works. Start a new video with {usage}.',
} as const;

export type MessageKey = keyof typeof en;
