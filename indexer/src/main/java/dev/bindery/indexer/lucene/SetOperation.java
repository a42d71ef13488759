package dev.bindery.indexer.lucene;

import dev.bindery.indexer.BadArgumentException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.roaringbitmap.RoaringBitmap;

/**
 * How filter sets combine at the bitmap level: the and / or / and-not of {@link
 * dev.bindery.indexer.Filter} over sets only. The wire name keys the cache of combined bitmaps.
 */
enum SetOperation {
  AND("and") {
    @Override
    void applyTo(RoaringBitmap acc, RoaringBitmap next) {
      acc.and(next);
    }
  },
  OR("or") {
    @Override
    void applyTo(RoaringBitmap acc, RoaringBitmap next) {
      acc.or(next);
    }
  },
  AND_NOT("andNot") {
    @Override
    void applyTo(RoaringBitmap acc, RoaringBitmap next) {
      acc.andNot(next);
    }
  };

  private final String wireName;

  SetOperation(String wireName) {
    this.wireName = wireName;
  }

  String wireName() {
    return wireName;
  }

  /** Changes {@code acc} in place to {@code acc op next}; {@code next} is not modified. */
  abstract void applyTo(RoaringBitmap acc, RoaringBitmap next);

  /**
   * The first bitmap combined with each following one, left to right, into a new bitmap; none of
   * the given bitmaps is modified.
   */
  RoaringBitmap combine(List<RoaringBitmap> bitmaps) {
    if (bitmaps.isEmpty()) {
      throw new IllegalArgumentException(wireName + " of filter sets needs at least one set");
    }
    RoaringBitmap acc = bitmaps.get(0).clone();
    for (RoaringBitmap b : bitmaps.subList(1, bitmaps.size())) {
      applyTo(acc, b);
    }
    return acc;
  }

  /**
   * The operation of a wire name.
   *
   * @throws BadArgumentException for any other name, listing the valid ones
   */
  static SetOperation fromName(String name) {
    for (SetOperation op : values()) {
      if (op.wireName.equals(name)) {
        return op;
      }
    }
    throw new BadArgumentException(
        "unknown set operation '"
            + name
            + "'; valid: "
            + Arrays.stream(values())
                .map(SetOperation::wireName)
                .collect(Collectors.joining(", ")));
  }
}
