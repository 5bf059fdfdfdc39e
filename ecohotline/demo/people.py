"""The demo district's organisation and staff as data (no Django imports, so a start script can read the
logins without setting Django up).

Every demo account shares `DEMO_PASSWORD`; `DEMO_LOGINS` lists (username, role, display name).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecohotline.demo.places import PLACES

DEMO_PASSWORD = "ecohotline-demo"
DISTRICT = "海淀区"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # an org.models.UnitKind value
    parent: str | None


# Parents come before their children.
UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("haidian", "海淀区", "district", None),
    UnitSpec("eeb", "海淀区生态环境局", "bureau", "haidian"),
    UnitSpec("eeb-general", "综合科", "section", "eeb"),
    UnitSpec("eeb-petition", "信访办", "section", "eeb"),
    UnitSpec("eeb-air", "大气环境科", "section", "eeb"),
    UnitSpec("eeb-water", "水生态环境科", "section", "eeb"),
    UnitSpec("eeb-waste-soil", "固体废物与土壤管理科", "section", "eeb"),
    UnitSpec("brigade", "生态环境综合执法大队", "brigade", "eeb"),
    UnitSpec("squad-1", "执法一中队", "squad", "brigade"),
    UnitSpec("squad-2", "执法二中队", "squad", "brigade"),
    UnitSpec("squad-3", "执法三中队", "squad", "brigade"),
    UnitSpec("squad-4", "执法四中队", "squad", "brigade"),
    *(UnitSpec(place.code, place.name, place.kind, "haidian") for place in PLACES),
    UnitSpec("dept-chengguan", "区城市管理委（城管执法局）", "department", "haidian"),
    UnitSpec("dept-transport", "区交通委", "department", "haidian"),
    UnitSpec("dept-housing", "区住建委", "department", "haidian"),
    UnitSpec("dept-police", "公安海淀分局", "department", "haidian"),
    UnitSpec("dept-landscape", "区园林绿化局", "department", "haidian"),
    UnitSpec("dept-water", "区水务局", "department", "haidian"),
)

SQUADS: tuple[str, ...] = ("squad-1", "squad-2", "squad-3", "squad-4")


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: str  # an org.models.Role value
    unit: str
    phone: str


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", "赵文博", "admin", "eeb-general", "010-62551001"),
    StaffSpec("dispatcher", "刘晓静", "dispatcher", "eeb-petition", "010-62551012"),
    StaffSpec("dispatcher2", "陈思雨", "dispatcher", "eeb-petition", "010-62551013"),
    StaffSpec("leader1", "王建国", "leader", "eeb", "010-62551101"),
    StaffSpec("leader2", "李红梅", "leader", "eeb", "010-62551102"),
    StaffSpec("leader3", "张志强", "leader", "eeb", "010-62551103"),
    StaffSpec("analyst", "韩雨萱", "analyst", "eeb-general", "010-62551021"),
    StaffSpec("trainer", "钱晓梅", "trainer", "eeb-general", "010-62551022"),
    StaffSpec("unithead1", "孙海涛", "unit_head", "squad-1", "13901086201"),
    StaffSpec("unithead2", "周立新", "unit_head", "squad-2", "13901086202"),
    StaffSpec("unithead3", "吴国栋", "unit_head", "squad-3", "13901086203"),
    StaffSpec("unithead4", "郑丽华", "unit_head", "squad-4", "13901086204"),
    StaffSpec("handler1", "马超", "handler", "squad-1", "13601157311"),
    StaffSpec("handler2", "高静", "handler", "squad-1", "13601157312"),
    StaffSpec("handler3", "林浩然", "handler", "squad-2", "13601157313"),
    StaffSpec("handler4", "何雪", "handler", "squad-2", "13601157314"),
    StaffSpec("handler5", "罗明", "handler", "squad-3", "13601157315"),
    StaffSpec("handler6", "梁晨", "handler", "squad-3", "13601157316"),
    StaffSpec("handler7", "宋佳", "handler", "squad-4", "13601157317"),
    StaffSpec("handler8", "谢磊", "handler", "squad-4", "13601157318"),
    StaffSpec("liaison-xueyuanlu", "冯丽", "street_liaison", "xueyuanlu", "13811024401"),
    StaffSpec("liaison-zhongguancun", "曹阳", "street_liaison", "zhongguancun", "13811024402"),
    StaffSpec("liaison-haidian", "彭涛", "street_liaison", "haidian", "13811024403"),
    StaffSpec("liaison-qinghe", "蒋文静", "street_liaison", "qinghe", "13811024404"),
    StaffSpec("liaison-xisanqi", "沈磊", "street_liaison", "xisanqi", "13811024405"),
    StaffSpec("liaison-sijiqing", "唐晓燕", "street_liaison", "sijiqing", "13811024406"),
)


@dataclass(frozen=True)
class AreaSpec:
    """包片: a leader answers for the streets of one or more squads' 片区."""

    name: str
    leader: str
    squads: tuple[str, ...]


LEADER_AREAS: tuple[AreaSpec, ...] = (
    AreaSpec("南部片区（一中队）", "leader1", ("squad-1",)),
    AreaSpec("中部片区（二中队）", "leader2", ("squad-2",)),
    AreaSpec("北部及山后片区（三、四中队）", "leader3", ("squad-3", "squad-4")),
)

DEMO_LOGINS: list[tuple[str, str, str]] = [(s.username, s.role, s.display_name) for s in STAFF]
