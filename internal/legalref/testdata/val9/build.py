#!/usr/bin/env python3
"""Build NN.txt and NN.json from annotated sources in src/NN.src.

Markup:
  [[text|kind|jur|group|url]]   a legal reference (group/url optional)
  {{text}}                      a look-alike that is NOT a legal reference
Citation markers "(n)", "(n, m)", "(n)(m)" are detected automatically and added to not_references.
URL shortcuts: nc, curia, hudoc, tfeu, teu, charter, echr, usc, cfr, lgs:PATH[/s], reg:, dir:, dec:, decimpl:, regimpl:, regdel:
"""
import json, re, sys, pathlib

HERE = pathlib.Path(__file__).resolve().parent
MARK = re.compile(r'\[\[(.+?)\]\]|\{\{(.+?)\}\}')
MARKER = re.compile(r'(?<=\s)\(\d{1,2}(?:, \d{1,2})*\)(?:\(\d{1,2}\))*(?=\s|$)')
NC = re.compile(r'\[(\d{4})\] (UKSC|UKPC|UKHL|EWCA Civ|EWCA Crim|EWHC|EWFC|EAT|CAT|UKUT|UKFTT) (\d+)(?: \(([A-Za-z]+)\))?')

CONST = {
    'tfeu': 'https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:12016E/TXT',
    'teu': 'https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:12016M/TXT',
    'charter': 'https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:12016P/TXT',
    'echr': 'https://www.echr.coe.int/documents/d/echr/convention_ENG',
}

def nc_url(text):
    m = NC.search(text)
    if not m:
        raise ValueError('no neutral citation in %r' % text)
    year, court, num, div = m.groups()
    parts = court.lower().split()
    if div:
        parts.append(div.lower())
    return 'https://caselaw.nationalarchives.gov.uk/' + '/'.join([parts[0]] + parts[1:] + [year, num])

def expand(url, text):
    if url == '':
        return ''
    if url.startswith('http'):
        return url
    if url in CONST:
        return CONST[url]
    if url == 'nc':
        return nc_url(text)
    if url == 'curia':
        m = re.search(r'\b([CT])-(\d+)/(\d\d)\b', text)
        return 'https://curia.europa.eu/juris/liste.jsf?num=%s-%s/%s' % m.groups()
    if url == 'hudoc':
        m = re.search(r'\bnos?\. (\d+/\d\d)\b', text)
        return 'https://hudoc.echr.coe.int/eng#{%22appno%22:[%22' + m.group(1) + '%22]}'
    if url == 'usc':
        m = re.search(r'(\d+) U\.S\.C\. §§? ?(\d+[a-z]*(?:-\d+)?)', text)
        return 'https://www.law.cornell.edu/uscode/text/%s/%s' % m.groups()
    if url == 'cfr':
        m = re.search(r'(\d+) C\.?F\.?R\.? (?:§ )?(\d+\.\d+[a-z]?-\d+|\d+\.\d+)', text)
        return 'https://www.ecfr.gov/current/title-%s/section-%s' % m.groups()
    if url.startswith('lgs:'):
        path = url[4:]
        if path.endswith('/s'):
            m = re.search(r'(?:section|s\.|s)\s?(\d+[A-Z]*)', text)
            return 'https://www.legislation.gov.uk/' + path[:-2] + '/section/' + m.group(1)
        return 'https://www.legislation.gov.uk/' + path
    for pfx, eli in (('reg:', 'reg'), ('dir:', 'dir'), ('dec:', 'dec'), ('decimpl:', 'dec_impl'),
                     ('regimpl:', 'reg_impl'), ('regdel:', 'reg_del')):
        if url.startswith(pfx):
            return 'https://eur-lex.europa.eu/eli/%s/%s/oj' % (eli, url[len(pfx):])
    raise ValueError('bad url shortcut %r' % url)

def count_before(s, sub, end):
    n, i = 0, s.find(sub)
    while i != -1 and i < end:
        n += 1
        i = s.find(sub, i + 1)
    return n

def build(src):
    raw = src.read_text(encoding='utf-8')
    out, pos, refs, nots = [], 0, [], []
    length = 0
    for m in MARK.finditer(raw):
        seg = raw[pos:m.start()]
        out.append(seg); length += len(seg)
        if m.group(1) is not None:
            f = m.group(1).split('|')
            text = f[0]
            kind, jur = f[1], f[2]
            group = f[3] if len(f) > 3 and f[3] else 'auto:%s:%s' % (kind, text.lower())
            url = expand(f[4] if len(f) > 4 else '', text)
            refs.append((length, text, kind, jur, group, url))
        else:
            text = m.group(2)
            nots.append(text)
        out.append(text); length += len(text)
        pos = m.end()
    out.append(raw[pos:])
    plain = ''.join(out)
    references = []
    for start, text, kind, jur, group, url in refs:
        assert plain[start:start + len(text)] == text
        occ = count_before(plain, text, start) + 1
        references.append({'text': text, 'occurrence': occ, 'kind': kind,
                           'jurisdiction': jur, 'group': group, 'url': url})
    markers = []
    for mm in MARKER.finditer(plain):
        if mm.group(0) not in markers:
            markers.append(mm.group(0))
    not_refs = []
    for t in nots + markers:
        if t not in not_refs:
            not_refs.append(t)
    return plain, {'references': references, 'not_references': not_refs}

def main():
    for src in sorted((HERE / 'src').glob('*.src')):
        plain, data = build(src)
        stem = src.stem
        (HERE / (stem + '.txt')).write_text(plain, encoding='utf-8')
        (HERE / (stem + '.json')).write_text(json.dumps(data, ensure_ascii=False, indent=1) + '\n', encoding='utf-8')
        print(stem, len(plain.split()), 'words', len(data['references']), 'refs')

if __name__ == '__main__':
    main()
