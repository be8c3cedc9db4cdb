"""Building blocks of the synthetic archives that `tierscope generate` writes.

The scenarios (``seed2020`` in `generate`, the family in `scenarios`) are made of the same parts:

- accounts: crowds of one group each (`Accounts`, `crowd`, `star_accounts`), with sign-up days,
  heavy-tailed busyness and popularity, languages, hijacked and dormant accounts;
- posts: originals (`Posts.add`) and the reactions to them (`react`), each reaction late by a
  `Delay`: a core wave (`waves`), an amplifier burst (`bursts`) or independent lags (`lags`);
- profiles and text drawn from word lists per language (`Lexicon`), op text from template pools;
- the files: the 31-column archive (``tweets.csv``, ``users.csv``) or twarc2 pages
  (``tweets.jsonl``), and ``truth.csv`` (`write_files`).

Times are whole minutes from the epoch while a scenario is built; `write_files` takes each
post's millisecond, which orders posts within a minute and makes its id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import polars as pl

from tierscope.graphdb.sources.archive import TWEET_COLUMNS, USER_COLUMNS

TRUTH_COLUMNS = ("userid", "role", "op")
ROLES = ("principal", "core", "amplifier", "organic", "fan", "celebrity", "relay", "outlet")


@dataclass(frozen=True)
class GenerateResult:
    out_dir: Path
    tweets: int
    accounts: int
    retweets: int
    truth: dict[str, int]  # accounts per role


# --- groups, languages, time ----------------------------------------------------------------

# Every account belongs to one group: a role, within one of up to three operations.
ORGANIC, FAN, CELEB, P1, CORE1, AMP1, P2, CORE2, AMP2, P3, CORE3, AMP3, RELAY, OUTLET = range(14)
_ROLE = ("organic", "fan", "celebrity", *("principal", "core", "amplifier") * 3, "relay", "outlet")
_OP_OF_GROUP = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 0])  # 0 = no operation
PRINCIPALS = {1: P1, 2: P2, 3: P3}  # group per op
CORES = {1: CORE1, 2: CORE2, 3: CORE3}
AMPLIFIERS = {1: AMP1, 2: AMP2, 3: AMP3}
OP_GROUPS = (CORE1, AMP1, CORE2, AMP2, CORE3, AMP3)

LANGS = ("en", "es", "pt", "fr", "ja", "ar", "zh", "ko", "und")
EN, ES, PT, FR, JA, AR, ZH, KO, UND = range(len(LANGS))
_ACCOUNT_LANG = ("en", "es", "pt", "fr", "ja", "ar", "zh-cn", "ko", "en")
_NO_SPACES = np.array([lang in ("ja", "zh") for lang in LANGS])
ORGANIC_LANGS = {EN: 0.50, ES: 0.12, PT: 0.07, FR: 0.05, JA: 0.10, AR: 0.06, ZH: 0.06, KO: 0.04}
FAN_LANGS = {EN: 0.32, ES: 0.16, PT: 0.15, FR: 0.05, JA: 0.08, AR: 0.04, ZH: 0.03, KO: 0.17}

DAY = 1440  # minutes


def iso_day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


WINDOW_START = iso_day("2019-09-01") * DAY  # organic posts
END = iso_day("2020-06-01") * DAY  # nothing is posted from here on
_SNOWFLAKE_ERA = iso_day("2011-01-01") * DAY
_HISTORY_END = WINDOW_START - 400 * DAY  # old posts of dormant accounts stop before this

# Hour-of-day (UTC) profiles: the op works Beijing office hours, the background is worldwide.
OFFICE_HOURS = np.array([10.0] * 11 + [3.0] * 3 + [0.5] * 10)
WORLD_HOURS = np.array(
    [4, 3, 3, 3, 3, 3, 4, 5, 6, 6, 6, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 7, 6, 5], dtype=float
)

# Post kinds, and how an original's text is written.
ORIGINAL, RETWEET, REPLY = 0, 1, 2
CHATTER, FANPOST, STARPOST, OFFICIAL, TEMPLATE, SPAM, ANSWER, PHRASE, NEWS = range(9)


@dataclass(frozen=True)
class Star:
    """A principal, the celebrity or the news outlet: a fixed, genuine, well-followed account.

    `share`, `pushed` and `reach` are seed2020's; the family draws its own popularity."""

    screen: str
    display: str
    created: str
    followers: int
    lang: int
    share: float  # of its op's (or the celebrity's) posts
    pushed: float  # share of its posts the op pushes with a core wave
    reach: float  # organic retweets per post at scale 1
    location: str
    description: str


OP1_PRINCIPALS = (
    Star("AmbZhaoMing", "Zhao Ming 赵明", "2012-05-14", 412_000, EN, 0.30, 0.6, 30.0,
         "London, England", "Ambassador to the United Kingdom."),
    Star("SpoxHuaLan", "Hua Lan 华岚", "2014-09-03", 655_000, EN, 0.15, 0.45, 20.0,
         "Beijing", "Spokesperson and Deputy Director-General, Information Department."),
    Star("GlobalDailyNews", "Global Daily", "2009-11-20", 1_480_000, EN, 0.15, 0.4, 16.0,
         "Beijing", "News and views from the Global Daily. Follow us for breaking news."),
    Star("HarbourTimes", "Harbour Times", "2011-03-08", 318_000, EN, 0.10, 0.3, 9.0,
         "Hong Kong", "Independent voice of the harbour city since 1952."),
    Star("ChenWeiMFA", "Chen Wei 陈伟", "2015-06-22", 128_000, ZH, 0.08, 0.3, 6.0,
         "", "Deputy Director, Department of Information. Views are my own."),
    Star("ConsulGenWangH", "Wang Hao 王浩", "2013-01-17", 84_000, EN, 0.08, 0.25, 5.0,
         "Lagos, Nigeria", "Consul General. Building bridges of friendship."),
    Star("CNWNewsEN", "CNW News", "2010-07-29", 960_000, ZH, 0.08, 0.25, 8.0,
         "Beijing", "CNW 新闻 | Official account. 24/7 news in English and Chinese."),
    Star("PeoplesVoiceEN", "People's Voice", "2012-10-02", 543_000, EN, 0.06, 0.2, 6.0,
         "", "Telling true stories to the world."),
)  # fmt: skip
OP2_PRINCIPALS = (
    Star("AmbLiangRui", "Liang Rui 梁锐", "2014-02-11", 96_000, EN, 0.6, 0.8, 8.0,
         "London, England", "Ambassador. Dialogue, not confrontation."),
    Star("EmbassyPressUK", "Embassy Press Office", "2013-08-30", 71_000, EN, 0.4, 0.6, 5.0,
         "London, England", "Official account of the Embassy press office."),
)  # fmt: skip
CELEBRITY = Star(
    "nova_official", "NOVA ✨", "2011-06-04", 3_200_000, EN, 1.0, 0.0, 20.0,
    "Seoul / LA", "singer · songwriter · dreamer | new album STARLIGHT out now",
)  # fmt: skip
# More of the same kind, for the scenario family: a third op's officials and state media, and a
# news outlet whose posts relay bots repost.
OP3_PRINCIPALS = (
    Star("AmbCastellanosR", "Rafael Castellanos", "2013-04-09", 152_000, ES, 0.4, 0.6, 10.0,
         "London, England", "Embajador en el Reino Unido | Ambassador to the United Kingdom."),
    Star("CancilleriaVD", "Cancillería", "2010-09-15", 880_000, ES, 0.25, 0.5, 14.0,
         "", "Cuenta oficial del Ministerio de Relaciones Exteriores."),
    Star("RedPopularTV", "Red Popular TV", "2011-02-21", 1_150_000, ES, 0.2, 0.4, 12.0,
         "", "La señal de los pueblos. Noticias 24 horas."),
    Star("VicecancillerMR", "Marta Ruiz", "2016-01-12", 64_000, ES, 0.15, 0.3, 4.0,
         "", "Viceministra para Europa. Soberanía y diálogo."),
)  # fmt: skip
NEWS_OUTLET = Star(
    "MetroWireNews", "Metro Wire", "2009-03-02", 2_100_000, EN, 1.0, 0.0, 4.0,
    "New York, USA", "Breaking news and top stories, 24/7.",
)  # fmt: skip


# --- word lists ----------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    return text.split()


_VOCAB = {
    "en": _split(
        "the a just really so today this my our time people new good love day world news think "
        "know great life work home need week still back best more going watch read friends "
        "family city night music game team look happy thanks finally again morning coffee "
        "weekend always never everyone feel right every year open big little long free real "
        "together story season show video photo live amazing tired hope call update plan trip "
        "weather rain sun summer school book food dinner lunch wait start end win lost"
    ),
    "es": _split(
        "hoy el la que muy es por para con mi una día gracias amigos casa vida noche trabajo "
        "mañana bien todo siempre nunca ciudad música fútbol semana nuevo buen quiero tiempo "
        "feliz mundo gente familia café fin"
    ),
    "pt": _split(
        "hoje o a que muito é por para com meu uma dia obrigado amigos casa vida noite trabalho "
        "amanhã bem tudo sempre nunca cidade música futebol semana novo bom quero tempo feliz "
        "mundo gente família café"
    ),
    "fr": _split(
        "aujourd'hui le la que très est pour avec mon une jour merci amis maison vie nuit "
        "travail demain bien tout toujours jamais ville musique semaine nouveau bon veux temps "
        "heureux monde gens famille café enfin"
    ),
    "ja": _split(
        "今日 は 本当に 楽しい 仕事 明日 友達 ご飯 映画 音楽 天気 週末 ありがとう 頑張る 新しい "
        "時間 朝 夜 電車 写真 見た 行きたい 美味しい 疲れた 嬉しい 最高 みんな 家 猫 雨"
    ),
    "ar": _split(
        "اليوم في من على هذا الله الحمد جميل العمل صباح مساء الخير أصدقاء البيت الحياة الوقت شكرا "
        "كل جدا كرة القدم مدينة عائلة قهوة نهاية الأسبوع سعيد العالم الناس جديد"
    ),
    "zh": _split(
        "今天 我们 真的 喜欢 天气 朋友 工作 大家 一起 看到 新闻 城市 生活 时间 希望 美好 吃饭 "
        "学习 电影 音乐 周末 快乐 加油 谢谢 非常 一下 还是 已经 觉得 这个"
    ),
    "ko": _split(
        "오늘 정말 우리 친구 사랑 행복 감사 음악 영화 주말 날씨 시간 일 집 밥 커피 노래 최고 함께 "
        "좋아요 너무 진짜 새로운 아침 저녁 사진 여행 공부 화이팅 기분"
    ),
    "und": _split("😂 ❤️ 🔥 👍 🙏 😍 😭 ✨ 🎉 💯 👀 🙌 😊 🤣 💪"),
}
_FIRST = {
    "en": _split(
        "James John Robert Michael David William Richard Thomas Mary Patricia Jennifer Linda "
        "Elizabeth Sarah Emma Olivia George Harry Jack Charlotte Sophie Daniel Laura Kevin"
    ),
    "es": _split("José Juan Carlos Luis María Ana Lucía Sofía Diego Javier Carmen Elena Pablo"),
    "pt": _split("João Pedro Lucas Gabriel Ana Maria Beatriz Julia Rafael Mariana Bruno Larissa"),
    "fr": _split("Jean Pierre Louis Camille Léa Chloé Manon Hugo Lucas Julie Nicolas Sophie"),
    "ja": _split("Haruto Yuto Sota Yui Aoi Hina Riku Mei Ren Sakura Kaito Yuna"),
    "ar": _split("Mohammed Ahmed Ali Omar Youssef Fatima Aisha Mariam Khalid Sara Hassan Noor"),
    "zh": _split("Wei Fang Min Jing Lei Yan Jie Tao Hui Ying Qiang Xiu"),
    "ko": _split("Minjun Seoyeon Jiho Haeun Dohyun Jiwoo Yejin Hyunwoo Sumin Jisoo"),
}
_LAST = {
    "en": _split(
        "Smith Jones Williams Brown Taylor Davies Wilson Evans Thomas Johnson Roberts Walker "
        "Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris Clarke Lewis"
    ),
    "es": _split("García Martínez López González Rodríguez Fernández Pérez Sánchez Torres Díaz"),
    "pt": _split("Silva Santos Oliveira Souza Costa Pereira Lima Ferreira Almeida Ribeiro"),
    "fr": _split("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau"),
    "ja": _split("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato"),
    "ar": _split("Haddad Khalil Mansour Nasser Saleh Hamdan Farouk Aziz Rahman Karim"),
    "zh": _split("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun"),
    "ko": _split("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim"),
}
# Display names in the account's own script; languages without one use the romanised names.
_NATIVE = {
    "ja": _split("さくら ゆい はると みお 山田太郎 佐藤花子 たなか ひなた 鈴木 りく"),
    "ar": _split("محمد أحمد فاطمة سارة علي نور خالد مريم عمر يوسف"),
    "zh": _split(
        "王伟 李娜 张敏 刘洋 陈静 杨帆 黄磊 赵丽 吴军 周杰 牛小牛 偌虹 前尘往事 夜幕之光 小雨 阿飞"
    ),
    "ko": _split("김민준 이서연 박지호 최하은 정도현 민지 수빈 지우 하늘 예진"),
}
_HANDLE_WORDS = _split(
    "sunny blue coffee pixel river star moon wolf happy lucky urban night city north wild green "
    "little real its just the official daily"
)
_LOCATIONS = {
    "en": ["London", "New York, USA", "Los Angeles, CA", "Toronto", "Sydney", "Texas, USA",
           "Manchester, England", "Earth", "Lagos, Nigeria", "Dublin, Ireland", "California, USA"],
    "es": ["Madrid", "Ciudad de México", "Buenos Aires", "Bogotá, Colombia", "Barcelona", "Lima"],
    "pt": ["São Paulo, Brasil", "Rio de Janeiro", "Lisboa, Portugal", "Belo Horizonte"],
    "fr": ["Paris, France", "Lyon", "Montréal, Québec", "Bruxelles"],
    "ja": ["東京", "大阪", "日本", "横浜"],
    "ar": ["الرياض", "القاهرة", "دبي", "الكويت"],
    "zh": ["台北", "香港", "Singapore", "中华人民共和国", "California, USA"],
    "ko": ["서울", "Seoul, Korea", "부산"],
    "uk": ["London, England", "Manchester, England", "United Kingdom", "Birmingham, UK", "Leeds",
           "Bristol, England"],
}  # fmt: skip
_BIOS = {
    "op1": ["cool", "热爱生活", "Love peace and life", "新闻爱好者", "Just a normal person", "和平",
            "Truth seeker", "关注时事"],
    "op2": ["Proud Brit. Tea, football and fair play.", "British citizen. My views are my own.",
            "Husband, dad, Londoner.", "UK born and bred.", "Retired teacher from Manchester.",
            "Love my country and my family."],
    "fan": ["NOVA is my everything 💜", "stan account", "fan account, not affiliated",
            "NOVA ✨ starlight forever", "she/her | NOVA", "living for NOVA"],
}  # fmt: skip
_EMOJI = ["💜", "✨", "🌙", "⭐", "🎧", "💫"]

# Op text: a few templates per language, copied over and over by the op's accounts.
_TEMPLATES = {
    "op1": {
        "en": [
            "The rioters do not represent the people. Order must be restored.",
            "Western media keep spreading rumours. The facts speak for themselves.",
            "Thanks to the medical workers who worked day and night. A true success story.",
            "Stop politicising the virus. The world needs cooperation, not blame.",
            "Violence is never the answer. Support the police in restoring peace.",
            "Who is really behind the chaos? Follow the money.",
            "The numbers do not lie: the response was fast, open and effective.",
            "Some politicians want to divert attention from their own failures.",
            "Peace and stability are what ordinary people want.",
            "Double standards again. Why the silence when it happens at home?",
            "Fake news will not change the truth.",
            "Solidarity beats slander. Stay strong.",
        ],
        "zh": [
            "暴徒不能代表人民，必须尽快恢复秩序。",
            "西方媒体一再造谣，事实胜于雄辩。",
            "向日夜奋战的医护人员致敬！",
            "停止将病毒政治化，世界需要合作而不是甩锅。",
            "暴力永远不是答案，支持警方恢复和平。",
            "乱局背后到底是谁在操纵？",
            "数据不会说谎，应对迅速、公开、有效。",
            "某些政客想转移视线，掩盖自己的失败。",
            "和平稳定是普通百姓最大的心愿。",
            "又是双重标准，发生在他们自己国家时为何沉默？",
            "假新闻改变不了真相。",
            "团结胜过诽谤，加油！",
        ],
    },
    "op2": {
        "en": [
            "As a British citizen I think we should judge by facts, not headlines.",
            "Trade and friendship benefit ordinary families on both sides.",
            "Fed up with the biased coverage on the news tonight.",
            "The Ambassador makes a very fair point here. Worth reading in full.",
            "Britain should choose its own path, not follow Washington.",
            "Cooperation on the pandemic saves lives. Politics can wait.",
            "Proud to be British and proud to say: dialogue beats confrontation.",
            "Read this before believing what the papers tell you.",
            "Common sense from the embassy, again.",
            "Why is nobody reporting the other side of the story?",
        ],
    },
    "op3": {
        "en": [
            "Sanctions hurt ordinary families, not governments. Lift them now.",
            "The elections were free and fair. Respect the will of the people.",
            "Foreign interference has no place in our democracy.",
            "Our energy belongs to our people, not to foreign corporations.",
            "The media blockade cannot hide the truth forever.",
            "Sovereignty is not negotiable.",
            "Record turnout today. Democracy is alive and well.",
            "Who profits from the blockade? Ask the right questions.",
        ],
        "es": [
            "Las sanciones castigan a las familias, no a los gobiernos. ¡Fuera sanciones!",
            "Las elecciones fueron libres y limpias. Respeten la voluntad del pueblo.",
            "No a la injerencia extranjera en nuestra democracia.",
            "Nuestra energía es del pueblo, no de las corporaciones extranjeras.",
            "El bloqueo mediático no puede ocultar la verdad.",
            "La soberanía no se negocia.",
            "Participación récord hoy. La democracia está viva.",
            "¿Quién se beneficia del bloqueo? Hagamos las preguntas correctas.",
        ],
    },
}
_SPAM = {
    "op1": {
        "en": ["Good morning everyone", "Share the truth", "Support!", "Agree 100%", "Well said"],
        "zh": ["早上好", "说得好", "支持！", "转发让更多人看到", "真相只有一个", "同意"],
    },
    "op2": {"en": ["Well said!", "Agreed.", "Spot on", "Exactly this.", "Totally agree"]},
    "op3": {
        "en": ["Sovereignty!", "Hands off our country", "Truth wins", "Retweet!", "So true"],
        "es": ["¡Soberanía!", "Fuera sanciones", "Así es", "¡Difundan!", "Verdad"],
    },
}
_OPENERS = {
    "op1": {
        "en": ["Spokesperson:", "Remarks:", "Statement:", "Commentary:", "Fact check:", "Opinion:"],
        "zh": ["发言人：", "声明：", "评论：", "大使：", "观点："],
    },
    "op2": {"en": ["Ambassador:", "Embassy statement:", "Press release:", "Op-ed:"]},
    "op3": {
        "en": ["Statement:", "Communiqué:", "Press release:", "Interview:"],
        "es": ["Comunicado:", "Declaración:", "Entrevista:", "Nota de prensa:"],
    },
}
# Short phrases many genuine accounts post word for word: duplicated text that is no campaign.
_PHRASES = {
    "en": ["Good morning", "Good morning everyone", "Happy new year!", "Happy Friday",
           "Good night", "Thank you", "Happy birthday!", "gm", "Merry Christmas", "Same"],
    "es": ["Buenos días", "Feliz año nuevo", "Buenas noches", "Gracias", "Feliz viernes"],
    "pt": ["Bom dia", "Feliz ano novo", "Boa noite", "Obrigado", "Sextou"],
    "fr": ["Bonjour", "Bonne année", "Bonne nuit", "Merci", "Bon week-end"],
    "ja": ["おはよう", "おはようございます", "あけましておめでとう", "おやすみ", "お疲れ様"],
    "ar": ["صباح الخير", "كل عام وأنتم بخير", "تصبحون على خير", "شكرا", "جمعة مباركة"],
    "zh": ["早上好", "新年快乐", "晚安", "谢谢", "周末愉快"],
    "ko": ["좋은 아침", "새해 복 많이 받으세요", "잘 자요", "감사합니다", "불금"],
    "und": ["😂", "❤️", "🔥🔥🔥", "🙏"],
}  # fmt: skip
_STAR_LINES = {
    "en": ["New single out now!", "Thank you for 10 million!", "See you at the show tonight",
           "Rehearsal day", "Love you all", "Behind the scenes", "Tour dates announced"],
    "ko": ["새 앨범 나왔어요!", "오늘 공연 고마워요", "사랑해요", "리허설 중", "곧 만나요"],
}  # fmt: skip
_HASHTAGS = {
    "world": _split(
        "COVID19 StayHome HongKong MondayMotivation NBA football music art photography travel "
        "ThrowbackThursday news Brexit cricket movies gaming food"
    ),
    "op1": _split("HongKong COVID19 香港 新冠肺炎 StopTheRumours TruthPrevails 停止暴力 止暴制乱"),
    "op2": _split("BritishVoices FairPlayForTrade UKFriendship TruthMatters"),
    "op3": _split("NoMasSanciones Soberania HandsOff FreeElections VerdadSinBloqueo"),
    "star": _split("NOVA NOVA_Live NovaComeback STARLIGHT"),
}
_DOMAINS = {
    "world": ["https://www.youtube.com/watch?v=", "https://www.instagram.com/p/",
              "https://www.bbc.co.uk/news/", "https://open.spotify.com/track/",
              "https://www.theguardian.com/world/", "https://www.reddit.com/r/"],
    "op1": ["https://www.globaldaily.cn/a/", "https://news.cnwnet.com/", "https://harbourtimes.hk/"],
    "op2": ["https://www.embassypress.org.uk/news/", "https://www.britishvoices.net/"],
    "op3": ["https://www.redpopular.tv/nota/", "https://www.cancilleria.gob.example/"],
    "star": ["https://www.youtube.com/watch?v=", "https://nova-official.com/"],
}  # fmt: skip
_THEMES = ("world", "op1", "op2", "op3", "star")  # theme k > 0 is op k's
_CLIENTS = (
    "Twitter for iPhone",
    "Twitter for Android",
    "Twitter Web App",
    "Twitter for iPad",
    "TweetDeck",
    "Hootsuite Inc.",
    "Instagram",
    "Twitter Web Client",
    "dlvr.it",
    "IFTTT",
    "SocialFlow",
)
# Client mix per group, over the first _CLIENTS (the rest get none); the op leans to the web app
# but overlaps the background, relay bots and the outlet post through automation services.
_MIXES = {
    ORGANIC: [0.36, 0.34, 0.17, 0.05, 0.03, 0.03, 0.02, 0.0],
    FAN: [0.50, 0.44, 0.06, 0, 0, 0, 0, 0],
    CELEB: [0.70, 0, 0.10, 0, 0, 0, 0.20, 0],
    P1: [0.25, 0, 0.50, 0, 0.25, 0, 0, 0],
    CORE1: [0.08, 0.30, 0.57, 0, 0.05, 0, 0, 0],
    AMP1: [0.10, 0.55, 0.35, 0, 0, 0, 0, 0],
    P2: [0.25, 0, 0.50, 0, 0.25, 0, 0, 0],
    CORE2: [0.25, 0.45, 0.30, 0, 0, 0, 0, 0],
    AMP2: [0.20, 0.55, 0.25, 0, 0, 0, 0, 0],
    P3: [0.25, 0, 0.50, 0, 0.25, 0, 0, 0],
    CORE3: [0.15, 0.50, 0.35, 0, 0, 0, 0, 0],
    AMP3: [0.10, 0.60, 0.30, 0, 0, 0, 0, 0],
    RELAY: [0, 0, 0, 0, 0, 0, 0, 0, 0.6, 0.4, 0],
    OUTLET: [0.05, 0, 0.15, 0, 0.30, 0, 0, 0, 0, 0, 0.5],
}
_CLIENT_MIX = {g: mix + [0.0] * (len(_CLIENTS) - len(mix)) for g, mix in _MIXES.items()}
_OLD_CLIENTS = [0.35, 0.25, 0, 0, 0, 0, 0, 0.40, 0, 0, 0]  # before the window: the old web client


class Lexicon:
    """Word lists keyed by language (or theme), flattened so one gather serves many rows."""

    def __init__(self, lists: Mapping[str, Sequence[str]], keys: Sequence[str] = LANGS) -> None:
        words: list[str] = []
        offsets, sizes = [], []
        for key in keys:
            chosen = lists.get(key) or lists["en"]
            offsets.append(len(words))
            sizes.append(len(chosen))
            words.extend(chosen)
        self.words = pl.Series(words, dtype=pl.String)
        self.offset = np.array(offsets, dtype=np.int64)
        self.size = np.array(sizes, dtype=np.int64)

    def index(self, rng: np.random.Generator, keys: np.ndarray, skew: float = 1.0) -> np.ndarray:
        # skew > 1 favours the first entries: op accounts copy a few templates most of the time.
        pick = (rng.random(len(keys)) ** skew * self.size[keys]).astype(np.int64)
        return self.offset[keys] + pick

    def pick(self, rng: np.random.Generator, keys: np.ndarray, skew: float = 1.0) -> pl.Series:
        return self.words.gather(self.index(rng, keys, skew))

    def salad(self, rng: np.random.Generator, langs: np.ndarray, lo: int, hi: int) -> pl.Series:
        """Between lo and hi random words of each row's language: text that never repeats."""
        n = len(langs)
        count = rng.integers(lo, hi + 1, n)
        idx = self.offset[langs, None] + (rng.random((n, hi)) * self.size[langs, None]).astype(
            np.int64
        )
        sep = np.where(_NO_SPACES[langs], "", " ")
        parts = [pl.Series(dtype=pl.String)]
        for rows in np.array_split(np.arange(n), n // 50_000 + 1):  # bounds the list columns
            frame = pl.DataFrame(
                {
                    "w": self.words.gather(idx[rows].ravel()).reshape((len(rows), hi)),
                    "k": count[rows],
                    "sep": sep[rows],
                }
            )
            words = pl.col("w").arr.to_list().list.head(pl.col("k"))
            parts.append(frame.select(words.list.join(pl.col("sep")))["w"])
        return pl.concat(parts)


_WORDS = Lexicon(_VOCAB)
_FIRSTS = Lexicon(_FIRST)
_LASTS = Lexicon(_LAST)
_NATIVES = Lexicon({**_FIRST, **_NATIVE})
_LOCATIONS_LEX = Lexicon(_LOCATIONS, keys=(*LANGS, "uk"))
_TAGS = Lexicon(_HASHTAGS, keys=_THEMES)
_SITES = Lexicon(_DOMAINS, keys=_THEMES)
_STAR_LEX = Lexicon(_STAR_LINES)
_HANDLE_LEX = Lexicon({"en": _HANDLE_WORDS})
_EMOJI_LEX = Lexicon({"en": _EMOJI})
_BIO_LEX = Lexicon(_BIOS, keys=("op1", "op2", "fan"))
_PHRASE_LEX = Lexicon(_PHRASES)


@dataclass(frozen=True)
class OpTexts:
    """An op's text, by language: templates its core copies, one-liners its amplifiers copy,
    openers of its principals' posts."""

    templates: Lexicon
    spam: Lexicon
    openers: Lexicon


def op_texts(op: int, rng: np.random.Generator | None = None, langs: Sequence[int] = ()) -> OpTexts:
    """Op `op`'s written pools; each of `langs` without one gets a pool of word salad, drawn once,
    so that the op's accounts still copy each other word for word."""
    key = f"op{op}"
    templates, spam = dict(_TEMPLATES[key]), dict(_SPAM[key])
    for lang in langs:
        if rng is not None and LANGS[lang] not in templates:
            templates[LANGS[lang]] = _WORDS.salad(rng, np.full(12, lang), 6, 14).to_list()
            spam[LANGS[lang]] = _WORDS.salad(rng, np.full(6, lang), 1, 3).to_list()
    return OpTexts(Lexicon(templates), Lexicon(spam), Lexicon(_OPENERS[key]))


_OP_TEXTS = {op: op_texts(op) for op in (1, 2, 3)}


def choice(rng: np.random.Generator, weights: Mapping[int, float], n: int) -> np.ndarray:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()))
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return rng.lognormal(np.log(median), sigma, n)


def _codes(rng: np.random.Generator, n: int, width: int) -> pl.Series:
    """Random alphanumeric strings, like t.co link codes."""
    alphabet = np.frombuffer(
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "u1"
    )
    chars = alphabet[rng.integers(0, len(alphabet), (n, width))]
    return pl.Series(np.ascontiguousarray(chars).view(f"S{width}").ravel()).cast(pl.String)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Nudge equal values apart, keeping their order (ids must be unique)."""
    order = np.argsort(values, kind="stable")
    ranks = np.arange(len(values))
    out = np.empty_like(values)
    out[order] = np.maximum.accumulate(values[order] - ranks) + ranks
    return out


_TWEPOCH_MS = 1_288_834_974_657


def _snowflakes(rng: np.random.Generator, ms: np.ndarray) -> np.ndarray:
    """Twitter-style ids: milliseconds since Twitter's epoch, then 22 bits of worker/sequence."""
    return _distinct(((ms - _TWEPOCH_MS) << 22) | rng.integers(0, 1 << 22, len(ms)))


# Account ids were sequential until late 2015, then snowflakes; anchors read off real archives.
_LEGACY_ID_DATES = np.array(
    [iso_day(d) * 86_400 for d in ("2006-07-15", "2008-01-01", "2010-01-01", "2012-01-01",
                                   "2013-01-01", "2014-01-01", "2015-01-01", "2015-11-15")]
)  # fmt: skip
_LEGACY_IDS = np.array([1e3, 1.2e7, 1.0e8, 4.5e8, 1.1e9, 2.3e9, 2.95e9, 4.2e9])


def _user_ids(rng: np.random.Generator, created_minute: np.ndarray) -> np.ndarray:
    seconds = created_minute * 60 + rng.integers(0, 60, len(created_minute))
    legacy = np.interp(seconds, _LEGACY_ID_DATES, _LEGACY_IDS).astype(np.int64)
    snow = ((seconds * 1000 + rng.integers(0, 1000, len(seconds)) - _TWEPOCH_MS) << 22) | (
        rng.integers(0, 1 << 22, len(seconds))
    )
    return _distinct(np.where(seconds < _LEGACY_ID_DATES[-1], legacy, snow))


def times(
    rng: np.random.Generator,
    lo: np.ndarray,
    hi: np.ndarray | int,
    hours: np.ndarray,
    weekdays: bool = False,
) -> np.ndarray:
    """Minutes in [lo, hi): a uniform day, an hour of the day drawn from `hours`."""
    n = len(lo)
    day = (lo + (rng.random(n) * (hi - lo)).astype(np.int64)) // DAY
    if weekdays:  # 1970-01-01 was a Thursday; move Saturdays and Sundays back to Friday
        weekday = (day + 3) % 7
        day = day - np.maximum(weekday - 4, 0)
    minute = day * DAY + rng.choice(24, n, p=hours / hours.sum()) * 60 + rng.integers(0, 60, n)
    return np.clip(minute, lo, np.asarray(hi) - 1)


# --- accounts ------------------------------------------------------------------------------


@dataclass
class Accounts:
    group: np.ndarray
    lang: np.ndarray
    created: np.ndarray  # minute
    followers: np.ndarray
    following: np.ndarray
    weight: np.ndarray  # how busy the account is, relative to its group
    history: np.ndarray  # minute its old, pre-dormancy posts stop; 0 = no such posts
    hijacked: np.ndarray  # a genuine old account an op took over
    star: np.ndarray  # index into the star tables for principals and the celebrity, else -1

    @classmethod
    def concat(cls, parts: Sequence[Accounts]) -> Accounts:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def members(self, *groups: int) -> np.ndarray:
        return np.flatnonzero(np.isin(self.group, groups))


def organic_days(rng: np.random.Generator, n: int) -> np.ndarray:
    # Twelve years of sign-ups, more of them recent.
    first, last = iso_day("2008-01-01"), iso_day("2020-05-15")
    return first + (rng.beta(1.6, 1.0, n) * (last - first)).astype(np.int64)


def signup_days(
    rng: np.random.Generator, n: int, signups: Sequence[tuple[str, int, float]]
) -> np.ndarray:
    which = choice(rng, {i: share for i, (_, _, share) in enumerate(signups)}, n)
    first = np.array([iso_day(d) for d, _, _ in signups])[which]
    days = np.array([days for _, days, _ in signups])[which]
    return first + (rng.random(n) * days).astype(np.int64)


def crowd(
    rng: np.random.Generator,
    n: int,
    group: int,
    langs: Mapping[int, float],
    days: np.ndarray,
    followers: tuple[float, float],
    following: tuple[float, float],
    busy: float,
) -> Accounts:
    return Accounts(
        group=np.full(n, group, dtype=np.int64),
        lang=choice(rng, langs, n),
        created=days * DAY + rng.integers(0, DAY, n),
        followers=lognormal(rng, *followers, n).astype(np.int64),
        following=lognormal(rng, *following, n).astype(np.int64),
        weight=lognormal(rng, 1.0, busy, n),
        history=np.zeros(n, dtype=np.int64),
        hijacked=np.zeros(n, dtype=bool),
        star=np.full(n, -1, dtype=np.int64),
    )


def star_accounts(group: int, stars: Sequence[Star]) -> Accounts:
    n = len(stars)
    return Accounts(
        group=np.full(n, group, dtype=np.int64),
        lang=np.array([s.lang for s in stars]),
        created=np.array([iso_day(s.created) * DAY + 600 for s in stars]),
        followers=np.array([s.followers for s in stars]),
        following=np.array([s.followers // 900 + 40 for s in stars]),
        weight=np.array([s.share for s in stars]),
        history=np.zeros(n, dtype=np.int64),
        hijacked=np.zeros(n, dtype=bool),
        star=np.arange(n),
    )


def _history_start(created: np.ndarray) -> np.ndarray:
    # A month after sign-up, and not before tweet ids became snowflakes.
    return np.maximum(created + 30 * DAY, _SNOWFLAKE_ERA)


def with_history(rng: np.random.Generator, acc: Accounts, chosen: np.ndarray) -> None:
    """Give `chosen` accounts old posts that stop more than a year before the window."""
    start = _history_start(acc.created[chosen])
    acc.history[chosen] = (
        start
        + 30 * DAY
        + (rng.random(len(chosen)) * (_HISTORY_END - start - 30 * DAY)).astype(np.int64)
    )


def hijack(
    rng: np.random.Generator,
    acc: Accounts,
    share: float,
    history: bool = True,
    langs: Mapping[int, float] = ORGANIC_LANGS,
) -> None:
    """Turn a share of a crowd (at least one account) into genuine old accounts the op took,
    speaking `langs`, with or without old posts of their own."""
    if share == 0:
        return
    n = len(acc.group)
    chosen = np.sort(rng.choice(n, max(1, round(share * n)), replace=False))
    days = iso_day("2011-01-01") + rng.integers(0, 6 * 365, len(chosen))
    acc.created[chosen] = days * DAY + rng.integers(0, DAY, len(chosen))
    acc.lang[chosen] = choice(rng, langs, len(chosen))
    acc.followers[chosen] = lognormal(rng, 150, 1.2, len(chosen)).astype(np.int64)
    acc.following[chosen] = lognormal(rng, 250, 0.9, len(chosen)).astype(np.int64)
    acc.hijacked[chosen] = True
    if history:
        with_history(rng, acc, chosen)


# --- profiles ------------------------------------------------------------------------------

_ACCENTS = list("áàâãäéèêëíìîïóòôõöúùûüñçÁÉÍÓÚÑÇ-'")
_PLAIN = list("aaaaaeeeeiiiiooooouuuuncAEIOUNC") + ["", ""]
PLAIN, UNDERSCORE, WORDS, DEFAULT, RANDOM, LOOKALIKE, FANSTYLE = range(7)
_FAN_SUFFIXES = ("nova", "_nova", "4nova", "novastan", "x_nova", "starlight")


def _ascii(names: pl.Expr) -> pl.Expr:
    return names.str.replace_many(_ACCENTS, _PLAIN)


def _digits(rng: np.random.Generator, lo: int, hi: int, n: int) -> pl.Series:
    return pl.Series(rng.integers(lo, hi, n)).cast(pl.String)


def make_profiles(
    rng: np.random.Generator,
    acc: Accounts,
    stars: Mapping[int, Sequence[Star]],
    lookalike: np.ndarray,
) -> pl.DataFrame:
    """Display name, handle, location, description and profile link of every account.

    Accounts of a group in `stars` take the profile of the star they are (`acc.star`); those
    where `lookalike` is true get look-alike handles and names of one pattern.
    """
    n = len(acc.group)
    group, lang = acc.group, acc.lang
    ring = lookalike
    fresh = np.isin(group, OP_GROUPS) & ~acc.hijacked  # made by an op
    genuine = ~fresh & ~np.isin(group, (*stars, FAN))  # organic, hijacked or relay bots
    zeros = np.zeros(n, dtype=np.int64)
    style = np.select(
        [ring, fresh, group == FAN],
        [
            LOOKALIKE,
            choice(rng, {DEFAULT: 0.55, RANDOM: 0.3, PLAIN: 0.15}, n),
            choice(rng, {FANSTYLE: 0.6, PLAIN: 0.2, WORDS: 0.2}, n),
        ],
        choice(rng, {PLAIN: 0.35, UNDERSCORE: 0.2, WORDS: 0.3, DEFAULT: 0.15}, n),
    )
    # Batch-created accounts get English names whatever they post in, as in the real archives
    # ("Richard17700647" writing in Chinese).
    name_lang = np.where(fresh, EN, lang)
    has_native = np.isin(lang, [LANGS.index(k) for k in _NATIVE])
    u = rng.random((4, n))
    names = pl.DataFrame(
        {
            "style": style,
            "first": _FIRSTS.pick(rng, name_lang),
            "last": _LASTS.pick(rng, name_lang),
            "word1": _HANDLE_LEX.pick(rng, zeros),
            "word2": _HANDLE_LEX.pick(rng, zeros),
            "d2": pl.Series(np.where(u[0] < 0.5, _digits(rng, 0, 100, n).to_numpy(), "")),
            "d4": _digits(rng, 1000, 10_000, n),
            "d8": _digits(rng, 10**7, 10**8, n),
            "random": _codes(rng, n, 15).str.slice(0, pl.Series((8 + u[1] * 8).astype(np.int64))),
            "fan": pl.Series(_FAN_SUFFIXES).gather(rng.integers(0, len(_FAN_SUFFIXES), n)),
            "native": pl.Series(has_native & (u[2] < 0.7)),
            "native_name": _NATIVES.pick(rng, lang),
            "first_only": pl.Series(~ring & (u[2] > 0.75)),
            "emoji": pl.Series(
                np.where(
                    (group == FAN) & (u[3] < 0.4),
                    (" " + _EMOJI_LEX.pick(rng, zeros)).to_numpy(),
                    "",
                )
            ),
        }
    )
    col = pl.col
    low_first = _ascii(col("first")).str.to_lowercase()
    handle = (
        pl.when(col("style") == PLAIN)
        .then(_ascii(col("first") + col("last")).str.to_lowercase() + col("d2"))
        .when(col("style") == UNDERSCORE)
        .then(low_first + "_" + col("word1") + col("d2"))
        .when(col("style") == WORDS)
        .then(col("word1") + col("word2") + col("d2"))
        .when(col("style") == DEFAULT)
        .then(_ascii(col("first") + col("last")).str.slice(0, 7) + col("d8"))
        .when(col("style") == RANDOM)
        .then(col("random"))
        .when(col("style") == LOOKALIKE)
        .then(_ascii(col("first") + col("last")).str.to_lowercase().str.slice(0, 11) + col("d4"))
        .otherwise(low_first.str.slice(0, 7) + col("fan") + col("d2"))
        .str.slice(0, 15)
    )
    display = (
        pl.when(col("native"))
        .then(col("native_name"))
        .when(col("first_only"))
        .then(col("first"))
        .otherwise(col("first") + " " + col("last"))
    )
    names = names.select(screen=handle, display=display + col("emoji"))
    # How many accounts fill in each field: genuine ones more than batch-created ones.
    located = rng.random(n) < np.select([genuine | (group == FAN), ring], [0.5, 0.85], 0.12)
    place = _LOCATIONS_LEX.pick(rng, np.where(ring, len(LANGS), lang)).to_numpy()
    bio_key = np.select([ring, group == FAN], [1, 2], 0)
    canned = _BIO_LEX.pick(rng, bio_key).to_numpy()
    own = _WORDS.salad(rng, lang, 3, 8).to_numpy()
    r = rng.random((2, n))
    bio = np.select(
        [
            genuine & (r[0] < 0.55),
            (group == FAN) & (r[0] < 0.4),
            group == FAN,
            fresh & (r[0] < np.where(ring, 0.6, 0.2)),
        ],
        [own, canned, own, canned],
        "",
    )
    link = ("https://t.co/" + _codes(rng, n, 10)).to_numpy()
    profiles = {
        "user_display_name": names["display"].to_numpy().astype(object),
        "user_screen_name": names["screen"].to_numpy().astype(object),
        "user_reported_location": np.where(located, place, "").astype(object),
        "user_profile_description": bio.astype(object),
        "user_profile_url": np.where(r[1] < np.where(fresh, 0.03, 0.12), link, "").astype(object),
    }
    for star_group, table in stars.items():
        rows = np.flatnonzero(group == star_group)
        for row, star in zip(rows, (table[i] for i in acc.star[rows]), strict=True):
            profiles["user_display_name"][row] = star.display
            profiles["user_screen_name"][row] = star.screen
            profiles["user_reported_location"][row] = star.location
            profiles["user_profile_description"][row] = star.description
            profiles["user_profile_url"][row] = link[row]
    frame = pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in profiles.items()})
    return frame.with_columns(user_screen_name=_unique(rng, frame["user_screen_name"]))


def _unique(rng: np.random.Generator, handles: pl.Series) -> pl.Series:
    """Handles are unique on Twitter: give later duplicates a fresh numeric tail."""
    while (repeated := ~handles.is_first_distinct()).any():
        tail = _digits(rng, 1000, 10_000, len(handles))
        handles = pl.select(
            pl.when(repeated).then(handles.str.slice(0, 11) + tail).otherwise(handles)
        ).to_series()
    return handles


# --- posts ---------------------------------------------------------------------------------

_POST_FIELDS = ("author", "minute", "kind", "target", "lang", "text")


class Posts:
    """Posts as parallel int64 arrays, added in chunks; a reaction points at an earlier chunk."""

    def __init__(self) -> None:
        self._parts: dict[str, list[np.ndarray]] = {name: [] for name in _POST_FIELDS}
        self.size = 0

    def add(
        self,
        author: np.ndarray,
        minute: np.ndarray,
        kind: int,
        lang: np.ndarray,
        text: int,
        target: np.ndarray | None = None,
    ) -> np.ndarray:
        n = len(author)
        columns = {
            "author": author,
            "minute": minute,
            "kind": np.full(n, kind),
            "target": np.full(n, -1) if target is None else target,
            "lang": lang,
            "text": np.full(n, text),
        }
        for name, values in columns.items():
            self._parts[name].append(np.asarray(values, dtype=np.int64))
        self.size += n
        return np.arange(self.size - n, self.size)

    def col(self, name: str) -> np.ndarray:
        return np.concatenate(self._parts[name])


def post_langs(rng: np.random.Generator, langs: np.ndarray) -> np.ndarray:
    """Mostly the account's language, else English, now and then emoji only ("und")."""
    u = rng.random(len(langs))
    return np.where(u < 0.88, langs, np.where(u < 0.96, EN, UND))


def each(rng: np.random.Generator, members: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Authors of Poisson(mean)-many posts per member."""
    return np.repeat(members, rng.poisson(mean))


def chatter(
    rng: np.random.Generator, acc: Accounts, posts: Posts, group: int, mean: float, kind: int
) -> np.ndarray:
    """Everyday originals of a background group inside the window: one per account, and
    Poisson(mean * weight) more."""
    who = acc.members(group)
    author = np.concatenate([who, each(rng, who, mean * acc.weight[who])])
    lo = np.maximum(WINDOW_START, acc.created[author] + DAY)
    minute = times(rng, lo, END, WORLD_HOURS)
    return posts.add(author, minute, ORIGINAL, post_langs(rng, acc.lang[author]), kind)


def old_posts(rng: np.random.Generator, acc: Accounts, posts: Posts) -> None:
    """Posts from before a long silence: hijacked op accounts and returning organic ones."""
    who = np.flatnonzero(acc.history > 0)
    author = np.concatenate([who, each(rng, who, np.where(acc.group[who] == ORGANIC, 2.0, 8.0))])
    minute = times(rng, _history_start(acc.created[author]), acc.history[author], WORLD_HOURS)
    posts.add(author, minute, ORIGINAL, acc.lang[author], CHATTER)


Delay = Callable[[np.ndarray], np.ndarray]


def waves(rng: np.random.Generator, n_targets: int, onset: float = 4.0, width: int = 2) -> Delay:
    """Core: one wave per post, most of it inside `width` consecutive minutes after an onset of
    about `onset` minutes, a few stragglers."""
    wave = 1 + lognormal(rng, onset, 0.5, n_targets).astype(np.int64)

    def delay(target: np.ndarray) -> np.ndarray:
        n = len(target)
        late = lognormal(rng, 10 * width, 0.9, n).astype(np.int64)
        return wave[target] + np.where(rng.random(n) < 0.15, late, rng.integers(0, width, n))

    return delay


def bursts(rng: np.random.Generator, n_targets: int, start: float, spread: float) -> Delay:
    """Amplifiers: a loose burst per post, its retweets spread over minutes to hours."""
    onset = lognormal(rng, start, 0.7, n_targets)

    def delay(target: np.ndarray) -> np.ndarray:
        return 1 + (onset[target] + lognormal(rng, spread, 1.1, len(target))).astype(np.int64)

    return delay


def lags(rng: np.random.Generator, median: float, sigma: float) -> Delay:
    """Independent reactions: fans (fast), organic accounts (slow, long tail)."""

    def delay(target: np.ndarray) -> np.ndarray:
        return 1 + lognormal(rng, median, sigma, len(target)).astype(np.int64)

    return delay


def react(
    rng: np.random.Generator,
    acc: Accounts,
    posts: Posts,
    targets: np.ndarray,
    counts: np.ndarray,
    pool: np.ndarray,
    weights: np.ndarray,
    delay: Delay,
    kind: int = RETWEET,
) -> None:
    """`counts[i]` accounts from `pool` (by weight) retweet or answer `targets[i]`.

    Reactions before the account existed, after the archive ends, to oneself, or repeated are
    dropped, so counts are upper bounds.
    """
    which = np.repeat(np.arange(len(targets)), counts)
    if len(which) == 0:
        return
    who = pool[rng.choice(len(pool), len(which), p=weights / weights.sum())]
    _, first = np.unique(which * len(acc.group) + who, return_index=True)
    first.sort()
    which, who = which[first], who[first]
    original = targets[which]
    minute = posts.col("minute")[original] + delay(which)
    keep = (who != posts.col("author")[original]) & (minute >= acc.created[who]) & (minute < END)
    if kind == RETWEET:  # a retweet carries its original's language
        lang, text = posts.col("lang")[original], -1
    else:
        lang, text = post_langs(rng, acc.lang[who]), ANSWER
    posts.add(who[keep], minute[keep], kind, lang[keep], text, original[keep])


# --- text ----------------------------------------------------------------------------------

# Share of each kind of text (indexed by CHATTER ... NEWS) with a hashtag, and with a link.
_TAGGED = np.array([0.15, 0.6, 0.7, 0.4, 0.35, 0.1, 0.03, 0.0, 0.2])
_LINKED = np.array([0.12, 0.05, 0.3, 0.6, 0.3, 0.0, 0.02, 0.0, 0.95])


def _bodies(
    rng: np.random.Generator,
    kind: np.ndarray,
    lang: np.ndarray,
    op: np.ndarray,
    replied: pl.Series,
    texts: Mapping[int, OpTexts],
) -> pl.Series:
    """The words of each original or reply, before hashtags and links."""
    body = pl.repeat("", len(kind), eager=True)
    rows = np.flatnonzero(np.isin(kind, (CHATTER, NEWS)))
    body.scatter(rows, _WORDS.salad(rng, lang[rows], 5, 16))
    rows = np.flatnonzero(kind == ANSWER)
    body.scatter(rows, "@" + replied.gather(rows) + " " + _WORDS.salad(rng, lang[rows], 2, 9))
    rows = np.flatnonzero(kind == FANPOST)
    emoji = _EMOJI_LEX.pick(rng, np.zeros_like(rows))
    body.scatter(rows, _WORDS.salad(rng, lang[rows], 3, 10) + " " + emoji)
    rows = np.flatnonzero(kind == STARPOST)
    body.scatter(rows, _STAR_LEX.pick(rng, lang[rows]) + " " + _WORDS.salad(rng, lang[rows], 2, 6))
    for o, text in texts.items():
        rows = np.flatnonzero((kind == OFFICIAL) & (op == o))
        opener = text.openers.pick(rng, lang[rows])
        body.scatter(rows, opener + " " + _WORDS.salad(rng, lang[rows], 8, 18))
        # Skewed picks: a few templates and one-liners make most of the copies.
        rows = np.flatnonzero((kind == TEMPLATE) & (op == o))
        body.scatter(rows, text.templates.pick(rng, lang[rows], skew=2.0))
        rows = np.flatnonzero((kind == SPAM) & (op == o))
        body.scatter(rows, text.spam.pick(rng, lang[rows], skew=1.5))
    rows = np.flatnonzero(kind == PHRASE)
    body.scatter(rows, _PHRASE_LEX.pick(rng, lang[rows], skew=2.0))
    return body


def _own_texts(
    rng: np.random.Generator,
    acc: Accounts,
    posts: Posts,
    screen: pl.Series,
    texts: Mapping[int, OpTexts],
) -> pl.DataFrame:
    """Text and linked `url` ("" for none) of every post that is not a retweet (retweets copy
    their original's)."""
    kind, target, author = posts.col("kind"), posts.col("target"), posts.col("author")
    own = np.flatnonzero(kind != RETWEET)
    text_kind = posts.col("text")[own]
    op = _OP_OF_GROUP[acc.group[author[own]]]
    replied = screen.gather(author[np.maximum(target[own], 0)])
    n = len(own)
    # Hashtags and links come from the op's own pools only in op text (not in the old posts of
    # hijacked accounts), from the fandom's in fan and celebrity posts, else from everyone's.
    on_message = np.isin(text_kind, (OFFICIAL, TEMPLATE, SPAM))
    fandom = np.isin(text_kind, (FANPOST, STARPOST))
    theme = np.select([fandom, on_message], [_THEMES.index("star"), op], 0)
    parts = pl.DataFrame(
        {
            "body": _bodies(rng, text_kind, posts.col("lang")[own], op, replied, texts),
            "tag": _TAGS.pick(rng, theme),
            "site": _SITES.pick(rng, theme) + _codes(rng, n, 11),
            "code": _codes(rng, n, 10),
            # The hashtag pools are of 2019-2020: posts from before the window go without.
            "tagged": (rng.random(n) < _TAGGED[text_kind])
            & (posts.col("minute")[own] >= WINDOW_START),
            "linked": rng.random(n) < _LINKED[text_kind],
        }
    )
    return parts.select(
        text=pl.col("body")
        + pl.when("tagged").then(" #" + pl.col("tag")).otherwise(pl.lit(""))
        + pl.when("linked").then(" https://t.co/" + pl.col("code")).otherwise(pl.lit("")),
        url=pl.when("linked").then(pl.col("site")).otherwise(pl.lit("")),
    )


# --- files ---------------------------------------------------------------------------------


def _clients(
    rng: np.random.Generator, acc: Accounts, author: np.ndarray, minute: np.ndarray
) -> np.ndarray:
    """Each account mostly sticks to one client; old posts come from the clients of their day."""
    n = len(author)
    usual = np.zeros(len(acc.group), dtype=np.int64)
    other = np.zeros(n, dtype=np.int64)
    for group, mix in _CLIENT_MIX.items():
        p = np.array(mix) / sum(mix)
        rows = np.flatnonzero(acc.group == group)
        usual[rows] = rng.choice(len(_CLIENTS), len(rows), p=p)
        by = np.flatnonzero(acc.group[author] == group)
        other[by] = rng.choice(len(_CLIENTS), len(by), p=p)
    client = np.where(rng.random(n) < 0.75, usual[author], other)
    old = rng.choice(len(_CLIENTS), n, p=np.array(_OLD_CLIENTS) / sum(_OLD_CLIENTS))
    return np.where(minute < WINDOW_START, old, client)


def _strings(values: np.ndarray, table: Sequence[str]) -> pl.Series:
    return pl.Series(list(table), dtype=pl.String).gather(values)


def _numbers(values: np.ndarray, where: np.ndarray | None = None) -> pl.Series:
    """Integers as strings; empty where `where` is false."""
    text = pl.Series(values).cast(pl.String)
    if where is None:
        return text
    return pl.select(pl.when(pl.Series(where)).then(text).otherwise(pl.lit(""))).to_series()


def _users(acc: Accounts, profiles: pl.DataFrame, user_ids: np.ndarray) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "userid": _numbers(user_ids),
            **profiles.to_dict(),
            "follower_count": _numbers(acc.followers),
            "following_count": _numbers(acc.following),
            "account_creation_date": pl.Series(acc.created // DAY)
            .cast(pl.Int32)
            .cast(pl.Date)
            .dt.strftime("%Y-%m-%d"),
            "account_language": _strings(acc.lang, _ACCOUNT_LANG),
        }
    )
    return frame.select(USER_COLUMNS)


@dataclass
class _Table:
    """Everything per post that the files need.

    It is all drawn up front, so writing the file in chunks changes neither the random draws
    nor the bytes.
    """

    author: np.ndarray
    kind: np.ndarray
    target: np.ndarray
    ms: np.ndarray  # milliseconds from the epoch
    lang: np.ndarray
    tweet_ids: np.ndarray
    user_ids: np.ndarray  # per account
    screen: pl.Series  # per account
    own: pl.DataFrame  # text and url of the non-retweets
    source: np.ndarray  # per post: its row in `own`, or its original's row for a retweet
    client: np.ndarray
    retweets: np.ndarray
    replies: np.ndarray
    likes: np.ndarray
    quotes: np.ndarray

    @classmethod
    def build(
        cls,
        rng: np.random.Generator,
        acc: Accounts,
        posts: Posts,
        screen: pl.Series,
        ms: np.ndarray,
        texts: Mapping[int, OpTexts],
    ) -> _Table:
        author, kind, target = posts.col("author"), posts.col("kind"), posts.col("target")
        n = posts.size
        rt = kind == RETWEET
        row = np.cumsum(~rt) - 1  # each non-retweet's row in `own`
        retweets = np.bincount(target[rt], minlength=n)
        by_op = np.bincount(target[rt & (_OP_OF_GROUP[acc.group[author]] > 0)], minlength=n)
        return cls(
            author=author,
            kind=kind,
            target=target,
            ms=ms,
            lang=posts.col("lang"),
            tweet_ids=_snowflakes(rng, ms),
            user_ids=_user_ids(rng, acc.created),
            screen=screen,
            own=_own_texts(rng, acc, posts, screen, texts),
            source=row[np.where(rt, target, np.arange(n))],
            client=_clients(rng, acc, author, posts.col("minute")),
            retweets=retweets,
            replies=np.bincount(target[kind == REPLY], minlength=n),
            # Op retweets come without the likes a genuine audience adds.
            likes=rng.poisson(1.8 * (retweets - by_op) + 0.2 * by_op + 0.3) * ~rt,
            quotes=rng.poisson(0.03 * retweets),
        )

    def texts(self, rows: np.ndarray) -> pl.DataFrame:
        """`text` and the linked `url` ("" for none) of `rows`."""
        rt = self.kind[rows] == RETWEET
        own = self.own[self.source[rows]]
        # A retweet reads "RT @author: " and the original, cut to 140 characters as archived.
        quoted = "RT @" + self.screen.gather(self.author[self.target[rows]]) + ": " + own["text"]
        text = pl.select(
            pl.when(pl.Series(~rt))
            .then(own["text"])
            .when(quoted.str.len_chars() > 140)
            .then(quoted.str.slice(0, 139) + "…")
            .otherwise(quoted)
        ).to_series()
        return pl.DataFrame({"text": text, "url": own["url"]})

    def frame(self, rows: np.ndarray) -> pl.DataFrame:
        """The 21 per-post columns of the archive's tweets file for `rows`."""
        kind = self.kind[rows]
        ref = np.maximum(self.target[rows], 0)  # masked where it points nowhere
        referred = self.author[ref]
        rt, reply = kind == RETWEET, kind == REPLY
        texts = self.texts(rows)
        tags = texts["text"].str.extract_all(r"#\w+").list.eval(pl.element().str.slice(1))
        n = len(rows)
        return pl.DataFrame(
            {
                "tweetid": _numbers(self.tweet_ids[rows]),
                "tweet_language": _strings(self.lang[rows], LANGS),
                "tweet_text": texts["text"],
                "tweet_time": _times_text(self.ms[rows] // 60_000 * 60_000, "%Y-%m-%d %H:%M"),
                "tweet_client_name": _strings(self.client[rows], _CLIENTS),
                "in_reply_to_userid": _numbers(self.user_ids[referred], reply),
                "in_reply_to_tweetid": _numbers(self.tweet_ids[ref], reply),
                "quoted_tweet_tweetid": pl.repeat("", n, eager=True),
                "is_retweet": _strings(rt.astype(np.int64), ("false", "true")),
                "retweet_userid": _numbers(self.user_ids[referred], rt),
                "retweet_tweetid": _numbers(self.tweet_ids[ref], rt),
                "latitude": pl.repeat("absent", n, eager=True),
                "longitude": pl.repeat("absent", n, eager=True),
                "quote_count": _numbers(self.quotes[rows]),
                "reply_count": _numbers(self.replies[rows]),
                "like_count": _numbers(self.likes[rows]),
                "retweet_count": _numbers(self.retweets[rows]),
                "hashtags": pl.select(
                    pl.when(tags.list.len() > 0)
                    .then("['" + tags.list.join("', '") + "']")
                    .otherwise(pl.lit("[]"))
                ).to_series(),
                "urls": pl.select(
                    pl.when(texts["url"] != "")
                    .then("['" + texts["url"] + "']")
                    .otherwise(pl.lit("[]"))
                ).to_series(),
                "user_mentions": pl.select(
                    pl.when(pl.Series(rt | reply))
                    .then("[" + _numbers(self.user_ids[referred]) + "]")
                    .otherwise(pl.lit("[]"))
                ).to_series(),
                "poll_choices": pl.repeat("", n, eager=True),
            }
        )

    def tweets_json(self, rows: np.ndarray, seconds: bool) -> pl.Series:
        """`rows` as Twitter API v2 tweet objects, one JSON text each; times to the second, or
        rounded down to the minute."""
        kind = self.kind[rows]
        ref = np.maximum(self.target[rows], 0)
        referred = self.author[ref]
        rt, reply = kind == RETWEET, kind == REPLY
        ms = self.ms[rows] if seconds else self.ms[rows] // 60_000 * 60_000
        frame = self.texts(rows).with_columns(
            id=_numbers(self.tweet_ids[rows]),
            author_id=_numbers(self.user_ids[self.author[rows]]),
            created_at=_times_text(ms // 1000 * 1000, "%Y-%m-%dT%H:%M:%S.000Z"),
            lang=_strings(self.lang[rows], LANGS),
            source=_strings(self.client[rows], _CLIENTS),
            conversation_id=_numbers(np.where(reply, self.tweet_ids[ref], self.tweet_ids[rows])),
            replied_user=_numbers(self.user_ids[referred], reply),
            ref_type=pl.Series(np.where(rt, "retweeted", "replied_to")),
            ref_id=_numbers(self.tweet_ids[ref], rt | reply),
            mention=_strings(rt.astype(np.int64) + 2 * reply, ("", "RT @", "@")),
            screen=self.screen.gather(referred),
            retweet_count=pl.Series(self.retweets[rows]),
            reply_count=pl.Series(self.replies[rows]),
            like_count=pl.Series(self.likes[rows]),
            quote_count=pl.Series(self.quotes[rows]),
        )
        col = pl.col

        def at(part: pl.Expr) -> pl.Expr:
            """Where `part` starts in the text, in characters."""
            return col("text").str.split(part).list.first().str.len_chars()

        # Entities with their offsets: the hashtag and the link read off the text (a text has
        # one of each at most), the retweeted or answered account at the start.
        tag = col("text").str.extract(r"#(\w+)")
        link = col("text").str.extract(r"(https://t\.co/\w{10})")
        hashtag = pl.struct(
            start=at("#" + tag), end=at("#" + tag) + 1 + tag.str.len_chars(), tag=tag
        )
        url = pl.struct(start=at(link), end=at(link) + 23, url=link, expanded_url="url")
        mention = pl.struct(
            start=col("mention").str.len_chars() - 1,
            end=col("mention").str.len_chars() + col("screen").str.len_chars(),
            username="screen",
        )
        tweet = pl.struct(
            "id",
            "text",
            "author_id",
            "created_at",
            "lang",
            "source",
            "conversation_id",
            in_reply_to_user_id=pl.when(col("replied_user") != "").then("replied_user"),
            referenced_tweets=pl.when(col("ref_id") != "").then(
                pl.concat_list(pl.struct(type="ref_type", id="ref_id"))
            ),
            public_metrics=pl.struct("retweet_count", "reply_count", "like_count", "quote_count"),
            entities=pl.struct(
                hashtags=pl.when(tag.is_not_null()).then(pl.concat_list(hashtag)),
                urls=pl.when(link.is_not_null() & (col("url") != "")).then(pl.concat_list(url)),
                mentions=pl.when(col("mention") != "").then(pl.concat_list(mention)),
            ),
        )
        # The API leaves out what a tweet does not have.
        return frame.select(
            tweet.struct.json_encode()
            .str.replace_all(r',"\w+":null', "")
            .str.replace_all(r'\{"\w+":null,?', "{")
            .str.replace(r',"entities":\{\}', "")
        ).to_series()


def _times_text(ms: np.ndarray, form: str) -> pl.Series:
    return pl.from_epoch(pl.Series(ms), time_unit="ms").dt.strftime(form)


def _users_json(acc: Accounts, users: pl.DataFrame, posted: np.ndarray) -> pl.Series:
    """Every account as a Twitter API v2 user object, one JSON text each."""
    col = pl.col
    frame = users.with_columns(
        created_at=_times_text(acc.created * 60_000, "%Y-%m-%dT%H:%M:%S.000Z"),
        followers_count=pl.Series(acc.followers),
        following_count=pl.Series(acc.following),
        tweet_count=pl.Series(posted),
        listed_count=pl.Series(acc.followers // 400),
    )
    user = pl.struct(
        id="userid",
        name="user_display_name",
        username="user_screen_name",
        created_at="created_at",
        description="user_profile_description",
        location=pl.when(col("user_reported_location") != "").then("user_reported_location"),
        url="user_profile_url",
        verified=col("listed_count") > 1000,
        protected=pl.lit(False),
        public_metrics=pl.struct(
            "followers_count", "following_count", "tweet_count", "listed_count"
        ),
    )
    return frame.select(user.struct.json_encode().str.replace(r',"location":null', "")).to_series()


_CHUNK = 200_000  # rows written at a time, to bound memory at large scales
_PAGE = 500  # tweets per twarc2 page: the most a full-archive search returns


def _write_archive(out_dir: Path, table: _Table, users: pl.DataFrame, listed: np.ndarray) -> None:
    author, user_ids = table.author, table.user_ids
    # Rows grouped by account (in id order), each account's posts in time order.
    order = np.lexsort((table.tweet_ids, user_ids[author]))
    with (out_dir / "tweets.csv").open("wb") as out:
        for start in range(0, len(order), _CHUNK):
            rows = order[start : start + _CHUNK]
            chunk = pl.concat([users[author[rows]], table.frame(rows)], how="horizontal")
            chunk.select(TWEET_COLUMNS).write_csv(
                out, quote_style="always", include_header=start == 0
            )
    users[listed].write_csv(out_dir / "users.csv", quote_style="always")


def _write_twarc2(out_dir: Path, table: _Table, users: pl.Series, seconds: bool) -> None:
    """Search-result pages, newest tweets first: a page's tweets in `data`, their authors and the
    authors of the tweets they retweet or answer in `includes.users`, those tweets in
    `includes.tweets`. `users` holds each account's JSON."""
    order = np.argsort(-table.tweet_ids)
    with (out_dir / "tweets.jsonl").open("wb") as out:
        for start in range(0, len(order), _CHUNK):  # a multiple of _PAGE: no page is split
            rows = order[start : start + _CHUNK]
            page = np.arange(len(rows)) // _PAGE
            refs = table.target[rows]
            has_ref = refs >= 0
            # Each tweet's JSON once, for its own page and for those that refer to it.
            needed = np.unique(np.concatenate([rows, refs[has_ref]]))
            tweets = table.tweets_json(needed, seconds)

            def joined(frame: pl.DataFrame, json: pl.Series, name: str) -> pl.DataFrame:
                return (
                    frame.with_columns(json)
                    .group_by("page", maintain_order=True)
                    .agg(pl.col(json.name).str.join(",").alias(name))
                )

            data = pl.DataFrame({"page": page, "id": _numbers(table.tweet_ids[rows])})
            meta = data.group_by("page", maintain_order=True).agg(
                newest=pl.col("id").first(), oldest=pl.col("id").last(), count=pl.len()
            )
            data = joined(data, tweets.gather(np.searchsorted(needed, rows)), "data")
            authors = pl.DataFrame(
                {
                    "page": np.concatenate([page, page[has_ref]]),
                    "user": np.concatenate([table.author[rows], table.author[refs[has_ref]]]),
                }
            ).unique(maintain_order=True)
            authors = joined(authors, users.gather(authors["user"]), "users")
            quoted = pl.DataFrame({"page": page[has_ref], "post": refs[has_ref]}).unique(
                maintain_order=True
            )
            quoted = joined(
                quoted, tweets.gather(np.searchsorted(needed, quoted["post"].to_numpy())), "tweets"
            )
            col = pl.col
            lines = (
                meta.join(data, on="page")
                .join(authors, on="page")
                .join(quoted, on="page", how="left")
                .sort("page")
                .select(
                    pl.concat_str(
                        pl.lit('{"data":['),
                        col("data"),
                        pl.lit('],"includes":{"users":['),
                        col("users"),
                        pl.when(col("tweets").is_not_null())
                        .then('],"tweets":[' + col("tweets"))
                        .otherwise(pl.lit("")),
                        pl.lit(']},"meta":{"newest_id":"'),
                        col("newest"),
                        pl.lit('","oldest_id":"'),
                        col("oldest"),
                        pl.lit('","result_count":'),
                        col("count").cast(pl.String),
                        pl.lit("}}"),
                    )
                )
            )
            # One JSON object a line, written as it is: no CSV quoting.
            lines.write_csv(out, include_header=False, quote_style="never")


def write_files(
    out_dir: Path,
    rng: np.random.Generator,
    acc: Accounts,
    posts: Posts,
    profiles: pl.DataFrame,
    ms: np.ndarray,
    texts: Mapping[int, OpTexts] = _OP_TEXTS,
    form: str = "archive",
    seconds: bool = False,
    kinds: pl.Series | None = None,
) -> GenerateResult:
    """Write the posts and `truth.csv` into `out_dir`.

    `form` "archive" writes ``tweets.csv`` and ``users.csv`` (times to the minute), "twarc2"
    ``tweets.jsonl`` (times to the second where `seconds`, else to the minute). `ms` is each
    post's millisecond; `texts` the ops' text pools; `kinds`, per account, adds a fourth column
    ``kind`` to the truth. Accounts without posts are left out of every file.
    """
    table = _Table.build(rng, acc, posts, profiles["user_screen_name"], ms, texts)
    users = _users(acc, profiles, table.user_ids)
    posted = np.bincount(table.author, minlength=len(acc.group))
    listed = np.argsort(table.user_ids)
    listed = listed[posted[listed] > 0]
    out_dir.mkdir(parents=True, exist_ok=True)
    if form == "archive":
        _write_archive(out_dir, table, users, listed)
    else:
        _write_twarc2(out_dir, table, _users_json(acc, users, posted), seconds)
    ops = _OP_OF_GROUP[acc.group[listed]]
    truth = pl.DataFrame(
        {
            "userid": users["userid"].gather(listed),
            "role": _strings(acc.group[listed], _ROLE),
            "op": _strings(ops, ("", "op1", "op2", "op3")),
        }
    )
    if kinds is not None:
        truth = truth.with_columns(kind=kinds.gather(listed))
    truth.write_csv(out_dir / "truth.csv", quote_style="always")
    return GenerateResult(
        out_dir=out_dir,
        tweets=posts.size,
        accounts=len(listed),
        retweets=int((table.kind == RETWEET).sum()),
        truth={r: n for r in ROLES if (n := int((truth["role"] == r).sum()))},  # roles present
    )
