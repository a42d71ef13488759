package dev.bindery.encoders.pkg;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tower factory that a test registers through {@link java.util.ServiceLoader}; its encoders
 * return constant vectors and remember whether they were closed.
 */
public final class FakeTowerFactory implements TowerFactory {
  /** Encoders created by any instance, so tests can check they were closed. */
  static final List<FakeEncoder> CREATED = new CopyOnWriteArrayList<>();

  public FakeTowerFactory() {}

  @Override
  public Set<String> formats() {
    return Set.of("fake-constant");
  }

  @Override
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    FakeEncoder e = new FakeEncoder(spec.modality(), spec.space(), spec.dimension());
    CREATED.add(e);
    return e;
  }

  static final class FakeEncoder implements Encoder<Object> {
    private final Modality modality;
    private final String space;
    private final int dimension;
    volatile boolean closed;

    FakeEncoder(Modality modality, String space, int dimension) {
      this.modality = modality;
      this.space = space;
      this.dimension = dimension;
    }

    @Override
    public Modality modality() {
      return modality;
    }

    @Override
    public String space() {
      return space;
    }

    @Override
    public int dimension() {
      return dimension;
    }

    @Override
    public List<float[]> encodeBatch(List<Object> inputs) {
      List<float[]> out = new ArrayList<>();
      inputs.forEach(i -> out.add(new float[dimension]));
      return out;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
