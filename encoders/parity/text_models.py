#!/usr/bin/python3
"""Tiny random-weight text towers with the signatures Bindery's text formats expect, plus goldens.

Writes under OUT/text/:
  tiny-bert/model.onnx            sentence-transformer signature: input_ids, attention_mask,
                                  token_type_ids int64 [B,T] -> last_hidden_state float [B,T,32]
  tiny-clip-text/model.onnx       clip-text signature (Hugging Face / Optimum style): input_ids,
                                  attention_mask int64 [B,T] -> text_embeds [B,16] (projected at the
                                  highest token id, CLIP's EOT) and last_hidden_state [B,T,32]
  tiny-imagebind-text/model.onnx  imagebind-text signature: text int64 [B,77] -> embeddings [B,24]
  */bindery-model.json            manifests for them
  tiny-tokenizer.json             a small BERT-style WordPiece tokenizer (ids < 1000) so real text
                                  also runs through the tiny models; the goldens feed fixed ids
  text_golden.json                the fixed token ids and the torch reference outputs after
                                  pooling (mean / cls / eos) and L2 normalization

Deterministic (fixed seeds); every file is small. Run with Debian's python3 (torch 1.13, onnx).
"""
import argparse
import json
import math
import os

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 1000
HIDDEN = 32
HEADS = 2
FF = 64
CLIP_DIM = 16
IMAGEBIND_DIM = 24
CONTEXT = 77
TOKENIZER = "../tiny-tokenizer.json"
COMMON_WORDS = """a an the of on in at to for with and or is are was were be been it its this that
these those there here what which who how why when where do does did can could will would should
cat cats dog dogs kitten puppy sofa couch man woman child children people person boy girl photo
picture image drawing painting car bike bicycle road street city house room table chair bed water
sea lake river beach mountain mountains snow tree trees forest park grass flower flowers sky sun
night day morning evening red blue green yellow black white small large big old new young sitting
standing walking running playing reading eating riding sleeping resting holding looking under over
near next front behind top bottom inside outside food pizza cake coffee bread fruit market stock
falls sharply news music song sound voice speech dance book books computer phone screen""".split()


class Block(nn.Module):
    """One post-norm transformer encoder layer written out in plain ops (exports cleanly)."""

    def __init__(self):
        super().__init__()
        self.q = nn.Linear(HIDDEN, HIDDEN)
        self.k = nn.Linear(HIDDEN, HIDDEN)
        self.v = nn.Linear(HIDDEN, HIDDEN)
        self.o = nn.Linear(HIDDEN, HIDDEN)
        self.ln1 = nn.LayerNorm(HIDDEN)
        self.ff1 = nn.Linear(HIDDEN, FF)
        self.ff2 = nn.Linear(FF, HIDDEN)
        self.ln2 = nn.LayerNorm(HIDDEN)

    def forward(self, x, additive_mask):
        b, t = x.size(0), x.size(1)
        hd = HIDDEN // HEADS

        def heads(y):
            return y.reshape(b, t, HEADS, hd).transpose(1, 2)

        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + additive_mask
        att = torch.softmax(scores, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        x = self.ln1(x + self.o(y))
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


class TinyBert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(VOCAB, HIDDEN)
        self.pos = nn.Parameter(torch.randn(64, HIDDEN) * 0.1)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN)
        self.block = Block()

    def forward(self, input_ids, attention_mask, token_type_ids):
        t = input_ids.size(1)
        x = self.word(input_ids) + self.pos[:t].unsqueeze(0) + self.token_type(token_type_ids)
        x = self.ln(x)
        add = ((1.0 - attention_mask.to(torch.float32)) * -10000.0)[:, None, None, :]
        return self.block(x, add)


class TinyClipText(nn.Module):
    """CLIP-like: causal attention, final LayerNorm, pool at argmax(input_ids), project."""

    def __init__(self, dim, with_mask):
        super().__init__()
        self.with_mask = with_mask
        self.word = nn.Embedding(VOCAB, HIDDEN)
        self.pos = nn.Parameter(torch.randn(CONTEXT, HIDDEN) * 0.1)
        self.register_buffer("causal", torch.triu(torch.full((CONTEXT, CONTEXT), -10000.0), 1))
        self.block = Block()
        self.ln_final = nn.LayerNorm(HIDDEN)
        self.proj = nn.Parameter(torch.randn(HIDDEN, dim) / math.sqrt(HIDDEN))

    def hidden(self, input_ids, attention_mask=None):
        t = input_ids.size(1)
        x = self.word(input_ids) + self.pos[:t].unsqueeze(0)
        add = self.causal[:t, :t][None, None, :, :]
        if attention_mask is not None:
            add = add + ((1.0 - attention_mask.to(torch.float32)) * -10000.0)[:, None, None, :]
        return self.ln_final(self.block(x, add))

    def pooled(self, input_ids, hidden):
        # CLIP pools at the end-of-text token, which has the highest id in the vocabulary.
        eot = input_ids.argmax(dim=-1)
        idx = eot[:, None, None].expand(-1, 1, hidden.size(2))
        return hidden.gather(1, idx).squeeze(1)

    def forward(self, input_ids, attention_mask=None):
        h = self.hidden(input_ids, attention_mask if self.with_mask else None)
        return self.pooled(input_ids, h) @ self.proj, h


class TinyImageBindText(nn.Module):
    def __init__(self):
        super().__init__()
        self.clip = TinyClipText(IMAGEBIND_DIM, with_mask=False)

    def forward(self, text):
        return self.clip(text)[0]


def tiny_tokenizer():
    """A BERT-style WordPiece tokenizer.json with a vocabulary small enough for the tiny models."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789")
    vocab = specials + chars + list(".,!?'-:;()\"/&") + ["##" + c for c in chars]
    vocab += [w for w in COMMON_WORDS if w not in vocab]
    assert len(vocab) < VOCAB
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(specials)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }


def normalize(x):
    return F.normalize(x, p=2.0, dim=-1, eps=1e-12)


def pad(seqs, length=None, pad_id=0):
    t = length or max(len(s) for s in seqs)
    ids = torch.full((len(seqs), t), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(seqs), t), dtype=torch.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.int64)
        mask[i, : len(s)] = 1
    return ids, mask


def manifest(name, fmt, dim, inputs, output, pooling, max_length):
    return {
        "name": name,
        "version": "1",
        "license": "Apache-2.0",
        "description": "tiny random-weight test model written by encoders/parity/text_models.py",
        "space": name,
        "dimension": dim,
        "towers": {
            "text": {
                "format": fmt,
                "onnx": "model.onnx",
                "tokenizer": TOKENIZER,
                "inputs": inputs,
                "output": output,
                "pooling": pooling,
                "normalize": True,
                "preprocess": {"maxLength": max_length},
            }
        },
    }


def export(model, args, path, input_names, output_names, dynamic_axes):
    torch.onnx.export(
        model,
        args,
        path,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=14,
        do_constant_folding=True,
    )
    onnx.checker.check_model(onnx.load(path))


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def rows(t):
    return [[float(v) for v in r] for r in t]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    out = os.path.join(ap.parse_args().out, "text")
    torch.manual_seed(20261127)
    gen = torch.Generator().manual_seed(7)
    golden = {}
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "tiny-tokenizer.json"), tiny_tokenizer())

    # --- sentence-transformer -------------------------------------------------------------
    bert = TinyBert().eval()
    lengths = [3, 7, 12, 5, 9]
    seqs = [[101 % VOCAB] + torch.randint(5, VOCAB, (n - 2,), generator=gen).tolist() + [102]
            for n in lengths]
    ids, mask = pad(seqs)
    types = torch.zeros_like(ids)
    with torch.no_grad():
        hidden = bert(ids, mask, types)
    m = mask.unsqueeze(-1).to(torch.float32)
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    golden["bert"] = {
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "token_type_ids": types.tolist(),
        "mean_normalized": rows(normalize(mean)),
        "cls_normalized": rows(normalize(hidden[:, 0])),
    }
    d = os.path.join(out, "tiny-bert")
    os.makedirs(d, exist_ok=True)
    axes = {0: "batch", 1: "tokens"}
    export(bert, (ids, mask, types), os.path.join(d, "model.onnx"),
           ["input_ids", "attention_mask", "token_type_ids"], ["last_hidden_state"],
           {"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
            "last_hidden_state": axes})
    write_json(os.path.join(d, "bindery-model.json"),
               manifest("tiny-bert", "sentence-transformer", HIDDEN,
                        {"input_ids": "input_ids", "attention_mask": "attention_mask",
                         "token_type_ids": "token_type_ids"},
                        "last_hidden_state", "mean", 64))

    # --- clip-text (Hugging Face / Optimum text_model.onnx signature) --------------------------
    sot, eot = VOCAB - 2, VOCAB - 1
    clip = TinyClipText(CLIP_DIM, with_mask=True).eval()
    lengths = [4, 9, 2, 15, 6]
    seqs = [[sot] + torch.randint(1, sot, (n - 2,), generator=gen).tolist() + [eot]
            for n in lengths]
    ids, mask = pad(seqs)
    with torch.no_grad():
        embeds, hidden = clip(ids, mask)
    eos = clip.pooled(ids, hidden)
    golden["clip"] = {
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "text_embeds_normalized": rows(normalize(embeds)),
        "eos_hidden_normalized": rows(normalize(eos)),
    }
    d = os.path.join(out, "tiny-clip-text")
    os.makedirs(d, exist_ok=True)
    export(clip, (ids, mask), os.path.join(d, "model.onnx"),
           ["input_ids", "attention_mask"], ["text_embeds", "last_hidden_state"],
           {"input_ids": axes, "attention_mask": axes, "text_embeds": {0: "batch"},
            "last_hidden_state": axes})
    write_json(os.path.join(d, "bindery-model.json"),
               manifest("tiny-clip-text", "clip-text", CLIP_DIM,
                        {"input_ids": "input_ids", "attention_mask": "attention_mask"},
                        "text_embeds", "none", CONTEXT))

    # --- imagebind-text: text int64 [B,77] zero-padded -> embeddings [B,24] ---------------------
    ib = TinyImageBindText().eval()
    ids, _ = pad(seqs, length=CONTEXT)
    with torch.no_grad():
        emb = ib(ids)
    golden["imagebind"] = {"text": ids.tolist(), "embeddings_normalized": rows(normalize(emb))}
    d = os.path.join(out, "tiny-imagebind-text")
    os.makedirs(d, exist_ok=True)
    export(ib, (ids,), os.path.join(d, "model.onnx"), ["text"], ["embeddings"],
           {"text": {0: "batch"}, "embeddings": {0: "batch"}})
    write_json(os.path.join(d, "bindery-model.json"),
               manifest("tiny-imagebind-text", "imagebind-text", IMAGEBIND_DIM,
                        {"text": "text"}, "embeddings", "none", CONTEXT))

    golden["torch_version"] = torch.__version__
    write_json(os.path.join(out, "text_golden.json"), golden)
    for root, _, names in os.walk(out):
        for n in sorted(names):
            p = os.path.join(root, n)
            print(f"{os.path.relpath(p, out):40s} {os.path.getsize(p):>8d} bytes")


if __name__ == "__main__":
    main()
