/**
 * Audio: decoding to 16 kHz mono ({@link dev.bindery.encoders.audio.AudioDecoder}), the
 * torchaudio-compatible resampler and Kaldi filterbank, ImageBind's clip preprocessing, time
 * segmentation and the {@code imagebind-audio} tower.
 */
package dev.bindery.encoders.audio;
