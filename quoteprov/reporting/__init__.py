"""`quoteprov report`: a self-contained static HTML site to read the quotations in their sources.

Historians check an attribution by reading it in context, so every source gets one page with
its full text, each quoted span highlighted (coloured by speaker, and labelled so that it reads
without colour) and the evidence behind each value (cue, speaker mention, recipient mention,
footnote marker) underlined where it stands. The same page renders a diff (`render_diff_html`):
added, re-attributed and re-anchored quotations marked in the new text, removed ones listed.

The markup is built from offsets as a tree of non-crossing ranges (paragraphs, then quoted
spans, then evidence spans; a range that crosses a boundary of one inserted before it is split
there), and rendered by Jinja2 templates with autoescaping always on: the source text and the
record values only ever reach the page as escaped text. The site needs no server and loads
nothing: its CSS and JavaScript are inlined into each page.

Where things are: `tree` (the markup tree), `views` (what a page shows of a source and its
records), `site` (the templates, in quoteprov/templates/, and `report`), `diffpage` (a diff as
pages). The command line is in `quoteprov.cli`.
"""
from __future__ import annotations

from .diffpage import render_diff_html
from .site import DEFAULT_OUT, render_pages, report
from .tree import Node, markup_tree
from .views import PALETTE, ROLES, STATUSES, Page, SpeakerEntry, build_page, page_filename, speaker_legend

__all__ = ["DEFAULT_OUT", "PALETTE", "ROLES", "STATUSES", "Node", "Page", "SpeakerEntry", "build_page",
           "markup_tree", "page_filename", "render_diff_html", "render_pages", "report", "speaker_legend"]
