"""QR codes as inline SVG (python ``qrcode`` for the matrix; one ``<path>``, no style attribute,
so the strict Content-Security-Policy needs no exception)."""

from __future__ import annotations

import qrcode
from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_svg(data: str, label: str, *, css_class: str = "qr") -> Markup:
    """An accessible ``<svg role="img">`` QR code of ``data`` (a URL), described by ``label``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    size = len(matrix)
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return Markup(
        f'<svg class="{escape(css_class)}" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
