from django.contrib import admin

from kb.models import Article, ArticleAttachment, ArticleTranslation, ArticleVersion, ArticleVote


class TranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    fields = ("language", "title", "summary", "updated_at", "updated_by")
    readonly_fields = fields
    can_delete = False
    show_change_link = False


class AttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    extra = 0
    fields = ("name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles are written on the site (with versions and search); the admin lists and
    re-files them."""

    list_display = ("slug", "section", "status", "visibility", "tiers", "updated_at")
    list_filter = ("section", "status", "visibility")
    search_fields = ("slug", "translations__title")
    fields = ("slug", "section", "position", "status", "visibility", "tiers", "source_ticket")
    readonly_fields = ("source_ticket",)
    inlines = [TranslationInline, AttachmentInline]


@admin.register(ArticleVersion)
class ArticleVersionAdmin(admin.ModelAdmin):
    list_display = ("translation", "number", "edited_by", "edited_at", "note")
    readonly_fields = [field.name for field in ArticleVersion._meta.fields]


@admin.register(ArticleVote)
class ArticleVoteAdmin(admin.ModelAdmin):
    list_display = ("article", "language", "helpful", "user", "created_at")
    list_filter = ("helpful", "language")
    readonly_fields = [field.name for field in ArticleVote._meta.fields]
