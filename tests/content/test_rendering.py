"""User Markdown never yields script, event handlers, javascript: URLs or page-breaking styles."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerpath.content.rendering import render_markdown

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="position:fixed;inset:0">cover</div>',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    '<form action="https://evil.example"><input name=p></form>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    '<img src="x" style="width:9999px">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "```\n</code><script>alert(1)</script>\n```",
    '<p title="</p><script>alert(1)</script>">x</p>',
]

DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|style|link|meta|base|form|input|svg|math|body)\b"
    r"|\son\w+\s*=|style\s*="
    r"|(href|src|action|data)\s*=\s*[\"']?\s*(javascript|vbscript|data):",
    re.IGNORECASE,
)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_neutralised(vector):
    html = render_markdown(vector)
    assert not DANGEROUS.search(html), html


@pytest.mark.parametrize(
    "vector",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "![x](data:text/html;x)",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
    ],
)
def test_script_urls_never_become_links(vector):
    html = render_markdown(vector)
    assert "href=" not in html
    assert "src=" not in html


def test_markdown_features_survive_sanitising():
    html = render_markdown(
        "## Steps\n\n1. **Greet**\n2. `verify`\n\n> Tip\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        "\n[guide](https://example.com/guide)\n"
    )
    assert "<h2>Steps</h2>" in html
    assert "<strong>Greet</strong>" in html
    assert "<code>verify</code>" in html
    assert "<blockquote>" in html
    assert "<table>" in html
    assert 'href="https://example.com/guide"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>\"'=/ :;&#()[]!`*_-\nscriptonerrorjavaimgahref")),
        max_size=200,
    )
)
def test_arbitrary_text_never_produces_dangerous_html(text):
    assert not DANGEROUS.search(render_markdown(text))


def test_callouts_become_styled_quotes():
    html = render_markdown(
        "> [!TIP]\n> Mute with the **headset** button.\n\n> [!warning] Mind the cable\n"
    )
    assert (
        '<blockquote class="callout callout--tip">\n<p>Mute with the <strong>headset</strong>'
        in html
    )
    assert '<blockquote class="callout callout--warning">\n<p>Mind the cable</p>' in html
    assert "[!" not in html


def test_only_known_classes_survive():
    html = render_markdown(
        '<blockquote class="callout evil">x</blockquote>\n\n<p class="hero">y</p>\n\n'
        '<code class="language-python onload">z</code>\n\n```python\nx = 1\n```\n'
    )
    assert '<blockquote class="callout">' in html
    assert "evil" not in html
    assert "hero" not in html
    assert "onload" not in html
    assert '<code class="language-python">x = 1' in html
