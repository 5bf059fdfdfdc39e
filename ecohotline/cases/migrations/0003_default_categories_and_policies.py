"""Default pollution categories (the intake taxonomy) and deadline policies (editable in admin afterwards)."""

from django.db import migrations

CATEGORIES = [
    # code, Chinese, English
    ("air", "大气", "Air"),
    ("air.catering_fumes", "餐饮油烟", "Catering fumes"),
    ("air.odor", "异味/恶臭", "Odour"),
    ("air.dust", "扬尘", "Dust"),
    ("air.industrial", "工业废气", "Industrial emissions"),
    ("air.vehicle", "机动车尾气", "Vehicle exhaust"),
    ("air.burning", "露天焚烧", "Open burning"),
    ("noise", "噪声", "Noise"),
    ("noise.social", "社会生活噪声", "Social-life noise"),
    ("noise.construction", "建筑施工噪声", "Construction noise"),
    ("noise.industrial", "工业噪声", "Industrial noise"),
    ("noise.traffic", "交通运输噪声", "Traffic noise"),
    ("water", "水", "Water"),
    ("water.discharge", "污水排放", "Waste-water discharge"),
    ("water.quality", "水体水质", "Water quality"),
    ("waste", "固体废物", "Solid waste"),
    ("waste.hazardous", "危险废物", "Hazardous waste"),
    ("waste.solid", "一般固体废物", "General solid waste"),
    ("radiation", "辐射", "Radiation"),
    ("radiation.electromagnetic", "电磁辐射", "Electromagnetic radiation"),
    ("radiation.ionizing", "电离辐射", "Ionising radiation"),
    ("soil", "土壤", "Soil"),
    ("ecology", "生态破坏", "Ecological damage"),
    ("other", "其他", "Other"),
]

H, N, W = "hours", "natural_days", "working_days"
POLICIES = [
    # name, channel, request type, urgency, (accept), (contact), (reply), (completion), max extension, pause
    ("12345 一般诉求", "hotline_12345", "", "normal", None, (24, H), None, (7, N), 7, False),
    ("12345 复杂疑难诉求", "hotline_12345", "", "complex", None, (24, H), None, (15, N), 15, False),
    ("12345 紧急诉求", "hotline_12345", "", "urgent", None, (2, H), (2, H), (7, N), 7, False),
    ("12369 环境投诉举报", "eco_12369", "", "", (15, N), None, None, (60, N), 30, True),
    ("信访·来信", "letter", "", "", (15, N), None, None, (60, N), 30, True),
    ("信访·来访", "visit", "", "", (15, N), None, None, (60, N), 30, True),
    ("电话登记", "phone", "", "", None, (24, H), None, (7, N), 7, False),
    ("网上投诉", "web", "", "", None, (24, H), None, (7, N), 7, False),
    ("Open311", "open311", "", "", None, (24, H), None, (7, N), 7, False),
    ("主动治理任务", "proactive", "", "", None, None, None, (15, W), 15, True),
    ("预警核查任务", "monitoring", "", "", None, None, None, (2, W), 3, False),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    by_code = {}
    for order, (code, zh, en) in enumerate(CATEGORIES):
        parent = by_code.get(code.split(".")[0]) if "." in code else None
        by_code[code] = Category.objects.create(code=code, name_zh=zh, name_en=en, parent=parent, sort_order=order)
    for name, channel, request_type, urgency, accept, contact, reply, completion, ext, pause in POLICIES:
        fields = {}
        for step, limit in (("accept", accept), ("contact", contact), ("reply", reply), ("completion", completion)):
            if limit:
                fields[f"{step}_limit"], fields[f"{step}_unit"] = limit
        DeadlinePolicy.objects.create(name=name, channel=channel, request_type=request_type, urgency=urgency,
                                      max_extension_days=ext, pause_allowed=pause, **fields)


def backwards(apps, schema_editor):
    apps.get_model("cases", "DeadlinePolicy").objects.all().delete()
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
