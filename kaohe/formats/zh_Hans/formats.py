"""Chinese formats Django's own (django/conf/locale/zh_Hans) differ from: dates in form inputs are written and
read as YYYY-MM-DD first, like the browser's date pickers (kaohe.widgets), the Excel files and the admin's
calendar (which inserts the first input format), so that a page shows one form of date in its inputs. Dates
shown as text keep Django's Chinese formats (2023年3月20日)."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2023-03-20'
    "%Y/%m/%d",  # '2023/03/20'
    "%Y年%m月%d日",  # '2023年3月20日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2023-03-20 14:30:59'
    "%Y-%m-%d %H:%M",  # '2023-03-20 14:30'
    "%Y-%m-%dT%H:%M",  # '2023-03-20T14:30' (<input type="datetime-local">)
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
]
