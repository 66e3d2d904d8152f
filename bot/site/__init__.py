"""The public statement pages: a static site of the base, plain Python with no Telegram.

`cekklaim site OUT_DIR` writes it (bot/cli/site.py); any web server, or the reverse proxy in
front of the bot, serves the folder. Layout (stable: links to a page must keep working):

    index.html, index-2.html ...   current statements, newest first (100 a page)
    s/<id>.html                    one page per statement (superseded, retired and expired
                                   ones too, marked as such, so old links still answer)
    lembaga/<body>.html            filters: by issuing body,
    label/<verdict>.html           by verdict,
    tahun/<year>.html              by the year the body said it
    arsip.html                     statements no longer served
    img/<verdict>.png              each verdict's link-preview image (og:image)
    feed.xml                       Atom feed of the newest statements
    sitemap.xml                    every current statement's page
    cari.js, cari.json             optional search box (reading never needs JavaScript)

pages.py renders the HTML (jinja2 templates, autoescaped), feeds.py the XML, build.py writes
the folder and swaps it in whole.

Only the addresses are imported here (the cards link to pages: bot/replies imports them);
`from bot.site.build import build_site` writes the site.
"""

from bot.site.paths import page_path, page_url

__all__ = ["page_path", "page_url"]
