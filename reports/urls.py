from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/files/<str:kind>/", views.year_file, name="year_file"),
    path("<int:year>/review-account/", views.review_account, name="review_account"),
    path("<int:year>/review-account/pdf/", views.review_account_file, name="review_account_file"),
    path("<int:year>/build/<str:kind>/", views.build_start, name="build_start"),
    path("builds/<int:pk>/", views.build_page, name="build"),
    path("builds/<int:pk>/status/", views.build_status, name="build_status"),
    path("builds/<int:pk>/download/", views.build_download, name="build_download"),
    path("<int:year>/departments/<int:department_id>/section/", views.department_section, name="department_section"),
    path("<int:year>/departments/<int:department_id>/forms/<str:form>/", views.department_form, name="department_form"),
]
