"""The path a handbook is published under, from [handbook] url (the 404 page's root)."""

import pytest

from kbcli.core.handbook import site_path


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("", "/"),
        ("https://kb.acme.com", "/"),
        ("https://kb.acme.com/", "/"),
        ("https://org.github.io/handbook", "/handbook/"),
        ("https://org.github.io/docs/handbook/", "/docs/handbook/"),
        (" https://org.github.io/handbook/?x=1#top ", "/handbook/"),
    ],
)
def test_site_path(url: str, path: str) -> None:
    assert site_path(url) == path
