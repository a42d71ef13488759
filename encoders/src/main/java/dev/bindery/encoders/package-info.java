/**
 * Encoders: modalities, decoders, preprocessing and ONNX Runtime model packages that turn text,
 * images, audio, video, depth, thermal and IMU data into vectors.
 *
 * <p>Every encoder is split like a translator: decode (bytes to a decoded input such as {@link
 * java.awt.image.BufferedImage} or {@link dev.bindery.encoders.AudioSignal}), preprocess (pure,
 * deterministic, tested against reference implementations), run (ONNX Runtime), postprocess (pool,
 * project, L2-normalize).
 */
package dev.bindery.encoders;
