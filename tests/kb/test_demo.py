"""`seed_demo` writes a few articles in every section, in both languages, once; the
customer's home page links them."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from kb.models import Article, ArticleTranslation, Section

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_articles_in_every_section_and_both_languages(client):
    call_command("seed_demo", stdout=StringIO())
    for section in Section.values:
        articles = Article.objects.filter(section=section, status="published")
        assert articles.count() >= 2
        languages = set(
            ArticleTranslation.objects.filter(article__in=articles).values_list(
                "language", flat=True
            )
        )
        assert languages == {"en", "pt-br"}
    count = Article.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Article.objects.count() == count

    customer = User.objects.filter(groups__name="customer", organization__tier="standard").first()
    client.force_login(customer)
    home = client.get("/").content.decode()
    assert "/kb/a/install-the-backup-agent/" in home
    assert "/kb/a/retention-policies/" in home
