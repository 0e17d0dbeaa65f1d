from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.kb_home, name="home"),
    path("new/", views.article_new, name="article_new"),
    path("preview/", views.article_preview, name="article_preview"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<str:token>/<slug:slug>/", views.suggestion_open, name="suggestion_open"),
    path("report/", views.report, name="report"),
    path("from-ticket/<int:pk>/", views.article_from_ticket, name="article_from_ticket"),
    path("files/<int:pk>/", views.article_file, name="file"),
    path("files/<int:pk>/<str:name>", views.article_file, name="file_named"),
    path("a/<slug:slug>/", views.article_detail, name="article"),
    path("a/<slug:slug>/edit/", views.article_edit, name="article_edit"),
    path("a/<slug:slug>/history/", views.article_history, name="article_history"),
    path("a/<slug:slug>/vote/", views.article_vote, name="article_vote"),
    path("<slug:section>/", views.section, name="section"),
]
