/**
 * Retrieval-augmented VQA evaluation: questions about pictured items of a captioned manifest
 * (category, keyword), answered through the generator module's pipeline with the image given, and
 * scored with the VQAv2 answer normalization ({@link dev.bindery.eval.metrics.VqaAccuracy}).
 */
package dev.bindery.eval.vqa;
