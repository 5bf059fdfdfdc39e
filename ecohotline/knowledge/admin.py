"""Admin of the knowledge base: articles with their versions inline, tags, and an import page for Markdown/DOCX
files (the same service as `ecohotline knowledge import`). Every save re-indexes the article for search."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.knowledge import services
from ecohotline.knowledge.forms import ImportForm
from ecohotline.knowledge.models import Article, ArticleVersion, Tag
from ecohotline.org.models import User


class ArticleVersionInline(admin.StackedInline):
    model = ArticleVersion
    extra = 0
    fields = ["effective_from", "body", "note", "source_file", "created_by", "created_at"]
    readonly_fields = ["source_file", "created_by", "created_at"]
    ordering = ["-effective_from"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "superseded_by", "repealed_on", "updated_at"]
    list_filter = ["kind", "categories", "tags"]
    search_fields = ["code", "title", "citation"]
    filter_horizontal = ["categories", "tags"]
    autocomplete_fields = ["superseded_by"]
    inlines = [ArticleVersionInline]
    actions = ["reindex"]
    change_list_template = "knowledge/admin_change_list.html"

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        versions = formset.save(commit=False)
        for version in versions:
            if version.pk is None:
                version.created_by = request.user
            version.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.reindex_article(article=form.instance)

    @admin.action(description=gettext_lazy("Rebuild the search index of the selected articles"))
    def reindex(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.reindex_article(article=article)
        self.message_user(request, _("The search index was rebuilt."))

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="knowledge_article_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload Markdown/DOCX files; all are imported, or none with each file's problem and line listed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[Any] = []
        if request.method == "POST" and form.is_valid():
            files = [(upload.name, upload.read()) for upload in form.cleaned_data["upload"]]
            actor: User = request.user  # type: ignore[assignment]
            try:
                results = services.import_files(actor=actor, files=files)
            except services.KnowledgeImportError as error:
                problems = error.problems
            else:
                for result in results:
                    self.message_user(request, _("%(file)s: %(code)s %(outcome)s") % {
                        "file": result.file, "code": result.code, "outcome": OUTCOME_LABELS[result.outcome]})
                return HttpResponseRedirect(reverse("admin:knowledge_article_changelist"))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "problems": problems, "title": _("Import knowledge articles"),
        }
        return render(request, "knowledge/admin_import.html", context, status=400 if problems else 200)


OUTCOME_LABELS = {
    services.Outcome.CREATED: gettext_lazy("created"),
    services.Outcome.NEW_VERSION: gettext_lazy("new version added"),
    services.Outcome.CORRECTED: gettext_lazy("text of that version corrected"),
    services.Outcome.UPDATED: gettext_lazy("details updated"),
    services.Outcome.UNCHANGED: gettext_lazy("unchanged"),
}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name"]

