#!/usr/bin/env python3
"""Audio and IMU parity fixtures for Bindery's encoders (ImageBind audio / IMU towers).

Makes real audio (espeak-ng speech, freedesktop sound-theme clips transcoded by ffmpeg to FLAC,
MP3, Ogg Vorbis and a 44.1 kHz stereo WAV) in encoders/parity/audio/ (the tests read it from
there) and computes goldens with the reference libraries into --out/audio/:

  <name>.16k.npy        torchaudio.functional.resample(mean over channels of the decoded file, sr -> 16000)
  <name>.fbank.npy      torchaudio.compliance.kaldi.fbank(<name>.16k, ImageBind settings), [frames, 128]
  stereo44k.fbank64.npy the same fbank computed by torchaudio in float64 (rounded to float32)
  <name>.imagebind.npy  ImageBind's load_and_transform_audio_data for one file, [3, 1, 128, 204]
  sound*.16k.npy        decoding reference for the compressed variants (lossless source at 16 kHz)
  imagebind_audio_tiny.onnx  random-weight model, input audio [N,1,128,204] -> audio_embeds [N,1024]
  imagebind_audio_tiny.rows.npy / .emb.npy  its outputs on speech_long.imagebind.npy (rows; mean, L2)
  imu_trace.npy / imu_trace.csv, imagebind_imu_tiny.onnx, imagebind_imu_tiny.emb.npy  (IMU)

Deterministic: fixed seeds, fixed espeak-ng text, ffmpeg with bitexact flags. Run with Debian's
/usr/bin/python3 (python3-torch, python3-torchaudio, python3-onnx, python3-numpy).
"""
import argparse
import fractions
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
SR = 16000
SENTENCES = {
    "speech_short": "A dog barks.",
    "speech_mid": "The train leaves the station at noon.",
    "speech_long": "Seven green birds sing above the quiet river.",
}
SOUNDS = {"sound1": "alarm-clock-elapsed.oga", "sound2": "service-login.oga"}
FREEDESKTOP = "/usr/share/sounds/freedesktop/stereo"
BITEXACT = ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def read_wav(path):
    """PCM16 WAV -> float32 [channels, frames], scaled like torchaudio.load (s / 32768)."""
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, path
        ch, sr, n = w.getnchannels(), w.getframerate(), w.getnframes()
        x = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float32) / 32768.0
    return torch.from_numpy(x.reshape(-1, ch).T.copy()), sr


def load(path):
    """torchaudio.load where a backend is there; checked against the plain WAV reader."""
    ref, sr = read_wav(path)
    try:
        wav, sr2 = torchaudio.load(path)
        assert sr2 == sr and torch.equal(wav, ref), "torchaudio.load disagrees with the WAV reader"
    except (RuntimeError, ImportError) as e:  # no torchaudio I/O backend installed
        print("  (torchaudio.load unavailable: %s; using the WAV reader)" % e, file=sys.stderr)
    return ref, sr


def trim_wav(src, dst, max_seconds):
    with wave.open(src, "rb") as r:
        params = r.getparams()
        frames = r.readframes(min(r.getnframes(), int(max_seconds * r.getframerate())))
    with wave.open(dst, "wb") as w:
        w.setparams(params)
        w.writeframes(frames)


def to16k(wav, sr, dtype=torch.float32):
    mono = wav.mean(dim=0, keepdim=True)
    if sr != SR:
        mono = torchaudio.functional.resample(mono.to(dtype), orig_freq=sr, new_freq=SR).float()
    return mono


def fbank(mono16k):
    # ImageBind's waveform2melspec settings.
    return torchaudio.compliance.kaldi.fbank(
        mono16k, htk_compat=True, sample_frequency=SR, use_energy=False, window_type="hanning",
        num_mel_bins=128, dither=0.0, frame_length=25, frame_shift=10)


class ConstantClipsPerVideoSampler:
    """pytorchvideo.data.clip_sampling.ConstantClipsPerVideoSampler (augs_per_clip=1), rewritten."""

    def __init__(self, clip_duration, clips_per_video):
        self.clip_duration = fractions.Fraction(clip_duration)
        self.clips = clips_per_video
        self.index = 0

    def __call__(self, last_clip_time, video_duration):
        max_start = fractions.Fraction(max(video_duration - self.clip_duration, 0))
        uniform = fractions.Fraction(max_start, self.clips)
        start = uniform * self.index
        self.index += 1
        last = self.index >= self.clips or uniform * self.index > max_start
        if last:
            self.index = 0
        return start, start + self.clip_duration, last


def imagebind_audio(wav, sr, num_mel_bins=128, target_length=204, clip_duration=2, clips=3,
                    mean=-4.268, std=9.138, resample_dtype=torch.float32):
    """ImageBind's load_and_transform_audio_data for one file, after loading (mono downmix first)."""
    waveform = to16k(wav, sr, resample_dtype)
    sampler = ConstantClipsPerVideoSampler(clip_duration, clips)
    duration = waveform.size(1) / SR
    points, end, last = [], 0.0, False
    while not last:
        start, end, last = sampler(end, duration)
        points.append((start, end))
    out = []
    for start, end in points:
        clip = waveform[:, int(start * SR): int(end * SR)]
        clip -= clip.mean()  # in place on a view of waveform, exactly like ImageBind
        fb = fbank(clip).transpose(0, 1)
        p = target_length - fb.size(1)
        if p > 0:
            fb = torch.nn.functional.pad(fb, (0, p), mode="constant", value=0)
        elif p < 0:
            fb = fb[:, 0:target_length]
        out.append(((fb.unsqueeze(0) - mean) / std))  # transforms.Normalize(mean, std)
    return torch.stack(out, dim=0)


def save(out, name, array):
    np.save(os.path.join(out, name), np.ascontiguousarray(array, dtype=np.float32))


def make_media(media, tmp):
    for name, text in SENTENCES.items():
        raw = os.path.join(tmp, name + ".raw.wav")
        run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", raw, text])
        trim_wav(raw, os.path.join(media, name + ".wav"), 3.3)  # 22.05 kHz mono, < 150 KB
    for name, src in SOUNDS.items():
        source = os.path.join(tmp, name + ".source.wav")
        run(["ffmpeg", "-nostdin", "-y", "-i", os.path.join(FREEDESKTOP, src), "-t", "2", "-ac", "1",
             "-ar", "22050", "-c:a", "pcm_s16le", *BITEXACT, source])
        run(["ffmpeg", "-nostdin", "-y", "-i", source, "-c:a", "flac", *BITEXACT,
             os.path.join(media, name + ".flac")])
        run(["ffmpeg", "-nostdin", "-y", "-i", os.path.join(FREEDESKTOP, src), "-t", "2",
             "-c:a", "libmp3lame", "-b:a", "64k", "-ar", "44100", "-ac", "2", *BITEXACT,
             os.path.join(media, name + ".mp3")])
        run(["ffmpeg", "-nostdin", "-y", "-i", os.path.join(FREEDESKTOP, src), "-t", "2",
             "-c:a", "libvorbis", "-q:a", "2", *BITEXACT, os.path.join(media, name + ".ogg")])
    run(["ffmpeg", "-nostdin", "-y", "-i", os.path.join(FREEDESKTOP, SOUNDS["sound1"]), "-t", "0.8",
         "-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", *BITEXACT,
         os.path.join(media, "stereo44k.wav")])


def tiny_audio_model():
    torch.manual_seed(1234)
    return torch.nn.Sequential(
        torch.nn.AvgPool2d(kernel_size=(16, 17), stride=(16, 17)),  # [N,1,128,204] -> [N,1,8,12]
        torch.nn.Flatten(), torch.nn.Linear(96, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1024)).eval()


def tiny_imu_model():
    torch.manual_seed(4321)
    return torch.nn.Sequential(
        torch.nn.AvgPool1d(kernel_size=125, stride=125),  # [N,6,2000] -> [N,6,16]
        torch.nn.Flatten(), torch.nn.Linear(96, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1024)).eval()


def export(model, example, path, input_name, output_name):
    torch.onnx.export(model, example, path, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
                      opset_version=13, do_constant_folding=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="parity resource root; files go to OUT/audio")
    out = os.path.join(os.path.abspath(ap.parse_args().out), "audio")
    media = os.path.join(HERE, "audio")
    os.makedirs(out, exist_ok=True)
    os.makedirs(media, exist_ok=True)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        make_media(media, tmp)
        for name in SOUNDS:
            wav, sr = load(os.path.join(tmp, name + ".source.wav"))
            save(out, name + ".16k.npy", to16k(wav, sr)[0].numpy())

    info = {}
    for name in list(SENTENCES) + ["stereo44k"]:
        wav, sr = load(os.path.join(media, name + ".wav"))
        mono = to16k(wav, sr)
        save(out, name + ".16k.npy", mono[0].numpy())
        save(out, name + ".fbank.npy", fbank(mono.clone()).numpy())
        if name == "stereo44k":  # pure tones: float32 FFT noise shows in the quiet bins
            save(out, name + ".fbank64.npy", fbank(mono.double()).numpy())
        info[name] = {"sampleRate": sr, "channels": wav.size(0), "samples": wav.size(1),
                      "samples16k": mono.size(1)}
    for name in ["speech_long", "stereo44k"]:
        wav, sr = load(os.path.join(media, name + ".wav"))
        golden = imagebind_audio(wav, sr).numpy()
        save(out, name + ".imagebind.npy", golden)
        # How far the reference moves when only its resampler's float32 rounding goes away: the
        # floor for any other implementation (Bindery resamples in double).
        gap = np.sort(np.abs(imagebind_audio(wav, sr, resample_dtype=torch.float64).numpy() - golden).ravel())
        info[name]["float64ResampleGap"] = {
            "max": float(gap[-1]), "p99": float(gap[int(gap.size * 0.99)]), "mean": float(gap.mean())}

    model = tiny_audio_model()
    export(model, torch.zeros(2, 1, 128, 204), os.path.join(out, "imagebind_audio_tiny.onnx"),
           "audio", "audio_embeds")
    with torch.no_grad():
        x = torch.from_numpy(np.load(os.path.join(out, "speech_long.imagebind.npy")))
        rows = model(x)
        emb = torch.nn.functional.normalize(rows.mean(dim=0), dim=0)
    save(out, "imagebind_audio_tiny.rows.npy", rows.numpy())
    save(out, "imagebind_audio_tiny.emb.npy", emb.numpy())

    rng = np.random.default_rng(7)
    t = np.arange(2600) / 200.0
    acc = np.stack([np.sin(2 * np.pi * f * t) for f in (0.5, 1.3, 2.1)]) + rng.normal(0, 0.1, (3, 2600))
    gyro = np.stack([np.cos(2 * np.pi * f * t) for f in (0.7, 1.1, 3.0)]) * 0.5 + rng.normal(0, 0.05, (3, 2600))
    trace = np.concatenate([acc, gyro]).astype(np.float32)  # [6, 2600]
    save(out, "imu_trace.npy", trace.T)  # stored [T, 6] to exercise the transposed layout
    with open(os.path.join(out, "imu_trace.csv"), "w") as f:
        f.write("timestamp,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n")
        for i in range(250):
            f.write("%.3f,%s\n" % (t[i], ",".join(repr(float(v)) for v in trace[:, i])))
    imu = tiny_imu_model()
    export(imu, torch.zeros(2, 6, 2000), os.path.join(out, "imagebind_imu_tiny.onnx"), "imu", "imu_embeds")
    windows = torch.zeros(2, 6, 2000)
    windows[0] = torch.from_numpy(trace[:, 0:2000])
    windows[1, :, 0:600] = torch.from_numpy(trace[:, 2000:2600])
    with torch.no_grad():
        imu_emb = torch.nn.functional.normalize(imu(windows), dim=1)
    save(out, "imagebind_imu_tiny.emb.npy", imu_emb.numpy())

    info["versions"] = {"torch": torch.__version__, "torchaudio": torchaudio.__version__}
    with open(os.path.join(out, "info.json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("audio goldens: %d files, %d bytes in %s" % (len(os.listdir(out)), total, out))


if __name__ == "__main__":
    main()
