"""What people type is rendered as Markdown and never runs as code."""

import pytest

from tickets.rendering import render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<svg onload="alert(1)"><circle r="4"/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<object data='x.swf'></object><embed src='x'>",
    '<div onclick="steal()">click</div>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_script_handler_or_dangerous_link_survives(attack):
    html = render_markdown(attack).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "<svg", "<iframe",
                "<object", "<embed", "style=", "data:text"):  # fmt: skip
        assert bad not in html, (attack, html)


def test_markdown_still_renders_formatting_and_safe_links():
    html = render_markdown("**bold** and `code`\n\n- one\n- two\n\n[docs](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_fenced_code_keeps_angle_brackets_as_text():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
