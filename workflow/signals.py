"""What the year's procedure tells the layers above it, inside the step's transaction."""

from django.dispatch import Signal

# Sent by `workflow.services.year_announce` with `year`, `approval` and `by`, once the year is announced and in the
# same transaction: a receiver that raises undoes the announcement (the 通报 is frozen by `reports.notice`).
year_announced = Signal()
