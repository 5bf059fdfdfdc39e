from django.urls import path

from ecohotline.assessment import views

app_name = "assessment"
urlpatterns = [
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger-export"),
    path("ledger/flag/", views.ledger_flag, name="ledger-flag"),
    path("ledger/<int:pk>/", views.ledger_entry, name="ledger-entry"),
    path("ledger/<int:pk>/plan/", views.ledger_entry_plan, name="ledger-entry-plan"),
    path("ledger/<int:pk>/remove/", views.ledger_entry_remove, name="ledger-entry-remove"),
    path("retrospectives/", views.retrospective_list, name="retrospectives"),
    path("retrospectives/<int:pk>/", views.retrospective_record, name="retrospective-record"),
]
