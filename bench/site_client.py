"""A browser for the page bench: cookies, logging in, and saving an article through the admin.

It uses only kb's URLs and forms (the login page, the admin change form as served, with its
CSRF token, version field and inline management forms), so it works whatever the code
behind them. Run as a script it is the editor of bench/pages.py: a separate process that logs
in and saves one article through the admin once a second until its standard input closes,
then prints one JSON line (saves, failures, save times).

    python bench/site_client.py PORT USERNAME PASSWORD CHANGE_URL [INTERVAL]
"""

from __future__ import annotations

import http.client
import json
import select
import statistics
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

# A save that redirects is a save; a change form served again carries its errors here.
ERROR_MARKERS = ("errornote", "errorlist")


class FormReader(HTMLParser):
    """Every form of a page: its id and the fields a browser would submit, as (name, value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str | None, list]] = []
        self.inside = False
        self._textarea: list | None = None
        self._select: dict | None = None

    @property
    def fields(self) -> list:
        return self.forms[-1][1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = True
            self.forms.append((a.get("id"), []))
        if not self.inside or "__prefix__" in (a.get("name") or ""):
            return  # an inline's empty template is not submitted
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline right after <textarea>.
            name, text = self._textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] or ([] if s["multiple"] or s["first"] is None else [s["first"]])
            self.fields.extend((s["name"], v) for v in chosen)
            self._select = None


class Browser:
    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method: str, path: str, fields: list | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), text

    def form(self, path: str, *, form_id: str | None = None,
             field: str | None = None) -> list[tuple[str, str]]:
        """The fields of the form on ``path`` with this id, or the one with this field."""
        status, _, text = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        reader = FormReader()
        reader.feed(text)
        for found_id, fields in reader.forms:
            if (form_id and found_id == form_id) or (field and any(k == field for k, _ in fields)):
                return fields
        raise RuntimeError(f"no form {form_id or 'with ' + str(field)} on {path}")

    def log_in(self, username: str, password: str) -> str:
        """Log in through the login page; return the session cookie ("name=value")."""
        fields = [(k, v) for k, v in self.form("/accounts/login/", field="password")
                  if k not in ("username", "password")]
        status, _, _ = self.request("POST", "/accounts/login/",
                                    [*fields, ("username", username), ("password", password)])
        session = self.cookies.get("sessionid")
        if status != 302 or not session:
            raise RuntimeError(f"logging in as {username} failed (status {status})")
        return f"sessionid={session}"

    def save_article(self, change_url: str, summary: str) -> tuple[bool, str]:
        """Post the article's admin change form as served, with a new summary."""
        fields = [(k, summary if k == "summary" else v)
                  for k, v in self.form(change_url, form_id="article_form")]
        if not any(k == "summary" for k, _ in fields):
            raise RuntimeError(f"the change form at {change_url} has no summary field")
        status, _, text = self.request("POST", change_url, fields)
        if status == 302:
            return True, ""
        found = next((m for m in ERROR_MARKERS if m in text), "")
        at = text.find(found) if found else -1
        return False, f"status {status}" + (f": {text[at:at + 300]}" if at >= 0 else "")


def editor(port: int, username: str, password: str, change_url: str, interval: float) -> dict:
    browser = Browser(port)
    browser.log_in(username, password)
    print("ready", flush=True)
    saves, failures, times, errors = 0, 0, [], []
    due = began = time.monotonic()
    while True:
        wait = max(0.0, due - time.monotonic())
        if select.select([sys.stdin], [], [], wait)[0]:  # stdin closed: stop
            break
        due += interval
        started = time.monotonic()
        try:
            ok, why = browser.save_article(change_url, f"bench edit {time.time():.3f}")
        except (OSError, RuntimeError) as error:
            ok, why = False, str(error)
        times.append(1000 * (time.monotonic() - started))
        saves, failures = saves + ok, failures + (not ok)
        if not ok and len(errors) < 3:
            errors.append(why)
        due = max(due, time.monotonic())  # a slow save delays the next, never bunches them
    return {"saves": saves, "failures": failures, "errors": errors,
            "seconds": time.monotonic() - began,
            "save_p50_ms": statistics.median(times) if times else None}


if __name__ == "__main__":
    port, username, password, change_url = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    interval = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    print(json.dumps(editor(port, username, password, change_url, interval)), flush=True)
