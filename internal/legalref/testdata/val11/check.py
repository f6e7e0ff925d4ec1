#!/usr/bin/env python3
import json, re, glob, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = {"legislation","provision","regulation","directive","treaty","case","court","rule"}
HEADS = ["What just happened?","What does this mean?","How will this affect the legal sector?"]
NC = re.compile(r'\[(\d{4})\] (UKSC|UKPC|EWCA Civ|EWCA Crim|EWHC|UKUT|UKFTT|EAT|CAT) (\d+)(?: \(([A-Za-z]+)\))?')
errs = []
def E(f, m): errs.append(f"{f}: {m}")
allrefs = []
for tp in sorted(glob.glob(os.path.join(HERE, '[0-9][0-9].txt'))):
    f = os.path.basename(tp); txt = open(tp, encoding='utf-8').read()
    jp = tp[:-4] + '.json'
    try: j = json.load(open(jp, encoding='utf-8'))
    except Exception as e: E(f, f"bad json {e}"); continue
    if set(j) != {"references","not_references"}: E(f, "json keys")
    lines = [l.strip() for l in txt.split('\n')]
    if not lines[0] or lines[1] != '': E(f, "title/blank line")
    idx = [lines.index(h) if h in lines else -1 for h in HEADS]
    if -1 in idx or idx != sorted(idx): E(f, "headings")
    n = len(txt.split())
    if not 250 <= n <= 400: E(f, f"word count {n}")
    spans = []; groups = {}
    for r in j["references"]:
        allrefs.append(r)
        if set(r) != {"text","occurrence","kind","jurisdiction","group","url"}: E(f, f"ref keys {r}"); continue
        t = r["text"]
        if r["kind"] not in KINDS: E(f, f"kind {r}")
        if t.lower().startswith("the "): E(f, f"leading the: {t}")
        if t != t.strip(): E(f, f"whitespace {t!r}")
        i = -1
        for _ in range(r["occurrence"]):
            i = txt.find(t, i + 1)
            if i == -1: break
        if i == -1: E(f, f"occurrence not found {t} #{r['occurrence']}"); continue
        spans.append((i, i + len(t), t))
        g = groups.setdefault(r["group"], (r["url"], r["kind"], r["jurisdiction"]))
        if g != (r["url"], r["kind"], r["jurisdiction"]): E(f, f"group inconsistency {r['group']}")
        u = r["url"]
        if u and not re.match(r'https://(www\.legislation\.gov\.uk/(ukpga|uksi)/|caselaw\.nationalarchives\.gov\.uk/|eur-lex\.europa\.eu/(eli/(reg|dir|dec|reg_del|reg_impl|dec_impl)/\d{4}/\d+/oj$|legal-content/EN/TXT/\?uri=CELEX:12016[EMP]/TXT$)|curia\.europa\.eu/juris/liste\.jsf\?num=[CT]-\d+/\d\d$|www\.echr\.coe\.int/documents/d/echr/convention_ENG$|hudoc\.echr\.coe\.int/eng#\{%22appno%22:\[%22\d+/\d\d%22\]\}$|www\.law\.cornell\.edu/uscode/text/\d+/\w+$|www\.ecfr\.gov/current/title-\d+/(part|section)-[\w.-]+$)', u):
            E(f, f"url form {u}")
        if r["kind"] == "case":
            m = NC.search(t)
            if m:
                y, c, num, div = m.groups()
                path = {"EWCA Civ":"ewca/civ","EWCA Crim":"ewca/crim"}.get(c, c.lower())
                if div: path += "/" + div.lower()
                exp = f"https://caselaw.nationalarchives.gov.uk/{path}/{y}/{num}"
                # court code precedes division in FCL paths
                if u != exp: E(f, f"case url {u} != {exp}")
            m2 = re.search(r'Case ([CT])-(\d+/\d\d)', t)
            if m2 and 'Joined' not in t:
                exp = f"https://curia.europa.eu/juris/liste.jsf?num={m2.group(1)}-{m2.group(2)}"
                if u != exp: E(f, f"curia url {u} != {exp}")
            m3 = re.search(r'no\. (\d+/\d\d)', t)
            if m3 and u != 'https://hudoc.echr.coe.int/eng#{%22appno%22:[%22' + m3.group(1) + '%22]}': E(f, f"hudoc {t}")
            if not (m or m2 or m3) and u: E(f, f"case url without citation {t}")
        if 'legislation.gov.uk' in u and '/section/' in u:
            sec = u.rsplit('/', 1)[1]
            m = re.match(r'(?:section|s\.)\s*(\d+[A-Z]*)', t)
            if not m or m.group(1) != sec: E(f, f"section url mismatch {t} {u}")
        if 'legislation.gov.uk' in u and re.match(r'(sections|ss\.)', t) and '/section/' in u: E(f, "range with section url")
        if 'cornell' in u:
            m = re.search(r'(\d+) U\.S\.C\. §§? ?(\w+)', t)
            if m and u != f"https://www.law.cornell.edu/uscode/text/{m.group(1)}/{m.group(2)}": E(f, f"usc url {t} {u}")
        if r["kind"] == "provision" and re.match(r'(Part|Schedule|Chapter|regulation|reg\.)', t) and u and 'legislation.gov.uk' in u: E(f, f"part/schedule/SI provision with url {t}")
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]: E(f, f"overlap {a[2]} / {b[2]}")
    nr = j["not_references"]
    for m in re.finditer(r'(?<=[.!?"\u201d]) ((?:\(\d+(?:, \d+)*\))+)(?=\s|$)', txt):
        if m.group(1) not in nr: E(f, f"marker {m.group(1)} not listed")
    for s in nr:
        if re.fullmatch(r'(?:\(\d+(?:, \d+)*\))+', s) and not re.search(r'[.!?"\u201d] ' + re.escape(s) + r'(?=\s|$)', txt): E(f, f"bogus marker {s}")
        if s not in txt: E(f, f"not_ref missing {s}")
        for a, b, t in spans:
            if s == t: E(f, f"not_ref equals ref {s}")
    # every paragraph in sections ends with a marker
    body = txt.split(HEADS[0], 1)[1].split("The Legists Content Team")[0]
    for para in re.split(r'\n\s*\n', body):
        p = para.strip()
        if p and p not in HEADS and not re.search(r'\(\d+(?:, \d+)*\)$', p): E(f, f"paragraph without end marker: {p[:40]}")
from collections import Counter
print("refs", len(allrefs), "with url", sum(1 for r in allrefs if r.get("url")))
print("kinds", dict(Counter(r["kind"] for r in allrefs)))
print("jur", dict(Counter(r["jurisdiction"] for r in allrefs)))
for e in errs: print("ERROR", e)
print(len(errs), "errors")
sys.exit(1 if errs else 0)
