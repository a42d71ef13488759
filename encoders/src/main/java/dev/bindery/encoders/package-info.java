/**
 * Encoders: modalities, decoders, preprocessing and ONNX Runtime model packages that turn text,
 * images, audio, video, depth, thermal and IMU data into vectors. Lands with the encoders issue.
 */
package dev.bindery.encoders;
