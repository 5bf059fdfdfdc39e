from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from ecohotline.ui import account, case_actions, dashboard, exports, inbox, measurements, replies, views

app_name = "ui"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="ui:inbox", permanent=False), name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/export.csv", exports.case_export_csv, name="case-export-csv"),
    path("cases/export.xlsx", exports.case_export_xlsx, name="case-export-xlsx"),
    path("cases/saved-filters/", views.saved_filter_save, name="saved-filter-save"),
    path("cases/saved-filters/<int:pk>/delete/", views.saved_filter_delete, name="saved-filter-delete"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/actions/<str:name>/", case_actions.case_action, name="case-action"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.case_attachment, name="case-attachment"),
    path("cases/<int:pk>/reply-draft/", replies.reply_draft, name="reply-draft"),
    path("cases/<int:pk>/measurement-fields/", measurements.measurement_fields, name="measurement-fields"),
    path("cases/<int:pk>/measurement-verdict/", measurements.measurement_verdict, name="measurement-verdict"),
    path("cases/<int:pk>/reply-check/", replies.reply_check, name="reply-check"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("language/", views.set_language, name="set-language"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/triage/<int:pk>/accept/", inbox.accept_triage, name="inbox-accept-triage"),
    path("inbox/triage/<int:pk>/dismiss/", inbox.dismiss_triage, name="inbox-dismiss-triage"),
    path("inbox/duplicates/<int:pk>/confirm/", inbox.confirm_duplicate, name="inbox-confirm-duplicate"),
    path("inbox/duplicates/<int:pk>/dismiss/", inbox.dismiss_duplicate, name="inbox-dismiss-duplicate"),
    path("inbox/dispatch/", inbox.bulk_dispatch, name="inbox-bulk-dispatch"),
    path("notifications/", account.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", account.notification_read, name="notification-read"),
    path("notifications/read-all/", account.notifications_read_all, name="notifications-read-all"),
    path("settings/", account.my_settings, name="settings"),
    path("password/", account.PasswordChange.as_view(), name="password-change"),
]

# Log in and out sit at the top level so that settings.LOGIN_URL = "login" resolves.
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

