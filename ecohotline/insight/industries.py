"""Polluter industries (国民经济行业分类 GB/T 4754-2017): the sections (门类 A–T) and the major groups (大类) that
environmental complaints are about, and the rules that give a case its industry.

An industry code is either a section letter (``"C"``: 制造业, when only the section is known) or a section letter
and a two-digit major group (``"H62"``: 餐饮业). `assign_industry` reads what the case says about its polluter:

1. **Keywords** in the polluter's name or, when the case names no polluter, in its title (the first rule that
   matches wins; the rules are ordered from the specific to the general, so that 汽修厂 is 机动车维修 O81 and not a
   factory C, 食品厂 is C14 and not a restaurant, 装修 is E50 and not construction in general E47). The polluter
   field names the source (``某某烧烤``, ``某某工地``); a title mostly repeats it with the road and the problem,
   and may speak of the complainant's side, so it is only read when there is no polluter. (This also lets the
   breakdown group a million complaints by polluter, not by every distinct title.)
2. Else the **sub-category** when it names one industry by itself: 餐饮油烟 → H62, 建筑施工噪声 → E47 (most
   construction complaints are about building sites), 工业废气/工业噪声 → C, 交通运输噪声 → G54.
3. Else **unknown** (`None`): social-life noise, odour, dust, water and waste complaints come from many kinds of
   source, and a guess would distort the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Industry:
    """One GB/T 4754-2017 section (门类) or major group (大类)."""

    code: str
    name_zh: str
    name_en: str

    @property
    def section(self) -> str:
        return self.code[0]


# 门类 A–T of GB/T 4754-2017.
SECTIONS: tuple[Industry, ...] = (
    Industry("A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    Industry("B", "采矿业", "Mining"),
    Industry("C", "制造业", "Manufacturing"),
    Industry("D", "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply"),
    Industry("E", "建筑业", "Construction"),
    Industry("F", "批发和零售业", "Wholesale and retail trade"),
    Industry("G", "交通运输、仓储和邮政业", "Transport, storage and post"),
    Industry("H", "住宿和餐饮业", "Accommodation and catering"),
    Industry("I", "信息传输、软件和信息技术服务业", "Information transmission, software and IT services"),
    Industry("J", "金融业", "Finance"),
    Industry("K", "房地产业", "Real estate"),
    Industry("L", "租赁和商务服务业", "Leasing and business services"),
    Industry("M", "科学研究和技术服务业", "Scientific research and technical services"),
    Industry("N", "水利、环境和公共设施管理业", "Water conservancy, environment and public facilities management"),
    Industry("O", "居民服务、修理和其他服务业", "Residential services, repair and other services"),
    Industry("P", "教育", "Education"),
    Industry("Q", "卫生和社会工作", "Health and social work"),
    Industry("R", "文化、体育和娱乐业", "Culture, sports and entertainment"),
    Industry("S", "公共管理、社会保障和社会组织", "Public administration, social security and social organisations"),
    Industry("T", "国际组织", "International organisations"),
)

# The major groups (大类) that environmental complaints are mostly about.
MAJOR_GROUPS: tuple[Industry, ...] = (
    Industry("A03", "畜牧业", "Animal husbandry"),
    Industry("C13", "农副食品加工业", "Agricultural and sideline food processing"),
    Industry("C14", "食品制造业", "Food manufacturing"),
    Industry("C21", "家具制造业", "Furniture manufacturing"),
    Industry("C23", "印刷和记录媒介复制业", "Printing and reproduction of recorded media"),
    Industry("C26", "化学原料和化学制品制造业", "Chemical raw materials and products"),
    Industry("C29", "橡胶和塑料制品业", "Rubber and plastic products"),
    Industry("C30", "非金属矿物制品业", "Non-metallic mineral products"),
    Industry("C33", "金属制品业", "Metal products"),
    Industry("D44", "电力、热力生产和供应业", "Electricity and heat production and supply"),
    Industry("E47", "房屋建筑业", "Building construction"),
    Industry("E48", "土木工程建筑业", "Civil engineering"),
    Industry("E50", "建筑装饰、装修和其他建筑业", "Building decoration and renovation"),
    Industry("F52", "零售业", "Retail trade"),
    Industry("G54", "道路运输业", "Road transport"),
    Industry("G59", "装卸搬运和仓储业", "Handling and storage (logistics)"),
    Industry("G60", "邮政业", "Postal and express delivery"),
    Industry("H61", "住宿业", "Accommodation"),
    Industry("H62", "餐饮业", "Catering"),
    Industry("K70", "房地产业", "Real estate (property management)"),
    Industry("N78", "公共设施管理业", "Public facilities management (sanitation)"),
    Industry("O80", "居民服务业", "Residential services"),
    Industry("O81", "机动车、电子产品和日用产品修理业", "Repair of motor vehicles and household goods"),
    Industry("P83", "教育", "Education"),
    Industry("Q84", "卫生", "Health"),
    Industry("R89", "体育", "Sports"),
    Industry("R90", "娱乐业", "Entertainment"),
)

INDUSTRIES: dict[str, Industry] = {industry.code: industry for industry in (*SECTIONS, *MAJOR_GROUPS)}

# (industry, keywords): read in this order, the first rule with a keyword in the text wins.
KEYWORD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("O81", ("汽修", "汽车修理", "汽车维修", "修理厂", "汽车美容", "钣金", "喷漆房", "洗车")),
    ("C14", ("食品厂", "食品加工", "豆制品", "糕点厂")),
    ("C13", ("屠宰", "饲料厂", "粮油加工")),
    ("C23", ("印刷",)),
    ("C21", ("家具厂", "木器厂", "家具加工", "家具生产")),
    ("C26", ("化工", "涂料厂", "油漆厂")),
    ("C29", ("塑料厂", "橡胶厂", "塑料加工")),
    ("C30", ("搅拌站", "混凝土", "沥青", "石材厂", "砖厂")),
    ("C33", ("五金厂", "金属加工", "电镀", "机加工")),
    ("E50", ("装修", "装饰工程", "装饰公司")),
    ("E48", ("市政工程", "道路施工", "管网", "地铁", "桥梁", "管线", "修路")),
    ("E47", ("工地", "施工", "建筑工程", "项目部", "打桩", "渣土", "楼盘")),
    ("H61", ("酒店", "宾馆", "旅馆", "民宿", "招待所")),
    ("H62", ("饭店", "餐馆", "餐厅", "饭馆", "烧烤", "火锅", "小吃", "食堂", "酒楼", "面馆", "烤肉", "串店",
             "快餐", "餐饮", "烤鸭", "麻辣烫", "炸鸡", "大排档", "厨房")),
    ("R90", ("KTV", "ktv", "歌厅", "酒吧", "网吧", "娱乐", "游乐场", "夜总会", "棋牌")),
    ("R89", ("健身房", "体育馆", "球场", "健身中心")),
    ("G60", ("快递", "驿站", "邮政")),
    ("G59", ("物流", "仓库", "仓储", "冷库", "装卸")),
    ("G54", ("货运", "公交场站", "客运", "停车场", "渣土车", "运输公司")),
    ("D44", ("锅炉房", "供暖", "热力", "电厂", "供热")),
    ("F52", ("超市", "商场", "菜市场", "农贸市场", "加油站", "便利店", "商店")),
    ("O80", ("洗衣", "干洗", "洗浴", "理发", "美容", "美发", "浴池")),
    ("K70", ("物业",)),
    ("N78", ("垃圾站", "垃圾转运", "垃圾楼", "公厕", "环卫", "垃圾处理")),
    ("Q84", ("医院", "诊所", "卫生院", "社区卫生")),
    ("P83", ("学校", "幼儿园", "中学", "小学", "大学", "培训")),
    ("A03", ("养殖", "猪场", "鸡场", "牛场", "养鸡", "养猪")),
    # not the bare 厂: place names hold it (蓝靛厂, 酒仙桥的七星厂路...)
    ("C", ("工厂", "厂房", "厂区", "车间", "加工厂", "制造", "生产线", "厂家", "机械厂", "制品厂", "电子厂", "钢厂")),
)

# Sub-categories (intake taxonomy, cases migration 0003) that name one industry when no keyword does.
SUB_CATEGORY_INDUSTRY: dict[str, str] = {
    "air.catering_fumes": "H62",
    "noise.construction": "E47",
    "air.industrial": "C",
    "noise.industrial": "C",
    "noise.traffic": "G54",
}

# First character → [(keyword, rule index)]: a scan of the text looks up each character once (a regular
# expression alternation of 150 words is five times slower, which counts at a million complaints).
_BY_FIRST_CHAR: dict[str, list[tuple[str, int]]] = {}
for _index, (_code, _words) in enumerate(KEYWORD_RULES):
    for _word in _words:
        _BY_FIRST_CHAR.setdefault(_word[0], []).append((_word, _index))


@lru_cache(maxsize=131072)
def _by_keywords(text: str) -> str | None:
    """The industry of the earliest rule (in rule order) with a keyword in `text`."""
    best: int | None = None
    for position, char in enumerate(text):
        candidates = _BY_FIRST_CHAR.get(char)
        if candidates is None:
            continue
        for word, index in candidates:
            if (best is None or index < best) and text.startswith(word, position):
                best = index
    return KEYWORD_RULES[best][0] if best is not None else None


@lru_cache(maxsize=65536)
def assign_industry(*, sub_category: str = "", category: str = "", polluter: str = "", title: str = "") -> str | None:
    """The industry code a complaint is about (see the module's rules), or None when unsure."""
    found = _by_keywords(polluter) if polluter else (_by_keywords(title) if title else None)
    if found:
        return found
    code = SUB_CATEGORY_INDUSTRY.get(sub_category or "")
    if code:
        return code
    return None


def industry_name(code: str | None, *, chinese: bool = True) -> str:
    """The name of an industry code (``"H62 餐饮业"``); "unknown" for None or a code not in the table."""
    if not code or code == UNKNOWN or code not in INDUSTRIES:
        return str(_("Unknown industry"))
    industry = INDUSTRIES[code]
    return f"{industry.code} {industry.name_zh if chinese else industry.name_en}"


def section_of(code: str | None) -> str | None:
    """The section letter (门类) of an industry code."""
    return code[0] if code and code != UNKNOWN else None
