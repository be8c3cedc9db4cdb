"""Synthetic information-operation archives for tests and benchmarks (`tierscope generate`).

`generate` writes three files: ``tweets.csv`` in the 31-column format of Twitter's 2018
information-operations release (every field quoted, minute-resolution UTC times), ``users.csv``
with its 10 user columns, and ``truth.csv`` (``userid, role, op``) to score a detector against.

The one scenario, ``seed2020``, is modelled on the June 2020 takedown: 23,750 core accounts fed
about 150,000 amplifiers, 27,000 accounts retweeted one ambassador about 200,000 times, a batch
of look-alike "British citizens" produced 16,000 retweets, some genuine accounts had been
hijacked, and diplomats and state media drew huge retweet counts.

Structure at scale 1 (about 600,000 posts). The crowds (core, amplifiers, fans, organic) scale
linearly; the principals, the celebrity and the posts they write do not, so what one crowd
account does (how many posts it retweets, how often two core accounts meet on one post) is the
same at every scale.

- op1, the main operation: 8 principals (an ambassador who draws the most amplification, officials,
  state media; old genuine accounts with many followers that post originals and coordinate with
  nobody); 600 core accounts that retweet the principals' posts in tight waves (most of a wave
  inside two consecutive minutes) and post template text of their own; 3,600 amplifiers (6 per
  core account) that retweet the core's posts, and some of the principals', in loose bursts over
  minutes to hours, each touching only some of the core's posts.
- op2, the look-alike ring: 2 principals of its own, 30 core and 180 amplifiers with handles
  like ``jamessmith8234``, all created in one two-day batch; about 16,000 retweets, almost none
  of op1's posts.
- The fan community: one celebrity and 800 fans who retweet her fast and a lot.
- The organic background: 40,000 accounts with heavy-tailed (lognormal) activity and
  popularity, posting originals and replies and retweeting each other, and now and then the
  principals, the celebrity and even a core post.

Signals planted, and the decoys that stop any one of them from settling the question alone:

- Synchrony: op1 pushes about 40% of its principals' posts (60% of the ambassador's) with a
  core wave: about 30% of the core retweet the post, 85% of them within two consecutive
  minutes, the rest straggling in later. Two op1 core accounts meet within a minute on about 14
  posts, at any scale. Fans also pile onto the celebrity's posts within minutes (two fans meet
  about twice), and popular organic posts draw chance same-minute retweets.
- Tiers: amplifiers retweet core posts (nearly 90% of their op retweets), core accounts retweet
  principals; principals retweet each other only a little, and slowly. Op accounts also retweet
  a few popular organic posts, as cover, and organic accounts now and then retweet a core post.
- Creation bursts: 85% of op1 accounts come from three bursts of a few days, the rest trickle in
  over the eight months before; op2 is one two-day batch. Organic and fan accounts sign up over
  twelve years, so the burst days hold background sign-ups too.
- Reaction time (median per account): core about 5 minutes, fans about 6, amplifiers about an
  hour, organic accounts an hour and a half with a long tail.
- Dormancy: 5% of op1 core and 2% of op1 amplifiers are hijacked genuine accounts (created
  2011-2016, a few posts, silent for more than a year, then op activity); about 1.5% of organic
  accounts also come back after more than a year away. Fans are never dormant.
- Duplicated text: core and amplifier originals come from small template pools (exact copies,
  or copies with a hashtag or link added); organic and fan text is unique.
- Language mix: op1 is zh/en, op2 en; fans and organic accounts span nine languages.
- Also: op originals keep Beijing office hours on weekdays, op clients lean to the web app, op
  posts get few likes for their retweets, and op accounts have few followers (hijacked ones keep
  their old profile). None of these is clean: organic accounts have the same clients, zh
  speakers and default-style handles too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import polars as pl

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.sources.archive import TWEET_COLUMNS, USER_COLUMNS

__all__ = [
    "ROLES",
    "SCENARIOS",
    "TRUTH_COLUMNS",
    "TWEET_COLUMNS",
    "USER_COLUMNS",
    "GenerateResult",
    "generate",
]

SCENARIOS = ("seed2020",)

TRUTH_COLUMNS = ("userid", "role", "op")
ROLES = ("principal", "core", "amplifier", "organic", "fan", "celebrity")


@dataclass(frozen=True)
class GenerateResult:
    out_dir: Path
    tweets: int
    accounts: int
    retweets: int
    truth: dict[str, int]  # accounts per role


# --- groups, languages, time ----------------------------------------------------------------

ORGANIC, FAN, CELEB, P1, CORE1, AMP1, P2, CORE2, AMP2 = range(9)
_ROLE = ("organic", "fan", "celebrity") + ("principal", "core", "amplifier") * 2
_OP = ("", "", "", "op1", "op1", "op1", "op2", "op2", "op2")
_OP_OF_GROUP = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])  # 0 = no operation
_OP_GROUPS = (CORE1, AMP1, CORE2, AMP2)

LANGS = ("en", "es", "pt", "fr", "ja", "ar", "zh", "ko", "und")
EN, ES, PT, FR, JA, AR, ZH, KO, UND = range(len(LANGS))
_ACCOUNT_LANG = ("en", "es", "pt", "fr", "ja", "ar", "zh-cn", "ko", "en")
_NO_SPACES = np.array([lang in ("ja", "zh") for lang in LANGS])
_ORGANIC_LANGS = {EN: 0.50, ES: 0.12, PT: 0.07, FR: 0.05, JA: 0.10, AR: 0.06, ZH: 0.06, KO: 0.04}
_FAN_LANGS = {EN: 0.32, ES: 0.16, PT: 0.15, FR: 0.05, JA: 0.08, AR: 0.04, ZH: 0.03, KO: 0.17}

_DAY = 1440  # minutes


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


WINDOW_START = _day("2019-09-01") * _DAY  # organic posts
OP1_START = _day("2019-12-01") * _DAY
OP2_START = _day("2020-02-24") * _DAY
END = _day("2020-06-01") * _DAY  # nothing is posted from here on
_SNOWFLAKE_ERA = _day("2011-01-01") * _DAY
_HISTORY_END = WINDOW_START - 400 * _DAY  # old posts of dormant accounts stop before this
# Sign-ups of op accounts as (first day, days, share): op1 has three bursts of a few days and a
# trickle over eight months, so creation dates alone do not find all of it; op2 is one batch.
_OP1_SIGNUPS = (
    ("2019-06-01", 245, 0.15),
    ("2019-08-12", 4, 0.30),
    ("2019-10-28", 3, 0.25),
    ("2020-01-06", 5, 0.30),
)
_OP2_SIGNUPS = (("2020-02-17", 2, 1.0),)

# Hour-of-day (UTC) profiles: the op works Beijing office hours, the background is worldwide.
_OFFICE_HOURS = np.array([10.0] * 11 + [3.0] * 3 + [0.5] * 10)
_WORLD_HOURS = np.array(
    [4, 3, 3, 3, 3, 3, 4, 5, 6, 6, 6, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 7, 6, 5], dtype=float
)

# Post kinds, and how an original's text is written.
ORIGINAL, RETWEET, REPLY = 0, 1, 2
CHATTER, FANPOST, STARPOST, OFFICIAL, TEMPLATE, SPAM, ANSWER = range(7)


@dataclass(frozen=True)
class _Sizes:
    organic: int
    fans: int
    core1: int
    amp1: int
    core2: int
    amp2: int

    @classmethod
    def at(cls, scale: float) -> _Sizes:
        def n(base: int, least: int) -> int:
            return max(least, round(base * scale))

        core1, core2 = n(600, 10), n(30, 5)
        return cls(n(40_000, 400), n(800, 40), core1, 6 * core1, core2, 6 * core2)


@dataclass(frozen=True)
class _Star:
    """A principal or the celebrity: a fixed, genuine, well-followed account."""

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


_OP1_PRINCIPALS = (
    _Star("AmbZhaoMing", "Zhao Ming 赵明", "2012-05-14", 412_000, EN, 0.30, 0.6, 30.0,
          "London, England", "Ambassador to the United Kingdom."),
    _Star("SpoxHuaLan", "Hua Lan 华岚", "2014-09-03", 655_000, EN, 0.15, 0.45, 20.0,
          "Beijing", "Spokesperson and Deputy Director-General, Information Department."),
    _Star("GlobalDailyNews", "Global Daily", "2009-11-20", 1_480_000, EN, 0.15, 0.4, 16.0,
          "Beijing", "News and views from the Global Daily. Follow us for breaking news."),
    _Star("HarbourTimes", "Harbour Times", "2011-03-08", 318_000, EN, 0.10, 0.3, 9.0,
          "Hong Kong", "Independent voice of the harbour city since 1952."),
    _Star("ChenWeiMFA", "Chen Wei 陈伟", "2015-06-22", 128_000, ZH, 0.08, 0.3, 6.0,
          "", "Deputy Director, Department of Information. Views are my own."),
    _Star("ConsulGenWangH", "Wang Hao 王浩", "2013-01-17", 84_000, EN, 0.08, 0.25, 5.0,
          "Lagos, Nigeria", "Consul General. Building bridges of friendship."),
    _Star("CNWNewsEN", "CNW News", "2010-07-29", 960_000, ZH, 0.08, 0.25, 8.0,
          "Beijing", "CNW 新闻 | Official account. 24/7 news in English and Chinese."),
    _Star("PeoplesVoiceEN", "People's Voice", "2012-10-02", 543_000, EN, 0.06, 0.2, 6.0,
          "", "Telling true stories to the world."),
)  # fmt: skip
_OP2_PRINCIPALS = (
    _Star("AmbLiangRui", "Liang Rui 梁锐", "2014-02-11", 96_000, EN, 0.6, 0.8, 8.0,
          "London, England", "Ambassador. Dialogue, not confrontation."),
    _Star("EmbassyPressUK", "Embassy Press Office", "2013-08-30", 71_000, EN, 0.4, 0.6, 5.0,
          "London, England", "Official account of the Embassy press office."),
)  # fmt: skip
_CELEBRITY = _Star(
    "nova_official", "NOVA ✨", "2011-06-04", 3_200_000, EN, 1.0, 0.0, 20.0,
    "Seoul / LA", "singer · songwriter · dreamer | new album STARLIGHT out now",
)  # fmt: skip
_STAR_TABLES = {P1: _OP1_PRINCIPALS, P2: _OP2_PRINCIPALS, CELEB: (_CELEBRITY,)}
_PRINCIPAL_POSTS = {P1: 800, P2: 120}
_CELEBRITY_POSTS = 200

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
}
_SPAM = {
    "op1": {
        "en": ["Good morning everyone", "Share the truth", "Support!", "Agree 100%", "Well said"],
        "zh": ["早上好", "说得好", "支持！", "转发让更多人看到", "真相只有一个", "同意"],
    },
    "op2": {"en": ["Well said!", "Agreed.", "Spot on", "Exactly this.", "Totally agree"]},
}
_OPENERS = {
    "op1": {
        "en": ["Spokesperson:", "Remarks:", "Statement:", "Commentary:", "Fact check:", "Opinion:"],
        "zh": ["发言人：", "声明：", "评论：", "大使：", "观点："],
    },
    "op2": {"en": ["Ambassador:", "Embassy statement:", "Press release:", "Op-ed:"]},
}
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
    "star": _split("NOVA NOVA_Live NovaComeback STARLIGHT"),
}
_DOMAINS = {
    "world": ["https://www.youtube.com/watch?v=", "https://www.instagram.com/p/",
              "https://www.bbc.co.uk/news/", "https://open.spotify.com/track/",
              "https://www.theguardian.com/world/", "https://www.reddit.com/r/"],
    "op1": ["https://www.globaldaily.cn/a/", "https://news.cnwnet.com/", "https://harbourtimes.hk/"],
    "op2": ["https://www.embassypress.org.uk/news/", "https://www.britishvoices.net/"],
    "star": ["https://www.youtube.com/watch?v=", "https://nova-official.com/"],
}  # fmt: skip
_THEMES = ("world", "op1", "op2", "star")
_CLIENTS = (
    "Twitter for iPhone",
    "Twitter for Android",
    "Twitter Web App",
    "Twitter for iPad",
    "TweetDeck",
    "Hootsuite Inc.",
    "Instagram",
    "Twitter Web Client",
)
# Client mix per group, over _CLIENTS; the op leans to the web app but overlaps the background.
_CLIENT_MIX = {
    ORGANIC: [0.36, 0.34, 0.17, 0.05, 0.03, 0.03, 0.02, 0.0],
    FAN: [0.50, 0.44, 0.06, 0, 0, 0, 0, 0],
    CELEB: [0.70, 0, 0.10, 0, 0, 0, 0.20, 0],
    P1: [0.25, 0, 0.50, 0, 0.25, 0, 0, 0],
    CORE1: [0.08, 0.30, 0.57, 0, 0.05, 0, 0, 0],
    AMP1: [0.10, 0.55, 0.35, 0, 0, 0, 0, 0],
    P2: [0.25, 0, 0.50, 0, 0.25, 0, 0, 0],
    CORE2: [0.25, 0.45, 0.30, 0, 0, 0, 0, 0],
    AMP2: [0.20, 0.55, 0.25, 0, 0, 0, 0, 0],
}
_OLD_CLIENTS = [0.35, 0.25, 0, 0, 0, 0, 0, 0.40]  # posts before the window: the old web client


class _Lexicon:
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


_WORDS = _Lexicon(_VOCAB)
_FIRSTS = _Lexicon(_FIRST)
_LASTS = _Lexicon(_LAST)
_NATIVES = _Lexicon({**_FIRST, **_NATIVE})
_LOCATIONS_LEX = _Lexicon(_LOCATIONS, keys=(*LANGS, "uk"))
_TAGS = _Lexicon(_HASHTAGS, keys=_THEMES)
_SITES = _Lexicon(_DOMAINS, keys=_THEMES)
_STAR_LEX = _Lexicon(_STAR_LINES)
_HANDLE_LEX = _Lexicon({"en": _HANDLE_WORDS})
_EMOJI_LEX = _Lexicon({"en": _EMOJI})
# Per op (index 1, 2); the lists are keyed by language.
_TEMPLATE_LEX = {op: _Lexicon(_TEMPLATES[f"op{op}"]) for op in (1, 2)}
_SPAM_LEX = {op: _Lexicon(_SPAM[f"op{op}"]) for op in (1, 2)}
_OPENER_LEX = {op: _Lexicon(_OPENERS[f"op{op}"]) for op in (1, 2)}
_BIO_LEX = _Lexicon(_BIOS, keys=("op1", "op2", "fan"))


def _choice(rng: np.random.Generator, weights: Mapping[int, float], n: int) -> np.ndarray:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()))
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
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
    [_day(d) * 86_400 for d in ("2006-07-15", "2008-01-01", "2010-01-01", "2012-01-01",
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


def _times(
    rng: np.random.Generator,
    lo: np.ndarray,
    hi: np.ndarray | int,
    hours: np.ndarray,
    weekdays: bool = False,
) -> np.ndarray:
    """Minutes in [lo, hi): a uniform day, an hour of the day drawn from `hours`."""
    n = len(lo)
    day = (lo + (rng.random(n) * (hi - lo)).astype(np.int64)) // _DAY
    if weekdays:  # 1970-01-01 was a Thursday; move Saturdays and Sundays back to Friday
        weekday = (day + 3) % 7
        day = day - np.maximum(weekday - 4, 0)
    minute = day * _DAY + rng.choice(24, n, p=hours / hours.sum()) * 60 + rng.integers(0, 60, n)
    return np.clip(minute, lo, np.asarray(hi) - 1)


# --- accounts ------------------------------------------------------------------------------


@dataclass
class _Accounts:
    group: np.ndarray
    lang: np.ndarray
    created: np.ndarray  # minute
    followers: np.ndarray
    following: np.ndarray
    weight: np.ndarray  # how busy the account is, relative to its group
    history: np.ndarray  # minute its old, pre-dormancy posts stop; 0 = no such posts
    star: np.ndarray  # index into the star tables for principals and the celebrity, else -1

    @classmethod
    def concat(cls, parts: Sequence[_Accounts]) -> _Accounts:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def members(self, *groups: int) -> np.ndarray:
        return np.flatnonzero(np.isin(self.group, groups))


def _organic_days(rng: np.random.Generator, n: int) -> np.ndarray:
    # Twelve years of sign-ups, more of them recent.
    first, last = _day("2008-01-01"), _day("2020-05-15")
    return first + (rng.beta(1.6, 1.0, n) * (last - first)).astype(np.int64)


def _signup_days(
    rng: np.random.Generator, n: int, signups: Sequence[tuple[str, int, float]]
) -> np.ndarray:
    which = _choice(rng, {i: share for i, (_, _, share) in enumerate(signups)}, n)
    first = np.array([_day(d) for d, _, _ in signups])[which]
    days = np.array([days for _, days, _ in signups])[which]
    return first + (rng.random(n) * days).astype(np.int64)


def _crowd(
    rng: np.random.Generator,
    n: int,
    group: int,
    langs: Mapping[int, float],
    days: np.ndarray,
    followers: tuple[float, float],
    following: tuple[float, float],
    busy: float,
) -> _Accounts:
    return _Accounts(
        group=np.full(n, group, dtype=np.int64),
        lang=_choice(rng, langs, n),
        created=days * _DAY + rng.integers(0, _DAY, n),
        followers=_lognormal(rng, *followers, n).astype(np.int64),
        following=_lognormal(rng, *following, n).astype(np.int64),
        weight=_lognormal(rng, 1.0, busy, n),
        history=np.zeros(n, dtype=np.int64),
        star=np.full(n, -1, dtype=np.int64),
    )


def _stars(group: int, stars: Sequence[_Star]) -> _Accounts:
    n = len(stars)
    return _Accounts(
        group=np.full(n, group, dtype=np.int64),
        lang=np.array([s.lang for s in stars]),
        created=np.array([_day(s.created) * _DAY + 600 for s in stars]),
        followers=np.array([s.followers for s in stars]),
        following=np.array([s.followers // 900 + 40 for s in stars]),
        weight=np.array([s.share for s in stars]),
        history=np.zeros(n, dtype=np.int64),
        star=np.arange(n),
    )


def _history_start(created: np.ndarray) -> np.ndarray:
    # A month after sign-up, and not before tweet ids became snowflakes.
    return np.maximum(created + 30 * _DAY, _SNOWFLAKE_ERA)


def _with_history(rng: np.random.Generator, acc: _Accounts, chosen: np.ndarray) -> None:
    """Give `chosen` accounts old posts that stop more than a year before the window."""
    start = _history_start(acc.created[chosen])
    acc.history[chosen] = (
        start
        + 30 * _DAY
        + (rng.random(len(chosen)) * (_HISTORY_END - start - 30 * _DAY)).astype(np.int64)
    )


def _hijack(rng: np.random.Generator, acc: _Accounts, share: float) -> None:
    """Turn a share of a crowd (at least one account) into genuine old accounts the op took."""
    if share == 0:
        return
    n = len(acc.group)
    chosen = np.sort(rng.choice(n, max(1, round(share * n)), replace=False))
    days = _day("2011-01-01") + rng.integers(0, 6 * 365, len(chosen))
    acc.created[chosen] = days * _DAY + rng.integers(0, _DAY, len(chosen))
    acc.lang[chosen] = _choice(rng, _ORGANIC_LANGS, len(chosen))
    acc.followers[chosen] = _lognormal(rng, 150, 1.2, len(chosen)).astype(np.int64)
    acc.following[chosen] = _lognormal(rng, 250, 0.9, len(chosen)).astype(np.int64)
    _with_history(rng, acc, chosen)


def _accounts(rng: np.random.Generator, sizes: _Sizes) -> _Accounts:
    # (group, size, languages, op sign-ups or None for background ones,
    #  followers and following as (median, sigma), spread of busyness, share hijacked)
    crowds = (
        (CORE1, sizes.core1, {ZH: 0.6, EN: 0.4}, _OP1_SIGNUPS, (40, 1.0), (90, 0.7), 0.5, 0.05),
        (AMP1, sizes.amp1, {ZH: 0.7, EN: 0.3}, _OP1_SIGNUPS, (4, 1.2), (45, 0.8), 0.7, 0.02),
        (CORE2, sizes.core2, {EN: 1.0}, _OP2_SIGNUPS, (60, 0.8), (180, 0.6), 0.5, 0.0),
        (AMP2, sizes.amp2, {EN: 1.0}, _OP2_SIGNUPS, (8, 1.0), (70, 0.7), 0.7, 0.0),
        (FAN, sizes.fans, _FAN_LANGS, None, (220, 1.2), (400, 0.8), 0.8, 0.0),
        (ORGANIC, sizes.organic, _ORGANIC_LANGS, None, (150, 1.6), (250, 1.0), 1.2, 0.0),
    )
    parts = [_stars(P1, _OP1_PRINCIPALS), _stars(P2, _OP2_PRINCIPALS), _stars(CELEB, [_CELEBRITY])]
    for group, n, langs, signups, followers, following, busy, hijacked in crowds:
        days = _organic_days(rng, n) if signups is None else _signup_days(rng, n, signups)
        crowd = _crowd(rng, n, group, langs, days, followers, following, busy)
        _hijack(rng, crowd, hijacked)
        parts.append(crowd)
    # People coming back after more than a year away: dormancy alone does not prove hijacking.
    organic = parts[-1]
    old = np.flatnonzero(organic.created < _day("2017-01-01") * _DAY)
    _with_history(rng, organic, old[rng.random(len(old)) < 0.02])
    return _Accounts.concat(parts)


# --- profiles ------------------------------------------------------------------------------

_ACCENTS = list("áàâãäéèêëíìîïóòôõöúùûüñçÁÉÍÓÚÑÇ-'")
_PLAIN = list("aaaaaeeeeiiiiooooouuuuncAEIOUNC") + ["", ""]
PLAIN, UNDERSCORE, WORDS, DEFAULT, RANDOM, LOOKALIKE, FANSTYLE = range(7)
_FAN_SUFFIXES = ("nova", "_nova", "4nova", "novastan", "x_nova", "starlight")


def _ascii(names: pl.Expr) -> pl.Expr:
    return names.str.replace_many(_ACCENTS, _PLAIN)


def _digits(rng: np.random.Generator, lo: int, hi: int, n: int) -> pl.Series:
    return pl.Series(rng.integers(lo, hi, n)).cast(pl.String)


def _profiles(rng: np.random.Generator, acc: _Accounts) -> pl.DataFrame:
    """Display name, handle, location, description and profile link of every account."""
    n = len(acc.group)
    group, lang = acc.group, acc.lang
    ring = np.isin(group, (CORE2, AMP2))
    fresh = np.isin(group, _OP_GROUPS) & (acc.history == 0)  # batch-created by an op
    genuine = ~fresh & ~np.isin(group, (P1, P2, CELEB, FAN))  # organic or hijacked
    zeros = np.zeros(n, dtype=np.int64)
    style = np.select(
        [ring, fresh, group == FAN],
        [
            LOOKALIKE,
            _choice(rng, {DEFAULT: 0.55, RANDOM: 0.3, PLAIN: 0.15}, n),
            _choice(rng, {FANSTYLE: 0.6, PLAIN: 0.2, WORDS: 0.2}, n),
        ],
        _choice(rng, {PLAIN: 0.35, UNDERSCORE: 0.2, WORDS: 0.3, DEFAULT: 0.15}, n),
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
    for star_group, table in _STAR_TABLES.items():
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


class _Posts:
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


def _post_langs(rng: np.random.Generator, langs: np.ndarray) -> np.ndarray:
    """Mostly the account's language, else English, now and then emoji only ("und")."""
    u = rng.random(len(langs))
    return np.where(u < 0.88, langs, np.where(u < 0.96, EN, UND))


def _op_langs(rng: np.random.Generator, langs: np.ndarray, op: int) -> np.ndarray:
    """op1 writes Chinese and English (hijacked accounts switch to them); op2 English."""
    if op == 2:
        return np.full(len(langs), EN)
    base = np.where(langs == ZH, ZH, EN)
    stay = rng.random(len(langs)) < np.where(base == ZH, 0.85, 0.6)
    return np.where(stay, base, ZH + EN - base)


@dataclass
class _Targets:
    """The originals each stream of reactions draws on."""

    principal: dict[int, np.ndarray]  # per op
    core: dict[int, np.ndarray]  # per op
    star: np.ndarray
    chatter: np.ndarray  # organic and fan originals inside the window


def _each(rng: np.random.Generator, members: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Authors of Poisson(mean)-many posts per member."""
    return np.repeat(members, rng.poisson(mean))


def _originals(rng: np.random.Generator, acc: _Accounts, posts: _Posts) -> _Targets:
    principal, core = {}, {}
    for op, (group, start) in enumerate(((P1, OP1_START), (P2, OP2_START)), start=1):
        who = acc.members(group)
        author = np.repeat(who, rng.multinomial(_PRINCIPAL_POSTS[group], acc.weight[who]))
        lo = np.maximum(start, acc.created[author] + _DAY)
        minute = _times(rng, lo, END - 2 * _DAY, _OFFICE_HOURS)
        lang = _op_langs(rng, acc.lang[author], op)
        principal[op] = posts.add(author, minute, ORIGINAL, lang, OFFICIAL)

    celebrity = np.repeat(acc.members(CELEB), _CELEBRITY_POSTS)
    minute = _times(rng, np.full(len(celebrity), WINDOW_START), END - 2 * _DAY, _WORLD_HOURS)
    lang = np.where(rng.random(len(celebrity)) < 0.6, EN, KO)
    star = posts.add(celebrity, minute, ORIGINAL, lang, STARPOST)

    # Core accounts write many posts from a few templates; amplifiers a handful of one-liners.
    for op, group, mean, start, kind in (
        (1, CORE1, 30.0, OP1_START, TEMPLATE),
        (2, CORE2, 25.0, OP2_START, TEMPLATE),
        (1, AMP1, 1.5, OP1_START, SPAM),
        (2, AMP2, 1.5, OP2_START, SPAM),
    ):
        who = acc.members(group)
        author = _each(rng, who, mean * acc.weight[who])
        lo = np.maximum(start, acc.created[author] + _DAY)
        minute = _times(rng, lo, END, _OFFICE_HOURS, weekdays=True)
        made = posts.add(author, minute, ORIGINAL, _op_langs(rng, acc.lang[author], op), kind)
        if kind == TEMPLATE:
            core[op] = made

    chatter = []
    for group, mean, kind in ((ORGANIC, 1.9, CHATTER), (FAN, 6.0, FANPOST)):
        who = acc.members(group)
        author = np.concatenate([who, _each(rng, who, mean * acc.weight[who])])
        lo = np.maximum(WINDOW_START, acc.created[author] + _DAY)
        minute = _times(rng, lo, END, _WORLD_HOURS)
        chatter.append(
            posts.add(author, minute, ORIGINAL, _post_langs(rng, acc.lang[author]), kind)
        )

    # Posts from before a long silence: hijacked op accounts and returning organic ones.
    who = np.flatnonzero(acc.history > 0)
    author = np.concatenate([who, _each(rng, who, np.where(acc.group[who] == ORGANIC, 2.0, 8.0))])
    minute = _times(rng, _history_start(acc.created[author]), acc.history[author], _WORLD_HOURS)
    posts.add(author, minute, ORIGINAL, acc.lang[author], CHATTER)
    return _Targets(principal, core, star, np.concatenate(chatter))


Delay = Callable[[np.ndarray], np.ndarray]


def _waves(rng: np.random.Generator, n_targets: int) -> Delay:
    """Core: one wave per post, most of it inside two consecutive minutes, a few stragglers."""
    wave = 1 + _lognormal(rng, 4, 0.5, n_targets).astype(np.int64)

    def delay(target: np.ndarray) -> np.ndarray:
        n = len(target)
        late = _lognormal(rng, 20, 0.9, n).astype(np.int64)
        return wave[target] + np.where(rng.random(n) < 0.15, late, rng.integers(0, 2, n))

    return delay


def _bursts(rng: np.random.Generator, n_targets: int, start: float, spread: float) -> Delay:
    """Amplifiers: a loose burst per post, its retweets spread over minutes to hours."""
    onset = _lognormal(rng, start, 0.7, n_targets)

    def delay(target: np.ndarray) -> np.ndarray:
        return 1 + (onset[target] + _lognormal(rng, spread, 1.1, len(target))).astype(np.int64)

    return delay


def _lags(rng: np.random.Generator, median: float, sigma: float) -> Delay:
    """Independent reactions: fans (fast), organic accounts (slow, long tail)."""

    def delay(target: np.ndarray) -> np.ndarray:
        return 1 + _lognormal(rng, median, sigma, len(target)).astype(np.int64)

    return delay


def _react(
    rng: np.random.Generator,
    acc: _Accounts,
    posts: _Posts,
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
        lang, text = _post_langs(rng, acc.lang[who]), ANSWER
    posts.add(who[keep], minute[keep], kind, lang[keep], text, original[keep])


def _reactions(
    rng: np.random.Generator, acc: _Accounts, posts: _Posts, t: _Targets, sizes: _Sizes
) -> None:
    author = posts.col("author")
    pushed = np.zeros(len(acc.group))
    reach = np.zeros(len(acc.group))
    for group, table in _STAR_TABLES.items():
        rows = acc.members(group)
        pushed[rows] = [table[i].pushed for i in acc.star[rows]]
        reach[rows] = [table[i].reach for i in acc.star[rows]]

    # (op, core, amplifiers, share of the core in a wave, amplifiers' rate on principal posts,
    # core posts each amplifier retweets)
    for op, core_group, amp_group, core_rate, amp_rate, per_amp in (
        (1, CORE1, AMP1, 0.3, 0.01, 40.0),
        (2, CORE2, AMP2, 0.45, 0.2, 70.0),
    ):
        # The op pushes some of a principal's posts hard: a core wave, then amplifiers.
        led = t.principal[op]
        push = (rng.random(len(led)) < pushed[author[led]]) * rng.uniform(0.6, 1.4, len(led))
        core = acc.members(core_group)
        counts = rng.binomial(len(core), np.clip(core_rate * push, 0, 0.9))
        _react(rng, acc, posts, led, counts, core, acc.weight[core], _waves(rng, len(led)))
        amps = acc.members(amp_group)
        counts = rng.binomial(len(amps), np.clip(amp_rate * (0.2 + push), 0, 0.9))
        _react(rng, acc, posts, led, counts, amps, acc.weight[amps], _bursts(rng, len(led), 30, 60))
        fed = t.core[op]
        pull = _lognormal(rng, 1.0, 0.6, len(fed))
        counts = rng.poisson(len(amps) * per_amp * pull / pull.sum())
        _react(rng, acc, posts, fed, counts, amps, acc.weight[amps], _bursts(rng, len(fed), 15, 30))
    # The ring leans on op1's principals only a little.
    amps = acc.members(AMP2)
    led = t.principal[1]
    counts = rng.binomial(len(amps), 0.001, len(led))
    _react(rng, acc, posts, led, counts, amps, acc.weight[amps], _bursts(rng, len(led), 30, 60))

    fans = acc.members(FAN)
    counts = rng.binomial(len(fans), np.clip(0.2 * rng.uniform(0.5, 1.5, len(t.star)), 0, 0.9))
    _react(rng, acc, posts, t.star, counts, fans, acc.weight[fans], _lags(rng, 5, 1.0))

    # The background: popular accounts' posts draw most retweets and replies.
    crowd = acc.members(ORGANIC, FAN)
    keen = (
        acc.weight[crowd]
        * rng.beta(1.2, 2.0, len(crowd))
        * np.where(acc.group[crowd] == FAN, 0.5, 1.0)
    )
    appeal = acc.followers[author[t.chatter]] ** 0.7 * _lognormal(rng, 1.0, 1.0, len(t.chatter))
    appeal /= appeal.sum()
    for share, kind, median in ((0.42, RETWEET, 90.0), (0.08, REPLY, 45.0)):
        counts = rng.poisson(share * len(t.chatter) * appeal)
        _react(rng, acc, posts, t.chatter, counts, crowd, keen, _lags(rng, median, 1.6), kind)
    organic = acc.members(ORGANIC)
    keen = keen[acc.group[crowd] == ORGANIC]
    famous = np.concatenate([t.principal[1], t.principal[2], t.star])
    counts = rng.poisson(reach[author[famous]] * sizes.organic / 40_000)
    _react(rng, acc, posts, famous, counts, organic, keen, _lags(rng, 40, 1.4))
    fed = np.concatenate([t.core[1], t.core[2]])
    counts = rng.poisson(0.03, len(fed))
    _react(rng, acc, posts, fed, counts, organic, keen, _lags(rng, 120, 1.5))

    # Cover: op accounts retweet a few popular organic posts too.
    ops = acc.members(*_OP_GROUPS)
    counts = rng.poisson(1.2 * len(ops) * appeal)
    _react(rng, acc, posts, t.chatter, counts, ops, np.ones(len(ops)), _lags(rng, 120, 1.5))

    # Principals of one op retweet each other now and then, slowly.
    for op, group in ((1, P1), (2, P2)):
        led = t.principal[op]
        peers = acc.members(group)
        counts = rng.poisson(0.4, len(led))
        _react(rng, acc, posts, led, counts, peers, np.ones(len(peers)), _lags(rng, 120, 1.2))


# --- text ----------------------------------------------------------------------------------

# Share of each kind of text (indexed by CHATTER ... ANSWER) with a hashtag, and with a link.
_TAGGED = np.array([0.15, 0.6, 0.7, 0.4, 0.35, 0.1, 0.03])
_LINKED = np.array([0.12, 0.05, 0.3, 0.6, 0.3, 0.0, 0.02])


def _bodies(
    rng: np.random.Generator, kind: np.ndarray, lang: np.ndarray, op: np.ndarray, replied: pl.Series
) -> pl.Series:
    """The words of each original or reply, before hashtags and links."""
    body = pl.repeat("", len(kind), eager=True)
    rows = np.flatnonzero(kind == CHATTER)
    body.scatter(rows, _WORDS.salad(rng, lang[rows], 5, 16))
    rows = np.flatnonzero(kind == ANSWER)
    body.scatter(rows, "@" + replied.gather(rows) + " " + _WORDS.salad(rng, lang[rows], 2, 9))
    rows = np.flatnonzero(kind == FANPOST)
    emoji = _EMOJI_LEX.pick(rng, np.zeros_like(rows))
    body.scatter(rows, _WORDS.salad(rng, lang[rows], 3, 10) + " " + emoji)
    rows = np.flatnonzero(kind == STARPOST)
    body.scatter(rows, _STAR_LEX.pick(rng, lang[rows]) + " " + _WORDS.salad(rng, lang[rows], 2, 6))
    for o in (1, 2):
        rows = np.flatnonzero((kind == OFFICIAL) & (op == o))
        opener = _OPENER_LEX[o].pick(rng, lang[rows])
        body.scatter(rows, opener + " " + _WORDS.salad(rng, lang[rows], 8, 18))
        # Skewed picks: a few templates and one-liners make most of the copies.
        rows = np.flatnonzero((kind == TEMPLATE) & (op == o))
        body.scatter(rows, _TEMPLATE_LEX[o].pick(rng, lang[rows], skew=2.0))
        rows = np.flatnonzero((kind == SPAM) & (op == o))
        body.scatter(rows, _SPAM_LEX[o].pick(rng, lang[rows], skew=1.5))
    return body


def _own_texts(
    rng: np.random.Generator, acc: _Accounts, posts: _Posts, screen: pl.Series
) -> pl.DataFrame:
    """Text and `urls` of every post that is not a retweet (retweets copy their original's)."""
    kind, target, author = posts.col("kind"), posts.col("target"), posts.col("author")
    own = np.flatnonzero(kind != RETWEET)
    text_kind = posts.col("text")[own]
    op = _OP_OF_GROUP[acc.group[author[own]]]
    replied = screen.gather(author[np.maximum(target[own], 0)])
    n = len(own)
    # Hashtags and links come from the op's own pools only in op text (not in the old posts of
    # hijacked accounts), from the fandom's in fan and celebrity posts, else from everyone's.
    on_message = np.isin(text_kind, (OFFICIAL, TEMPLATE, SPAM))
    theme = np.select([np.isin(text_kind, (FANPOST, STARPOST)), on_message], [3, op], 0)
    parts = pl.DataFrame(
        {
            "body": _bodies(rng, text_kind, posts.col("lang")[own], op, replied),
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
        urls=pl.when("linked").then("['" + pl.col("site") + "']").otherwise(pl.lit("[]")),
    )


# --- files ---------------------------------------------------------------------------------


def _clients(
    rng: np.random.Generator, acc: _Accounts, author: np.ndarray, minute: np.ndarray
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


def _users(acc: _Accounts, profiles: pl.DataFrame, user_ids: np.ndarray) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "userid": _numbers(user_ids),
            **profiles.to_dict(),
            "follower_count": _numbers(acc.followers),
            "following_count": _numbers(acc.following),
            "account_creation_date": pl.Series(acc.created // _DAY)
            .cast(pl.Int32)
            .cast(pl.Date)
            .dt.strftime("%Y-%m-%d"),
            "account_language": _strings(acc.lang, _ACCOUNT_LANG),
        }
    )
    return frame.select(USER_COLUMNS)


@dataclass
class _Table:
    """Everything per post that the tweets file needs.

    It is all drawn up front, so writing the file in chunks changes neither the random draws
    nor the bytes.
    """

    author: np.ndarray
    kind: np.ndarray
    target: np.ndarray
    minute: np.ndarray
    lang: np.ndarray
    tweet_ids: np.ndarray
    user_ids: np.ndarray  # per account
    screen: pl.Series  # per account
    own: pl.DataFrame  # text and urls of the non-retweets
    source: np.ndarray  # per post: its row in `own`, or its original's row for a retweet
    client: np.ndarray
    retweets: np.ndarray
    replies: np.ndarray
    likes: np.ndarray
    quotes: np.ndarray

    @classmethod
    def build(
        cls, rng: np.random.Generator, acc: _Accounts, posts: _Posts, screen: pl.Series
    ) -> _Table:
        author, kind, target = posts.col("author"), posts.col("kind"), posts.col("target")
        minute = posts.col("minute")
        n = posts.size
        rt = kind == RETWEET
        row = np.cumsum(~rt) - 1  # each non-retweet's row in `own`
        retweets = np.bincount(target[rt], minlength=n)
        by_op = np.bincount(target[rt & (_OP_OF_GROUP[acc.group[author]] > 0)], minlength=n)
        return cls(
            author=author,
            kind=kind,
            target=target,
            minute=minute,
            lang=posts.col("lang"),
            tweet_ids=_snowflakes(rng, minute * 60_000 + rng.integers(0, 60_000, n)),
            user_ids=_user_ids(rng, acc.created),
            screen=screen,
            own=_own_texts(rng, acc, posts, screen),
            source=row[np.where(rt, target, np.arange(n))],
            client=_clients(rng, acc, author, minute),
            retweets=retweets,
            replies=np.bincount(target[kind == REPLY], minlength=n),
            # Op retweets come without the likes a genuine audience adds.
            likes=rng.poisson(1.8 * (retweets - by_op) + 0.2 * by_op + 0.3) * ~rt,
            quotes=rng.poisson(0.03 * retweets),
        )

    def frame(self, rows: np.ndarray) -> pl.DataFrame:
        """The 21 per-post columns of `rows`."""
        kind = self.kind[rows]
        ref = np.maximum(self.target[rows], 0)  # masked where it points nowhere
        referred = self.author[ref]
        rt, reply = kind == RETWEET, kind == REPLY
        own = self.own[self.source[rows]]
        # A retweet reads "RT @author: " and the original, cut to 140 characters as archived.
        quoted = "RT @" + self.screen.gather(referred) + ": " + own["text"]
        text = pl.select(
            pl.when(pl.Series(~rt))
            .then(own["text"])
            .when(quoted.str.len_chars() > 140)
            .then(quoted.str.slice(0, 139) + "…")
            .otherwise(quoted)
        ).to_series()
        tags = text.str.extract_all(r"#\w+").list.eval(pl.element().str.slice(1))
        n = len(rows)
        return pl.DataFrame(
            {
                "tweetid": _numbers(self.tweet_ids[rows]),
                "tweet_language": _strings(self.lang[rows], LANGS),
                "tweet_text": text,
                "tweet_time": pl.from_epoch(
                    pl.Series(self.minute[rows] * 60), time_unit="s"
                ).dt.strftime("%Y-%m-%d %H:%M"),
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
                "urls": own["urls"],
                "user_mentions": pl.select(
                    pl.when(pl.Series(rt | reply))
                    .then("[" + _numbers(self.user_ids[referred]) + "]")
                    .otherwise(pl.lit("[]"))
                ).to_series(),
                "poll_choices": pl.repeat("", n, eager=True),
            }
        )


_CHUNK = 200_000  # rows written at a time, to bound memory at large scales


def generate(
    out_dir: Path,
    scenario: str = "seed2020",
    scale: float = 1.0,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Write tweets.csv, users.csv and truth.csv for `scenario` at `scale` into `out_dir`.

    The same scenario, scale and seed always give the same bytes.
    """
    if scenario not in SCENARIOS:
        raise InputError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    if not scale > 0:
        raise InputError(f"scale must be positive, not {scale}")
    say = progress or (lambda _: None)
    rng = np.random.default_rng(seed)
    sizes = _Sizes.at(scale)
    acc = _accounts(rng, sizes)
    posts = _Posts()
    _reactions(rng, acc, posts, _originals(rng, acc, posts), sizes)
    say(f"{scenario} at scale {scale}: {len(acc.group):,} accounts, {posts.size:,} posts")

    profiles = _profiles(rng, acc)
    table = _Table.build(rng, acc, posts, profiles["user_screen_name"])
    author, user_ids = table.author, table.user_ids
    users = _users(acc, profiles, user_ids)

    out_dir.mkdir(parents=True, exist_ok=True)
    # Rows grouped by account (in id order), each account's posts in time order.
    order = np.lexsort((table.tweet_ids, user_ids[author]))
    with (out_dir / "tweets.csv").open("wb") as out:
        for start in range(0, len(order), _CHUNK):
            rows = order[start : start + _CHUNK]
            chunk = pl.concat([users[author[rows]], table.frame(rows)], how="horizontal")
            chunk.select(TWEET_COLUMNS).write_csv(
                out, quote_style="always", include_header=start == 0
            )
    say(f"wrote {out_dir / 'tweets.csv'}")

    listed = np.argsort(user_ids)
    listed = listed[np.bincount(author, minlength=len(acc.group))[listed] > 0]
    users = users[listed]
    users.write_csv(out_dir / "users.csv", quote_style="always")
    truth = pl.DataFrame(
        {
            "userid": users["userid"],
            "role": _strings(acc.group[listed], _ROLE),
            "op": _strings(acc.group[listed], _OP),
        }
    )
    truth.select(TRUTH_COLUMNS).write_csv(out_dir / "truth.csv", quote_style="always")
    say(f"wrote {out_dir / 'users.csv'} and {out_dir / 'truth.csv'}")
    return GenerateResult(
        out_dir=out_dir,
        tweets=posts.size,
        accounts=users.height,
        retweets=int((posts.col("kind") == RETWEET).sum()),
        truth={role: int((truth["role"] == role).sum()) for role in ROLES},
    )
