"""Letters for post: a message to a complainant laid out as a printable A4 PDF (standard, large
print or Easy Read) and as contracted Braille (.brf through liblouis).

Plain data in, bytes out: the staff view gathers the facts (storage/letters.py) and calls
`pdf.render_pdf` / `braille.render_brf`. The fonts are shipped in printing/fonts/, so PDF
letters need nothing beyond `pip install`; Braille needs Debian's liblouis-bin, and says so
(braille.BrailleUnavailable) when it is missing.
"""
