// Arabic (Modern Standard Arabic) message catalogue: the same keys and `{placeholder}`s as en.ts,
// checked by TypeScript (typed `Record<MessageKey, string>`) and by test/i18n-ar.test.ts.
//
// Right-to-left rule (Discord and Slack both honour Unicode bidi isolates):
// - Every placeholder is wrapped in FSI U+2068 … PDI U+2069 (`\u2068{name}\u2069`). Values are often
//   left-to-right (numbers, "2 min 5 s", job ids, user names, URLs, setting names), and an isolate
//   lets each value take its own direction without reordering the Arabic around it. Placeholders that
//   are filled with Arabic text (a translated reason or state) are isolated too: it costs nothing and
//   keeps the rule simple.
// - A left-to-right run written in the text itself is isolated as one unit with its unit or symbol:
//   file formats (`\u2068JPG\u2069`), commands (`\u2068/avatar\u2069`), modes (`\u2068std\u2069`),
//   amounts (`\u2068US$ {cost}\u2069`) and measures (`\u2068{width}×{height} px\u2069`). Arabic units
//   (ثانية، دقيقة، ميغابايت) stay outside the isolate, after the number.
// - Chat markup stays intact: a Slack channel mention is isolated whole (`\u2068<#{channel}>\u2069`)
//   and a Slack link `<{url}|…>` is left as is, because its syntax must not be split.
// - No LRM/RLM marks are used; every FSI has exactly one matching PDI.
// - Product and technical names stay in Latin script: Kling, CometAPI, ffmpeg, std, pro, US$.
import type { MessageKey } from './en.js';

export const ar: Record<MessageKey, string> = {
  // Job progress
  'job.accepted':
    'تم القبول: الوضع \u2068{mode}\u2069، ومدة الكلام \u2068{seconds}\u2069 ثانية، والتكلفة التقديرية \u2068US$ {cost}\u2069.',
  'job.preparing': 'جارٍ فحص صورتك ومقطعك الصوتي…',
  'job.submitted': 'أُرسل الطلب إلى \u2068Kling\u2069. يستغرق إنشاء الفيديو عادةً بضع دقائق.',
  'job.processing': 'جارٍ إنشاء الفيديو… (مضى \u2068{elapsed}\u2069)',
  'job.done':
    'اكتمل: فيديو الأفاتار الناطق جاهز (\u2068{seconds}\u2069 ثانية). فيديو مُنشأ بالذكاء الاصطناعي.',
  'job.failed': 'تعذّر الإنشاء: \u2068{reason}\u2069',
  'job.failed.noCharge': 'لم تُحتسب أي تكلفة.',
  'job.failed.charged': 'أُرسل الفيديو للإنشاء، لذا قد تكون تكلفته قد احتُسبت.',
  'job.duplicate': 'هذا الطلب قيد المعالجة بالفعل (المهمة \u2068{jobId}\u2069).',
  'job.caption': 'فيديو أفاتار ناطق مُنشأ بالذكاء الاصطناعي لـ \u2068{user}\u2069.',
  'job.parts.plan':
    'تم القبول: \u2068{seconds}\u2069 ثانية من الكلام، تُنشأ على \u2068{parts}\u2069 أجزاء ثم تُدمج في فيديو واحد؛ الوضع \u2068{mode}\u2069، والتكلفة التقديرية الإجمالية \u2068US$ {cost}\u2069.',
  'job.parts.progress':
    'جارٍ الإنشاء: اكتمل \u2068{done}\u2069 من \u2068{total}\u2069 أجزاء (مضى \u2068{elapsed}\u2069).',

  // Request shape
  'error.IMAGE_MISSING':
    'أرفق صورة للوجه (\u2068JPG\u2069 أو \u2068PNG\u2069 أو \u2068WebP\u2069 أو \u2068GIF\u2069 أو \u2068AVIF\u2069) بوصفها الصورة.',
  'error.VOICE_OR_TEXT_MISSING': 'أرفق مقطعًا صوتيًا، أو اكتب النص الذي ينبغي أن ينطقه الأفاتار.',
  'error.VOICE_AND_TEXT': 'أرسل مقطعًا صوتيًا أو نصًا يُنطق، وليس كليهما.',
  'error.MODE_INVALID': 'يجب أن يكون الوضع \u2068std\u2069 أو \u2068pro\u2069.',
  'error.PROMPT_TOO_LONG':
    'طول التوجيه \u2068{length}\u2069 حرفًا، والحد الأقصى \u2068{max}\u2069. اختصره وحاول مرة أخرى.',

  // Image
  'error.IMAGE_UNREADABLE':
    'تعذّرت قراءة الصورة (يبدو أن الملف تالف أو ليس صورة). أرسل صورة بصيغة \u2068JPG\u2069 أو \u2068PNG\u2069.',
  'error.IMAGE_FORMAT':
    'الصورة بصيغة \u2068{format}\u2069، وهي صيغة غير مدعومة. أرسل صورة بصيغة \u2068JPG\u2069 أو \u2068PNG\u2069 أو \u2068WebP\u2069 أو \u2068GIF\u2069 أو \u2068AVIF\u2069.',
  'error.IMAGE_TOO_SMALL':
    'أبعاد الصورة \u2068{width}×{height} px\u2069، ويجب ألا يقل كل ضلع عن \u2068{min} px\u2069. أرسل صورة أكبر.',
  'error.IMAGE_ASPECT':
    'أبعاد الصورة \u2068{width}×{height} px\u2069 (النسبة \u2068{ratio}:1\u2069)، ويجب أن تكون النسبة بين \u20681:2.5\u2069 و\u20682.5:1\u2069. اقتطع الصورة بحيث تقترب من الوجه.',
  'error.IMAGE_TOO_MANY_PIXELS':
    'أبعاد الصورة \u2068{width}×{height} px\u2069، وهذا يتجاوز \u2068{maxMegapixels}\u2069 ميغابكسل التي يقبلها البوت. أرسل نسخة أصغر.',
  'error.IMAGE_FILE_TOO_BIG':
    'لا يزال حجم الصورة \u2068{sizeMb}\u2069 ميغابايت بعد الضغط، والحد الأقصى \u2068{maxMb}\u2069 ميغابايت. أرسل صورة أصغر.',

  // Voice
  'error.VOICE_UNREADABLE':
    'تعذّرت قراءة المقطع الصوتي (يبدو أن الملف تالف أو ليس ملفًا صوتيًا). أرسل ملف \u2068MP3\u2069 أو \u2068M4A\u2069 أو \u2068WAV\u2069 أو \u2068OGG\u2069 أو رسالة صوتية مسجّلة.',
  'error.VOICE_NO_AUDIO': 'لا يحتوي الملف الصوتي على مسار صوت. أرسل تسجيلًا فيه كلام.',
  'error.VOICE_IS_VIDEO':
    'الملف الصوتي هو في الواقع فيديو. أرسل الصوت فقط (مثل ملف \u2068M4A\u2069 أو \u2068MP3\u2069)، أو التسجيل نفسه.',
  'error.VOICE_SILENT': 'المقطع الصوتي صامت. سجّله مرة أخرى وتحقّق من الميكروفون.',
  'error.VOICE_TOO_SHORT':
    'مدة المقطع الصوتي \u2068{seconds}\u2069 ثانية، ويجب ألا تقل عن \u2068{min}\u2069 ثانية. سجّل مدة أطول قليلًا.',
  'error.VOICE_TOO_LONG':
    'مدة المقطع الصوتي \u2068{seconds}\u2069 ثانية، والحد الأقصى \u2068{max}\u2069 ثانية لكل فيديو. اقتطع جزءًا منه أو قسّمه إلى مقاطع أقصر.',
  'error.VOICE_FILE_TOO_BIG':
    'حجم المقطع الصوتي \u2068{sizeMb}\u2069 ميغابايت بعد التحويل، والحد الأقصى \u2068{maxMb}\u2069 ميغابايت. أرسل تسجيلًا أقصر.',

  // Text to speech
  'error.TEXT_TOO_SHORT':
    'النص أقصر من أن يُنطق لمدة \u2068{min}\u2069 ثانية. اكتب \u2068{minChars}\u2069 حرفًا على الأقل.',
  'error.TEXT_TOO_LONG': 'طول النص \u2068{length}\u2069 حرفًا، والحد الأقصى \u2068{max}\u2069. اختصره.',

  // Fetching inputs
  'error.DOWNLOAD_FAILED': 'تعذّر تنزيل الملف (\u2068{what}\u2069). أرفقه مرة أخرى.',
  'error.DOWNLOAD_TOO_BIG':
    'حجم الملف (\u2068{what}\u2069) أكبر من \u2068{maxMb}\u2069 ميغابايت. أرسل ملفًا أصغر.',
  'error.URL_NOT_ALLOWED': 'رابط الملف (\u2068{what}\u2069) ليس من مضيف ملفات مسموح به. أرفق الملف مباشرة.',

  // Kling / CometAPI
  'error.KLING_AUTH':
    'رفضت خدمة الفيديو بيانات اعتماد البوت. يجب على أحد المسؤولين التحقق من مفتاح \u2068CometAPI\u2069.',
  'error.KLING_ACCOUNT':
    'لا يستطيع حساب خدمة الفيديو قبول أعمال جديدة (الرصيد أو الخطة). يجب على أحد المسؤولين التحقق من حساب \u2068CometAPI\u2069.',
  'error.KLING_FORBIDDEN': 'لا تسمح خدمة الفيديو بهذا الطلب لحساب البوت.',
  'error.KLING_INVALID_REQUEST': 'رفضت خدمة الفيديو الطلب: \u2068{detail}\u2069',
  'error.KLING_CONTENT_POLICY':
    'رفضت خدمة الفيديو الصورة أو الكلام بموجب سياسة المحتوى لديها. جرّب صورة أخرى أو صياغة مختلفة.',
  'error.KLING_RATE_LIMITED': 'خدمة الفيديو مشغولة. سيواصل البوت المحاولة لبعض الوقت.',
  'error.KLING_UNAVAILABLE': 'خدمة الفيديو غير متاحة مؤقتًا. حاول مرة أخرى بعد بضع دقائق.',
  'error.KLING_NOT_FOUND': 'لم تعد خدمة الفيديو تتعرّف على عملية الإنشاء هذه.',
  'error.KLING_BAD_RESPONSE': 'أرسلت خدمة الفيديو ردًا غير متوقع. حاول مرة أخرى لاحقًا.',
  'error.KLING_TIMEOUT': 'لم تردّ خدمة الفيديو في الوقت المحدد. حاول مرة أخرى لاحقًا.',
  'error.KLING_CONNECTION': 'تعذّر الوصول إلى خدمة الفيديو. حاول مرة أخرى لاحقًا.',
  'error.KLING_TASK_FAILED': 'تعذّر على خدمة الفيديو إنشاء هذا الفيديو: \u2068{detail}\u2069',

  // Job lifecycle
  'error.JOB_DEADLINE':
    'لم يكتمل إنشاء الفيديو خلال \u2068{minutes}\u2069 دقيقة، لذا توقّف البوت عن الانتظار.',
  'error.JOB_SUBMIT_UNCONFIRMED':
    'أُعيد تشغيل البوت أثناء الإرسال ولم يتمكن من تأكيد عملية الإنشاء؛ ولم يُعِد إرسالها تجنبًا لاحتساب التكلفة مرتين.',
  'error.RESULT_DOWNLOAD_FAILED':
    'أُنشئ الفيديو لكن تعذّر تنزيله من خدمة الفيديو. يمكن لأحد المسؤولين إعادة المحاولة.',
  'error.PART_FAILED':
    'تعذّر إنشاء الجزء \u2068{part}\u2069 من \u2068{parts}\u2069 (من \u2068{from}–{to}\u2069 ثانية من مقطعك الصوتي)، لذا لم يُنشأ الفيديو. كان قد أُرسل \u2068{submitted}\u2069 من \u2068{parts}\u2069 أجزاء (\u2068{seconds}\u2069 ثانية من الفيديو، بتكلفة تصل إلى \u2068US$ {cost}\u2069). السبب: \u2068{reason}\u2069',
  'error.PARTS_JOIN_FAILED':
    'أُنشئت الأجزاء كلها (\u2068{parts}\u2069) لكن تعذّر دمجها في فيديو واحد. يمكن لأحد المسؤولين إعادة المحاولة.',
  'error.DELIVERY_FAILED': 'أُنشئ الفيديو لكن تعذّر نشره هنا.',
  'error.JOB_NOT_FOUND': 'لم تعد هذه المهمة موجودة. ابدأ مهمة جديدة باستخدام \u2068/avatar\u2069.',
  'error.JOB_NOT_YOURS': 'لا يستطيع استخدام أزرار هذا الفيديو إلا الشخص الذي بدأه.',
  'error.JOB_INPUTS_GONE':
    'حُذفت صورة تلك المهمة وصوتها بالفعل. ابدأ مهمة جديدة باستخدام \u2068/avatar\u2069.',

  // Operations
  'error.CONFIG_INVALID': 'إعدادات البوت غير صحيحة. يجب على أحد المسؤولين التحقق منها.',
  'error.FFMPEG_MISSING':
    'لا يستطيع البوت معالجة الصوت حاليًا. يجب على أحد المسؤولين تثبيت \u2068ffmpeg\u2069.',
  'error.STORE_UNAVAILABLE':
    'مساحة تخزين البوت غير متاحة حاليًا، لذلك تعذّر تنفيذ طلبك. لم تُحتسب أي تكلفة؛ حاول مرة أخرى بعد دقيقة.',
  'error.INTERNAL': 'حدث خطأ داخل البوت. لم تُحتسب أي تكلفة؛ حاول مرة أخرى.',

  // Team controls: limits and access (refusals before a job exists)
  'error.LIMIT_USER_CONCURRENT':
    'لديك بالفعل \u2068{count}\u2069 فيديو قيد الإنشاء، والحد هو \u2068{limit}\u2069 في الوقت نفسه لكل شخص. حاول مرة أخرى بعد اكتمال أحدها.',
  'error.LIMIT_USER_PER_DAY':
    'بدأت \u2068{count}\u2069 فيديو اليوم، والحد هو \u2068{limit}\u2069 لكل شخص في اليوم. يُعاد ضبطه في \u2068{resetAt}\u2069.',
  'error.LIMIT_USER_SECONDS_PER_MONTH':
    'يحتاج هذا الفيديو إلى \u2068{needed}\u2069 ثانية، لكن المتبقي \u2068{remaining}\u2069 ثانية من حصتك الشهرية البالغة \u2068{limit}\u2069 ثانية. يُعاد ضبط الحد في \u2068{resetAt}\u2069. أرسل مقطعًا صوتيًا أقصر، أو اطلب من أحد المسؤولين رفع الحد.',
  'error.LIMIT_TENANT_CONCURRENT':
    'لدى هذا الفريق بالفعل \u2068{count}\u2069 فيديو قيد الإنشاء، والحد هو \u2068{limit}\u2069 في الوقت نفسه. حاول مرة أخرى بعد اكتمال أحدها.',
  'error.LIMIT_TENANT_PER_DAY':
    'بدأ هذا الفريق \u2068{count}\u2069 فيديو اليوم، والحد هو \u2068{limit}\u2069 في اليوم. يُعاد ضبطه في \u2068{resetAt}\u2069.',
  'error.LIMIT_TENANT_SECONDS_PER_MONTH':
    'يحتاج هذا الفيديو إلى \u2068{needed}\u2069 ثانية، لكن المتبقي \u2068{remaining}\u2069 ثانية من الحصة الشهرية للفريق البالغة \u2068{limit}\u2069 ثانية. يُعاد ضبط الحد في \u2068{resetAt}\u2069. اطلب من أحد المسؤولين رفع الحد.',
  'error.ACCESS_BANNED': 'منعك أحد المسؤولين من استخدام هذا البوت هنا.',
  'error.ACCESS_CHANNEL': 'البوت غير مفعّل في هذه القناة. اسأل أحد المسؤولين عن القنوات التي يعمل فيها.',
  'error.ACCESS_ROLE':
    'لا يستطيع استخدام هذا البوت هنا إلا الأعضاء الذين لديهم دور مسموح به. اطلب الوصول من أحد المسؤولين.',
  'error.ACCESS_PRO_ROLE':
    'الوضع \u2068pro\u2069 مخصص لأدوار معيّنة هنا. استخدم الوضع \u2068std\u2069، أو اسأل أحد المسؤولين.',
  'error.ADMIN_ONLY': 'لا يستطيع تنفيذ ذلك إلا مسؤول هذا الخادم أو مساحة العمل.',

  // Team controls: confirmation, cancellation, consent
  'error.JOB_CANCELLED': 'ألغاه \u2068{user}\u2069.',
  'error.CONFIRM_EXPIRED': 'لم يُؤكَّد خلال \u2068{minutes}\u2069 دقيقة.',
  'error.CONFIRM_UNATTENDED':
    'كان يحتاج إلى تأكيد، لكن الإدخال انتهى قبل ذلك. اكتب \u2068/confirm {jobId}\u2069 في طرفية تفاعلية، أو غيّر \u2068CONFIRM_THRESHOLD_USD\u2069 أو \u2068CONFIRM_PRO\u2069.',
  'error.CONSENT_DECLINED': 'لم تُمنح الموافقة على استخدام الوجه الظاهر في الصورة.',
  'error.CONSENT_NEEDED': 'أكّد أولًا أنك الشخص الظاهر في الصورة أو أنك حصلت على موافقته.',
  'error.JOB_NOT_WAITING': 'هذا الفيديو لا ينتظر تأكيدًا (حالته: \u2068{state}\u2069).',
  'error.JOB_ALREADY_SUBMITTED': 'أُرسل هذا الفيديو للإنشاء بالفعل، لذا لم يعد بالإمكان إلغاؤه.',
  'error.JOB_ALREADY_ENDED': 'انتهى هذا الفيديو بالفعل (\u2068{state}\u2069).',
  'error.FORGET_JOBS_RUNNING':
    'يجري الآن إنشاء \u2068{count}\u2069 من فيديوهاتك. شغّل الأمر مرة أخرى بعد اكتمالها.',
  'error.SETTING_UNKNOWN': 'لا يوجد إعداد باسم \u2068{name}\u2069. الإعدادات المتاحة: \u2068{names}\u2069.',
  'error.SETTING_INVALID': 'القيمة \u2068{value}\u2069 لا تناسب \u2068{name}\u2069: \u2068{expected}\u2069',
  'job.awaiting.price':
    'التكلفة التقديرية \u2068US$ {cost}\u2069 (\u2068{seconds}\u2069 ثانية من الكلام، الوضع \u2068{mode}\u2069). أكّد للبدء، أو ألغِ الطلب. إن لم يصل رد، ينتهي الطلب بعد \u2068{minutes}\u2069 دقيقة دون أي تكلفة.',
  'job.awaiting.consent':
    'قبل فيديوك الأول: أكّد أنك الشخص الظاهر في الصورة أو أنك حصلت على موافقته. التكلفة التقديرية \u2068US$ {cost}\u2069 (\u2068{seconds}\u2069 ثانية، الوضع \u2068{mode}\u2069). إن لم يصل رد، ينتهي الطلب بعد \u2068{minutes}\u2069 دقيقة دون أي تكلفة.',
  'job.cancelled': 'لم يُنشأ الفيديو: \u2068{reason}\u2069 لم تُحتسب أي تكلفة.',
  'controls.button.confirm': 'تأكيد (\u2068US$ {cost}\u2069)',
  'controls.button.cancel': 'إلغاء',
  'controls.button.consent': 'هذا أنا، أو لديّ موافقته',
  'controls.consent.recorded': 'شكرًا لك. سُجّلت موافقتك، ويبدأ إنشاء الفيديو الآن.',
  'controls.consent.saved': 'شكرًا لك. سُجّلت موافقتك.',
  'controls.confirmed': 'تم التأكيد. جارٍ إرسال الفيديو للإنشاء الآن.',
  'controls.cancelled': 'أُلغيت المهمة \u2068{jobId}\u2069. لم تُحتسب أي تكلفة.',

  // Job states, for /avatar-status
  'state.accepted': 'تم القبول',
  'state.preparing': 'جارٍ فحص الصورة والصوت',
  'state.prepared': 'على وشك الإرسال',
  'state.awaiting_confirmation': 'بانتظار تأكيدك',
  'state.submitting': 'جارٍ الإرسال',
  'state.submitted': 'في قائمة الانتظار لدى خدمة الفيديو',
  'state.processing': 'جارٍ الإنشاء',
  'state.downloading': 'جارٍ تنزيل النتيجة',
  'state.delivering': 'جارٍ النشر',
  'state.delivered': 'تم التسليم',
  'state.failed': 'تعذّر الإنشاء',
  'state.cancelled': 'تم الإلغاء',

  // /avatar-status
  'status.line':
    'المهمة \u2068{jobId}\u2069 (\u2068{mode}\u2069): \u2068{state}\u2069، ومضى \u2068{elapsed}\u2069 منذ قبولها.',
  'status.position': 'الترتيب \u2068{position}\u2069 من \u2068{total}\u2069 فيديو غير مكتمل في هذا الفريق.',
  'status.cost': 'التكلفة التقديرية \u2068US$ {cost}\u2069.',
  'status.spent': 'المحتسب: \u2068{seconds}\u2069 ثانية، \u2068US$ {usd}\u2069.',
  'status.cancellable': 'لم يُرسل بعد، لذا لا يزال بإمكانك إلغاؤه.',

  // /avatar-usage
  'usage.user':
    'استخدامك في \u2068{month}\u2069: \u2068{jobs}\u2069 فيديو، \u2068{seconds}\u2069 ثانية، \u2068US$ {usd}\u2069. قيد الإنشاء: \u2068{active}\u2069 (\u2068{held}\u2069 ثانية محجوزة).',
  'usage.today': 'اليوم: \u2068{count}\u2069 من \u2068{limit}\u2069 فيديو.',
  'usage.concurrent': 'في الوقت نفسه: \u2068{count}\u2069 من \u2068{limit}\u2069.',
  'usage.seconds':
    'هذا الشهر: استُخدمت \u2068{used}\u2069 من \u2068{limit}\u2069 ثانية، وتبقّى \u2068{remaining}\u2069 ثانية (يُعاد الضبط في \u2068{resetAt}\u2069).',
  'usage.unlimited': 'بلا حد',
  'usage.tenant':
    'استخدام الفريق في \u2068{month}\u2069: \u2068{jobs}\u2069 فيديو، \u2068{seconds}\u2069 ثانية، \u2068US$ {usd}\u2069. قيد الإنشاء: \u2068{active}\u2069 (\u2068{held}\u2069 ثانية محجوزة).',
  'usage.byUser': 'حسب الشخص:',
  'usage.byChannel': 'حسب القناة:',
  'usage.line':
    '\u2068{name}\u2069: \u2068{jobs}\u2069 فيديو، \u2068{seconds}\u2069 ثانية، \u2068US$ {usd}\u2069',
  'usage.forgotten': 'أشخاص طلبوا حذف بياناتهم',
  'usage.none': 'لا توجد فيديوهات بعد هذا الشهر.',

  // /avatar-settings
  'settings.title': 'إعدادات هذا الفريق (\u2068{tenant}\u2069):',
  'settings.line': '\u2068{name}\u2069 = \u2068{value}\u2069\u2068{changed}\u2069: \u2068{description}\u2069',
  'settings.changedMark': ' (معدَّل)',
  'settings.userLine': 'حدود \u2068{user}\u2069: \u2068{limits}\u2069',
  'settings.set': 'أصبحت قيمة \u2068{name}\u2069 الآن \u2068{value}\u2069.',
  'settings.setUser': 'أصبحت قيمة \u2068{name}\u2069 للمستخدم \u2068{user}\u2069 الآن \u2068{value}\u2069.',
  'settings.reset': 'أُعيد \u2068{name}\u2069 إلى قيمته الافتراضية \u2068{value}\u2069.',
  'settings.banned': 'لم يعد بإمكان \u2068{user}\u2069 استخدام البوت هنا.',
  'settings.unbanned': 'أصبح بإمكان \u2068{user}\u2069 استخدام البوت هنا مجددًا.',
  'settings.any': 'بلا قيود',
  'settings.nobody': 'لا أحد',
  'settings.on': 'مفعّل',
  'settings.off': 'معطّل',
  'settings.expect.mode': 'استخدم \u2068std\u2069 أو \u2068pro\u2069.',
  'settings.expect.usd': 'استخدم مبلغًا بالدولار الأمريكي، مثل \u20680.5\u2069.',
  'settings.expect.limit': 'استخدم عددًا صحيحًا؛ \u20680\u2069 يعني بلا حد.',
  'settings.expect.boolean': 'استخدم \u2068on\u2069 أو \u2068off\u2069.',
  'settings.expect.list': 'استخدم معرّفات تفصل بينها فواصل، أو \u2068any\u2069.',
  'settings.expect.visibility': 'استخدم \u2068thread\u2069 أو \u2068channel\u2069 أو \u2068dm\u2069.',
  'settings.expect.locale': 'استخدم رمز لغة مثل \u2068en\u2069 أو \u2068ar\u2069، أو \u2068default\u2069.',
  'settings.expect.user': 'اذكر معرّف المستخدم.',
  'setting.mode': 'الوضع عندما لا يختار المستخدم وضعًا',
  'setting.price.std': 'السعر بالدولار الأمريكي لكل ثانية من فيديو \u2068std\u2069، لحساب التقديرات',
  'setting.price.pro': 'السعر بالدولار الأمريكي لكل ثانية من فيديو \u2068pro\u2069، لحساب التقديرات',
  'setting.confirm.threshold': 'التقديرات التي تتجاوز هذا المبلغ بالدولار الأمريكي تحتاج إلى تأكيد',
  'setting.confirm.pro': 'فيديوهات \u2068pro\u2069 تحتاج دائمًا إلى تأكيد',
  'setting.user.concurrent': 'الفيديوهات قيد الإنشاء في الوقت نفسه، لكل شخص',
  'setting.user.perDay': 'الفيديوهات في اليوم، لكل شخص',
  'setting.user.secondsPerMonth': 'ثواني الفيديو في الشهر، لكل شخص',
  'setting.tenant.concurrent': 'الفيديوهات قيد الإنشاء في الوقت نفسه، للفريق كله',
  'setting.tenant.perDay': 'الفيديوهات في اليوم، للفريق كله',
  'setting.tenant.secondsPerMonth': 'ثواني الفيديو في الشهر، للفريق كله',
  'setting.channels': 'القنوات التي يعمل فيها البوت',
  'setting.roles': 'الأدوار أو المجموعات المسموح لها باستخدام البوت',
  'setting.proRoles': 'الأدوار أو المجموعات المسموح لها باستخدام \u2068pro\u2069',
  'setting.adminRoles': 'الأدوار أو المجموعات التي يحق لها تغيير هذه الإعدادات',
  'setting.banned': 'المستخدمون الممنوعون من استخدام البوت',
  'setting.visibility':
    'مكان نشر الفيديوهات المكتملة: \u2068thread\u2069 أو \u2068channel\u2069 أو \u2068dm\u2069',
  'setting.locale': 'لغة الردود عندما لا توفّر المنصة لغة للمستخدم',
  'settings.defaultLocale': 'الافتراضية (الإنجليزية)',

  // /avatar-forget
  'forget.ask':
    'يحذف هذا كل ما يخزّنه البوت عنك: \u2068{jobs}\u2069 مهمة فيديو مع ملفاتها، وسجل موافقتك، وتفاصيل استخدامك. تبقى الفيديوهات المنشورة في المحادثة كما هي. شغّل الأمر مرة أخرى مع ضبط \u2068confirm\u2069 على \u2068yes\u2069 للمتابعة.',
  'forget.done':
    'تم: حُذفت \u2068{jobs}\u2069 مهمة فيديو و\u2068{files}\u2069 ملف، وسجل موافقتك، وتفاصيل استخدامك. يحتفظ الفريق بإجماليات مجهولة الهوية كي تظل ميزانيته صحيحة.',

  // Terminal adapter
  'shell.awaiting':
    'أجب بـ \u2068/confirm {jobId}\u2069 أو \u2068/consent yes\u2069 أو \u2068/cancel {jobId}\u2069.',
  'shell.awaitingPrice': 'أجب بـ \u2068/confirm {jobId}\u2069 أو \u2068/cancel {jobId}\u2069.',

  // Slack adapter: modal, status message, buttons, delivery
  'slack.modal.title': 'أفاتار ناطق',
  'slack.modal.submit': 'إنشاء الفيديو',
  'slack.modal.cancel': 'إلغاء',
  'slack.modal.intro': 'أنشئ فيديو أفاتار ناطق من صورة للوجه ومقطع صوتي، أو من نص ينطقه الأفاتار.',
  'slack.modal.fromMessage': 'من الرسالة: \u2068{files}\u2069',
  'slack.field.image.label': 'صورة الوجه',
  'slack.field.image.hint':
    'صورة واضحة من الأمام: \u2068JPG\u2069 أو \u2068PNG\u2069 أو \u2068WebP\u2069 أو \u2068GIF\u2069 أو \u2068AVIF\u2069 أو \u2068HEIC\u2069.',
  'slack.field.voice.label': 'المقطع الصوتي',
  'slack.field.voice.hint':
    'ملف صوتي أو مقطع مسجّل، مدته من \u2068{min}\u2069 إلى \u2068{max}\u2069 ثانية. اتركه فارغًا لاستخدام نص بدلًا منه.',
  'slack.field.text.label': 'أو نص يُنطق',
  'slack.field.text.hint': 'ما ينبغي أن يقوله الأفاتار، إن لم ترفق مقطعًا صوتيًا.',
  'slack.field.prompt.label': 'التوجيه',
  'slack.field.prompt.hint': 'تعابير الوجه أو الإيماءات أو حركة الكاميرا، مثل «يبتسم، ويومئ برأسه قليلًا».',
  'slack.field.mode.label': 'الجودة',
  'slack.field.mode.hint': '\u2068std\u2069 أرخص؛ و\u2068pro\u2069 أفضل مظهرًا وأعلى تكلفة.',
  'slack.field.channel.label': 'النشر في',
  'slack.field.channel.hint': 'القناة التي يعرض فيها البوت التقدّم وينشر الفيديو.',
  'slack.mode.std': '\u2068std\u2069 (قياسي)',
  'slack.mode.pro': '\u2068pro\u2069 (جودة أعلى)',
  'slack.file.photo': 'الصورة',
  'slack.file.voice': 'المقطع الصوتي',
  'slack.error.channelMissing': 'اختر القناة التي يُنشر فيها الفيديو.',
  'slack.error.cannotPost':
    'تعذّر عليّ النشر في \u2068<#{channel}>\u2069. ادعني إليها باستخدام \u2068/invite\u2069، أو اختر قناة أخرى، ثم حاول مرة أخرى.',
  'slack.status.received': 'طلب \u2068{user}\u2069 فيديو أفاتار ناطق. جارٍ البدء…',
  'slack.status.rerun': 'جارٍ البدء من جديد بالوضع \u2068{mode}\u2069 لـ \u2068{user}\u2069…',
  'slack.status.context': 'بطلب من \u2068{user}\u2069 · \u2068{mode}\u2069 · المهمة \u2068{jobId}\u2069',
  'slack.button.againPro': 'مرة أخرى بوضع \u2068pro\u2069',
  'slack.button.againStd': 'مرة أخرى بوضع \u2068std\u2069',
  'slack.button.retry': 'إعادة المحاولة',
  'slack.button.forget': 'حذف بياناتي',
  'slack.field.consent.label': 'الموافقة',
  'slack.field.consent.option': 'أنا الشخص الظاهر في الصورة، أو لديّ موافقته',
  'slack.delivery.comment': '\u2068{user}\u2069 \u2068{caption}\u2069',
  'slack.delivery.link':
    '\u2068{user}\u2069 \u2068{caption}\u2069 الملف أكبر من أن يُرفع هنا؛ نزّله من <{url}|هذا الرابط> (صالح لمدة \u2068{hours}\u2069 ساعة).',
  'slack.help':
    'شغّل \u2068/avatar\u2069 لفتح النموذج، أو استخدم الاختصار «\u2068Make talking avatar\u2069» على رسالة فيها صورة أو مقطع صوتي.',

  // Discord adapter
  'discord.what.photo': 'الصورة',
  'discord.what.voice': 'المقطع الصوتي',
  'discord.status.starting': 'تم الاستلام. جارٍ جلب صورتك ومقطعك الصوتي…',
  'discord.status.video': 'الفيديو: \u2068{link}\u2069',
  'discord.button.againPro': 'مرة أخرى بوضع \u2068pro\u2069',
  'discord.button.againStd': 'مرة أخرى بوضع \u2068std\u2069',
  'discord.button.retry': 'إعادة المحاولة',
  'discord.thread.name': 'أفاتار ناطق لـ \u2068{user}\u2069',
  'discord.result.link':
    'حجم الفيديو \u2068{sizeMb}\u2069 ميغابايت، وهذا أكبر مما تقبله هذه القناة للرفع. نزّله من هنا (تنتهي صلاحية الرابط بعد \u2068{hours}\u2069 ساعة): \u2068{url}\u2069',
  'discord.help.usage':
    'استخدم \u2068{usage}\u2069 مع صورة للوجه ومقطع صوتي (أو نص). لرسالة صوتية: انقر عليها بزر الفأرة الأيمن، واختر \u2068Apps → "Make talking avatar"\u2069، ثم أضف صورة.',
  'discord.help.noMedia':
    'لا تحتوي هذه الرسالة على مقطع صوتي أو صورة يمكن استخدامها. اختر رسالة صوتية أو صورة، أو استخدم \u2068{usage}\u2069.',
  'discord.modal.titleImage': 'أضف صورة للوجه',
  'discord.modal.titleVoice': 'أضف مقطعًا صوتيًا أو نصًا',
  'discord.modal.image': 'صورة الوجه',
  'discord.modal.imageHint':
    'وجه واحد ينظر إلى الكاميرا: \u2068JPG\u2069 أو \u2068PNG\u2069 أو \u2068WebP\u2069',
  'discord.modal.voice': 'المقطع الصوتي',
  'discord.modal.voiceHint':
    'من \u20682\u2069 إلى \u206860\u2069 ثانية من الكلام، أو اتركه فارغًا واكتب النص أدناه',
  'discord.modal.text': 'نص يُنطق',
  'discord.modal.textHint': 'يُستخدم فقط إذا لم ترفع مقطعًا صوتيًا',
  'discord.modal.prompt': 'التوجيه (اختياري)',
  'discord.modal.promptHint': 'تعابير الوجه أو الإيماءات أو الكاميرا، مثل «يبتسم، ويومئ قليلًا»',
  'discord.modal.mode': 'الوضع',
  'discord.modal.modeStd': '\u2068std\u2069: أرخص',
  'discord.modal.modePro': '\u2068pro\u2069: جودة أفضل',
  'discord.modal.expired':
    'انتهت صلاحية هذا النموذج. شغّل «\u2068Make talking avatar\u2069» على الرسالة مرة أخرى.',
  'discord.button.stale': 'لم يعد هذا الزر يعمل. ابدأ فيديو جديدًا باستخدام \u2068{usage}\u2069.',
};
