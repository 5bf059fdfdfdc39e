from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from ecohotline.api import account, desk, exports
from ecohotline.api.views import CaseViewSet, TokenView
from ecohotline.assessment import api_ledger
from ecohotline.assessment.api import KpisView, RankingsView, TrendView
from ecohotline.intake import api_imports
from ecohotline.intake.api import HotlineOrdersView
from ecohotline.monitoring import api_alerts
from ecohotline.monitoring.api import ReadingsView
from ecohotline.reports import api as reports_api

router = SimpleRouter(trailing_slash=False)
router.register("cases", CaseViewSet, basename="case")

app_name = "api"
urlpatterns = [
    # the exports of the case list (before the router's `cases/…` routes, which take only numbers)
    path("v1/cases/export.csv", exports.CaseExportCsvView.as_view(), name="cases-export-csv"),
    path("v1/cases/export.xlsx", exports.CaseExportXlsxView.as_view(), name="cases-export-xlsx"),
    path("v1/", include(router.urls)),
    path("v1/auth/token", TokenView.as_view(), name="token"),
    # the inbox and the dispatcher's decisions
    path("v1/inbox", desk.InboxView.as_view(), name="inbox"),
    path("v1/inbox/duplicates", desk.DuplicateListView.as_view(), name="inbox-duplicates"),
    path("v1/inbox/duplicates/<int:pk>/confirm", desk.DuplicateConfirmView.as_view(), name="duplicate-confirm"),
    path("v1/inbox/duplicates/<int:pk>/dismiss", desk.DuplicateDismissView.as_view(), name="duplicate-dismiss"),
    path("v1/inbox/triage/<int:pk>/accept", desk.TriageAcceptView.as_view(), name="triage-accept"),
    path("v1/inbox/triage/<int:pk>/dismiss", desk.TriageDismissView.as_view(), name="triage-dismiss"),
    path("v1/inbox/dispatch", desk.BulkDispatchView.as_view(), name="bulk-dispatch"),
    path("v1/inbox/<slug:section>", desk.InboxSectionView.as_view(), name="inbox-section"),
    # the user's notifications
    path("v1/notifications", desk.NotificationListView.as_view(), name="notifications"),
    path("v1/notifications/read-all", desk.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("v1/notifications/<int:pk>/read", desk.NotificationReadView.as_view(), name="notification-read"),
    # the caller's own account, language, password and saved filters
    path("v1/account", account.AccountView.as_view(), name="account"),
    path("v1/account/language", account.LanguageView.as_view(), name="account-language"),
    path("v1/account/password", account.PasswordView.as_view(), name="account-password"),
    path("v1/account/saved-filters", account.SavedFilterListView.as_view(), name="saved-filters"),
    path("v1/account/saved-filters/<int:pk>", account.SavedFilterView.as_view(), name="saved-filter"),
    # reference data
    path("v1/categories", desk.CategoryListView.as_view(), name="categories"),
    path("v1/units", desk.OrgUnitListView.as_view(), name="units"),
    path("v1/streets", desk.StreetListView.as_view(), name="streets"),
    path("v1/users", desk.StaffListView.as_view(), name="users"),
    # intake: the push endpoint and file imports
    path("v1/hotline/orders", HotlineOrdersView.as_view(), name="hotline-orders"),
    path("v1/imports", api_imports.ImportListView.as_view(), name="imports"),
    path("v1/imports/<int:pk>", api_imports.ImportRunView.as_view(), name="import-run"),
    path("v1/imports/<int:pk>/rejections", api_imports.ImportRejectionListView.as_view(), name="import-rejections"),
    path("v1/imports/<int:pk>/rejections.xlsx", api_imports.ImportRejectionsXlsxView.as_view(),
         name="import-rejections-xlsx"),
    path("v1/imports/<int:pk>/file", api_imports.ImportFileView.as_view(), name="import-file"),
    # monitoring
    path("v1/monitoring/readings", ReadingsView.as_view(), name="monitoring-readings"),
    path("v1/monitoring/stations", api_alerts.StationListView.as_view(), name="monitoring-stations"),
    path("v1/monitoring/daily", api_alerts.DailyView.as_view(), name="monitoring-daily"),
    path("v1/monitoring/alerts", api_alerts.AlertListView.as_view(), name="monitoring-alerts"),
    path("v1/monitoring/alerts/<int:pk>", api_alerts.AlertDetailView.as_view(), name="monitoring-alert"),
    path("v1/monitoring/alerts/<int:pk>/verify", api_alerts.AlertVerifyView.as_view(), name="monitoring-alert-verify"),
    path("v1/monitoring/alerts/<int:pk>/complaints", api_alerts.AlertComplaintsView.as_view(),
         name="monitoring-alert-complaints"),
    path("v1/monitoring/clusters", api_alerts.ClustersView.as_view(), name="monitoring-clusters"),
    path("v1/monitoring/alerts/<int:pk>/close", api_alerts.AlertCloseView.as_view(), name="monitoring-alert-close"),
    # assessment: KPIs and the ledger
    path("v1/assessment/kpis", KpisView.as_view(), name="assessment-kpis"),
    path("v1/assessment/rankings", RankingsView.as_view(), name="assessment-rankings"),
    path("v1/assessment/trend", TrendView.as_view(), name="assessment-trend"),
    path("v1/ledger", api_ledger.LedgerListView.as_view(), name="ledger"),
    path("v1/ledger/export.xlsx", exports.LedgerExportView.as_view(), name="ledger-export"),
    path("v1/ledger/flag", api_ledger.LedgerFlagView.as_view(), name="ledger-flag"),
    path("v1/ledger/<int:pk>", api_ledger.LedgerEntryView.as_view(), name="ledger-entry"),
    path("v1/ledger/<int:pk>/plan", api_ledger.LedgerPlanView.as_view(), name="ledger-plan"),
    path("v1/ledger/<int:pk>/remove", api_ledger.LedgerRemoveView.as_view(), name="ledger-remove"),
    path("v1/retrospectives", api_ledger.RetrospectiveListView.as_view(), name="retrospectives"),
    path("v1/retrospectives/causes", api_ledger.RetrospectiveCausesView.as_view(), name="retrospective-causes"),
    path("v1/retrospectives/<int:pk>", api_ledger.RetrospectiveRecordView.as_view(), name="retrospective-record"),
    # reports and the weekly dispatch meeting
    path("v1/reports", reports_api.ReportListView.as_view(), name="reports"),
    path("v1/reports/generate", reports_api.ReportGenerateView.as_view(), name="report-generate"),
    path("v1/reports/<int:pk>/<str:fmt>", reports_api.ReportDownloadView.as_view(), name="report-download"),
    path("v1/meetings", reports_api.MeetingListView.as_view(), name="meetings"),
    path("v1/meetings/<int:pk>", reports_api.MeetingDetailView.as_view(), name="meeting"),
    path("v1/meetings/<int:pk>/pack", reports_api.MeetingPackView.as_view(), name="meeting-pack"),
    path("v1/meetings/<int:pk>/decisions", reports_api.MeetingDecisionView.as_view(), name="meeting-decisions"),
    # insight
    path("v1/insight/", include("ecohotline.insight.api_urls")),
    path("v1/knowledge/", include("ecohotline.knowledge.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
