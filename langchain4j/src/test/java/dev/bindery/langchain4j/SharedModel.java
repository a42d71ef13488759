package dev.bindery.langchain4j;

import dev.bindery.encoders.pkg.ModelPackage;

/**
 * The default model package (bindery-mini: MiniLM text, Bindery's image tower), opened once for the
 * whole test JVM: loading the ONNX sessions costs more than most tests here.
 */
final class SharedModel {
  private static BinderyEmbeddingModel model;

  private SharedModel() {}

  static synchronized BinderyEmbeddingModel get() {
    if (model == null) {
      model = BinderyEmbeddingModel.open(ModelPackage.DEFAULT);
      Runtime.getRuntime().addShutdownHook(new Thread(model::close));
    }
    return model;
  }
}
