"""Error codes in audit entries' details read as words on the console, code if unknown."""

from __future__ import annotations

from adapters.http.console.i18n import audit_details


def test_error_codes_read_as_words_in_each_language() -> None:
    details: dict[str, object] = {"error": "RATE_LIMITED", "wechat_errcode": 45011}
    assert audit_details("zh", details) == [("error", "尝试过于频繁，已限流"),
                                            ("wechat_errcode", "45011")]  # fmt: skip
    assert audit_details("en", details)[0] == ("error", "Too many attempts (rate limited)")


def test_an_unknown_error_code_shows_itself() -> None:
    assert audit_details("en", {"error": "SOMETHING_NEW"}) == [("error", "SOMETHING_NEW")]
