"""What the demo district complains about, when, and in which words. Pure data, no Django.

Shares follow the Beijing 北京市生态环境局 monthly releases (shared/domain/jiesu-jiban-rules.md §4–5): air and
noise dominate (together about 90%), water a few per cent, solid waste, radiation, soil and ecology the
rest; inside noise, 社会生活噪声 is the largest, then 建筑施工. Seasonality: volume peaks in summer
(Feb ≈ 4k → Jul ≈ 21k complaints in Beijing 2020) driven by noise; dust peaks in spring, catering fumes and
odour in summer, open burning around 清明 and in late autumn. Texts are assembled from the pieces below
with `str.format` slots: {polluter} {community} {road} {river} {park} {brand} {cw} {project} {n}.
"""

from __future__ import annotations

from dataclasses import dataclass

# Relative complaint volume by calendar month (January first).
MONTH_VOLUME: tuple[float, ...] = (0.55, 0.5, 0.75, 0.9, 1.1, 1.35, 1.5, 1.4, 1.1, 0.95, 0.85, 0.65)

# Relative weights of the local hour (0–23) at which complaints arrive.
H_DAY = (0.1, 0.05, 0.05, 0.05, 0.05, 0.2, 0.6, 1.4, 3.0, 4.0, 4.2, 3.8, 2.8, 3.0, 3.6, 3.5, 3.2, 2.6, 1.6,
         1.2, 1.0, 0.7, 0.4, 0.2)
H_MEAL = (0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 1.4, 2.0, 3.2, 3.6, 2.8, 1.6, 1.4, 1.6, 2.6, 3.6,
          4.2, 4.0, 3.0, 1.6, 0.8)
H_EVENING = (2.2, 1.6, 0.9, 0.4, 0.2, 0.3, 0.8, 1.2, 1.4, 1.4, 1.3, 1.2, 1.5, 1.6, 1.2, 1.0, 1.0, 1.2, 1.8,
             2.6, 3.4, 3.8, 4.2, 3.4)
H_NIGHT_WORK = (2.8, 2.4, 1.8, 1.2, 0.8, 0.8, 1.4, 2.0, 2.2, 2.0, 1.8, 1.6, 1.6, 1.8, 1.6, 1.4, 1.2, 1.2,
                1.2, 1.4, 1.8, 2.4, 3.6, 3.4)
H_SMELL = (0.6, 0.4, 0.3, 0.3, 0.4, 0.9, 1.8, 2.4, 2.6, 2.6, 2.2, 1.8, 1.6, 1.6, 1.6, 1.6, 1.8, 2.0, 2.2,
           2.4, 2.6, 2.2, 1.6, 1.0)

# Monthly multipliers of a topic's share (January first).
SUMMER_STRONG = (0.55, 0.5, 0.7, 0.9, 1.2, 1.6, 1.9, 1.8, 1.3, 0.9, 0.7, 0.6)
SUMMER = (0.8, 0.75, 0.85, 0.95, 1.1, 1.3, 1.45, 1.4, 1.1, 0.95, 0.85, 0.8)
SPRING = (0.7, 0.8, 1.5, 1.9, 1.5, 1.0, 0.8, 0.8, 1.0, 1.1, 1.0, 0.7)
BUILDING = (0.5, 0.4, 0.9, 1.1, 1.2, 1.25, 1.2, 1.15, 1.15, 1.1, 1.0, 0.6)
BURNING = (1.1, 1.0, 1.3, 1.7, 0.8, 0.6, 0.5, 0.5, 0.7, 1.3, 1.6, 1.2)
WATER = (0.6, 0.6, 0.8, 0.9, 1.1, 1.4, 1.6, 1.5, 1.2, 0.9, 0.7, 0.6)
HEATING = (1.3, 1.2, 1.1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.3, 1.4)
FLAT = (1.0,) * 12


@dataclass(frozen=True)
class Topic:
    """One sub-category as the generator uses it: how often, when, and the words of each step."""

    code: str
    weight: float
    season: tuple[float, ...]
    hours: tuple[float, ...]
    rural: float  # share multiplier in the 山后 towns
    polluters: tuple[str, ...]
    titles: tuple[str, ...]
    symptoms: tuple[str, ...]
    impacts: tuple[str, ...]
    enquiries: tuple[str, ...]
    found: tuple[str, ...]  # inspection findings when the problem is confirmed
    compliant: tuple[str, ...]  # ... when the source meets the standard (达标)
    absent: tuple[str, ...]  # ... when nothing is found
    rectifications: tuple[str, ...]
    measurement: str = ""  # Measurement.kind taken at inspections, if any
    measure_rate: float = 0.0
    departments: tuple[str, ...] = ()  # outside departments called in (吹哨报到)
    joint_rate: float = 0.03
    not_our_remit: float = 0.0  # share that turns out to be another department's job (申诉: not our remit)
    report_rate: float = 0.12  # share of 举报 among the requests
    urgent_rate: float = 0.02
    repeatable: bool = False  # may be a repeated source (the same polluter complained about again and again)
    dissatisfied: float = 0.05  # share of 不满意 at the return visit
    timed: bool = True  # does the complaint say when it happens? (not for a base station or a waste dump)
    night_titles: tuple[str, ...] = ()  # used for complaints received at night
    # symptoms that fit only some sources: the first keyword found in the polluter's name wins
    source_symptoms: dict[str, tuple[str, ...]] | None = None

    def symptoms_for(self, polluter: str) -> tuple[str, ...]:
        for keyword, symptoms in (self.source_symptoms or {}).items():
            if keyword in polluter:
                return symptoms
        return self.symptoms

    @property
    def category(self) -> str:
        return self.code.split(".")[0]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "noise.social", 22.0, SUMMER_STRONG, H_EVENING, 0.6,
        polluters=("{shop}KTV", "{shop}酒吧", "{brand}烧烤店", "{community}广场舞队", "{shop}健身房",
                   "{shop}超市", "{shop}便利店", "{community}底商装修", "{brand}餐厅排风机", "{shop}洗浴中心",
                   "{shop}台球厅", "{community}物业水泵房"),
        titles=("{community}{polluter}噪声扰民", "反映{polluter}噪声", "{road}{polluter}噪声扰民",
                "{polluter}噪声影响居民休息"),
        night_titles=("反映{polluter}夜间噪声扰民", "{community}{polluter}夜间噪声影响休息"),
        symptoms=("噪声很大", "低频噪声震得窗户都响", "声音一直不停"),
        impacts=("严重影响居民休息", "老人孩子无法入睡", "家里孩子马上要考试了，根本没法学习",
                 "已经连续一周睡不好觉", "关上窗户也能听见", "楼里很多住户都有意见"),
        enquiries=("咨询夜间社会生活噪声的排放限值", "咨询小区广场舞噪声应由哪个部门管理",
                   "咨询商户外放音响是否违反噪声污染防治法"),
        found=("执法人员到场时{polluter}仍在营业，现场噪声明显，对周边居民影响较大。",
               "现场确认噪声主要来自{polluter}，设备未采取减振降噪措施。",
               "现场确认{polluter}使用大功率音响招揽顾客，噪声扰民属实。"),
        compliant=("现场监测{polluter}边界噪声符合《社会生活环境噪声排放标准》，但对邻近居民仍有一定影响（达标扰民）。",
                   "经监测噪声排放达标，已要求{polluter}进一步采取降噪措施。"),
        absent=("执法人员夜间到场核查，未听到明显噪声。",
                "经核查，噪声来自居民住宅内部，属邻里噪声，不属于生态环境部门管辖。",
                "执法人员到场时{polluter}已停止营业，未发现噪声扰民。"),
        rectifications=("夜间22时后停止使用室外音响设备", "空调外机、风机加装隔声罩和减振垫",
                        "营业期间关闭门窗，控制室内音量", "调整设备位置，远离居民住宅"),
        measurement="noise", measure_rate=0.35, departments=("dept-police", "dept-chengguan"), joint_rate=0.05,
        not_our_remit=0.06, report_rate=0.05, repeatable=True, dissatisfied=0.11,
        source_symptoms={
            "KTV": ("音响和唱歌声音很大", "包间里的低音震得窗户都响", "散场时顾客在门口大声喧哗"),
            "酒吧": ("播放音乐声音很大", "顾客喧哗划拳声音很大", "驻唱音响震耳"),
            "烧烤": ("顾客在门外喧哗划拳", "露天桌椅处吵闹声不断"),
            "广场舞": ("音响声音开得很大", "音乐外放声音很大"),
            "健身房": ("跳操时重物落地咚咚响", "动感单车课音乐声音很大"),
            "超市": ("门口喇叭循环播放促销广告", "冷柜外机嗡嗡作响"),
            "便利店": ("冷柜外机嗡嗡作响", "门口音箱循环播放广告"),
            "装修": ("电钻、电锤声音刺耳", "切割瓷砖声音不断"),
            "排风机": ("排风机噪声一直不停", "风机低频轰鸣"),
            "洗浴": ("楼顶风机和水泵轰鸣", "冷却设备持续运转"),
            "台球": ("顾客喧哗声音很大", "门口聚集人员吵闹"),
            "水泵": ("水泵房设备低频噪声明显", "水泵启停时嗡嗡作响"),
        },
    ),
    Topic(
        "noise.construction", 12.0, BUILDING, H_NIGHT_WORK, 1.0,
        polluters=("{road}{project}项目工地", "北京{cw}建设工程有限公司{road}{project}项目",
                   "{community}老旧小区改造工地", "{road}雨污分流改造工程", "{road}燃气管线施工现场",
                   "{community}旁{project}工地"),
        titles=("反映{road}工地施工噪声", "{community}附近工地施工噪声扰民", "{polluter}施工噪声扰民"),
        night_titles=("{polluter}夜间施工扰民", "反映{road}工地夜间施工噪声"),
        symptoms=("还在浇筑混凝土", "破碎锤施工声音刺耳", "切割钢筋声音很大", "渣土车进出轰鸣",
                  "打桩机一直在施工", "塔吊起落和敲击声不断"),
        impacts=("严重影响居民休息", "家里有病人需要静养", "每天都被吵醒", "孩子准备高考需要安静环境",
                 "周边几栋楼的居民都受影响"),
        enquiries=("咨询工地夜间施工证明如何查询", "咨询高考期间对夜间施工有何规定",
                   "咨询建筑施工噪声的夜间限值"),
        found=("现场正在进行夜间施工作业，施工单位未能出示夜间施工证明。",
               "工地夜间使用破碎锤等高噪声设备施工，噪声扰民属实。",
               "现场确认渣土车夜间进出工地，噪声明显。"),
        compliant=("该工地已办理夜间施工证明（混凝土连续浇筑），现场已设置隔声围挡。",
                   "现场监测场界噪声符合《建筑施工场界环境噪声排放标准》。"),
        absent=("执法人员到场时工地已停工，未发现夜间施工。", "现场核查工地处于停工状态。"),
        rectifications=("未取得夜间施工证明不得在22时至次日6时进行产生噪声的施工作业",
                        "高噪声设备加装隔声罩，工地周边设置声屏障", "合理安排施工时间，提前向周边居民公示施工计划",
                        "渣土车进出场降低车速，禁止鸣笛"),
        measurement="noise", measure_rate=0.25, departments=("dept-housing", "dept-chengguan"), joint_rate=0.08,
        report_rate=0.15, repeatable=True, dissatisfied=0.08,
    ),
    Topic(
        "noise.industrial", 3.0, SUMMER, H_DAY, 1.4,
        polluters=("北京{cw}科技有限公司厂房冷却塔", "{shop}汽修厂", "北京{cw}物流园", "北京{cw}数据中心",
                   "{shop}洗车房", "{shop}钢材加工点", "{shop}木材加工厂"),
        titles=("{polluter}设备噪声扰民", "反映{polluter}噪声", "{road}{polluter}噪声扰民"),
        symptoms=("设备一直运转，低频噪声明显", "空压机噪声很大", "金属敲击切割声不断", "冷却塔轰鸣声很大"),
        impacts=("严重影响居民休息", "窗户关上也能听到", "周边居民反映强烈"),
        enquiries=("咨询工业企业厂界噪声标准",),
        found=("现场确认{polluter}设备运转噪声明显，未采取有效减振降噪措施。",
               "{polluter}夜间仍在生产作业，噪声扰民属实。"),
        compliant=("现场监测厂界噪声符合《工业企业厂界环境噪声排放标准》。",),
        absent=("到场时相关设备已停运，未发现噪声扰民。",),
        rectifications=("对风机、冷却塔等设备加装隔声罩和减振垫", "夜间停止高噪声设备运行",
                        "将高噪声设备移至远离居民一侧"),
        measurement="noise", measure_rate=0.4, departments=("dept-chengguan",), repeatable=True,
        source_symptoms={
            "冷却塔": ("冷却塔轰鸣声很大",), "数据中心": ("风机设备一直运转，低频噪声明显",),
            "汽修": ("空压机噪声很大", "敲打钣金声音刺耳"), "洗车": ("空压机和高压水枪声音很大",),
            "钢材": ("金属敲击切割声不断",), "木材": ("电锯声音刺耳",), "物流": ("叉车和货车装卸声音很大",),
        },
    ),
    Topic(
        "noise.traffic", 2.0, FLAT, H_EVENING, 0.8,
        polluters=("{road}高架路段", "{road}公交场站", "{road}过往渣土车", "{road}地铁地面段"),
        titles=("{road}交通噪声扰民", "反映{polluter}噪声", "{community}临街交通噪声大"),
        symptoms=("车辆鸣笛和轰鸣声不断", "大货车通行噪声很大", "车辆进出噪声明显"),
        impacts=("临街住户无法休息", "希望加装声屏障", "夜里经常被吵醒"),
        enquiries=("咨询{road}是否有计划安装声屏障", "咨询交通噪声由哪个部门负责"),
        found=("现场核查，噪声主要来自{road}过往车辆，属交通运输噪声。",),
        compliant=("现场监测道路两侧声环境符合4a类区标准。",),
        absent=("现场核查时车流量不大，未见明显噪声。",),
        rectifications=(),
        measurement="noise", measure_rate=0.2, departments=("dept-transport", "dept-police"), joint_rate=0.12,
        not_our_remit=0.35, report_rate=0.02,
    ),
    Topic(
        "air.catering_fumes", 14.0, SUMMER, H_MEAL, 0.6,
        polluters=("{brand}烧烤店", "{brand}火锅店", "{brand}川菜馆", "{brand}麻辣烫", "{brand}饺子馆",
                   "{brand}烤鸭店", "{community}底商{brand}餐厅", "北京{cw}科技有限公司员工食堂", "{brand}串吧"),
        titles=("{community}{polluter}油烟扰民", "反映{polluter}油烟直排", "{road}{polluter}油烟污染",
                "{polluter}油烟影响居民生活"),
        symptoms=("油烟直排，味道很大", "排烟管道正对居民楼窗户", "油烟净化器根本不开",
                  "在店外露天烧烤，烟雾很大", "炒菜油烟顺着管道往楼上飘"),
        impacts=("家里窗户都不敢开", "衣服晾在阳台全是油烟味", "老人孩子呛得咳嗽", "影响居民正常生活"),
        enquiries=("咨询北京市餐饮业油烟排放标准", "咨询居民楼下开餐馆是否需要办理环评手续"),
        found=("该店营业中，油烟净化设施未开启，油烟经排风口直排。",
               "{polluter}油烟净化器长期未清洗，净化效果差，排烟口朝向居民楼。",
               "{polluter}在室外露天烧烤，未采取任何油烟治理措施。"),
        compliant=("{polluter}已安装油烟净化设施并正常运行，清洗台账齐全，现场检测油烟浓度达标。",
                   "{polluter}排烟管道已引至楼顶高空排放，现场检测达标。"),
        absent=("执法人员到场时{polluter}未营业，未发现油烟排放。", "现场核查，{polluter}已于近期停业。"),
        rectifications=("立即停止露天烧烤，撤除室外烧烤设施", "三日内清洗油烟净化设施，并建立清洗维护台账",
                        "改造排烟管道，引至楼顶高空排放", "更换高效油烟净化设备，确保稳定达标排放"),
        measurement="catering_fumes", measure_rate=0.25, departments=("dept-chengguan",), joint_rate=0.04,
        report_rate=0.08, repeatable=True, dissatisfied=0.07,
    ),
    Topic(
        "air.dust", 9.0, SPRING, H_DAY, 1.6,
        polluters=("{road}{project}项目工地", "{community}拆违现场", "{road}道路施工现场", "{community}旁裸露土方",
                   "北京{cw}建设工程有限公司{road}项目", "{road}渣土运输车辆"),
        titles=("{polluter}扬尘污染", "反映{road}工地扬尘", "{community}附近扬尘严重"),
        symptoms=("裸露土方没有苫盖，风一刮满天是土", "渣土车带泥上路，道路遗撒严重", "拆除作业没有洒水降尘",
                  "车辆进出没有冲洗，扬尘很大"),
        impacts=("窗台上每天一层土", "出门都得戴口罩", "周边居民意见很大"),
        enquiries=("咨询重污染天气预警期间工地停工要求", "咨询施工扬尘的投诉渠道"),
        found=("工地裸露土方未苫盖，出入口未设置车辆冲洗设施，道路有遗撒。",
               "拆除作业未采取湿法作业，现场扬尘明显。"),
        compliant=("工地已落实“六个百分之百”扬尘治理措施，现场未见明显扬尘。",),
        absent=("执法人员到场时未见作业，裸土已全部苫盖。",),
        rectifications=("裸露土方100%苫盖，出入口车辆100%冲洗", "拆除作业采取湿法作业并配备雾炮",
                        "立即清扫道路遗撒", "渣土车辆密闭运输"),
        departments=("dept-housing", "dept-chengguan"), joint_rate=0.07, report_rate=0.18, repeatable=True,
    ),
    Topic(
        "air.odor", 8.0, SUMMER, H_SMELL, 1.2,
        polluters=("{community}垃圾楼", "{road}垃圾转运站", "北京{cw}污水处理站", "{shop}汽修厂喷漆房",
                   "北京{cw}餐厨垃圾处理站", "{community}化粪池", "{shop}干洗店"),
        titles=("{polluter}异味扰民", "反映{community}附近有刺鼻异味", "{polluter}臭味严重"),
        symptoms=("散发刺鼻异味", "臭味很重", "一股油漆味", "飘出臭鸡蛋味", "味道熏得人头疼"),
        impacts=("家里不敢开窗", "晚上睡觉都能闻到", "小区居民意见很大", "担心对身体健康有影响"),
        enquiries=("咨询垃圾转运站异味的投诉渠道", "咨询恶臭污染物排放标准"),
        found=("现场闻到明显异味，{polluter}废气收集处理设施未正常运行。",
               "{polluter}未及时清运，渗滤液外溢，异味明显。", "{polluter}在露天进行喷漆作业，异味明显。"),
        compliant=("现场检测臭气浓度达标，设施运行正常。",),
        absent=("现场核查时未闻到明显异味。",),
        rectifications=("规范运行废气收集处理设施，做好运行记录", "增加清运频次，每日清洗消杀",
                        "喷漆作业必须在密闭喷漆房内进行并开启治理设施"),
        measurement="odor", measure_rate=0.15, departments=("dept-chengguan",), repeatable=True,
        source_symptoms={
            "喷漆": ("一股油漆味", "散发刺鼻的油漆和稀料味"), "干洗": ("散发化学溶剂味",),
            "污水": ("飘出臭鸡蛋味", "臭味很重"), "化粪池": ("臭味很重", "飘出臭鸡蛋味"),
        },
    ),
    Topic(
        "air.industrial", 4.0, HEATING, H_DAY, 1.8,
        polluters=("北京{cw}科技有限公司锅炉房", "{shop}印刷厂", "{shop}家具厂", "北京{cw}研究院实验楼排风口",
                   "北京{cw}有限公司生产车间"),
        titles=("{polluter}排放废气", "反映{polluter}废气污染", "{road}{polluter}冒烟"),
        symptoms=("烟囱冒黑烟", "排气筒排出刺鼻气味", "车间废气直接排放", "排风口飘出化学试剂味"),
        impacts=("周边空气很差", "居民担心影响健康", "刺激得嗓子疼"),
        enquiries=("咨询{polluter}是否取得排污许可", "咨询企业废气排放数据在哪里公开"),
        found=("{polluter}废气处理设施未运行，生产废气无组织排放。", "{polluter}涉VOCs工序未在密闭空间进行。"),
        compliant=("{polluter}排污许可手续齐全，治理设施运行正常，自行监测数据达标。",),
        absent=("企业已停产，现场未见废气排放。",),
        rectifications=("立即恢复废气治理设施运行", "完善VOCs收集处理设施", "申领排污许可证"),
        departments=(), report_rate=0.35, urgent_rate=0.04,
        source_symptoms={
            "锅炉": ("烟囱冒黑烟", "烟囱冒出大量白烟"), "实验楼": ("排风口飘出化学试剂味",),
            "印刷": ("车间飘出刺鼻的油墨味",), "家具": ("喷漆废气直接排放，味道刺鼻",),
        },
    ),
    Topic(
        "air.vehicle", 4.0, FLAT, H_DAY, 1.2,
        polluters=("{road}柴油货车", "北京{cw}物流有限公司运输车辆", "{road}公交场站车辆", "{shop}驾校教练车"),
        titles=("{polluter}冒黑烟", "反映{road}车辆尾气污染", "{polluter}长时间怠速排放"),
        symptoms=("冒着黑烟行驶", "长时间怠速，尾气很重", "启动时冒黑烟"),
        impacts=("路过的行人都被呛到", "尾气飘进小区", "影响空气质量"),
        enquiries=("咨询柴油货车冒黑烟如何举报",),
        found=("现场发现车辆冒黑烟，经检测排放超标。", "现场确认车辆长时间怠速。"),
        compliant=("现场抽检车辆排放合格。",),
        absent=("到场时未发现冒黑烟车辆。",),
        rectifications=("超标车辆停止上路并限期维修复检", "规范车辆停放，杜绝长时间怠速"),
        departments=("dept-transport", "dept-police"), joint_rate=0.05, report_rate=0.3,
    ),
    Topic(
        "air.burning", 1.5, BURNING, H_DAY, 4.0,
        polluters=("{community}西侧空地", "{road}绿化带", "{community}附近工地", "{community}旁边农田"),
        titles=("{polluter}有人焚烧垃圾", "反映{community}附近露天焚烧", "{road}焚烧落叶"),
        symptoms=("有人焚烧垃圾，浓烟滚滚", "焚烧落叶和杂草", "焚烧废旧电线，味道刺鼻"),
        impacts=("烟雾飘进居民家中", "存在火灾隐患", "呛得人喘不过气"),
        enquiries=("咨询焚烧落叶是否违法",),
        found=("现场发现焚烧痕迹，已督促扑灭并清理现场。",),
        compliant=(),
        absent=("到场时未发现焚烧行为。",),
        rectifications=("清理焚烧残留物，加强巡查看护",),
        departments=("dept-chengguan", "dept-landscape"), joint_rate=0.06, urgent_rate=0.12, report_rate=0.2,
    ),
    Topic(
        "water.discharge", 3.0, WATER, H_DAY, 1.5,
        polluters=("{shop}洗车店", "{community}底商{brand}餐馆", "北京{cw}有限公司厂区", "{river}{road}段排污口",
                   "{shop}洗衣房"),
        titles=("{polluter}污水直排", "反映{polluter}向{river}排放污水", "{road}{polluter}偷排污水"),
        symptoms=("污水直接排进雨水井", "通过暗管向{river}排污", "污水横流，味道很大", "排出的水发白有泡沫"),
        impacts=("河水都变色了", "担心污染地下水", "周边臭味很大"),
        enquiries=("咨询{river}沿线排口的管理部门",),
        found=("现场发现{polluter}通过私设管道向雨水管网排放污水。", "{polluter}污水未经处理直接排放。"),
        compliant=("排水已接入市政污水管网，现场未发现直排。",),
        absent=("排口现场未见排水。",),
        rectifications=("封堵私设排污口，污水接入市政管网", "设置隔油池、沉淀池并定期清掏"),
        measurement="water", measure_rate=0.5, departments=("dept-water",), joint_rate=0.08, report_rate=0.4,
        urgent_rate=0.06, repeatable=True,
    ),
    Topic(
        "water.quality", 2.0, WATER, H_DAY, 1.2,
        polluters=("{river}{road}段", "{park}湖面", "{river}河道"),
        titles=("{river}水体发黑发臭", "反映{park}水质异常", "{polluter}水面漂浮油污"),
        symptoms=("水体发黑发臭", "水面出现大量死鱼", "水面漂着一层油污", "河水浑浊有泡沫"),
        impacts=("散步时臭味很重", "影响周边环境", "担心水质污染"),
        enquiries=("咨询{river}水质监测数据在哪里公开",),
        found=("该河段水体浑浊，岸边排口有污水排出。",),
        compliant=("现场采样监测水质达到地表水Ⅳ类标准。",),
        absent=("现场水体未见明显异常。",),
        rectifications=("对上游排口排查封堵",),
        measurement="water", measure_rate=0.6, departments=("dept-water",), joint_rate=0.15,
        timed=False,
    ),
    Topic(
        "waste.solid", 1.5, FLAT, H_DAY, 2.5,
        polluters=("{road}路边", "{community}西侧空地", "{community}旁边林地", "北京{cw}有限公司厂区"),
        titles=("{polluter}倾倒建筑垃圾", "反映{community}附近堆放大量垃圾", "{polluter}乱堆固体废物"),
        symptoms=("有人偷倒建筑垃圾", "堆放大量装修垃圾", "工业固废露天堆放"),
        impacts=("影响环境卫生", "下雨后污水横流", "蚊蝇滋生"),
        enquiries=("咨询装修垃圾如何合规处置",),
        found=("现场确认存在建筑垃圾倾倒堆放，约{n}立方米。", "{polluter}工业固废露天堆放，未采取防扬散措施。"),
        compliant=(),
        absent=("现场已清理完毕。",),
        rectifications=("限期清运堆放的固体废物并恢复原状", "规范设置固体废物贮存场所"),
        departments=("dept-chengguan",), joint_rate=0.1, report_rate=0.3,
        timed=False,
    ),
    Topic(
        "waste.hazardous", 0.6, FLAT, H_DAY, 1.5,
        polluters=("{shop}汽修厂", "北京{cw}研究院实验室", "{shop}印刷厂", "{community}附近废品收购站"),
        titles=("{polluter}危险废物处置不规范", "反映{polluter}随意倾倒废液", "{polluter}废机油乱倒"),
        symptoms=("把废机油直接倒进下水道", "实验废液随意倾倒", "废油墨桶露天堆放", "收购废旧铅蓄电池"),
        impacts=("担心污染土壤和地下水", "周边气味刺鼻", "存在安全隐患"),
        enquiries=("咨询实验室废液的处置要求",),
        found=("现场发现废机油桶露天存放，地面有油污，未设置危险废物暂存间。",
               "{polluter}危险废物未委托有资质单位处置。"),
        compliant=("{polluter}危废暂存间设置规范，转移联单齐全。",),
        absent=("现场未发现危险废物。",),
        rectifications=("规范设置危险废物暂存间，委托有资质单位处置", "清理受污染地面并建立危险废物管理台账"),
        report_rate=0.5, urgent_rate=0.15,
        timed=False,
    ),
    Topic(
        "radiation.electromagnetic", 2.0, FLAT, H_DAY, 1.0,
        polluters=("{community}楼顶通信基站", "{road}变电站", "{community}旁高压线"),
        titles=("{polluter}辐射担忧", "反映{community}新装基站辐射", "要求检测{polluter}电磁辐射"),
        symptoms=("新装了好几个天线", "离住户窗户很近", "嗡嗡作响"),
        impacts=("担心辐射影响健康", "家里有孕妇和孩子，很担心", "居民要求拆除"),
        enquiries=("咨询{community}楼顶基站辐射是否超标", "要求公开{polluter}电磁环境监测数据"),
        found=("{polluter}未办理环境影响登记表备案。",),
        compliant=("现场监测电磁环境满足《电磁环境控制限值》（GB 8702-2014）要求。",),
        absent=("现场核查未发现新增基站设备。",),
        rectifications=("补办环境影响登记表备案",),
        measurement="electromagnetic", measure_rate=0.7, report_rate=0.03, dissatisfied=0.12,
        timed=False,
    ),
    Topic(
        "radiation.ionizing", 0.2, FLAT, H_DAY, 1.0,
        polluters=("北京{cw}检测有限公司探伤作业点", "{community}附近医院放射科"),
        titles=("{polluter}辐射安全", "反映{polluter}作业未设警戒"),
        symptoms=("在工地进行探伤作业，没有设置警戒", "放射科门口没有警示标识"),
        impacts=("担心辐射伤害", "居民很担心"),
        enquiries=("咨询医院放射科对周边居民是否有影响",),
        found=("现场探伤作业未设置警戒区。",),
        compliant=("该单位辐射安全许可证在有效期内，现场监测结果正常。",),
        absent=("现场未发现探伤作业。",),
        rectifications=("规范设置控制区和监督区，作业期间专人值守",),
        timed=False,
    ),
    Topic(
        "soil", 0.3, FLAT, H_DAY, 3.0,
        polluters=("{community}原工厂地块", "{community}旁农田", "{road}废弃厂房"),
        titles=("{polluter}土壤污染", "反映{polluter}倾倒废渣"),
        symptoms=("被倾倒了不明废渣", "土壤颜色异常，有刺鼻气味"),
        impacts=("担心影响周边居民健康", "怕污染地下水"),
        enquiries=("咨询{polluter}土壤是否已经修复",),
        found=("现场发现疑似工业废渣倾倒。",),
        compliant=("现场采样检测结果未见异常。",),
        absent=("现场未见明显异常。",),
        rectifications=("清理废渣，委托开展土壤污染状况调查",),
        report_rate=0.4,
        timed=False,
    ),
    Topic(
        "ecology", 0.5, SPRING, H_DAY, 3.0,
        polluters=("{park}周边林地", "{community}西侧山体", "{park}湿地"),
        titles=("{polluter}树木被砍伐", "反映{polluter}被破坏", "{polluter}违规开挖"),
        symptoms=("大片树木被砍伐", "山体被挖开取土", "湿地被填埋"),
        impacts=("生态环境遭到破坏", "希望有关部门制止"),
        enquiries=("咨询{park}周边树木砍伐是否经过审批",),
        found=("现场确认存在未经批准的开挖行为。",),
        compliant=("经核实相关施工已取得审批手续。",),
        absent=("现场未发现破坏行为。",),
        rectifications=("立即停止开挖，恢复植被",),
        departments=("dept-landscape",), joint_rate=0.3, not_our_remit=0.3,
        timed=False,
    ),
    Topic(
        "other", 1.5, FLAT, H_DAY, 1.0,
        polluters=("{shop}LED广告屏", "{community}楼顶景观灯", "{road}商场外墙大屏"),
        titles=("{polluter}光污染", "反映{polluter}夜间太亮", "{community}附近光污染"),
        symptoms=("夜间亮度很高，正对卧室", "彻夜闪烁"),
        impacts=("拉上窗帘也睡不着", "影响休息"),
        enquiries=("咨询海淀区空气质量监测点位分布", "咨询环评公示信息在哪里查询"),
        found=("现场确认{polluter}夜间亮度较高，直射居民住宅。",),
        compliant=(),
        absent=("现场核查时{polluter}已关闭。",),
        rectifications=(),
        departments=("dept-chengguan",), joint_rate=0.1, not_our_remit=0.4,
    ),
)

TOPICS_BY_CODE: dict[str, Topic] = {topic.code: topic for topic in TOPICS}

# --- pieces shared by every topic ------------------------------------------------------------------------

BRANDS = ("老王", "张记", "李记", "刘家", "蜀香", "湘遇", "川味坊", "京味斋", "渝味", "金鼎", "福满楼", "顺心",
          "鑫源", "聚福", "好运来", "老街坊", "胖哥", "东北人家", "西北风味", "小城故事", "一品鲜", "红辣椒",
          "乐享", "悦来", "德顺", "兴旺", "大东", "阿强", "四季", "百味")
SHOPS = ("金色年华", "星光", "欢乐时光", "阳光", "蓝天", "嘉年华", "新世纪", "乐活", "悦动", "天天", "家家乐", "万家",
         "佳美", "腾飞", "利民", "诚达", "鸿运", "安达", "顺通", "金太阳")
COMPANY_WORDS = ("中科", "华信", "京海", "博远", "恒达", "瑞通", "天宇", "诚信", "鼎盛", "新源", "卓越", "明德",
                 "海腾", "宏图", "联创", "金桥", "安泰", "嘉禾", "万通", "启航")
PROJECTS = ("综合楼", "商业综合体", "住宅", "棚户区改造", "科研楼", "学校扩建", "地下综合管廊", "保障房",
            "产业园", "医院改扩建")

SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
            "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓",
            "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎")
GIVEN_CHARS = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
               "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "玉", "兰", "建", "国", "红", "志", "海", "晨",
               "雪", "颖", "宇", "浩", "然", "欣", "怡", "佳", "思", "子", "梓", "鹏", "博", "凯", "慧", "琳", "燕")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187",
                   "188", "189", "191", "198", "199")

OPENINGS = {
    "hotline_12345": ("来电人反映：", "市民来电反映：", "来电人称：", "市民反映："),
    "eco_12369": ("举报人反映：", "群众通过生态环境信访投诉举报平台反映："),
    "letter": ("来信反映：", "群众来信反映："),
    "visit": ("来访群众反映：", "来访人反映："),
    "phone": ("来电反映：", "群众来电称："),
    "web": ("网友留言：", "群众网上留言反映："),
}
REPEAT_PHRASES = ("该问题已反映多次，一直没有解决。", "之前反映过，整改后又反弹了。", "此前多次投诉，问题依旧。",
                  "同一问题已反映过，希望彻底解决。")
DEMANDS = ("希望相关部门尽快处理。", "请执法部门到现场核查。", "要求尽快解决。", "请有关部门依法查处。",
           "希望能上门监测。", "要求停止扰民行为。", "请尽快给予答复。")
SUGGESTIONS = ("建议加强对{road}沿线{subject}问题的巡查和治理。",
               "建议在{community}周边设立{subject}问题的常态化监测。",
               "建议对{subject}问题较多的点位建立台账，定期公开整改情况。")
PRAISES = ("来电表扬{squad}执法人员处理{community}{subject}问题及时、态度好。",
           "来电表扬生态环境局对{road}{subject}问题的处理，问题已解决。")
SUBJECTS = {  # the category names of the intake taxonomy (cases migration 0003)
    "air.catering_fumes": "餐饮油烟", "air.odor": "异味", "air.dust": "扬尘", "air.industrial": "工业废气",
    "air.vehicle": "机动车尾气", "air.burning": "露天焚烧", "noise.social": "社会生活噪声",
    "noise.construction": "建筑施工噪声", "noise.industrial": "工业噪声", "noise.traffic": "交通噪声",
    "water.discharge": "污水排放", "water.quality": "河湖水质", "waste.solid": "固体废物",
    "waste.hazardous": "危险废物", "radiation.electromagnetic": "电磁辐射", "radiation.ionizing": "电离辐射",
    "soil": "土壤污染", "ecology": "生态破坏", "other": "光污染",
}
HELPS = ("请求帮助协调解决{community}附近{polluter}的问题。", "家中老人身体不好，请求帮助解决{polluter}扰民问题。")

CONTACT_REACHED = ("已电话联系诉求人，核实了具体位置和时段，约定现场核查。", "已与诉求人取得联系，告知办理流程和时限。",
                   "已电话联系诉求人，诉求人补充了问题发生的时间规律。", "已联系诉求人，诉求人希望尽快到现场处理。",
                   "已电话联系诉求人，诉求人要求不透露其个人信息。")
CONTACT_MISSED = ("电话无人接听。", "电话关机。", "电话占线，稍后再联系。", "电话未接通，已发送短信告知。")
CONTACT_CHANNELS = (("phone", 0.82), ("sms", 0.1), ("visit", 0.06), ("other", 0.02))

REPLY_INTRO = "您好！关于您反映的“{title}”问题，"
REPLY_FOUND = ("我局执法人员于{date}到现场核查：{finding}已依法责令其{rect}，并将跟踪复查整改情况。",
               "我局执法人员于{date}现场核查，{finding}已责令当事方{rect}，后续将加强巡查。")
REPLY_COMPLIANT = ("我局执法人员于{date}到现场核查：{finding}我局已要求其进一步采取措施，减少对周边居民的影响。",)
REPLY_ABSENT = ("我局执法人员于{date}到现场核查：{finding}我局将加强巡查，如再发现请及时反映。",)
REPLY_ENQUIRY = ("您好！关于您的咨询，经了解：相关规定及办理渠道已电话向您详细解释，如有疑问可再次来电。",
                 "您好！您咨询的问题已由承办人员电话答复，相关标准和政策依据已告知。")
REPLY_SUGGESTION = ("您好！感谢您的建议，我局已将相关意见转交业务科室研究，并将在今后工作中统筹考虑。",)
REPLY_PRAISE = ("您好！感谢您对我局工作的肯定，我们将继续做好生态环境保护工作。",)
REPLY_INTERIM = ("您好！您反映的问题我局已受理，执法人员已于{date}到现场核查，目前正在督促整改，办理结果将及时告知您。",
                 "您好！您反映的问题正在办理中，相关检测和协调工作正在进行，我们将在时限内答复您。")
REPLY_URGENT = ("您好！您反映的紧急问题我局已受理，执法人员正赶赴现场处置，处理结果将及时告知您。",
                "您好！我局已接到您的反映，已第一时间安排执法人员到场，后续情况将及时反馈。")
REPLY_REDO = ("针对您再次反映的问题，我局执法人员于{date}再次到现场复查，{finding}已督促其进一步落实整改措施。",)
REPLY_CLOSING = "感谢您对生态环境保护工作的关心和支持。"

VISIT_NOTES = {
    "satisfied": ("", "诉求人表示问题已解决，满意。", "诉求人对处理结果满意。"),
    "basically_satisfied": ("诉求人表示有所改善，基本满意。", "诉求人表示问题基本解决，希望继续关注。"),
    "dissatisfied": ("诉求人表示问题依旧，不满意。", "诉求人称整改后又反弹，不满意。", "诉求人认为处理结果不理想。",
                     "诉求人对答复内容不认可。"),
    "invalid": ("回访电话无人接听，无效回访。", "诉求人电话关机，无效回访。"),
}
DISPATCH_NOTES = ("", "", "请按时限办理。", "请尽快联系诉求人并到现场核查。", "重复投诉，请重点关注。")
RETURN_REASONS = ("该点位属于{squad}辖区，请改派。", "不属于本中队管辖范围，退回重新派单。",
                  "地址有误，请核实后重新派单。")
SUPERVISE_NOTES = ("该点位近期重复投诉较多，请中队负责人亲自督办，务必按期办结。", "请高度重视，彻底解决，防止反弹。",
                   "列入周调度会重点案件，请每日报告进展。")
REMIND_NOTES = ("即将超期，请抓紧办理。", "请尽快答复诉求人。", "请于今日内反馈办理进展。")
NOTES = ("已与街道网格员沟通，持续关注。", "诉求人再次来电催问进展。", "已将情况报大队领导。",
         "已调取周边监控，正在核实。", "已约谈当事方负责人。")
EXTENSION_REASONS = ("整改需采购安装治理设备，周期较长。", "需协调相关部门共同处理，申请延期。",
                     "等待第三方检测报告。", "当事方正在整改，需复查确认整改效果。")
EXTENSION_NOTES = {True: ("同意延期，请在延期内办结。", "同意。"), False: ("不同意延期，请按原时限办结。",)}
APPEAL_EVIDENCE = {
    "not_our_remit": "经现场核查，该问题属于{dept}职责范围，已告知诉求人相关渠道，附现场核查记录。",
    "compliant_but_disturbing": ("经监测，排放符合国家和本市标准（附监测报告），属达标扰民情形，"
                                 "已督促当事方进一步降噪减排。"),
    "unreasonable": "诉求人要求关停合法经营的商户，超出法定职责范围，已耐心解释。",
    "duplicate": "同一诉求已于近期办结，本件为重复工单，附前件办理记录。",
    "unreachable": "多次电话联系诉求人均未接通，附通话记录截图。",
}
APPEAL_NOTES = {True: ("经审核，同意不纳入考核。", "申诉理由成立。"), False: ("申诉理由不充分，不予支持。",)}
JOINT_REASONS = {
    "street": "涉及商户经营管理和居民协调，需属地街道共同处置。",
    "dept-chengguan": "涉及占道经营、露天烧烤等城管执法事项，需城管部门共同处置。",
    "dept-transport": "涉及道路交通噪声及车辆管理，需交通部门共同处置。",
    "dept-housing": "涉及建设工程施工管理，需住建部门共同处置。",
    "dept-police": "涉及夜间噪声扰民的治安管理，需公安部门共同处置。",
    "dept-landscape": "涉及林木绿地管理，需园林绿化部门共同处置。",
    "dept-water": "涉及河道及排水管理，需水务部门共同处置。",
}
JOINT_REPLIES = {
    "street": ("街道已组织社区、物业与当事商户协调，商户承诺整改。", "街道已安排网格员每日巡查。"),
    "dept-chengguan": ("城管执法队已到场，依法取缔露天烧烤并立案处理。", "城管部门已对当事商户进行约谈。"),
    "dept-transport": ("交通部门已将该路段纳入声屏障建设研究计划。", "已协调公交场站调整夜间车辆调度。"),
    "dept-housing": ("住建部门已约谈施工单位，责令规范夜间施工。", "住建部门已对工地下达整改通知。"),
    "dept-police": ("派出所已出警处置，对当事人进行了批评教育。", "公安部门已加强夜间巡逻。"),
    "dept-landscape": ("园林绿化部门已到场核实，相关行为已制止。",),
    "dept-water": ("水务部门已对排口进行排查，正在组织封堵。", "已安排河道保洁并开展水质巡测。"),
}
PAUSE_REASONS = ("等待第三方检测机构出具监测报告。", "水样已送实验室检测，等待结果。")
RESUME_NOTES = ("监测报告已出具，恢复计时。", "检测结果已返回。")
MERGE_NOTES = ("同一点位同一问题，合并办理。", "与前一工单为同一诉求，合并。")
