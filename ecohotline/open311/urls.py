from django.urls import path, register_converter

from ecohotline.open311 import views


class FormatConverter:
    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311fmt:fmt>", views.discovery, name="discovery"),
    path("services.<open311fmt:fmt>", views.service_list, name="services"),
    path("services/<str:service_code>.<open311fmt:fmt>", views.service_definition, name="service_definition"),
    path("requests.<open311fmt:fmt>", views.requests, name="requests"),
    path("requests/<str:service_request_id>.<open311fmt:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<open311fmt:fmt>", views.token, name="token"),
]
