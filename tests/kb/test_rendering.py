"""Article text is sanitized like tickets; images only from the article's own files;
videos only from allowed hosts, as a plain link until the reader asks for the player."""

from kb.rendering import render_article, video_embed_url


def test_scripts_and_event_handlers_do_not_survive():
    html = render_article('<script>alert(1)</script><a href="javascript:x" onclick="y">z</a>')
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


def test_a_youtube_link_alone_in_a_paragraph_becomes_a_click_to_play_placeholder():
    html = render_article("Watch:\n\nhttps://www.youtube.com/watch?v=aqz-KE-bpKQ\n")
    assert 'data-embed="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"' in html
    # Nothing that makes the browser fetch from the host before a click.
    assert "<iframe" not in html and "<img" not in html and "<script" not in html
    assert 'href="https://www.youtube.com/watch?v=aqz-KE-bpKQ"' in html


def test_a_vimeo_link_is_allowed_too():
    assert (
        video_embed_url("https://vimeo.com/76979871") == "https://player.vimeo.com/video/76979871"
    )


def test_a_video_host_off_the_allow_list_stays_a_plain_link():
    html = render_article("https://videos.example.com/watch?v=aqz-KE-bpKQ")
    assert "data-embed" not in html
    assert 'href="https://videos.example.com/watch?v=aqz-KE-bpKQ"' in html


def test_plain_http_or_odd_video_ids_are_not_embedded():
    assert video_embed_url("http://www.youtube.com/watch?v=aqz-KE-bpKQ") is None
    assert video_embed_url('https://www.youtube.com/watch?v=a"><script>') is None


def test_images_show_only_from_the_articles_own_files():
    own = render_article("![diagram](/kb/files/3/diagram.png)")
    assert '<img alt="diagram" src="/kb/files/3/diagram.png">' in own
    other = render_article("![tracker](https://tracker.example.com/pixel.gif)")
    assert "tracker.example.com" not in other
