/**
 * Images, depth maps and thermal images: decoders ({@link dev.bindery.encoders.image.ImageDecoder},
 * {@link dev.bindery.encoders.image.ScalarImageDecoder}), preprocessing that matches torchvision
 * and PIL ({@link dev.bindery.encoders.image.ClipImagePreprocessor}, {@link
 * dev.bindery.encoders.image.ImageBindDepthPreprocessor}, {@link
 * dev.bindery.encoders.image.ImageBindThermalPreprocessor}) and the ONNX towers built from a model
 * package's manifest ({@link dev.bindery.encoders.image.ImageTowerFactory}).
 */
package dev.bindery.encoders.image;
