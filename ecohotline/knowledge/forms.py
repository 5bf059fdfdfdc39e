"""Forms of the knowledge pages: the list's filters and search box, and the admin's file upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Category
from ecohotline.knowledge.models import ArticleKind, Tag


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search",
                                                      "placeholder": _("e.g. 噪声 夜间 施工")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ArticleKind.choices],
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    tag = forms.ChoiceField(label=_("Tag"), required=False,
                            widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field: forms.ChoiceField = self.fields["category"]  # type: ignore[assignment]
        tag_field: forms.ChoiceField = self.fields["tag"]  # type: ignore[assignment]
        category_field.choices = [("", _("All categories")), *(
            (c.code, f"{'　' if c.parent_id else ''}{c.name_zh}") for c in
            Category.objects.filter(is_active=True).order_by("code"))]
        tag_field.choices = [("", _("All tags")), *(
            (name, name) for name in Tag.objects.filter(articles__isnull=False).distinct()
            .order_by("name").values_list("name", flat=True))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.txt,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    upload = MultipleFileField(label=_("Markdown or DOCX files"),
                              help_text=_("Front matter keys: kind, code, title, effective_from, categories, tags."))
