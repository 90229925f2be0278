"""One JSON object per log line, for production log collectors."""

import json
import logging
from datetime import UTC, datetime

from kb.site.timestamps import utc_iso

# LogRecord attributes that are plumbing, not information worth shipping.
_SKIP = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": utc_iso(datetime.fromtimestamp(record.created, UTC), timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = request.method
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in _SKIP and key not in entry:
                entry[key] = value if isinstance(value, int | float | bool | str) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
