package dev.bindery.fusion.ingest;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.Item;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link IngestNoTemporaryFilesTest}: opens a data folder, creates a collection
 * with the given model package (so the model and the native libraries are loaded), prints {@code
 * READY} and waits for a line on stdin; then ingests the given inputs (files, folders, manifests)
 * with two worker threads, adds the items of a JSONL file through {@link Ingestor#add} with file
 * paths refused (the HTTP path: data URLs only), prints the outcome as {@code RESULT} lines and
 * {@code DONE}, and exits after a second line on stdin.
 *
 * <p>Arguments: data folder, model package, JSONL file for {@code add}, inputs...
 */
public final class IngestInMemoryMain {
  private IngestInMemoryMain() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    String model = args[1];
    Path apiItems = Path.of(args[2]);
    List<Path> inputs = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      inputs.add(Path.of(args[i]));
    }
    try (Bindery b = Bindery.open(data)) {
      b.createCollection("media", model);
      System.out.println("READY");
      System.out.flush();
      BufferedReader control =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      control.readLine();

      IngestReport r =
          new Ingestor(b, "media", IngestOptions.files(data).withThreads(2))
              .ingest(inputs, IngestListener.NONE);
      System.out.println("RESULT ingested " + r.added());
      for (IngestReport.Skip s : r.skipped()) {
        System.out.println("RESULT skipped " + s.source() + ": " + s.reason());
      }
      List<ItemSpec> specs = new ArrayList<>();
      int no = 0;
      for (String line : Files.readAllLines(apiItems)) {
        no++;
        specs.add(
            ItemSpec.fromJson(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(line),
                apiItems + ":" + no));
      }
      List<Item> added =
          new Ingestor(b, "media", IngestOptions.noFiles(IngestOptions.DEFAULT_MAX_MEDIA_BYTES))
              .add(specs);
      for (Item item : added) {
        System.out.println("RESULT added " + item.id() + " " + item.modality());
      }
      System.out.println("RESULT count " + b.backend().describe("media").count());
      // Stay up until the test has looked at the temporary folder: ONNX Runtime deletes the native
      // libraries it unpacked there when the JVM exits.
      System.out.println("DONE");
      System.out.flush();
      control.readLine();
    }
  }
}
