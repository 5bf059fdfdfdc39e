"""The Django admin: every registered model's list and add pages open, in Chinese, and the 权责清单 is edited
there and read by triage."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from ecohotline.factories import UserFactory
from ecohotline.org.models import ResponsibilityEntry
from ecohotline.org.selectors import responsibility_matrix

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def superuser(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True, language="zh-hans")
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_every_model_has_a_chinese_name_and_its_pages_open(client, superuser, model):
    with translation.override("zh-hans"):
        assert CJK.search(str(model._meta.verbose_name_plural)), model._meta.label
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    if admin.site._registry[model].has_add_permission(changelist.wsgi_request):
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


def test_the_admin_index_lists_the_desk_settings_in_chinese(client, superuser):
    html = client.get(reverse("admin:index")).content.decode()
    for name in ("权责清单", "分派规则", "重点单位", "类别", "时限规则", "答复口径", "工作日调整", "单位", "包片区域"):
        assert name in html, name


def test_a_responsibility_line_added_in_the_admin_is_read_by_triage(client, superuser):
    ResponsibilityEntry.objects.all().delete()
    url = reverse("admin:org_responsibilityentry_add")
    refused = client.post(url, {"subject": "Noise Social", "words": "", "decision": "return", "reason": "x",
                                "position": 0, "is_active": "on"})
    assert refused.status_code == 200 and "noise.social" in refused.content.decode()  # the error shows the form
    assert not ResponsibilityEntry.objects.exists()
    response = client.post(url, {"subject": "noise.social", "words": "广场舞\n高音喇叭", "decision": "joint",
                                 "department": "公安、城管执法", "reason": "公共场所音响噪声由公安、城管处理",
                                 "legal_basis": "《噪声污染防治法》第六十四条", "position": 10, "is_active": "on"})
    assert response.status_code == 302
    (line,) = responsibility_matrix()["noise.social"]
    assert line["when_any"] == ["广场舞", "高音喇叭"] and line["decision"] == "joint"
