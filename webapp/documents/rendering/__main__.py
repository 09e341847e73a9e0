"""Set-up and CI: build the font subsets now and report rendering problems (exit 1 if any)."""

import sys

from webapp.documents.rendering import check_environment, font_report, fonts

for key, (path, seconds) in fonts.build_all().items():
    size = path.stat().st_size / 1e6 if path else 0
    print(f"subset {key:16s} {seconds:5.1f} s {size:5.2f} MB {path}")
for slot, info in font_report().items():
    kind = "official" if info["official"] else "fallback"
    print(f"font   {slot:16s} {kind:8s} {info['family']} ({info['file']})")
problems = check_environment()
for problem in problems:
    print("PROBLEM", problem)
sys.exit(1 if problems else 0)
