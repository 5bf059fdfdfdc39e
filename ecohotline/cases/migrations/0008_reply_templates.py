"""答复口径: reply templates per category, with a few model answers (editable in admin afterwards).

The placeholders ({核查情况}, {监测结果}…) are filled from the case by `ecohotline.cases.replies`. The legal
basis is a placeholder too ({法律依据}: the law and standard by category, without article numbers).
"""

from django.db import migrations, models

_GREETING = "{诉求人称呼}：\n您好！"
_SECTIONS = (
    "一、核查情况。经核查，您反映的情况{核查结论}。{核查情况}\n"
    "二、监测情况。{监测结果}\n"
    "三、处理措施。依据{法律依据}，{整改措施}\n"
    "四、办理结果。{办理结果}\n"
)
_CONTACT = "联系人：{联系人}，联系电话：{联系电话}。感谢您对生态环境保护工作的关心和支持！"


def _topic(subject: str) -> str:
    return (
        f"{_GREETING}您于{{受理时间}}反映{{地址}}{subject}的问题（工单编号：{{工单编号}}），我局高度重视，"
        "{承办单位}执法人员于{核查时间}到现场核查，现将办理情况答复如下：\n"
    )


TEMPLATES = [
    # name, category code, order, text
    ("餐饮油烟扰民", "air.catering_fumes", 10, _topic("餐饮油烟扰民") + _SECTIONS + (
        "下一步，我局将加强对该餐饮单位的巡查，督促其正常使用并定期清洗维护油烟净化设施，确保油烟达标排放。"
        "如问题反复，欢迎您再次反映。\n"
    ) + _CONTACT),
    ("社会生活噪声扰民", "noise.social", 20, _topic("社会生活噪声扰民") + _SECTIONS + (
        "下一步，我局将不定期开展巡查，督促经营单位落实降噪措施、合理安排经营时间。如噪声问题再次出现，欢迎您及时反映。\n"
    ) + _CONTACT),
    ("建筑施工夜间噪声扰民", "noise.construction", 30, _topic("施工工地夜间施工噪声扰民") + _SECTIONS + (
        "下一步，我局将加强夜间巡查，督促施工单位合理安排施工工序，不得在夜间（22时至次日6时）违规进行产生噪声的"
        "施工作业。如再次发现夜间违规施工，欢迎您及时反映。\n"
    ) + _CONTACT),
    ("异味（恶臭）扰民", "air.odor", 40, _topic("异味（恶臭）扰民") + _SECTIONS + (
        "下一步，我局将持续关注该区域异味问题，不定期开展巡查和监测，督促相关单位落实废气收集和治理措施。"
        "如异味再次出现，欢迎您及时反映出现的时间和位置，便于我们精准核查。\n"
    ) + _CONTACT),
    ("通用答复", "", 100, (
        f"{_GREETING}您于{{受理时间}}反映的“{{诉求事项}}”问题（工单编号：{{工单编号}}）已由{{承办单位}}办理，"
        "执法人员于{核查时间}到{地址}进行现场核查，现将办理情况答复如下：\n"
    ) + _SECTIONS + "如您对办理结果有疑问，欢迎与我们联系。\n" + _CONTACT),
]


def forwards(apps, schema_editor):
    ReplyTemplate = apps.get_model("cases", "ReplyTemplate")
    for name, category, order, text in TEMPLATES:
        ReplyTemplate.objects.create(name=name, category=category, sort_order=order, text=text)


def backwards(apps, schema_editor):
    apps.get_model("cases", "ReplyTemplate").objects.filter(name__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_duplicate_lookup_covering_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReplyTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("category", models.CharField(
                    blank=True, max_length=50, verbose_name="category",
                    help_text="A category or sub-category code (noise, noise.social…); blank for any case.",
                )),
                ("text", models.TextField(verbose_name="text")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
            ],
            options={
                "verbose_name": "reply template",
                "verbose_name_plural": "reply templates",
                "ordering": ["sort_order", "name"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
