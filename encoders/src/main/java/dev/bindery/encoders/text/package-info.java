/**
 * Text towers: Hugging Face tokenizers through DJL ({@link
 * dev.bindery.encoders.text.TextTokenizer}), padded token batches, pooling strategies and the
 * transformer text encoder that serves the {@code sentence-transformer}, {@code clip-text} and
 * {@code imagebind-text} formats.
 */
package dev.bindery.encoders.text;
