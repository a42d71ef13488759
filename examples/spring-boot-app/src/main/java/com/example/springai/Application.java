package com.example.springai;

import java.util.List;
import java.util.Map;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * Adds a few notes to the auto-configured Bindery {@link VectorStore} and searches them with a
 * metadata filter. Arguments: a query (default "a kitten on a couch").
 */
@SpringBootApplication
public class Application {
  public static void main(String[] args) {
    SpringApplication.run(Application.class, args);
  }

  @Bean
  ApplicationRunner demo(VectorStore store) {
    return args -> {
      List<String> rest = args.getNonOptionArgs();
      String query = rest.isEmpty() ? "a kitten on a couch" : String.join(" ", rest);
      // Fixed ids: running again replaces the notes instead of adding copies.
      store.add(
          List.of(
              note("n1", "a cat asleep on the sofa", "living", 2020),
              note("n2", "a puppy chewing a slipper", "hall", 2021),
              note("n3", "fresh bread on the kitchen table", "kitchen", 2022),
              note("n4", "a kitten curled up on the couch", "living", 2023)));
      List<Document> hits =
          store.similaritySearch(
              SearchRequest.builder()
                  .query(query)
                  .topK(3)
                  .filterExpression("room == 'living' || year >= 2022")
                  .build());
      System.out.println("Query: " + query);
      for (Document d : hits) {
        System.out.printf("%.3f  %s  %s%n", d.getScore(), d.getId(), d.getText());
      }
    };
  }

  private static Document note(String id, String text, String room, int year) {
    return Document.builder().id(id).text(text).metadata(Map.of("room", room, "year", year)).build();
  }
}
