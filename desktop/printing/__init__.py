"""Printing: reportlab PDFs from plain data (no Qt widgets, no database sessions).

The paper forms (核查表, 采集表) — a stable entry point that the installer's --self-test uses:

    from desktop.printing.form_renderer import render_form
    from desktop.services.forms.catalog import load_form

    pdf: bytes = render_form(
        load_form("verification"),   # a FormDescription (resources/forms/<code>.json)
        items,                       # PrintItem-like objects (answers, household_code, version)
                                     # or plain answer dicts; one form per item, in this order
        blank=False,                 # True: one empty form for handwriting (items ignored)
        stamp=True,                  # True: 打印时间 now; a datetime: that time; False: no stamp
        on_missing="error",          # "error": MissingGlyphsError if an answer has a character no
                                     # font has; "mark": print it as 〔U+XXXX〕
    )

`desktop.printing.fonts.register_fonts()` registers the CJK fonts once per process and says which
font file serves which role (`FontSet.describe()`); `missing_chars(texts)` lists the characters no
available font has, so they can be reported before printing; `role_fonts()` names the same fonts
by the role an official document gives them (仿宋 body, 黑体 title and heads, 宋体 tables).
"""
