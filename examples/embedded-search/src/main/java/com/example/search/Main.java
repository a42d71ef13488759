package com.example.search;

import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.ResultHit;
import java.nio.file.Path;
import java.util.Map;

/** Opens a data directory, indexes a few sentences with the default text model, searches. */
public final class Main {
  public static void main(String[] args) {
    Path data = Path.of(args.length > 0 ? args[0] : "bindery-example-data");
    String query = args.length > 1 ? args[1] : "text:\"a cat on a sofa\" - 0.3*text:\"a dog\"";
    try (Bindery bindery = Bindery.open(data)) {
      if (!bindery.listCollections().contains("notes")) {
        bindery.createCollection("notes", ModelPackage.DEFAULT_TEXT);
        bindery.addText("notes", "n1", "a cat asleep on the sofa", Map.of("room", "living"));
        bindery.addText("notes", "n2", "a puppy chewing a slipper", Map.of("room", "hall"));
        bindery.addText("notes", "n3", "fresh bread on the kitchen table", Map.of("room", "kitchen"));
        bindery.addText("notes", "n4", "a kitten curled up on the couch", Map.of("room", "living"));
        bindery.commit("notes");
      }
      for (ResultHit hit : bindery.search("notes", query, 3).hits()) {
        System.out.printf("%.3f  %s  %s%n", hit.score(), hit.id(), hit.metadata());
      }
    }
  }
}
