package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link CollectionConfig#chooseSpace}: the one space a single-space store picks, or why not. */
class CollectionConfigTest {
  private static final CollectionConfig ONE =
      CollectionConfig.of("docs", SpaceConfig.of("embedding", 4, Similarity.COSINE));
  private static final CollectionConfig THREE =
      CollectionConfig.of(
          "media",
          SpaceConfig.of("text", 4, Similarity.COSINE),
          SpaceConfig.of("clip", 8, Similarity.COSINE),
          SpaceConfig.of("audio", 4, Similarity.DOT_PRODUCT));

  @Test
  void theOnlySpaceOrTheNamedOne() {
    assertEquals("embedding", ONE.chooseSpace(null, 0, false).name());
    assertEquals("embedding", ONE.chooseSpace(null, 4, true).name());
    assertEquals("embedding", ONE.chooseSpace("embedding", 4, false).name());
    assertEquals("clip", THREE.chooseSpace("clip", 8, true).name());
    assertEquals("text", THREE.chooseSpace("text", 0, false).name());
  }

  @Test
  void severalSpacesAndNoneNamedListsThem() {
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> THREE.chooseSpace(null, 4, false));
    assertEquals(
        "collection 'media' has spaces [audio, clip, text]; name the one to use with space(...)",
        e.getMessage());
  }

  @Test
  void anUnknownSpaceListsTheSpacesThereAre() {
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> THREE.chooseSpace("image", 0, false));
    assertEquals(
        "collection 'media' has no space 'image'; it has [audio, clip, text]", e.getMessage());
  }

  @Test
  void aDimensionThatDoesNotFitNamesBoth() {
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> ONE.chooseSpace(null, 384, false));
    assertEquals(
        "collection 'docs' space 'embedding' has dimension 4, but dimension(384) was given",
        e.getMessage());
  }

  @Test
  void aSpaceSharingItsDimensionIsRefusedOnlyWhenTheDimensionMustBeUnique() {
    assertEquals("text", THREE.chooseSpace("text", 4, false).name());
    BadArgumentException e =
        assertThrows(BadArgumentException.class, () -> THREE.chooseSpace("text", 4, true));
    assertEquals(
        "collection 'media' has spaces 'text' and 'audio' of the same dimension 4; a remote"
            + " store needs its space's dimension to be the only one of its size",
        e.getMessage());
  }
}
