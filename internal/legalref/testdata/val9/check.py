#!/usr/bin/env python3
"""Validate the eval set: NN.txt + NN.json pairs in this directory."""
import json, re, sys, pathlib
from collections import defaultdict

HERE = pathlib.Path(__file__).resolve().parent
KINDS = {'legislation', 'provision', 'regulation', 'directive', 'treaty', 'case', 'court', 'rule'}
HEADINGS = ['What just happened?', 'What does this mean?', 'How will this affect the legal sector?']
MARKER = re.compile(r'(?<=\s)\(\d{1,2}(?:, \d{1,2})*\)(?:\(\d{1,2}\))*(?=\s|$)')
NC = re.compile(r'\[(\d{4})\] (UKSC|UKPC|UKHL|EWCA Civ|EWCA Crim|EWHC|EWFC|EAT|CAT|UKUT|UKFTT) (\d+)(?: \(([A-Za-z]+)\))?')
URL_FORMS = [
    re.compile(r'^https://www\.legislation\.gov\.uk/(ukpga|uksi)/\d{4}/\d+(/section/\d+[A-Z]*)?$'),
    re.compile(r'^https://caselaw\.nationalarchives\.gov\.uk/(uksc|ukpc|ukhl|eat|cat|ewfc)/\d{4}/\d+$'),
    re.compile(r'^https://caselaw\.nationalarchives\.gov\.uk/(ewca/(civ|crim)|ewhc/[a-z]+|ukut/[a-z]+|ukftt/[a-z]+)/\d{4}/\d+$'),
    re.compile(r'^https://eur-lex\.europa\.eu/eli/(reg|dir|dec|reg_impl|reg_del|dec_impl)/\d{4}/\d+/oj$'),
    re.compile(r'^https://eur-lex\.europa\.eu/legal-content/EN/TXT/\?uri=CELEX:1201[6][EMP]/TXT$'),
    re.compile(r'^https://curia\.europa\.eu/juris/liste\.jsf\?num=[CT]-\d+/\d\d$'),
    re.compile(r'^https://www\.echr\.coe\.int/documents/d/echr/convention_ENG$'),
    re.compile(r'^https://hudoc\.echr\.coe\.int/eng#\{%22appno%22:\[%22\d+/\d\d%22\]\}$'),
    re.compile(r'^https://www\.law\.cornell\.edu/uscode/text/\d+/\d+[a-z]*(-\d+)?$'),
    re.compile(r'^https://www\.ecfr\.gov/current/title-\d+/(section-\d+\.[\w.-]+|part-\d+)$'),
]

def occurrences(s, sub):
    out, i = [], s.find(sub)
    while i != -1:
        out.append(i)
        i = s.find(sub, i + 1)
    return out

def expected_nc(text):
    m = NC.search(text)
    if not m:
        return None
    year, court, num, div = m.groups()
    parts = court.lower().split() + ([div.lower()] if div else [])
    return 'https://caselaw.nationalarchives.gov.uk/' + '/'.join(parts + [year, num])

def check(stem):
    errs = []
    e = lambda msg: errs.append('%s: %s' % (stem, msg))
    text = (HERE / (stem + '.txt')).read_text(encoding='utf-8')
    data = json.loads((HERE / (stem + '.json')).read_text(encoding='utf-8'))
    if set(data) != {'references', 'not_references'}:
        e('top-level keys %s' % sorted(data))
    refs, nots = data.get('references', []), data.get('not_references', [])
    if not isinstance(refs, list) or not isinstance(nots, list):
        e('references/not_references must be lists'); return errs
    # format
    lines = text.split('\n')
    if not lines[0].strip() or lines[1].strip() != '':
        e('title line then blank line expected')
    pos = [i for h in HEADINGS for i, l in enumerate(lines) if l.strip() == h]
    if len(pos) != 3 or pos != sorted(pos):
        e('headings missing or out of order: %s' % pos)
    wc = len(text.split())
    if not 250 <= wc <= 400:
        e('word count %d' % wc)
    spans, groups = [], defaultdict(set)
    for r in refs:
        if set(r) != {'text', 'occurrence', 'kind', 'jurisdiction', 'group', 'url'}:
            e('bad keys %s' % r); continue
        t, occ, kind, jur, group, url = (r[k] for k in ('text', 'occurrence', 'kind', 'jurisdiction', 'group', 'url'))
        if kind not in KINDS:
            e('bad kind %r' % r)
        if not re.fullmatch(r'[a-z]{2,3}', jur or ''):
            e('bad jurisdiction %r' % r)
        if not group:
            e('empty group %r' % t)
        occs = occurrences(text, t)
        if not isinstance(occ, int) or occ < 1 or occ > len(occs):
            e('text %r occurrence %r not found (%d found)' % (t, occ, len(occs))); continue
        start = occs[occ - 1]
        spans.append((start, start + len(t), t))
        groups[group].add((url, kind, jur))
        if t != t.strip():
            e('untrimmed span %r' % t)
        if url:
            if not any(f.match(url) for f in URL_FORMS):
                e('url form %r for %r' % (url, t))
        exp = expected_nc(t)
        if kind == 'case' and exp:
            if url != exp:
                e('case url %r != %r for %r' % (url, exp, t))
        if 'caselaw.nationalarchives' in url and not exp:
            e('caselaw url without neutral citation: %r' % t)
        if 'curia.europa.eu' in url:
            m = re.search(r'\b([CT]-\d+/\d\d)\b', t)
            if not m or not url.endswith('num=' + m.group(1)):
                e('curia url mismatch %r' % t)
        if 'hudoc' in url:
            m = re.search(r'\bnos?\. (\d+/\d\d)', t)
            if not m or m.group(1) not in url:
                e('hudoc url mismatch %r' % t)
        if '/section/' in url and 'legislation.gov.uk' in url:
            m = re.search(r'(?:section|s\.|s)\s?(\d+[A-Z]*)', t)
            if not m or not url.endswith('/section/' + m.group(1)):
                e('section url mismatch %r %r' % (t, url))
            if re.search(r'\bsections\b|\bss\.', t):
                e('list/range of sections should take the Act url: %r' % t)
        if 'legislation.gov.uk' in url and '/section/' not in url and kind == 'provision':
            if not re.search(r'\bsections\b|\bss\.', t):
                e('single provision with whole-Act url: %r' % t)
        if kind == 'provision' and re.match(r'(Part|Schedule|paragraph|regulation|reg\.)\b', t) and 'legislation.gov.uk' in url:
            e('Parts/Schedules/SI provisions take no url: %r' % t)
        if 'cornell' in url:
            m = re.search(r'(\d+) U\.S\.C\. §§? ?(\d+[a-z]*(?:-\d+)?)', t)
            if not m or not url.endswith('/%s/%s' % m.groups()):
                e('usc url mismatch %r' % t)
        if 'ecfr.gov' in url and ('C.F.R' in t or 'CFR' in t):
            m = re.search(r'(\d+) C\.?F\.?R\.? (?:§ )?(\d+\.[\w-]+?)(?:\(|$)', t)
            if not m or not url.endswith('title-%s/section-%s' % m.groups()):
                e('cfr url mismatch %r' % t)
        if 'eur-lex.europa.eu/eli' in url:
            m = re.search(r'/eli/\w+/(\d{4})/(\d+)/oj', url)
            y, n = m.groups()
            nums = re.findall(r'(\d{4})/(\d+)|(\d+)/(\d{4})|(\d{2})/(\d+)/EEC', t)
            ok = any((a == y and b == n) or (d == y and c == n) or (ee and '19' + ee == y and f == n) for a, b, c, d, ee, f in nums)
            if nums and not ok:
                e('eli url number mismatch %r %r' % (t, url))
    for g, vals in groups.items():
        if len(vals) > 1:
            e('group %r inconsistent: %s' % (g, vals))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            e('overlap %r / %r' % (a[2], b[2]))
    reftexts = {s[2] for s in spans}
    for n in nots:
        if not isinstance(n, str) or not n:
            e('bad not_reference %r' % n); continue
        if n in reftexts:
            e('not_reference equals a reference text %r' % n)
        occs = occurrences(text, n)
        if not occs:
            e('not_reference not found %r' % n); continue
        free = [o for o in occs if not any(o < s[1] and o + len(n) > s[0] for s in spans)]
        if not free:
            e('not_reference %r only occurs inside references' % n)
    for m in MARKER.finditer(text):
        if m.group(0) not in nots:
            e('citation marker %r not listed' % m.group(0))
    return errs, len(refs), sum(1 for r in refs if r.get('url'))

def main():
    stems = sorted(p.stem for p in HERE.glob('[0-9][0-9].txt'))
    allerr, nref, nurl = [], 0, 0
    for s in stems:
        errs, n, u = check(s)
        allerr += errs; nref += n; nurl += u
    for x in allerr:
        print(x)
    print('%d files, %d references, %d with url, %d errors' % (len(stems), nref, nurl, len(allerr)))
    sys.exit(1 if allerr else 0)

if __name__ == '__main__':
    main()
