#!/usr/bin/env python3
"""Extracts real English sentences from two Debian packages for the ANN benchmark.

Sources (both unpacked from their .deb by prepare-sentences.sh):
  * wordnet-base (WordNet 3.0): every synset gloss of data.{noun,verb,adj,adv}, split at the
    semicolons outside quotes into definitions and quoted example sentences.
  * dict-gcide (GCIDE 0.48, Webster 1913 + WordNet 1.5): every paragraph of gcide.dict.dz that is
    not a headword/etymology paragraph: sense definitions and the literary quotations that
    illustrate them, with source markers ([1913 Webster]), sense numbers and trailing author
    citations (--Milton.) removed.

Sentences of 20..300 characters are kept and deduplicated across both sources on a key that
ignores case, whitespace and trailing punctuation. The order is by SHA-256 of the text (stable
across Python versions and machines); the first --queries sentences become the query set and the
next --base the base set, so the two never share a sentence.

Writes base.jsonl and queries.jsonl, one {"id", "text", "source"} per line, and prints counts as
JSON on stdout.
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import sys

MIN_CHARS = 20
MAX_CHARS = 300


def split_gloss(gloss):
    """Splits a WordNet gloss at semicolons that are not inside double quotes."""
    parts, cur, quoted = [], [], False
    for ch in gloss:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def wordnet_sentences(wordnet_dir):
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(wordnet_dir, "data." + pos)
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):  # the license header lines
                    continue
                fields = line.split(" | ", 1)
                if len(fields) < 2:
                    continue
                for part in split_gloss(fields[1].strip()):
                    part = part.strip()
                    if part.startswith('"'):
                        for example in re.findall(r'"([^"]+)"', part):
                            yield example
                    elif part:
                        yield part


# Source markers GCIDE puts after each definition or quotation, e.g. [1913 Webster], [WordNet 1.5],
# [PJC], [Century Dict.].
GCIDE_MARKER = re.compile(r"^\s*\[[^\]\n]{1,60}\]\s*$", re.M)
# A paragraph that starts with a headword and its pronunciation: "Affect \Af*fect"\, v. t. [...]".
GCIDE_HEADWORD = re.compile(r"^\S[^\n]*?\\[^\\\n]+\\")
GCIDE_CITATION = re.compile(r"\s*--\s*[A-Z0-9][^\"]{0,60}$")
GCIDE_SENSE = re.compile(r"^\d+\.\s*(\([^)]*\)\s*)?")
GCIDE_BRACKETS = re.compile(r"\[[^\]]*\]")


def gcide_sentences(dict_dz):
    # dictzip files are gzip files with an extra header field; gzip reads them whole.
    with gzip.open(dict_dz, "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    # Skip the 00-database-* entries and the license text of each letter file.
    for para in re.split(r"\n\s*\n", text):
        para = GCIDE_MARKER.sub("", para)
        lines = [l.strip() for l in para.strip().split("\n") if l.strip()]
        if not lines:
            continue
        s = " ".join(lines)
        if GCIDE_HEADWORD.match(s) or s.startswith(("Syn:", "Note:", "00-database", "Begin file")):
            continue
        if "GCIDE" in s or "General Public License" in s or "* * *" in s:
            continue
        s = GCIDE_CITATION.sub("", s)
        s = GCIDE_SENSE.sub("", s)
        s = GCIDE_BRACKETS.sub("", s)
        s = s.replace("{", "").replace("}", "")
        yield s


def normalize(s):
    return re.sub(r"\s+", " ", s).strip()


def dedup_key(s):
    return re.sub(r"[\s.;,:!?]+$", "", s.casefold())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--wordnet", required=True, help="folder with WordNet's data.noun etc.")
    ap.add_argument("--gcide", required=True, help="gcide.dict.dz")
    ap.add_argument("--out", required=True, help="folder for base.jsonl and queries.jsonl")
    ap.add_argument("--base", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=1_000)
    args = ap.parse_args()

    seen = {}
    counts = {"wordnet_raw": 0, "gcide_raw": 0}
    for source, gen in (
        ("wordnet", wordnet_sentences(args.wordnet)),
        ("gcide", gcide_sentences(args.gcide)),
    ):
        for raw in gen:
            counts[source + "_raw"] += 1
            s = normalize(raw)
            if not (MIN_CHARS <= len(s) <= MAX_CHARS) or "\ufffd" in s:
                continue
            seen.setdefault(dedup_key(s), (s, source))
    unique = sorted(seen.values(), key=lambda t: hashlib.sha256(t[0].encode("utf-8")).hexdigest())
    need = args.base + args.queries
    if len(unique) < need:
        sys.exit(f"only {len(unique)} unique sentences, {need} needed (--base + --queries)")
    os.makedirs(args.out, exist_ok=True)
    chosen = {"queries": unique[: args.queries], "base": unique[args.queries : need]}
    for name, rows in chosen.items():
        path = os.path.join(args.out, name + ".jsonl")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            for i, (s, source) in enumerate(rows):
                f.write(json.dumps({"id": i, "text": s, "source": source}, ensure_ascii=False))
                f.write("\n")
        os.replace(path + ".tmp", path)
    counts["unique"] = len(unique)
    for name, rows in chosen.items():
        counts[name] = len(rows)
        counts[name + "_by_source"] = {
            src: sum(1 for _, s in rows if s == src) for src in ("wordnet", "gcide")
        }
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
