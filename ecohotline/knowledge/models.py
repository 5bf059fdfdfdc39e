"""The knowledge base (知识库): laws and regulations (法律法规), standards (标准), internal procedures (内部规程),
approved reply wording (答复口径) and FAQ, each with dated versions, categories, tags and a search index.

Written through `knowledge.services` (the admin saves and then re-indexes through them too)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Category


class ArticleKind(models.TextChoices):
    LAW = "law", _("Law or regulation")
    STANDARD = "standard", _("Standard")
    PROCEDURE = "procedure", _("Internal procedure")
    REPLY_TEMPLATE = "reply_template", _("Approved reply wording")
    FAQ = "faq", _("FAQ")


class Tag(models.Model):
    """A free keyword that groups articles across kinds (夜间施工, 油烟, 测量...)."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One article of the knowledge base: a law article, a standard, a procedure, an approved wording or an FAQ.

    Its text lives in `ArticleVersion`s, each in force from its `effective_from` until the next one. A whole
    article may stop applying on `repealed_on` (废止), replaced by `superseded_by` (HJ 633-2012 by HJ 633-2026
    on 2026-03-01)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ArticleKind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=100, unique=True,
                            help_text=_("A stable identifier: the standard's number, or e.g. noise-law-43."))
    title = models.CharField(_("title"), max_length=200)
    citation = models.CharField(_("citation"), max_length=200, blank=True,
                                help_text=_("The reference a reply cites, e.g. 《噪声污染防治法》第四十三条."))
    source = models.CharField(_("source"), max_length=300, blank=True,
                              help_text=_("Where the text was taken from (issuer, document, date)."))
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True, related_name="+")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    superseded_by = models.ForeignKey("self", verbose_name=_("superseded by"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="supersedes")
    repealed_on = models.DateField(_("no longer applies from"), null=True, blank=True,
                                   help_text=_("The day it stopped applying (废止), if it did."))
    # Search index bookkeeping: token counts of the indexed text (see `knowledge.search`).
    title_length = models.PositiveIntegerField(default=0, editable=False)
    body_length = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def cite_text(self) -> str:
        """What the cite button puts into a reply: the citation, else the code and the title."""
        if self.citation:
            return self.citation
        return f"{self.code}《{self.title}》" if self.kind == ArticleKind.STANDARD else f"《{self.title}》"

    def version_on(self, day: datetime.date) -> ArticleVersion | None:
        """The version in force on `day`: the latest that took effect on or before it; None before the first
        one and from `repealed_on` on."""
        if self.repealed_on is not None and day >= self.repealed_on:
            return None
        return self.versions.filter(effective_from__lte=day).order_by("-effective_from").first()

    def latest_version(self) -> ArticleVersion | None:
        return self.versions.order_by("-effective_from").first()


class ArticleVersion(models.Model):
    """The text of an article as in force from `effective_from` until the next version takes effect."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE,
                                related_name="versions")
    effective_from = models.DateField(_("in force from"))
    body = models.TextField(_("text"), help_text=_("Markdown: paragraphs, lists, **bold**."))
    note = models.CharField(_("note"), max_length=300, blank=True,
                            help_text=_("What changed, or where this version was taken from."))
    source_file = models.CharField(_("imported from"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["article", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["article", "effective_from"], name="knowledge_one_version_per_day"),
        ]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"{self.article.code} @ {self.effective_from.isoformat()}"


class IndexedTerm(models.Model):
    """One word of an article's searchable text and how often it occurs there (an inverted index that works the
    same on SQLite and PostgreSQL). Rebuilt by `knowledge.search.index_article`."""

    class Field(models.IntegerChoices):
        TITLE = 1, "title"
        BODY = 2, "body"
        TAGS = 3, "tags"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    field = models.PositiveSmallIntegerField(choices=Field.choices)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "field", "article"], name="knowledge_term_field_article"),
        ]
        verbose_name = _("indexed term")
        verbose_name_plural = _("indexed terms")

    def __str__(self) -> str:
        return f"{self.term} ×{self.count}"
