#!/usr/bin/env python3
"""Rewrites the annotators' legislation.gov.uk links of Acts before 1963 from the calendar year
(/ukpga/1925/20, which is no address of legislation.gov.uk) to the regnal years the site uses
(/ukpga/Geo5/15-16/20). Run once on 2026-12-05 over the validation sets, after val10's first
reading showed the rule; only the seven Acts of the recogniser's table are rewritten."""
import glob, json, re

REGNAL = {"1954/56": "Eliz2/2-3/56", "1890/39": "Vict/53-54/39", "1957/31": "Eliz2/5-6/31",
          "1925/20": "Geo5/15-16/20", "1906/41": "Edw7/6/41", "1949/88": "Geo6/12-13-14/88",
          "1861/100": "Vict/24-25/100"}
pat = re.compile(r"(https://www\.legislation\.gov\.uk/ukpga/)(\d{4}/\d+)(?=/|$)")

changed = 0
for path in sorted(glob.glob("val*/[0-9]*.json")):
    doc = json.load(open(path, encoding="utf-8"))
    n = 0
    for r in doc["references"]:
        m = pat.search(r["url"])
        if m and m.group(2) in REGNAL:
            r["url"] = pat.sub(lambda m: m.group(1) + REGNAL[m.group(2)], r["url"])
            n += 1
    if n:
        json.dump(doc, open(path, "w", encoding="utf-8"), indent=1, ensure_ascii=False)
        print(path, n)
        changed += n
print(changed, "labels rewritten")
