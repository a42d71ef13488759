#!/usr/bin/python3
"""Tiny signature-identical towers, test videos and video goldens for Bindery's encoders.

Writes under OUT/towers/:
  imagebind/   six ImageBind towers (vision, video, text, audio, depth, thermal, imu) as tiny
               random-weight ONNX models with ImageBind's input names and shapes, output
               "embeddings" [B,1024]; a bindery-model.json naming them; a tiny tokenizer.json;
               golden.json: each tower's output on a deterministic pattern input (see pattern()).
  hf-clip/     a Hugging Face / Optimum CLIP export layout: text_model.onnx (input_ids,
               attention_mask -> text_embeds [B,512], last_hidden_state), vision_model.onnx
               (pixel_values -> image_embeds [B,512], last_hidden_state), preprocessor_config.json
               with CLIP's real values, a tiny WordLevel tokenizer.json; golden.json.
  video/       two short clips made with ffmpeg (H.264/AAC MP4, VP8/Vorbis WebM), reference frame
               timestamps (ffprobe), reference frames (ffmpeg rgb24) at a few indices as PNG,
               16 kHz mono audio (ffmpeg) subsampled, ImageBind video preprocessing goldens on
               synthetic frames, and the tiny video tower's per-clip embeddings of the reference
               pipeline (ffmpeg decode -> ImageBind clip sampling -> preprocessing -> torch model).

Deterministic: fixed seeds, fixed ffmpeg settings (bitexact flags). Python reference code here
re-states the math of pytorchvideo's ConstantClipsPerVideoSampler, EncodedVideoDecord.get_clip,
uniform_temporal_subsample, short_side_scale (torch bilinear, align_corners=False), NormalizeVideo
and ImageBind's SpatialCrop/uniform_crop (pytorchvideo itself is not packaged in Debian).
Usage: /usr/bin/python3 tiny_towers.py --out DIR
"""
import argparse
import io
import json
import math
import os
import re
import subprocess
from fractions import Fraction

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
OPSET = 14
EMBED = 1024


def pattern(shape, salt):
    """Deterministic inputs in [-1, 1) that Java recomputes exactly (Knuth multiplicative hash)."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(salt * 40503)) % np.uint64(2 ** 32)
    return (h.astype(np.float64) / 4294967296.0 * 2.0 - 1.0).astype(np.float32).reshape(shape)


def pattern_ids(shape, salt, vocab):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(salt * 40503)) % np.uint64(2 ** 32)
    return (h % np.uint64(vocab)).astype(np.int64).reshape(shape)


# ---------------------------------------------------------------- tiny ImageBind towers
class TinyVision(nn.Module):
    """ImageBind vision: PadIm2Video(repeat, 2) then a Conv3d patch embedding of kernel (2,14,14)."""

    def __init__(self, video):
        super().__init__()
        self.video = video
        self.patch = nn.Conv3d(3, 4, kernel_size=(2, 14, 14), stride=(2, 14, 14), bias=False)
        self.head = nn.Linear(16, EMBED)

    def forward(self, vision):
        x = vision if self.video else vision.unsqueeze(2).repeat(1, 1, 2, 1, 1)
        x = F.gelu(self.patch(x))  # [B,4,1,16,16]
        x = F.avg_pool3d(x, kernel_size=(1, 8, 8))  # [B,4,1,2,2]
        return self.head(x.flatten(1))


class TinyText(nn.Module):
    """ImageBind text: [B,77] int64 ids, pooled at the end-of-text token (the highest id)."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(256, 8)
        self.mix = nn.Linear(8, 8)
        self.head = nn.Linear(8, EMBED)

    def forward(self, text):
        e = self.emb(torch.remainder(text, 256))  # [B,77,8]
        h = torch.tanh(self.mix(causal_mean(e, text)))
        return self.head(pool_at(h, text.argmax(dim=-1)))


def causal_mean(e, ids):
    """Mean of the embeddings up to each position: context like CLIP's causal attention, so the
    end-of-text position sees the whole text and nothing after it (padding cannot change it)."""
    pos = torch.cumsum(torch.ones_like(ids, dtype=torch.float32), dim=1).unsqueeze(-1)
    return torch.cumsum(e, dim=1) / pos


def pool_at(h, index):
    return h.gather(1, index.view(-1, 1, 1).expand(-1, 1, h.shape[2])).squeeze(1)


class TinyPool2d(nn.Module):
    """One-channel images / spectrograms: average pooling to a small grid, then an MLP."""

    def __init__(self, channels, grid, hidden=16):
        super().__init__()
        self.grid = grid
        self.fc = nn.Linear(channels * grid[0] * grid[1], hidden)
        self.head = nn.Linear(hidden, EMBED)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(x, self.grid)
        return self.head(F.gelu(self.fc(x.flatten(1))))


class TinyImu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(6, 8, kernel_size=40, stride=40)
        self.head = nn.Linear(16, EMBED)

    def forward(self, imu):
        x = F.gelu(self.conv(imu))  # [B,8,50]
        x = F.avg_pool1d(x, 25)  # [B,8,2]
        return self.head(x.flatten(1))


class Named(nn.Module):
    """Gives the ONNX input the ImageBind modality name."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)


class Rows:
    """Golden vectors, saved together as embeddings.npy [rows, dim]; golden.json holds row numbers."""

    def __init__(self):
        self.rows = []

    def add(self, v):
        self.rows.append(np.asarray(v, dtype=np.float32).reshape(-1))
        return len(self.rows) - 1

    def save(self, path):
        np.save(path, np.stack(self.rows))


def export(model, example, path, input_names, output_names, dynamic):
    model.eval()
    torch.onnx.export(
        model,
        example,
        path,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic,
        opset_version=OPSET,
        do_constant_folding=True,
    )
    size = os.path.getsize(path)
    assert size < 1_000_000, f"{path} is {size} bytes"


def imagebind(out_dir, tokenizer):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    vision = TinyVision(video=False)
    video = TinyVision(video=True)
    video.load_state_dict(vision.state_dict())  # same weights: an image is a 2-frame still video
    torch.manual_seed(1235)
    text = TinyText()
    torch.manual_seed(1236)
    audio = TinyPool2d(1, (8, 12))
    torch.manual_seed(1237)
    depth = TinyPool2d(1, (4, 4))
    torch.manual_seed(1238)
    thermal = TinyPool2d(1, (4, 4))
    torch.manual_seed(1239)
    imu = TinyImu()
    towers = {
        # modality: (module, onnx file, input name, example shape, dtype, salt)
        "image": (vision, "vision.onnx", "vision", (1, 3, 224, 224), "f", 1),
        "video": (video, "video.onnx", "vision", (1, 3, 2, 224, 224), "f", 2),
        "text": (text, "text.onnx", "text", (1, 77), "i", 3),
        "audio": (audio, "audio.onnx", "audio", (1, 1, 128, 204), "f", 4),
        "depth": (depth, "depth.onnx", "depth", (1, 1, 224, 224), "f", 5),
        "thermal": (thermal, "thermal.onnx", "thermal", (1, 1, 224, 224), "f", 6),
        "imu": (imu, "imu.onnx", "imu", (1, 6, 2000), "f", 7),
    }
    golden = {"embeddings": "embeddings.npy"}
    rows = Rows()
    for modality, (module, file, name, shape, dtype, salt) in towers.items():
        example = (
            torch.from_numpy(pattern_ids(shape, salt, 49408))
            if dtype == "i"
            else torch.from_numpy(pattern(shape, salt))
        )
        if dtype == "i":
            example[0, 0] = 49406  # start of text
            example[0, 40] = 49407  # end of text: the highest id, where ImageBind pools
            example[0, 41:] = 0  # ImageBind pads with zeros
        export(
            Named(module),
            (example,),
            os.path.join(out_dir, file),
            [name],
            ["embeddings"],
            {name: {0: "batch"}, "embeddings": {0: "batch"}},
        )
        with torch.no_grad():
            emb = module(example)[0].numpy()
        entry = {"onnx": file, "input": name, "shape": list(shape), "salt": salt}
        if dtype == "i":
            entry["dtype"] = "int64"
            entry["vocab"] = 49408
            entry["set"] = {"0,0": 49406, "0,40": 49407, "0,41:": 0}
        else:
            entry["dtype"] = "float32"
        entry["embedding"] = rows.add(emb)
        golden[modality] = entry
    # texts through the tiny tokenizer, padded with 0 to 77 as ImageBind's SimpleTokenizer does
    golden["texts"] = []
    for sentence in GOLDEN_TEXTS:
        ids = tokenize(tokenizer, sentence)
        row = np.zeros((1, 77), dtype=np.int64)
        row[0, : len(ids)] = ids
        with torch.no_grad():
            emb = text(torch.from_numpy(row))[0].numpy()
        golden["texts"].append(
            {"text": sentence, "ids": ids, "embedding": rows.add(emb)}
        )
    # a uniform colour image: CLIP's resize/crop keep it uniform, so any correct preprocessing
    # gives exactly normalize(colour) in every pixel
    colour = (200, 100, 50)
    px = torch.tensor(
        [(colour[c] / 255.0 - CLIP_MEAN[c]) / CLIP_STD[c] for c in range(3)], dtype=torch.float32
    ).view(1, 3, 1, 1).expand(1, 3, 224, 224)
    with torch.no_grad():
        golden["uniformImage"] = {
            "rgb": list(colour),
            "width": 320,
            "height": 200,
            "embedding": rows.add(vision(px)[0].numpy()),
        }
    rows.save(os.path.join(out_dir, "embeddings.npy"))
    write_json(os.path.join(out_dir, "golden.json"), golden)
    write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer)
    manifest = {
        "name": "imagebind-tiny-test",
        "version": "1",
        "license": "CC-BY-NC-4.0",
        "description": "Random-weight stand-in with ImageBind's tower signatures (tests only)",
        "space": "imagebind-huge",
        "dimension": EMBED,
        "towers": {
            "image": {
                "format": "imagebind-vision",
                "onnx": "vision.onnx",
                "inputs": {"pixel_values": "vision"},
                "output": "embeddings",
                "preprocess": {"size": 224, "crop": 224, "resample": "bicubic",
                               "mean": list(CLIP_MEAN), "std": list(CLIP_STD)},
            },
            "video": {
                "format": "imagebind-video",
                "onnx": "video.onnx",
                "inputs": {"pixel_values": "vision"},
                "output": "embeddings",
                "preprocess": {"size": 224, "crop": 224, "clipDuration": 2.0,
                               "clipsPerVideo": 5, "framesPerClip": 2, "spatialCrops": 3,
                               "batchSize": 8,
                               "mean": list(CLIP_MEAN), "std": list(CLIP_STD)},
            },
            "text": {
                "format": "imagebind-text",
                "onnx": "text.onnx",
                "tokenizer": "tokenizer.json",
                "inputs": {"text": "text"},
                "output": "embeddings",
                "preprocess": {"maxLength": 77},
            },
            "audio": {
                "format": "imagebind-audio",
                "onnx": "audio.onnx",
                "inputs": {"audio": "audio"},
                "output": "embeddings",
                "preprocess": {"sampleRate": 16000, "numMelBins": 128, "targetLength": 204,
                               "clipDuration": 2.0, "clipsPerInput": 3,
                               "mean": -4.268, "std": 9.138},
            },
            "depth": {
                "format": "imagebind-depth",
                "onnx": "depth.onnx",
                "inputs": {"pixel_values": "depth"},
                "output": "embeddings",
                # ImageBind publishes no depth normalisation; test values
                "preprocess": {"mean": 0.5, "std": 0.25},
            },
            "thermal": {
                "format": "imagebind-thermal",
                "onnx": "thermal.onnx",
                "inputs": {"pixel_values": "thermal"},
                "output": "embeddings",
            },
            "imu": {
                "format": "imagebind-imu",
                "onnx": "imu.onnx",
                "inputs": {"imu": "imu"},
                "output": "embeddings",
            },
        },
    }
    write_json(os.path.join(out_dir, "bindery-model.json"), manifest)
    return video


# ---------------------------------------------------------------- tiny HF / Optimum CLIP
class TinyClipText(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(256, 16)
        self.mix = nn.Linear(16, 16)
        self.proj = nn.Linear(16, 512, bias=False)

    def forward(self, input_ids, attention_mask):
        e = self.emb(torch.remainder(input_ids, 256))
        e = e * attention_mask.unsqueeze(-1).to(torch.float32)
        h = torch.tanh(self.mix(causal_mean(e, input_ids)))
        # CLIP pools at the end-of-text token, the highest id in its vocabulary
        return self.proj(pool_at(h, input_ids.argmax(dim=-1))), h


class TinyClipVision(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, 16, kernel_size=4, stride=4, bias=False)
        self.proj = nn.Linear(16, 512, bias=False)

    def forward(self, pixel_values):
        x = F.avg_pool2d(pixel_values, 8)  # [B,3,28,28]: keeps the file tiny
        h = F.gelu(self.patch(x)).flatten(2).transpose(1, 2)  # [B,49,16]
        return self.proj(h.mean(dim=1)), h


def hf_clip(out_dir, tokenizer):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(4321)
    text = TinyClipText()
    torch.manual_seed(4322)
    vision = TinyClipVision()
    ids = torch.tensor([tokenize(tokenizer, "a photo of a cat")])
    export(
        text,
        (ids, torch.ones_like(ids)),
        os.path.join(out_dir, "text_model.onnx"),
        ["input_ids", "attention_mask"],
        ["text_embeds", "last_hidden_state"],
        {
            "input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "sequence_length"},
            "text_embeds": {0: "batch_size"},
            "last_hidden_state": {0: "batch_size", 1: "sequence_length"},
        },
    )
    px = torch.from_numpy(pattern((1, 3, 224, 224), 11))
    export(
        vision,
        (px,),
        os.path.join(out_dir, "vision_model.onnx"),
        ["pixel_values"],
        ["image_embeds", "last_hidden_state"],
        {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"},
         "last_hidden_state": {0: "batch_size"}},
    )
    golden = {"embeddings": "embeddings.npy", "texts": []}
    rows = Rows()
    for sentence in GOLDEN_TEXTS:
        t = torch.tensor([tokenize(tokenizer, sentence)])
        with torch.no_grad():
            emb = text(t, torch.ones_like(t))[0][0].numpy()
        golden["texts"].append(
            {"text": sentence, "ids": t[0].tolist(), "embedding": rows.add(emb)}
        )
    with torch.no_grad():
        golden["pattern"] = {
            "input": "pixel_values", "shape": [1, 3, 224, 224], "salt": 11,
            "embedding": rows.add(vision(px)[0][0].numpy()),
        }
        colour = (200, 100, 50)
        u = torch.tensor(
            [(colour[c] / 255.0 - CLIP_MEAN[c]) / CLIP_STD[c] for c in range(3)],
            dtype=torch.float32,
        ).view(1, 3, 1, 1).expand(1, 3, 224, 224).contiguous()
        golden["uniformImage"] = {
            "rgb": list(colour), "width": 320, "height": 200,
            "embedding": rows.add(vision(u)[0][0].numpy()),
        }
    rows.save(os.path.join(out_dir, "embeddings.npy"))
    write_json(os.path.join(out_dir, "golden.json"), golden)
    write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer)
    # the values of openai/clip-vit-base-patch32's preprocessor_config.json
    write_json(
        os.path.join(out_dir, "preprocessor_config.json"),
        {
            "crop_size": 224,
            "do_center_crop": True,
            "do_normalize": True,
            "do_resize": True,
            "feature_extractor_type": "CLIPFeatureExtractor",
            "image_mean": list(CLIP_MEAN),
            "image_std": list(CLIP_STD),
            "resample": 3,
            "size": 224,
        },
    )


# ---------------------------------------------------------------- tiny tokenizer.json
GOLDEN_TEXTS = ["a photo of a cat", "A dog running on the grass.", "zebra xylophone"]
WORDS = ("a an the of on in at photo picture cat cats dog dogs running sitting grass sofa "
         "car red blue green man woman child video sound music night day . , ! ?").split()


def tiny_tokenizer():
    """A valid Hugging Face tokenizer.json: lowercase, whitespace split, WordLevel, and CLIP's
    start/end-of-text tokens around each sequence. End-of-text has the highest id, as in CLIP."""
    vocab = {"<|unk|>": 0}
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    sot, eot = len(vocab), len(vocab) + 1
    vocab["<|startoftext|>"] = sot
    vocab["<|endoftext|>"] = eot

    def added(i, content):
        return {"id": i, "content": content, "single_word": False, "lstrip": False,
                "rstrip": False, "normalized": False, "special": True}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(0, "<|unk|>"), added(sot, "<|startoftext|>"),
                         added(eot, "<|endoftext|>")],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<|startoftext|>", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<|startoftext|>", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
            "special_tokens": {
                "<|startoftext|>": {"id": "<|startoftext|>", "ids": [sot],
                                    "tokens": ["<|startoftext|>"]},
                "<|endoftext|>": {"id": "<|endoftext|>", "ids": [eot],
                                  "tokens": ["<|endoftext|>"]},
            },
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<|unk|>"},
    }


def tokenize(tok, text):
    """What the tokenizer.json above does: lowercase, split like HF's Whitespace pre-tokenizer
    (\\w+|[^\\w\\s]+), WordLevel lookup with unk, start/end-of-text around."""
    vocab = tok["model"]["vocab"]
    words = re.findall(r"\w+|[^\w\s]+", text.lower())
    return ([vocab["<|startoftext|>"]] + [vocab.get(w, vocab["<|unk|>"]) for w in words]
            + [vocab["<|endoftext|>"]])


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------- video reference
def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def make_videos(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    common = ["ffmpeg", "-y", "-v", "error"]
    # output options: no encoder/muxer version strings, no random Matroska UIDs
    exact = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    mp4 = os.path.join(out_dir, "testsrc.mp4")
    run(common + ["-f", "lavfi", "-i", "testsrc=duration=5:size=320x240:rate=25",
                  "-f", "lavfi", "-i", "sine=frequency=440:duration=5:sample_rate=44100",
                  "-c:v", "libx264", "-preset", "veryfast", "-crf", "32", "-g", "25",
                  "-pix_fmt", "yuv420p", "-threads", "1", "-c:a", "aac", "-b:a", "48k",
                  "-movflags", "+faststart"] + exact + [mp4])
    webm = os.path.join(out_dir, "testsrc.webm")
    run(common + ["-f", "lavfi", "-i", "testsrc2=duration=4.4:size=256x144:rate=30",
                  "-f", "lavfi", "-i", "sine=frequency=660:duration=4.4:sample_rate=48000",
                  "-ac", "2", "-c:v", "libvpx", "-b:v", "250k", "-g", "30", "-threads", "1",
                  "-c:a", "libvorbis", "-q:a", "1"] + exact + [webm])
    for p in (mp4, webm):
        assert os.path.getsize(p) < 300_000, (p, os.path.getsize(p))
    return {"testsrc.mp4": mp4, "testsrc.webm": webm}


def probe(path):
    info = json.loads(run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                           "stream=width,height,avg_frame_rate,start_time:format=duration",
                           "-of", "json", path]).stdout)
    st = info["streams"][0]
    num, den = st["avg_frame_rate"].split("/")
    frames = json.loads(run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "frame=best_effort_timestamp_time", "-of", "json", path]).stdout)
    # seconds from the video stream's start, the clock Bindery's decoder reports
    start = float(st.get("start_time", 0) or 0)
    times = [round(float(f["best_effort_timestamp_time"]) - start, 6) for f in frames["frames"]]
    return {"width": st["width"], "height": st["height"], "fps": int(num) / int(den),
            "duration": float(info["format"]["duration"]), "frameTimes": times}


def decode_rgb(path, width, height):
    raw = run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)


def decode_audio(path):
    raw = run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "16000",
               "-f", "f32le", "-"]).stdout
    return np.frombuffer(raw, dtype=np.float32)


def clip_windows(duration, clip_duration=2, clips_per_video=5):
    """pytorchvideo ConstantClipsPerVideoSampler, driven as ImageBind's get_clip_timepoints."""
    clip_duration = Fraction(clip_duration)
    out, index = [], 0
    while True:
        max_start = Fraction(max(duration - clip_duration, 0))
        uniform = Fraction(max_start, clips_per_video)
        start = uniform * index
        index += 1
        out.append((start, start + clip_duration))
        if index >= clips_per_video or uniform * index > max_start:
            return out


def clip_frame_indices(fps, n_frames, start, end, frames_per_clip=2):
    """EncodedVideoDecord.get_clip's frame range, then uniform_temporal_subsample."""
    start_idx = math.ceil(fps * start)
    end_idx = min(math.ceil(fps * end), n_frames)
    idx = list(range(start_idx, end_idx))
    t = len(idx)
    pick = torch.clamp(torch.linspace(0, t - 1, frames_per_clip), 0, t - 1).long().tolist()
    return [idx[p] for p in pick]


def preprocess_clip(frames_uint8, size=224, crops=3):
    """frames [T,H,W,3] uint8 -> [crops,3,T,size,size]: /255, ShortSideScale (torch bilinear,
    align_corners=False, no antialias), NormalizeVideo, SpatialCrop (uniform_crop)."""
    x = torch.from_numpy(np.ascontiguousarray(frames_uint8)).to(torch.float32)
    x = x.permute(3, 0, 1, 2) / 255.0  # C,T,H,W
    c, t, h, w = x.shape
    if w < h:
        nh, nw = int(math.floor(float(h) / w * size)), size
    else:
        nh, nw = size, int(math.floor(float(w) / h * size))
    x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False)
    mean = torch.tensor(CLIP_MEAN).view(3, 1, 1, 1)
    std = torch.tensor(CLIP_STD).view(3, 1, 1, 1)
    x = (x - mean) / std
    out = []
    for spatial in ([0, 1, 2] if crops == 3 else [1]):
        y_off = int(math.ceil((nh - size) / 2))
        x_off = int(math.ceil((nw - size) / 2))
        if nh > nw:
            y_off = {0: 0, 1: y_off, 2: nh - size}[spatial]
        else:
            x_off = {0: 0, 1: x_off, 2: nw - size}[spatial]
        out.append(x[:, :, y_off:y_off + size, x_off:x_off + size])
    return torch.stack(out)


def synthetic_frames(width, height, t_count):
    """Frames Java regenerates exactly: integer pattern per pixel, channel and frame."""
    y, x = np.mgrid[0:height, 0:width]
    frames = []
    for t in range(t_count):
        chans = [((x * 7 + y * 13 + c * 50 + t * 90 + (x * y) % 17) % 256) for c in range(3)]
        frames.append(np.stack(chans, axis=-1).astype(np.uint8))
    return np.stack(frames)


def video_goldens(out_dir, videos, video_model):
    golden = {"stride": 97, "files": {}, "synthetic": []}
    # preprocessing parity on synthetic frames (landscape downscale, portrait upscale, 1 and 3 crops)
    for (w, h, crops) in [(320, 240, 3), (144, 256, 3), (300, 200, 1)]:
        pre = preprocess_clip(synthetic_frames(w, h, 2), crops=crops).contiguous().numpy()
        name = f"synthetic_{w}x{h}_c{crops}.npy"
        np.save(os.path.join(out_dir, name), pre.reshape(-1)[::97].astype(np.float32))
        golden["synthetic"].append({"width": w, "height": h, "crops": crops,
                                    "shape": list(pre.shape), "file": name,
                                    "sum": float(pre.astype(np.float64).sum())})
    for name, path in videos.items():
        info = probe(path)
        frames = decode_rgb(path, info["width"], info["height"])
        n = frames.shape[0]
        assert n == len(info["frameTimes"]), (n, len(info["frameTimes"]))
        fps = info["fps"]
        duration = n / fps  # decord: len(reader) / avg fps
        clips = []
        views = []
        for (start, end) in clip_windows(duration):
            idx = clip_frame_indices(fps, n, start, end)
            clips.append({"start": float(start), "end": float(end), "frames": idx})
            views.append(preprocess_clip(frames[idx], crops=3))
        x = torch.cat(views)  # [clips*3, 3, 2, 224, 224]
        with torch.no_grad():
            out = video_model(x)
        out = F.normalize(out, dim=-1).view(len(clips), 3, -1)
        per_clip = F.normalize(out.mean(dim=1), dim=-1)
        item = F.normalize(out.reshape(-1, out.shape[-1]).mean(dim=0), dim=-1)
        base = os.path.splitext(name)[0] + "_" + os.path.splitext(name)[1][1:]
        np.save(os.path.join(out_dir, base + "_clips.npy"), per_clip.numpy().astype(np.float32))
        np.save(os.path.join(out_dir, base + "_item.npy"), item.numpy().astype(np.float32))
        # reference frames for decode parity: two frames as lossless PNG
        ref = []
        for i in (0, n // 2 + 1):
            png = f"{base}_frame{i}.png"
            Image.fromarray(frames[i]).save(os.path.join(out_dir, png), optimize=True)
            ref.append({"index": i, "png": png})
        audio = decode_audio(path)
        np.save(os.path.join(out_dir, base + "_audio16k_every32.npy"), audio[::32].copy())
        golden["files"][name] = {
            "width": info["width"], "height": info["height"], "fps": fps, "frames": n,
            "containerDuration": info["duration"], "frameTimes": info["frameTimes"],
            "clips": clips, "clipEmbeddings": base + "_clips.npy",
            "itemEmbedding": base + "_item.npy", "referenceFrames": ref,
            "audioSamples": len(audio), "audioEvery32": base + "_audio16k_every32.npy",
            "audioRms": float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))),
        }
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    root = os.path.join(args.out, "towers")
    tok = tiny_tokenizer()
    video_model = imagebind(os.path.join(root, "imagebind"), tok)
    hf_clip(os.path.join(root, "hf-clip"), tok)
    vdir = os.path.join(root, "video")
    videos = make_videos(vdir)
    video_goldens(vdir, videos, video_model)
    total = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    print(f"tiny_towers: wrote {root} ({total} bytes)")


if __name__ == "__main__":
    main()
