package com.example.rag;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.langchain4j.BinderyEmbeddingModel;
import dev.bindery.langchain4j.BinderyEmbeddingStore;
import dev.bindery.langchain4j.BinderyRemoteEmbeddingModel;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import java.nio.file.Path;
import java.util.List;

/**
 * Retrieval-augmented generation over Bindery with langchain4j. Arguments: a data directory
 * (default {@code bindery-rag-data}) and a question. With {@code BINDERY_SERVER_URL} (and {@code
 * BINDERY_API_KEY} when the server has keys) set, the store and the embeddings are on that Bindery
 * server instead of the data directory. With {@code OPENAI_API_KEY} (and optionally {@code
 * OPENAI_BASE_URL}, {@code OPENAI_MODEL}) set, an OpenAI-compatible chat model answers from the
 * retrieved passages; without, the passages are printed.
 */
public final class Main {
  /** What the assistant is asked; langchain4j puts the retrieved passages into the prompt. */
  interface Assistant {
    String answer(String question);
  }

  public static void main(String[] args) {
    Path data = Path.of(args.length > 0 ? args[0] : "bindery-rag-data");
    String question = args.length > 1 ? args[1] : "Where does the cat like to sleep?";
    List<Document> documents =
        List.of(
            Document.from(
                "Our cat Miso sleeps on the sofa every afternoon and on the bed at night.",
                Metadata.from("topic", "pets")),
            Document.from(
                "The dog, Rex, chews slippers in the hall and sleeps in his basket by the door.",
                Metadata.from("topic", "pets")),
            Document.from(
                "Bread is baked on Saturdays; the sourdough starter lives in the fridge.",
                Metadata.from("topic", "kitchen")));

    String server = System.getenv("BINDERY_SERVER_URL");
    if (server != null && !server.isBlank()) {
      // Remote mode: the server embeds (with its bindery-mini package) and stores.
      String apiKey = System.getenv("BINDERY_API_KEY");
      try (BinderyRemoteEmbeddingModel model =
              BinderyRemoteEmbeddingModel.builder()
                  .serverUrl(server)
                  .apiKey(apiKey)
                  .model("bindery-mini")
                  .build();
          BinderyEmbeddingStore store =
              BinderyEmbeddingStore.builder()
                  .serverUrl(server)
                  .apiKey(apiKey)
                  .collection("rag")
                  .dimension(model.dimension())
                  .build()) {
        run(model, store, documents, question);
      }
      return;
    }
    try (BinderyEmbeddingModel model = BinderyEmbeddingModel.open(ModelPackage.DEFAULT);
        BinderyEmbeddingStore store =
            BinderyEmbeddingStore.builder()
                .dataDirectory(data)
                .collection("rag")
                .dimension(model.dimension())
                .commitEveryWrite(false) // a bulk load: durable once, at close
                .build()) {
      run(model, store, documents, question);
    }
  }

  private static void run(
      EmbeddingModel model,
      BinderyEmbeddingStore store,
      List<Document> documents,
      String question) {
    store.removeAll(); // start over on every run, so the example is repeatable
    EmbeddingStoreIngestor.builder()
        .documentSplitter(DocumentSplitters.recursive(200, 20))
        .embeddingModel(model)
        .embeddingStore(store)
        .build()
        .ingest(documents);

    ContentRetriever retriever =
        EmbeddingStoreContentRetriever.builder()
            .embeddingStore(store)
            .embeddingModel(model)
            .maxResults(2)
            .filter(metadataKey("topic").isEqualTo("pets"))
            .build();

    String key = System.getenv("OPENAI_API_KEY");
    if (key == null || key.isBlank()) {
      System.out.println("Passages for: " + question);
      for (Content c : retriever.retrieve(Query.from(question))) {
        System.out.println("- " + c.textSegment().text());
      }
      System.out.println("(set OPENAI_API_KEY to have a chat model answer from them)");
      return;
    }
    ChatModel chat =
        OpenAiChatModel.builder()
            .apiKey(key)
            .baseUrl(env("OPENAI_BASE_URL", "https://api.openai.com/v1"))
            .modelName(env("OPENAI_MODEL", "gpt-4o-mini"))
            .build();
    Assistant assistant =
        AiServices.builder(Assistant.class).chatModel(chat).contentRetriever(retriever).build();
    System.out.println(assistant.answer(question));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
