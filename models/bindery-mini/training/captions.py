"""Caption templates for bindery-mini (standard library only; shared by train.py and, later, the
demo/eval scripts so that training and evaluation use the same strings).

openclipart (one manifest row -> up to 4 candidates; {t} is the row's "name" when
"title_is_collection" is true, else its dc:title):
  title           "{t}"
  title_keywords  "{t}: {k1}, {k2}, ..."          (only with keywords)
  description     "{description}"                 (only with a description)
  category        "{t}, {category words}"         (category path, "/" "_" "-" -> spaces)
At training time one candidate per image is drawn per epoch (uniformly, seeded by epoch and row).
The evaluation caption (val/test retrieval queries, demo) is "title_keywords" when the row has
keywords, else "title".

Fashion-MNIST prompts ({c} = lower-cased class name; "T-shirt/top" -> "t-shirt or top"):
  FMNIST_TEMPLATES below; training draws one template per epoch, zero-shot classification
  averages the normalised embeddings of all templates per class (CLIP's prompt ensembling).
"""

import random

CLIP_TEMPLATES = ("title", "title_keywords", "description", "category")

FMNIST_TEMPLATES = (
    "a photo of a {c}",
    "a {c}",
    "a picture of a {c}",
    "a black and white photo of a {c}",
    "a low resolution photo of a {c}",
    "a {c}, an item of clothing",
)


def caption_title(row):
    return row["name"] if row.get("title_is_collection") else row["title"]


def clipart_candidates(row):
    """Ordered {template: text} for one openclipart manifest row."""
    t = caption_title(row)
    out = {"title": t}
    if row["keywords"]:
        out["title_keywords"] = f"{t}: {', '.join(row['keywords'])}"
    if row["description"]:
        out["description"] = row["description"]
    words = " ".join(row["category"].replace("/", " ").replace("_", " ").replace("-", " ").split())
    if words:
        out["category"] = f"{t}, {words}"
    return out


def eval_caption(row):
    c = clipart_candidates(row)
    return c.get("title_keywords", c["title"])


def sample_caption(row, epoch, seed):
    """Deterministic per (seed, epoch, id): the template drawn for this row this epoch."""
    c = clipart_candidates(row)
    rng = random.Random(f"{seed}:{epoch}:{row['id']}")
    names = sorted(c, key=CLIP_TEMPLATES.index)
    return c[rng.choice(names)]


def short_caption(word):
    """Round three's short caption and the everyday-words query form: "a <word>" / "an <word>"."""
    return ("an " if word[0] in "aeiou" else "a ") + word


def fmnist_class_text(name):
    return name.lower().replace("t-shirt/top", "t-shirt or top")


def fmnist_prompts(name):
    c = fmnist_class_text(name)
    return [t.format(c=c) for t in FMNIST_TEMPLATES]
