"""Seed articles of the knowledge base from ecohotline/knowledge/data/*.md (see docs/knowledge.md for what was
seeded and from where). Uses the historical models; later imports of the same files change nothing."""

from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
TITLE, BODY, TAGS = 1, 2, 3


def seed(apps, schema_editor):
    from ecohotline.knowledge.importer import parse_file
    from ecohotline.knowledge.search import term_counts

    Article = apps.get_model("knowledge", "Article")
    ArticleVersion = apps.get_model("knowledge", "ArticleVersion")
    Tag = apps.get_model("knowledge", "Tag")
    IndexedTerm = apps.get_model("knowledge", "IndexedTerm")
    Category = apps.get_model("cases", "Category")
    items = sorted((parse_file(path.name, path.read_bytes()) for path in sorted(DATA.glob("*.md"))),
                   key=lambda item: (item.code, item.effective_from))
    saved = {}
    for item in items:
        article, _created = Article.objects.get_or_create(code=item.code, defaults={
            "kind": item.kind, "title": item.title, "citation": item.citation, "source": item.source})
        article.categories.set(Category.objects.filter(code__in=item.categories))
        article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in item.tags])
        ArticleVersion.objects.get_or_create(article=article, effective_from=item.effective_from, defaults={
            "body": item.body, "note": item.note, "source_file": item.file})
        saved[item.code] = (article, item)
    for code, (article, item) in saved.items():
        if item.supersedes and item.supersedes in saved:
            first = ArticleVersion.objects.filter(article=article).order_by("effective_from").first()
            Article.objects.filter(code=item.supersedes).update(superseded_by=article,
                                                                repealed_on=first.effective_from)
        latest = ArticleVersion.objects.filter(article=article).order_by("-effective_from").first()
        categories = " ".join(f"{c.name_zh} {c.name_en}" for c in article.categories.all())
        rows, lengths = term_counts({
            TITLE: f"{article.title} {article.code} {article.citation}",
            BODY: latest.body,
            TAGS: " ".join([*(t.name for t in article.tags.all()), categories]),
        })
        IndexedTerm.objects.filter(article=article).delete()
        IndexedTerm.objects.bulk_create(IndexedTerm(article=article, term=term, field=field, count=count)
                                        for term, field, count in rows)
        Article.objects.filter(pk=article.pk).update(title_length=lengths[TITLE], body_length=lengths[BODY])


def unseed(apps, schema_editor):
    from ecohotline.knowledge.importer import parse_file

    Article = apps.get_model("knowledge", "Article")
    codes = {parse_file(path.name, path.read_bytes()).code for path in DATA.glob("*.md")}
    Article.objects.filter(code__in=codes).update(superseded_by=None)
    Article.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_articles"),
        ("cases", "0003_default_categories_and_policies"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
