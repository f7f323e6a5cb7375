package io.baton.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SnapshotCatalogTest {
  @TempDir Path root;

  private Path complete(long term, long index) throws Exception {
    Path dir = root.resolve(SnapshotCatalog.dirName(term, index));
    Files.createDirectories(dir);
    new SnapshotManifest(term, index, List.of()).write(dir);
    return dir;
  }

  @Test
  void dirName_isCkptTermIndex() {
    assertThat(SnapshotCatalog.dirName(3, 1042)).isEqualTo("ckpt_3_1042");
  }

  @Test
  void list_missingRoot_isEmpty() {
    SnapshotCatalog catalog = new SnapshotCatalog(root.resolve("absent"));

    assertThat(catalog.list()).isEmpty();
    assertThat(catalog.latest()).isEmpty();
  }

  @Test
  void list_completeCheckpoints_sortedByIndexIgnoringTheRest() throws Exception {
    Path c9 = complete(1, 9);
    Path c10 = complete(2, 10);
    Path c100 = complete(2, 100);
    Files.createDirectories(root.resolve("ckpt_2_200"));
    Files.createDirectories(root.resolve("ckpt_2_300.tmp"));
    new SnapshotManifest(2, 300, List.of()).write(root.resolve("ckpt_2_300.tmp"));
    Files.createDirectories(root.resolve("other"));
    Files.writeString(root.resolve("ckpt_9_9"), "a file, not a directory");

    SnapshotCatalog catalog = new SnapshotCatalog(root);

    assertThat(catalog.list())
        .containsExactly(
            new SnapshotCatalog.SnapshotRef(c9, 1, 9),
            new SnapshotCatalog.SnapshotRef(c10, 2, 10),
            new SnapshotCatalog.SnapshotRef(c100, 2, 100));
    assertThat(catalog.latest()).contains(new SnapshotCatalog.SnapshotRef(c100, 2, 100));
  }

  @Test
  void retain_keepsNewestAndDeletesOlderAndTmp() throws Exception {
    complete(1, 1);
    complete(1, 2);
    Path c3 = complete(2, 3);
    Path c4 = complete(2, 4);
    Files.createDirectories(root.resolve("ckpt_2_5.tmp"));
    Files.writeString(root.resolve("ckpt_2_5.tmp/CURRENT"), "partial");
    Files.createDirectories(root.resolve("ckpt_0_0"));
    Files.createDirectories(root.resolve("other"));
    SnapshotCatalog catalog = new SnapshotCatalog(root);

    catalog.retain(2);

    assertThat(catalog.list()).extracting(SnapshotCatalog.SnapshotRef::dir).containsExactly(c3, c4);
    try (var entries = Files.list(root)) {
      // Directories that are not complete checkpoints are not the catalog's to delete.
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ckpt_2_3", "ckpt_2_4", "ckpt_0_0", "other");
    }

    catalog.retain(1);
    assertThat(catalog.list()).extracting(SnapshotCatalog.SnapshotRef::dir).containsExactly(c4);
  }

  @Test
  void retain_lessThanOne_isRejected() throws Exception {
    complete(1, 1);
    SnapshotCatalog catalog = new SnapshotCatalog(root);

    assertThatThrownBy(() -> catalog.retain(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(catalog.list()).hasSize(1);
  }

  @Test
  void retain_missingRoot_isNoop() {
    new SnapshotCatalog(root.resolve("absent")).retain(1);

    assertThat(root.resolve("absent")).doesNotExist();
  }
}
