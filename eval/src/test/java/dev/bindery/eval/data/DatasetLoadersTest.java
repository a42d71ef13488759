package dev.bindery.eval.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Modality;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.eval.metrics.Judgments;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The loaders on the tiny fixtures of src/test/resources/datasets (see make_fixtures.py there). */
class DatasetLoadersTest {

  private static final Path FIXTURES = Path.of("src/test/resources/datasets");
  private final DatasetLoaders loaders = DatasetLoaders.defaults();

  @TempDir Path tmp;

  @Test
  void karpathySplitTestImagesWithTheirCaptions() {
    EvalDataset d =
        loaders.load("karpathy", FIXTURES.resolve("karpathy/dataset_tiny.json"), Map.of());
    // split test: images 0 and 1 with 3 sentences; the train image is left out
    assertEquals(
        List.of("img:0", "sent:0", "sent:1", "img:1", "sent:2"), List.copyOf(d.items().keySet()));
    assertEquals(
        FIXTURES.resolve("karpathy/val2014/COCO_val2014_1.png").toAbsolutePath(),
        ((ItemContent.File) d.item("img:0").content()).path().toAbsolutePath());
    assertEquals(new ItemContent.Text("Something red"), d.item("sent:1").content());
    QuerySet t2i = d.querySet("text->image");
    assertEquals(List.of("img:0", "img:1"), t2i.corpus());
    assertEquals(3, t2i.queries().size());
    assertEquals(Judgments.binary(List.of("img:0")), t2i.queries().get(1).judgments());
    QuerySet i2t = d.querySet("image->text");
    assertEquals(List.of("sent:0", "sent:1", "sent:2"), i2t.corpus());
    assertEquals(Judgments.binary(List.of("sent:0", "sent:1")), i2t.queries().get(0).judgments());

    EvalDataset all =
        loaders.load(
            "karpathy",
            FIXTURES.resolve("karpathy/dataset_tiny.json"),
            Map.of("split", "all", "limit", "1"));
    assertEquals(List.of("img:0", "sent:0", "sent:1"), List.copyOf(all.items().keySet()));
  }

  @Test
  void imageFolderClassesAreSubFolders() {
    EvalDataset d = loaders.load("imagefolder", FIXTURES.resolve("imagefolder"), Map.of());
    assertEquals(List.of("cat", "dog_house"), d.classes());
    assertEquals(
        List.of("cat/a.png", "cat/b.png", "dog_house/c.png"), List.copyOf(d.items().keySet()));
    assertEquals("dog_house", d.item("dog_house/c.png").label());
    QuerySet qs = d.querySet("class->image");
    assertEquals(new ItemContent.Text("dog house"), qs.queries().get(1).input().content());
    assertEquals(
        Judgments.binary(List.of("cat/a.png", "cat/b.png")), qs.queries().get(0).judgments());
    assertEquals(
        2,
        loaders
            .load("imagefolder", FIXTURES.resolve("imagefolder"), Map.of("limit", "1"))
            .items()
            .size());
  }

  @Test
  void captionedManifestMergesSharedCaptions() throws Exception {
    java.nio.file.Path img = tmp.resolve("a.png");
    javax.imageio.ImageIO.write(
        new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
        "png",
        img.toFile());
    java.nio.file.Path m = tmp.resolve("m.jsonl");
    java.nio.file.Files.writeString(
        m,
        "{\"id\":\"x\",\"text\":\"a flag\",\"image\":\"a.png\",\"metadata\":{}}\n"
            + "\n"
            + "{\"id\":\"y\",\"text\":\"a flag\",\"image\":\"a.png\"}\n"
            + "{\"id\":\"z\",\"text\":\"a star\",\"image\":\"a.png\"}\n");
    EvalDataset d = loaders.load("captioned-manifest", m, Map.of());
    QuerySet t2i = d.querySet("text->image");
    assertEquals(2, t2i.queries().size(), "one query per distinct caption");
    assertEquals(3, t2i.corpus().size());
    assertEquals(2, t2i.queries().get(0).judgments().relevantCount(), "both flag images");
    QuerySet i2t = d.querySet("image->text");
    assertEquals(3, i2t.queries().size());
    assertEquals(java.util.List.of("cap:0", "cap:1"), i2t.corpus());
    assertEquals(
        2,
        loaders
            .load("captioned-manifest", m, Map.of("limit", "2"))
            .querySet("image->text")
            .queries()
            .size());
    java.nio.file.Files.writeString(m, "{\"id\":\"x\",\"text\":\"a flag\"}\n");
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> loaders.load("captioned-manifest", m, Map.of()));
    assertTrue(
        e.getMessage().contains("line 1") && e.getMessage().contains("'image'"), e.getMessage());
  }

  @Test
  void captionedManifestWordProbeMatchesWholeWordsInTitleOrKeywords() throws Exception {
    java.nio.file.Path img = tmp.resolve("a.png");
    javax.imageio.ImageIO.write(
        new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
        "png",
        img.toFile());
    java.nio.file.Path m = tmp.resolve("w.jsonl");
    java.nio.file.Files.writeString(
        m,
        "{\"id\":\"a\",\"text\":\"x\",\"image\":\"a.png\","
            + "\"metadata\":{\"title\":\"Black Cat\",\"keywords\":[\"pet\"]}}\n"
            + "{\"id\":\"b\",\"text\":\"y\",\"image\":\"a.png\","
            + "\"metadata\":{\"title\":\"catalogue\",\"keywords\":[\"dogs\",\"leash\"]}}\n"
            + "{\"id\":\"c\",\"text\":\"z\",\"image\":\"a.png\"}\n");
    EvalDataset d = loaders.load("captioned-manifest", m, Map.of("words", "cat, dog,horse,leash"));
    QuerySet w = d.querySet("word->image");
    assertEquals(3, w.corpus().size(), "every image is in the corpus");
    // "horse" is in no title or keywords: not a query; "cat" does not match "catalogue"
    assertEquals(
        java.util.List.of("word:cat", "word:dog", "word:leash"),
        w.queries().stream().map(q -> q.id()).toList());
    assertEquals("a cat", ((ItemContent.Text) w.queries().get(0).input().content()).text());
    assertEquals(1, w.queries().get(0).judgments().relevantCount());
    assertTrue(w.queries().get(0).judgments().isRelevant("img:a"));
    assertTrue(w.queries().get(1).judgments().isRelevant("img:b"), "plural 'dogs' counts");
    IllegalArgumentException twice =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> loaders.load("captioned-manifest", m, Map.of("words", "cat,Cat")));
    assertTrue(twice.getMessage().contains("'cat' is listed twice"), twice.getMessage());
    IllegalArgumentException none =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> loaders.load("captioned-manifest", m, Map.of("words", "horse")));
    assertTrue(none.getMessage().contains("none of the 1 words"), none.getMessage());
  }

  @Test
  void jsonlPairsOfAnyTwoModalities() {
    EvalDataset d = loaders.load("jsonl-pairs", FIXTURES.resolve("pairs/pairs.jsonl"), Map.of());
    assertEquals(
        List.of("a:1", "b:1", "a:red", "b:red", "a:4", "b:4"), List.copyOf(d.items().keySet()));
    assertEquals(Modality.IMAGE, d.item("b:red").modality());
    QuerySet ab = d.querySet("a->b");
    assertEquals(List.of("b:1", "b:red", "b:4"), ab.corpus());
    assertEquals(Judgments.binary(List.of("b:red")), ab.queries().get(1).judgments());
    assertEquals(List.of("a:1", "a:red", "a:4"), d.querySet("b->a").corpus());
  }

  @Test
  void mmbenchTsvWithQuotedFieldsAndSharedImages() {
    EvalDataset d = loaders.load("mmbench-tsv", FIXTURES.resolve("mmbench/tiny.tsv"), Map.of());
    assertEquals(2, d.questions().size());
    ChoiceQuestion q0 = d.questions().get(0);
    assertEquals("What\tcolour is it?", q0.question());
    assertNull(q0.hint());
    assertEquals(List.of("dark blue", "red", "green", "white"), q0.options());
    assertEquals(0, q0.answer());
    assertEquals("color", q0.category());
    ChoiceQuestion q1 = d.questions().get(1);
    assertEquals(List.of("one", "two"), q1.options());
    assertEquals(1, q1.answer());
    assertEquals("Count them.", q1.hint());
    // row 1's image cell "0" names row 0's image: one item for both
    assertEquals("img:0", q1.imageId());
    assertEquals(List.of("img:0"), List.copyOf(d.items().keySet()));
    ItemContent.EncodedImage img = (ItemContent.EncodedImage) d.item("img:0").content();
    BufferedImage decoded = new ImageDecoder().decode(img.bytes(), img.name());
    assertEquals(2, decoded.getWidth());
    assertEquals(0x0a141e, decoded.getRGB(1, 1) & 0xffffff);
  }

  @Test
  void fashionMnistFromIdxFiles() {
    EvalDataset d = loaders.load("fashion-mnist", FIXTURES.resolve("fashion"), Map.of());
    assertEquals(FashionMnistLoader.CLASSES, d.classes());
    assertEquals(3, d.items().size());
    assertEquals("Ankle boot", d.item("test:1").label());
    ItemContent.GrayPixels px = (ItemContent.GrayPixels) d.item("test:2").content();
    assertEquals(3, px.width());
    assertEquals(2, px.height());
    assertArrayEquals(new byte[] {0, 10, 20, 30, 40, 50}, px.pixels());
    // row-major: pixel (x=2, y=1) is value 50
    assertEquals(50, px.toImage().getRaster().getSample(2, 1, 0));
    QuerySet qs = d.querySet("class->image");
    assertEquals(2, qs.queries().size(), "only classes with images get a query");
    assertEquals(Judgments.binary(List.of("test:0", "test:2")), qs.queries().get(0).judgments());
    assertEquals(
        2,
        loaders
            .load("fashion-mnist", FIXTURES.resolve("fashion"), Map.of("limit", "2"))
            .items()
            .size());
  }

  @Test
  void idxFilesRawAndGzippedAgreeAndBadOnesAreNamed() {
    IdxFile raw = IdxFile.read(FIXTURES.resolve("fashion/raw-images.idx"));
    IdxFile gz = IdxFile.read(FIXTURES.resolve("fashion/t10k-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {3, 2, 3}, raw.dims());
    assertArrayEquals(raw.data(), gz.data());
    assertEquals(255, raw.unsigned(6));
    expect(
        () -> IdxFile.read(FIXTURES.resolve("fashion/truncated.idx")),
        "truncated.idx",
        "promise 18 values");
    expect(
        () -> IdxFile.read(FIXTURES.resolve("fashion/int-typed.idx")),
        "int-typed.idx",
        "type 0xc is not supported");
    expect(
        () -> IdxFile.read(FIXTURES.resolve("pairs/pairs.jsonl")),
        "pairs.jsonl is not an IDX file");
  }

  @Test
  void realFashionMnistWhenInstalled() {
    if (!Files.isDirectory(FashionMnistLoader.DEBIAN_PATH)) {
      return; // apt-get install dataset-fashion-mnist to run this check
    }
    EvalDataset d =
        loaders.load("fashion-mnist", FashionMnistLoader.DEBIAN_PATH, Map.of("limit", "100"));
    assertEquals(100, d.items().size());
    ItemContent.GrayPixels px = (ItemContent.GrayPixels) d.item("test:0").content();
    assertEquals(28, px.width());
    // the first test image of Fashion-MNIST is an ankle boot
    assertEquals("Ankle boot", d.item("test:0").label());
  }

  @Test
  void missingFilesSayHowToGetThem() {
    expect(
        () -> loaders.load("fashion-mnist", tmp.resolve("nope"), Map.of()),
        "Fashion-MNIST folder not found",
        "nope",
        "apt-get install dataset-fashion-mnist");
    expect(
        () -> loaders.load("fashion-mnist", tmp, Map.of()),
        "Fashion-MNIST images not found",
        "t10k-images-idx3-ubyte.gz",
        "apt-get install");
    expect(
        () -> loaders.load("karpathy", tmp.resolve("dataset_coco.json"), Map.of()),
        "Karpathy split file not found",
        "dataset_coco.json",
        "https://cs.stanford.edu/people/karpathy/deepimagesent/caption_datasets.zip");
    expect(
        () ->
            loaders.load(
                "karpathy",
                FIXTURES.resolve("karpathy/dataset_tiny.json"),
                Map.of("images", tmp.toString())),
        "2 image file(s)",
        "COCO_val2014_1.png",
        "set the images option");
    expect(
        () -> loaders.load("jsonl-pairs", tmp.resolve("p.jsonl"), Map.of()),
        "JSONL pairs file not found",
        "p.jsonl");
    expect(
        () -> loaders.load("mmbench-tsv", tmp.resolve("MMBench_DEV_EN.tsv"), Map.of()),
        "MMBench TSV file not found",
        "MMBench_DEV_EN.tsv",
        "open-compass/MMBench");
    expect(
        () -> loaders.load("imagefolder", tmp.resolve("photos"), Map.of()),
        "image folder not found",
        "photos");
  }

  @Test
  void badInputNamesTheFileAndTheReason() throws IOException {
    expect(
        () -> loaders.load("coco", tmp, Map.of()),
        "unknown dataset kind 'coco'",
        "[captioned-manifest, fashion-mnist, imagefolder, jsonl-pairs, karpathy, mmbench-tsv]");
    expect(
        () ->
            loaders.load(
                "karpathy", FIXTURES.resolve("karpathy/dataset_tiny.json"), Map.of("splt", "x")),
        "has no option 'splt'",
        "[images, limit, split]");
    expect(
        () ->
            loaders.load(
                "karpathy", FIXTURES.resolve("karpathy/dataset_tiny.json"), Map.of("split", "dev")),
        "split must be",
        "'dev'");
    expect(
        () -> loaders.load("fashion-mnist", FIXTURES.resolve("fashion"), Map.of("limit", "-3")),
        "limit must be a positive integer",
        "'-3'");

    Path json = write("bad.json", "{\"images\": [\n  {\"filename\": \"x.png\",,}]}");
    expect(() -> loaders.load("karpathy", json, Map.of()), "malformed JSON", "bad.json", "line 2");

    Path jsonl =
        write("bad.jsonl", "{\"a\": {\"text\": \"x\"}, \"b\": {\"text\": \"y\"}}\n{\"a\": 3}\n");
    expect(
        () -> loaders.load("jsonl-pairs", jsonl, Map.of()),
        "bad.jsonl line 2",
        "\"a\"",
        "exactly one of");
    Path missingMedia =
        write("m.jsonl", "{\"a\": {\"text\": \"x\"}, \"b\": {\"image\": \"gone.png\"}}\n");
    expect(
        () -> loaders.load("jsonl-pairs", missingMedia, Map.of()),
        "m.jsonl line 1",
        "image file not found",
        "gone.png");
    Path dup =
        write(
            "d.jsonl",
            "{\"id\":\"x\",\"a\":{\"text\":\"1\"},\"b\":{\"text\":\"2\"}}\n{\"id\":\"x\",\"a\":{\"text\":\"3\"},\"b\":{\"text\":\"4\"}}\n");
    expect(
        () -> loaders.load("jsonl-pairs", dup, Map.of()), "d.jsonl line 2", "'x' was used before");
    Path notJson = write("n.jsonl", "{\"a\":\n");
    expect(
        () -> loaders.load("jsonl-pairs", notJson, Map.of()),
        "malformed JSON",
        "n.jsonl at line 1");

    Path tsv = write("q.tsv", "index\tquestion\tA\tB\tanswer\timage\n7\tq?\tx\ty\tC\tAAAA\n");
    expect(() -> loaders.load("mmbench-tsv", tsv, Map.of()), "q.tsv row 2 (index 7)", "answer 'C'");
    Path noCol = write("h.tsv", "index\tquestion\tA\tB\tanswer\n");
    expect(() -> loaders.load("mmbench-tsv", noCol, Map.of()), "h.tsv", "no 'image' column");
    Path open = write("o.tsv", "index\tquestion\tA\tB\tanswer\timage\n1\t\"never closed\tx\n");
    expect(
        () -> loaders.load("mmbench-tsv", open, Map.of()),
        "o.tsv",
        "opened at line 2 is never closed");
    Path b64 =
        write("b.tsv", "index\tquestion\tA\tB\tanswer\timage\n1\tq\tx\ty\tA\t*not base64*\n");
    expect(() -> loaders.load("mmbench-tsv", b64, Map.of()), "b.tsv row 2 (index 1)", "not base64");

    Files.createDirectories(tmp.resolve("folder/empty"));
    expect(
        () -> loaders.load("imagefolder", tmp.resolve("folder"), Map.of()),
        "empty",
        "holds no images");
  }

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static void expect(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }
}
