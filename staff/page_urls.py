from django.urls import path

from staff import history, trends, views

app_name = "staff"

urlpatterns = [
    path("<int:year>/dept/<int:department>/", views.department_detail, name="department"),
    path("<int:year>/compare/", views.compare_list, name="compare"),
    path("<int:year>/compare/<int:department>/", views.compare_detail, name="compare_detail"),
    path("<int:year>/results/", views.results, name="results"),
    path("history/", history.history, name="history"),
    path("trends/", trends.trends_page, name="trends"),
]
