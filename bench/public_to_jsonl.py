#!/usr/bin/env python3
"""Convert a public data file to JSON Lines for `legists evaluate --public`
and the draft's ROUGE test. Standard library only.

  public_to_jsonl.py csv   AGGREFACT.csv   (doc, summary, label, dataset, origin, cut, model_name)
  public_to_jsonl.py xlsx  UNIFIED.xlsx    (one sheet per origin and error kind; no documents)
  public_to_jsonl.py cnndm SAMPLE.zip      (a CSV of id, article, highlights inside a zip)
  public_to_jsonl.py faithbench FaithBench.csv  (source, summary, LLM, worst-label, best-label)

FaithBench has no splits: a summary goes to "val" or "test" by a hash of
its source text (SHA-1, first byte even: val), so the summaries of one
source share a split. Labels from worst-label: Unwanted -> 0 (inconsistent),
Consistent and Benign -> 1; Questionable -> no label (skipped).

Each output line is one object; the fields the evaluator reads are
dataset, origin, cut, model_name, doc, summary, label (1 consistent,
0 not) and error_type.
"""
import csv
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

csv.field_size_limit(1 << 30)
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
KEEP = ("dataset", "origin", "cut", "model_name", "doc", "summary", "label", "error_type", "id")


def emit(row):
    sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def from_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            row = {k: r[k] for k in KEEP if k in r}
            if "label" in row:
                row["label"] = int(float(row["label"]))
            emit(row)


def col(ref):
    return re.match(r"[A-Z]+", ref).group(0)


def from_xlsx(path):
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])) for si in root.findall("m:si", NS)]
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    names = [s.get("name") for s in wb.find("m:sheets", NS)]
    for i, name in enumerate(names, 1):
        root = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % i))
        header = None
        for r in root.iter("{%s}row" % NS["m"]):
            cells = {}
            for c in r.findall("m:c", NS):
                t = c.get("t")
                if t == "inlineStr":
                    v = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
                else:
                    v = c.findtext("m:v", default="", namespaces=NS)
                    if t == "s" and v:
                        v = shared[int(v)]
                cells[col(c.get("r"))] = v
            if header is None:
                header = cells
                continue
            row = {header[k]: v for k, v in cells.items() if k in header}
            if "summ" in row:
                row["summary"] = row.pop("summ")
            row["sheet"] = name
            row["origin"] = "cnndm" if name.startswith("cnn") else "xsum"
            if row.get("label", "") != "":
                row["label"] = int(float(row["label"]))
            emit(row)


def from_cnndm(path):
    z = zipfile.ZipFile(path)
    for name in z.namelist():
        if not name.endswith(".csv"):
            continue
        with z.open(name) as f:
            lines = (l.decode("utf-8") for l in f)
            for r in csv.DictReader(lines):
                emit({"id": r["id"], "article": r["article"], "highlights": r["highlights"]})


def from_faithbench(path):
    import hashlib
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            worst = r["worst-label"].strip()
            label = {"Unwanted": 0, "Consistent": 1, "Benign": 1}.get(worst)
            h = hashlib.sha1(r["source"].encode("utf-8")).digest()[0]
            row = {"dataset": "FaithBench", "origin": "llm", "cut": "val" if h % 2 == 0 else "test",
                   "model_name": r["LLM"], "doc": r["source"], "summary": r["summary"],
                   "error_type": worst}
            if label is not None:
                row["label"] = label
            emit(row)


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    {"csv": from_csv, "xlsx": from_xlsx, "cnndm": from_cnndm, "faithbench": from_faithbench}[kind](path)
