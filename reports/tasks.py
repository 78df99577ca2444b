"""Background tasks (django-tasks, database backend): run `manage.py db_worker` beside the web server."""

from django_tasks import task


@task()
def report_build_task(build_id: int) -> None:
    from reports.services import report_build_run

    report_build_run(build_id)
